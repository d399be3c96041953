import { type ConfigServiceClient, DescribeConfigRulesCommand } from '@aws-sdk/client-config-service';
import {
  cachedConfigRules,
  type DescribeConfigRule,
  parseRuleParameters,
} from '@cordon/core/policy/rule-identification';
import type { AccountTarget } from './shared/account-clients.ts';

/**
 * Triage's port to AWS Config: reads one rule with `DescribeConfigRules` (`ConfigRuleNames: [name]`) on the
 * client of the incident's account and region (the observer role in a member account), and caches each answer
 * per account, region and rule name (core's `cachedConfigRules`: failures are not kept). Config answers
 * `NoSuchConfigRuleException` for a name it does not know
 * (https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigRules.html): that is "no such
 * rule", not an error. Rule parameters that are not a JSON object leave the rule unread (core identifies it by
 * its name), with the reason.
 *
 * IAM: config:DescribeConfigRules (no resource-level permissions), in core's RULE_LOOKUP_PERMISSIONS.
 *
 * @example const describe = configRuleReader((target) => observerClients(target, settings, home).config);
 */
export function configRuleReader(
  clientFor: (target: AccountTarget) => Pick<ConfigServiceClient, 'send'>,
  options: { readonly ttlSeconds?: number; readonly now?: () => number } = {},
): DescribeConfigRule {
  const describe: DescribeConfigRule = async ({ account, region, ruleName }) => {
    try {
      const answer = await clientFor({ account, region }).send(
        new DescribeConfigRulesCommand({ ConfigRuleNames: [ruleName] }),
      );
      const rule = answer.ConfigRules?.find((each) => each.ConfigRuleName === ruleName);
      if (rule === undefined) return undefined;
      return {
        name: ruleName,
        owner: rule.Source?.Owner ?? 'unknown',
        ...(rule.Source?.SourceIdentifier === undefined
          ? {}
          : { sourceIdentifier: rule.Source.SourceIdentifier }),
        parameters: parseRuleParameters(rule.InputParameters),
      };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchConfigRuleException') return undefined;
      throw error;
    }
  };
  return cachedConfigRules(describe, options);
}

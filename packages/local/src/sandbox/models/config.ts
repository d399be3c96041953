import type {
  ConfigRule,
  DescribeConfigRulesCommandInput,
  DescribeConfigRulesCommandOutput,
} from '@aws-sdk/client-config-service';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import { replaceState } from './restore-state.ts';

/**
 * AWS Config's errors: DescribeConfigRules answers `NoSuchConfigRuleException`, `InvalidParameterValueException`
 * or `InvalidNextTokenException`, each a client error with HTTP status 400, and the SDK names each exception as
 * its code (https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigRules.html, "Errors"). The
 * messages are the model's own words: AWS does not document them.
 */
const configError = serviceErrors('ConfigService');

/** DescribeConfigRules takes at most 25 rule names, each 1–128 characters with a non-space (API reference). */
const MAX_NAMES = 25;
const RULE_NAME = /^(?=.*\S).{1,128}$/s;

/** A rule as the model keeps it. */
export interface ConfigRuleRecord {
  name: string;
  arn: string;
  id: string;
  /** `AWS` for a managed rule, `CUSTOM_LAMBDA` or `CUSTOM_POLICY` for a custom one. */
  owner: 'AWS' | 'CUSTOM_LAMBDA' | 'CUSTOM_POLICY';
  /** The managed rule's identifier (`INCOMING_SSH_DISABLED`), or a custom Lambda rule's function ARN. */
  sourceIdentifier?: string;
  /** `InputParameters`: a JSON object in a string, as Config keeps it. */
  inputParameters?: string;
  /** The service that made the rule (`securityhub.amazonaws.com` for Security Hub's), if any. */
  createdBy?: string;
}

export interface AddConfigRuleInput {
  readonly name: string;
  readonly owner?: ConfigRuleRecord['owner'];
  readonly sourceIdentifier?: string;
  /** Parameter name → value; stored as Config stores them, a JSON string. */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly createdBy?: string;
}

export interface ConfigState {
  rules: Record<string, ConfigRuleRecord>;
}

/**
 * The AWS Config model: the account's rules, and `DescribeConfigRules` — what triage reads to identify a
 * result's rule by its source identifier. Rules are seeded (`addRule`); the model answers for them by name as
 * Config does: unknown names are `NoSuchConfigRuleException`, more than 25 names or a blank one is refused.
 *
 * @example
 * sandbox.config.addRule({ name: 'restricted-ssh-conformance-pack-k3lqt8bvs', sourceIdentifier: 'INCOMING_SSH_DISABLED' });
 */
export class ConfigModel implements ServiceModel {
  public readonly service = 'ConfigService';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: ConfigState = { rules: {} };

  public constructor(private readonly context: SandboxContext) {
    this.commands = {
      DescribeConfigRules: typed((input: DescribeConfigRulesCommandInput) => this.describeConfigRules(input)),
    };
  }

  /** Adds a rule (a managed rule by default); its id and ARN are made as Config makes them. */
  public addRule(input: AddConfigRuleInput): ConfigRuleRecord {
    if (!RULE_NAME.test(input.name)) throw new Error(`Seed error: ${input.name} is not a Config rule name`);
    const id = `config-rule-${this.context.nextId('r', 6).slice(2)}`;
    const rule: ConfigRuleRecord = {
      name: input.name,
      id,
      arn: `arn:aws:config:${this.context.region}:${this.context.accountId}:config-rule/${id}`,
      owner: input.owner ?? 'AWS',
      ...(input.sourceIdentifier === undefined ? {} : { sourceIdentifier: input.sourceIdentifier }),
      ...(input.parameters === undefined ? {} : { inputParameters: JSON.stringify(input.parameters) }),
      ...(input.createdBy === undefined ? {} : { createdBy: input.createdBy }),
    };
    this.state.rules[input.name] = rule;
    return structuredClone(rule);
  }

  public snapshot(): ConfigState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: ConfigState): void {
    replaceState(this.state, state);
  }

  private describeConfigRules(input: DescribeConfigRulesCommandInput): Out<DescribeConfigRulesCommandOutput> {
    const names = input.ConfigRuleNames ?? [];
    if (names.length > MAX_NAMES) {
      throw configError(
        'InvalidParameterValueException',
        `1 validation error detected: Value at 'configRuleNames' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAMES}`,
      );
    }
    const invalid = names.find((name) => !RULE_NAME.test(name));
    if (invalid !== undefined) {
      throw configError(
        'InvalidParameterValueException',
        `1 validation error detected: Value '${invalid}' at 'configRuleNames' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\\S.*`,
      );
    }
    const rules =
      names.length === 0
        ? Object.values(this.state.rules)
        : names.map((name) => {
            const rule = Object.hasOwn(this.state.rules, name) ? this.state.rules[name] : undefined;
            if (rule === undefined) {
              throw configError(
                'NoSuchConfigRuleException',
                `The ConfigRule '${name}' provided in the request is invalid. Please check the configRule name`,
              );
            }
            return rule;
          });
    return { ConfigRules: rules.map((rule) => toConfigRule(rule)) };
  }
}

function toConfigRule(rule: ConfigRuleRecord): ConfigRule {
  return {
    ConfigRuleName: rule.name,
    ConfigRuleArn: rule.arn,
    ConfigRuleId: rule.id,
    ConfigRuleState: 'ACTIVE',
    Source: {
      Owner: rule.owner,
      ...(rule.sourceIdentifier === undefined ? {} : { SourceIdentifier: rule.sourceIdentifier }),
    },
    ...(rule.inputParameters === undefined ? {} : { InputParameters: rule.inputParameters }),
    ...(rule.createdBy === undefined ? {} : { CreatedBy: rule.createdBy }),
  };
}

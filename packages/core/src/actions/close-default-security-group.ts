import { ActionFailedError, classifyAwsError } from '../errors.ts';
import * as z from '../zod.ts';
import { assertNotExempt } from './guardrails.ts';
import { TargetRuleSchema } from './revoke-open-ingress.ts';
import {
  describeGroup,
  describeGroupRules,
  type RecordedRule,
  revokeRules,
  ruleChange,
  ruleText,
  SECURITY_GROUP_ID,
  type SecurityGroupRestore,
  securityGroupRulesRelease,
} from './security-group-rule-records.ts';
import { type ActionDefinition, type ActionPlan, StepEnvelopeSchema } from './types.ts';

export const CloseDefaultSecurityGroupInput = z.extend(StepEnvelopeSchema, {
  groupId: z.string().check(z.regex(SECURITY_GROUP_ID, 'must be a security group id (sg-…)')),
  rule: z.optional(TargetRuleSchema),
});
export type CloseDefaultSecurityGroupInput = z.output<typeof CloseDefaultSecurityGroupInput>;

export interface CloseDefaultSecurityGroupOutput {
  readonly groupId: string;
  readonly revoked: readonly string[];
}

/**
 * `close-default-security-group`: removes every inbound and outbound rule of a VPC's default security group,
 * which `vpc-default-security-group-closed` requires ("NON_COMPLIANT if the default security group has one or
 * more inbound or outbound traffic rules",
 * https://docs.aws.amazon.com/config/latest/developerguide/vpc-default-security-group-closed.html). Each rule
 * is recorded (id, description, tags) before it is removed, for `remediation-release`. A group that is not a
 * default group is refused, named, with nothing changed: removing every rule of any other group is not what the
 * rule asks. The live group is the judge, by its name ("A default security group is named default, and it has
 * an ID assigned by AWS": EC2 User Guide, default security groups,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/default-custom-security-groups.html).
 *
 * Idempotent: a group with no rule left is `already-done`.
 *
 * @example
 * await runAction(closeDefaultSecurityGroup, { ...envelope, groupId: 'sg-0123456789abcdef0' }, environment)
 * // changes: sg-… ingress:ingress all sg-… → null; sg-… egress:egress all 0.0.0.0/0 → null
 */
export const closeDefaultSecurityGroup: ActionDefinition<
  CloseDefaultSecurityGroupInput,
  CloseDefaultSecurityGroupOutput
> = {
  id: 'close-default-security-group',
  summary: "Removes every inbound and outbound rule of a VPC's default security group.",
  undo: 'Released from the ledger by `remediation-release`: each removed rule is authorized again with its protocol, ports, peer, description and tags.',
  dryRunBehaviour:
    'Reads the group and its rules and records what it would remove; no call changes anything.',
  mutating: true,
  input: CloseDefaultSecurityGroupInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
      resources: ['*'],
      why: 'Read the group (its name, which tells a default group, and its exemption tag) and its rules with their ids, descriptions and tags (Describe* has no resource-level permissions).',
    },
    {
      actions: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      resources: ['arn:aws:ec2:{region}:{account}:security-group/*'],
      why: "Remove the default group's rules, by rule id, in both directions.",
    },
  ],
  release: securityGroupRulesRelease,
  async plan(input, context): Promise<ActionPlan<CloseDefaultSecurityGroupOutput>> {
    const { groupId } = input;
    const group = await describeGroup(context, groupId);
    if (group.GroupName !== 'default') {
      throw new ActionFailedError(
        `${groupId} (${group.GroupName ?? 'unnamed'}) is not a VPC's default security group: Cordon removes every rule only of a default group; nothing was changed.`,
      );
    }
    assertNotExempt(group.Tags, context.settings, groupId);
    let rules: RecordedRule[];
    try {
      rules = await describeGroupRules(context.clients.ec2, groupId);
    } catch (error) {
      throw classifyAwsError(error, `DescribeSecurityGroupRules ${groupId}`);
    }
    const output: CloseDefaultSecurityGroupOutput = { groupId, revoked: rules.map(ruleText) };
    const restore: SecurityGroupRestore = { groupId, rules };
    return {
      changes: rules.map((rule) => ruleChange(groupId, rule, 'removed')),
      restore,
      notes:
        rules.length === 0
          ? []
          : [
              `Every instance and interface still in ${groupId} loses the traffic these rules allowed, outbound included.`,
            ],
      output,
      async apply() {
        await revokeRules(context.clients.ec2, groupId, rules);
        return output;
      },
    };
  },
};

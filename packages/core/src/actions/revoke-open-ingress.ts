import { classifyAwsError } from '../errors.ts';
import * as z from '../zod.ts';
import { assertNotExempt } from './guardrails.ts';
import { criteriaFor, judge } from './open-ingress-criteria.ts';
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

/** The rule that judged a posture target, as the execution input carries it (playbooks/target-kinds.ts). */
export const TargetRuleSchema = z.object({
  identifier: z.string().check(z.minLength(1), z.maxLength(256)),
  name: z.string().check(z.minLength(1), z.maxLength(256)),
  parameters: z.record(z.string(), z.string()),
  parametersKnown: z.boolean(),
});

export const RevokeOpenIngressInput = z.extend(StepEnvelopeSchema, {
  groupId: z.string().check(z.regex(SECURITY_GROUP_ID, 'must be a security group id (sg-…)')),
  rule: TargetRuleSchema,
  /**
   * Whether a person approved the run before it got here (the playbook passes `$.approval.required`): only
   * then are rules revoked that open more than the offending ports.
   */
  approvalRequired: z._default(z.boolean(), false),
});
export type RevokeOpenIngressInput = z.output<typeof RevokeOpenIngressInput>;

export interface RevokeOpenIngressOutput {
  readonly groupId: string;
  /** The rules revoked (or that a dry run would revoke), as text. */
  readonly revoked: readonly string[];
  /** Offending rules that also open allowed ports, kept because nobody approved revoking them. */
  readonly kept: readonly string[];
}

/**
 * `revoke-open-ingress`: revokes exactly the inbound rules of a security group that open to 0.0.0.0/0 or ::/0
 * the ports the AWS Config rule that judged it forbids (open-ingress-criteria.ts: SSH, the blocked ports, or
 * the ports not authorized), keeping every other rule — narrower peers, other ports, outbound. Each rule is
 * recorded with its id, description and tags before it is revoked, so that `remediation-release` authorizes
 * exactly it again. A rule that also opens allowed ports (a wide range, all traffic) is revoked only when the
 * run was approved by a person; otherwise it is kept and reported.
 *
 * Reads live state first (DescribeSecurityGroups for the exemption tag, DescribeSecurityGroupRules for the
 * rules with their ids); revokes by rule id (RevokeSecurityGroupIngress `SecurityGroupRuleIds`), so a rule
 * added since is never touched. Idempotent: a group with nothing left to revoke is `already-done`.
 *
 * @example
 * await runAction(revokeOpenIngress, { ...envelope, groupId: 'sg-0123456789abcdef0', rule: { identifier: 'INCOMING_SSH_DISABLED', name: 'restricted-ssh', parameters: {}, parametersKnown: true } }, environment)
 * // changes: sg-0123456789abcdef0 ingress:ingress tcp 22-22 0.0.0.0/0 "ssh from anywhere" → null
 */
export const revokeOpenIngress: ActionDefinition<RevokeOpenIngressInput, RevokeOpenIngressOutput> = {
  id: 'revoke-open-ingress',
  summary:
    'Revokes exactly the inbound rules of a security group that open the ports its AWS Config rule forbids to 0.0.0.0/0 or ::/0, keeping every other rule.',
  undo: 'Released from the ledger by `remediation-release`: each revoked rule is authorized again with its protocol, ports, peer, description and tags.',
  dryRunBehaviour:
    'Reads the group and its rules and records which rules it would revoke; no call changes anything.',
  mutating: true,
  input: RevokeOpenIngressInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules'],
      resources: ['*'],
      why: 'Read the group (its exemption tag) and its rules with their ids, descriptions and tags (Describe* has no resource-level permissions).',
    },
    {
      actions: ['ec2:RevokeSecurityGroupIngress'],
      resources: ['arn:aws:ec2:{region}:{account}:security-group/*'],
      why: 'Revoke the offending inbound rules, by rule id; any group, since any group may be found open to the world.',
    },
  ],
  release: securityGroupRulesRelease,
  async plan(input, context): Promise<ActionPlan<RevokeOpenIngressOutput>> {
    // Named refusals (an unknown rule, unreadable parameters) come before any read or change.
    const criteria = criteriaFor(input.rule);
    const { groupId } = input;
    const group = await describeGroup(context, groupId);
    assertNotExempt(group.Tags, context.settings, groupId);
    let rules: RecordedRule[];
    try {
      rules = await describeGroupRules(context.clients.ec2, groupId);
    } catch (error) {
      throw classifyAwsError(error, `DescribeSecurityGroupRules ${groupId}`);
    }
    const confined = rules.filter((rule) => judge(rule, criteria) === 'confined');
    const wider = rules.filter((rule) => judge(rule, criteria) === 'wider');
    const revoked = input.approvalRequired ? [...confined, ...wider] : confined;
    const kept = input.approvalRequired ? [] : wider;
    const notes = [
      `${input.rule.name} forbids ${criteria.description} from 0.0.0.0/0 and ::/0.`,
      ...kept.map(
        (rule) =>
          `${ruleText(rule)} also opens ports the rule allows: kept, because revoking it removes more than the offence and nobody approved this run (map ${input.rule.identifier} with approval required to revoke such rules after an approval).`,
      ),
    ];
    const output: RevokeOpenIngressOutput = {
      groupId,
      revoked: revoked.map(ruleText),
      kept: kept.map(ruleText),
    };
    const restore: SecurityGroupRestore = { groupId, rules: revoked };
    return {
      changes: revoked.map((rule) => ruleChange(groupId, rule, 'removed')),
      restore,
      notes,
      output,
      async apply() {
        await revokeRules(context.clients.ec2, groupId, revoked);
        return output;
      },
    };
  },
};

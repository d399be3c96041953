/**
 * Security-group rules as a posture remediation records and puts them back: each rule with its id, its
 * description and its tags, as `DescribeSecurityGroupRules` answers them
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroupRules.html: filter
 * `group-id`; without `MaxResults` every rule comes back), revoked by rule id
 * (`SecurityGroupRuleIds` of RevokeSecurityGroupIngress/Egress), and authorized again with the same protocol,
 * ports, peer, description and tags — AWS gives the rule a new id, everything else is what it was. The restore
 * record of a fix is {@link SecurityGroupRestoreSchema}, and {@link securityGroupRulesRelease} is the release
 * every security-group remediation declares.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule as SdkSecurityGroupRule,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, classifyAwsError, ResourceGoneError } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import { ruleKey } from './security-group-rules.ts';
import type { ActionContext, ActionPlan, ActionRelease, Permission } from './types.ts';

/** A security group id (`sg-` and 8 or 17 hex digits). */
export const SECURITY_GROUP_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** One rule as a fix records it: what a release authorizes again. */
export const RecordedRuleSchema = z.object({
  ruleId: z.string(),
  direction: z.enum(['ingress', 'egress']),
  protocol: z.string(),
  fromPort: z.optional(z.number()),
  toPort: z.optional(z.number()),
  peer: z.object({
    kind: z.enum(['ipv4', 'ipv6', 'prefixList', 'group']),
    value: z.string(),
    /** A referenced group's account (the group may be in a peered account). */
    account: z.optional(z.string()),
  }),
  description: z.optional(z.string()),
  tags: z.optional(z.record(z.string(), z.string())),
});
export type RecordedRule = z.output<typeof RecordedRuleSchema>;

/** The restore record of a security-group fix: the group, and each rule it removed. */
export const SecurityGroupRestoreSchema = z.object({
  groupId: z.string().check(z.regex(SECURITY_GROUP_ID, 'must be a security group id')),
  rules: z.array(RecordedRuleSchema),
});
export type SecurityGroupRestore = z.output<typeof SecurityGroupRestoreSchema>;

/** DescribeSecurityGroupRules answers `tcp`, `udp`, `icmp`, `-1` or a protocol number: numbers of names are names. */
function protocolName(protocol: string | undefined): string {
  const value = (protocol ?? '-1').toLowerCase();
  return ({ '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' } as Record<string, string>)[value] ?? value;
}

/**
 * A rule of DescribeSecurityGroupRules as Cordon records it; `undefined` for a rule without id or peer (AWS
 * always gives both).
 *
 * @example recordedRule({ SecurityGroupRuleId: 'sgr-1', IsEgress: false, IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '0.0.0.0/0' })?.peer // { kind: 'ipv4', value: '0.0.0.0/0' }
 */
export function recordedRule(rule: SdkSecurityGroupRule): RecordedRule | undefined {
  const peer: RecordedRule['peer'] | undefined =
    rule.CidrIpv4 !== undefined
      ? { kind: 'ipv4', value: rule.CidrIpv4 }
      : rule.CidrIpv6 !== undefined
        ? { kind: 'ipv6', value: rule.CidrIpv6 }
        : rule.PrefixListId !== undefined
          ? { kind: 'prefixList', value: rule.PrefixListId }
          : rule.ReferencedGroupInfo?.GroupId !== undefined
            ? {
                kind: 'group',
                value: rule.ReferencedGroupInfo.GroupId,
                ...(rule.ReferencedGroupInfo.UserId === undefined
                  ? {}
                  : { account: rule.ReferencedGroupInfo.UserId }),
              }
            : undefined;
  if (rule.SecurityGroupRuleId === undefined || peer === undefined) return undefined;
  const protocol = protocolName(rule.IpProtocol);
  const tags = Object.fromEntries(
    (rule.Tags ?? []).flatMap((tag) => (tag.Key === undefined ? [] : [[tag.Key, tag.Value ?? '']])),
  );
  return {
    ruleId: rule.SecurityGroupRuleId,
    direction: rule.IsEgress === true ? 'egress' : 'ingress',
    protocol,
    ...(protocol === '-1' ? {} : { fromPort: rule.FromPort, toPort: rule.ToPort }),
    peer,
    ...(rule.Description === undefined || rule.Description === '' ? {} : { description: rule.Description }),
    ...(Object.keys(tags).length === 0 ? {} : { tags }),
  };
}

/**
 * A rule as a person reads it, and as the ledger names what changed: `ingress tcp 22-22 0.0.0.0/0 "ssh"`.
 *
 * @example ruleText({ ruleId: 'sgr-1', direction: 'ingress', protocol: 'tcp', fromPort: 22, toPort: 22, peer: { kind: 'ipv4', value: '0.0.0.0/0' }, description: 'ssh' }) // 'ingress tcp 22-22 0.0.0.0/0 "ssh"'
 */
export function ruleText(rule: RecordedRule): string {
  return `${ruleKey(rule)}${rule.description === undefined ? '' : ` ${JSON.stringify(rule.description)}`}`;
}

/** The Change a fix or a release records for one rule (`before`/`after` are the rule, or null). */
export function ruleChange(groupId: string, rule: RecordedRule, present: 'removed' | 'added'): Change {
  const text = ruleText(rule);
  return {
    resource: groupId,
    attribute: `${rule.direction}:${ruleKey(rule)}`,
    before: present === 'removed' ? text : null,
    after: present === 'added' ? text : null,
  };
}

/**
 * The group (for its name, VPC and tags), or `ResourceGoneError` when it no longer exists.
 *
 * IAM: ec2:DescribeSecurityGroups (no resource-level permissions).
 */
export async function describeGroup(context: ActionContext, groupId: string): Promise<SecurityGroup> {
  try {
    const answer = await context.clients.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const group = answer.SecurityGroups?.[0];
    if (group === undefined) throw new ResourceGoneError(`Security group ${groupId} does not exist.`);
    return group;
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidGroup.NotFound') {
      throw new ResourceGoneError(`Security group ${groupId} does not exist.`, {
        cause: error,
        awsError: 'InvalidGroup.NotFound',
      });
    }
    throw classifyAwsError(error, `DescribeSecurityGroups ${groupId}`);
  }
}

/**
 * Every rule of a group, with ids, descriptions and tags, following `NextToken` if AWS pages anyway.
 *
 * IAM: ec2:DescribeSecurityGroupRules (no resource-level permissions).
 */
export async function describeGroupRules(
  ec2: Pick<EC2Client, 'send'>,
  groupId: string,
): Promise<RecordedRule[]> {
  const rules: RecordedRule[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [groupId] }],
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    for (const rule of page.SecurityGroupRules ?? []) {
      const recorded = recordedRule(rule);
      if (recorded !== undefined) rules.push(recorded);
    }
    token = page.NextToken;
  } while (token !== undefined && token !== '');
  return rules;
}

/**
 * Revokes rules by id, ingress and egress apart (two calls at most, in parallel). A rule that disappeared
 * since it was read (`InvalidSecurityGroupRuleId.NotFound`: someone removed it meanwhile) is already gone: the
 * rules still there are revoked again, so a retry finishes the job and nothing else is touched.
 *
 * IAM: ec2:RevokeSecurityGroupIngress / ec2:RevokeSecurityGroupEgress on the group.
 */
export async function revokeRules(
  ec2: Pick<EC2Client, 'send'>,
  groupId: string,
  rules: readonly RecordedRule[],
): Promise<void> {
  const revoke = async (direction: RecordedRule['direction'], ids: string[]) => {
    if (ids.length === 0) return;
    const send = async (ruleIds: string[]) => {
      const input = { GroupId: groupId, SecurityGroupRuleIds: ruleIds };
      if (direction === 'ingress') await ec2.send(new RevokeSecurityGroupIngressCommand(input));
      else await ec2.send(new RevokeSecurityGroupEgressCommand(input));
    };
    try {
      await send(ids);
    } catch (error) {
      if (awsErrorCode(error) !== 'InvalidSecurityGroupRuleId.NotFound') throw error;
      const present = new Set((await describeGroupRules(ec2, groupId)).map((rule) => rule.ruleId));
      const left = ids.filter((id) => present.has(id));
      if (left.length > 0) await send(left);
    }
  };
  const ids = (direction: RecordedRule['direction']) =>
    rules.filter((rule) => rule.direction === direction).map((rule) => rule.ruleId);
  await Promise.all([revoke('ingress', ids('ingress')), revoke('egress', ids('egress'))]);
}

/** The IpPermission that authorizes exactly one recorded rule, with its description. */
function permissionOf(rule: RecordedRule): IpPermission {
  const description = rule.description === undefined ? {} : { Description: rule.description };
  const { kind, value, account } = rule.peer;
  return {
    IpProtocol: rule.protocol,
    ...(rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
    ...(kind === 'ipv4' ? { IpRanges: [{ CidrIp: value, ...description }] } : {}),
    ...(kind === 'ipv6' ? { Ipv6Ranges: [{ CidrIpv6: value, ...description }] } : {}),
    ...(kind === 'prefixList' ? { PrefixListIds: [{ PrefixListId: value, ...description }] } : {}),
    ...(kind === 'group'
      ? {
          UserIdGroupPairs: [
            { GroupId: value, ...(account === undefined ? {} : { UserId: account }), ...description },
          ],
        }
      : {}),
  };
}

/**
 * Authorizes recorded rules again, each exactly as it was (protocol, ports, peer, description); a rule that
 * had tags is authorized with them (`TagSpecifications` of type `security-group-rule`), on its own, since the
 * tags of one call go to every rule it creates. Rules without tags go in one call per direction. A rule that
 * is back already (`InvalidPermission.Duplicate`, someone put it back meanwhile) is not an error.
 *
 * IAM: ec2:AuthorizeSecurityGroupIngress / ec2:AuthorizeSecurityGroupEgress on the group (and, with tags, the
 * new rule and ec2:CreateTags with `ec2:CreateAction` the authorizing call).
 */
export async function authorizeRules(
  ec2: Pick<EC2Client, 'send'>,
  groupId: string,
  rules: readonly RecordedRule[],
): Promise<void> {
  const send = async (direction: RecordedRule['direction'], batch: readonly RecordedRule[]) => {
    if (batch.length === 0) return;
    const tags = batch[0]?.tags;
    const input = {
      GroupId: groupId,
      IpPermissions: batch.map(permissionOf),
      ...(tags === undefined
        ? {}
        : {
            TagSpecifications: [
              {
                ResourceType: 'security-group-rule' as const,
                Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
              },
            ],
          }),
    };
    try {
      if (direction === 'ingress') await ec2.send(new AuthorizeSecurityGroupIngressCommand(input));
      else await ec2.send(new AuthorizeSecurityGroupEgressCommand(input));
    } catch (error) {
      if (awsErrorCode(error) !== 'InvalidPermission.Duplicate') throw error;
      // One of the batch is back already: the call was all-or-nothing, so the others go one by one.
      if (batch.length > 1) for (const rule of batch) await send(direction, [rule]);
    }
  };
  const calls: Promise<void>[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const mine = rules.filter((rule) => rule.direction === direction);
    calls.push(
      send(
        direction,
        mine.filter((rule) => rule.tags === undefined),
      ),
    );
    for (const tagged of mine.filter((rule) => rule.tags !== undefined))
      calls.push(send(direction, [tagged]));
  }
  await Promise.all(calls);
}

/** What every security-group release may call (the release function holds the union of every release's). */
const RELEASE_PERMISSIONS: readonly Permission[] = [
  {
    actions: ['ec2:DescribeSecurityGroupRules'],
    resources: ['*'],
    why: 'See which recorded rules are missing from the group (Describe* has no resource-level permissions).',
  },
  {
    actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'],
    resources: [
      'arn:aws:ec2:{region}:{account}:security-group/*',
      'arn:aws:ec2:{region}:{account}:security-group-rule/*',
    ],
    why: 'Authorize again exactly the rules a remediation recorded and removed. EC2 authorizes the call on the group, and on the new rule when the call tags it (a recorded rule that had tags).',
  },
  {
    actions: ['ec2:CreateTags'],
    resources: ['arn:aws:ec2:{region}:{account}:security-group-rule/*'],
    condition: {
      StringEquals: {
        'ec2:CreateAction': ['AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress'],
      },
    },
    why: 'Give a rule put back the tags it had: only while authorizing it (tagging on create), never any other resource.',
  },
];

/**
 * The release of every security-group remediation: authorizes again each recorded rule the group lacks
 * (compared by direction, protocol, ports and peer), and nothing else. Idempotent: a rule already back is
 * left alone (a description that differs is reported, not changed).
 *
 * @example ACTIONS['revoke-open-ingress'].release === securityGroupRulesRelease // true
 */
export const securityGroupRulesRelease: ActionRelease<SecurityGroupRestore> = {
  summary:
    'Authorizes again exactly the security-group rules the remediation recorded and removed (protocol, ports, peer, description, tags).',
  restore: SecurityGroupRestoreSchema,
  permissions: RELEASE_PERMISSIONS,
  async plan(restore, context): Promise<ActionPlan<unknown>> {
    const { groupId } = restore;
    let current: RecordedRule[];
    try {
      current = await describeGroupRules(context.clients.ec2, groupId);
    } catch (error) {
      throw classifyAwsError(error, `DescribeSecurityGroupRules ${groupId}`);
    }
    const present = new Map(current.map((rule) => [ruleKey(rule), rule]));
    const missing = restore.rules.filter((rule) => !present.has(ruleKey(rule)));
    const notes = restore.rules.flatMap((rule) => {
      const now = present.get(ruleKey(rule));
      return now !== undefined && now.description !== rule.description
        ? [
            `${ruleKey(rule)} is back on ${groupId}, with another description than the recorded one: left as it is.`,
          ]
        : [];
    });
    const output = { groupId, restored: missing.map(ruleText) };
    return {
      changes: missing.map((rule) => ruleChange(groupId, rule, 'added')),
      notes,
      output,
      async apply() {
        await authorizeRules(context.clients.ec2, groupId, missing);
        return output;
      },
    };
  },
};

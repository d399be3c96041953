/**
 * Security-group rules as Cordon compares them: each rule flattened to one peer (as AWS stores and
 * identifies it), a key per rule, the difference between the rules a group has and the rules it should
 * have, and the Authorize/Revoke calls that put the difference right. `isolate-instance` keeps its isolation
 * groups' rules exact with it; a remediation that revokes exactly the offending rules of a group and keeps
 * every other one diffs the same way.
 *
 * A rule is a direction, a protocol with its port range, and exactly one peer — an IPv4 CIDR, an IPv6 CIDR,
 * a prefix list or a referenced group (EC2 API Reference, SecurityGroupRuleRequest: "You must specify
 * exactly one of … CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupId",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupRuleRequest.html). An
 * `IpPermission` of DescribeSecurityGroups that names several peers is therefore several rules.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  type EC2Client,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';

/** One security-group rule, flattened to a single peer, as AWS stores it. */
export interface SecurityGroupRule {
  readonly direction: 'ingress' | 'egress';
  /** `-1` for all protocols (then there are no ports), else `tcp`, `udp`, `icmp` or a protocol number. */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly peer: { readonly kind: 'ipv4' | 'ipv6' | 'prefixList' | 'group'; readonly value: string };
}

/** The rules a group lacks and the rules it has but should not. */
export interface RuleDiff {
  readonly missing: readonly SecurityGroupRule[];
  readonly extra: readonly SecurityGroupRule[];
}

/**
 * A rule allowing all traffic in one direction from or to every IPv4 or IPv6 address.
 *
 * @example ruleKey(allTraffic('egress', 'ipv4')) // 'egress all 0.0.0.0/0'
 */
export function allTraffic(
  direction: SecurityGroupRule['direction'],
  kind: 'ipv4' | 'ipv6',
): SecurityGroupRule {
  return { direction, protocol: '-1', peer: { kind, value: kind === 'ipv4' ? '0.0.0.0/0' : '::/0' } };
}

/**
 * What identifies a rule: direction, protocol and ports, peer. Two rules with one key are the same rule.
 *
 * @example ruleKey({ direction: 'ingress', protocol: 'tcp', fromPort: 22, toPort: 22, peer: { kind: 'ipv4', value: '0.0.0.0/0' } }) // 'ingress tcp 22-22 0.0.0.0/0'
 */
export function ruleKey(rule: SecurityGroupRule): string {
  const ports = rule.protocol === '-1' ? 'all' : `${rule.protocol} ${rule.fromPort}-${rule.toPort}`;
  return `${rule.direction} ${ports} ${rule.peer.value}`;
}

/**
 * The rules of a group as `DescribeSecurityGroups` returns it, one per peer.
 *
 * @example rulesOf({ IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }] }] }).length // 2
 */
export function rulesOf(group: SecurityGroup): SecurityGroupRule[] {
  const rules: SecurityGroupRule[] = [];
  const flatten = (
    direction: SecurityGroupRule['direction'],
    permissions: readonly IpPermission[] | undefined,
  ) => {
    for (const permission of permissions ?? []) {
      const protocol = permission.IpProtocol ?? '-1';
      const ports = protocol === '-1' ? {} : { fromPort: permission.FromPort, toPort: permission.ToPort };
      const add = (kind: SecurityGroupRule['peer']['kind'], value: string | undefined) => {
        if (value !== undefined) rules.push({ direction, protocol, ...ports, peer: { kind, value } });
      };
      for (const range of permission.IpRanges ?? []) add('ipv4', range.CidrIp);
      for (const range of permission.Ipv6Ranges ?? []) add('ipv6', range.CidrIpv6);
      for (const prefix of permission.PrefixListIds ?? []) add('prefixList', prefix.PrefixListId);
      for (const pair of permission.UserIdGroupPairs ?? []) add('group', pair.GroupId);
    }
  };
  flatten('ingress', group.IpPermissions);
  flatten('egress', group.IpPermissionsEgress);
  return rules;
}

/**
 * Regroups rules by protocol and ports into the `IpPermission` shape Authorize/Revoke take.
 *
 * @example toIpPermissions([allTraffic('egress', 'ipv4'), allTraffic('egress', 'ipv6')]) // [{ IpProtocol: '-1', IpRanges: [...], Ipv6Ranges: [...] }]
 */
export function toIpPermissions(rules: readonly SecurityGroupRule[]): IpPermission[] {
  const byPorts = new Map<string, IpPermission>();
  for (const rule of rules) {
    const key = `${rule.protocol}|${rule.fromPort}|${rule.toPort}`;
    let permission = byPorts.get(key);
    if (permission === undefined) {
      permission = {
        IpProtocol: rule.protocol,
        ...(rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
      };
      byPorts.set(key, permission);
    }
    const { kind, value } = rule.peer;
    if (kind === 'ipv4') permission.IpRanges = [...(permission.IpRanges ?? []), { CidrIp: value }];
    if (kind === 'ipv6') permission.Ipv6Ranges = [...(permission.Ipv6Ranges ?? []), { CidrIpv6: value }];
    if (kind === 'prefixList') {
      permission.PrefixListIds = [...(permission.PrefixListIds ?? []), { PrefixListId: value }];
    }
    if (kind === 'group') {
      permission.UserIdGroupPairs = [...(permission.UserIdGroupPairs ?? []), { GroupId: value }];
    }
  }
  return [...byPorts.values()];
}

/**
 * What it takes to go from the `current` rules to exactly the `wanted` ones.
 *
 * @example diffRules([allTraffic('egress', 'ipv4')], []) // { missing: [], extra: [egress all 0.0.0.0/0] }
 */
export function diffRules(
  current: readonly SecurityGroupRule[],
  wanted: readonly SecurityGroupRule[],
): RuleDiff {
  const currentKeys = new Set(current.map(ruleKey));
  const wantedKeys = new Set(wanted.map(ruleKey));
  return {
    missing: wanted.filter((rule) => !currentKeys.has(ruleKey(rule))),
    extra: current.filter((rule) => !wantedKeys.has(ruleKey(rule))),
  };
}

/**
 * Puts a group's rules right: missing ones authorized, extra ones revoked, the (at most) four calls in
 * parallel. Rule calls are all-or-nothing per call (`InvalidPermission.Duplicate` / `.NotFound` when a rule
 * changed since it was read): the caller decides what such a race means.
 *
 * IAM: ec2:AuthorizeSecurityGroupIngress/Egress and ec2:RevokeSecurityGroupIngress/Egress on the group.
 *
 * @example await applyRuleDiff(ec2, 'sg-0123456789abcdef0', diffRules(rulesOf(group), wanted))
 */
export async function applyRuleDiff(
  ec2: Pick<EC2Client, 'send'>,
  groupId: string,
  diff: RuleDiff,
): Promise<void> {
  const missing = (direction: SecurityGroupRule['direction']) =>
    toIpPermissions(diff.missing.filter((rule) => rule.direction === direction));
  const extra = (direction: SecurityGroupRule['direction']) =>
    toIpPermissions(diff.extra.filter((rule) => rule.direction === direction));
  const [authorizeIn, authorizeOut, revokeIn, revokeOut] = [
    missing('ingress'),
    missing('egress'),
    extra('ingress'),
    extra('egress'),
  ];
  await Promise.all([
    authorizeIn.length === 0
      ? undefined
      : ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: authorizeIn })),
    authorizeOut.length === 0
      ? undefined
      : ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: authorizeOut })),
    revokeIn.length === 0
      ? undefined
      : ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: revokeIn })),
    revokeOut.length === 0
      ? undefined
      : ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: revokeOut })),
  ]);
}

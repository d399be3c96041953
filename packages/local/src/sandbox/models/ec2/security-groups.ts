import type {
  AuthorizeSecurityGroupEgressCommandInput,
  AuthorizeSecurityGroupIngressCommandInput,
  CreateSecurityGroupCommandInput,
  CreateSecurityGroupCommandOutput,
  DescribeSecurityGroupRulesCommandInput,
  DescribeSecurityGroupRulesCommandOutput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  IpPermission,
  RevokedSecurityGroupRule,
  RevokeSecurityGroupEgressCommandInput,
  RevokeSecurityGroupIngressCommandInput,
  SecurityGroup,
  SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import type { CommandHandler, SandboxContext } from '../../types.ts';
import type { Out } from '../command.ts';
import type { SecurityGroupRecord, SecurityGroupRuleRecord } from './records.ts';
import {
  type Ec2Store,
  type FilterTable,
  fail,
  GROUPS,
  matchesFilters,
  tagsFor,
  toTags,
  VPCS,
} from './store.ts';

/**
 * Security groups and their rules: DescribeSecurityGroups, DescribeSecurityGroupRules, CreateSecurityGroup, and
 * Authorize/Revoke for ingress and egress (Revoke by rule id or by permission). Rules are stored as AWS stores
 * them, one peer each, with `sgr-` ids, their descriptions and their own tags.
 */
export function securityGroupCommands(store: Ec2Store): Record<string, CommandHandler> {
  type Authorize = AuthorizeSecurityGroupIngressCommandInput | AuthorizeSecurityGroupEgressCommandInput;
  type Revoke = RevokeSecurityGroupIngressCommandInput | RevokeSecurityGroupEgressCommandInput;
  return {
    DescribeSecurityGroups: store.reading((input: DescribeSecurityGroupsCommandInput) =>
      describeSecurityGroups(store, input),
    ),
    DescribeSecurityGroupRules: store.reading((input: DescribeSecurityGroupRulesCommandInput) =>
      describeSecurityGroupRules(store, input),
    ),
    CreateSecurityGroup: store.mutating((input: CreateSecurityGroupCommandInput, context) =>
      createSecurityGroup(store, input, context),
    ),
    AuthorizeSecurityGroupIngress: store.mutating((input: Authorize, context) =>
      authorize(store, input, false, context),
    ),
    AuthorizeSecurityGroupEgress: store.mutating((input: Authorize, context) =>
      authorize(store, input, true, context),
    ),
    RevokeSecurityGroupIngress: store.mutating((input: Revoke) => revoke(store, input, false)),
    RevokeSecurityGroupEgress: store.mutating((input: Revoke) => revoke(store, input, true)),
  };
}

/** The rule every new group gets, and the default group's rules: all protocols to or from one peer. */
export function allowAll(peer: SecurityGroupRuleRecord['peer'], ruleId: string): SecurityGroupRuleRecord {
  return { ruleId, protocol: '-1', peer };
}

/** AWS accepts protocol names or numbers; `-1`/`all` mean every protocol, and then ports are dropped. */
function normalizeProtocol(protocol: string | undefined): string {
  const value = (protocol ?? '').toLowerCase();
  const byNumber: Record<string, string> = {
    '6': 'tcp',
    '17': 'udp',
    '1': 'icmp',
    '58': 'icmpv6',
    all: '-1',
  };
  return byNumber[value] ?? value;
}

/** Splits `IpPermission`s into AWS's one-peer rules, checking protocol, ports and referenced groups. */
export function toRules(
  store: Ec2Store,
  permissions: readonly IpPermission[],
  context: SandboxContext,
): SecurityGroupRuleRecord[] {
  const rules: SecurityGroupRuleRecord[] = [];
  for (const permission of permissions) {
    const protocol = normalizeProtocol(permission.IpProtocol);
    if (protocol === '') throw fail('MissingParameter', 'The request must contain the parameter ipProtocol');
    const ports: Pick<SecurityGroupRuleRecord, 'fromPort' | 'toPort'> = {};
    if (protocol !== '-1') {
      if (
        (protocol === 'tcp' || protocol === 'udp') &&
        (permission.FromPort === undefined || permission.ToPort === undefined)
      ) {
        throw fail(
          'InvalidParameterValue',
          "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange",
        );
      }
      if (permission.FromPort !== undefined) ports.fromPort = permission.FromPort;
      if (permission.ToPort !== undefined) ports.toPort = permission.ToPort;
    }
    const add = (peer: SecurityGroupRuleRecord['peer'], description: string | undefined) =>
      rules.push({
        ruleId: context.nextId('sgr'),
        protocol,
        ...ports,
        peer,
        ...(description === undefined ? {} : { description }),
      });
    for (const range of permission.IpRanges ?? [])
      add({ kind: 'ipv4', value: range.CidrIp ?? '' }, range.Description);
    for (const range of permission.Ipv6Ranges ?? []) {
      add({ kind: 'ipv6', value: range.CidrIpv6 ?? '' }, range.Description);
    }
    for (const prefix of permission.PrefixListIds ?? []) {
      add({ kind: 'prefixList', value: prefix.PrefixListId ?? '' }, prefix.Description);
    }
    for (const pair of permission.UserIdGroupPairs ?? []) {
      add({ kind: 'group', value: store.one(GROUPS, pair.GroupId).groupId }, pair.Description);
    }
  }
  return rules;
}

function describeRule(rule: SecurityGroupRuleRecord): string {
  const ports =
    rule.protocol === '-1'
      ? 'ALL'
      : `${rule.protocol.toUpperCase()}, from port: ${rule.fromPort}, to port: ${rule.toPort}`;
  return `peer: ${rule.peer.value}, ${ports}, ALLOW`;
}

function sameRule(a: SecurityGroupRuleRecord, b: SecurityGroupRuleRecord): boolean {
  return (
    a.protocol === b.protocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.peer.kind === b.peer.kind &&
    a.peer.value === b.peer.value
  );
}

/** Regroups stored rules into the `IpPermission` shape DescribeSecurityGroups answers with. */
function toIpPermissions(rules: readonly SecurityGroupRuleRecord[], accountId: string): IpPermission[] {
  const byKey = new Map<string, IpPermission>();
  for (const rule of rules) {
    const key = `${rule.protocol}|${rule.fromPort}|${rule.toPort}`;
    let permission = byKey.get(key);
    if (permission === undefined) {
      permission = {
        IpProtocol: rule.protocol,
        ...(rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      };
      byKey.set(key, permission);
    }
    const description = rule.description === undefined ? {} : { Description: rule.description };
    const { kind, value } = rule.peer;
    if (kind === 'ipv4') permission.IpRanges?.push({ CidrIp: value, ...description });
    if (kind === 'ipv6') permission.Ipv6Ranges?.push({ CidrIpv6: value, ...description });
    if (kind === 'prefixList') permission.PrefixListIds?.push({ PrefixListId: value, ...description });
    if (kind === 'group')
      permission.UserIdGroupPairs?.push({ GroupId: value, UserId: accountId, ...description });
  }
  return [...byKey.values()];
}

function groupArn(store: Ec2Store, groupId: string): string {
  return `arn:aws:ec2:${store.context.region}:${store.context.accountId}:security-group/${groupId}`;
}

function describeSecurityGroups(
  store: Ec2Store,
  input: DescribeSecurityGroupsCommandInput,
): Out<DescribeSecurityGroupsCommandOutput> {
  const filters: FilterTable<SecurityGroupRecord> = {
    'group-id': (group) => [group.groupId],
    'group-name': (group) => [group.groupName],
    'vpc-id': (group) => [group.vpcId],
    description: (group) => [group.description],
    'owner-id': () => [store.context.accountId],
  };
  // Ids, then names, then filters: a name AWS cannot find is an error even if a filter would drop it.
  let groups = store.select(GROUPS, input.GroupIds, undefined, filters);
  if (input.GroupNames !== undefined && input.GroupNames.length > 0) {
    // Names alone address groups of the default VPC only.
    const defaultVpc = Object.values(store.state.vpcs).find((vpc) => vpc.isDefault);
    groups = input.GroupNames.map((name) => {
      const found = groups.find((group) => group.groupName === name && group.vpcId === defaultVpc?.vpcId);
      if (found === undefined) {
        throw fail(
          'InvalidGroup.NotFound',
          `The security group '${name}' does not exist in default VPC '${defaultVpc?.vpcId ?? 'none'}'`,
        );
      }
      return found;
    });
  }
  const { accountId } = store.context;
  return {
    SecurityGroups: groups
      .filter((group) => matchesFilters(input.Filters, group, filters, group.tags))
      .map(
        (group): SecurityGroup => ({
          GroupId: group.groupId,
          GroupName: group.groupName,
          Description: group.description,
          VpcId: group.vpcId,
          OwnerId: accountId,
          SecurityGroupArn: groupArn(store, group.groupId),
          IpPermissions: toIpPermissions(group.ingress, accountId),
          IpPermissionsEgress: toIpPermissions(group.egress, accountId),
          Tags: toTags(group.tags),
        }),
      ),
  };
}

function createSecurityGroup(
  store: Ec2Store,
  input: CreateSecurityGroupCommandInput,
  context: SandboxContext,
): Out<CreateSecurityGroupCommandOutput> {
  const name = input.GroupName ?? '';
  if (name === '' || (input.Description ?? '') === '') {
    throw fail(
      'MissingParameter',
      `The request must contain the parameter ${name === '' ? 'groupName' : 'groupDescription'}`,
    );
  }
  if (name.toLowerCase() === 'default' || name.startsWith('sg-')) {
    throw fail(
      'InvalidParameterValue',
      `Value (${name}) for parameter GroupName is invalid. Group names may not be in the format sg-* or default.`,
    );
  }
  let vpcId = input.VpcId;
  if (vpcId === undefined) {
    vpcId = Object.values(store.state.vpcs).find((vpc) => vpc.isDefault)?.vpcId;
    if (vpcId === undefined) throw fail('VPCIdNotSpecified', 'No default VPC for this user');
  }
  const vpc = store.one(VPCS, vpcId);
  if (Object.values(store.state.securityGroups).some((g) => g.vpcId === vpc.vpcId && g.groupName === name)) {
    throw fail(
      'InvalidGroup.Duplicate',
      `The security group '${name}' already exists for VPC '${vpc.vpcId}'`,
    );
  }
  const tags = tagsFor(input.TagSpecifications, 'security-group');
  const groupId = context.nextId('sg');
  // A new group allows no inbound traffic and all outbound IPv4 traffic; AWS adds no IPv6 egress rule here
  // (only a VPC's own default group gets one).
  store.state.securityGroups[groupId] = {
    groupId,
    groupName: name,
    description: input.Description ?? '',
    vpcId: vpc.vpcId,
    ingress: [],
    egress: [allowAll({ kind: 'ipv4', value: '0.0.0.0/0' }, context.nextId('sgr'))],
    tags,
  };
  return { GroupId: groupId, SecurityGroupArn: groupArn(store, groupId), Tags: toTags(tags) };
}

/** The fields AuthorizeSecurityGroup* and RevokeSecurityGroup* answer for each rule. */
function ruleFields(group: SecurityGroupRecord, rule: SecurityGroupRuleRecord, egress: boolean) {
  return {
    SecurityGroupRuleId: rule.ruleId,
    GroupId: group.groupId,
    IsEgress: egress,
    IpProtocol: rule.protocol,
    FromPort: rule.fromPort ?? -1,
    ToPort: rule.toPort ?? -1,
  };
}

function authorize(
  store: Ec2Store,
  input: AuthorizeSecurityGroupIngressCommandInput | AuthorizeSecurityGroupEgressCommandInput,
  egress: boolean,
  context: SandboxContext,
): { Return: boolean; SecurityGroupRules: SecurityGroupRule[] } {
  const group = store.one(GROUPS, input.GroupId);
  // Tags of the call go to every rule it creates (TagSpecifications of type security-group-rule).
  const tags = tagsFor(input.TagSpecifications, 'security-group-rule');
  const rules = toRules(store, input.IpPermissions ?? [], context).map((rule) =>
    Object.keys(tags).length === 0 ? rule : { ...rule, tags: { ...tags } },
  );
  if (rules.length === 0)
    throw fail('MissingParameter', 'The request must contain the parameter ipPermissions');
  const existing = egress ? group.egress : group.ingress;
  for (const [index, rule] of rules.entries()) {
    if (
      existing.some((current) => sameRule(current, rule)) ||
      rules.slice(0, index).some((r) => sameRule(r, rule))
    ) {
      throw fail('InvalidPermission.Duplicate', `the specified rule "${describeRule(rule)}" already exists`);
    }
  }
  existing.push(...rules);
  const { accountId } = store.context;
  const peerOf = (rule: SecurityGroupRuleRecord): Partial<SecurityGroupRule> => {
    const { kind, value } = rule.peer;
    if (kind === 'ipv4') return { CidrIpv4: value };
    if (kind === 'ipv6') return { CidrIpv6: value };
    if (kind === 'prefixList') return { PrefixListId: value };
    return { ReferencedGroupInfo: { GroupId: value, UserId: accountId } };
  };
  return {
    Return: true,
    SecurityGroupRules: rules.map((rule) => ({
      ...ruleFields(group, rule, egress),
      GroupOwnerId: accountId,
      ...peerOf(rule),
      ...(rule.description === undefined ? {} : { Description: rule.description }),
      ...(rule.tags === undefined ? {} : { Tags: toTags(rule.tags) }),
    })),
  };
}

/** DescribeSecurityGroupRules takes MaxResults from 5 to 1000; without it, every rule comes back (API reference). */
const RULE_PAGE = { min: 5, max: 1000 } as const;

/**
 * Every rule of the account's groups, one per peer, as AWS answers it: filters `group-id`,
 * `security-group-rule-id` and `tag:<key>` (of the rule), `SecurityGroupRuleIds` (an unknown one is
 * `InvalidSecurityGroupRuleId.NotFound`), and pages of `MaxResults` with a `NextToken`
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroupRules.html).
 */
function describeSecurityGroupRules(
  store: Ec2Store,
  input: DescribeSecurityGroupRulesCommandInput,
): Out<DescribeSecurityGroupRulesCommandOutput> {
  if (
    input.MaxResults !== undefined &&
    (input.MaxResults < RULE_PAGE.min || input.MaxResults > RULE_PAGE.max)
  ) {
    throw fail(
      'InvalidParameterValue',
      `Value ( ${input.MaxResults} ) for parameter maxResults is invalid. Parameter must be between ${RULE_PAGE.min} and ${RULE_PAGE.max}.`,
    );
  }
  type Row = { group: SecurityGroupRecord; rule: SecurityGroupRuleRecord; egress: boolean };
  const rows: Row[] = Object.values(store.state.securityGroups).flatMap((group) => [
    ...group.ingress.map((rule) => ({ group, rule, egress: false })),
    ...group.egress.map((rule) => ({ group, rule, egress: true })),
  ]);
  const ids = input.SecurityGroupRuleIds ?? [];
  const missing = ids.filter((id) => !rows.some((row) => row.rule.ruleId === id));
  if (missing.length > 0) {
    throw fail(
      'InvalidSecurityGroupRuleId.NotFound',
      `The security group rule ID '${missing.join(', ')}' does not exist`,
    );
  }
  const filters: FilterTable<Row> = {
    'group-id': (row) => [row.group.groupId],
    'security-group-rule-id': (row) => [row.rule.ruleId],
  };
  const selected = rows.filter(
    (row) =>
      (ids.length === 0 || ids.includes(row.rule.ruleId)) &&
      matchesFilters(input.Filters, row, filters, row.rule.tags ?? {}),
  );
  const start = input.NextToken === undefined ? 0 : Number.parseInt(input.NextToken, 10);
  if (!Number.isInteger(start) || start < 0 || start > selected.length) {
    throw fail('InvalidParameterValue', 'The token provided is invalid.');
  }
  const end = input.MaxResults === undefined ? selected.length : start + input.MaxResults;
  const { accountId } = store.context;
  return {
    SecurityGroupRules: selected.slice(start, end).map(({ group, rule, egress }): SecurityGroupRule => {
      const { kind, value } = rule.peer;
      return {
        ...ruleFields(group, rule, egress),
        GroupOwnerId: accountId,
        SecurityGroupRuleArn: `arn:aws:ec2:${store.context.region}:${accountId}:security-group-rule/${rule.ruleId}`,
        ...(kind === 'ipv4' ? { CidrIpv4: value } : {}),
        ...(kind === 'ipv6' ? { CidrIpv6: value } : {}),
        ...(kind === 'prefixList' ? { PrefixListId: value } : {}),
        ...(kind === 'group' ? { ReferencedGroupInfo: { GroupId: value, UserId: accountId } } : {}),
        ...(rule.description === undefined ? {} : { Description: rule.description }),
        Tags: toTags(rule.tags ?? {}) ?? [],
      };
    }),
    ...(end < selected.length ? { NextToken: String(end) } : {}),
  };
}

/**
 * In a non-default VPC an unmatched rule fails the whole call with `InvalidPermission.NotFound`; in a default VPC
 * the matched rules go and the others come back in `UnknownIpPermissions`.
 */
function revoke(
  store: Ec2Store,
  input: RevokeSecurityGroupIngressCommandInput | RevokeSecurityGroupEgressCommandInput,
  egress: boolean,
): {
  Return: boolean;
  UnknownIpPermissions?: IpPermission[];
  RevokedSecurityGroupRules: RevokedSecurityGroupRule[];
} {
  const group = store.one(GROUPS, input.GroupId);
  const ruleIds = input.SecurityGroupRuleIds ?? [];
  const existing = egress ? group.egress : group.ingress;
  let targets: SecurityGroupRuleRecord[];
  const unknown: SecurityGroupRuleRecord[] = [];
  if (ruleIds.length > 0) {
    const missing = ruleIds.filter((id) => !existing.some((rule) => rule.ruleId === id));
    if (missing.length > 0) {
      throw fail(
        'InvalidSecurityGroupRuleId.NotFound',
        `The security group rule ID '${missing.join(', ')}' does not exist`,
      );
    }
    targets = existing.filter((rule) => ruleIds.includes(rule.ruleId));
  } else {
    // Placeholder ids: these rules are only compared, never stored.
    const wanted = toRules(store, input.IpPermissions ?? [], {
      ...store.context,
      nextId: (p) => `${p}-probe`,
    });
    if (wanted.length === 0)
      throw fail('MissingParameter', 'The request must contain the parameter ipPermissions');
    targets = [];
    for (const rule of wanted) {
      const found = existing.find((current) => sameRule(current, rule));
      if (found === undefined) unknown.push(rule);
      else targets.push(found);
    }
    const inDefaultVpc = store.state.vpcs[group.vpcId]?.isDefault === true;
    if (unknown.length > 0 && !inDefaultVpc) {
      throw fail('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    }
  }
  const remaining = existing.filter((rule) => !targets.includes(rule));
  if (egress) group.egress = remaining;
  else group.ingress = remaining;
  return {
    Return: true,
    ...(unknown.length === 0
      ? {}
      : { UnknownIpPermissions: toIpPermissions(unknown, store.context.accountId) }),
    RevokedSecurityGroupRules: targets.map((rule) => {
      const { kind, value } = rule.peer;
      return {
        ...ruleFields(group, rule, egress),
        ...(kind === 'ipv4' ? { CidrIpv4: value } : {}),
        ...(kind === 'ipv6' ? { CidrIpv6: value } : {}),
        ...(kind === 'prefixList' ? { PrefixListId: value } : {}),
        ...(kind === 'group' ? { ReferencedGroupId: value } : {}),
      };
    }),
  };
}

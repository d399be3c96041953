import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  allTraffic,
  applyRuleDiff,
  diffRules,
  ruleKey,
  rulesOf,
  type SecurityGroupRule,
  toIpPermissions,
} from '../../src/actions/security-group-rules.ts';

const SSH_FROM_ANYWHERE: SecurityGroupRule = {
  direction: 'ingress',
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  peer: { kind: 'ipv4', value: '0.0.0.0/0' },
};

/** A group as DescribeSecurityGroups returns it: one IpPermission naming several peers of every kind. */
const WEB_GROUP: SecurityGroup = {
  GroupId: 'sg-0000000000000aaa1',
  IpPermissions: [
    {
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }, { CidrIp: '10.0.0.0/8' }],
      Ipv6Ranges: [{ CidrIpv6: '::/0' }],
      PrefixListIds: [{ PrefixListId: 'pl-0123456789abcdef0' }],
      UserIdGroupPairs: [{ GroupId: 'sg-0000000000000bbb1' }],
    },
  ],
  IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
};

describe('rulesOf', () => {
  it('flattens every IpPermission into one rule per peer, as AWS identifies rules', () => {
    // Act
    const keys = rulesOf(WEB_GROUP).map(ruleKey);

    // Assess
    expect(keys).toEqual([
      'ingress tcp 22-22 0.0.0.0/0',
      'ingress tcp 22-22 10.0.0.0/8',
      'ingress tcp 22-22 ::/0',
      'ingress tcp 22-22 pl-0123456789abcdef0',
      'ingress tcp 22-22 sg-0000000000000bbb1',
      'egress all 0.0.0.0/0',
    ]);
  });

  it('gives a group with no rules no rule', () => {
    expect(rulesOf({})).toEqual([]);
  });

  it('names each peer by its kind: IPv4, IPv6, prefix list, referenced group', () => {
    expect(rulesOf(WEB_GROUP).map((rule) => rule.peer)).toEqual([
      { kind: 'ipv4', value: '0.0.0.0/0' },
      { kind: 'ipv4', value: '10.0.0.0/8' },
      { kind: 'ipv6', value: '::/0' },
      { kind: 'prefixList', value: 'pl-0123456789abcdef0' },
      { kind: 'group', value: 'sg-0000000000000bbb1' },
      { kind: 'ipv4', value: '0.0.0.0/0' },
    ]);
  });

  // "Specifying -1 … allows traffic on all ports, regardless of any port range you specify"
  // (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html): an all-protocol rule has
  // no ports, and one without a protocol is read as all protocols (the wider reading, never the narrower).
  it('gives an all-protocol rule no ports, whatever ports the permission states', () => {
    const rules = rulesOf({
      IpPermissions: [
        { IpProtocol: '-1', FromPort: 0, ToPort: 65_535, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
      ],
      IpPermissionsEgress: [{ FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(rules).toStrictEqual([
      { direction: 'ingress', protocol: '-1', peer: { kind: 'ipv4', value: '10.0.0.0/8' } },
      { direction: 'egress', protocol: '-1', peer: { kind: 'ipv4', value: '0.0.0.0/0' } },
    ]);
  });

  it('makes no rule of a range that names no peer', () => {
    expect(
      rulesOf({
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            IpRanges: [{ Description: 'no CIDR' }],
            Ipv6Ranges: [{ Description: 'no CIDR' }],
            PrefixListIds: [{ Description: 'no id' }],
            UserIdGroupPairs: [{ Description: 'no group' }],
          },
        ],
      }),
    ).toEqual([]);
  });
});

describe('toIpPermissions', () => {
  it('regroups rules by protocol and ports, the shape Authorize and Revoke take', () => {
    expect(toIpPermissions([allTraffic('egress', 'ipv4'), allTraffic('egress', 'ipv6')])).toEqual([
      { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);
  });

  it('puts every kind of peer in its own list, and no ports on an all-protocol permission', () => {
    expect(
      toIpPermissions([
        { ...SSH_FROM_ANYWHERE, peer: { kind: 'prefixList', value: 'pl-0123456789abcdef0' } },
        { ...SSH_FROM_ANYWHERE, peer: { kind: 'group', value: 'sg-0000000000000bbb1' } },
        allTraffic('ingress', 'ipv4'),
      ]),
    ).toStrictEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        PrefixListIds: [{ PrefixListId: 'pl-0123456789abcdef0' }],
        UserIdGroupPairs: [{ GroupId: 'sg-0000000000000bbb1' }],
      },
      { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ]);
  });

  it('is undone by rulesOf: a group rebuilt from its own rules has the same rules', () => {
    const peer = fc.oneof(
      fc.record({ kind: fc.constant('ipv4' as const), value: fc.constantFrom('0.0.0.0/0', '10.0.0.0/8') }),
      fc.record({ kind: fc.constant('ipv6' as const), value: fc.constantFrom('::/0', '2001:db8::/32') }),
      fc.record({ kind: fc.constant('prefixList' as const), value: fc.constant('pl-0123456789abcdef0') }),
      fc.record({ kind: fc.constant('group' as const), value: fc.constant('sg-0000000000000bbb1') }),
    );
    const rule = fc.oneof(
      fc.record({
        direction: fc.constantFrom('ingress' as const, 'egress' as const),
        protocol: fc.constant('-1'),
        peer,
      }),
      fc.integer({ min: 0, max: 65_535 }).chain((fromPort) =>
        fc.record({
          direction: fc.constantFrom('ingress' as const, 'egress' as const),
          protocol: fc.constantFrom('tcp', 'udp'),
          fromPort: fc.constant(fromPort),
          toPort: fc.integer({ min: fromPort, max: 65_535 }),
          peer,
        }),
      ),
    );
    fc.assert(
      fc.property(fc.uniqueArray(rule, { selector: ruleKey, maxLength: 12 }), (rules) => {
        // Act
        const group: SecurityGroup = {
          IpPermissions: toIpPermissions(rules.filter((r) => r.direction === 'ingress')),
          IpPermissionsEgress: toIpPermissions(rules.filter((r) => r.direction === 'egress')),
        };

        // Assess
        expect(rulesOf(group).map(ruleKey).sort()).toEqual(rules.map(ruleKey).sort());
      }),
    );
  });
});

describe('diffRules', () => {
  it('names exactly the rules to add and the rules to remove, and keeps the others', () => {
    // Prepare
    const current = rulesOf(WEB_GROUP);
    const wanted = current.filter((rule) => ruleKey(rule) !== ruleKey(SSH_FROM_ANYWHERE));

    // Act
    const diff = diffRules(current, [...wanted, allTraffic('egress', 'ipv6')]);

    // Assess
    expect(diff.extra.map(ruleKey)).toEqual([ruleKey(SSH_FROM_ANYWHERE)]);
    expect(diff.missing.map(ruleKey)).toEqual(['egress all ::/0']);
  });

  it('finds nothing to do when the rules are already right, in any order', () => {
    const current = rulesOf(WEB_GROUP);
    expect(diffRules(current, [...current].reverse())).toEqual({ missing: [], extra: [] });
  });
});

describe('applyRuleDiff', () => {
  const ec2 = mockClient(EC2Client);
  beforeEach(() => ec2.reset());

  it('authorizes what is missing and revokes what is extra, per direction, in one call each', async () => {
    // Act
    await applyRuleDiff(new EC2Client({ region: 'us-east-1' }), 'sg-1', {
      missing: [allTraffic('ingress', 'ipv4'), allTraffic('egress', 'ipv6')],
      extra: [SSH_FROM_ANYWHERE, allTraffic('egress', 'ipv4')],
    });

    // Assess
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: 'sg-1',
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupEgressCommand, {
      GroupId: 'sg-1',
      IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: 'sg-1',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: 'sg-1',
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    expect(ec2.calls()).toHaveLength(4);
  });

  it('makes no call when there is nothing to change', async () => {
    await applyRuleDiff(new EC2Client({ region: 'us-east-1' }), 'sg-1', { missing: [], extra: [] });
    expect(ec2.calls()).toHaveLength(0);
  });
});

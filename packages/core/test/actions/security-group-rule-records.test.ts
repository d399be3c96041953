import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients } from '../../../../test/support/actions.ts';
import {
  authorizeRules,
  describeGroup,
  describeGroupRules,
  type RecordedRule,
  recordedRule,
  revokeRules,
  ruleChange,
  ruleText,
  SecurityGroupRestoreSchema,
  securityGroupRulesRelease,
} from '../../src/actions/security-group-rule-records.ts';
import type { ActionContext } from '../../src/actions/types.ts';

const GROUP = 'sg-0123456789abcdef0';
const clients = realClients();
const ec2 = mockClient(clients.ec2);

const awsError = (name: string) => Object.assign(new Error(`${name} happened`), { name });

const SSH: RecordedRule = {
  ruleId: 'sgr-1',
  direction: 'ingress',
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  peer: { kind: 'ipv4', value: '0.0.0.0/0' },
  description: 'ssh',
};
const RDP: RecordedRule = {
  ruleId: 'sgr-2',
  direction: 'ingress',
  protocol: 'tcp',
  fromPort: 3389,
  toPort: 3389,
  peer: { kind: 'ipv6', value: '::/0' },
};
const OUT: RecordedRule = {
  ruleId: 'sgr-3',
  direction: 'egress',
  protocol: '-1',
  peer: { kind: 'ipv4', value: '0.0.0.0/0' },
};

function context(): ActionContext {
  return {
    ...actionEnvironment(clients),
    ...envelope(),
    step: 'release-remediation',
  } as ActionContext;
}

beforeEach(() => {
  ec2.reset();
});

describe('recordedRule', () => {
  it('records each kind of peer, the direction, ports, description and tags', () => {
    expect(
      recordedRule({
        SecurityGroupRuleId: 'sgr-1',
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: '0.0.0.0/0',
        Description: 'ssh',
        Tags: [{ Key: 'team', Value: 'ops' }, { Key: 'empty' }, { Value: 'no key' }],
      }),
    ).toEqual({
      ruleId: 'sgr-1',
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      peer: { kind: 'ipv4', value: '0.0.0.0/0' },
      description: 'ssh',
      tags: { team: 'ops', empty: '' },
    });
    expect(
      recordedRule({
        SecurityGroupRuleId: 'sgr-2',
        IsEgress: true,
        IpProtocol: '-1',
        FromPort: -1,
        ToPort: -1,
        CidrIpv6: '::/0',
      }),
    ).toEqual({
      ruleId: 'sgr-2',
      direction: 'egress',
      protocol: '-1',
      peer: { kind: 'ipv6', value: '::/0' },
    });
    expect(
      recordedRule({
        SecurityGroupRuleId: 'sgr-3',
        IpProtocol: 'udp',
        FromPort: 53,
        ToPort: 53,
        PrefixListId: 'pl-1',
      })?.peer,
    ).toEqual({
      kind: 'prefixList',
      value: 'pl-1',
    });
    expect(
      recordedRule({
        SecurityGroupRuleId: 'sgr-4',
        IpProtocol: 'tcp',
        FromPort: 1,
        ToPort: 2,
        ReferencedGroupInfo: { GroupId: 'sg-9', UserId: '111122223333' },
      })?.peer,
    ).toEqual({ kind: 'group', value: 'sg-9', account: '111122223333' });
    expect(
      recordedRule({
        SecurityGroupRuleId: 'sgr-5',
        IpProtocol: 'tcp',
        ReferencedGroupInfo: { GroupId: 'sg-9' },
      })?.peer,
    ).toEqual({
      kind: 'group',
      value: 'sg-9',
    });
  });

  it('names protocols given by number, and takes a missing protocol as every protocol', () => {
    const protocol = (IpProtocol: string | undefined) =>
      recordedRule({ SecurityGroupRuleId: 'sgr-1', IpProtocol, CidrIpv4: '10.0.0.0/8' })?.protocol;
    expect([
      protocol('6'),
      protocol('17'),
      protocol('1'),
      protocol('58'),
      protocol('TCP'),
      protocol('47'),
      protocol(undefined),
    ]).toEqual(['tcp', 'udp', 'icmp', 'icmpv6', 'tcp', '47', '-1']);
  });

  it('leaves out an empty description and no tags', () => {
    const rule = recordedRule({
      SecurityGroupRuleId: 'sgr-1',
      IpProtocol: 'tcp',
      CidrIpv4: '10.0.0.0/8',
      Description: '',
      Tags: [],
    });
    expect(rule).not.toHaveProperty('description');
    expect(rule).not.toHaveProperty('tags');
  });

  it('records nothing for a rule without id or peer', () => {
    expect(recordedRule({ IpProtocol: 'tcp', CidrIpv4: '10.0.0.0/8' })).toBeUndefined();
    expect(recordedRule({ SecurityGroupRuleId: 'sgr-1', IpProtocol: 'tcp' })).toBeUndefined();
    expect(
      recordedRule({ SecurityGroupRuleId: 'sgr-1', IpProtocol: 'tcp', ReferencedGroupInfo: {} }),
    ).toBeUndefined();
  });
});

describe('ruleText and ruleChange', () => {
  it('reads a rule with its description quoted, and without one', () => {
    expect(ruleText(SSH)).toBe('ingress tcp 22-22 0.0.0.0/0 "ssh"');
    expect(ruleText(RDP)).toBe('ingress tcp 3389-3389 ::/0');
  });

  it('records a removed rule as before, an added one as after', () => {
    expect(ruleChange(GROUP, SSH, 'removed')).toEqual({
      resource: GROUP,
      attribute: 'ingress:ingress tcp 22-22 0.0.0.0/0',
      before: 'ingress tcp 22-22 0.0.0.0/0 "ssh"',
      after: null,
    });
    expect(ruleChange(GROUP, SSH, 'added')).toEqual({
      resource: GROUP,
      attribute: 'ingress:ingress tcp 22-22 0.0.0.0/0',
      before: null,
      after: 'ingress tcp 22-22 0.0.0.0/0 "ssh"',
    });
  });

  it('refuses a restore record whose group is not a security group id', () => {
    expect(SecurityGroupRestoreSchema.safeParse({ groupId: 'sg-0123456789abcdef0', rules: [] }).success).toBe(
      true,
    );
    expect(SecurityGroupRestoreSchema.safeParse({ groupId: 'sg-01234567', rules: [] }).success).toBe(true);
    for (const groupId of ['sg-0123456', 'sg-0123456789abcdef0x', 'xsg-01234567', 'sg-0123456G'])
      expect(SecurityGroupRestoreSchema.safeParse({ groupId, rules: [] }).success, groupId).toBe(false);
  });
});

describe('describeGroup', () => {
  it('is the group', async () => {
    ec2
      .on(DescribeSecurityGroupsCommand, { GroupIds: [GROUP] })
      .resolves({ SecurityGroups: [{ GroupId: GROUP, GroupName: 'web' }] });
    await expect(describeGroup(context(), GROUP)).resolves.toEqual({ GroupId: GROUP, GroupName: 'web' });
  });

  it('is gone, by name, when AWS answers none or says the group does not exist', async () => {
    ec2
      .on(DescribeSecurityGroupsCommand)
      .resolvesOnce({ SecurityGroups: [] })
      .rejectsOnce(awsError('InvalidGroup.NotFound'));
    await expect(describeGroup(context(), GROUP)).rejects.toMatchObject({
      name: 'ResourceGoneError',
      message: `Security group ${GROUP} does not exist.`,
    });
    await expect(describeGroup(context(), GROUP)).rejects.toMatchObject({
      name: 'ResourceGoneError',
      message: `Security group ${GROUP} does not exist.`,
      awsError: 'InvalidGroup.NotFound',
    });
  });

  it('classifies any other failure, naming the call', async () => {
    ec2.on(DescribeSecurityGroupsCommand).rejects(awsError('RequestLimitExceeded'));
    await expect(describeGroup(context(), GROUP)).rejects.toMatchObject({
      name: 'ThrottledError',
      message: expect.stringContaining(`DescribeSecurityGroups ${GROUP} failed: RequestLimitExceeded`),
    });
  });
});

describe('describeGroupRules', () => {
  it('reads every page of the group, and leaves out a rule it cannot record', async () => {
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: 'sgr-1',
            IpProtocol: 'tcp',
            FromPort: 22,
            ToPort: 22,
            CidrIpv4: '0.0.0.0/0',
          },
          { IpProtocol: 'tcp' },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        SecurityGroupRules: [
          { SecurityGroupRuleId: 'sgr-3', IsEgress: true, IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' },
        ],
        NextToken: '',
      });
    const rules = await describeGroupRules(clients.ec2, GROUP);
    expect(rules.map((rule) => rule.ruleId)).toEqual(['sgr-1', 'sgr-3']);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSecurityGroupRulesCommand, 2);
    const inputs = ec2.commandCalls(DescribeSecurityGroupRulesCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { Filters: [{ Name: 'group-id', Values: [GROUP] }] },
      { Filters: [{ Name: 'group-id', Values: [GROUP] }], NextToken: 'page-2' },
    ]);
  });

  it('takes an answer without rules as none', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({});
    await expect(describeGroupRules(clients.ec2, GROUP)).resolves.toEqual([]);
  });
});

describe('revokeRules', () => {
  it('revokes ingress and egress apart, by rule id, and calls nothing for a direction without rules', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
    await revokeRules(clients.ec2, GROUP, [SSH, RDP, OUT]);
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP,
      SecurityGroupRuleIds: ['sgr-1', 'sgr-2'],
    });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: GROUP,
      SecurityGroupRuleIds: ['sgr-3'],
    });
    ec2.resetHistory();
    await revokeRules(clients.ec2, GROUP, [SSH]);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupEgressCommand);
  });

  it('revokes again only the rules still there when one disappeared meanwhile', async () => {
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejectsOnce(awsError('InvalidSecurityGroupRuleId.NotFound'))
      .resolves({ Return: true });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        { SecurityGroupRuleId: 'sgr-2', IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, CidrIpv6: '::/0' },
      ],
    });
    await revokeRules(clients.ec2, GROUP, [SSH, RDP]);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 2);
    expect(ec2).toHaveReceivedNthCommandWith(RevokeSecurityGroupIngressCommand, 2, {
      GroupId: GROUP,
      SecurityGroupRuleIds: ['sgr-2'],
    });
  });

  it('revokes nothing more when every rule disappeared meanwhile', async () => {
    ec2.on(RevokeSecurityGroupEgressCommand).rejects(awsError('InvalidSecurityGroupRuleId.NotFound'));
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
    await revokeRules(clients.ec2, GROUP, [OUT]);
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupEgressCommand, 1);
  });

  it('passes any other failure on', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError('UnauthorizedOperation'));
    await expect(revokeRules(clients.ec2, GROUP, [SSH])).rejects.toMatchObject({
      name: 'UnauthorizedOperation',
    });
    expect(ec2).not.toHaveReceivedCommand(DescribeSecurityGroupRulesCommand);
  });
});

describe('authorizeRules', () => {
  it('authorizes each kind of peer exactly as recorded, untagged rules together per direction', async () => {
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(AuthorizeSecurityGroupEgressCommand).resolves({ Return: true });
    const prefix: RecordedRule = {
      ruleId: 'sgr-4',
      direction: 'ingress',
      protocol: 'udp',
      fromPort: 53,
      toPort: 53,
      peer: { kind: 'prefixList', value: 'pl-1' },
      description: 'dns',
    };
    const peer: RecordedRule = {
      ruleId: 'sgr-5',
      direction: 'egress',
      protocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      peer: { kind: 'group', value: 'sg-9', account: '111122223333' },
      description: 'api',
    };
    const local: RecordedRule = {
      ruleId: 'sgr-6',
      direction: 'egress',
      protocol: 'tcp',
      fromPort: 5432,
      toPort: 5432,
      peer: { kind: 'group', value: 'sg-8' },
    };
    await authorizeRules(clients.ec2, GROUP, [SSH, RDP, prefix, OUT, peer, local]);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: GROUP,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }],
        },
        { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
        {
          IpProtocol: 'udp',
          FromPort: 53,
          ToPort: 53,
          PrefixListIds: [{ PrefixListId: 'pl-1', Description: 'dns' }],
        },
      ],
    });
    const egress = ec2.commandCalls(AuthorizeSecurityGroupEgressCommand).map((call) => call.args[0].input);
    expect(egress).toEqual([
      {
        GroupId: GROUP,
        IpPermissions: [
          { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            UserIdGroupPairs: [{ GroupId: 'sg-9', UserId: '111122223333', Description: 'api' }],
          },
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-8' }] },
        ],
      },
    ]);
  });

  it('authorizes a tagged rule on its own, with its tags, and calls nothing for a direction without rules', async () => {
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    await authorizeRules(clients.ec2, GROUP, [{ ...SSH, tags: { team: 'ops', env: 'prod' } }]);
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      TagSpecifications: [
        {
          ResourceType: 'security-group-rule',
          Tags: [
            { Key: 'team', Value: 'ops' },
            { Key: 'env', Value: 'prod' },
          ],
        },
      ],
    });
    expect(ec2).not.toHaveReceivedCommand(AuthorizeSecurityGroupEgressCommand);
  });

  it('puts the rest back one by one when one rule of a batch is back already', async () => {
    ec2
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(awsError('InvalidPermission.Duplicate'))
      .rejectsOnce(awsError('InvalidPermission.Duplicate'))
      .resolves({ Return: true });
    await authorizeRules(clients.ec2, GROUP, [SSH, RDP]);
    const batches = ec2
      .commandCalls(AuthorizeSecurityGroupIngressCommand)
      .map((call) => call.args[0].input.IpPermissions?.length);
    expect(batches).toEqual([2, 1, 1]);
  });

  it('passes any other failure on', async () => {
    ec2.on(AuthorizeSecurityGroupEgressCommand).rejects(awsError('RulesPerSecurityGroupLimitExceeded'));
    await expect(authorizeRules(clients.ec2, GROUP, [OUT])).rejects.toMatchObject({
      name: 'RulesPerSecurityGroupLimitExceeded',
    });
    expect(ec2).toHaveReceivedCommandTimes(AuthorizeSecurityGroupEgressCommand, 1);
  });
});

describe('securityGroupRulesRelease', () => {
  it('plans only the missing rules, and notes a rule back with another description (left as it is)', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-9',
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
          Description: 'changed',
        },
      ],
    });
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    const plan = await securityGroupRulesRelease.plan({ groupId: GROUP, rules: [SSH, RDP] }, context());
    expect(plan.changes).toEqual([ruleChange(GROUP, RDP, 'added')]);
    expect(plan.notes).toEqual([
      `ingress tcp 22-22 0.0.0.0/0 is back on ${GROUP}, with another description than the recorded one: left as it is.`,
    ]);
    expect(plan.output).toEqual({ groupId: GROUP, restored: ['ingress tcp 3389-3389 ::/0'] });
    await expect(plan.apply()).resolves.toEqual(plan.output);
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      ],
    });
  });

  it('notes nothing for a rule back as it was', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-9',
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
          Description: 'ssh',
        },
      ],
    });
    const plan = await securityGroupRulesRelease.plan({ groupId: GROUP, rules: [SSH] }, context());
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toEqual([]);
  });

  it('classifies a failure to read the group, naming the call', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).rejects(awsError('UnauthorizedOperation'));
    await expect(
      securityGroupRulesRelease.plan({ groupId: GROUP, rules: [SSH] }, context()),
    ).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining(`DescribeSecurityGroupRules ${GROUP} failed: UnauthorizedOperation`),
    });
  });
});

import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
} from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../../src/sandbox/index.ts';

const VPC = 'vpc-0123456789abcdef0';

function setup() {
  const sandbox = createSandbox({ accountId: '111122223333', region: 'eu-west-1' });
  const defaultGroup = sandbox.ec2.addVpc({ vpcId: VPC });
  const group = sandbox.ec2.addSecurityGroup({
    groupName: 'web',
    vpcId: VPC,
    ingress: [
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }],
      },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ],
  });
  const ec2 = sandbox.account.attach(new EC2Client({ region: 'eu-west-1' }));
  return { sandbox, ec2, group, defaultGroup };
}

describe('Ec2Model: security group rules', () => {
  it('DescribeSecurityGroupRules answers a group’s rules, one per peer, with ids, descriptions and direction', async () => {
    // Prepare
    const { ec2, group } = setup();

    // Act
    const answer = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [group] }] }),
    );

    // Assess
    expect(answer.SecurityGroupRules).toEqual([
      expect.objectContaining({
        GroupId: group,
        GroupOwnerId: '111122223333',
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: '0.0.0.0/0',
        Description: 'ssh',
        SecurityGroupRuleId: expect.stringMatching(/^sgr-/),
        SecurityGroupRuleArn: expect.stringMatching(
          /^arn:aws:ec2:eu-west-1:111122223333:security-group-rule\/sgr-/,
        ),
      }),
      expect.objectContaining({ IsEgress: false, FromPort: 443, CidrIpv6: '::/0' }),
      expect.objectContaining({
        IsEgress: true,
        IpProtocol: '-1',
        FromPort: -1,
        ToPort: -1,
        CidrIpv4: '0.0.0.0/0',
      }),
    ]);
  });

  it('answers a self-referencing rule of a default group with the group it references', async () => {
    // Prepare
    const { ec2, defaultGroup } = setup();

    // Act
    const answer = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [defaultGroup] }] }),
    );

    // Assess
    expect(answer.SecurityGroupRules?.find((rule) => rule.IsEgress === false)?.ReferencedGroupInfo).toEqual({
      GroupId: defaultGroup,
      UserId: '111122223333',
    });
  });

  it('keeps the tags an Authorize gives the rules it creates, and filters on them', async () => {
    // Prepare
    const { ec2, group } = setup();

    // Act
    const authorized = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: group,
        IpPermissions: [
          { IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        ],
        TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'team', Value: 'dns' }] }],
      }),
    );
    const tagged = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'tag:team', Values: ['dns'] }] }),
    );

    // Assess
    expect(authorized.SecurityGroupRules?.[0]?.Tags).toEqual([{ Key: 'team', Value: 'dns' }]);
    expect(tagged.SecurityGroupRules?.map((rule) => [rule.IpProtocol, rule.FromPort, rule.Tags])).toEqual([
      ['udp', 53, [{ Key: 'team', Value: 'dns' }]],
    ]);
  });

  it('refuses tags of another resource type on an Authorize, changing nothing', async () => {
    // Prepare
    const { sandbox, ec2, group } = setup();
    const before = sandbox.ec2.snapshot();

    // Act
    const sent = ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: group,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'a', Value: 'b' }] }],
      }),
    );

    // Assess
    await expect(sent).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(sandbox.ec2.snapshot()).toEqual(before);
  });

  it('pages with MaxResults and NextToken, and refuses a MaxResults out of 5–1000', async () => {
    // Prepare: the default group's two rules, the web group's three, and one more.
    const { ec2, group } = setup();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: group,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );

    // Act
    const first = await ec2.send(new DescribeSecurityGroupRulesCommand({ MaxResults: 5 }));
    const rest = await ec2.send(
      new DescribeSecurityGroupRulesCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    const all = await ec2.send(new DescribeSecurityGroupRulesCommand({}));
    const bad = ec2.send(new DescribeSecurityGroupRulesCommand({ MaxResults: 4 }));

    // Assess
    expect(first.SecurityGroupRules).toHaveLength(5);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(rest.SecurityGroupRules).toHaveLength(1);
    expect(rest.NextToken).toBeUndefined();
    expect(all.SecurityGroupRules?.map((rule) => rule.SecurityGroupRuleId)).toEqual(
      [...(first.SecurityGroupRules ?? []), ...(rest.SecurityGroupRules ?? [])].map(
        (rule) => rule.SecurityGroupRuleId,
      ),
    );
    await expect(bad).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('answers InvalidSecurityGroupRuleId.NotFound for a rule id it does not know', async () => {
    // Prepare
    const { ec2 } = setup();

    // Act
    const sent = ec2.send(
      new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: ['sgr-0000000000000dead'] }),
    );

    // Assess
    await expect(sent).rejects.toMatchObject({ name: 'InvalidSecurityGroupRuleId.NotFound' });
  });

  it('revokes outbound rules by id, and only those', async () => {
    // Prepare
    const { sandbox, ec2, group } = setup();
    const [egress] = sandbox.ec2.snapshot().securityGroups[group]?.egress ?? [];

    // Act
    await ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: group, SecurityGroupRuleIds: [egress?.ruleId ?? ''] }),
    );

    // Assess
    const after = sandbox.ec2.snapshot().securityGroups[group];
    expect(after?.egress).toEqual([]);
    expect(after?.ingress).toHaveLength(2);
  });
});

import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients } from '../../../../test/support/actions.ts';
import { closeDefaultSecurityGroup } from '../../src/actions/close-default-security-group.ts';
import { runAction } from '../../src/actions/run-action.ts';

const GROUP = 'sg-0123456789abcdef0';
const SELF: SecurityGroupRule = {
  SecurityGroupRuleId: 'sgr-0000000000000003a',
  GroupId: GROUP,
  IsEgress: false,
  IpProtocol: '-1',
  ReferencedGroupInfo: { GroupId: GROUP, UserId: '123456789012' },
};
const OUT_V4: SecurityGroupRule = {
  SecurityGroupRuleId: 'sgr-0000000000000003b',
  GroupId: GROUP,
  IsEgress: true,
  IpProtocol: '-1',
  CidrIpv4: '0.0.0.0/0',
};

describe('close-default-security-group (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const input = { ...envelope(), groupId: GROUP };

  function group(name: string, rules: SecurityGroupRule[]) {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: GROUP, GroupName: name }] });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: rules });
  }

  beforeEach(() => {
    ec2.reset();
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
  });

  it('revokes every inbound and every outbound rule of a default group, by rule id', async () => {
    // Prepare
    group('default', [SELF, OUT_V4]);

    // Act
    const outcome = await runAction(closeDefaultSecurityGroup, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP,
      SecurityGroupRuleIds: ['sgr-0000000000000003a'],
    });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: GROUP,
      SecurityGroupRuleIds: ['sgr-0000000000000003b'],
    });
  });

  it('records the self-reference with its account, so that a release can put it back', async () => {
    // Prepare
    group('default', [SELF]);
    const environment = actionEnvironment(clients);

    // Act
    await runAction(closeDefaultSecurityGroup, input, environment);

    // Assess
    expect(environment.ledger.all()[0]?.restore).toEqual({
      groupId: GROUP,
      rules: [
        {
          ruleId: 'sgr-0000000000000003a',
          direction: 'ingress',
          protocol: '-1',
          peer: { kind: 'group', value: GROUP, account: '123456789012' },
        },
      ],
    });
  });

  it('refuses a group that is not a default group, named, with nothing changed', async () => {
    // Prepare
    group('web', [OUT_V4]);

    // Act
    const run = runAction(closeDefaultSecurityGroup, input, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(/is not a VPC's default security group/);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupEgressCommand);
  });

  it('is already done when the group has no rule left', async () => {
    // Prepare
    group('default', []);

    // Act
    const outcome = await runAction(closeDefaultSecurityGroup, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    group('default', [SELF, OUT_V4]);

    // Act
    const outcome = await runAction(
      closeDefaultSecurityGroup,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.revoked).toHaveLength(2);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupEgressCommand);
  });

  it('reports a group that is gone as ResourceGoneError', async () => {
    // Prepare
    ec2.on(DescribeSecurityGroupsCommand).rejects(
      Object.assign(new Error("The security group 'sg-…' does not exist"), {
        name: 'InvalidGroup.NotFound',
      }),
    );

    // Act
    const run = runAction(closeDefaultSecurityGroup, input, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ResourceGoneError' });
  });
});

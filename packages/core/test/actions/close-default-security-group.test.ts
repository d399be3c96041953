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
  it('names a group that is not a default group, and one without a name', async () => {
    group('web', [SELF]);
    await expect(runAction(closeDefaultSecurityGroup, input, actionEnvironment(clients))).rejects.toThrow(
      `${GROUP} (web) is not a VPC's default security group: Cordon removes every rule only of a default group; nothing was changed.`,
    );
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: GROUP }] });
    await expect(runAction(closeDefaultSecurityGroup, input, actionEnvironment(clients))).rejects.toThrow(
      `${GROUP} (unnamed) is not a VPC's default security group`,
    );
    expect(ec2).not.toHaveReceivedCommand(DescribeSecurityGroupRulesCommand);
  });

  it('warns what closing the group takes away, records every rule it removes, and warns nothing when none is left', async () => {
    // Prepare
    group('default', [SELF, OUT_V4]);
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(closeDefaultSecurityGroup, input, environment);

    // Assess
    expect(outcome.output.revoked).toEqual([`ingress all ${GROUP}`, 'egress all 0.0.0.0/0']);
    const planned = (await environment.ledger.entries(envelope().incidentId)).find(
      (entry) => entry.outcome === 'planned',
    );
    expect(planned?.notes).toEqual([
      `Every instance and interface still in ${GROUP} loses the traffic these rules allowed, outbound included.`,
    ]);
    expect(planned?.restore).toMatchObject({
      groupId: GROUP,
      rules: [{ ruleId: 'sgr-0000000000000003a' }, { ruleId: 'sgr-0000000000000003b' }],
    });
    group('default', []);
    const empty = actionEnvironment(clients);
    const none = await runAction(closeDefaultSecurityGroup, input, empty);
    expect(none.notes).toEqual([]);
  });

  it('leaves an exempt default group alone, and names the call that failed when the rules cannot be read', async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: GROUP, GroupName: 'default', Tags: [{ Key: 'cordon:exempt', Value: 'true' }] },
      ],
    });
    await expect(
      runAction(closeDefaultSecurityGroup, input, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'ExemptResourceError',
    });
    group('default', []);
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .rejects(Object.assign(new Error('x'), { name: 'UnauthorizedOperation' }));
    await expect(
      runAction(closeDefaultSecurityGroup, input, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining(`DescribeSecurityGroupRules ${GROUP} failed: UnauthorizedOperation`),
    });
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });
});

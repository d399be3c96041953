import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients } from '../../../../test/support/actions.ts';
import { criteriaFor, judge, parsePortList } from '../../src/actions/open-ingress-criteria.ts';
import { revokeOpenIngress } from '../../src/actions/revoke-open-ingress.ts';
import { runAction } from '../../src/actions/run-action.ts';
import { recordedRule } from '../../src/actions/security-group-rule-records.ts';
import type { TargetRule } from '../../src/playbooks/target-kinds.ts';

const GROUP = 'sg-0123456789abcdef0';
const SSH: TargetRule = {
  identifier: 'INCOMING_SSH_DISABLED',
  name: 'restricted-ssh-conformance-pack-k3lqt8bvs',
  parameters: {},
  parametersKnown: true,
};

function rule(id: string, fields: Partial<SecurityGroupRule>): SecurityGroupRule {
  return { SecurityGroupRuleId: id, GroupId: GROUP, IsEgress: false, IpProtocol: 'tcp', ...fields };
}

const WORLD_SSH = rule('sgr-0000000000000001a', {
  FromPort: 22,
  ToPort: 22,
  CidrIpv4: '0.0.0.0/0',
  Description: 'ssh from anywhere',
});
const WORLD_SSH_V6 = rule('sgr-0000000000000001b', { FromPort: 22, ToPort: 22, CidrIpv6: '::/0' });
const OFFICE_SSH = rule('sgr-0000000000000001c', { FromPort: 22, ToPort: 22, CidrIpv4: '10.0.0.0/8' });
const WORLD_HTTPS = rule('sgr-0000000000000001d', { FromPort: 443, ToPort: 443, CidrIpv4: '0.0.0.0/0' });
const WORLD_ALL_TCP = rule('sgr-0000000000000001e', { FromPort: 0, ToPort: 65535, CidrIpv4: '0.0.0.0/0' });
const EGRESS_ALL = rule('sgr-0000000000000001f', { IsEgress: true, IpProtocol: '-1', CidrIpv4: '0.0.0.0/0' });

describe('revoke-open-ingress (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const input = { ...envelope(), groupId: GROUP, rule: SSH };

  function groupWith(rules: SecurityGroupRule[], tags: { Key: string; Value: string }[] = []) {
    ec2.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [{ GroupId: GROUP, GroupName: 'bastion', VpcId: 'vpc-0123456789abcdef0', Tags: tags }],
    });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: rules });
  }

  beforeEach(() => {
    ec2.reset();
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
  });

  it('revokes exactly the world-open SSH rules, by rule id, and keeps every other rule', async () => {
    // Prepare
    groupWith([WORLD_SSH, WORLD_SSH_V6, OFFICE_SSH, WORLD_HTTPS, EGRESS_ALL]);

    // Act
    const outcome = await runAction(revokeOpenIngress, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP,
      SecurityGroupRuleIds: ['sgr-0000000000000001a', 'sgr-0000000000000001b'],
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeSecurityGroupRulesCommand, {
      Filters: [{ Name: 'group-id', Values: [GROUP] }],
    });
  });

  it('writes the revoked rules, with their descriptions, in the ledger before revoking them, with the controls', async () => {
    // Prepare
    groupWith([WORLD_SSH, OFFICE_SSH]);
    const environment = actionEnvironment(clients);

    // Act
    await runAction(revokeOpenIngress, { ...input, controls: ['SecurityHub/EC2.13'] }, environment);

    // Assess
    const [planned, done] = environment.ledger.all();
    expect(planned?.outcome).toBe('planned');
    expect(planned?.restore).toEqual({ groupId: GROUP, rules: [recordedRule(WORLD_SSH)] });
    expect(planned?.controls).toEqual(['SecurityHub/EC2.13']);
    expect(done).toMatchObject({ outcome: 'done', controls: ['SecurityHub/EC2.13'] });
    expect(planned?.changes).toEqual([
      {
        resource: GROUP,
        attribute: 'ingress:ingress tcp 22-22 0.0.0.0/0',
        before: 'ingress tcp 22-22 0.0.0.0/0 "ssh from anywhere"',
        after: null,
      },
    ]);
  });

  it('keeps a world-open rule wider than SSH when nobody approved the run, and revokes it when a person did', async () => {
    // Prepare
    groupWith([WORLD_ALL_TCP, WORLD_HTTPS]);

    // Act
    const automatic = await runAction(revokeOpenIngress, input, actionEnvironment(clients));
    const approved = await runAction(
      revokeOpenIngress,
      { ...input, approvalRequired: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(automatic.status).toBe('already-done');
    expect(automatic.output.kept).toEqual(['ingress tcp 0-65535 0.0.0.0/0']);
    expect(automatic.notes.join(' ')).toContain('nobody approved');
    expect(approved.status).toBe('done');
    expect(ec2).toHaveReceivedCommandTimes(RevokeSecurityGroupIngressCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      SecurityGroupRuleIds: ['sgr-0000000000000001e'],
    });
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    groupWith([WORLD_SSH]);

    // Act
    const outcome = await runAction(
      revokeOpenIngress,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.revoked).toEqual(['ingress tcp 22-22 0.0.0.0/0 "ssh from anywhere"']);
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });

  it('never touches a group that carries the exemption tag', async () => {
    // Prepare
    groupWith([WORLD_SSH], [{ Key: 'cordon:exempt', Value: 'true' }]);

    // Act
    const run = runAction(revokeOpenIngress, input, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });

  it('revokes the rules still there when one disappeared since it was read', async () => {
    // Prepare: someone removed the IPv6 rule between the read and the revoke.
    groupWith([WORLD_SSH, WORLD_SSH_V6]);
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejectsOnce(
        Object.assign(new Error("The security group rule ID 'sgr-0000000000000001b' does not exist"), {
          name: 'InvalidSecurityGroupRuleId.NotFound',
        }),
      )
      .resolves({ Return: true });
    const environment = actionEnvironment(clients);
    ec2.on(DescribeSecurityGroupRulesCommand).resolvesOnce({ SecurityGroupRules: [WORLD_SSH, WORLD_SSH_V6] });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [WORLD_SSH] });

    // Act
    const outcome = await runAction(revokeOpenIngress, input, environment);

    // Assess
    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedNthCommandWith(RevokeSecurityGroupIngressCommand, 2, {
      SecurityGroupRuleIds: ['sgr-0000000000000001a'],
    });
  });

  it('refuses, named and before any call, a rule whose blocked ports could not be read', async () => {
    // Prepare
    const unread = {
      ...input,
      rule: { ...SSH, identifier: 'RESTRICTED_INCOMING_TRAFFIC', parametersKnown: false },
    };

    // Act
    const run = runAction(revokeOpenIngress, unread, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(/parameters .* are unknown/);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('refuses a rule it does not know, naming the rules it knows', async () => {
    // Act
    const run = runAction(
      revokeOpenIngress,
      { ...input, rule: { ...SSH, identifier: 'S3_BUCKET_LOGGING_ENABLED' } },
      actionEnvironment(clients),
    );

    // Assess
    await expect(run).rejects.toThrow(/does not know the Config rule S3_BUCKET_LOGGING_ENABLED/);
  });

  it('refuses an input that names no security group, naming the field', async () => {
    // Act
    const run = runAction(
      revokeOpenIngress,
      { ...input, groupId: 'i-0abc1234def567890' },
      actionEnvironment(clients),
    );

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    await expect(run).rejects.toThrow(/groupId: must be a security group id/);
  });

  it('declares its release, whose permissions are the release function’s, not its own', () => {
    // Assess
    expect(revokeOpenIngress.release).toBeDefined();
    const own = revokeOpenIngress.permissions.flatMap((permission) => permission.actions);
    expect(own).not.toContain('ec2:AuthorizeSecurityGroupIngress');
    expect(revokeOpenIngress.release?.permissions.flatMap((permission) => permission.actions)).toContain(
      'ec2:AuthorizeSecurityGroupIngress',
    );
  });
  it('notes what the rule forbids and why a wider rule is kept, and records both lists and the restore record', async () => {
    // Prepare
    groupWith([WORLD_SSH, WORLD_ALL_TCP, EGRESS_ALL, OFFICE_SSH]);
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(revokeOpenIngress, input, environment);

    // Assess
    expect(outcome.output).toEqual({
      groupId: GROUP,
      revoked: ['ingress tcp 22-22 0.0.0.0/0 "ssh from anywhere"'],
      kept: ['ingress tcp 0-65535 0.0.0.0/0'],
    });
    const planned = (await environment.ledger.entries(envelope().incidentId)).find(
      (entry) => entry.outcome === 'planned',
    );
    expect(planned?.notes).toEqual([
      'restricted-ssh-conformance-pack-k3lqt8bvs forbids TCP 22 from 0.0.0.0/0 and ::/0.',
      'ingress tcp 0-65535 0.0.0.0/0 also opens ports the rule allows: kept, because revoking it removes more than the offence and nobody approved this run (map INCOMING_SSH_DISABLED with approval required to revoke such rules after an approval).',
    ]);
    expect(planned?.restore).toEqual({
      groupId: GROUP,
      rules: [
        {
          ruleId: 'sgr-0000000000000001a',
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          peer: { kind: 'ipv4', value: '0.0.0.0/0' },
          description: 'ssh from anywhere',
        },
      ],
    });
  });

  it('revokes confined and wider rules together after an approval, keeping none', async () => {
    groupWith([WORLD_SSH, WORLD_ALL_TCP]);
    const outcome = await runAction(
      revokeOpenIngress,
      { ...input, approvalRequired: true },
      actionEnvironment(clients),
    );
    expect(outcome.output).toEqual({
      groupId: GROUP,
      revoked: ['ingress tcp 22-22 0.0.0.0/0 "ssh from anywhere"', 'ingress tcp 0-65535 0.0.0.0/0'],
      kept: [],
    });
    expect(ec2).toHaveReceivedCommandWith(RevokeSecurityGroupIngressCommand, {
      GroupId: GROUP,
      SecurityGroupRuleIds: ['sgr-0000000000000001a', 'sgr-0000000000000001e'],
    });
  });

  it('names the call that failed when the rules cannot be read', async () => {
    groupWith([]);
    ec2
      .on(DescribeSecurityGroupRulesCommand)
      .rejects(Object.assign(new Error('x'), { name: 'UnauthorizedOperation' }));
    await expect(runAction(revokeOpenIngress, input, actionEnvironment(clients))).rejects.toMatchObject({
      name: 'AccessDeniedError',
      message: expect.stringContaining(`DescribeSecurityGroupRules ${GROUP} failed: UnauthorizedOperation`),
    });
    expect(ec2).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });
});

describe('how each Config rule judges an inbound rule', () => {
  const world = (protocol: string, from?: number, to?: number) =>
    recordedRule(
      rule('sgr-0000000000000002a', {
        IpProtocol: protocol,
        FromPort: from,
        ToPort: to,
        CidrIpv4: '0.0.0.0/0',
      }),
    );
  const office = recordedRule(
    rule('sgr-0000000000000002b', { FromPort: 22, ToPort: 22, CidrIpv4: '10.0.0.0/8' }),
  );

  it.each([
    ['INCOMING_SSH_DISABLED', {}, world('tcp', 22, 22), 'confined'],
    ['INCOMING_SSH_DISABLED', {}, world('tcp', 20, 23), 'wider'],
    ['INCOMING_SSH_DISABLED', {}, world('-1'), 'wider'],
    ['INCOMING_SSH_DISABLED', {}, world('udp', 22, 22), 'fine'],
    ['INCOMING_SSH_DISABLED', {}, world('tcp', 443, 443), 'fine'],
    ['INCOMING_SSH_DISABLED', {}, office, 'fine'],
    ['RESTRICTED_INCOMING_TRAFFIC', {}, world('tcp', 3389, 3389), 'confined'],
    ['RESTRICTED_INCOMING_TRAFFIC', { blockedPort1: '3389' }, world('tcp', 3306, 3306), 'fine'],
    ['RESTRICTED_INCOMING_TRAFFIC', { blockedPorts: '20-21, 3389' }, world('tcp', 20, 21), 'confined'],
    ['VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS', { authorizedTcpPorts: '443' }, world('tcp', 443, 443), 'fine'],
    ['VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS', { authorizedTcpPorts: '443' }, world('tcp', 80, 80), 'confined'],
    ['VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS', { authorizedTcpPorts: '443' }, world('tcp', 80, 443), 'wider'],
    ['VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS', {}, world('udp', 53, 53), 'confined'],
    ['VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS', {}, world('icmp', -1, -1), 'fine'],
  ] as const)('%s %j judges %j %s', (identifier, parameters, judged, expected) => {
    // Prepare
    const criteria = criteriaFor({ identifier, name: identifier, parameters, parametersKnown: true });

    // Act
    const judgement = judged === undefined ? undefined : judge(judged, criteria);

    // Assess
    expect(judgement).toBe(expected);
  });

  it('reads port lists as the rules write them, and refuses one that is not, naming the parameter', () => {
    // Assess
    expect(parsePortList(SSH, 'authorizedTcpPorts', '443, 1020-1025')).toEqual([
      { from: 443, to: 443 },
      { from: 1020, to: 1025 },
    ]);
    expect(() => parsePortList(SSH, 'authorizedTcpPorts', '443,https')).toThrow(
      /parameter authorizedTcpPorts "443,https" is not a list of ports/,
    );
    expect(() => parsePortList(SSH, 'authorizedTcpPorts', '70000')).toThrow(/above 65535/);
    expect(() => parsePortList(SSH, 'authorizedTcpPorts', '25-20')).toThrow(/ends before it starts/);
  });
});

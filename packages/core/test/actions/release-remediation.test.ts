import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupRulesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import { ACTIONS } from '../../src/actions/catalog.ts';
import {
  RELEASABLE_REMEDIATIONS,
  releasableSteps,
  releasePermissions,
  releaseRemediation,
} from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';
import type { RecordedRule } from '../../src/actions/security-group-rule-records.ts';
import { permissionKey } from '../../src/actions/types.ts';
import type { LedgerEntry } from '../../src/ledger/ledger.ts';

const GROUP = 'sg-0123456789abcdef0';
const SSH: RecordedRule = {
  ruleId: 'sgr-0000000000000004a',
  direction: 'ingress',
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  peer: { kind: 'ipv4', value: '0.0.0.0/0' },
  description: 'ssh from anywhere',
  tags: { team: 'ops' },
};
const V6: RecordedRule = {
  ruleId: 'sgr-0000000000000004b',
  direction: 'ingress',
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  peer: { kind: 'ipv6', value: '::/0' },
};
const OUT: RecordedRule = {
  ruleId: 'sgr-0000000000000004c',
  direction: 'egress',
  protocol: '-1',
  peer: { kind: 'ipv4', value: '0.0.0.0/0' },
};

function planned(step: string, restore: unknown, at = '2026-11-28T09:00:00.000Z'): LedgerEntry {
  return {
    incidentId: TEST_INCIDENT,
    step: step as LedgerEntry['step'],
    at,
    outcome: 'planned',
    dryRun: false,
    settingsVersion: 'v',
    input: {},
    changes: [],
    restore,
    notes: [],
  };
}

describe('release-remediation (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);

  beforeEach(() => {
    ec2.reset();
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
    ec2.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2.on(AuthorizeSecurityGroupEgressCommand).resolves({ Return: true });
  });

  it('authorizes each recorded rule again, with its description, and a tagged one with its tags', async () => {
    // Prepare
    const environment = actionEnvironment(clients);
    await environment.ledger.append(planned('revoke-open-ingress', { groupId: GROUP, rules: [SSH, V6] }));

    // Act
    const outcome = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: GROUP,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    });
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: GROUP,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh from anywhere' }],
        },
      ],
      TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'team', Value: 'ops' }] }],
    });
  });

  it('puts back only what is missing, in each direction', async () => {
    // Prepare: the SSH rule is back already.
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: 'sgr-0000000000000005a',
          IsEgress: false,
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          CidrIpv4: '0.0.0.0/0',
          Description: 'ssh from anywhere',
        },
      ],
    });
    const environment = actionEnvironment(clients);
    await environment.ledger.append(
      planned('close-default-security-group', { groupId: GROUP, rules: [SSH, OUT] }),
    );

    // Act
    await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(ec2).not.toHaveReceivedCommand(AuthorizeSecurityGroupIngressCommand);
    expect(ec2).toHaveReceivedCommandWith(AuthorizeSecurityGroupEgressCommand, {
      GroupId: GROUP,
      IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
  });

  it('reads the first restore record of a step, so a step retried after a fault is undone to where it started', async () => {
    // Prepare
    const environment = actionEnvironment(clients);
    await environment.ledger.append(planned('revoke-open-ingress', { groupId: GROUP, rules: [SSH, V6] }));
    await environment.ledger.append(
      planned('revoke-open-ingress', { groupId: GROUP, rules: [V6] }, '2026-11-28T09:00:05.000Z'),
    );

    // Act
    const steps = releasableSteps(await environment.ledger.entries(TEST_INCIDENT), ACTIONS);

    // Assess
    expect(steps).toHaveLength(1);
    expect(steps[0]?.restore).toEqual({ groupId: GROUP, rules: [SSH, V6] });
  });

  it('says there is nothing to release when the incident recorded no releasable change', async () => {
    // Prepare: a containment's record is ec2-release's, not this release's.
    const environment = actionEnvironment(clients);
    await environment.ledger.append(planned('isolate-instance', { instanceId: 'i-0abc1234def567890' }));

    // Act
    const run = runAction(releaseRemediation, envelope(), environment);

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(/Nothing to release/);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('refuses a restore record its release cannot read, naming what is wrong, and changes nothing', async () => {
    // Prepare
    const environment = actionEnvironment(clients);
    await environment.ledger.append(planned('revoke-open-ingress', { groupId: 'not-a-group', rules: 'all' }));

    // Act
    const run = runAction(releaseRemediation, envelope(), environment);

    // Assess
    await expect(run).rejects.toThrow(
      /restore record of revoke-open-ingress .* groupId: must be a security group id/,
    );
    expect(ec2).not.toHaveReceivedCommand(AuthorizeSecurityGroupIngressCommand);
  });

  it('changes nothing in dry-run, and says what it would put back', async () => {
    // Prepare
    const environment = actionEnvironment(clients);
    await environment.ledger.append(planned('revoke-open-ingress', { groupId: GROUP, rules: [SSH] }));

    // Act
    const outcome = await runAction(releaseRemediation, { ...envelope(), dryRun: true }, environment);

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.changes).toEqual([
      {
        resource: GROUP,
        attribute: 'ingress:ingress tcp 22-22 0.0.0.0/0',
        before: null,
        after: 'ingress tcp 22-22 0.0.0.0/0 "ssh from anywhere"',
      },
    ]);
    expect(ec2).not.toHaveReceivedCommand(AuthorizeSecurityGroupIngressCommand);
  });

  it('holds the union of the releases’ permissions, each grant once, and none of the fixes’ own', () => {
    // Act
    const union = releasePermissions(RELEASABLE_REMEDIATIONS);

    // Assess
    expect(releaseRemediation.permissions).toEqual(union);
    const keys = union.map(permissionKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const action of RELEASABLE_REMEDIATIONS) {
      for (const permission of action.release?.permissions ?? [])
        expect(keys).toContain(permissionKey(permission));
    }
    const actions = union.flatMap((permission) => permission.actions);
    expect(actions).not.toContain('ec2:RevokeSecurityGroupIngress');
  });

  it('releases every action of the catalog that declares a release', () => {
    // Assess
    const declaring = Object.values(ACTIONS)
      .filter((action) => action.release !== undefined)
      .map((action) => action.id)
      .sort();
    expect(RELEASABLE_REMEDIATIONS.map((action) => action.id).sort()).toEqual(declaring);
  });
});

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
  releaseRemediationOf,
} from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';
import type { RecordedRule } from '../../src/actions/security-group-rule-records.ts';
import { permissionKey } from '../../src/actions/types.ts';
import type { LedgerEntry } from '../../src/ledger/ledger.ts';
import * as z from '../../src/zod.ts';

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

describe('releaseRemediationOf (the release of each step, in order)', () => {
  /** A release that puts back `changes` (none when already back), recording each apply; `fail` makes apply throw. */
  function fakeRelease(name: string, changes: number, log: string[], fail?: Error) {
    return {
      summary: `puts ${name} back`,
      restore: z.object({ id: z.string() }),
      permissions: [{ actions: [`fake:Put${name}`], resources: ['*'], why: `put ${name} back` }],
      async plan(restore: { id: string }) {
        return {
          changes: Array.from({ length: changes }, (_, index) => ({
            resource: restore.id,
            attribute: `${name}-${index}`,
            before: null,
            after: 'back',
          })),
          notes: [`${name} planned for ${restore.id}`],
          output: { planned: name },
          async apply() {
            log.push(name);
            if (fail !== undefined) throw fail;
            return { applied: name };
          },
        };
      },
    };
  }

  function context(entries: LedgerEntry[]) {
    return {
      ...actionEnvironment(realClients()),
      ledger: { entries: async () => entries, append: async () => undefined },
      step: 'release-remediation' as const,
      incidentId: TEST_INCIDENT,
      account: '123456789012',
      region: 'us-east-1',
      dryRun: false,
    } as unknown as Parameters<ReturnType<typeof releaseRemediationOf>['plan']>[1];
  }

  const input = { incidentId: TEST_INCIDENT, account: '123456789012', region: 'us-east-1', dryRun: false };

  it('plans every step in the order the steps ran, with each note named after its step', async () => {
    // Prepare
    const log: string[] = [];
    const release = releaseRemediationOf([
      { id: 'revoke-open-ingress', release: fakeRelease('a', 1, log) },
      { id: 'start-trail-logging', release: fakeRelease('b', 2, log) },
    ]);
    const entries = [
      planned('start-trail-logging', { id: 'trail' }, '2026-11-28T09:00:00.000Z'),
      planned('revoke-open-ingress', { id: 'sg' }, '2026-11-28T09:10:00.000Z'),
    ];

    // Act
    const plan = await release.plan(input, context(entries));
    const applied = await plan.apply();

    // Assess
    expect(plan.notes).toEqual([
      'start-trail-logging: b planned for trail',
      'revoke-open-ingress: a planned for sg',
    ]);
    expect(plan.changes.map((change) => change.attribute)).toEqual(['b-0', 'b-1', 'a-0']);
    expect(plan.output).toEqual({
      releasedSteps: ['start-trail-logging', 'revoke-open-ingress'],
      results: { 'start-trail-logging': { planned: 'b' }, 'revoke-open-ingress': { planned: 'a' } },
    });
    expect(log).toEqual(['b', 'a']);
    expect(applied).toEqual({
      releasedSteps: ['start-trail-logging', 'revoke-open-ingress'],
      results: { 'start-trail-logging': { applied: 'b' }, 'revoke-open-ingress': { applied: 'a' } },
    });
  });

  it('applies nothing for a step already back, and reports its planned output', async () => {
    const log: string[] = [];
    const release = releaseRemediationOf([
      { id: 'revoke-open-ingress', release: fakeRelease('a', 0, log) },
      { id: 'start-trail-logging', release: fakeRelease('b', 1, log) },
    ]);
    const plan = await release.plan(
      input,
      context([
        planned('revoke-open-ingress', { id: 'sg' }),
        planned('start-trail-logging', { id: 'trail' }),
      ]),
    );
    const applied = await plan.apply();
    expect(log).toEqual(['b']);
    expect(applied.results).toEqual({
      'revoke-open-ingress': { planned: 'a' },
      'start-trail-logging': { applied: 'b' },
    });
  });

  it('says, on a fault mid-way, which steps were put back and which were not', async () => {
    // Prepare
    const log: string[] = [];
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const release = releaseRemediationOf([
      { id: 'revoke-open-ingress', release: fakeRelease('a', 1, log) },
      { id: 'start-trail-logging', release: fakeRelease('b', 1, log, throttled) },
      { id: 'enable-log-file-validation', release: fakeRelease('c', 1, log) },
    ]);
    const plan = await release.plan(
      input,
      context([
        planned('revoke-open-ingress', { id: 'sg' }, '2026-11-28T09:00:00.000Z'),
        planned('start-trail-logging', { id: 'trail' }, '2026-11-28T09:00:01.000Z'),
        planned('enable-log-file-validation', { id: 'trail' }, '2026-11-28T09:00:02.000Z'),
      ]),
    );

    // Act
    const run = plan.apply();

    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ThrottledError',
      message: expect.stringContaining(
        'release-remediation: start-trail-logging failed: ThrottlingException',
      ),
      partial: {
        done: ['revoke-open-ingress'],
        notDone: ['start-trail-logging', 'enable-log-file-validation'],
      },
    });
    expect(log).toEqual(['a', 'b']);
  });

  it('names every releasable remediation when nothing is to be released, and reads no entry of another kind', async () => {
    const release = releaseRemediationOf([
      { id: 'revoke-open-ingress', release: fakeRelease('a', 1, []) },
      { id: 'start-trail-logging', release: fakeRelease('b', 1, []) },
      { id: 'notify' },
    ]);
    await expect(
      release.plan(
        input,
        context([planned('isolate-instance', { id: 'i' }), planned('notify', { id: 'n' })]),
      ),
    ).rejects.toThrow(
      `Nothing to release: incident ${TEST_INCIDENT} recorded no change by a remediation that declares a release (revoke-open-ingress, start-trail-logging).`,
    );
  });

  it('names a record that is not an object as the record, and says nothing was changed', async () => {
    const release = releaseRemediationOf([{ id: 'revoke-open-ingress', release: fakeRelease('a', 1, []) }]);
    await expect(
      release.plan(input, context([planned('revoke-open-ingress', 'all', '2026-11-28T09:00:00.000Z')])),
    ).rejects.toThrow(
      /^The restore record of revoke-open-ingress \(written 2026-11-28T09:00:00\.000Z\) is not what its release reads: \(record\): .+\. Nothing was changed\.$/,
    );
  });
});

describe('releasableSteps', () => {
  const releases = {
    'revoke-open-ingress': {
      id: 'revoke-open-ingress' as const,
      release: ACTIONS['revoke-open-ingress'].release,
    },
  };

  it('reads planned entries with a restore record only, of steps that declare a release, oldest first', () => {
    const entries = [
      planned('close-default-security-group', { groupId: GROUP, rules: [] }, '2026-11-28T09:00:10.000Z'),
      {
        ...planned('revoke-open-ingress', { groupId: GROUP, rules: [SSH] }, '2026-11-28T09:00:00.000Z'),
        outcome: 'done' as const,
      },
      planned('revoke-open-ingress', undefined, '2026-11-28T09:00:01.000Z'),
      planned('triage', { groupId: GROUP, rules: [] }, '2026-11-28T08:00:00.000Z'),
      planned('revoke-open-ingress', { groupId: GROUP, rules: [V6] }, '2026-11-28T09:00:02.000Z'),
    ];
    expect(releasableSteps(entries, ACTIONS).map((step) => [step.step, step.at])).toEqual([
      ['revoke-open-ingress', '2026-11-28T09:00:02.000Z'],
      ['close-default-security-group', '2026-11-28T09:00:10.000Z'],
    ]);
    expect(releasableSteps(entries, releases).map((step) => step.step)).toEqual(['revoke-open-ingress']);
  });

  it('does not take a step named like an inherited property for a releasable one', () => {
    const inherited = Object.create({
      'revoke-open-ingress': { id: 'revoke-open-ingress', release: ACTIONS['revoke-open-ingress'].release },
    });
    expect(
      releasableSteps([planned('revoke-open-ingress', { groupId: GROUP, rules: [SSH] })], inherited),
    ).toEqual([]);
  });
});

describe('releasePermissions', () => {
  it('keeps each grant once, in the order first declared, and skips an action without a release', () => {
    const grant = (action: string) => ({ actions: [action], resources: ['*'], why: action });
    const release = (permissions: ReturnType<typeof grant>[]) => ({
      summary: 's',
      restore: z.object({}),
      permissions,
      plan: async () => ({ changes: [], notes: [], output: null, apply: async () => null }),
    });
    expect(
      releasePermissions([
        { id: 'revoke-open-ingress', release: release([grant('ec2:B'), grant('ec2:A')]) },
        { id: 'notify' },
        { id: 'close-default-security-group', release: release([grant('ec2:A'), grant('ec2:C')]) },
      ]),
    ).toEqual([grant('ec2:B'), grant('ec2:A'), grant('ec2:C')]);
  });
});

describe('release-remediation, as declared', () => {
  it('is a mutating action retried on throttling and transient faults, described for the catalog', () => {
    const release = releaseRemediationOf([]);
    expect(release).toMatchObject({
      id: 'release-remediation',
      mutating: true,
      retryableErrors: ['ThrottledError', 'TransientServiceError'],
      summary:
        "Puts back exactly what an incident's remediations removed, from the restore records they wrote in the ledger before changing anything.",
      undo: 'Not undone by Cordon: to fix the resource again, AWS Config re-evaluates it and a new incident runs the remediation.',
      dryRunBehaviour:
        'Reads the ledger and the live resources and records what it would put back; no call changes anything.',
    });
  });

  it('keeps the first of two grants with the same actions and resources, whatever their reasons say', () => {
    const grant = (why: string) => ({ actions: ['ec2:A'], resources: ['*'], why });
    const release = (why: string) => ({
      summary: 's',
      restore: z.object({}),
      permissions: [grant(why)],
      plan: async () => ({ changes: [], notes: [], output: null, apply: async () => null }),
    });
    expect(
      releasePermissions([
        { id: 'revoke-open-ingress', release: release('first') },
        { id: 'close-default-security-group', release: release('second') },
      ]),
    ).toEqual([grant('first')]);
  });

  it('skips a step whose action is listed without a definition', () => {
    expect(
      releasableSteps([planned('revoke-open-ingress', { groupId: GROUP, rules: [SSH] })], {
        'revoke-open-ingress': undefined,
      }),
    ).toEqual([]);
  });

  it('names every problem of a restore record, each by its path', async () => {
    const environment = actionEnvironment(realClients());
    await environment.ledger.append(
      planned('revoke-open-ingress', { groupId: 'not-a-group', rules: [{ ...SSH, peer: { kind: 'x' } }] }),
    );
    await expect(runAction(releaseRemediation, envelope(), environment)).rejects.toThrow(
      /: groupId: must be a security group id; rules\.0\.peer\.kind: .+; rules\.0\.peer\.value: .+\. Nothing was changed\.$/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  roundTripCounter,
  sandboxClients,
  TEST_INCIDENT,
  TEST_NOW,
} from '../../../../test/support/actions.ts';
import { environmentOn, TWO_VPCS, testSandbox, twoVpcs } from '../../../../test/support/sandbox.ts';
import { sandboxLedger } from '../../../local/src/clients.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { seedCordonResources } from '../../../local/src/seed.ts';
import { type ContainInstanceOutput, containInstance } from '../../src/actions/contain-instance.ts';
import { ISOLATION_GROUP_NAMES } from '../../src/actions/guardrails.ts';
import { type InstanceObservation, observeInstance } from '../../src/actions/observe-instance.ts';
import { releaseInstance } from '../../src/actions/release-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const { a: VPC_A, b: VPC_B } = TWO_VPCS;
const ENI_A = 'eni-0aaaaaaaaaaaaaa01';
const ENI_B = 'eni-0bbbbbbbbbbbbbb02';
const ENI_LATE = 'eni-0aaaaaaaaaaaaaa03';

/**
 * An instance with an ENI in each of two VPCs, a volume deleted on termination, in Auto Scaling group `web`;
 * the isolation groups exist in both VPCs (an earlier incident made them), unless `groupsExist` is false.
 */
async function seeded(options: { sleep?: (ms: number) => Promise<void>; groupsExist?: boolean } = {}) {
  const sandbox = testSandbox(options.sleep === undefined ? {} : { sleep: options.sleep });
  const { web, db } = twoVpcs(sandbox);
  sandbox.ec2.addInstance({
    instanceId: INSTANCE_ID,
    vpcId: VPC_A,
    subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
    networkInterfaces: [
      { networkInterfaceId: ENI_A, groupIds: [web] },
      { networkInterfaceId: ENI_B, groupIds: [db], vpcId: VPC_B, subnetId: 'subnet-0bbbbbbbbbbbbbbb1' },
    ],
    volumes: [{ volumeId: 'vol-0aaaaaaaaaaaaaaa1', deviceName: '/dev/xvda', deleteOnTermination: true }],
    tags: { Name: 'web-1' },
    shutdownBehavior: 'terminate',
  });
  sandbox.autoScaling.addGroup({
    name: 'web',
    minSize: 1,
    maxSize: 4,
    instances: [{ instanceId: INSTANCE_ID }],
  });
  if (options.groupsExist ?? true) {
    // Contain a throwaway instance in both VPCs first, so that the isolation groups exist.
    for (const [index, vpcId] of [VPC_A, VPC_B].entries()) {
      const instanceId = `i-0fff00000000000f${index}`;
      sandbox.ec2.addInstance({
        instanceId,
        vpcId,
        subnetId: `subnet-0fff0000000000f${index}`,
        networkInterfaces: [{ networkInterfaceId: `eni-0fff00000000000f${index}`, groupIds: [] }],
      });
      await runAction(
        containInstance,
        { ...envelope(), incidentId: 'seed-incident', instanceId },
        environmentOn(sandbox),
      );
    }
  }
  const start = sandbox.account.calls.length;
  return { sandbox, groups: { web, db }, callsSinceSeeding: () => sandbox.account.calls.slice(start) };
}

function eniGroups(sandbox: Sandbox, eniId: string): string[] | undefined {
  return sandbox.ec2.snapshot().networkInterfaces[eniId]?.groupIds;
}

function groupId(sandbox: Sandbox, vpcId: string, name: string): string {
  const group = Object.values(sandbox.ec2.snapshot().securityGroups).find(
    (candidate) => candidate.vpcId === vpcId && candidate.groupName === name,
  );
  if (group === undefined) throw new Error(`no ${name} in ${vpcId}`);
  return group.groupId;
}

function lifecycleState(sandbox: Sandbox): string | undefined {
  return sandbox.autoScaling.snapshot().groups.web?.instances[INSTANCE_ID]?.lifecycleState;
}

async function observed(sandbox: Sandbox, at: Date = TEST_NOW): Promise<InstanceObservation> {
  return observeInstance(sandboxClients(sandbox.account), INSTANCE_ID, at);
}

async function contain(sandbox: Sandbox, observation: InstanceObservation | null = null) {
  const environment = environmentOn(sandbox);
  const outcome = await runAction(
    containInstance,
    { ...envelope(), instanceId: INSTANCE_ID, observation },
    environment,
  );
  return { outcome, environment };
}

describe('contain-instance (against the sandbox account)', () => {
  it('protects the evidence, puts the instance in Standby and isolates every ENI on the no-rule group of its VPC (DOMAIN.md items 12–15)', async () => {
    const { sandbox } = await seeded();

    const { outcome, environment } = await contain(sandbox);

    expect(outcome.status).toBe('done');
    const instance = sandbox.ec2.snapshot().instances[INSTANCE_ID];
    expect(instance).toMatchObject({ disableApiTermination: true, shutdownBehavior: 'stop' });
    expect(instance?.tags).toMatchObject({ 'cordon:incident': TEST_INCIDENT, 'cordon:quarantined': 'true' });
    expect(sandbox.ec2.snapshot().volumes['vol-0aaaaaaaaaaaaaaa1']?.attachment?.deleteOnTermination).toBe(
      false,
    );
    expect(lifecycleState(sandbox)).toBe('Standby');
    expect(eniGroups(sandbox, ENI_A)).toEqual([groupId(sandbox, VPC_A, ISOLATION_GROUP_NAMES.isolate)]);
    expect(eniGroups(sandbox, ENI_B)).toEqual([groupId(sandbox, VPC_B, ISOLATION_GROUP_NAMES.isolate)]);
    // One planned entry, with each part's restore record, written before the first change.
    const planned = environment.ledger.all().filter((entry) => entry.outcome === 'planned');
    expect(planned).toHaveLength(1);
    expect(planned[0]?.restore).toMatchObject({
      instanceId: INSTANCE_ID,
      parts: {
        'protect-evidence': { disableApiTermination: false, shutdownBehavior: 'terminate' },
        'detach-from-autoscaling': { autoScalingGroupName: 'web', lifecycleState: 'InService' },
        'isolate-instance': {
          networkInterfaces: [
            expect.objectContaining({ networkInterfaceId: ENI_A }),
            expect.objectContaining({ networkInterfaceId: ENI_B }),
          ],
        },
      },
    });
  });

  it('cuts the network only after EnterStandby has answered (DOMAIN.md item 13), moving to the allow-all group meanwhile', async () => {
    const { sandbox, callsSinceSeeding } = await seeded();
    sandbox.account.injectLatency({ command: 'EnterStandby', ms: 40 });
    const isolate = groupId(sandbox, VPC_A, ISOLATION_GROUP_NAMES.isolate);
    const untrack = groupId(sandbox, VPC_A, ISOLATION_GROUP_NAMES.untrack);

    await contain(sandbox);

    // The log is in the order the calls were answered.
    const answered = callsSinceSeeding().map((call) => {
      const groups = (call.input as { Groups?: string[] }).Groups ?? [];
      return call.command === 'ModifyNetworkInterfaceAttribute'
        ? `move to ${groups.join(',')}`
        : call.command;
    });
    const standby = answered.indexOf('EnterStandby');
    expect(answered.indexOf(`move to ${untrack}`)).toBeLessThan(standby);
    expect(answered.indexOf(`move to ${isolate}`)).toBeGreaterThan(standby);
  });

  it('changes nothing on the network when EnterStandby is refused: every ENI goes back to its own groups', async () => {
    const { sandbox, groups } = await seeded();
    sandbox.account.injectFault({ command: 'EnterStandby', error: 'AccessDenied' });

    const failure = await contain(sandbox).catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: 'AccessDeniedError' });
    expect(eniGroups(sandbox, ENI_A)).toEqual([groups.web]);
    expect(eniGroups(sandbox, ENI_B)).toEqual([groups.db]);
    expect(lifecycleState(sandbox)).toBe('InService');
    expect((failure as { partial?: { notDone: string[] } }).partial?.notDone).toEqual([
      `${ENI_A} (moved back to its original groups)`,
      `${ENI_B} (moved back to its original groups)`,
    ]);
  });

  it('tries an ENI back to its own groups again when the move back is throttled, so none stays on the allow-all group', async () => {
    const { sandbox, groups } = await seeded();
    sandbox.account.injectFault({ command: 'EnterStandby', error: 'AccessDenied' });
    const clients = throttlingMovesBack(sandboxClients(sandbox.account), sandbox, 2);

    const failure = await runAction(
      containInstance,
      { ...envelope(), instanceId: INSTANCE_ID },
      actionEnvironment(clients),
    ).catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: 'AccessDeniedError' });
    expect(eniGroups(sandbox, ENI_A)).toEqual([groups.web]);
    expect(eniGroups(sandbox, ENI_B)).toEqual([groups.db]);
  });

  it('asks to be tried again (a retryable error) while an ENI is left on the allow-all group, and the retry puts it back from the ledger', async () => {
    const { sandbox, groups } = await seeded();
    sandbox.account.injectFault({ command: 'EnterStandby', error: 'AccessDenied' });
    const environment = actionEnvironment(
      throttlingMovesBack(sandboxClients(sandbox.account), sandbox, Number.POSITIVE_INFINITY),
    );
    const input = { ...envelope(), instanceId: INSTANCE_ID };

    const first = await runAction(containInstance, input, environment).catch((error: unknown) => error);
    const untrack = groupId(sandbox, VPC_A, ISOLATION_GROUP_NAMES.untrack);
    const openAfterFirst = eniGroups(sandbox, ENI_A);
    // Step Functions retries with the same input; the calls go through again.
    const retry = await runAction(containInstance, input, {
      ...environment,
      clients: sandboxClients(sandbox.account),
    }).catch((error: unknown) => error);

    expect(first).toMatchObject({ name: 'ThrottledError', retryable: true });
    expect(openAfterFirst).toEqual([untrack]);
    expect(retry).toMatchObject({ name: 'AccessDeniedError' });
    expect(eniGroups(sandbox, ENI_A)).toEqual([groups.web]);
    expect(eniGroups(sandbox, ENI_B)).toEqual([groups.db]);
  });

  it('reads live state at once when triage’s reads cannot be contained as they were (the instance was still joining its group)', async () => {
    const { sandbox } = await seeded();
    const observation = await observed(sandbox);
    const joining = { ...observation, autoScaling: { groupName: 'web', lifecycleState: 'Pending' } };

    const { outcome } = await contain(sandbox, joining);

    expect(outcome.output).toMatchObject({ readFrom: 'live' });
    expect(lifecycleState(sandbox)).toBe('Standby');
  });

  it('contains an instance for one incident at a time: a second incident waits (a retryable error), then finds it contained', async () => {
    const { sandbox } = await seeded();
    sandbox.account.injectLatency({ command: 'EnterStandby', ms: 30 });
    seedCordonResources(sandbox);
    const ledger = sandboxLedger(sandbox, 30);
    const environment = { ...environmentOn(sandbox), ledger };
    const observation = await observed(sandbox);
    const incident = (id: string) => ({
      ...envelope(),
      incidentId: id,
      instanceId: INSTANCE_ID,
      observation,
    });

    const [first, second] = await Promise.allSettled([
      runAction(containInstance, incident('incident-one'), environment),
      runAction(containInstance, incident('incident-two'), environment),
    ]);
    // Step Functions retries the second incident's step.
    const retried = await runAction(containInstance, incident('incident-two'), environment);

    expect(first).toMatchObject({ status: 'fulfilled', value: { status: 'done' } });
    expect(second).toMatchObject({
      status: 'rejected',
      reason: { name: 'EventualConsistencyError', message: expect.stringContaining('incident-one') },
    });
    expect(retried.status).toMatch(/done/);
    const isolate = groupId(sandbox, VPC_A, ISOLATION_GROUP_NAMES.isolate);
    expect(eniGroups(sandbox, ENI_A)).toEqual([isolate]);
    expect(eniGroups(sandbox, ENI_B)).toEqual([groupId(sandbox, VPC_B, ISOLATION_GROUP_NAMES.isolate)]);
    // Each ENI was moved to the allow-all group once, by the first incident only: the second never re-opened it.
    const reopened = sandbox.account.calls.filter(
      (call) =>
        call.command === 'ModifyNetworkInterfaceAttribute' &&
        (call.input as { NetworkInterfaceId?: string }).NetworkInterfaceId === ENI_A &&
        (call.input as { Groups?: string[] }).Groups?.[0] ===
          groupId(sandbox, VPC_A, ISOLATION_GROUP_NAMES.untrack),
    );
    expect(reopened).toHaveLength(1);
  });

  it('contains in three round trips from live reads, and from triage’s reads too, reading everything again alongside the ledger entry', async () => {
    const counter = roundTripCounter();
    const live = await seeded({ sleep: counter.sleep });
    sandboxLatency(live.sandbox);
    const before = counter.count();
    await contain(live.sandbox);
    const fromLiveReads = counter.count() - before;

    const counted = roundTripCounter();
    const fresh = await seeded({ sleep: counted.sleep });
    sandboxLatency(fresh.sandbox);
    const observation = await observed(fresh.sandbox);
    const start = counted.count();
    const reads = fresh.callsSinceSeeding().length;
    await contain(fresh.sandbox, observation);
    const fromObservation = counted.count() - start;

    // reads → protect ∥ Standby ∥ allow-all → no-rule (the ledger is in memory here).
    expect(fromLiveReads).toBe(3);
    // re-reads → protect ∥ Standby ∥ allow-all → no-rule; in AWS the re-reads overlap the ledger write, which
    // the reads before it (without triage's) cannot.
    expect(fromObservation).toBe(3);
    const describes = fresh
      .callsSinceSeeding()
      .slice(reads)
      .filter((call) => call.command.startsWith('Describe'));
    expect(describes.map((call) => call.command).sort()).toEqual([
      'DescribeAutoScalingInstances',
      'DescribeInstanceAttribute',
      'DescribeInstanceAttribute',
      'DescribeInstances',
      'DescribeSecurityGroups',
    ]);
    expect(eniGroups(fresh.sandbox, ENI_A)).toEqual([
      groupId(fresh.sandbox, VPC_A, ISOLATION_GROUP_NAMES.isolate),
    ]);
  });

  it('reads live state when the observation is older than 30 s', async () => {
    const { sandbox, callsSinceSeeding } = await seeded();
    const stale = await observed(sandbox, new Date(TEST_NOW.getTime() - 31_000));
    const reads = callsSinceSeeding().length;

    const { outcome } = await contain(sandbox, stale);

    const describes = callsSinceSeeding()
      .slice(reads)
      .filter((call) => call.command.startsWith('Describe'))
      .map((call) => call.command)
      .sort();
    expect(describes).toEqual([
      'DescribeAutoScalingInstances',
      'DescribeInstanceAttribute',
      'DescribeInstanceAttribute',
      'DescribeInstances',
      'DescribeSecurityGroups',
    ]);
    expect((outcome.output as ContainInstanceOutput).readFrom).toBe('live');
  });

  it('plans again from live state when an ENI was attached after triage read the instance, and isolates it too', async () => {
    const { sandbox, groups } = await seeded();
    const observation = await observed(sandbox);
    sandbox.ec2.attachNetworkInterface({
      instanceId: INSTANCE_ID,
      networkInterfaceId: ENI_LATE,
      groupIds: [groups.web],
      subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
    });

    const { outcome, environment } = await contain(sandbox, observation);

    expect((outcome.output as ContainInstanceOutput).replanned).toBe(true);
    const isolate = groupId(sandbox, VPC_A, ISOLATION_GROUP_NAMES.isolate);
    expect(eniGroups(sandbox, ENI_LATE)).toEqual([isolate]);
    expect(eniGroups(sandbox, ENI_A)).toEqual([isolate]);
    // The late ENI's own groups are recorded before it moved, so a release gives them back.
    const restores = JSON.stringify(environment.ledger.all().map((entry) => entry.restore));
    expect(restores).toContain(ENI_LATE);
    // The step's record tells what the live plan changed.
    const done = environment.ledger.all().filter((entry) => entry.outcome === 'done');
    expect(done.at(-1)?.changes.map((change) => change.resource)).toContain(ENI_LATE);
  });

  it('puts an instance that joined an Auto Scaling group after triage read it in Standby before cutting it off (DOMAIN.md item 13)', async () => {
    const { sandbox } = await seeded();
    const observation = { ...(await observed(sandbox)), autoScaling: null };

    const { outcome } = await contain(sandbox, observation);

    expect(outcome.output).toMatchObject({ replanned: true });
    expect(lifecycleState(sandbox)).toBe('Standby');
    expect(eniGroups(sandbox, ENI_A)).toEqual([groupId(sandbox, VPC_A, ISOLATION_GROUP_NAMES.isolate)]);
  });

  it('refuses, changing nothing, an instance tagged exempt after triage read it (DOMAIN.md items 11 and 30)', async () => {
    const { sandbox, groups } = await seeded();
    const observation = await observed(sandbox);
    sandbox.ec2.tagInstance(INSTANCE_ID, { 'cordon:exempt': 'true' });

    const failure = await contain(sandbox, observation).catch((error: unknown) => error);

    expect(failure).toMatchObject({ name: 'ExemptResourceError' });
    expect(eniGroups(sandbox, ENI_A)).toEqual([groups.web]);
    expect(lifecycleState(sandbox)).toBe('InService');
    expect(sandbox.ec2.snapshot().instances[INSTANCE_ID]?.disableApiTermination).toBe(false);
  });

  it('finishes on retry when a first try stopped half-way (the instance already in Standby)', async () => {
    const { sandbox } = await seeded();
    const observation = await observed(sandbox);
    sandbox.account.injectFault({
      command: 'ModifyNetworkInterfaceAttribute',
      error: 'RequestLimitExceeded',
      times: 1,
    });

    const first = await contain(sandbox, observation).catch((error: unknown) => error);
    // Step Functions retries with the same input, observation included.
    const { outcome } = await contain(sandbox, observation);

    expect(first).toMatchObject({ name: 'ThrottledError' });
    expect(outcome.status).toBe('done');
    expect(lifecycleState(sandbox)).toBe('Standby');
    expect(eniGroups(sandbox, ENI_B)).toEqual([groupId(sandbox, VPC_B, ISOLATION_GROUP_NAMES.isolate)]);
  });

  it('in dry-run reads, records what it would change, and changes nothing', async () => {
    const { sandbox, groups, callsSinceSeeding } = await seeded();
    const environment = environmentOn(sandbox);

    const outcome = await runAction(
      containInstance,
      { ...envelope(true), instanceId: INSTANCE_ID },
      environment,
    );

    expect(outcome.status).toBe('dry-run');
    expect(outcome.changes.length).toBeGreaterThan(3);
    expect(eniGroups(sandbox, ENI_A)).toEqual([groups.web]);
    expect(lifecycleState(sandbox)).toBe('InService');
    expect(callsSinceSeeding().every((call) => call.command.startsWith('Describe'))).toBe(true);
  });

  it('is undone by release-instance from its one ledger entry', async () => {
    const { sandbox, groups } = await seeded();
    const { environment } = await contain(sandbox, await observed(sandbox));

    await runAction(releaseInstance, { ...envelope(), instanceId: INSTANCE_ID }, environment);

    expect(eniGroups(sandbox, ENI_A)).toEqual([groups.web]);
    expect(eniGroups(sandbox, ENI_B)).toEqual([groups.db]);
    expect(lifecycleState(sandbox)).toBe('InService');
    expect(sandbox.ec2.snapshot().instances[INSTANCE_ID]?.tags).not.toHaveProperty('cordon:quarantined');
  });
});

/**
 * The sandbox's clients, with the moves of ENIs back to their own (non-Cordon) groups throttled `times` times:
 * what a burst does to the calls that undo an allow-all move.
 */
function throttlingMovesBack(
  clients: ReturnType<typeof sandboxClients>,
  sandbox: Sandbox,
  times: number,
): ReturnType<typeof sandboxClients> {
  let left = times;
  const send = clients.ec2.send.bind(clients.ec2);
  const ec2 = Object.create(clients.ec2) as typeof clients.ec2;
  ec2.send = (async (command: { input: { Groups?: string[] }; constructor: { name: string } }) => {
    const cordon = new Set(
      Object.values(sandbox.ec2.snapshot().securityGroups)
        .filter((group) => group.groupName.startsWith('cordon-isolation'))
        .map((group) => group.groupId),
    );
    const groups = command.input.Groups ?? [];
    const backToOwn =
      command.constructor.name === 'ModifyNetworkInterfaceAttributeCommand' &&
      groups.length > 0 &&
      groups.every((id) => !cordon.has(id));
    if (backToOwn && left > 0) {
      left -= 1;
      throw Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
    }
    return send(command as never);
  }) as typeof ec2.send;
  return { ...clients, ec2 };
}

/** Every call takes a moment, so that calls sent together are answered together. */
function sandboxLatency(sandbox: Sandbox): void {
  sandbox.account.injectLatency({ command: '*', ms: 1 });
}

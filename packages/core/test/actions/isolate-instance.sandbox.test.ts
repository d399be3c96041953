import { AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import {
  envelope,
  roundTripCounter,
  sandboxClients,
  TEST_INCIDENT,
} from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectUnchanged,
  TWO_VPCS,
  testSandbox,
  twoVpcs,
} from '../../../../test/support/sandbox.ts';
import { awsError } from '../../../local/src/sandbox/errors.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import type { Ec2State } from '../../../local/src/sandbox/models/ec2.ts';
import { isolateInstance } from '../../src/actions/isolate-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const OTHER_INSTANCE_ID = 'i-0abc1234def567891';
const { a: VPC_A, b: VPC_B } = TWO_VPCS;
const ENI_1 = 'eni-0aaaaaaaaaaaaaa01';
const ENI_2 = 'eni-0aaaaaaaaaaaaaa02';
const ENI_3 = 'eni-0bbbbbbbbbbbbbb03';
const ENI_4 = 'eni-0aaaaaaaaaaaaaa04';

/**
 * An instance with three ENIs: two in VPC A (primary and secondary), one in VPC B (a multi-VPC attachment),
 * each on its own groups. `options.sleep` lets a test count round trips.
 */
function seededSandbox(options: { sleep?: (ms: number) => Promise<void> } = {}) {
  const sandbox = testSandbox(options);
  const { web, db } = twoVpcs(sandbox, { ipv6: true });
  const admin = sandbox.ec2.addSecurityGroup({ groupName: 'admin', vpcId: VPC_A });
  sandbox.ec2.addInstance({
    instanceId: INSTANCE_ID,
    vpcId: VPC_A,
    subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
    networkInterfaces: [
      { networkInterfaceId: ENI_1, groupIds: [web] },
      { networkInterfaceId: ENI_2, groupIds: [web, admin] },
      { networkInterfaceId: ENI_3, groupIds: [db], vpcId: VPC_B, subnetId: 'subnet-0bbbbbbbbbbbbbbb1' },
    ],
    tags: { Name: 'web-1' },
  });
  return { sandbox, groups: { web, admin, db } };
}

function groupsOf(state: Ec2State, eniId: string): string[] | undefined {
  return state.networkInterfaces[eniId]?.groupIds;
}

function isolationGroup(state: Ec2State, vpcId: string, name: string) {
  const found = Object.values(state.securityGroups).filter(
    (group) => group.vpcId === vpcId && group.groupName === name,
  );
  expect(found).toHaveLength(1);
  const [group] = found;
  if (group === undefined) throw new Error(`no ${name} in ${vpcId}`);
  return group;
}

function rules(group: { ingress: ReadonlyArray<{ protocol: string; peer: { value: string } }> }) {
  return group.ingress.map((rule) => `${rule.protocol} ${rule.peer.value}`).sort();
}

function egressRules(group: { egress: ReadonlyArray<{ protocol: string; peer: { value: string } }> }) {
  return group.egress.map((rule) => `${rule.protocol} ${rule.peer.value}`).sort();
}

async function isolate(sandbox: Sandbox, instanceId = INSTANCE_ID, dryRun = false) {
  const environment = environmentOn(sandbox);
  const outcome = await runAction(isolateInstance, { ...envelope(dryRun), instanceId }, environment);
  return { outcome, environment };
}

describe('isolate-instance (against the sandbox account)', () => {
  it('isolates every ENI, not just the primary, each on the no-rule group of its own VPC', async () => {
    const { sandbox } = seededSandbox();

    const { outcome } = await isolate(sandbox);

    const state = sandbox.ec2.snapshot();
    const isolateA = isolationGroup(state, VPC_A, 'cordon-isolation').groupId;
    const isolateB = isolationGroup(state, VPC_B, 'cordon-isolation').groupId;
    expect(groupsOf(state, ENI_1)).toEqual([isolateA]);
    expect(groupsOf(state, ENI_2)).toEqual([isolateA]);
    expect(groupsOf(state, ENI_3)).toEqual([isolateB]);
    expect(outcome.output).toEqual({
      instanceId: INSTANCE_ID,
      isolationGroups: { [VPC_A]: isolateA, [VPC_B]: isolateB },
      networkInterfaces: [ENI_1, ENI_2, ENI_3],
    });
  });

  it('moves each ENI through the allow-all group before the no-rule group', async () => {
    const { sandbox } = seededSandbox();
    await isolate(sandbox);

    const state = sandbox.ec2.snapshot();
    const untrack = {
      [VPC_A]: isolationGroup(state, VPC_A, 'cordon-isolation-untrack').groupId,
      [VPC_B]: isolationGroup(state, VPC_B, 'cordon-isolation-untrack').groupId,
    };
    const moves = sandbox.account.calls
      .filter((call) => call.command === 'ModifyNetworkInterfaceAttribute')
      .map((call) => call.input as { NetworkInterfaceId: string; Groups: string[] });
    expect(moves.slice(0, 3)).toEqual([
      { NetworkInterfaceId: ENI_1, Groups: [untrack[VPC_A]] },
      { NetworkInterfaceId: ENI_2, Groups: [untrack[VPC_A]] },
      { NetworkInterfaceId: ENI_3, Groups: [untrack[VPC_B]] },
    ]);
    expect(moves.slice(3).map((move) => move.NetworkInterfaceId)).toEqual([ENI_1, ENI_2, ENI_3]);
    expect(sandbox.account.calls.map((call) => call.command)).not.toContain('ModifyInstanceAttribute');
  });

  it('the allow-all group allows all traffic, IPv4 and IPv6, in and out; the no-rule group has no egress rule left', async () => {
    const { sandbox } = seededSandbox();
    await isolate(sandbox);

    const state = sandbox.ec2.snapshot();
    for (const vpcId of [VPC_A, VPC_B]) {
      const untrack = isolationGroup(state, vpcId, 'cordon-isolation-untrack');
      expect(rules(untrack)).toEqual(['-1 0.0.0.0/0', '-1 ::/0']);
      expect(egressRules(untrack)).toEqual(['-1 0.0.0.0/0', '-1 ::/0']);
      expect(untrack.tags).toEqual({ 'cordon:managed': 'true' });
      const none = isolationGroup(state, vpcId, 'cordon-isolation');
      expect(none.ingress).toEqual([]);
      expect(none.egress).toEqual([]);
      expect(none.tags).toEqual({ 'cordon:managed': 'true' });
    }
  });

  it('creates the isolation groups once per VPC and reuses them for the next instance', async () => {
    const { sandbox, groups } = seededSandbox();
    sandbox.ec2.addInstance({
      instanceId: OTHER_INSTANCE_ID,
      vpcId: VPC_A,
      subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
      networkInterfaces: [{ networkInterfaceId: ENI_4, groupIds: [groups.web] }],
    });
    await isolate(sandbox);
    const created = sandbox.account.calls.filter((call) => call.command === 'CreateSecurityGroup').length;

    await isolate(sandbox, OTHER_INSTANCE_ID);

    const state = sandbox.ec2.snapshot();
    expect(created).toBe(4);
    expect(sandbox.account.calls.filter((call) => call.command === 'CreateSecurityGroup')).toHaveLength(4);
    // isolationGroup() asserts there is exactly one of each per VPC.
    expect(groupsOf(state, ENI_4)).toEqual([isolationGroup(state, VPC_A, 'cordon-isolation').groupId]);
  });

  it('puts right an isolation group whose rules drifted', async () => {
    const { sandbox } = seededSandbox();
    await isolate(sandbox);
    const drifted = isolationGroup(sandbox.ec2.snapshot(), VPC_A, 'cordon-isolation').groupId;
    // Someone opens SSH on the no-rule group.
    const opener = sandboxClients(sandbox.account);
    await opener.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: drifted,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );

    const { outcome } = await isolate(sandbox);

    expect(outcome.status).toBe('done');
    expect(outcome.changes).toEqual([
      { resource: drifted, attribute: 'rules', before: ['ingress tcp 22-22 0.0.0.0/0'], after: [] },
    ]);
    expect(isolationGroup(sandbox.ec2.snapshot(), VPC_A, 'cordon-isolation').ingress).toEqual([]);
  });

  it("records each ENI's original groups before changing them", async () => {
    const { sandbox, groups } = seededSandbox();
    const { environment } = await isolate(sandbox);

    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'done']);
    expect(entries[0]?.restore).toEqual({
      instanceId: INSTANCE_ID,
      networkInterfaces: [
        { networkInterfaceId: ENI_1, vpcId: VPC_A, groupIds: [groups.web] },
        { networkInterfaceId: ENI_2, vpcId: VPC_A, groupIds: [groups.web, groups.admin] },
        { networkInterfaceId: ENI_3, vpcId: VPC_B, groupIds: [groups.db] },
      ],
    });
  });

  it('changes nothing the second time', async () => {
    const { sandbox } = seededSandbox();
    await isolate(sandbox);
    const after = sandbox.account.snapshot();
    const mutatingBefore = sandbox.account.mutatingCalls().length;

    const { outcome, environment } = await isolate(sandbox);

    expect(outcome.status).toBe('already-done');
    expect(outcome.changes).toEqual([]);
    expect(sandbox.account.snapshot()).toEqual(after);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
    // No restore from this run: the first run's entry holds the original groups.
    expect((await environment.ledger.entries(TEST_INCIDENT)).map((entry) => entry.restore)).toEqual([
      undefined,
    ]);
  });

  it('changes nothing at all in dry-run', async () => {
    const { sandbox } = seededSandbox();
    const { outcome } = await expectUnchanged(sandbox, () => isolate(sandbox, INSTANCE_ID, true));

    expect(outcome.status).toBe('dry-run');
    expect(outcome.changes).toHaveLength(7);
  });

  it('isolates in three round trips when the groups exist, five when they must be created', async () => {
    const counter = roundTripCounter();
    const { sandbox } = seededSandbox({ sleep: counter.sleep });
    sandbox.account.injectLatency({ command: '*', ms: 1 });

    await isolate(sandbox);
    const firstRun = counter.count();
    // A second instance in the same VPCs finds the groups in place.
    sandbox.ec2.addInstance({
      instanceId: OTHER_INSTANCE_ID,
      vpcId: VPC_A,
      subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
      networkInterfaces: [
        {
          networkInterfaceId: ENI_4,
          groupIds: [isolationGroup(sandbox.ec2.snapshot(), VPC_A, 'web').groupId],
        },
      ],
    });
    await isolate(sandbox, OTHER_INSTANCE_ID);

    // describe instance ∥ describe groups → create → rules → allow-all → no-rule
    expect(firstRun).toBe(5);
    // describe instance ∥ describe groups → allow-all → no-rule
    expect(counter.count() - firstRun).toBe(3);
  });

  it('never leaves an ENI on the allow-all group: one that cannot reach the no-rule group for good goes back', async () => {
    const { sandbox, groups } = seededSandbox();
    // ENI_1 may not be moved onto the no-rule group (a terminal error); everything else works.
    const dispatch = sandbox.account.dispatch.bind(sandbox.account);
    sandbox.account.dispatch = async (service, command, input) => {
      const groupsAsked = (input.Groups as string[] | undefined) ?? [];
      const target = sandbox.ec2.snapshot().securityGroups[groupsAsked[0] ?? '']?.groupName;
      if (
        command === 'ModifyNetworkInterfaceAttribute' &&
        input.NetworkInterfaceId === ENI_1 &&
        target === 'cordon-isolation'
      ) {
        throw awsError('EC2', 'UnauthorizedOperation', 'You are not authorized to perform this operation.');
      }
      return dispatch(service, command, input);
    };

    const error = await runAction(
      isolateInstance,
      { ...envelope(), instanceId: INSTANCE_ID },
      environmentOn(sandbox),
    ).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'AccessDeniedError',
      partial: { done: [ENI_2, ENI_3], notDone: [`${ENI_1} (moved back to its original groups)`] },
    });
    expect(groupsOf(sandbox.ec2.snapshot(), ENI_1)).toEqual([groups.web]);
  });

  it('a second run after a fault mid-way finishes the job', async () => {
    const { sandbox, groups } = seededSandbox();
    // The first ENI move fails: ENI_1 keeps its groups, the other two are isolated.
    sandbox.account.injectFault({
      service: 'EC2',
      command: 'ModifyNetworkInterfaceAttribute',
      error: 'RequestLimitExceeded',
      times: 1,
    });
    const environment = environmentOn(sandbox);
    const input = { ...envelope(), instanceId: INSTANCE_ID };

    const error = await runAction(isolateInstance, input, environment).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ThrottledError',
      retryable: true,
      partial: { done: [ENI_2, ENI_3], notDone: [ENI_1] },
    });
    const failedState = sandbox.ec2.snapshot();
    expect(groupsOf(failedState, ENI_1)).toEqual([groups.web]);
    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    expect(entries[1]?.error).toMatchObject({ name: 'ThrottledError', awsError: 'RequestLimitExceeded' });

    // Act: Step Functions retries the step.
    const second = await runAction(isolateInstance, input, environment);

    expect(second.status).toBe('done');
    const state = sandbox.ec2.snapshot();
    const isolateA = isolationGroup(state, VPC_A, 'cordon-isolation').groupId;
    expect(groupsOf(state, ENI_1)).toEqual([isolateA]);
    expect(groupsOf(state, ENI_2)).toEqual([isolateA]);
    const all = await environment.ledger.entries(TEST_INCIDENT);
    expect(all.map((entry) => entry.outcome)).toEqual(['planned', 'failed', 'planned', 'done']);
    // The retry records only the ENI it had not touched; the others' originals are in the first entry.
    expect(all[2]?.restore).toEqual({
      instanceId: INSTANCE_ID,
      networkInterfaces: [{ networkInterfaceId: ENI_1, vpcId: VPC_A, groupIds: [groups.web] }],
    });
  });

  it('surfaces a terminal AWS error by its terminal name, and changes no ENI', async () => {
    const { sandbox } = seededSandbox();
    const before = sandbox.ec2.snapshot();
    sandbox.account.injectFault({
      service: 'EC2',
      command: 'CreateSecurityGroup',
      error: 'UnauthorizedOperation',
    });
    const environment = environmentOn(sandbox);

    const error = await runAction(
      isolateInstance,
      { ...envelope(), instanceId: INSTANCE_ID },
      environment,
    ).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'AccessDeniedError',
      retryable: false,
      partial: { done: [], notDone: [ENI_1, ENI_2, ENI_3] },
    });
    const state = sandbox.ec2.snapshot();
    for (const eni of [ENI_1, ENI_2, ENI_3]) {
      expect(groupsOf(state, eni)).toEqual(groupsOf(before, eni));
    }
    const entries = await environment.ledger.entries(TEST_INCIDENT);
    expect(entries.map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    expect(entries[1]?.error?.name).toBe('AccessDeniedError');
  });

  it('never leaves an ENI on the allow-all group when the no-rule group could not be prepared', async () => {
    const { sandbox } = seededSandbox();
    sandbox.account.injectFault({
      service: 'EC2',
      command: 'RevokeSecurityGroupEgress',
      error: 'InternalError',
      times: 2,
    });

    const error = await isolate(sandbox).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'TransientServiceError', retryable: true });
    const state = sandbox.ec2.snapshot();
    const untrackA = isolationGroup(state, VPC_A, 'cordon-isolation-untrack').groupId;
    const untrackB = isolationGroup(state, VPC_B, 'cordon-isolation-untrack').groupId;
    for (const eni of [ENI_1, ENI_2, ENI_3]) {
      expect(groupsOf(state, eni)).not.toContain(untrackA);
      expect(groupsOf(state, eni)).not.toContain(untrackB);
    }

    // The retry finds the half-prepared groups, puts their rules right and finishes.
    const { outcome } = await isolate(sandbox);
    expect(outcome.status).toBe('done');
    expect(sandbox.account.calls.filter((call) => call.command === 'CreateSecurityGroup')).toHaveLength(4);
    expect(isolationGroup(sandbox.ec2.snapshot(), VPC_B, 'cordon-isolation').egress).toEqual([]);
  });

  it('retries InvalidGroup.NotFound after creating a group as eventual consistency', async () => {
    const { sandbox, groups } = seededSandbox();
    // AWS has not yet propagated the new groups when the ENIs are moved.
    sandbox.account.injectFault({
      service: 'EC2',
      command: 'ModifyNetworkInterfaceAttribute',
      error: 'InvalidGroup.NotFound',
      times: 3,
    });

    const error = await isolate(sandbox).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'EventualConsistencyError', retryable: true });
    expect(groupsOf(sandbox.ec2.snapshot(), ENI_1)).toEqual([groups.web]);

    const { outcome } = await isolate(sandbox);
    expect(outcome.status).toBe('done');
    expect(sandbox.account.calls.filter((call) => call.command === 'CreateSecurityGroup')).toHaveLength(4);
  });

  it('refuses an exempt instance before any change', async () => {
    const sandbox = testSandbox();
    sandbox.ec2.addVpc({ vpcId: VPC_A });
    const web = sandbox.ec2.addSecurityGroup({ groupName: 'web', vpcId: VPC_A });
    sandbox.ec2.addInstance({
      instanceId: INSTANCE_ID,
      vpcId: VPC_A,
      subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
      networkInterfaces: [{ networkInterfaceId: ENI_1, groupIds: [web] }],
      tags: { 'cordon:exempt': 'true' },
    });

    await expect(isolate(sandbox)).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { loadEventWithAccount } from '../../../../test/support/events.ts';
import { environmentOn } from '../../../../test/support/sandbox.ts';
import { sandboxForIncident } from '../../../local/src/seed.ts';
import { ACTIONS, type ActionId } from '../../src/actions/catalog.ts';
import { runAction } from '../../src/actions/run-action.ts';
import type { Incident } from '../../src/intake/incident.ts';
import { intake } from '../../src/intake/intake.ts';

/** The ec2-compromise playbook's actions, in its order. */
const CONTAINMENT: readonly ActionId[] = [
  'contain-instance',
  'deregister-from-load-balancers',
  'snapshot-volumes',
  'quarantine-instance-profile',
];

/**
 * The 4-ENI SSH brute-force sample (its 13-digit placeholder account made a real one), seeded as if the
 * instance were compromised (ENIs in four VPCs).
 */
function seeded() {
  const result = intake(loadEventWithAccount('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json'));
  if (!result.accepted) throw new Error(result.reason);
  const { sandbox, incident } = sandboxForIncident(result.incident, { classicLoadBalancer: true });
  const instance = incident.resources.find((resource) => resource.kind === 'ec2-instance');
  if (instance?.kind !== 'ec2-instance') throw new Error('no instance');
  const environment = environmentOn(sandbox);
  const envelope = (item: Incident) => ({
    incidentId: item.id,
    account: item.account,
    region: item.region,
    dryRun: false,
  });
  return {
    sandbox,
    environment,
    input: { ...envelope(incident), instanceId: instance.instanceId },
    instanceId: instance.instanceId,
  };
}

/** What a release must give back: each ENI's groups, the profile, ASG membership, registrations, tags. */
function releasable(
  state: ReturnType<ReturnType<typeof seeded>['sandbox']['account']['snapshot']>,
  instanceId: string,
) {
  const ec2 = state.EC2 as {
    instances: Record<string, { tags: Record<string, string>; networkInterfaceIds: string[] }>;
    networkInterfaces: Record<string, { groupIds?: string[]; groups?: string[] }>;
    profileAssociations: Record<string, { instanceId: string; arn: string }>;
  };
  const instance = ec2.instances[instanceId];
  return {
    tags: instance?.tags,
    groups: instance?.networkInterfaceIds.map((id) => ec2.networkInterfaces[id]),
    profile: Object.values(ec2.profileAssociations)
      .filter((association) => association.instanceId === instanceId)
      .map((association) => association.arn),
    asg: JSON.stringify(state.AutoScaling).includes('"lifecycleState":"InService"'),
    targets: JSON.stringify(
      (state.ElasticLoadBalancingV2 as { targetGroups: unknown }).targetGroups,
    ).includes(`"id":"${instanceId}"`),
    classic: (state.ElasticLoadBalancing as { loadBalancers: Record<string, { instances: string[] }> })
      .loadBalancers,
  };
}

describe('containment and release with the real actions, against the sandbox', () => {
  it('contains every ENI of a multi-VPC instance, and release gives back exactly what was taken', async () => {
    const { sandbox, environment, input, instanceId } = seeded();
    const before = releasable(sandbox.account.snapshot(), instanceId);

    for (const id of CONTAINMENT) await runAction(ACTIONS[id], input, environment);
    const contained = releasable(sandbox.account.snapshot(), instanceId);
    expect(contained.tags).toMatchObject({ 'cordon:quarantined': 'true' });
    expect(contained.profile).toEqual([]);
    expect(contained.asg).toBe(false);
    expect(contained.groups).not.toEqual(before.groups);

    const outcome = await runAction(ACTIONS['release-instance'], input, environment);
    expect(outcome.status).toBe('done');
    expect(releasable(sandbox.account.snapshot(), instanceId)).toEqual(before);
  });

  it('runs the whole containment a second time without a single mutating call', async () => {
    const { sandbox, environment, input } = seeded();
    for (const id of CONTAINMENT) await runAction(ACTIONS[id], input, environment);
    const mutating = sandbox.account.mutatingCalls().length;
    const statuses = [];
    for (const id of CONTAINMENT) statuses.push((await runAction(ACTIONS[id], input, environment)).status);
    expect(statuses).toEqual(CONTAINMENT.map(() => 'already-done'));
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutating);
  });

  it('changes nothing at all in dry-run', async () => {
    const { sandbox, environment, input } = seeded();
    const before = sandbox.account.snapshot();
    for (const id of CONTAINMENT) await runAction(ACTIONS[id], { ...input, dryRun: true }, environment);
    expect(sandbox.account.snapshot()).toEqual(before);
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });
});

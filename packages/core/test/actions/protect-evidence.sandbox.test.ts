import { describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  sandboxClients,
  TEST_INCIDENT,
} from '../../../../test/support/actions.ts';
import { createSandbox } from '../../../local/src/sandbox/index.ts';
import { protectEvidence } from '../../src/actions/protect-evidence.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';

function seededSandbox() {
  const sandbox = createSandbox();
  sandbox.ec2.addVpc({ vpcId: 'vpc-0123456789abcdef0' });
  const web = sandbox.ec2.addSecurityGroup({ groupName: 'web', vpcId: 'vpc-0123456789abcdef0' });
  sandbox.ec2.addInstance({
    instanceId: INSTANCE_ID,
    vpcId: 'vpc-0123456789abcdef0',
    subnetId: 'subnet-0123456789abcdef0',
    networkInterfaces: [{ networkInterfaceId: 'eni-0123456789abcdef0', groupIds: [web] }],
    volumes: [
      { volumeId: 'vol-0123456789abcdef0', deviceName: '/dev/xvda', deleteOnTermination: true },
      { volumeId: 'vol-0123456789abcdef1', deviceName: '/dev/sdf', deleteOnTermination: true },
    ],
    shutdownBehavior: 'terminate',
    tags: { Name: 'web-1' },
  });
  return sandbox;
}

describe('protect-evidence (against the sandbox account)', () => {
  it('leaves the instance protected, its volumes kept and tagged with the incident', async () => {
    const sandbox = seededSandbox();
    await runAction(
      protectEvidence,
      { ...envelope(), instanceId: INSTANCE_ID },
      actionEnvironment(sandboxClients(sandbox.account)),
    );

    const state = sandbox.ec2.snapshot();
    expect(state.instances[INSTANCE_ID]).toMatchObject({
      disableApiTermination: true,
      shutdownBehavior: 'stop',
      tags: { Name: 'web-1', 'cordon:incident': TEST_INCIDENT, 'cordon:quarantined': 'true' },
    });
    expect(Object.values(state.volumes).map((volume) => volume.attachment?.deleteOnTermination)).toEqual([
      false,
      false,
    ]);
  });

  it('changes nothing the second time', async () => {
    const sandbox = seededSandbox();
    const environment = actionEnvironment(sandboxClients(sandbox.account));
    await runAction(protectEvidence, { ...envelope(), instanceId: INSTANCE_ID }, environment);
    const after = sandbox.account.snapshot();
    const mutatingBefore = sandbox.account.mutatingCalls().length;

    const second = await runAction(protectEvidence, { ...envelope(), instanceId: INSTANCE_ID }, environment);

    expect(second.status).toBe('already-done');
    expect(sandbox.account.snapshot()).toEqual(after);
    expect(sandbox.account.mutatingCalls()).toHaveLength(mutatingBefore);
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    const before = sandbox.account.snapshot();
    await runAction(
      protectEvidence,
      { ...envelope(true), instanceId: INSTANCE_ID },
      actionEnvironment(sandboxClients(sandbox.account)),
    );
    expect(sandbox.account.snapshot()).toEqual(before);
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { envelope, TEST_INCIDENT } from '../../../../test/support/actions.ts';
import {
  anInstanceWithVolumes,
  environmentOn,
  expectSecondRunChangesNothing,
  testSandbox,
  WEB,
} from '../../../../test/support/sandbox.ts';
import { protectEvidence } from '../../src/actions/protect-evidence.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = WEB.instanceId;

/** An instance set to be terminated, with two volumes deleted on termination: the evidence at risk. */
function seededSandbox() {
  const sandbox = testSandbox();
  anInstanceWithVolumes(sandbox, {
    deleteOnTermination: true,
    shutdownBehavior: 'terminate',
    tags: { Name: 'web-1' },
  });
  return sandbox;
}

describe('protect-evidence (against the sandbox account)', () => {
  it('leaves the instance protected, its volumes kept and tagged with the incident', async () => {
    const sandbox = seededSandbox();
    await runAction(protectEvidence, { ...envelope(), instanceId: INSTANCE_ID }, environmentOn(sandbox));

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
    const environment = environmentOn(sandbox);

    await expectSecondRunChangesNothing(sandbox, () =>
      runAction(protectEvidence, { ...envelope(), instanceId: INSTANCE_ID }, environment),
    );
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    const before = sandbox.account.snapshot();
    await runAction(protectEvidence, { ...envelope(true), instanceId: INSTANCE_ID }, environmentOn(sandbox));
    expect(sandbox.account.snapshot()).toEqual(before);
    expect(sandbox.account.mutatingCalls()).toEqual([]);
  });
});

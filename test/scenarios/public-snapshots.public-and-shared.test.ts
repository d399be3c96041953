import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { SEEDED_SNAPSHOTS } from '../../packages/local/src/seed-config.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK;

/** Who may create volumes from each snapshot, sorted (a group added back may come in another order). */
function permissions(sandbox: Sandbox): Record<string, string[]> {
  return Object.fromEntries(
    Object.values(sandbox.ec2.snapshot().snapshots).map((snapshot) => [
      snapshot.snapshotId,
      [
        ...(snapshot.createVolumePermission?.groups ?? []),
        ...(snapshot.createVolumePermission?.userIds ?? []),
      ].sort(),
    ]),
  );
}

describe('public-snapshots: ebs-snapshot-public-restorable-check under a conformance-pack name', () => {
  it('asks first, makes the public snapshot private keeping its partner share, and the release makes it public again', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const before = permissions(sandboxForEvent(event).sandbox);

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess
    expect(before[SEEDED_SNAPSHOTS.public]).toEqual([SEEDED_SNAPSHOTS.partner, 'all']);
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'make-snapshots-private',
      'notify',
    ]);
    expect(permissions(sandbox)).toEqual({
      ...before,
      [SEEDED_SNAPSHOTS.public]: [SEEDED_SNAPSHOTS.partner],
    });
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'make-snapshots-private',
    );
    expect(fix.length).toBeGreaterThan(0);
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/EC2.1'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(permissions(sandbox)).toEqual(before);
  });
});

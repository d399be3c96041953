import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { SEEDED_DB_SNAPSHOTS } from '../../packages/local/src/seed-config.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

/** Who may restore each DB snapshot and DB cluster snapshot, sorted (a value added back comes last). */
function restore(sandbox: Sandbox): Record<string, string[]> {
  const state = sandbox.rds.snapshot();
  return Object.fromEntries([
    ...Object.values(state.snapshots).map((s) => [`snapshot:${s.identifier}`, [...s.restore].sort()]),
    ...Object.values(state.clusterSnapshots).map((s) => [
      `cluster-snapshot:${s.identifier}`,
      [...s.restore].sort(),
    ]),
  ]);
}

describe('rds-snapshots-public: rds-snapshots-public-prohibited', () => {
  it.each([
    [POSTURE_EVENTS.RDS_SNAPSHOTS_PUBLIC_PROHIBITED, 'snapshot:orders-before-upgrade'],
    [
      'config-rds-snapshots-public-prohibited-securityhub-cluster-noncompliant.json',
      'cluster-snapshot:orders-aurora-before-upgrade',
    ],
  ])(
    '%s: asks first, removes only `all` from the named snapshot, and the release puts it back',
    async (file, named) => {
      // Prepare
      const event = loadDemoEvent(file);
      const before = restore(sandboxForEvent(event).sandbox);

      // Act
      const { sandbox, deployment, execution, incident } = await runScenario(event);

      // Assess: the partner keeps the named snapshot; the public snapshot of the other kind is as it was.
      expect(before[named]).toEqual([SEEDED_DB_SNAPSHOTS.partner, 'all']);
      expect(execution?.steps.map((step) => step.id)).toEqual([
        'request-approval',
        'make-db-snapshot-private',
        'notify',
      ]);
      expect(restore(sandbox)).toEqual({ ...before, [named]: [SEEDED_DB_SNAPSHOTS.partner] });
      const fix = (await ledgerEntries(deployment, incident.id)).filter(
        (entry) => entry.step === 'make-db-snapshot-private',
      );
      expect(fix.length).toBeGreaterThan(0);
      expect(fix.every((entry) => entry.controls?.includes('SecurityHub/RDS.1'))).toBe(true);

      // Act
      const release = await startRelease(deployment, execution);

      // Assess
      expect(release.status).toBe('SUCCEEDED');
      expect(restore(sandbox)).toEqual(before);
    },
  );
});

import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { SEEDED_DB_INSTANCES } from '../../packages/local/src/seed-config.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.RDS_INSTANCE_PUBLIC_ACCESS_CHECK;

/** Every DB instance as it compares before and after (creation times aside: each sandbox has its own clock). */
function instances(sandbox: Sandbox): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(sandbox.rds.snapshot().instances).map(([id, { createTime: _c, resourceId, ...rest }]) => [
      id,
      // The other instance's resource id is generated per sandbox; the named one's comes from the event.
      { ...rest, resourceId: id === SEEDED_DB_INSTANCES.named ? resourceId : 'generated' },
    ]),
  );
}

describe('rds-instance-public-access: rds-instance-public-access-check under a Security Hub name', () => {
  it('makes the named instance private after an approval, and the release makes it public again exactly', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const before = instances(sandboxForEvent(event).sandbox);

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess: the named instance is private; the other public instance (its own result) is as it was.
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'make-db-instance-private',
      'notify',
    ]);
    const after = instances(sandbox);
    const named = SEEDED_DB_INSTANCES.named;
    expect(before[named]).toMatchObject({ publiclyAccessible: true });
    expect(before[SEEDED_DB_INSTANCES.other]).toMatchObject({ publiclyAccessible: true });
    expect(after[named]).toEqual({ ...(before[named] as object), publiclyAccessible: false });
    expect({ ...after, [named]: undefined }).toEqual({ ...before, [named]: undefined });
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'make-db-instance-private',
    );
    expect(fix.length).toBeGreaterThan(0);
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/RDS.2'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(instances(sandbox)).toEqual(before);
  });
});

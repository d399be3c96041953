import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../packages/local/src/sandbox/models/kms.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.CMK_BACKING_KEY_ROTATION_ENABLED;
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

/** The keys as they compare across two sandboxes: everything but when each was made (each sandbox's clock). */
function comparable(keys: Record<string, KeyRecord>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(keys).map(([id, { creationDate: _made, rotation, ...key }]) => [
      id,
      { ...key, rotation: rotation?.periodInDays },
    ]),
  );
}

describe('kms-key-rotation: cmk-backing-key-rotation-enabled under a conformance-pack name', () => {
  it('turns rotation on without asking, leaves the AWS managed key alone, and the release turns it off again', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const before = sandboxForEvent(event).sandbox.kms.snapshot();

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess
    expect(before.keys[KEY_ID]?.rotation).toBeUndefined();
    expect(execution?.steps.map((step) => step.id)).toEqual(['enable-key-rotation', 'notify']);
    const after = sandbox.kms.snapshot();
    expect(after.keys[KEY_ID]?.rotation?.periodInDays).toBe(365);
    expect(comparable({ ...after.keys, [KEY_ID]: before.keys[KEY_ID] as KeyRecord })).toEqual(
      comparable(before.keys),
    );
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'enable-key-rotation',
    );
    expect(fix.length).toBeGreaterThan(0);
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/KMS.4'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(comparable(sandbox.kms.snapshot().keys)).toEqual(comparable(before.keys));
  });
});

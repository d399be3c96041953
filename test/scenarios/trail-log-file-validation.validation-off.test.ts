import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED;

/** Every trail by ARN as it compares before and after (the times logging started aside: each sandbox has its own clock). */
function trails(sandbox: Sandbox): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(sandbox.cloudTrail.snapshot().trails).map(([arn, { startLoggingTime: _s, ...trail }]) => [
      arn,
      trail,
    ]),
  );
}

describe('trail-log-file-validation: cloud-trail-log-file-validation-enabled under a conformance-pack name', () => {
  it('turns validation on for the named trail at once, and the release restores the trails exactly', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const before = trails(sandboxForEvent(event).sandbox);

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess: the named trail validates; the other trail, also without validation, is as it was.
    expect(execution?.steps.map((step) => step.id)).toEqual(['enable-log-file-validation', 'notify']);
    const after = trails(sandbox);
    const named = Object.keys(before).find((arn) => arn.endsWith('/management-events')) ?? '';
    expect(after[named]).toEqual({ ...(before[named] as object), logFileValidationEnabled: true });
    expect({ ...after, [named]: undefined }).toEqual({ ...before, [named]: undefined });
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'enable-log-file-validation',
    );
    expect(fix.length).toBeGreaterThan(0);
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/CloudTrail.4'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(trails(sandbox)).toEqual(before);
  });
});

import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { ledgerEntries, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

/** Every trail of the sandbox as it compares before and after (the logging times aside). */
function trails(sandbox: Sandbox): Record<string, unknown> {
  return Object.fromEntries(
    Object.values(sandbox.cloudTrail.snapshot().trails).map(
      ({ startLoggingTime: _start, stopLoggingTime: _stop, ...trail }) => [trail.name, trail],
    ),
  );
}

describe('trail-logging: a stopped trail under a conformance-pack or Security Hub rule name', () => {
  it.each([
    { rule: 'CLOUD_TRAIL_ENABLED', control: 'SecurityHub/CloudTrail.3' },
    { rule: 'MULTI_REGION_CLOUD_TRAIL_ENABLED', control: 'SecurityHub/CloudTrail.1' },
  ] as const)(
    '$rule: starts the stopped trail at once, without approval, and the release stops exactly it again',
    async ({ rule, control }) => {
      // Prepare
      const event = loadDemoEvent(POSTURE_EVENTS[rule]);
      const before = trails(sandboxForEvent(event).sandbox);

      // Act
      const { sandbox, deployment, execution, incident } = await runScenario(event);

      // Assess: no approval asked, the stopped trail logs, every other trail and setting as it was.
      expect(execution?.steps.map((step) => step.id)).toEqual(['start-trail-logging', 'notify']);
      const after = trails(sandbox);
      expect(after['management-events']).toEqual({
        ...(before['management-events'] as object),
        isLogging: true,
      });
      expect({ ...after, 'management-events': undefined }).toEqual({
        ...before,
        'management-events': undefined,
      });
      const fix = (await ledgerEntries(deployment, incident.id)).filter(
        (entry) => entry.step === 'start-trail-logging',
      );
      expect(fix.length).toBeGreaterThan(0);
      expect(fix.every((entry) => entry.controls?.includes(control))).toBe(true);

      // Act
      const release = await startRelease(deployment, execution);

      // Assess: the original, exactly.
      expect(release.status).toBe('SUCCEEDED');
      expect(trails(sandbox)).toEqual(before);
    },
  );
});

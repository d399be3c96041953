import { describe, expect, it } from 'vitest';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { groupOf, groupRules, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS;

describe('security-group-ingress: vpc-sg-open-only-to-authorized-ports under a Security Hub name', () => {
  it('revokes the world-open ports the rule does not authorize, keeps the authorized HTTPS, and the release puts them back', async () => {
    // Prepare: the seeded rule authorizes TCP 443 only.
    const event = loadDemoEvent(EVENT);
    const groupId = groupOf(event);
    const before = groupRules(sandboxForEvent(event).sandbox, groupId);

    // Act
    const { sandbox, deployment, execution } = await runScenario(event);

    // Assess
    expect(execution?.status).toBe('SUCCEEDED');
    const after = groupRules(sandbox, groupId);
    const removed = before
      .filter((rule) => !after.includes(rule))
      .map((rule) => JSON.parse(rule).description);
    expect(removed.sort()).toEqual(['app port', 'dns']);
    expect(after).toEqual(before.filter((rule) => after.includes(rule)));
    expect(after.map((rule) => JSON.parse(rule).description)).toContain('https');

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(groupRules(sandbox, groupId)).toEqual(before);
  });
});

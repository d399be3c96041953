import { describe, expect, it } from 'vitest';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import { groupOf, groupRules, loadDemoEvent, POSTURE_EVENTS, startRelease } from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.RESTRICTED_INCOMING_TRAFFIC;

describe('security-group-ingress: restricted-common-ports under a conformance pack name', () => {
  it('asks first, revokes RDP and MySQL from anywhere and nothing else, and the release puts them back exactly', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const groupId = groupOf(event);
    const before = groupRules(sandboxForEvent(event).sandbox, groupId);

    // Act
    const { sandbox, deployment, execution } = await runScenario(event);

    // Assess: the rule's documented default blocked ports (the seeded rule has no parameters).
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'revoke-open-ingress',
      'notify',
    ]);
    const removed = before.filter((rule) => !groupRules(sandbox, groupId).includes(rule));
    expect(removed.map((rule) => JSON.parse(rule).description).sort()).toEqual([
      'mysql from anywhere',
      'rdp from anywhere',
    ]);
    expect(groupRules(sandbox, groupId)).toHaveLength(before.length - 2);

    // Act: the release.
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(groupRules(sandbox, groupId)).toEqual(before);
  });

  it('refuses, named, when the rule cannot be read: its blocked ports are unknown, so nothing is revoked', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const groupId = groupOf(event);
    const before = groupRules(sandboxForEvent(event).sandbox, groupId);

    // Act: Config refuses the read (the observer lacks the grant in this account, say).
    const { sandbox, execution, result } = await runScenario(event, {
      prepare: (prepared) =>
        prepared.account.injectFault({
          service: 'ConfigService',
          command: 'DescribeConfigRules',
          error: 'AccessDeniedException',
        }),
    });

    // Assess: identified by its name all the same, and the step fails by name, changing nothing.
    expect(result.outcome).toBe('started');
    expect(result.outcome === 'rejected' ? [] : result.incident.notes.join(' ')).toContain(
      'could not be read',
    );
    expect(execution?.status).toBe('FAILED');
    const failed = execution?.steps.find((step) => step.id === 'revoke-open-ingress');
    expect(failed?.error?.name).toBe('ActionFailedError');
    expect(failed?.error?.message).toContain('parameters');
    expect(groupRules(sandbox, groupId)).toEqual(before);
  });
});

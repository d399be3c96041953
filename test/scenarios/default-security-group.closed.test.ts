import { describe, expect, it } from 'vitest';
import { sandboxForEvent } from '../../packages/local/src/seed-event.ts';
import {
  groupOf,
  groupRules,
  ledgerEntries,
  loadDemoEvent,
  POSTURE_EVENTS,
  startRelease,
} from '../support/posture.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = POSTURE_EVENTS.VPC_DEFAULT_SECURITY_GROUP_CLOSED;

describe('default-security-group: vpc-default-security-group-closed under a Security Hub name', () => {
  it('asks first, removes every inbound and outbound rule of the default group, and the release puts each back', async () => {
    // Prepare
    const event = loadDemoEvent(EVENT);
    const groupId = groupOf(event);
    const before = groupRules(sandboxForEvent(event).sandbox, groupId);

    // Act
    const { sandbox, deployment, execution, incident } = await runScenario(event);

    // Assess: AWS's default rules (from itself in; all out, IPv4 and IPv6) and the SSH rule, all gone.
    expect(before).toHaveLength(4);
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'close-default-security-group',
      'notify',
    ]);
    expect(groupRules(sandbox, groupId)).toEqual([]);
    const fix = (await ledgerEntries(deployment, incident.id)).filter(
      (entry) => entry.step === 'close-default-security-group',
    );
    expect(fix.every((entry) => entry.controls?.includes('SecurityHub/EC2.2'))).toBe(true);

    // Act
    const release = await startRelease(deployment, execution);

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(groupRules(sandbox, groupId)).toEqual(before);
  });
});

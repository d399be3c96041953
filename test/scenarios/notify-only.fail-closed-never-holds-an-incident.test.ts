import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outcomes, playScenario, SCENARIO_FILES } from '../support/scenario-command.ts';

const SHIPPED = resolve(import.meta.dirname, '..', '..', 'packages', 'cli', 'scenarios');
const INCIDENT = 'guardduty-883606788610-us-east-1-b4b01b60fc24a199139f8f5f490edd81';

describe('a fail-closed decision never holds an incident against a later healthy decision', () => {
  it('notifies once while SSM throttles, and contains the re-published finding once SSM answers', async () => {
    const { exit, report } = await playScenario(`${SHIPPED}/ssm-outage-then-recovery.json`);

    expect(exit).toBe(0);
    expect(outcomes(report)).toEqual([
      'fail:injected',
      'deliver:notified',
      // Still failing closed: the notification already ran, and runs once.
      'deliver:duplicate',
      'advance:advanced',
      // Healthy again: the healthy decision takes over, as a new execution of the incident.
      'deliver:started',
    ]);
    const [, notified, again, , contained] = report.steps;
    expect(notified?.deliveries?.[0]).toMatchObject({
      provisional: true,
      execution: INCIDENT,
      decision: { action: 'notify', playbook: 'notify-only' },
    });
    expect(notified?.decision?.reason).toMatch(
      /Settings failed closed: settings unavailable.*ThrottlingException/,
    );
    expect(again?.deliveries?.[0]).toMatchObject({ result: 'duplicate', provisional: true });
    expect(contained?.deliveries?.[0]).toMatchObject({
      execution: `${INCIDENT}-2`,
      decision: { action: 'remediate', playbook: 'ec2-compromise', approval: 'auto' },
    });
    expect(report.executions.map(({ name, playbook, status }) => [name, playbook, status])).toEqual([
      [INCIDENT, 'notify-only', 'SUCCEEDED'],
      [`${INCIDENT}-2`, 'ec2-compromise', 'SUCCEEDED'],
    ]);
    expect(report.changes).toContainEqual(
      expect.objectContaining({ resource: 'i-99999999', attribute: 'quarantine tag', after: 'true' }),
    );
  });

  it('a retried triage that fails closed after a healthy claim notifies, and the next healthy delivery starts the claimed playbook', async () => {
    const { exit, report } = await playScenario(
      `${SCENARIO_FILES}/notify-only.fail-closed-retried-triage.json`,
    );

    expect(exit).toBe(0);
    expect(outcomes(report)).toEqual([
      'deliver:ignored',
      'fail:injected',
      'fail:injected',
      // Attempt 1 claimed for ec2-compromise and was throttled at StartExecution; the retry a minute later
      // (Lambda's wait, on the deployment's clock) read settings again and failed closed.
      'deliver:notified',
      'deliver:started',
    ]);
    const starts = report.calls.filter((call) => call.command === 'StartExecution');
    expect(starts.map((call) => call.outcome)).toEqual(['ThrottlingException', 'ok', 'ok']);
    expect(report.steps[3]?.deliveries?.[0]).toMatchObject({ provisional: true, execution: `${INCIDENT}-2` });
    // The healthy delivery starts the execution the first attempt claimed, named by the incident id.
    expect(report.steps[4]?.deliveries?.[0]).toMatchObject({ execution: INCIDENT });
    expect(report.executions.map(({ name, playbook, status }) => [name, playbook, status])).toEqual([
      [`${INCIDENT}-2`, 'notify-only', 'SUCCEEDED'],
      [INCIDENT, 'ec2-compromise', 'SUCCEEDED'],
    ]);
  });
});

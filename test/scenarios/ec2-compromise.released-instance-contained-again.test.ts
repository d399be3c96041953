import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outcomes, playScenario, SCENARIO_FILES } from '../support/scenario-command.ts';

const SHIPPED = resolve(import.meta.dirname, '..', '..', 'packages', 'cli', 'scenarios');
const INCIDENT = 'guardduty-883606788610-us-east-1-b4b01b60fc24a199139f8f5f490edd81';

describe('after a release, a new occurrence of the same finding is contained again', () => {
  it('contains, releases, ignores a late copy of the old finding, and contains the finding GuardDuty re-publishes later', async () => {
    const { exit, report } = await playScenario(`${SHIPPED}/released-instance-attacked-again.json`);

    expect(exit).toBe(0);
    expect(outcomes(report)).toEqual([
      'deliver:started',
      'decide:approved',
      'deliver:duplicate',
      'release:started',
      'decide:approved',
      // The old occurrence (updated before the release) once more: released, nothing new.
      'deliver:duplicate',
      'advance:advanced',
      // Updated after the release: a new generation of the incident.
      'deliver:started',
      'decide:approved',
      'deliver:duplicate',
    ]);
    expect(report.steps[7]?.deliveries?.[0]?.execution).toBe(`${INCIDENT}-2`);
    expect(report.steps[9]?.deliveries?.[0]?.execution).toBe(`${INCIDENT}-2`);
    expect(report.executions.map(({ name, playbook, status }) => [name, playbook, status])).toEqual([
      [INCIDENT, 'ec2-compromise', 'SUCCEEDED'],
      [`${INCIDENT}-release-1`, 'ec2-release', 'SUCCEEDED'],
      [`${INCIDENT}-2`, 'ec2-compromise', 'SUCCEEDED'],
    ]);
    // Contained again at the end: isolated, out of service, its role's sessions on it denied.
    expect(report.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'i-99999999', attribute: 'quarantine tag', after: 'true' }),
        expect.objectContaining({ resource: 'i-99999999', attribute: 'auto scaling', after: 'Standby' }),
        expect.objectContaining({ attribute: 'cordon-deny instances', after: 'i-99999999' }),
      ]),
    );
    // The release closed the claim (release-instance's own role, through the ledger table).
    const close = report.calls.find(
      (call) =>
        call.command === 'PutItem' &&
        call.principal?.endsWith('cordon-local-release-instance') === true &&
        JSON.stringify(call.input).includes('"closedAt"'),
    );
    expect(close).toMatchObject({ iam: 'allowed', outcome: 'ok' });
  });

  it('a finding id is never mistaken for a new incident merely because its execution name aged out', async () => {
    const { exit, report } = await playScenario(
      `${SCENARIO_FILES}/ec2-compromise.execution-name-aged-out.json`,
    );

    expect(exit).toBe(0);
    expect(outcomes(report)).toEqual(['deliver:started', 'advance:advanced', 'deliver:duplicate']);
    // 91 days on, Step Functions would start a new execution under the name; the claim answered first.
    expect(report.calls.filter((call) => call.command === 'StartExecution')).toHaveLength(1);
    expect(report.executions).toHaveLength(1);
    expect(report.steps[2]?.deliveries?.[0]?.execution).toBe(INCIDENT);
  });
});

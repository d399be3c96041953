import { describe, expect, it } from 'vitest';
import type { ExecutionInput } from '../../packages/core/src/triage/execution-input.ts';
import { automaticApprovals } from '../../packages/local/src/engine.ts';
import { inspectResources } from '../../packages/local/src/inspect.ts';
import { loadEvent } from '../support/events.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';

/** The release runs on the containment's incident (its ledger holds what to restore). */
function releaseInput(containment: ExecutionInput | undefined): ExecutionInput {
  if (containment === undefined) throw new Error('no containment ran');
  return { ...containment, decision: { ...containment.decision, playbook: 'ec2-release' } };
}

describe('ec2-release: releasing a contained instance', () => {
  it('asks for approval, then gives the instance its groups, profile, ASG membership and target group back', async () => {
    const { sandbox, incident, deployment, execution } = await runScenario(loadEvent(EVENT), {
      settings: { includeSampleFindings: true },
    });
    expect(execution?.status).toBe('SUCCEEDED');
    expect(
      inspectResources(sandbox, incident).find((fact) => fact.attribute === 'security groups')?.value,
    ).toBe('cordon-isolation');

    // A responder starts ec2-release (StartExecution on the stage's state machine).
    const release = await deployment.start(
      'ec2-release',
      `${incident.id}-release`,
      releaseInput(execution?.input),
    );

    expect(release.status).toBe('SUCCEEDED');
    expect(release.steps.map((step) => step.id)).toEqual(['request-approval', 'release-instance', 'notify']);
    const released = Object.fromEntries(
      inspectResources(sandbox, incident).map((fact) => [`${fact.resource} ${fact.attribute}`, fact.value]),
    );
    expect(released).toMatchObject({
      'i-99999999 quarantine tag': '-',
      'i-99999999 instance profile': 'profile-99999999',
      'i-99999999 auto scaling': 'InService',
      'i-99999999 target groups': '1',
      // Evidence is kept on purpose: protection stays on, snapshots stay.
      'i-99999999 termination protection': 'on',
      'i-99999999 snapshots': '2',
    });
    const groups = Object.entries(released).find(([key]) => key.endsWith('security groups'))?.[1];
    expect(groups).not.toContain('cordon-isolation');
  });

  it('never releases without a decision: a rejected release changes nothing', async () => {
    const { sandbox, incident, deployment, execution } = await runScenario(loadEvent(EVENT), {
      settings: { includeSampleFindings: true },
    });
    const contained = inspectResources(sandbox, incident);
    deployment.approvals = automaticApprovals('reject');

    const release = await deployment.start(
      'ec2-release',
      `${incident.id}-release`,
      releaseInput(execution?.input),
    );

    expect(release.status).toBe('SUCCEEDED');
    expect(release.steps.map((step) => step.id)).not.toContain('release-instance');
    expect(inspectResources(sandbox, incident)).toEqual(contained);
  });
});

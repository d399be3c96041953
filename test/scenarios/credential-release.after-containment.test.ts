import { describe, expect, it } from 'vitest';
import {
  parseDenyPolicy,
  revokeOlderSessionsStatement,
} from '../../packages/core/src/actions/deny-policy.ts';
import type { ExecutionInput } from '../../packages/core/src/triage/execution-input.ts';
import { automaticApprovals } from '../../packages/local/src/engine.ts';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';
import { loadEvent } from '../support/events.ts';
import { runScenario } from '../support/scenario.ts';

const EVENT = 'guardduty/eb-iam-toripcaller-custodian.json';
const USER = 'GeneratedFindingUserName';
const EARLIER = revokeOlderSessionsStatement(
  'guardduty-an-earlier-incident',
  new Date('2026-11-01T00:00:00Z'),
);
const EARLIER_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [EARLIER] });

interface IamUser {
  readonly accessKeys: ReadonlyArray<{ accessKeyId: string; status: string }>;
  readonly inlinePolicies: Readonly<Record<string, string>>;
}

function user(sandbox: Sandbox): IamUser | undefined {
  return (sandbox.iam.snapshot() as unknown as { users: Record<string, IamUser> }).users[USER];
}

/** The release runs on the containment's incident (its ledger holds the statement to remove). */
function releaseInput(containment: ExecutionInput | undefined): ExecutionInput {
  if (containment === undefined) throw new Error('no containment ran');
  return { ...containment, decision: { ...containment.decision, playbook: 'credential-release' } };
}

/** An earlier incident's session deny already on the user, as Cordon wrote it. */
function anEarlierIncidentsDeny(sandbox: Sandbox): void {
  void sandbox.iam.commands.PutUserPolicy?.(
    { UserName: USER, PolicyName: 'cordon-deny', PolicyDocument: EARLIER_POLICY },
    sandbox.account.context,
  );
}

describe('credential-release: releasing a contained IAM user', () => {
  it('asks for approval, then puts cordon-deny back exactly as before the containment; the key stays inactive', async () => {
    // Prepare: contain the user, next to an earlier incident's statement.
    const { sandbox, deployment, execution } = await runScenario(loadEvent(EVENT), {
      settings: { includeSampleFindings: true },
      prepare: anEarlierIncidentsDeny,
    });
    expect(execution?.status).toBe('SUCCEEDED');
    expect(parseDenyPolicy(user(sandbox)?.inlinePolicies['cordon-deny'])?.Statement).toHaveLength(2);
    const keysWhenContained = user(sandbox)?.accessKeys;
    expect(keysWhenContained?.some((key) => key.status === 'Inactive')).toBe(true);

    // Act: a responder starts credential-release on the incident.
    const release = await deployment.start(
      'credential-release',
      `${execution?.input.incident.id}-release`,
      releaseInput(execution?.input),
    );

    // Assess
    expect(release.status).toBe('SUCCEEDED');
    expect(release.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'release-credentials',
      'notify',
    ]);
    expect(parseDenyPolicy(user(sandbox)?.inlinePolicies['cordon-deny'])).toEqual(JSON.parse(EARLIER_POLICY));
    // Keys stay as containment left them: rotation is an administrator's job.
    expect(user(sandbox)?.accessKeys).toEqual(keysWhenContained);
  });

  it('deletes cordon-deny when the containment had created it', async () => {
    const { sandbox, deployment, execution } = await runScenario(loadEvent(EVENT), {
      settings: { includeSampleFindings: true },
    });
    expect(user(sandbox)?.inlinePolicies['cordon-deny']).toBeDefined();

    const release = await deployment.start(
      'credential-release',
      `${execution?.input.incident.id}-release`,
      releaseInput(execution?.input),
    );

    expect(release.status).toBe('SUCCEEDED');
    expect(user(sandbox)?.inlinePolicies['cordon-deny']).toBeUndefined();
  });

  it('never releases without a decision: a rejected release changes nothing', async () => {
    const { sandbox, deployment, execution } = await runScenario(loadEvent(EVENT), {
      settings: { includeSampleFindings: true },
    });
    const contained = sandbox.iam.snapshot();
    deployment.approvals = automaticApprovals('reject');

    const release = await deployment.start(
      'credential-release',
      `${execution?.input.incident.id}-release`,
      releaseInput(execution?.input),
    );

    expect(release.status).toBe('SUCCEEDED');
    expect(release.steps.map((step) => step.id)).not.toContain('release-credentials');
    expect(sandbox.iam.snapshot()).toEqual(contained);
  });
});

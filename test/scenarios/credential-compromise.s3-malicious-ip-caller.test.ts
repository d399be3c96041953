import { describe, expect, it } from 'vitest';
import { automaticApprovals } from '../../packages/local/src/engine.ts';
import { s3CallerFinding } from '../support/intake-cases.ts';
import { runScenario } from '../support/scenario.ts';

const SETTINGS = { includeSampleFindings: true };

function keyStatuses(snapshot: unknown, userName: string): string[] {
  const users = (snapshot as { users: Record<string, { accessKeys: Array<{ status: string }> }> }).users;
  return (users[userName]?.accessKeys ?? []).map((key) => key.status);
}

// Issue 12: an IAM user's long-term key calling S3 from a malicious IP is the evidence of
// UnauthorizedAccess:IAMUser/MaliciousIPCaller — the credential playbook, with approval.
describe('credential-compromise: an IAM user key calls S3 from a malicious IP (Impact:S3/MaliciousIPCaller)', () => {
  it('asks first, even at severity 8, then deactivates only that key and denies the sessions it minted', async () => {
    const { sandbox, execution, result } = await runScenario(s3CallerFinding('Impact:S3/MaliciousIPCaller'), {
      settings: SETTINGS,
      via: 'poller',
    });
    expect(result).toMatchObject({
      outcome: 'started',
      decision: { playbook: 'credential-compromise', approval: 'required' },
    });
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'deactivate-access-key',
      'revoke-sessions',
      'notify',
    ]);
    // The seeded user has the finding's key and another one: only the finding's key is deactivated.
    expect(keyStatuses(sandbox.iam.snapshot(), 'build-bot').sort()).toEqual(['Active', 'Inactive']);
    // The bucket is not touched: Cordon makes no S3 call.
    expect(sandbox.account.mutatingCalls().filter((call) => call.service === 'S3')).toEqual([]);
  });

  it('changes nothing when the approval is rejected', async () => {
    const { sandbox, execution } = await runScenario(s3CallerFinding('Discovery:S3/TorIPCaller'), {
      settings: SETTINGS,
      via: 'poller',
      approvals: automaticApprovals('reject'),
    });
    expect(execution?.steps.map((step) => step.id)).toContain('request-approval');
    expect(keyStatuses(sandbox.iam.snapshot(), 'build-bot')).toEqual(['Active', 'Active']);
    expect(
      sandbox.account
        .mutatingCalls()
        .filter((call) => call.service === 'IAM' && call.principal !== undefined),
    ).toEqual([]);
  });
});

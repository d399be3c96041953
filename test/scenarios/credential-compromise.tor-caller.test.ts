import { describe, expect, it } from 'vitest';
import { loadEvent } from '../support/events.ts';
import { runScenario } from '../support/scenario.ts';

type Json = Record<string, unknown>;
const SETTINGS = { includeSampleFindings: true };

function users(snapshot: unknown) {
  return (
    snapshot as {
      users: Record<
        string,
        {
          accessKeys: Array<{ accessKeyId: string; status: string }>;
          loginProfile?: unknown;
          inlinePolicies: Record<string, string>;
        }
      >;
    }
  ).users;
}

describe('credential-compromise: an IAM user key used from Tor', () => {
  it('deactivates only the key named in the finding, never deletes it, and denies the sessions it minted', async () => {
    const { sandbox, incident, execution } = await runScenario(
      loadEvent('guardduty/eb-iam-toripcaller-custodian.json'),
      { settings: SETTINGS },
    );
    expect(execution?.status).toBe('SUCCEEDED');
    const key = incident.resources.find((resource) => resource.kind === 'access-key');
    const user = users(sandbox.iam.snapshot()).GeneratedFindingUserName;
    const statuses = Object.fromEntries(
      (user?.accessKeys ?? []).map((item) => [item.accessKeyId, item.status]),
    );
    expect(key?.kind === 'access-key' && statuses[key.accessKeyId ?? '']).toBe('Inactive');
    expect(Object.values(statuses).filter((status) => status === 'Active')).toHaveLength(1);
    expect(user?.accessKeys).toHaveLength(2);
    expect(sandbox.account.calls.some((call) => call.command === 'DeleteAccessKey')).toBe(false);
    expect(decodeURIComponent(user?.inlinePolicies['cordon-deny'] ?? '')).toContain('aws:TokenIssueTime');
    // The console was not used: the password stays.
    expect(user?.loginProfile).toBeDefined();
  });

  it('removes console access when the finding says the console was used', async () => {
    const event = loadEvent('guardduty/eb-iam-toripcaller-custodian.json');
    (event.detail as Json).type = 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B';
    const { sandbox, execution } = await runScenario(event, { settings: SETTINGS });
    expect(execution?.status).toBe('SUCCEEDED');
    expect(users(sandbox.iam.snapshot()).GeneratedFindingUserName?.loginProfile).toBeUndefined();
  });

  it("denies a role's older sessions, only after approval, for a role session's key", async () => {
    const event = loadEvent('guardduty/eb-iam-toripcaller-custodian.json');
    const detail = event.detail as Json;
    detail.severity = 8;
    (detail.resource as Json).accessKeyDetails = {
      accessKeyId: 'ASIAEXAMPLEEXAMPLE12',
      userName: 'app-role',
      userType: 'AssumedRole',
      principalId: 'AROAEXAMPLE:session',
    };
    const { sandbox, execution } = await runScenario(event, { settings: SETTINGS });
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'revoke-sessions',
      'notify',
    ]);
    const role = (
      sandbox.iam.snapshot() as { roles: Record<string, { inlinePolicies: Record<string, string> }> }
    ).roles['app-role'];
    expect(decodeURIComponent(role?.inlinePolicies['cordon-deny'] ?? '')).toContain('DateLessThan');
  });
});

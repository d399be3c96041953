import { describe, expect, it } from 'vitest';
import { loadFixture } from '../support/events.ts';
import { runScenario } from '../support/scenario.ts';

describe('stale-credentials: access-keys-rotated names an IAM user', () => {
  it('deactivates the stale key after approval and leaves the fresh one alone', async () => {
    const { sandbox, execution } = await runScenario(
      loadFixture('config-access-keys-rotated-noncompliant.json'),
    );
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.steps.map((step) => step.id)).toEqual([
      'request-approval',
      'deactivate-access-key',
      'notify',
    ]);
    const users = (
      sandbox.iam.snapshot() as unknown as {
        users: Record<
          string,
          { userId: string; accessKeys: Array<{ status: string; createDate: string | Date }> }
        >;
      }
    ).users;
    const user = Object.values(users).find((candidate) => candidate.userId === 'AIDAJQABLZS4A3QDU576Q');
    const byAge = [...(user?.accessKeys ?? [])].sort(
      (a, b) => new Date(a.createDate).getTime() - new Date(b.createDate).getTime(),
    );
    expect(byAge.map((key) => key.status)).toEqual(['Inactive', 'Active']);
  });
});

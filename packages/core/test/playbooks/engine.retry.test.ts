import { describe, expect, it } from 'vitest';
import { STATE_NAMES } from '../../src/playbooks/index.ts';
import { callsOf, runPlaybook } from './engine.ts';

describe('a throttled step', () => {
  it.each([
    ['ec2-compromise', STATE_NAMES.containInstance, 'contain-instance'],
    ['ec2-compromise', STATE_NAMES.snapshotVolumes, 'snapshot-volumes'],
    ['ec2-compromise', STATE_NAMES.deregisterFromLoadBalancers, 'deregister-from-load-balancers'],
    ['credential-compromise', STATE_NAMES.revokeSessions, 'revoke-sessions'],
    ['notify-only', STATE_NAMES.tellDecided, 'notify'],
  ] as const)('%s: "%s" throwing ThrottledError twice is retried to success', async (id, state, step) => {
    // Act
    const outcome = await runPlaybook(id, {
      approvalRequired: false,
      failures: { [state]: { error: 'ThrottledError', times: 2 } },
    });

    // Assess
    expect(outcome.status).toBe('SUCCEEDED');
    expect(
      callsOf(outcome, step)
        .filter((call) => call.state === state)
        .map((call) => call.attempt),
    ).toEqual([1, 2, 3]);
  });

  it.each(['TransientServiceError', 'EventualConsistencyError', 'Lambda.TooManyRequestsException'])(
    'retries %s as well',
    async (error) => {
      // Act
      const outcome = await runPlaybook('stale-credentials', {
        approvalRequired: false,
        failures: { [STATE_NAMES.deactivateStaleKeys]: { error, times: 1 } },
      });

      // Assess
      expect(outcome.status).toBe('SUCCEEDED');
      expect(callsOf(outcome, 'deactivate-access-key')).toHaveLength(2);
    },
  );

  it('gives up after the last attempt, then reports the step as failed', async () => {
    // Act
    const outcome = await runPlaybook('ec2-compromise', {
      approvalRequired: false,
      failures: { [STATE_NAMES.containInstance]: { error: 'ThrottledError' } },
    });

    // Assess
    expect(outcome.status).toBe('FAILED');
    expect(outcome.cause).toBe('contain-instance');
    // Throttling is retried longest: the first try and 10 retries (THROTTLING_RETRY_POLICY).
    expect(callsOf(outcome, 'contain-instance')).toHaveLength(11);
  });
});

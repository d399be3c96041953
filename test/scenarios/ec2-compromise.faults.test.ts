import { describe, expect, it } from 'vitest';
import type { StepId } from '../../packages/core/src/playbooks/ids.ts';
import { loadEvent } from '../support/events.ts';
import { delivered, runScenario } from '../support/scenario.ts';

const EVENT = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';
const SETTINGS = { includeSampleFindings: true };

/** The call each step of the containment makes to change something (what a fault is injected into). */
const STEP_CALLS: ReadonlyArray<readonly [StepId, string, string]> = [
  ['contain-instance', 'EC2', 'ModifyInstanceAttribute'],
  ['contain-instance', 'AutoScaling', 'EnterStandby'],
  ['contain-instance', 'EC2', 'ModifyNetworkInterfaceAttribute'],
  ['deregister-from-load-balancers', 'ElasticLoadBalancingV2', 'DeregisterTargets'],
  ['snapshot-volumes', 'EC2', 'CreateSnapshot'],
  ['quarantine-instance-profile', 'IAM', 'PutRolePolicy'],
  ['notify', 'SNS', 'Publish'],
];

describe('ec2-compromise under faults', () => {
  it.each(STEP_CALLS)('retries a throttled %s to success (%s %s)', async (step, service, command) => {
    const { execution } = await runScenario(loadEvent(EVENT), {
      settings: SETTINGS,
      prepare: (sandbox) => sandbox.account.injectFault({ service, command, error: 'Throttling', times: 2 }),
    });
    expect(execution?.status).toBe('SUCCEEDED');
    const attempts =
      execution?.steps.filter((run) => run.id === step && run.state !== 'Report the failed step') ?? [];
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.slice(0, -1).every((run) => run.error?.name === 'ThrottledError')).toBe(true);
    expect(attempts.at(-1)?.status).toBe('succeeded');
  });

  it.each(STEP_CALLS)(
    'ends FAILED, naming %s, after a terminal error in it (%s %s denied)',
    async (step, service, command) => {
      const { execution, sandbox, deployment } = await runScenario(loadEvent(EVENT), {
        settings: SETTINGS,
        prepare: (seeded) => seeded.account.injectFault({ service, command, error: 'AccessDenied' }),
      });
      expect(execution).toMatchObject({ status: 'FAILED', error: 'PlaybookStepFailed', cause: step });
      expect(execution?.steps.find((run) => run.id === step && run.status === 'failed')?.error?.name).toBe(
        'AccessDeniedError',
      );
      const messages = sandbox.sns.messages(deployment.topicArn);
      if (step === 'notify') {
        // The notification itself is denied: nothing can be told, and the execution still ends FAILED.
        expect(messages).toEqual([]);
      } else {
        expect(messages).toHaveLength(1);
        expect(JSON.stringify(messages[0])).toContain(`step ${step} failed`);
      }
    },
  );

  it('starts one execution and changes the account once for ten deliveries of one finding', async () => {
    const scenario = await runScenario(loadEvent(EVENT), { settings: SETTINGS });
    // What changes the account; Cordon's own bookkeeping (the ledger table, StartExecution) aside.
    const changing = () =>
      scenario.sandbox.account
        .mutatingCalls()
        .filter((call) => call.service !== 'DynamoDB' && call.service !== 'SFN');
    const mutatingAfterFirst = changing().length;
    const outcomes = [];
    for (let count = 2; count <= 10; count += 1) {
      // GuardDuty re-publishes the finding with a growing count (DOMAIN.md item 3).
      const again = structuredClone(scenario.event) as { detail: { service: { count: number } } };
      again.detail.service.count = count;
      outcomes.push(delivered(await scenario.deliver(again)).results[0]?.outcome);
    }
    expect(outcomes).toEqual(Array(9).fill('duplicate'));
    expect(scenario.deployment.executions.size).toBe(1);
    expect(scenario.deployment.stepFunctions.executions()).toHaveLength(1);
    expect(changing()).toHaveLength(mutatingAfterFirst);
    // The claim answers each re-delivery (its execution has started): StartExecution is not asked again, so
    // neither an execution name Step Functions would let be reused nor a running execution's idempotent
    // success can pass a re-delivery off as a start.
    const starts = scenario.sandbox.account.calls.filter((call) => call.command === 'StartExecution');
    expect(starts.map((call) => call.outcome)).toEqual(['ok']);
  });
});

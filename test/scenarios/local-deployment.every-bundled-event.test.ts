/**
 * Local = AWS (issue 13): a local run of any bundled event goes through the deployed EventBridge rules, the
 * triage function's DynamoDB code and the SSM settings loader — asserted on what the sandbox saw, so that a
 * run that took a shortcut (straight to intake, an in-memory store, settings handed in) fails here — and every
 * call it makes is allowed by the policy infra deploys for the role that makes it (issue 11).
 */
import { describe, expect, it } from 'vitest';
import { type ReplayCall, replay } from '../../packages/cli/src/commands/replay.ts';
import { deployedRules, matchingRules } from '../../packages/core/src/events/rules.ts';
import { arrivalRoute } from '../../packages/local/src/deployment.ts';
import { automaticApprovals } from '../../packages/local/src/engine.ts';
import { eventPath, listEvents, loadEvent } from '../support/events.ts';

const SETTINGS_PATH = '/cordon/local/settings/';

function roleOf(call: ReplayCall): string {
  return call.principal?.split('/').at(-1) ?? '(none)';
}

function made(calls: readonly ReplayCall[], role: string, command: string): ReplayCall[] {
  return calls.filter((call) => roleOf(call) === role && call.command === command);
}

async function localRun(name: string, settings: Record<string, unknown> = { includeSampleFindings: true }) {
  return replay({ file: eventPath(name), settings, approvals: automaticApprovals('approve') });
}

describe('a local run of every bundled event takes the deployed path', () => {
  const events = listEvents();
  const routes = new Map<string, string>();

  it.each(events)('%s', async (name) => {
    const report = await localRun(name);
    const event = loadEvent(name);
    routes.set(name, report.delivery.outcome === 'dropped' ? 'dropped' : report.delivery.via);

    if (arrivalRoute(event) === 'eventbridge') {
      // The deployed rules decide, exactly: the rules that match are the ones the event went through.
      const expected = matchingRules(deployedRules(), event).map((rule) => rule.id);
      if (expected.length === 0) {
        expect(report.delivery).toMatchObject({ outcome: 'dropped', reason: expect.any(String) });
        // Dropped by EventBridge: triage never ran, and nothing was called.
        expect(report.calls).toEqual([]);
        expect(report.execution.status).toBe('NOT_STARTED');
        return;
      }
      expect(report.delivery).toMatchObject({ outcome: 'delivered', via: 'eventbridge', rules: expected });
    } else {
      expect(report.delivery).toMatchObject({ outcome: 'delivered', via: 'poller' });
    }

    // Every call was made by one of Cordon's roles, and the policies infra deploys for it allow it.
    expect(report.calls.filter((call) => call.principal === undefined)).toEqual([]);
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    // Triage read its settings from the stage's parameters through the loader…
    expect(made(report.calls, 'cordon-local-triage', 'GetParametersByPath')[0]?.input).toMatchObject({
      Path: SETTINGS_PATH,
      Recursive: true,
    });
    if (!report.accepted || report.decision?.action === 'ignore') return;
    // …and claimed the incident in its DynamoDB ledger table before starting anything.
    expect(made(report.calls, 'cordon-local-triage', 'PutItem')).toContainEqual(
      expect.objectContaining({
        input: expect.objectContaining({
          TableName: 'cordon-local-ledger',
          Item: expect.objectContaining({ sk: { S: '~execution' } }),
        }),
      }),
    );
    expect(made(report.calls, 'cordon-local-triage', 'StartExecution')).toHaveLength(1);
    // Each step that ran is its function, reading the same settings as its own role.
    for (const step of report.steps.filter((run) => run.id !== 'request-approval')) {
      expect(made(report.calls, `cordon-local-${step.id}`, 'GetParametersByPath'), step.id).not.toEqual([]);
    }
  });

  it('covered the three ways: dropped by EventBridge, delivered by a rule, delivered by the poller', () => {
    expect(new Set(routes.values())).toEqual(new Set(['dropped', 'eventbridge', 'poller']));
    expect(routes.size).toBe(events.length);
  });

  it('counts an automatic containment against the blast radius in the ledger table (UpdateItem by triage)', async () => {
    const report = await localRun('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json', {
      includeSampleFindings: true,
      severity: { approvalAt: 4, autoRemediateAt: 5 },
    });

    expect(report.decision).toMatchObject({ playbook: 'ec2-compromise', approval: 'auto' });
    // Triage's other UpdateItem is the claim's started mark (ledger/dynamodb-claims.ts); exactly one counts.
    const counted = made(report.calls, 'cordon-local-triage', 'UpdateItem').filter((call) =>
      JSON.stringify(call.input).includes('ADD containments'),
    );
    expect(counted).toEqual([
      expect.objectContaining({
        input: expect.objectContaining({
          TableName: 'cordon-local-ledger',
          Key: expect.objectContaining({ incidentId: { S: `blast-radius#${report.incident?.account}` } }),
        }),
      }),
    ]);
    expect(report.execution.status).toBe('SUCCEEDED');
  });
});

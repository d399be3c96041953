import { describe, expect, it } from 'vitest';
import { loadEvent } from '../../../test/support/events.ts';
import { LocalDeployment, TRIAGE_ATTEMPTS } from '../src/deployment.ts';
import { automaticApprovals } from '../src/engine.ts';
import { LocalDeploymentConfigError } from '../src/errors.ts';
import type { Sandbox } from '../src/sandbox/index.ts';
import type { Authorizer, RecordedCall } from '../src/sandbox/types.ts';
import { sandboxForEvent } from '../src/seed-event.ts';

const CC_EVENT = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';
/** The sample's severity (5) contained without approval, samples included. */
const AUTOMATIC = { includeSampleFindings: true, severity: { approvalAt: 4, autoRemediateAt: 5 } };
const NOW = new Date('2026-11-28T10:15:00.000Z');

function role(account: string, name: string): string {
  return `arn:aws:iam::${account}:role/${name}`;
}

function callsOf(sandbox: Sandbox, command: string): RecordedCall[] {
  return sandbox.account.calls.filter((call) => call.command === command);
}

async function deployed(
  options: Partial<Parameters<typeof LocalDeployment.create>[0]> = {},
  event = loadEvent(CC_EVENT),
) {
  const seeded = sandboxForEvent(event, {}, { now: () => NOW });
  const deployment = await LocalDeployment.create({
    sandbox: seeded.sandbox,
    settings: AUTOMATIC,
    approvals: automaticApprovals('approve'),
    ...options,
  });
  return { deployment, sandbox: seeded.sandbox, event: seeded.event };
}

describe('LocalDeployment', () => {
  it('takes an event through the deployed rule to the triage function, which reads SSM, claims in DynamoDB and starts the playbook through Step Functions, each as its own role', async () => {
    const { deployment, sandbox, event } = await deployed();
    const account = sandbox.account.accountId;
    sandbox.account.calls.length = 0;

    const delivery = await deployment.deliver(event);

    expect(delivery).toMatchObject({
      outcome: 'delivered',
      via: 'eventbridge',
      rules: ['guardduty-findings'],
    });
    const triage = role(account, 'cordon-local-triage');
    expect(callsOf(sandbox, 'GetParametersByPath')[0]).toMatchObject({
      principal: triage,
      input: { Path: '/cordon/local/settings/', Recursive: true, WithDecryption: true },
    });
    expect(callsOf(sandbox, 'PutItem')[0]).toMatchObject({
      principal: triage,
      input: { TableName: 'cordon-local-ledger', Item: { sk: { S: '~execution' } } },
    });
    expect(callsOf(sandbox, 'UpdateItem')[0]).toMatchObject({
      principal: triage,
      input: { Key: { incidentId: { S: `blast-radius#${account}` }, sk: { S: '2026-11-28T10' } } },
    });
    expect(callsOf(sandbox, 'StartExecution')).toEqual([
      expect.objectContaining({
        principal: triage,
        outcome: 'ok',
        input: expect.objectContaining({
          stateMachineArn: `arn:aws:states:us-east-1:${account}:stateMachine:cordon-local-ec2-compromise`,
        }),
      }),
    ]);
    // The playbook's steps are the action functions, each reading settings and acting as its own role.
    const containing = callsOf(sandbox, 'ModifyNetworkInterfaceAttribute');
    expect(new Set(containing.map((call) => call.principal))).toEqual(
      new Set([role(account, 'cordon-local-contain-instance')]),
    );
    expect(
      callsOf(sandbox, 'GetParametersByPath').some(
        (call) => call.principal === role(account, 'cordon-local-contain-instance'),
      ),
    ).toBe(true);
    expect(sandbox.account.calls.every((call) => call.principal !== undefined)).toBe(true);
    expect(delivery.outcome !== 'dropped' && delivery.executions[0]?.status).toBe('SUCCEEDED');
    expect(deployment.stepFunctions.executions()).toEqual([
      expect.objectContaining({
        status: 'SUCCEEDED',
        name: delivery.outcome === 'dropped' ? '' : delivery.executions[0]?.name,
      }),
    ]);
  });

  it('drops an event no rule matches, as EventBridge does, with the reason, and triage never sees it', async () => {
    const { deployment, sandbox } = await deployed();
    sandbox.account.calls.length = 0;

    const delivery = await deployment.deliver(
      loadEvent('cloudwatch/eb-alarm-config-change-update-metric-docs.json'),
    );

    expect(delivery).toEqual({
      outcome: 'dropped',
      via: 'eventbridge',
      reason:
        'no rule takes source "aws.cloudwatch" with detail-type "CloudWatch Alarm Configuration Change"',
    });
    expect(sandbox.account.calls).toEqual([]);
  });

  it('hands the poller’s batch of raw findings to triage, which triages each on its own', async () => {
    const { deployment, event } = await deployed();
    const finding = (event as { detail: unknown }).detail;

    const delivery = await deployment.poll([finding, { not: 'a finding' }]);

    expect(delivery).toMatchObject({ outcome: 'delivered', via: 'poller', rules: [] });
    expect(delivery.outcome !== 'dropped' && delivery.results.map((result) => result.outcome)).toEqual([
      'started',
      'rejected',
    ]);
  });

  it('names its tables, parameters, state machines and roles after the stage, as infra does', async () => {
    const { deployment, sandbox, event } = await deployed({ stage: 'qa' });
    const account = sandbox.account.accountId;

    await deployment.deliver(event);

    // The settings, and the alarm thresholds infra creates beside them.
    expect(
      Object.keys(sandbox.ssm.snapshot().parameters).every(
        (name) => name.startsWith('/cordon/qa/settings/') || name.startsWith('/cordon/qa/detections/'),
      ),
    ).toBe(true);
    expect(
      sandbox.ssm.snapshot().parameters['/cordon/qa/detections/RootAccountUsage/threshold'],
    ).toMatchObject({
      value: '1',
    });
    expect(sandbox.dynamodb.items('cordon-qa-ledger').length).toBeGreaterThan(0);
    expect(callsOf(sandbox, 'StartExecution')[0]).toMatchObject({
      principal: role(account, 'cordon-qa-triage'),
      input: { stateMachineArn: `arn:aws:states:us-east-1:${account}:stateMachine:cordon-qa-ec2-compromise` },
    });
    expect(deployment.topicArn).toBe(`arn:aws:sns:us-east-1:${account}:cordon-qa-notifications`);
  });

  it('acts in an account other than its home through the member-account roles, as deployed', async () => {
    const home = '999988887777';
    const { deployment, sandbox, event } = await deployed({ homeAccount: home });
    const member = sandbox.account.accountId;

    await deployment.deliver(event);

    // Triage reads the instance with the read-only observer role, its tables with its own role at home.
    expect(callsOf(sandbox, 'DescribeInstances')[0]?.principal).toBe(role(member, 'CordonResponderObserver'));
    expect(callsOf(sandbox, 'PutItem')[0]?.principal).toBe(role(home, 'cordon-local-triage'));
    // The actions change the member account with the responder role; the notification is sent from home.
    expect(
      new Set(callsOf(sandbox, 'ModifyNetworkInterfaceAttribute').map((call) => call.principal)),
    ).toEqual(new Set([role(member, 'CordonResponder-contain-instance')]));
    expect(callsOf(sandbox, 'Publish')[0]?.principal).toBe(role(home, 'cordon-local-notify'));
  });

  it('asks IAM about each call with the installed authorizer: a denied StartExecution fails triage, retried as Lambda retries it', async () => {
    const asked: string[] = [];
    const authorizer: Authorizer = ({ principal, command }) => {
      asked.push(`${principal.arn.split('/').at(-1)} ${command}`);
      return command === 'StartExecution'
        ? { decision: 'denied', reason: 'no identity-based policy allows states:StartExecution' }
        : { decision: 'allowed', reason: 'allowed' };
    };
    const { deployment, sandbox, event } = await deployed({ authorizer });
    sandbox.account.calls.length = 0;

    const delivery = await deployment.deliver(event);

    expect(delivery).toMatchObject({
      outcome: 'failed',
      attempts: TRIAGE_ATTEMPTS,
      error: { name: 'AccessDeniedException' },
    });
    expect(callsOf(sandbox, 'StartExecution').map((call) => [call.iam, call.outcome])).toEqual(
      Array(TRIAGE_ATTEMPTS).fill(['denied', 'AccessDeniedException']),
    );
    expect(callsOf(sandbox, 'PutItem').every((call) => call.iam === 'allowed')).toBe(true);
    expect(asked).toContain('cordon-local-triage GetParametersByPath');
    expect(deployment.executions.size).toBe(0);
  });

  it("is allowed every call it makes by the policies infra deploys ('deployed-policies')", async () => {
    const { deployment, sandbox, event } = await deployed({ authorizer: 'deployed-policies' });
    sandbox.account.calls.length = 0;

    const delivery = await deployment.deliver(event);

    const denied = sandbox.account.calls.filter((call) => call.iam === 'denied');
    expect(denied.map((call) => `${call.principal} ${call.service}.${call.command}`)).toEqual([]);
    expect(delivery.outcome !== 'dropped' && delivery.executions[0]).toMatchObject({ status: 'SUCCEEDED' });
    const evaluated = sandbox.account.calls.filter((call) => call.principal !== undefined);
    expect(evaluated.length).toBeGreaterThan(20);
    expect(evaluated.every((call) => call.iam === 'allowed')).toBe(true);
  });

  it('delivers again after a transient fault in triage: the claim made by the failed attempt is claimed again', async () => {
    const { deployment, sandbox, event } = await deployed();
    sandbox.account.injectFault({
      service: 'SFN',
      command: 'StartExecution',
      error: 'ThrottlingException',
      times: 1,
    });

    const delivery = await deployment.deliver(event);

    expect(delivery).toMatchObject({ outcome: 'delivered', attempts: 2 });
    expect(delivery.outcome !== 'dropped' && delivery.results[0]?.outcome).toBe('started');
  });

  it('runs triage, the ledger, the blast radius and the playbook on its clock', async () => {
    const { deployment, sandbox, event } = await deployed();

    const delivery = await deployment.deliver(event);

    const incidentId =
      delivery.outcome === 'dropped' ? '' : (delivery.results[0] as { incident: { id: string } }).incident.id;
    const items = sandbox.dynamodb.items('cordon-local-ledger');
    const triageEntry = items.find((item) => item.incidentId?.S === incidentId && item.step?.S === 'triage');
    expect(triageEntry?.at).toEqual({ S: NOW.toISOString() });
    expect(items.find((item) => item.sk?.S === '~execution')?.holderClaimedAt).toEqual({
      S: NOW.toISOString(),
    });
    expect(
      items.some((item) => item.incidentId?.S?.startsWith('blast-radius#') && item.sk?.S === '2026-11-28T10'),
    ).toBe(true);
    expect(deployment.executions.get(incidentId)?.steps[0]?.startedAt).toBe(NOW.toISOString());
  });

  it('asks for approval instead of containing when the stage’s blast radius is 0, read from SSM', async () => {
    const { deployment, sandbox, event } = await deployed({
      settings: { ...AUTOMATIC, blastRadius: { maxContainmentsPerAccountPerHour: 0 } },
    });

    const delivery = await deployment.deliver(event);

    const [result] = delivery.outcome === 'dropped' ? [] : delivery.results;
    expect(result).toMatchObject({ outcome: 'started', decision: { approval: 'required' } });
    expect(result?.outcome !== 'rejected' && result?.decision.reason).toMatch(
      /Blast radius: the settings allow no automatic containment/,
    );
    expect(
      callsOf(sandbox, 'UpdateItem').filter((call) => JSON.stringify(call.input).includes('blast-radius')),
    ).toEqual([]);
  });

  it('fails closed when the stage’s settings are not valid, as the loader does in AWS', async () => {
    const { deployment, event } = await deployed({ settings: { ...AUTOMATIC, mode: 'destroy-everything' } });

    const settings = await deployment.settings();
    const delivery = await deployment.deliver(event);

    expect(settings).toMatchObject({ ok: false, reason: expect.stringContaining('mode') });
    const [result] = delivery.outcome === 'dropped' ? [] : delivery.results;
    expect(result).toMatchObject({ decision: { action: 'ignore' } });
  });

  it('replaces the settings in SSM and every function reads them on its next invocation', async () => {
    const { deployment, sandbox, event } = await deployed({ settings: { includeSampleFindings: false } });
    const first = await deployment.deliver(event);

    await deployment.putSettings(AUTOMATIC);
    const second = await deployment.deliver(event);

    expect(first.outcome !== 'dropped' && first.results[0]?.outcome).toBe('ignored');
    expect(second.outcome !== 'dropped' && second.results[0]?.outcome).toBe('started');
    expect(sandbox.ssm.snapshot().parameters['/cordon/local/settings/include-sample-findings']?.value).toBe(
      'true',
    );
  });

  it('refuses a home account that is not an account id, and a stage that would change the parameter path, before making anything', async () => {
    const { sandbox } = sandboxForEvent(loadEvent(CC_EVENT));
    await expect(LocalDeployment.create({ sandbox, homeAccount: 'home' })).rejects.toThrow(
      LocalDeploymentConfigError,
    );
    await expect(LocalDeployment.create({ sandbox, stage: '../prod' })).rejects.toMatchObject({
      name: 'SettingsStageInvalidError',
    });
    expect(sandbox.ssm.snapshot().parameters).toEqual({});
  });

  it('refuses settings SSM could not hold before making anything, so that the sandbox can be deployed to again', async () => {
    const { sandbox } = sandboxForEvent(loadEvent(CC_EVENT));
    await expect(
      LocalDeployment.create({ sandbox, settings: { approval: { slackChannel: '' } } }),
    ).rejects.toMatchObject({ name: 'LocalSettingsInvalidError' });
    expect(sandbox.ssm.snapshot().parameters).toEqual({});
    await expect(LocalDeployment.create({ sandbox })).resolves.toBeInstanceOf(LocalDeployment);
  });

  it('refuses a second deployment over the same sandbox (its executions would be lost)', async () => {
    const { sandbox } = await deployed();
    await expect(LocalDeployment.create({ sandbox })).rejects.toThrow(LocalDeploymentConfigError);
  });
});

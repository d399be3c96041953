import { describe, expect, it } from 'vitest';
import { envelope, TEST_ACCOUNT, TEST_INCIDENT, TEST_REGION } from '../../../../test/support/actions.ts';
import { environmentOn, testSandbox } from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { notify } from '../../src/actions/notify.ts';
import { runAction } from '../../src/actions/run-action.ts';

const WEBHOOK = 'https://hooks.example.test/services/T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';

function incident(resources: unknown[] = [{ kind: 'access-key', role: 'compromised', accessKeyId: KEY_ID }]) {
  return {
    id: TEST_INCIDENT,
    title: `Access key ${KEY_ID} was used from a Tor exit node`,
    category: 'credential-compromise',
    severity: { score: 8.5, label: 'high' },
    source: 'guardduty',
    account: TEST_ACCOUNT,
    region: TEST_REGION,
    resources,
  };
}

function contained(dryRun = false) {
  return {
    ...envelope(dryRun),
    event: 'contained',
    playbook: 'credential-compromise',
    steps: [
      { id: 'deactivate-access-key', status: 'done' },
      { id: 'revoke-sessions', status: 'done' },
    ],
    incident: incident(),
  };
}

/** A Slack webhook stand-in: records each body, answers with the given statuses, then 200. */
function fakeSlack(statuses: number[] = []) {
  const bodies: unknown[] = [];
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    bodies.push(JSON.parse(String(init?.body)));
    const status = statuses.shift() ?? 200;
    return new Response(status === 200 ? 'ok' : 'no_service', { status });
  };
  return { fetch, bodies };
}

function seeded() {
  const sandbox = testSandbox();
  const topicArn = sandbox.sns.addTopic('cordon-alerts');
  const slack = fakeSlack();
  const environmentFor = (target: Sandbox = sandbox, fetch = slack.fetch) => ({
    ...environmentOn(target),
    notifications: { snsTopicArn: topicArn, slackWebhookUrl: WEBHOOK, fetch },
  });
  return { sandbox, topicArn, slack, environment: environmentFor() };
}

describe('notify (against the sandbox account)', () => {
  it('publishes one SNS message per incident event, with attributes for filtering by severity and playbook', async () => {
    const { sandbox, topicArn, environment } = seeded();

    await runAction(notify, contained(), environment);
    await runAction(notify, { ...contained(), event: 'released', playbook: undefined }, environment);

    const messages = sandbox.sns.messages(topicArn);
    expect(messages.map((message) => message.subject)).toEqual([
      `[Cordon] HIGH credential-compromise: ${KEY_ID} contained`,
      `[Cordon] HIGH credential-compromise: ${KEY_ID} released`,
    ]);
    expect(messages[0]?.messageAttributes).toEqual({
      severity: { DataType: 'String', StringValue: 'high' },
      playbook: { DataType: 'String', StringValue: 'credential-compromise' },
      event: { DataType: 'String', StringValue: 'contained' },
      category: { DataType: 'String', StringValue: 'credential-compromise' },
      incidentId: { DataType: 'String', StringValue: TEST_INCIDENT },
      dryRun: { DataType: 'String', StringValue: 'false' },
    });
    expect(messages[1]?.messageAttributes.playbook).toEqual({ DataType: 'String', StringValue: 'none' });
    expect(JSON.parse(messages[0]?.message ?? '')).toEqual({ ...contained(), dryRun: false });
  });

  it('posts a Block Kit message to the Slack webhook when configured', async () => {
    const { slack, environment } = seeded();

    await runAction(notify, contained(), environment);

    expect(slack.bodies).toHaveLength(1);
    expect(slack.bodies[0]).toMatchObject({
      text: `[Cordon] HIGH credential-compromise: ${KEY_ID} contained`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'HIGH credential-compromise: contained' } },
        {
          type: 'section',
          fields: expect.arrayContaining([{ type: 'mrkdwn', text: `*Resource*\n${KEY_ID}`, verbatim: true }]),
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Steps:* deactivate-access-key done, revoke-sessions done' },
        },
        { type: 'context' },
      ],
    });
  });

  it('a second delivery of the same event publishes nothing', async () => {
    const { sandbox, topicArn, slack, environment } = seeded();
    await runAction(notify, contained(), environment);
    const after = sandbox.account.snapshot();

    const second = await runAction(notify, contained(), environment);

    expect(second.status).toBe('already-done');
    expect(sandbox.sns.messages(topicArn)).toHaveLength(1);
    expect(sandbox.account.snapshot()).toEqual(after);
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toEqual(['Publish']);
    expect(slack.bodies).toHaveLength(1);
  });

  it('notifies in dry-run too', async () => {
    const { sandbox, topicArn, slack, environment } = seeded();

    const outcome = await runAction(notify, contained(true), environment);

    expect(outcome).toMatchObject({ status: 'done', dryRun: true });
    const [message] = sandbox.sns.messages(topicArn);
    expect(message?.subject).toBe(`[Cordon dry-run] HIGH credential-compromise: ${KEY_ID} contained`);
    expect(JSON.parse(message?.message ?? '')).toMatchObject({ dryRun: true });
    expect(slack.bodies).toHaveLength(1);
    // Publishing is the only call: notify changes nothing in the account.
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toEqual(['Publish']);
  });

  it('keeps a message with thousands of resources within what SNS accepts', async () => {
    const { sandbox, topicArn, environment } = seeded();
    const resources = Array.from({ length: 3_000 }, (_, index) => ({
      kind: 'aws-resource',
      role: 'affected',
      resourceType: 'AWS::EC2::Instance',
      resourceId: `i-${index.toString(16).padStart(17, '0')}`,
      description: 'x'.repeat(100),
    }));

    const outcome = await runAction(notify, { ...contained(), incident: incident(resources) }, environment);

    expect(outcome.status).toBe('done');
    const [message] = sandbox.sns.messages(topicArn);
    expect(JSON.parse(message?.message ?? '')).toMatchObject({
      resourcesTruncated: { total: 3_000, included: expect.any(Number) },
    });
  });

  describe('fault injection', () => {
    it('surfaces SNS throttling as ThrottledError with nothing sent, and a retry sends it once', async () => {
      const { sandbox, topicArn, slack, environment } = seeded();
      sandbox.account.injectFault({ service: 'SNS', command: 'Publish', error: 'Throttled', times: 1 });

      await expect(runAction(notify, contained(), environment)).rejects.toMatchObject({
        name: 'ThrottledError',
        retryable: true,
      });
      expect(sandbox.sns.messages(topicArn)).toEqual([]);
      expect(slack.bodies).toEqual([]);

      await runAction(notify, contained(), environment);

      expect(sandbox.sns.messages(topicArn)).toHaveLength(1);
      expect(slack.bodies).toHaveLength(1);
    });

    it('surfaces an SNS 5xx as TransientServiceError', async () => {
      const { sandbox, environment } = seeded();
      sandbox.account.injectFault({ service: 'SNS', command: 'Publish', error: 'InternalError', times: 1 });

      await expect(runAction(notify, contained(), environment)).rejects.toMatchObject({
        name: 'TransientServiceError',
        retryable: true,
      });
    });

    it('surfaces a missing topic as a terminal error, recorded as failed', async () => {
      const { environment } = seeded();
      const gone = {
        ...environment,
        notifications: {
          ...environment.notifications,
          snsTopicArn: `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:gone`,
        },
      };

      await expect(runAction(notify, contained(), gone)).rejects.toMatchObject({
        name: 'ResourceGoneError',
        retryable: false,
      });
      expect((await gone.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual(['failed']);
    });

    it("surfaces SNS's AuthorizationError on Publish as AccessDeniedError (terminal)", async () => {
      const { sandbox, environment } = seeded();
      sandbox.account.injectFault({ service: 'SNS', command: 'Publish', error: 'AuthorizationError' });

      await expect(runAction(notify, contained(), environment)).rejects.toMatchObject({
        name: 'AccessDeniedError',
        retryable: false,
      });
    });

    it('does not report a Slack failure as done: the step succeeds on SNS and records SNS only', async () => {
      const { sandbox, topicArn } = seeded();
      const slack = fakeSlack([503, 503, 503]);
      const waits: number[] = [];
      const environment = {
        ...environmentOn(sandbox),
        notifications: {
          snsTopicArn: topicArn,
          slackWebhookUrl: WEBHOOK,
          fetch: slack.fetch,
          sleep: async (milliseconds: number) => void waits.push(milliseconds),
        },
      };

      const outcome = await runAction(notify, contained(), environment);

      expect(outcome).toMatchObject({
        status: 'done',
        output: { sns: 'published', slack: 'failed', slackAttempts: 3, slackError: 'HTTP 503 no_service' },
      });
      expect(waits).toEqual([1_000, 1_000]);
      expect(sandbox.sns.messages(topicArn)).toHaveLength(1);
      expect(environment.ledger.all().map((entry) => [entry.outcome, entry.changes.length])).toEqual([
        ['done', 1],
      ]);
    });
  });
});

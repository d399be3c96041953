import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  realClients,
  TEST_ACCOUNT,
  TEST_INCIDENT,
  TEST_REGION,
} from '../../../../test/support/actions.ts';
import {
  MAX_SNS_PAYLOAD_BYTES,
  NotifyInput,
  notificationSubject,
  notify,
  reportedSteps,
  SLACK_ATTEMPTS,
  SLACK_WAIT_BUDGET_MS,
} from '../../src/actions/notify.ts';
import { runAction } from '../../src/actions/run-action.ts';
import type { ActionLogger } from '../../src/actions/types.ts';
import { MAX_SUBJECT_LENGTH } from '../../src/incident-summary.ts';

const TOPIC = `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:cordon-alerts`;
const SECRET = 'T0000000/B0000000/XXXXXXXXXXXXXXXXXXXXXXXX';
const WEBHOOK = `https://hooks.example.test/services/${SECRET}`;
const INSTANCE_ID = 'i-0abc1234def567890';

function incident(overrides: Record<string, unknown> = {}) {
  return {
    id: TEST_INCIDENT,
    title: `EC2 instance ${INSTANCE_ID} is querying a domain associated with Bitcoin mining`,
    category: 'instance-compromise',
    severity: { score: 8, label: 'high' },
    source: 'guardduty',
    account: TEST_ACCOUNT,
    region: TEST_REGION,
    resources: [
      { kind: 'ec2-instance', role: 'compromised', instanceId: INSTANCE_ID, networkInterfaces: [], tags: {} },
    ],
    ...overrides,
  };
}

function contained(dryRun = false) {
  return { ...envelope(dryRun), event: 'contained', playbook: 'ec2-compromise', incident: incident() };
}

/** An answer of the fake Slack: a status, or a 429 with its `Retry-After` (seconds, as Slack sends it). */
type SlackAnswer = number | { readonly status: 429; readonly retryAfter?: string };

/** A fake `fetch` that records what was posted and answers with the given statuses, then 200. */
function fakeSlack(answers: SlackAnswer[] = []) {
  const posts: Array<{ url: string; method?: string; body: unknown }> = [];
  const fetch: typeof globalThis.fetch = async (url, init) => {
    posts.push({ url: String(url), method: init?.method, body: JSON.parse(String(init?.body)) });
    const answer = answers.shift() ?? 200;
    if (typeof answer === 'object') {
      const headers: Record<string, string> =
        answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter };
      return new Response('rate_limited', { status: 429, headers });
    }
    return new Response(answer === 200 ? 'ok' : answer === 404 ? 'no_service' : 'internal_error', {
      status: answer,
    });
  };
  return { fetch, posts };
}

/** A clock for Slack's waits that only records them. */
function recordedSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (milliseconds: number) => void waits.push(milliseconds) };
}

/** A logger that keeps everything it is given, extras included. */
function capturingLogger(): ActionLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string, extra?: Record<string, unknown>) =>
    void lines.push(`${message} ${JSON.stringify(extra ?? {})}`);
  return { lines, info: keep, warn: keep, error: keep };
}

describe('notify (commands sent)', () => {
  const clients = realClients();
  const sns = mockClient(clients.sns);

  const environmentWith = (
    slack = fakeSlack(),
    notifications: Record<string, unknown> = {},
    clock = recordedSleep(),
  ) => ({
    ...actionEnvironment(clients),
    notifications: {
      snsTopicArn: TOPIC,
      slackWebhookUrl: WEBHOOK,
      fetch: slack.fetch,
      sleep: clock.sleep,
      ...notifications,
    },
  });
  const published = () =>
    sns.commandCalls(PublishCommand).map((call) => {
      const input = call.args[0].input;
      return { ...input, body: JSON.parse(String(input.Message)) as Record<string, unknown> };
    });

  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: '6a1c2f4e-0000-4000-8000-000000000001' });
  });

  it('publishes one SNS message per incident event, with attributes for filtering by severity and playbook', async () => {
    const environment = environmentWith();

    const outcome = await runAction(notify, contained(), environment);
    await runAction(
      notify,
      {
        ...envelope(),
        event: 'step-failed',
        playbook: 'ec2-compromise',
        failedStep: 'isolate-instance',
        error: { name: 'AccessDeniedError', message: 'ec2:ModifyNetworkInterfaceAttribute denied' },
        incident: incident(),
      },
      environment,
    );

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(sns).toHaveReceivedNthCommandWith(PublishCommand, 1, {
      TopicArn: TOPIC,
      Subject: `[Cordon] HIGH instance-compromise: ${INSTANCE_ID} contained`,
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'high' },
        playbook: { DataType: 'String', StringValue: 'ec2-compromise' },
        event: { DataType: 'String', StringValue: 'contained' },
        category: { DataType: 'String', StringValue: 'instance-compromise' },
        incidentId: { DataType: 'String', StringValue: TEST_INCIDENT },
        dryRun: { DataType: 'String', StringValue: 'false' },
      },
    });
    expect(published()[0]?.body).toEqual({ ...contained(), dryRun: false });
    expect(published()[1]).toMatchObject({
      Subject: `[Cordon] HIGH instance-compromise: ${INSTANCE_ID} step isolate-instance failed`,
      body: { failedStep: 'isolate-instance', error: { name: 'AccessDeniedError' } },
    });
    expect(outcome.output).toEqual({
      eventKey: 'contained:',
      sns: 'published',
      messageId: '6a1c2f4e-0000-4000-8000-000000000001',
      slack: 'posted',
      slackAttempts: 1,
    });
  });

  it('a readable subject of at most 100 characters', async () => {
    // Any title and resource id, however long or exotic: printable ASCII, ≤ 100, and the event always shows.
    const base = contained() as unknown as NotifyInput;
    fc.assert(
      fc.property(
        fc.string({ maxLength: 300, unit: 'binary' }),
        fc.string({ maxLength: 300, unit: 'binary' }),
        fc.boolean(),
        (title, resourceId, dryRun) => {
          const input: NotifyInput = {
            ...base,
            incident: { ...base.incident, title: title || 'x', resources: [{ instanceId: resourceId }] },
          };
          const subject = notificationSubject(input, dryRun);
          expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
          expect(subject).toMatch(/^\[Cordon( dry-run)?\] HIGH instance-compromise: [\x20-\x7e]* contained$/);
        },
      ),
    );

    await runAction(
      notify,
      {
        ...contained(),
        event: 'step-failed',
        failedStep: 'deregister-from-load-balancers',
        incident: incident({
          category: 'credential-compromise',
          severity: { score: 9.5, label: 'critical' },
          resources: [{ kind: 'access-key', accessKeyId: `AKIA${'X'.repeat(120)}` }, { kind: 'iam-user' }],
        }),
      },
      environmentWith(),
    );
    const subject = published()[0]?.Subject ?? '';
    expect(subject).toBe(
      '[Cordon] CRITICAL credential-compromise: AKIAXXXX... (+1) step deregister-from-load-balancers failed',
    );
    expect(subject.length).toBeLessThanOrEqual(100);
  });

  it('strips line breaks, control and non-ASCII characters from the subject', () => {
    const base = contained() as unknown as NotifyInput;
    const subject = notificationSubject(
      { ...base, incident: { ...base.incident, resources: [{ userName: 'évé\n\u0007admin…' }] } },
      false,
    );
    expect(subject).toBe('[Cordon] HIGH instance-compromise: eve admin... contained');
  });

  it('posts a Block Kit message to the Slack webhook when configured', async () => {
    const slack = fakeSlack();

    await runAction(
      notify,
      {
        ...envelope(),
        event: 'approval-requested',
        playbook: 'credential-compromise',
        approvalUrl: 'https://approve.example.test/a/01HZX3',
        incident: incident({ title: 'Key <AKIA…> used from a Tor exit node & more' }),
      },
      environmentWith(slack),
    );

    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]).toMatchObject({ url: WEBHOOK, method: 'POST' });
    const body = slack.posts[0]?.body as { text: string; blocks: Array<Record<string, unknown>> };
    expect(body.blocks.map((block) => block.type)).toEqual(['header', 'section', 'section', 'context']);
    expect(body.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'HIGH instance-compromise: approval requested' },
    });
    expect(body.blocks[1]).toMatchObject({
      type: 'section',
      // Slack markup in a finding's text is escaped, never interpreted.
      text: { type: 'mrkdwn', text: 'Key &lt;AKIA…&gt; used from a Tor exit node &amp; more' },
      fields: [
        { type: 'mrkdwn', text: '*Severity*\nHIGH (8.0)' },
        { type: 'mrkdwn', text: '*Category*\ninstance-compromise' },
        { type: 'mrkdwn', text: `*Resource*\n${INSTANCE_ID}` },
        { type: 'mrkdwn', text: '*Playbook*\ncredential-compromise' },
        { type: 'mrkdwn', text: `*Account*\n${TEST_ACCOUNT}` },
        { type: 'mrkdwn', text: `*Region*\n${TEST_REGION}` },
      ],
    });
    expect(body.blocks[2]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '<https://approve.example.test/a/01HZX3|Review and decide>',
        verbatim: true,
      },
    });
    expect(body.blocks[3]).toMatchObject({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: expect.stringContaining(TEST_INCIDENT) }],
    });
    expect(body.text).toMatch(/^\[Cordon\] HIGH instance-compromise: .* approval requested$/);
  });

  it('posts nothing when no webhook is configured, and says so', async () => {
    const slack = fakeSlack();
    const outcome = await runAction(
      notify,
      contained(),
      environmentWith(slack, { slackWebhookUrl: undefined }),
    );

    expect(slack.posts).toEqual([]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(outcome.output.slack).toBe('not-configured');
    expect(outcome.notes).toContain('No Slack webhook is configured: nothing posted to Slack.');
  });

  it('skips SNS with a note when no topic is configured', async () => {
    const slack = fakeSlack();
    const outcome = await runAction(notify, contained(), environmentWith(slack, { snsTopicArn: undefined }));

    expect(sns).not.toHaveReceivedCommand(PublishCommand);
    expect(slack.posts).toHaveLength(1);
    expect(outcome.notes).toContain('No SNS topic is configured: nothing published to SNS.');
  });

  it('never logs the webhook URL', async () => {
    const logger = capturingLogger();
    const failing: typeof fetch = async (url) => {
      // undici puts the URL in its messages: the action must not pass them on.
      throw new TypeError(`fetch failed for ${String(url)}`, { cause: { code: 'ECONNRESET' } });
    };
    const environment = { ...environmentWith(), logger };

    await runAction(notify, contained(), environment);
    const outcome = await runAction(
      notify,
      { ...contained(), event: 'released', playbook: 'ec2-release' },
      { ...environment, notifications: { ...environment.notifications, fetch: failing } },
    );
    const alone = await runAction(
      notify,
      { ...contained(), event: 'remediated', playbook: 'ec2-release' },
      {
        ...environment,
        notifications: { ...environment.notifications, snsTopicArn: undefined, fetch: failing },
      },
    ).catch((caught: unknown) => caught);

    expect(outcome.output).toMatchObject({ slack: 'failed', slackError: 'TypeError ECONNRESET' });
    expect(alone).toMatchObject({
      name: 'TransientServiceError',
      message: expect.stringContaining('TypeError ECONNRESET'),
    });
    const everything = JSON.stringify({
      lines: logger.lines,
      ledger: environment.ledger.all(),
      outcome,
      error: { message: (alone as Error).message, cause: (alone as Error).cause },
      sent: published(),
    });
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('hooks.example.test');
  });

  it('a second delivery of the same event publishes nothing', async () => {
    const slack = fakeSlack();
    const environment = environmentWith(slack);
    await runAction(notify, contained(), environment);

    const second = await runAction(notify, contained(), environment);

    expect(second).toMatchObject({
      status: 'already-done',
      output: { sns: 'already-published', slack: 'already-posted' },
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(slack.posts).toHaveLength(1);
  });

  it('tells apart events of one incident: another failed step is another notification', async () => {
    const environment = environmentWith();
    const failed = (failedStep: string) => ({
      ...envelope(),
      event: 'step-failed',
      failedStep,
      playbook: 'ec2-compromise',
      incident: incident(),
    });

    await runAction(notify, failed('isolate-instance'), environment);
    await runAction(notify, failed('snapshot-volumes'), environment);
    await runAction(notify, failed('isolate-instance'), environment);

    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it('tries a Slack 5xx again within the step, after a second: posted once, SNS published once', async () => {
    const slack = fakeSlack([500]);
    const clock = recordedSleep();

    const outcome = await runAction(notify, contained(), environmentWith(slack, {}, clock));

    expect(outcome).toMatchObject({
      status: 'done',
      output: { sns: 'published', slack: 'posted', slackAttempts: 2 },
    });
    expect(outcome.output).not.toHaveProperty('slackError');
    expect(clock.waits).toEqual([1_000]);
    expect(slack.posts).toHaveLength(2);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('429 with Retry-After: waits what Slack asks, then posts', async () => {
    const slack = fakeSlack([{ status: 429, retryAfter: '2' }]);
    const clock = recordedSleep();

    const outcome = await runAction(notify, contained(), environmentWith(slack, {}, clock));

    expect(outcome.output).toMatchObject({ sns: 'published', slack: 'posted', slackAttempts: 2 });
    expect(clock.waits).toEqual([2_000]);
    expect(outcome.changes.map((change) => change.attribute)).toEqual([
      'notification:sns',
      'notification:slack',
    ]);
  });

  it('repeated 429: the step succeeds on SNS, says Slack refused, and records no Slack delivery', async () => {
    const limited = { status: 429, retryAfter: '1' } as const;
    const slack = fakeSlack([limited, limited, limited]);
    const clock = recordedSleep();
    const environment = environmentWith(slack, {}, clock);

    const outcome = await runAction(notify, contained(), environment);

    expect(outcome).toMatchObject({
      status: 'done',
      output: {
        sns: 'published',
        slack: 'rate-limited',
        slackAttempts: SLACK_ATTEMPTS,
        slackError: 'HTTP 429 rate_limited',
      },
    });
    expect(outcome.output.messageId).toBeDefined();
    expect(clock.waits).toEqual([1_000, 1_000]);
    expect(slack.posts).toHaveLength(SLACK_ATTEMPTS);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    // Never "posted" for what Slack refused: neither in the outcome nor in the ledger.
    expect(outcome.changes.map((change) => change.attribute)).toEqual(['notification:sns']);
    const [entry] = environment.ledger.all();
    expect(entry).toMatchObject({ outcome: 'done', changes: [{ attribute: 'notification:sns' }] });
    expect(entry?.notes.join(' ')).toContain('Slack refused for its rate limit (HTTP 429 rate_limited)');
  });

  it('does not wait a Retry-After longer than its budget: rate-limited after one post', async () => {
    const slack = fakeSlack([{ status: 429, retryAfter: String(SLACK_WAIT_BUDGET_MS / 1000 + 1) }]);
    const clock = recordedSleep();

    const outcome = await runAction(notify, contained(), environmentWith(slack, {}, clock));

    expect(outcome.output).toMatchObject({ slack: 'rate-limited', slackAttempts: 1 });
    expect(clock.waits).toEqual([]);
    expect(slack.posts).toHaveLength(1);
  });

  it('does not try again a refusal waiting cannot cure (404 no_service)', async () => {
    const slack = fakeSlack([404]);
    const clock = recordedSleep();

    const outcome = await runAction(notify, contained(), environmentWith(slack, {}, clock));

    expect(outcome.output).toMatchObject({
      slack: 'failed',
      slackAttempts: 1,
      slackError: 'HTTP 404 no_service',
    });
    expect(clock.waits).toEqual([]);
  });

  it('fails the step when Slack is the only channel and refuses: a notification that reached nobody', async () => {
    const limited = { status: 429 } as const;
    const slack = fakeSlack([limited, limited, limited]);
    const clock = recordedSleep();
    const environment = environmentWith(slack, { snsTopicArn: undefined }, clock);

    const error = await runAction(notify, contained(), environment).catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'TransientServiceError',
      retryable: true,
      partial: { done: [], notDone: ['slack'] },
      message: expect.stringContaining('HTTP 429'),
    });
    // No Retry-After given: a second between posts, Slack's published rate.
    expect(clock.waits).toEqual([1_000, 1_000]);
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['failed']);
  });

  it('after SNS was published by an earlier try, a Slack refusal does not fail the step', async () => {
    const environment = environmentWith(fakeSlack([500, 500, 500]));
    await environment.ledger.append({
      incidentId: TEST_INCIDENT,
      step: 'notify',
      at: '2026-12-02T12:00:00.000Z',
      outcome: 'done',
      dryRun: false,
      settingsVersion: 'v1',
      input: {},
      changes: [{ resource: TOPIC, attribute: 'notification:sns', before: null, after: 'contained:' }],
      notes: [],
    });

    const outcome = await runAction(notify, contained(), environment);

    expect(outcome).toMatchObject({
      status: 'done',
      changes: [],
      output: { sns: 'already-published', slack: 'failed', slackError: 'HTTP 500 internal_error' },
    });
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('surfaces SNS throttling as ThrottledError, before posting to Slack', async () => {
    sns
      .on(PublishCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottledException', Code: 'Throttled' }));
    const slack = fakeSlack();

    const error = await runAction(notify, contained(), environmentWith(slack)).catch(
      (caught: unknown) => caught,
    );

    expect(error).toMatchObject({ name: 'ThrottledError', partial: { done: [], notDone: ['sns', 'slack'] } });
    expect(slack.posts).toEqual([]);
  });

  it('notifies in dry-run too', async () => {
    const slack = fakeSlack();

    const outcome = await runAction(notify, contained(true), environmentWith(slack));
    await runAction(
      notify,
      { ...contained(false), event: 'decided' },
      { ...environmentWith(slack), ...actionEnvironment(clients, { mode: 'notify-only' }) },
    );

    expect(outcome).toMatchObject({ status: 'done', dryRun: true });
    expect(published()[0]).toMatchObject({
      Subject: `[Cordon dry-run] HIGH instance-compromise: ${INSTANCE_ID} contained`,
      MessageAttributes: { dryRun: { DataType: 'String', StringValue: 'true' } },
      body: { dryRun: true },
    });
    expect(slack.posts).toHaveLength(2);
    expect(JSON.stringify(slack.posts[0]?.body)).toContain('dry-run: nothing was changed');
    expect(published()[1]).toMatchObject({ body: { event: 'decided', dryRun: true } });
  });

  it('keeps the SNS message within 256 KiB by listing fewer resources, and says so', async () => {
    const resources = Array.from({ length: 400 }, (_, index) => ({
      kind: 'aws-resource',
      role: 'affected',
      resourceType: 'AWS::S3::Bucket',
      resourceId: `bucket-${index}-${'x'.repeat(1000)}`,
    }));

    const outcome = await runAction(
      notify,
      { ...contained(), incident: incident({ resources }) },
      environmentWith(),
    );

    const [message] = published();
    const bytes = Buffer.byteLength(String(message?.Message));
    expect(bytes).toBeLessThanOrEqual(MAX_SNS_PAYLOAD_BYTES);
    expect(bytes).toBeGreaterThan(MAX_SNS_PAYLOAD_BYTES - 2_000);
    // The published body, as JSON.parse gives it back.
    const body = message?.body as {
      incident: { resources: unknown[] };
      resourcesTruncated: { total: number; included: number };
    };
    const { included } = body.resourcesTruncated;
    expect(body.resourcesTruncated).toEqual({ total: 400, included });
    expect(body.incident.resources).toHaveLength(included);
    expect(outcome.notes).toContain(
      `The SNS message lists ${included} of the incident's 400 resources (SNS messages are limited to 256 KiB); the ledger has them all.`,
    );
  });

  it('gives a FIFO topic a message group and a deduplication id', async () => {
    const fifo = `arn:aws:sns:${TEST_REGION}:${TEST_ACCOUNT}:cordon-alerts.fifo`;
    await runAction(notify, contained(), environmentWith(fakeSlack(), { snsTopicArn: fifo }));

    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: fifo,
      MessageGroupId: TEST_INCIDENT,
      MessageDeduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('rejects a step-failed event that does not say which step, and an incident of another id', async () => {
    await expect(
      runAction(notify, { ...contained(), event: 'step-failed' }, environmentWith()),
    ).rejects.toMatchObject({
      name: 'InvalidActionInputError',
      message: expect.stringContaining('failedStep'),
    });
    await expect(
      runAction(
        notify,
        { ...contained(), incident: incident({ id: 'another-incident' }) },
        environmentWith(),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidActionInputError',
      message: expect.stringContaining('incident.id'),
    });
    expect(sns).not.toHaveReceivedAnyCommand();
  });
});

describe('notify: what the playbooks send', () => {
  it('turns the playbook results into the steps it reports', () => {
    const parsed = NotifyInput.parse({
      ...envelope(),
      event: 'contained',
      incident: {
        id: TEST_INCIDENT,
        title: 'x',
        category: 'instance-compromise',
        severity: { score: 8, label: 'high' },
        source: 'guardduty',
        account: '123456789012',
        region: 'us-east-1',
        resources: [],
      },
      results: {
        protectEvidence: { status: 'done' },
        isolateInstance: { status: 'already-done' },
        approval: { decision: 'approve' },
      },
    });
    expect(reportedSteps(parsed)).toEqual([
      { id: 'protect-evidence', status: 'done' },
      { id: 'isolate-instance', status: 'already-done' },
      { id: 'approval', status: 'done' },
    ]);
  });

  it('accepts the approval-rejected event and a loopback approval link, but no plain-http link elsewhere', () => {
    const base = {
      ...envelope(),
      incident: {
        id: TEST_INCIDENT,
        title: 'x',
        category: 'instance-compromise',
        severity: { score: 8, label: 'high' },
        source: 'guardduty',
        account: '123456789012',
        region: 'us-east-1',
        resources: [],
      },
    };
    expect(NotifyInput.safeParse({ ...base, event: 'approval-rejected' }).success).toBe(true);
    expect(
      NotifyInput.safeParse({
        ...base,
        event: 'approval-requested',
        approvalUrl: 'http://127.0.0.1:4321/approvals/a',
      }).success,
    ).toBe(true);
    expect(
      NotifyInput.safeParse({
        ...base,
        event: 'approval-requested',
        approvalUrl: 'http://example.com/approvals/a',
      }).success,
    ).toBe(false);
  });
});

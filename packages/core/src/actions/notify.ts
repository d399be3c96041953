import { createHash } from 'node:crypto';
import { type MessageAttributeValue, PublishCommand } from '@aws-sdk/client-sns';
import { classifyAwsError, TransientServiceError } from '../errors.ts';
import {
  IncidentSummarySchema,
  resourceLabel,
  severityText,
  shortenText,
  summarySubject,
} from '../incident-summary.ts';
import type { Change, LedgerEntry } from '../ledger/ledger.ts';
import { PLAYBOOK_IDS, STEP_IDS } from '../playbooks/ids.ts';
import { contextBlock, headerBlock, type SlackMessage, sectionBlock, slackMessage } from '../slack/blocks.ts';
import { slackClient } from '../slack/client.ts';
import { escapeMrkdwn, slackLink } from '../slack/mrkdwn.ts';
import { postWithRetry, type SlackPostResult } from '../slack/post-with-retry.ts';
import * as z from '../zod.ts';
import { type ActionContext, type ActionDefinition, type ActionPlan, StepEnvelopeSchema } from './types.ts';

/** The incident events Cordon tells people about. */
export const NOTIFY_EVENTS = [
  'decided',
  'contained',
  'remediated',
  'step-failed',
  'approval-requested',
  'approval-timeout',
  'approval-rejected',
  'released',
] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];

export const NotifyInput = z
  .extend(StepEnvelopeSchema, {
    event: z.enum(NOTIFY_EVENTS),
    incident: IncidentSummarySchema,
    playbook: z.optional(z.enum(PLAYBOOK_IDS)),
    failedStep: z.optional(z.enum(STEP_IDS)),
    error: z.optional(z.object({ name: z.string(), message: z.string() })),
    steps: z.optional(z.array(z.object({ id: z.string(), status: z.string() }))),
    /** The playbook's `$.results` (step in camelCase → its output); turned into `steps` when those are absent. */
    results: z.optional(z.record(z.string(), z.unknown())),
    // https, or http on the loopback address where the local engine serves the approval page.
    approvalUrl: z.optional(
      z
        .url({ protocol: /^https?$/, error: 'must be an https URL' })
        .check(
          z.refine(
            (url) => url.startsWith('https:') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url),
            'must be an https URL (http only on 127.0.0.1)',
          ),
        ),
    ),
    message: z.optional(z.string()),
  })
  .check(
    z.superRefine((input, ctx) => {
      if (input.incident.id !== input.incidentId) {
        ctx.addIssue({ code: 'custom', path: ['incident', 'id'], message: 'must be the step’s incidentId' });
      }
      if (input.event === 'step-failed' && input.failedStep === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['failedStep'],
          message: 'is required for a step-failed event',
        });
      }
    }),
  );

/** The steps to report: as given, or derived from the playbook's `$.results`. */
export function reportedSteps(input: NotifyInput): Array<{ id: string; status: string }> | undefined {
  if (input.steps !== undefined || input.results === undefined) return input.steps;
  return stepsFromResults(input.results);
}

/** `{ protectEvidence: { status: 'done', … } }` → `[{ id: 'protect-evidence', status: 'done' }]`. */
function stepsFromResults(results: Readonly<Record<string, unknown>>): Array<{ id: string; status: string }> {
  return Object.entries(results).map(([key, value]) => {
    const id = key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    const status = (value as { status?: unknown } | null)?.status;
    return { id, status: typeof status === 'string' ? status : 'done' };
  });
}
export type NotifyInput = z.output<typeof NotifyInput>;

export interface NotifyOutput {
  /** What identifies this notification among the incident's others (see `notificationKey`). */
  readonly eventKey: string;
  readonly sns: 'published' | 'already-published' | 'not-configured';
  readonly messageId?: string;
  /**
   * `rate-limited`: Slack still refused for its rate limit after `Retry-After` was waited within the budget;
   * `failed`: Slack refused otherwise or could not be reached. Either is the step's outcome only when SNS, the
   * notification of record, has the message (else the step fails and is retried).
   */
  readonly slack: 'posted' | 'already-posted' | 'not-configured' | 'rate-limited' | 'failed';
  /** Posts tried (when a post was due). */
  readonly slackAttempts?: number;
  /** Slack's last refusal when it was not posted (its HTTP status and short reason, never the URL). */
  readonly slackError?: string;
}

/** SNS quota: message plus attributes at most 256 KiB (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html). */
export const MAX_SNS_PAYLOAD_BYTES = 262_144;
/** A Slack webhook that has not answered by then counts as a failed attempt. */
const SLACK_TIMEOUT_MS = 5_000;
/**
 * Slack is best effort: at most 3 posts and 10 s of waiting for its `Retry-After` — with the 5 s timeout per
 * post, 25 s at worst, well inside notify's 60 s Lambda timeout (infra/functions.ts) — then the notification
 * stays with SNS, which has it already.
 */
export const SLACK_ATTEMPTS = 3;
export const SLACK_WAIT_BUDGET_MS = 10_000;

// The ledger records each delivery as a change with these attributes; a second delivery looks them up.
const SNS_ATTRIBUTE = 'notification:sns';
const SLACK_ATTRIBUTE = 'notification:slack';
/** Names the Slack target in the ledger: the webhook URL is a secret and is never written anywhere. */
const SLACK_RESOURCE = 'slack-webhook';

/**
 * One notification per incident event: the event, the failed step for `step-failed`, and a digest of the
 * approval link for approval events (two approvals of one incident are two notifications).
 *
 * @example notificationKey({ event: 'step-failed', failedStep: 'isolate-instance' }) // 'step-failed:isolate-instance'
 */
export function notificationKey(input: Pick<NotifyInput, 'event' | 'failedStep' | 'approvalUrl'>): string {
  const key = `${input.event}:${input.failedStep ?? ''}`;
  return input.approvalUrl === undefined ? key : `${key}:${sha256(input.approvalUrl).slice(0, 16)}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const EVENT_PHRASES: Readonly<Record<NotifyEvent, (input: NotifyInput) => string>> = {
  decided: (input) => (input.playbook === undefined ? 'decided' : `decided: ${input.playbook}`),
  contained: () => 'contained',
  remediated: () => 'remediated',
  'step-failed': (input) => `step ${input.failedStep ?? 'unknown'} failed`,
  'approval-requested': () => 'approval requested',
  'approval-timeout': () => 'approval timed out',
  'approval-rejected': () => 'approval rejected: nothing changed',
  released: () => 'released',
};

/**
 * The SNS subject of a notification: `[Cordon] HIGH instance-compromise: i-0abc… contained`, at most 100
 * printable ASCII characters (see `summarySubject`).
 *
 * @example notificationSubject(input, false) // '[Cordon] HIGH instance-compromise: i-0abc1234def567890 contained'
 */
export function notificationSubject(input: NotifyInput, dryRun: boolean): string {
  return summarySubject(input.incident, EVENT_PHRASES[input.event](input), dryRun);
}

function stringAttribute(value: string): MessageAttributeValue {
  return { DataType: 'String', StringValue: value };
}

/** Attributes subscribers filter on (SNS filter policies): severity, playbook, event, category, incident. */
function messageAttributes(input: NotifyInput, dryRun: boolean): Record<string, MessageAttributeValue> {
  return {
    severity: stringAttribute(input.incident.severity.label),
    // SNS refuses empty values; `none` keeps every message carrying the same attributes.
    playbook: stringAttribute(input.playbook ?? 'none'),
    event: stringAttribute(input.event),
    category: stringAttribute(input.incident.category),
    incidentId: stringAttribute(input.incidentId),
    dryRun: stringAttribute(String(dryRun)),
  };
}

/** SNS counts the message and every attribute's name, type and value against the 256 KiB limit. */
function attributesBytes(attributes: Record<string, MessageAttributeValue>): number {
  return Object.entries(attributes).reduce(
    (total, [name, value]) =>
      total +
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? ''),
    0,
  );
}

interface FittedMessage {
  readonly message: string;
  readonly notes: readonly string[];
}

/**
 * The structured message (the input plus the effective dry-run flag), cut to fit SNS's limit: resources go
 * first (the incident in the ledger keeps them all), then long free text.
 */
export function fitMessage(input: NotifyInput, dryRun: boolean, budgetBytes: number): FittedMessage {
  const body = { ...input, dryRun };
  const fits = (text: string) => Buffer.byteLength(text) <= budgetBytes;
  const full = JSON.stringify(body);
  if (fits(full)) return { message: full, notes: [] };

  const total = input.incident.resources.length;
  const withResources = (count: number) =>
    JSON.stringify({
      ...body,
      incident: { ...input.incident, resources: input.incident.resources.slice(0, count) },
      resourcesTruncated: { total, included: count },
    });
  // Largest number of resources that still fits (binary search: resources may be of any size).
  let low = 0;
  let high = total;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(withResources(middle))) low = middle;
    else high = middle - 1;
  }
  const trimmed = withResources(low);
  const note = `The SNS message lists ${low} of the incident's ${total} resources (SNS messages are limited to 256 KiB); the ledger has them all.`;
  if (fits(trimmed)) return { message: trimmed, notes: [note] };

  const short = (text: string | undefined) => (text === undefined ? undefined : shortenText(text, 2_000));
  const minimal = JSON.stringify({
    ...body,
    incident: { ...input.incident, title: shortenText(input.incident.title, 2_000), resources: [] },
    resourcesTruncated: { total, included: 0 },
    message: short(input.message),
    error:
      input.error === undefined
        ? undefined
        : { ...input.error, message: shortenText(input.error.message, 2_000) },
    steps: reportedSteps(input)?.slice(0, 100),
  });
  return {
    message: fits(minimal)
      ? minimal
      : JSON.stringify({ incidentId: input.incidentId, event: input.event, dryRun, truncated: true }),
    notes: [note, 'Long text fields of the SNS message were shortened to fit 256 KiB.'],
  };
}

/**
 * The Slack message (Block Kit): a header, a section with the key fields, details of a failure or an
 * approval when there are any, and a context line with the incident id. Every piece of finding text is
 * escaped, the top-level text (the push notification) too.
 *
 * @example notifySlackMessage(input, false).blocks[0] // { type: 'header', text: { type: 'plain_text', text: 'HIGH instance-compromise: contained' } }
 */
export function notifySlackMessage(input: NotifyInput, dryRun: boolean): SlackMessage {
  const { incident } = input;
  const label = incident.severity.label.toUpperCase();
  const phrase = EVENT_PHRASES[input.event](input);
  const field = (name: string, value: string) => `*${name}*\n${escapeMrkdwn(value)}`;
  const fields = [
    field('Severity', severityText(incident.severity)),
    field('Category', incident.category),
    field('Resource', resourceLabel(incident.resources) ?? 'none named'),
    field('Playbook', input.playbook ?? 'none'),
    field('Account', incident.account),
    field('Region', incident.region),
  ];
  const details: string[] = [];
  if (input.failedStep !== undefined) details.push(`*Failed step:* \`${input.failedStep}\``);
  if (input.error !== undefined) {
    details.push(`*Error:* ${escapeMrkdwn(`${input.error.name}: ${input.error.message}`)}`);
  }
  if (input.message !== undefined) details.push(escapeMrkdwn(input.message));
  const steps = reportedSteps(input);
  if (steps !== undefined && steps.length > 0) {
    details.push(`*Steps:* ${steps.map((step) => escapeMrkdwn(`${step.id} ${step.status}`)).join(', ')}`);
  }
  // The schema allows https (or http on the loopback address) only.
  if (input.approvalUrl !== undefined) details.push(slackLink(input.approvalUrl, 'Review and decide'));
  return slackMessage(
    // The subject is ASCII made from the finding (NFKD turns `＜` into `<`): escaped after, never before.
    escapeMrkdwn(notificationSubject(input, dryRun)),
    [
      headerBlock(`${label} ${incident.category}: ${phrase}`),
      sectionBlock({ text: escapeMrkdwn(incident.title), fields }),
      ...(details.length === 0 ? [] : [sectionBlock({ text: details.join('\n') })]),
      contextBlock([
        `Incident \`${escapeMrkdwn(incident.id)}\` · ${incident.source} · event ${input.event}${dryRun ? ' · dry-run: nothing was changed' : ''}`,
      ]),
    ],
  );
}

/** Which targets already have this notification, from earlier `done` entries of the same run mode. */
function deliveredTargets(
  entries: readonly LedgerEntry[],
  eventKey: string,
  dryRun: boolean,
  topicArn: string | undefined,
): { sns: boolean; slack: boolean } {
  const changes = entries
    .filter((entry) => entry.step === 'notify' && entry.outcome === 'done' && entry.dryRun === dryRun)
    .flatMap((entry) => entry.changes)
    .filter((change) => change.after === eventKey);
  return {
    sns: changes.some((change) => change.attribute === SNS_ATTRIBUTE && change.resource === topicArn),
    slack: changes.some((change) => change.attribute === SLACK_ATTRIBUTE),
  };
}

/**
 * `notify`: tells people about an incident event — one SNS message (subject, structured JSON body,
 * attributes to filter on) to the configured topic, and a Block Kit message to the Slack webhook when one is
 * configured. Not mutating: it runs in dry-run too, and says so.
 *
 * Idempotent per incident event: each delivery is recorded in the ledger (as a change whose `after` is the
 * event key), and a second delivery of the same event sends nothing.
 *
 * SNS is the notification of record; Slack is best effort. A failed SNS publish fails the step (retried).
 * Slack's rate limit is honoured — its `Retry-After` is waited, at most {@link SLACK_ATTEMPTS} posts and
 * {@link SLACK_WAIT_BUDGET_MS} ms of waiting — and when Slack still refuses while SNS has the message, the step
 * succeeds and says so (`slack: 'rate-limited'` or `'failed'`, `slackError`, a note; the ledger records the
 * SNS delivery only). Only when no SNS topic is configured does a Slack refusal fail the step. The webhook URL
 * is a secret: it is never logged, recorded or put in an error message.
 * IAM: sns:Publish on the topic.
 *
 * @example
 * await runAction(notify, { incidentId, account, region, dryRun: false, event: 'contained', playbook: 'ec2-compromise', incident }, {
 *   ...environment, notifications: { snsTopicArn, slackWebhookUrl },
 * })
 * // SNS subject '[Cordon] HIGH instance-compromise: i-0abc1234def567890 contained', attributes severity=high, playbook=ec2-compromise, …
 */
export const notify: ActionDefinition<NotifyInput, NotifyOutput> = {
  id: 'notify',
  summary:
    'Publishes the incident event to the SNS topic (with attributes to filter on) and posts it to Slack when a webhook is configured.',
  undo: 'Nothing to undo: a notification changes nothing in the account.',
  dryRunBehaviour:
    'Runs as in enforce mode (it changes nothing in the account): the subject says dry-run and the message carries dryRun: true.',
  mutating: false,
  input: NotifyInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['sns:Publish'],
      // `{prefix}` is the stage's `cordon-<stage>`: the deployed topic, and no other topic of the account.
      resources: ['arn:aws:sns:{region}:{account}:{prefix}-notifications'],
      why: "Publish to Cordon's notification topic, and no other topic of the account.",
    },
  ],
  async plan(input, context): Promise<ActionPlan<NotifyOutput>> {
    const topicArn = context.notifications?.snsTopicArn;
    const webhookUrl = context.notifications?.slackWebhookUrl;
    const eventKey = notificationKey(input);
    const delivered = deliveredTargets(
      await context.ledger.entries(context.incidentId),
      eventKey,
      context.dryRun,
      topicArn,
    );
    const snsPending = topicArn !== undefined && !delivered.sns;
    const slackPending = webhookUrl !== undefined && !delivered.slack;

    // Mutable on purpose: apply takes Slack out of the changes when Slack refused (see there).
    const notes: string[] = [];
    if (topicArn === undefined) notes.push('No SNS topic is configured: nothing published to SNS.');
    else if (delivered.sns) notes.push(`Already published to SNS for ${eventKey}: not published again.`);
    if (webhookUrl === undefined) notes.push('No Slack webhook is configured: nothing posted to Slack.');
    else if (delivered.slack) notes.push(`Already posted to Slack for ${eventKey}: not posted again.`);

    const snsChange: Change = {
      resource: topicArn ?? '',
      attribute: SNS_ATTRIBUTE,
      before: null,
      after: eventKey,
    };
    const slackChange: Change = {
      resource: SLACK_RESOURCE,
      attribute: SLACK_ATTRIBUTE,
      before: null,
      after: eventKey,
    };
    const attributes = messageAttributes(input, context.dryRun);
    const fitted = fitMessage(input, context.dryRun, MAX_SNS_PAYLOAD_BYTES - attributesBytes(attributes));
    if (snsPending) notes.push(...fitted.notes);

    const skipped = {
      sns: delivered.sns ? ('already-published' as const) : ('not-configured' as const),
      slack: delivered.slack ? ('already-posted' as const) : ('not-configured' as const),
    };
    const changes: Change[] = [...(snsPending ? [snsChange] : []), ...(slackPending ? [slackChange] : [])];
    return {
      changes,
      notes,
      output: { eventKey, ...skipped },
      async apply() {
        let messageId: string | undefined;
        if (snsPending && topicArn !== undefined) {
          try {
            const published = await context.clients.sns.send(
              new PublishCommand({
                TopicArn: topicArn,
                Subject: notificationSubject(input, context.dryRun),
                Message: fitted.message,
                MessageAttributes: attributes,
                // A FIFO topic needs a group, and deduplicates a retry within its 5-minute window.
                ...(topicArn.endsWith('.fifo')
                  ? {
                      MessageGroupId: input.incidentId,
                      MessageDeduplicationId: sha256(`${input.incidentId}:${eventKey}:${context.dryRun}`),
                    }
                  : {}),
              }),
            );
            messageId = published.MessageId;
          } catch (error) {
            throw classifyAwsError(error, 'notify: SNS Publish', {
              partial: { done: [], notDone: [...(slackPending ? ['sns', 'slack'] : ['sns'])] },
            });
          }
        }
        let slack: SlackPostResult | undefined;
        if (slackPending && webhookUrl !== undefined) {
          const client = slackClient({
            webhookUrl,
            timeoutMs: SLACK_TIMEOUT_MS,
            ...(context.notifications?.fetch === undefined ? {} : { fetch: context.notifications.fetch }),
          });
          const message = notifySlackMessage(input, context.dryRun);
          try {
            slack = await postWithRetry(() => client.post(message), {
              attempts: SLACK_ATTEMPTS,
              waitBudgetMs: SLACK_WAIT_BUDGET_MS,
              ...(context.notifications?.sleep === undefined ? {} : { sleep: context.notifications.sleep }),
            });
          } catch {
            // Not a refusal from Slack (a bug): retried as before, without publishing to SNS again. Its
            // message is not repeated: only a SlackDeliveryError's is known to hold no webhook URL.
            if (snsPending) await recordSnsDelivery(context, input, snsChange);
            throw new TransientServiceError(
              `notify: posting to Slack failed (unexpected error)${snsPending ? '; the SNS message was published and is recorded, so a retry posts to Slack only' : ''}.`,
              { partial: { done: snsPending ? ['sns'] : [], notDone: ['slack'] } },
            );
          }
          if (slack.outcome !== 'posted' && !(snsPending || delivered.sns)) {
            // Slack is the only channel configured: a notification that reached nobody fails the step.
            throw new TransientServiceError(
              `notify: the Slack webhook failed (${slack.reason}) after ${slack.attempts} attempt(s), and no SNS topic has the message.`,
              { partial: { done: [], notDone: ['slack'] } },
            );
          }
          if (slack.outcome !== 'posted') {
            // SNS, the notification of record, has it: the step succeeds and says Slack did not. The ledger
            // entry is written from `changes` and `notes` after apply, so it records the truth too.
            changes.splice(changes.indexOf(slackChange), 1);
            notes.push(
              `Slack ${slack.outcome === 'rate-limited' ? 'refused for its rate limit' : 'failed'} (${slack.reason}) after ${slack.attempts} attempt(s) and ${slack.waitedMs} ms of waiting: not posted. SNS, the notification of record, has the message.`,
            );
          }
        }
        return {
          eventKey,
          sns: snsPending ? 'published' : skipped.sns,
          ...(messageId === undefined ? {} : { messageId }),
          slack: slack === undefined ? skipped.slack : slack.outcome,
          ...(slack === undefined ? {} : { slackAttempts: slack.attempts }),
          ...(slack?.reason === undefined || slack.outcome === 'posted' ? {} : { slackError: slack.reason }),
        };
      },
    };
  },
};

/**
 * Records that SNS has this notification when a later target failed, so that the retry does not publish it
 * again. A lost ledger write only means a duplicate SNS message on retry: it is logged, not thrown.
 */
async function recordSnsDelivery(context: ActionContext, input: NotifyInput, change: Change): Promise<void> {
  try {
    await context.ledger.append({
      incidentId: context.incidentId,
      step: 'notify',
      at: context.now().toISOString(),
      outcome: 'done',
      dryRun: context.dryRun,
      settingsVersion: context.settingsVersion,
      input,
      changes: [change],
      notes: ['Partial delivery: published to SNS; Slack failed and is retried.'],
    });
  } catch (ledgerError) {
    context.logger.warn('notify: could not record the SNS delivery; a retry may publish it again', {
      ledgerError: ledgerError instanceof Error ? ledgerError.name : 'unknown',
    });
  }
}

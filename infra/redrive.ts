/**
 * Re-driving failed events: what waits in the stage's queues, sent again to the function that could not handle
 * it, once the cause is fixed. Pure decisions here; infra/redrive-cli.ts runs them with the AWS CLI.
 *
 * What the queues hold (and so how a message is read):
 * - `cordon-<stage>-on-failure`: Lambda's invocation records for triage and the poller. The record is JSON
 *   with `requestContext.functionArn` (the function) and `requestPayload` (the event it was invoked with)
 *   (Lambda Developer Guide, "Asynchronous invocation", example invocation record:
 *   https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html). Re-drive: that payload to that function.
 * - `cordon-<stage>-events-dlq`: events EventBridge could not deliver to a rule's target, and poller runs
 *   EventBridge Scheduler could not start. The body is the event itself, the message attributes name the
 *   target ("Event retry policy and using dead-letter queues": the message carries "the Rule ARN … and the
 *   Target ARN", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html). Re-drive: the body
 *   to the target named in `TARGET_ARN` when it is one of the stage's functions; without that attribute, by
 *   the event's source (Cordon's three sources and the poller's batches → triage, Parameter Store → threshold-sync).
 * - A file of events (for example copied out of a member account's `cordon-<stage>-forwarding-dlq`, which
 *   Cordon's account cannot read): each event → triage.
 *
 * Why sending twice is safe: triage claims each incident once (account + region + native id) and a playbook
 * execution is named after its incident, so an event that had in fact been handled starts nothing new; the
 * poller's cursor only moves forward; threshold-sync re-applies the values in SSM.
 */

/** The stage functions a re-drive may invoke, by id. */
export const REDRIVE_TARGETS = ['triage', 'poller', 'threshold-sync'] as const;
export type RedriveTarget = (typeof REDRIVE_TARGETS)[number];

/** A message that cannot be re-driven as it is: it stays in its queue, with the reason reported. */
export class RedriveMessageInvalidError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'RedriveMessageInvalidError';
  }
}

export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  /** String message attributes (EventBridge's dead-letter metadata), by name. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface RedrivePlan {
  readonly messageId: string;
  readonly target: RedriveTarget;
  /** The function's physical name: `cordon-<stage>-<target>`. */
  readonly functionName: string;
  /** Exactly the JSON the function is invoked with. */
  readonly payload: string;
}

export type QueueKind = 'on-failure' | 'dead-letter';

const TRIAGE_SOURCES = new Set(['aws.guardduty', 'aws.cloudwatch', 'aws.config', 'cordon.poller']);

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RedriveMessageInvalidError(`${what} is not JSON`);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The stage function an ARN (or name) designates, if it is one Cordon re-drives to.
 *
 * @example targetOf('cordon-prod', 'arn:aws:lambda:eu-west-1:111122223333:function:cordon-prod-triage:$LATEST') // 'triage'
 */
export function targetOf(prefix: string, arnOrName: string): RedriveTarget | undefined {
  const name = arnOrName.startsWith('arn:') ? (arnOrName.split(':')[6] ?? '') : arnOrName;
  return REDRIVE_TARGETS.find((target) => name === `${prefix}-${target}`);
}

function plan(prefix: string, messageId: string, target: RedriveTarget, payload: unknown): RedrivePlan {
  return { messageId, target, functionName: `${prefix}-${target}`, payload: JSON.stringify(payload) };
}

/**
 * What to send again for one message of a stage's queue.
 *
 * @throws RedriveMessageInvalidError when the message is not what that queue holds, or names a function that
 *   is not the stage's triage, poller or threshold-sync: such a message is left in the queue.
 * @example
 * planRedrive('cordon-prod', 'on-failure', { messageId: 'm1', body: record })
 * // { messageId: 'm1', target: 'triage', functionName: 'cordon-prod-triage', payload: '{"version":"0",…}' }
 */
export function planRedrive(prefix: string, queue: QueueKind, message: QueueMessage): RedrivePlan {
  const body = parseJson(message.body, `message ${message.messageId}`);
  if (!isRecord(body))
    throw new RedriveMessageInvalidError(`message ${message.messageId} is not a JSON object`);
  if (queue === 'on-failure') {
    const functionArn = isRecord(body.requestContext) ? body.requestContext.functionArn : undefined;
    if (typeof functionArn !== 'string') {
      throw new RedriveMessageInvalidError(
        `message ${message.messageId} is not a Lambda invocation record (no requestContext.functionArn)`,
      );
    }
    const target = targetOf(prefix, functionArn);
    if (target === undefined) {
      throw new RedriveMessageInvalidError(
        `message ${message.messageId} is the record of ${functionArn}, not of this stage's triage or poller`,
      );
    }
    if (!('requestPayload' in body) || body.requestPayload === undefined) {
      throw new RedriveMessageInvalidError(
        `message ${message.messageId} carries no requestPayload to send again`,
      );
    }
    return plan(prefix, message.messageId, target, body.requestPayload);
  }
  const named = message.attributes?.TARGET_ARN;
  if (named !== undefined) {
    const target = targetOf(prefix, named);
    if (target === undefined) {
      throw new RedriveMessageInvalidError(
        `message ${message.messageId} was for ${named}, not a function of this stage`,
      );
    }
    return plan(prefix, message.messageId, target, body);
  }
  if (typeof body.source === 'string' && TRIAGE_SOURCES.has(body.source)) {
    return plan(prefix, message.messageId, 'triage', body);
  }
  if (body.source === 'aws.ssm') return plan(prefix, message.messageId, 'threshold-sync', body);
  throw new RedriveMessageInvalidError(
    `message ${message.messageId} names no target (no TARGET_ARN attribute) and its source ${JSON.stringify(body.source)} is not one Cordon handles`,
  );
}

/**
 * The events of a file to send to triage: one EventBridge event, or an array of them (as copied out of a
 * forwarding dead-letter queue). Each must be an object with a `source`; nothing is sent when one is not.
 *
 * @throws RedriveMessageInvalidError naming the first entry that is not an event.
 */
export function eventsFromFile(prefix: string, text: string): RedrivePlan[] {
  const parsed = parseJson(text, 'the file');
  const events = Array.isArray(parsed) ? parsed : [parsed];
  return events.map((event, index) => {
    if (!isRecord(event) || typeof event.source !== 'string') {
      throw new RedriveMessageInvalidError(
        `entry ${index} of the file is not an EventBridge event (no source)`,
      );
    }
    return plan(prefix, `file[${index}]`, 'triage', event);
  });
}

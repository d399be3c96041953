/**
 * `request-approval`: what the playbook's `.waitForTaskToken` Task calls (DOMAIN.md items 24–27). It stores
 * the task token server-side under a random approval id, and tells people — a Slack message with Approve /
 * Reject buttons and an SNS message for e-mail and paging — with a signed link that expires no later than
 * the Task's own timeout. The token appears in no link, button, message or log.
 */
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { StepEnvelopeSchema } from '../actions/types.ts';
import { ApprovalNotDeliveredError, ApprovalRequestInvalidError } from '../errors.ts';
import { IncidentSummarySchema, severityText, summarySubject } from '../incident-summary.ts';
import { PLAYBOOK_IDS } from '../playbooks/ids.ts';
import type { Settings } from '../policy/settings.ts';
import type { SlackMessage } from '../slack/blocks.ts';
import * as z from '../zod.ts';
import type { ApprovalLogger } from './decide.ts';
import { requestGroupedApproval } from './group-request.ts';
import type { ApprovalGroupStore, GroupShape } from './groups.ts';
import { linkExpiry, signApprovalLink } from './links.ts';
import {
  ApprovalEvidenceSchema,
  evidenceLines,
  findingConsoleUrl,
  namedResources,
  stepWords,
} from './readable.ts';
import {
  APPROVAL_DECISIONS,
  type ApprovalRecord,
  type ApprovalStore,
  type SlackMessageRef,
} from './records.ts';
import { approvalMessage, approvedActions } from './slack-messages.ts';

const STEP = /^[a-z][a-z0-9-]{0,63}$/;
/** Bytes of randomness in an approval id: 144 bits, 24 url-safe characters. */
const APPROVAL_ID_BYTES = 18;
/** The longest a link may leave before the Task's timeout: the Task started before this function did. */
const MAX_EXPIRY_MARGIN_SECONDS = 30;

/** The Payload of the playbook's `Ask for approval` Task. Fields the playbook adds later are dropped. */
export const ApprovalRequestSchema = z
  .extend(StepEnvelopeSchema, {
    taskToken: z
      .string()
      .check(z.minLength(1, 'must not be empty'), z.maxLength(2048, 'must be at most 2,048 characters')),
    step: z.string().check(z.regex(STEP, 'must be a step id')),
    actions: z
      .array(z.string().check(z.regex(STEP, 'must be a step id')))
      .check(z.minLength(1, 'must name at least one step'), z.maxLength(50, 'must name at most 50 steps')),
    incident: IncidentSummarySchema,
    timeoutSeconds: z
      .number({ error: 'must be a number' })
      .check(
        z.int('must be a whole number of seconds'),
        z.gte(1, 'must be at least 1 second'),
        z.lte(31_536_000, 'must be at most a year'),
      ),
    playbook: z.optional(z.nullable(z.enum(PLAYBOOK_IDS))),
    reason: z.optional(z.string().check(z.maxLength(4000))),
    timeoutDefault: z.optional(z.enum(APPROVAL_DECISIONS)),
  })
  .check(
    z.superRefine((input, ctx) => {
      if (input.incident.id !== input.incidentId) {
        ctx.addIssue({ code: 'custom', path: ['incident', 'id'], message: 'must be the step’s incidentId' });
      }
    }),
  );
export type ApprovalRequest = z.output<typeof ApprovalRequestSchema>;

/** `grouped`: the request joined a group whose message (and e-mail) another member posted. */
export type DeliveryStatus = 'posted' | 'failed' | 'not-configured' | 'grouped';

export interface RequestApprovalPorts {
  readonly store: Pick<ApprovalStore, 'create' | 'recordSlackMessage' | 'get' | 'withdraw'>;
  /**
   * Approval groups (groups.ts). Given, and `approval.groupWindowSeconds` above 0, a playbook's request joins
   * the group of its kind: one message and one page for the lot. Absent: every request is asked alone.
   */
  readonly groups?: ApprovalGroupStore;
  /** `chat.update` of a group's message as members join (a bot token). */
  updateSlack?(ref: SlackMessageRef, message: SlackMessage): Promise<void>;
  /** Waits while a group's message is posted or its update is due (tests pass a fake). Default: a timer. */
  sleep?(milliseconds: number): Promise<void>;
  /** `settings.approval`: the timeout cap, the approvers recorded on the approval, the Slack channel. */
  readonly approval: Settings['approval'];
  /** Where the approval API answers (the Function URL, or the local server's `http://127.0.0.1:…`). */
  readonly linkBaseUrl: string;
  readonly linkSigningKey: string;
  now(): Date;
  /** Randomness for the approval id (tests pass a fixed source). */
  randomBytes?(size: number): Buffer;
  /** Posts the Slack message; returns where it landed when `chat.update` can edit it later. */
  postSlack?(message: SlackMessage): Promise<SlackMessageRef | undefined>;
  /** Publishes to the SNS topic (subject ≤ 100 printable ASCII characters; attributes to filter on). */
  publish?(subject: string, message: string, attributes?: Readonly<Record<string, string>>): Promise<void>;
  readonly logger?: ApprovalLogger;
}

export interface RequestApprovalResult {
  readonly approvalId: string;
  /** The approval's page, or for a member of a group the group's page (where it is decided). */
  readonly link: string;
  readonly expiresAt: string;
  readonly slackMessage: SlackMessage;
  readonly delivered: { readonly slack: DeliveryStatus; readonly sns: DeliveryStatus };
  /** The group the request joined: its id, the member's place, and whether this request posted its message. */
  readonly group?: { readonly id: string; readonly seq: number; readonly announced: boolean };
}

/**
 * A new approval id: 18 random bytes, url-safe base64 (144 bits: unguessable, and short in a URL).
 *
 * @example newApprovalId() // 'Yq3k0Vd1cB2m9xWZ_p-7aQ4s'
 */
export function newApprovalId(random: (size: number) => Buffer = nodeRandomBytes): string {
  return random(APPROVAL_ID_BYTES).toString('base64url');
}

/**
 * When the approval stops working: now + min(the Task's timeout, `settings.approval.timeoutSeconds`), less a
 * margin (a tenth of that window, at most 30 s) for the time between the Task's start and this function's,
 * rounded down to the second. The link therefore never outlives the Task.
 *
 * @example approvalExpiry(new Date('2026-11-28T10:00:00Z'), 3600, 3600) // 2026-11-28T10:59:30.000Z
 */
export function approvalExpiry(now: Date, taskTimeoutSeconds: number, settingsTimeoutSeconds: number): Date {
  const window = Math.min(taskTimeoutSeconds, settingsTimeoutSeconds);
  const margin = Math.min(MAX_EXPIRY_MARGIN_SECONDS, Math.floor(window / 10));
  return new Date(linkExpiry(new Date(now.getTime() + (window - margin) * 1000)) * 1000);
}

/**
 * What a request carries of the incident besides its summary: its type, when it was last observed, the
 * evidence (intake/guardduty-evidence.ts) and, for a GuardDuty finding, the finding's id. A part of another
 * shape is dropped, never the request: these only make the approval easier to read.
 */
function incidentExtras(
  input: unknown,
): Pick<ApprovalRecord, 'findingType' | 'observedAt' | 'evidence' | 'findingId' | 'executionArn'> {
  const payload = input as { incident?: unknown; executionArn?: unknown } | null;
  const incident = payload?.incident;
  const executionArn = payload?.executionArn;
  const execution =
    typeof executionArn === 'string' && executionArn.length <= 2048 && executionArn.startsWith('arn:')
      ? { executionArn }
      : {};
  if (incident === null || typeof incident !== 'object') return execution;
  // The whole incident arrives (playbooks pass `$.incident`); only these optional fields are read.
  const { type, observedAt, evidence, nativeId, source } = incident as {
    type?: unknown;
    observedAt?: unknown;
    evidence?: unknown;
    nativeId?: unknown;
    source?: unknown;
  };
  const parsedEvidence = ApprovalEvidenceSchema.safeParse(evidence);
  return {
    ...(typeof type === 'string' && type !== '' && type.length <= 256 ? { findingType: type } : {}),
    ...(typeof observedAt === 'string' && !Number.isNaN(Date.parse(observedAt)) && observedAt.length <= 64
      ? { observedAt }
      : {}),
    ...(evidence !== undefined && parsedEvidence.success ? { evidence: parsedEvidence.data } : {}),
    ...(source === 'guardduty' && typeof nativeId === 'string' && /^[A-Za-z0-9_-]{1,300}$/.test(nativeId)
      ? { findingId: nativeId }
      : {}),
    ...execution,
  };
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.map(String).join('.') || '(payload)'}: ${issue.message}`)
    .join('; ');
}

/** The SNS message: plain text an e-mail reader or a pager can use, with the link (GET never decides). */
export function approvalEmail(record: ApprovalRecord, link: string): string {
  const { incident } = record;
  const evidence = evidenceLines(record.evidence).map(({ label, text }) => `  ${label}: ${text}`);
  const finding =
    record.findingId === undefined ? undefined : findingConsoleUrl(incident.region, record.findingId);
  const lines = [
    `Approval needed: ${severityText(incident.severity)} ${incident.category}`,
    incident.title,
    '',
    `Incident: ${record.incidentId}`,
    `Account: ${incident.account}  Region: ${incident.region}  Playbook: ${record.playbook ?? 'unknown'}`,
    '',
    'Resources:',
    ...namedResources(incident.resources).map(
      (resource) =>
        `  - ${resource.name === undefined ? '' : `${resource.name} `}${resource.id}${resource.kind === undefined ? '' : ` (${resource.kind})`}`,
    ),
    ...(evidence.length === 0 ? [] : ['', 'What GuardDuty saw:', ...evidence]),
    ...(finding === undefined ? [] : ['', `The finding: ${finding}`]),
    '',
    `If approved, Cordon runs${record.dryRun ? ' (dry-run: records only, changes nothing)' : ''}:`,
    ...approvedActions(record).map((action) => {
      const words = stepWords(action);
      return words === undefined ? `  - ${action}` : `  - ${words} (${action})`;
    }),
    '',
    `Review and decide (opening the page changes nothing): ${link}`,
    `The link expires at ${record.expiresAt}.${record.timeoutDefault === undefined ? '' : ` If nobody decides by then, the playbook escalates and applies the default: ${record.timeoutDefault}.`}`,
  ];
  return lines.join('\n');
}

/**
 * Stores an approval for a waiting Task and asks for a decision: Slack (Block Kit, buttons carrying the
 * approval id only, unfurling off) and SNS (subject and a plain-text message with the signed link). A channel
 * that fails is logged and the other still goes out; when nothing reaches anybody, `ApprovalNotDeliveredError`
 * is thrown so the Task's Retry asks again rather than waiting in silence.
 *
 * @example
 * const { approvalId, link } = await requestApproval(event, {
 *   store, approval: settings.approval, linkBaseUrl: 'https://approvals.example.com', linkSigningKey,
 *   now: () => new Date(), postSlack, publish,
 * });
 */
export async function requestApproval(
  input: unknown,
  ports: RequestApprovalPorts,
): Promise<RequestApprovalResult> {
  const parsed = ApprovalRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new ApprovalRequestInvalidError(
      `request-approval: invalid payload: ${describeIssues(parsed.error)}`,
      {
        cause: parsed.error,
      },
    );
  }
  const request = parsed.data;
  const now = ports.now();
  const expiresAt = approvalExpiry(now, request.timeoutSeconds, ports.approval.timeoutSeconds);
  const draft: Omit<ApprovalRecord, 'approvalId'> = {
    taskToken: request.taskToken,
    incidentId: request.incidentId,
    account: request.account,
    region: request.region,
    step: request.step,
    actions: request.actions,
    ...(request.playbook == null ? {} : { playbook: request.playbook }),
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    dryRun: request.dryRun,
    ...(request.timeoutDefault === undefined ? {} : { timeoutDefault: request.timeoutDefault }),
    incident: request.incident,
    ...incidentExtras(input),
    requestedAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    approvers: {
      slackUserIds: [...ports.approval.approvers.slackUserIds],
      slackUserGroupIds: [...ports.approval.approvers.slackUserGroupIds],
      identities: [...ports.approval.approvers.identities],
    },
    status: 'pending',
  };
  const attributes = {
    severity: request.incident.severity.label,
    playbook: request.playbook ?? 'none',
    event: 'approval-requested',
    category: request.incident.category,
    incidentId: request.incidentId,
    dryRun: String(request.dryRun),
  };
  const { groups } = ports;
  const windowSeconds = ports.approval.groupWindowSeconds;
  if (groups !== undefined && windowSeconds > 0 && request.playbook != null) {
    const wait = Math.min(request.timeoutSeconds, ports.approval.timeoutSeconds);
    const shape: GroupShape = {
      account: request.account,
      region: request.region,
      playbook: request.playbook,
      findingType: draft.findingType ?? request.incident.category,
      category: request.incident.category,
      step: request.step,
      actions: request.actions,
      dryRun: request.dryRun,
      ...(request.timeoutDefault === undefined ? {} : { timeoutDefault: request.timeoutDefault }),
      timeoutSeconds: wait,
      approvers: draft.approvers,
    };
    const grouped = await requestGroupedApproval(
      draft,
      shape,
      {
        store: ports.store,
        groups,
        windowSeconds,
        linkBaseUrl: ports.linkBaseUrl,
        linkSigningKey: ports.linkSigningKey,
        now: ports.now,
        ...(ports.postSlack === undefined ? {} : { postSlack: ports.postSlack }),
        ...(ports.updateSlack === undefined ? {} : { updateSlack: ports.updateSlack }),
        ...(ports.publish === undefined ? {} : { publish: ports.publish }),
        ...(ports.sleep === undefined ? {} : { sleep: ports.sleep }),
        ...(ports.logger === undefined ? {} : { logger: ports.logger }),
      },
      {
        ...(ports.approval.slackChannel === undefined ? {} : { channel: ports.approval.slackChannel }),
        attributes,
        expiryFor: (windowEndsAt) => approvalExpiry(windowEndsAt, wait, wait),
      },
    );
    ports.logger?.info('approval: requested', {
      approvalId: grouped.record.approvalId,
      incidentId: request.incidentId,
      step: request.step,
      expiresAt: grouped.record.expiresAt,
      groupId: grouped.groupId,
      seq: grouped.seq,
      slack: grouped.delivered.slack,
      sns: grouped.delivered.sns,
    });
    return {
      approvalId: grouped.record.approvalId,
      link: grouped.link,
      expiresAt: grouped.record.expiresAt,
      slackMessage: grouped.slackMessage,
      delivered: grouped.delivered,
      group: { id: grouped.groupId, seq: grouped.seq, announced: grouped.announced },
    };
  }

  const approvalId = newApprovalId(ports.randomBytes);
  const record: ApprovalRecord = { approvalId, ...draft };
  // Stored before anyone is told: a click can never arrive for a record that does not exist yet.
  await ports.store.create(record);
  const link = signApprovalLink({
    baseUrl: ports.linkBaseUrl,
    approvalId,
    expiresAt,
    key: ports.linkSigningKey,
  });
  const message = approvalMessage(record, link);
  const slackMessage: SlackMessage =
    ports.approval.slackChannel === undefined
      ? message
      : { ...message, channel: ports.approval.slackChannel };

  const slack = await deliver(
    'slack',
    ports,
    async () => {
      const ref = await ports.postSlack?.(slackMessage);
      if (ref !== undefined) await ports.store.recordSlackMessage(approvalId, ref);
    },
    ports.postSlack !== undefined,
  );
  const subject = summarySubject(request.incident, 'approval requested', request.dryRun);
  const sns = await deliver(
    'sns',
    ports,
    async () => ports.publish?.(subject, approvalEmail(record, link), attributes),
    ports.publish !== undefined,
  );

  if (slack !== 'posted' && sns !== 'posted') {
    throw new ApprovalNotDeliveredError(
      `request-approval: approval ${approvalId} reached nobody (Slack ${slack}, SNS ${sns})`,
    );
  }
  ports.logger?.info('approval: requested', {
    approvalId,
    incidentId: request.incidentId,
    step: request.step,
    expiresAt: record.expiresAt,
    slack,
    sns,
  });
  return { approvalId, link, expiresAt: record.expiresAt, slackMessage, delivered: { slack, sns } };
}

async function deliver(
  channel: 'slack' | 'sns',
  ports: RequestApprovalPorts,
  send: () => Promise<unknown>,
  configured: boolean,
): Promise<DeliveryStatus> {
  if (!configured) return 'not-configured';
  try {
    await send();
    return 'posted';
  } catch (error) {
    // The name only: a webhook failure's message may contain the webhook URL, which is a secret.
    ports.logger?.warn(`approval: the ${channel} message could not be sent`, {
      error: error instanceof Error ? error.name : 'unknown',
    });
    return 'failed';
  }
}

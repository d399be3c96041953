/**
 * Slack's side of approvals: the request signature check (DOMAIN.md item 28) and the Block Kit messages.
 * Buttons carry the approval id only (item 25); the task token never leaves the record.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { resourceLabel } from '../actions/notify.ts';
import type { ApprovalRecord } from './records.ts';

/** Slack's replay window: a request signed more than five minutes away from now is refused. */
export const SLACK_MAX_SKEW_SECONDS = 300;
export const APPROVE_ACTION_ID = 'cordon_approve';
export const REJECT_ACTION_ID = 'cordon_reject';
export const APPROVAL_BLOCK_ID = 'cordon_approval';

const TIMESTAMP_PATTERN = /^\d{1,12}$/;
const SIGNATURE_PATTERN = /^v0=[0-9a-f]{64}$/;
/** Block Kit limits: header 150 characters, section text 3,000, a field 2,000, a button value 2,000. */
const HEADER_MAX = 150;
const TEXT_MAX = 3_000;
const FIELD_MAX = 2_000;
/** A message lists this many resources; the page lists them all. */
const RESOURCES_SHOWN = 10;

export type SlackVerification =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'malformed' | 'stale' | 'bad-signature' };

export interface VerifySlackSignatureOptions {
  readonly signingSecret: string;
  /** `X-Slack-Request-Timestamp` as received (any value). */
  readonly timestamp: unknown;
  /** The raw request body, byte for byte as received: a re-encoded body would not verify. */
  readonly body: string;
  /** `X-Slack-Signature` as received (any value). */
  readonly signature: unknown;
  readonly now: Date;
}

/**
 * Checks a Slack request: `X-Slack-Signature` must be `v0=` + hex HMAC-SHA256(signing secret,
 * `v0:{timestamp}:{raw body}`), compared in constant time, and the timestamp within five minutes of now in
 * either direction (a replayed or pre-signed request is refused). Never throws.
 *
 * @example verifySlackSignature({ signingSecret, timestamp: '1795860000', body, signature: 'v0=a2f1…', now }) // { ok: true }
 */
export function verifySlackSignature(options: VerifySlackSignatureOptions): SlackVerification {
  const { signingSecret, timestamp, body, signature, now } = options;
  if (
    typeof timestamp !== 'string' ||
    typeof signature !== 'string' ||
    !TIMESTAMP_PATTERN.test(timestamp) ||
    !SIGNATURE_PATTERN.test(signature) ||
    signingSecret === ''
  ) {
    return { ok: false, reason: 'malformed' };
  }
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) {
    return { ok: false, reason: 'stale' };
  }
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest();
  const received = Buffer.from(signature.slice(3), 'hex');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'bad-signature' };
  }
  return { ok: true };
}

/**
 * Signs a Slack request the way Slack does; for tests and the local engine's simulated clicks.
 *
 * @example slackSignature('secret', '1795860000', 'payload=…') // 'v0=…'
 */
export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

type SlackText = { readonly type: 'mrkdwn' | 'plain_text'; readonly text: string; readonly emoji?: boolean };
type SlackButton = {
  readonly type: 'button';
  readonly action_id: string;
  readonly text: SlackText;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
  readonly confirm?: {
    readonly title: SlackText;
    readonly text: SlackText;
    readonly confirm: SlackText;
    readonly deny: SlackText;
  };
};
export type ApprovalSlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'actions'; readonly block_id: string; readonly elements: readonly SlackButton[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] };

/** A message for `chat.postMessage`, a webhook, `chat.update` or a `response_url`. */
export interface ApprovalSlackMessage {
  /** Set by `requestApproval` from `settings.approval.slackChannel`; webhooks post to their own channel. */
  readonly channel?: string;
  readonly text: string;
  readonly blocks: readonly ApprovalSlackBlock[];
  /** Link unfurlers fetch links: the approval link is never unfurled (GET is safe anyway, item 26). */
  readonly unfurl_links: false;
  readonly unfurl_media: false;
}

/** Slack's mrkdwn treats `&`, `<` and `>` as markup: text from findings is escaped. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack renders `<!date^…>` in the reader's own time zone; the ISO fallback is for clients that cannot. */
function slackDate(iso: string): string {
  return `<!date^${Math.floor(Date.parse(iso) / 1000)}^{date_short_pretty} {time}|${iso}>`;
}

/** `ec2-instance i-0abc…` for each resource (kind, then the id a reader looks for), escaped. */
export function describeResources(resources: readonly unknown[]): string[] {
  return resources.map((resource) => {
    const kind =
      resource !== null && typeof resource === 'object'
        ? (resource as { kind?: unknown }).kind // resources are unknown JSON: read `kind` defensively
        : undefined;
    const id = resourceLabel([resource]) ?? 'unnamed';
    return typeof kind === 'string' ? `${kind} ${id}` : id;
  });
}

/** The steps approval lets run: the playbook lists `request-approval` itself first, which is not an action. */
export function approvedActions(record: Pick<ApprovalRecord, 'actions'>): string[] {
  return record.actions.filter((action) => action !== 'request-approval');
}

function summaryBlocks(record: ApprovalRecord, heading: string): ApprovalSlackBlock[] {
  const { incident } = record;
  const label = incident.severity.label.toUpperCase();
  const field = (name: string, value: string): SlackText => ({
    type: 'mrkdwn',
    text: clip(`*${name}*\n${value}`, FIELD_MAX),
  });
  const resources = describeResources(incident.resources);
  const shown = resources.slice(0, RESOURCES_SHOWN).map((resource) => `• \`${escapeMrkdwn(resource)}\``);
  if (resources.length > RESOURCES_SHOWN) shown.push(`… and ${resources.length - RESOURCES_SHOWN} more`);
  const actions = approvedActions(record).map((action) => `• \`${escapeMrkdwn(action)}\``);
  return [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`${heading}: ${label} ${incident.category}`, HEADER_MAX) },
    },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(escapeMrkdwn(incident.title), TEXT_MAX) },
      fields: [
        field('Severity', `${label} (${incident.severity.score.toFixed(1)})`),
        field('Playbook', escapeMrkdwn(record.playbook ?? 'unknown')),
        field('Account', escapeMrkdwn(incident.account)),
        field('Region', escapeMrkdwn(incident.region)),
      ],
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*Resources*\n${shown.length === 0 ? 'none named' : shown.join('\n')}\n*If approved, Cordon runs${record.dryRun ? ' (dry-run: records only, changes nothing)' : ''}*\n${actions.join('\n')}`,
          TEXT_MAX,
        ),
      },
    },
  ];
}

function contextBlock(record: ApprovalRecord, extra: string[]): ApprovalSlackBlock {
  return {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: clip(
          [
            `Incident \`${escapeMrkdwn(record.incidentId)}\``,
            `approval \`${record.approvalId}\``,
            ...extra,
          ].join(' · '),
          TEXT_MAX,
        ),
      },
    ],
  };
}

/**
 * The approval request: incident summary, severity, resources, the exact steps approval runs, Approve /
 * Reject buttons whose `value` is the approval id and nothing else, and the link to the approval page.
 * Link unfurling is off.
 *
 * @example
 * approvalMessage(record, 'https://approvals.example.com/approvals/q1w2…?exp=…&sig=…').blocks[3]
 * // { type: 'actions', block_id: 'cordon_approval', elements: [{ action_id: 'cordon_approve', value: 'q1w2…', … }, …] }
 */
export function approvalMessage(record: ApprovalRecord, link: string): ApprovalSlackMessage {
  const { incident } = record;
  // `|` and `>` would end Slack's link markup early.
  const url = link.replace(/\|/g, '%7C').replace(/>/g, '%3E');
  const fallback =
    record.timeoutDefault === undefined ? '' : ` (then the default applies: ${record.timeoutDefault})`;
  return {
    text: clip(
      `Approval needed: ${incident.severity.label.toUpperCase()} ${incident.category} — ${escapeMrkdwn(incident.title)}`,
      TEXT_MAX,
    ),
    blocks: [
      ...summaryBlocks(record, 'Approval needed'),
      {
        type: 'actions',
        block_id: APPROVAL_BLOCK_ID,
        elements: [
          {
            type: 'button',
            action_id: APPROVE_ACTION_ID,
            text: { type: 'plain_text', text: 'Approve' },
            style: 'primary',
            value: record.approvalId,
            confirm: {
              title: { type: 'plain_text', text: 'Approve these steps?' },
              text: { type: 'mrkdwn', text: clip(approvedActions(record).join(', '), 300) },
              confirm: { type: 'plain_text', text: 'Approve' },
              deny: { type: 'plain_text', text: 'Cancel' },
            },
          },
          {
            type: 'button',
            action_id: REJECT_ACTION_ID,
            text: { type: 'plain_text', text: 'Reject' },
            style: 'danger',
            value: record.approvalId,
          },
        ],
      },
      contextBlock(record, [
        `<${url}|Open the approval page>`,
        `expires ${slackDate(record.expiresAt)}${fallback}`,
      ]),
    ],
    unfurl_links: false,
    unfurl_media: false,
  };
}

/** One line saying how the approval ended. */
export function decisionLine(record: ApprovalRecord): string {
  const { decision } = record;
  if (decision === undefined) {
    const fallback =
      record.timeoutDefault === undefined
        ? 'its timeout default'
        : `its timeout default (${record.timeoutDefault})`;
    return `:hourglass: Expired: nobody decided in time; the playbook escalates and applies ${fallback}.`;
  }
  const who =
    decision.decidedBy.kind === 'slack'
      ? `<@${escapeMrkdwn(decision.decidedBy.id)}>`
      : escapeMrkdwn(decision.decidedBy.name ?? decision.decidedBy.id);
  const verb = decision.decision === 'approve' ? ':white_check_mark: Approved' : ':no_entry: Rejected';
  const comment =
    decision.comment === undefined || decision.comment === '' ? '' : `: “${escapeMrkdwn(decision.comment)}”`;
  const failed =
    record.callback?.status === 'failed'
      ? `\n:warning: Step Functions could not be told (${escapeMrkdwn(record.callback.error ?? 'unknown error')}): the playbook will time out and apply its default.`
      : '';
  return `${verb} by ${who} ${slackDate(decision.decidedAt)}${comment}${failed}`;
}

/**
 * The approval message once decided (or expired): the same summary, the buttons replaced by who decided,
 * when and why — for `chat.update` or a `response_url` with `replace_original`.
 *
 * @example decidedMessage(record).blocks.at(-2) // { type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: Approved by <@U0123>…' } }
 */
export function decidedMessage(record: ApprovalRecord): ApprovalSlackMessage {
  const line = decisionLine(record);
  const heading =
    record.status === 'approved' ? 'Approved' : record.status === 'rejected' ? 'Rejected' : 'Expired';
  return {
    text: clip(`${heading}: ${escapeMrkdwn(record.incident.title)}`, TEXT_MAX),
    blocks: [
      ...summaryBlocks(record, heading),
      { type: 'section', text: { type: 'mrkdwn', text: clip(line, TEXT_MAX) } },
      contextBlock(record, []),
    ],
    unfurl_links: false,
    unfurl_media: false,
  };
}

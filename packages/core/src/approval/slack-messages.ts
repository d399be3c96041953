/**
 * The approval's Slack messages: the request with Approve / Reject buttons, and the same message once
 * decided. Buttons carry the approval id only (DOMAIN.md item 25); the task token never leaves the record.
 * Every piece of finding text (title, resources), and what people typed (a comment, a name), is escaped.
 */
import { severityText } from '../incident-summary.ts';
import {
  contextBlock,
  headerBlock,
  plainText,
  type SlackBlock,
  type SlackMessage,
  sectionBlock,
  slackMessage,
} from '../slack/blocks.ts';
import {
  escapeMrkdwn,
  SLACK_BUTTON_TEXT_MAX,
  SLACK_CONFIRM_BUTTON_MAX,
  SLACK_CONFIRM_TEXT_MAX,
  SLACK_CONFIRM_TITLE_MAX,
  slackDate,
  slackLink,
  slackUserMention,
} from '../slack/mrkdwn.ts';
import type { ApprovalRecord } from './records.ts';
import {
  slackConsoleLinks,
  slackEvidence,
  slackExpiry,
  slackResources,
  slackSteps,
} from './slack-readable.ts';

export const APPROVE_ACTION_ID = 'cordon_approve';
export const REJECT_ACTION_ID = 'cordon_reject';
export const APPROVAL_BLOCK_ID = 'cordon_approval';
/** A message lists this many resources; the page lists them all. */
const RESOURCES_SHOWN = 10;

/** The steps approval lets run: the playbook lists `request-approval` itself first, which is not an action. */
export function approvedActions(record: Pick<ApprovalRecord, 'actions'>): string[] {
  return record.actions.filter((action) => action !== 'request-approval');
}

function summaryBlocks(record: ApprovalRecord, heading: string): SlackBlock[] {
  const { incident } = record;
  const field = (name: string, value: string) => `*${name}*\n${escapeMrkdwn(value)}`;
  const resources = slackResources(incident.resources);
  const shown = resources.slice(0, RESOURCES_SHOWN);
  if (resources.length > RESOURCES_SHOWN) shown.push(`… and ${resources.length - RESOURCES_SHOWN} more`);
  const evidence = slackEvidence(record);
  const links = slackConsoleLinks(record);
  return [
    headerBlock(`${heading}: ${incident.severity.label.toUpperCase()} ${incident.category}`),
    sectionBlock({
      text: escapeMrkdwn(incident.title),
      fields: [
        field('Severity', severityText(incident.severity)),
        field('Playbook', record.playbook ?? 'unknown'),
        field('Account', incident.account),
        field('Region', incident.region),
      ],
    }),
    sectionBlock({ text: `*Resources*\n${shown.length === 0 ? 'none named' : shown.join('\n')}` }),
    ...(evidence.length === 0
      ? []
      : [sectionBlock({ text: `*What GuardDuty saw*\n${evidence.join('\n')}` })]),
    ...(links.length === 0 ? [] : [contextBlock([links.join(' · ')])]),
    // Last of the summary, so that a long list of steps clipped at Slack's 3,000 characters loses only its end.
    sectionBlock({
      text: `*If approved, Cordon runs${record.dryRun ? ' (dry-run: records only, changes nothing)' : ''}*\n${slackSteps(approvedActions(record)).join('\n')}`,
    }),
  ];
}

function idsLine(record: ApprovalRecord, extra: readonly string[]): SlackBlock {
  return contextBlock([
    [
      `Incident \`${escapeMrkdwn(record.incidentId)}\``,
      `approval \`${escapeMrkdwn(record.approvalId)}\``,
      ...extra,
    ].join(' · '),
  ]);
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
export function approvalMessage(record: ApprovalRecord, link: string): SlackMessage {
  const { incident } = record;
  const fallback =
    record.timeoutDefault === undefined ? '' : ` (then the default applies: ${record.timeoutDefault})`;
  return slackMessage(
    `Approval needed: ${incident.severity.label.toUpperCase()} ${incident.category} — ${escapeMrkdwn(incident.title)}`,
    [
      ...summaryBlocks(record, 'Approval needed'),
      {
        type: 'actions',
        block_id: APPROVAL_BLOCK_ID,
        elements: [
          {
            type: 'button',
            action_id: APPROVE_ACTION_ID,
            text: plainText('Approve', SLACK_BUTTON_TEXT_MAX),
            style: 'primary',
            value: record.approvalId,
            confirm: {
              title: plainText('Approve these steps?', SLACK_CONFIRM_TITLE_MAX),
              // plain_text: Slack shows it as it is.
              text: plainText(approvedActions(record).join(', '), SLACK_CONFIRM_TEXT_MAX),
              confirm: plainText('Approve', SLACK_CONFIRM_BUTTON_MAX),
              deny: plainText('Cancel', SLACK_CONFIRM_BUTTON_MAX),
            },
          },
          {
            type: 'button',
            action_id: REJECT_ACTION_ID,
            text: plainText('Reject', SLACK_BUTTON_TEXT_MAX),
            style: 'danger',
            value: record.approvalId,
          },
        ],
      },
      idsLine(record, [slackLink(link, 'Open the approval page'), `${slackExpiry(record)}${fallback}`]),
    ],
  );
}

/**
 * One line saying how the approval ended, for Slack: who decided (a mention for a Slack user), when, and the
 * comment, escaped.
 *
 * @example decisionLine(record) // ':white_check_mark: Approved by <@U0APPROVER> <!date^…|…>: “contain it”'
 */
export function decisionLine(record: ApprovalRecord): string {
  const { decision } = record;
  if (record.status === 'withdrawn') {
    return ':leftwards_arrow_with_hook: Withdrawn: this request reached nobody and its playbook asked again.';
  }
  if (decision === undefined) {
    const fallback =
      record.timeoutDefault === undefined
        ? 'its timeout default'
        : `its timeout default (${record.timeoutDefault})`;
    return `:hourglass: Expired: nobody decided in time; the playbook escalates and applies ${fallback}.`;
  }
  const who =
    decision.decidedBy.kind === 'slack'
      ? slackUserMention(decision.decidedBy.id)
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
 * @example decidedMessage(record).blocks.at(-2) // { type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: Approved by <@U0123>…', verbatim: true } }
 */
export function decidedMessage(record: ApprovalRecord): SlackMessage {
  const heading =
    record.status === 'approved'
      ? 'Approved'
      : record.status === 'rejected'
        ? 'Rejected'
        : record.status === 'withdrawn'
          ? 'Withdrawn'
          : 'Expired';
  return slackMessage(`${heading}: ${escapeMrkdwn(record.incident.title)}`, [
    ...summaryBlocks(record, heading),
    sectionBlock({ text: decisionLine(record) }),
    idsLine(record, []),
  ]);
}

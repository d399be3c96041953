/**
 * What people are shown of an approval group: one Slack message for the whole group — the count, a sample
 * of the newest members, how the decisions so far stand, and buttons for the members still waiting — and
 * one e-mail (SNS) when the group opens. Finding text is escaped like every approval message's; the buttons
 * carry the group id and the places they decide, never a token.
 */
import { describeResources, severityText } from '../incident-summary.ts';
import {
  contextBlock,
  headerBlock,
  plainText,
  type SlackBlock,
  type SlackButton,
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
import type { ApprovalGroup, GroupRound, GroupTally } from './groups.ts';
import { GROUP_ID_PATTERN } from './links.ts';
import { stepWords } from './readable.ts';
import type { ApprovalRecord } from './records.ts';
import { approvedActions } from './slack-messages.ts';
import { slackConsoleLinks, slackEvidence, slackResources, slackSteps } from './slack-readable.ts';

export const GROUP_APPROVE_ACTION_ID = 'cordon_group_approve';
export const GROUP_REJECT_ACTION_ID = 'cordon_group_reject';
export const GROUP_RETRY_ACTION_ID = 'cordon_group_retry';
export const GROUP_BLOCK_ID = 'cordon_group';
/** Members a message names (the page lists them all). */
export const GROUP_SAMPLE_SIZE = 10;

/** The places a group button decides: members `from + 1` … `through`. */
export interface GroupRange {
  readonly groupId: string;
  readonly from: number;
  readonly through: number;
}

const BUTTON_VALUE = /^([A-Za-z0-9_-]{22}_[1-9][0-9]{0,8}):(0|[1-9][0-9]{0,8}):([1-9][0-9]{0,8})$/;

/**
 * A group button's value: `<groupId>:<from>:<through>` — what the person saw waiting when they clicked.
 *
 * @example groupButtonValue({ groupId: 'AbCdEfGhIjKlMnOpQrStUv_1', from: 30, through: 37 }) // 'AbCdEfGhIjKlMnOpQrStUv_1:30:37'
 */
export function groupButtonValue(range: GroupRange): string {
  return `${range.groupId}:${range.from}:${range.through}`;
}

/**
 * Reads a group button's value back; anything else (a forged or damaged value) is `undefined`.
 *
 * @example parseGroupButtonValue('AbCdEfGhIjKlMnOpQrStUv_1:30:37') // { groupId: 'AbCdEfGhIjKlMnOpQrStUv_1', from: 30, through: 37 }
 */
export function parseGroupButtonValue(value: string): GroupRange | undefined {
  const match = BUTTON_VALUE.exec(value);
  if (match === null) return undefined;
  const [, groupId = '', from = '', through = ''] = match;
  const range = { groupId, from: Number(from), through: Number(through) };
  return GROUP_ID_PATTERN.test(groupId) && range.through > range.from ? range : undefined;
}

/** What a group message or page shows: the group, its newest members, and how its members stand. */
export interface GroupView {
  readonly group: ApprovalGroup;
  /** The newest members' records, newest first (at most {@link GROUP_SAMPLE_SIZE}). */
  readonly sample: readonly ApprovalRecord[];
  /** How the members stand, counted from their records (the API's), or the group's last count. */
  readonly tally?: GroupTally;
  /** The group's signed link. */
  readonly link: string;
}

/** The members a group button would decide now: those after the last round. */
export function waitingRange(group: ApprovalGroup): GroupRange {
  return { groupId: group.groupId, from: group.decidedThrough ?? 0, through: group.memberCount };
}

/**
 * The members still waiting, as best known: the last count's waiting members, plus those who joined since.
 *
 * @example waitingCount({ group, tally: { total: 30, waiting: 2, … } }) // 2 + (group.memberCount - 30)
 */
export function waitingCount(view: Pick<GroupView, 'group' | 'tally'>): number {
  const { group, tally } = view;
  if (tally === undefined) return group.memberCount - (group.decidedThrough ?? 0);
  return tally.waiting + Math.max(0, group.memberCount - tally.total);
}

/** `#31–#37`, or `#31` for one place. */
export function placesText(range: Pick<GroupRange, 'from' | 'through'>): string {
  return range.through === range.from + 1 ? `#${range.through}` : `#${range.from + 1}–#${range.through}`;
}

function who(round: GroupRound): string {
  const { decidedBy } = round.decision;
  return decidedBy.kind === 'slack'
    ? slackUserMention(decidedBy.id)
    : escapeMrkdwn(decidedBy.name ?? decidedBy.id);
}

/** One line per decision round, escaped, for Slack. */
export function roundLines(rounds: readonly GroupRound[]): string[] {
  return rounds.map((round) => {
    const verb =
      round.decision.decision === 'approve' ? ':white_check_mark: approved' : ':no_entry: rejected';
    const comment = round.decision.comment === undefined ? '' : `: “${escapeMrkdwn(round.decision.comment)}”`;
    return `${placesText(round)} ${verb} by ${who(round)} ${slackDate(round.decision.decidedAt)}${comment}`;
  });
}

/** The members' standing in words: `30 approved · 2 rejected · 5 waiting · 1 not delivered`. */
export function tallyText(view: Pick<GroupView, 'group' | 'tally'>): string {
  const { tally } = view;
  const waiting = waitingCount(view);
  if (tally === undefined) return `${waiting} waiting`;
  const parts: string[] = [];
  if (tally.approved > 0) parts.push(`${tally.approved} approved`);
  if (tally.rejected > 0) parts.push(`${tally.rejected} rejected`);
  parts.push(`${waiting} waiting`);
  if (tally.expired > 0) parts.push(`${tally.expired} expired (timeout default)`);
  if (tally.withdrawn > 0) parts.push(`${tally.withdrawn} withdrawn (asked again)`);
  if (tally.undelivered > 0) parts.push(`${tally.undelivered} not delivered to Step Functions`);
  return parts.join(' · ');
}

function sampleLines(view: GroupView): string[] {
  const lines = view.sample.slice(0, GROUP_SAMPLE_SIZE).map((record) => {
    const resources = slackResources(record.incident.resources);
    // `• *web-1* \`i-0…\` ec2-instance` without its bullet: the member's place goes first.
    const name = (resources[0] ?? '• `unnamed`').slice(2);
    const more = resources.length > 1 ? ` (+${resources.length - 1})` : '';
    const seen = record.observedAt === undefined ? '' : `, seen ${slackDate(record.observedAt)}`;
    return `• #${record.group?.seq ?? '?'} ${name}${more}${seen}`;
  });
  const rest = view.group.memberCount - lines.length;
  if (rest > 0) lines.push(`… and ${rest} more on the group page`);
  return lines;
}

function heading(view: GroupView): string {
  const waiting = waitingCount(view);
  return waiting > 0 ? 'Approval needed' : 'Decided';
}

function buttons(view: GroupView): SlackButton[] {
  const range = waitingRange(view.group);
  const waiting = range.through - range.from;
  const steps = approvedActions(view.group.shape).join(', ');
  const out: SlackButton[] = [];
  if (waiting > 0 && waitingCount(view) > 0) {
    const value = groupButtonValue(range);
    const places = placesText(range);
    out.push(
      {
        type: 'button',
        action_id: GROUP_APPROVE_ACTION_ID,
        text: plainText(
          `Approve ${waiting === 1 ? places : `all waiting (${waiting})`}`,
          SLACK_BUTTON_TEXT_MAX,
        ),
        style: 'primary',
        value,
        confirm: {
          title: plainText(`Approve ${places}?`, SLACK_CONFIRM_TITLE_MAX),
          // plain_text: Slack shows it as it is.
          text: plainText(
            `Cordon runs ${steps} on each of ${places}. Members decided one by one meanwhile keep their decision; members who join later wait for their own.`,
            SLACK_CONFIRM_TEXT_MAX,
          ),
          confirm: plainText('Approve', SLACK_CONFIRM_BUTTON_MAX),
          deny: plainText('Cancel', SLACK_CONFIRM_BUTTON_MAX),
        },
      },
      {
        type: 'button',
        action_id: GROUP_REJECT_ACTION_ID,
        text: plainText(
          `Reject ${waiting === 1 ? places : `all waiting (${waiting})`}`,
          SLACK_BUTTON_TEXT_MAX,
        ),
        style: 'danger',
        value,
      },
    );
  }
  if ((view.tally?.undelivered ?? 0) > 0) {
    out.push({
      type: 'button',
      action_id: GROUP_RETRY_ACTION_ID,
      text: plainText('Retry delivery', SLACK_BUTTON_TEXT_MAX),
      value: groupButtonValue({ groupId: view.group.groupId, from: 0, through: view.group.memberCount }),
    });
  }
  return out;
}

/**
 * The group's Slack message: the count and kind, the newest members, the steps approval runs on each, how
 * the decisions so far stand, and — while members wait — Approve / Reject for the waiting ones (their places
 * in the button) and the link to decide one by one.
 *
 * @example groupMessage(view).blocks.find((block) => block.type === 'actions') // { block_id: 'cordon_group', elements: [Approve all waiting (37), Reject …] }
 */
export function groupMessage(view: GroupView): SlackMessage {
  const { group } = view;
  const { shape } = group;
  const newest = view.sample[0];
  const severity = newest?.incident.severity;
  const label = severity === undefined ? '' : `${severity.label.toUpperCase()} `;
  const count = group.memberCount;
  const field = (name: string, value: string) => `*${name}*\n${escapeMrkdwn(value)}`;
  const open = Date.parse(group.windowEndsAt) > Date.parse(group.newestAt);
  const actions = slackSteps(approvedActions(shape));
  const evidence = newest === undefined ? [] : slackEvidence(newest);
  const links = newest === undefined ? [] : slackConsoleLinks(newest);
  const decisions = [...roundLines(group.roundList), `*Now:* ${tallyText(view)}`];
  const elements = buttons(view);
  const fallback =
    shape.timeoutDefault === undefined ? '' : ` (then the default applies: ${shape.timeoutDefault})`;
  const blocks: SlackBlock[] = [
    headerBlock(`${heading(view)}: ${label}${shape.category} ×${count}`),
    sectionBlock({
      text: `*${count} ${count === 1 ? 'incident' : 'incidents'}* of type \`${escapeMrkdwn(shape.findingType)}\` since ${slackDate(group.openedAt)}${open ? `; more join this message until ${slackDate(group.windowEndsAt)}` : ''}.`,
      fields: [
        ...(severity === undefined ? [] : [field('Severity (newest)', severityText(severity))]),
        field('Playbook', shape.playbook),
        field('Account', shape.account),
        field('Region', shape.region),
      ],
    }),
    sectionBlock({ text: `*Newest first*\n${sampleLines(view).join('\n')}` }),
    ...(evidence.length === 0
      ? []
      : [
          sectionBlock({
            text: `*What GuardDuty saw (#${newest?.group?.seq ?? '?'}, the newest)*\n${evidence.join('\n')}`,
          }),
        ]),
    ...(links.length === 0 ? [] : [contextBlock([links.join(' · ')])]),
    sectionBlock({
      text: `*If approved, Cordon runs on each${shape.dryRun ? ' (dry-run: records only, changes nothing)' : ''}*\n${actions.join('\n')}`,
    }),
    sectionBlock({ text: decisions.join('\n') }),
    ...(elements.length === 0 ? [] : [{ type: 'actions' as const, block_id: GROUP_BLOCK_ID, elements }]),
    contextBlock([
      [
        slackLink(view.link, 'Decide one by one on the group page'),
        `group \`${escapeMrkdwn(group.groupId)}\``,
        `each member waits ${Math.round(shape.timeoutSeconds / 60)} min${fallback}`,
      ].join(' · '),
    ]),
  ];
  return slackMessage(
    `${heading(view)}: ${label}${shape.category} ×${count} — ${escapeMrkdwn(shape.findingType)} in ${escapeMrkdwn(shape.account)}`,
    blocks,
  );
}

/**
 * The group's e-mail (SNS), sent once, when the group opens: what kind of incidents, the first members, and
 * the signed link to the group page where all of them are listed and decided.
 */
export function groupEmail(view: GroupView): string {
  const { group } = view;
  const { shape } = group;
  const first = view.sample.at(-1) ?? view.sample[0];
  const lines = [
    `Approval needed for a group of incidents of one kind: ${shape.category}, ${shape.findingType}`,
    first === undefined ? '' : `${severityText(first.incident.severity)}: ${first.incident.title}`,
    '',
    `Account: ${shape.account}  Region: ${shape.region}  Playbook: ${shape.playbook}`,
    `Members so far: ${group.memberCount}. Requests of this kind join this group until ${group.windowEndsAt}; the page lists every member.`,
    '',
    'Resources so far:',
    ...view.sample
      .slice(0, GROUP_SAMPLE_SIZE)
      .flatMap((record) => describeResources(record.incident.resources).map((resource) => `  - ${resource}`)),
    '',
    `If approved, Cordon runs on each${shape.dryRun ? ' (dry-run: records only, changes nothing)' : ''}:`,
    ...approvedActions(shape).map((action) => {
      const words = stepWords(action);
      return words === undefined ? `  - ${action}` : `  - ${words} (${action})`;
    }),
    '',
    `Review and decide, as a whole or one by one (opening the page changes nothing): ${view.link}`,
    `Each member waits ${shape.timeoutSeconds} s from its request.${shape.timeoutDefault === undefined ? '' : ` If nobody decides in time, its playbook escalates and applies the default: ${shape.timeoutDefault}.`} The link expires at ${group.linkExpiresAt}.`,
    'This is the only e-mail for this group: later members are shown in Slack and on the page.',
  ];
  return lines.join('\n');
}

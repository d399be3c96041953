/**
 * The group page: every member of an approval group with its own Approve / Reject, and Approve / Reject for
 * all the members waiting — one form, no script but the page's own (local times, allowed by its hash), the
 * pressed button naming what it decides. The steps are in words, and what GuardDuty saw of the newest member
 * stands for the kind. Everything from the records is HTML-escaped. The CSRF token is the approval page's signed
 * double-submit cookie, bound to `group.<id>` and scoped to the group's path.
 */
import { severityText } from '../incident-summary.ts';
import { MAX_COMMENT_LENGTH } from './decide.ts';
import { type MemberState, memberState } from './group-decide.ts';
import { type GroupView, placesText, tallyText, waitingCount, waitingRange } from './group-messages.ts';
import type { ApprovalGroup, GroupRound } from './groups.ts';
import { CSRF_FIELD, escapeHtml, evidenceHtml, layout, linksHtml, stepsHtml, timeElement } from './page.ts';
import { namedResources } from './readable.ts';
import type { ApprovalRecord } from './records.ts';

/** The form field naming what a button decides: `approve:all`, `reject:all`, `approve:<seq>`, `reject:<seq>`, `retry`. */
export const GROUP_ACTION_FIELD = 'act';

/** A parsed `act` value. */
export type GroupAction =
  | { readonly kind: 'all'; readonly decision: 'approve' | 'reject' }
  | { readonly kind: 'member'; readonly decision: 'approve' | 'reject'; readonly seq: number }
  | { readonly kind: 'retry' };

const ACTION = /^(approve|reject):(all|[1-9][0-9]{0,8})$/;

/**
 * Reads the pressed button's value; anything else is `undefined`.
 *
 * @example parseGroupAction('reject:17') // { kind: 'member', decision: 'reject', seq: 17 }
 */
export function parseGroupAction(value: string | undefined): GroupAction | undefined {
  if (value === 'retry') return { kind: 'retry' };
  const match = ACTION.exec(value ?? '');
  if (match === null) return undefined;
  const decision = match[1] === 'approve' ? 'approve' : 'reject';
  return match[2] === 'all' ? { kind: 'all', decision } : { kind: 'member', decision, seq: Number(match[2]) };
}

/** The path of a group's page (the CSRF cookie's scope and the form's action start from it). */
export function groupPath(groupId: string): string {
  return `/groups/${encodeURIComponent(groupId)}`;
}

/** The CSRF subject of a group: `group.<id>`, which no approval id can be (they hold no `.`). */
export function groupCsrfSubject(groupId: string): string {
  return `group.${groupId}`;
}

function roundSentence(round: GroupRound): string {
  const { decision } = round;
  const verb = decision.decision === 'approve' ? 'approved' : 'rejected';
  const by = decision.decidedBy.name ?? decision.decidedBy.id;
  const via = decision.decidedBy.kind === 'slack' ? 'in Slack' : 'on this page';
  const comment = decision.comment === undefined ? '' : `: “${decision.comment}”`;
  return `${placesText(round)} ${verb} by ${by} ${via} at ${decision.decidedAt}${comment}`;
}

/** A member's state in words, for its row. */
export function memberStateText(record: ApprovalRecord, now: Date): string {
  const state: MemberState = memberState(record, now);
  const { decision, callback } = record;
  const by = decision === undefined ? '' : (decision.decidedBy.name ?? decision.decidedBy.id);
  const how = decision?.round === undefined ? 'one by one' : `with the group (round ${decision.round})`;
  switch (state) {
    case 'waiting':
      return `waiting (expires ${record.expiresAt})`;
    case 'expired':
      return `expired: its playbook applied the timeout default${record.timeoutDefault === undefined ? '' : ` (${record.timeoutDefault})`}`;
    case 'withdrawn':
      return 'withdrawn: it reached nobody and its playbook asked again';
    case 'approved':
    case 'rejected':
      return `${state} ${how} by ${by}`;
    case 'delivering':
      return `${record.status} ${how} by ${by}; telling Step Functions`;
    case 'undelivered':
      return `${record.status} ${how} by ${by}; NOT delivered to Step Functions (${callback?.error ?? 'cut short'}): retry delivery`;
    case 'failed':
      return `${record.status} ${how} by ${by}; Step Functions refused it (${callback?.error ?? 'unknown'}): its timeout default applied`;
  }
}

function memberRow(seq: number, record: ApprovalRecord | undefined, now: Date): string {
  if (record === undefined) {
    return `<tr><td>${seq}</td><td colspan="4">(no record: its request did not finish joining)</td><td></td></tr>`;
  }
  const resources = namedResources(record.incident.resources);
  const named = resources[0];
  const more = resources.length > 1 ? ` (+${resources.length - 1})` : '';
  const resource =
    named === undefined
      ? '<code>unnamed</code>'
      : `${named.name === undefined ? '' : `<strong>${escapeHtml(named.name)}</strong> `}<code>${escapeHtml(named.id)}</code>${escapeHtml(more)}`;
  const waiting = memberState(record, now) === 'waiting';
  const buttons = waiting
    ? `<button type="submit" class="small approve" name="${GROUP_ACTION_FIELD}" value="approve:${seq}">Approve</button><button type="submit" class="small reject" name="${GROUP_ACTION_FIELD}" value="reject:${seq}">Reject</button>`
    : '';
  return `<tr><td>${seq}</td><td>${resource}</td><td>${escapeHtml(severityText(record.incident.severity))}</td><td><code>${escapeHtml(record.incidentId)}</code>${record.observedAt === undefined ? '' : `<br>seen ${escapeHtml(record.observedAt)}`}</td><td>${escapeHtml(memberStateText(record, now))}</td><td class="actions">${buttons}</td></tr>`;
}

function groupSummary(
  group: ApprovalGroup,
  first: ApprovalRecord | undefined,
  newest: ApprovalRecord | undefined,
): string {
  const { shape } = group;
  const label = first?.incident.severity.label;
  return `${label === undefined ? '' : `<p><span class="badge ${escapeHtml(label)}">${escapeHtml(label.toUpperCase())}</span> <strong>${escapeHtml(shape.category)}</strong></p>`}
<dl>
<dt>Type</dt><dd><code>${escapeHtml(shape.findingType)}</code></dd>
<dt>Account</dt><dd>${escapeHtml(shape.account)}</dd>
<dt>Region</dt><dd>${escapeHtml(shape.region)}</dd>
<dt>Playbook</dt><dd>${escapeHtml(shape.playbook)}</dd>
<dt>Group</dt><dd><code>${escapeHtml(group.groupId)}</code></dd>
<dt>Opened</dt><dd>${timeElement(group.openedAt)}</dd>
<dt>Joins until</dt><dd>${timeElement(group.windowEndsAt)}</dd>
<dt>Each waits</dt><dd>${escapeHtml(String(shape.timeoutSeconds))} s${shape.timeoutDefault === undefined ? '' : `, then the default applies: ${escapeHtml(shape.timeoutDefault)}`}</dd>
</dl>
${first?.reason === undefined ? '' : `<p class="note">Why the first member asks: ${escapeHtml(first.reason)}</p>`}
${
  newest === undefined
    ? ''
    : `${evidenceHtml(newest, `What GuardDuty saw (#${newest.group?.seq ?? '?'}, the newest)`)}
${linksHtml(newest)}`
}
<h2 id="actions">If you approve, Cordon runs on each member${shape.dryRun ? ' (dry-run: it records, changes nothing)' : ''}</h2>
<ol class="steps">${stepsHtml(shape)}</ol>`;
}

export interface GroupPageOptions {
  readonly view: GroupView;
  /** Every member, in place order. */
  readonly members: ReadonlyArray<ApprovalRecord | undefined>;
  readonly now: Date;
  /** The link's `sig` and `exp`, verified; the form sends them back. */
  readonly sig: string;
  readonly exp: string;
  readonly csrfToken: string;
}

/**
 * The group page: the kind, the steps approval runs on each, the decisions so far, Approve / Reject for all
 * the waiting members (their places go with the form), and every member with its own Approve / Reject.
 *
 * @example renderGroupPage({ view, members, now, sig, exp, csrfToken }) // '<!doctype html>…<form method="post" action="/groups/…/decision">…'
 */
export function renderGroupPage(options: GroupPageOptions): string {
  const { view, members, now } = options;
  const { group } = view;
  const range = waitingRange(group);
  const waiting = waitingCount(view);
  const hidden = (name: string, value: string) =>
    `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const all = range.through > range.from && waiting > 0;
  const undelivered = (view.tally?.undelivered ?? 0) > 0;
  const rounds = group.roundList.map((round) => `<li>${escapeHtml(roundSentence(round))}</li>`).join('');
  const first = members.find((record) => record !== undefined);
  return layout(
    waiting > 0 ? 'Approval needed' : 'Group decided',
    `<h1>${waiting > 0 ? 'Approval needed' : 'Decided'}: ${escapeHtml(String(group.memberCount))} × ${escapeHtml(group.shape.findingType)}</h1>
${groupSummary(group, first, view.sample[0])}
<h2>Decisions</h2>
${rounds === '' ? '<p>None yet.</p>' : `<ul>${rounds}</ul>`}
<p id="tally"><strong>Now:</strong> ${escapeHtml(tallyText(view))}</p>
<form method="post" action="${escapeHtml(`${groupPath(group.groupId)}/decision`)}">
${hidden('sig', options.sig)}
${hidden('exp', options.exp)}
${hidden(CSRF_FIELD, options.csrfToken)}
${hidden('from', String(range.from))}
${hidden('through', String(range.through))}
<label for="comment">Comment (optional, recorded with your decision)</label>
<textarea id="comment" name="comment" maxlength="${MAX_COMMENT_LENGTH}"></textarea>
${
  all
    ? `<div class="buttons">
<button type="submit" class="approve" name="${GROUP_ACTION_FIELD}" value="approve:all">Approve all waiting (${escapeHtml(placesText(range))})</button>
<button type="submit" class="reject" name="${GROUP_ACTION_FIELD}" value="reject:all">Reject all waiting (${escapeHtml(placesText(range))})</button>
</div>
<p class="note">All waiting means ${escapeHtml(placesText(range))} as shown below: members decided one by one keep their decision, members who join after you load this page wait for their own.</p>`
    : ''
}
${undelivered ? `<div class="buttons"><button type="submit" name="${GROUP_ACTION_FIELD}" value="retry">Retry delivery to Step Functions</button></div>` : ''}
<h2>Members</h2>
<table>
<tr><th>#</th><th>Resource</th><th>Severity</th><th>Incident</th><th>State</th><th></th></tr>
${members.map((record, index) => memberRow(index + 1, record, now)).join('\n')}
</table>
</form>
<p class="note">Opening this page changes nothing. Only configured approvers can decide, and each member once.</p>`,
  );
}

/**
 * The answer to a decision on the group page: what happened, member by member in numbers, and the way back.
 *
 * @example renderGroupResult({ title: 'Approved', lines: ['37 approved and delivered'], back: '/groups/…?exp=…&sig=…' })
 */
export function renderGroupResult(options: {
  readonly title: string;
  readonly lines: readonly string[];
  readonly warning?: string;
  readonly back?: string;
}): string {
  return layout(
    options.title,
    `<h1>${escapeHtml(options.title)}</h1>
<ul id="outcome">${options.lines.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>
${options.warning === undefined ? '' : `<p class="warning">${escapeHtml(options.warning)}</p>`}
${options.back === undefined ? '' : `<p><a href="${escapeHtml(options.back)}">Back to the group</a></p>`}`,
  );
}

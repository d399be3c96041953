/**
 * The approval API's group routes, with the approval page's rules (DOMAIN.md items 26–29):
 * - `GET /groups/{id}?exp=…&sig=…` verifies the signed group link and shows every member; never changes state.
 * - `POST /groups/{id}/decision` verifies the link again, the CSRF token and the identity, then decides what
 *   the pressed button names — all the waiting members (the places the page showed), one member, or a retry
 *   of undelivered callbacks — each member once.
 * - Slack's group buttons (`slackGroupAction`, called by the Slack route after the signature and retry checks).
 * After a decision the group's message is redrawn from the members' records (their count is kept on the
 * group for the joiners' updates).
 */

import type { SlackResponder } from '../slack/client.ts';
import { escapeMrkdwn } from '../slack/mrkdwn.ts';
import { readDecisionForm } from './decision-form.ts';
import {
  claimGroupRound,
  decideGroupMember,
  type GroupDecidePorts,
  type GroupReport,
  groupMembers,
  reportCounts,
  resumeGroup,
  tallyOf,
} from './group-decide.ts';
import {
  GROUP_APPROVE_ACTION_ID,
  GROUP_RETRY_ACTION_ID,
  GROUP_SAMPLE_SIZE,
  type GroupView,
  groupMessage,
  parseGroupButtonValue,
  placesText,
} from './group-messages.ts';
import {
  GROUP_ACTION_FIELD,
  groupCsrfSubject,
  groupPath,
  parseGroupAction,
  renderGroupPage,
  renderGroupResult,
} from './group-page.ts';
import { groupLink } from './group-request.ts';
import type { ApprovalGroup } from './groups.ts';
import {
  type ApprovalRequestScope,
  decidePorts,
  formValue,
  htmlMessage,
  linkRefusal,
  notApprover,
  notFound,
  plain,
  queryValue,
  SLACK_NO_RETRY,
} from './http.ts';
import { verifyGroupLink } from './links.ts';
import { csrfCookie, newCsrfToken, PAGE_HEADERS } from './page.ts';
import type { ApprovalRecord, DecidedBy } from './records.ts';

function portsOf(scope: ApprovalRequestScope): GroupDecidePorts | undefined {
  const { deps } = scope;
  if (deps.groups === undefined) return undefined;
  return { ...decidePorts(scope), groups: deps.groups };
}

/** The group's view from its members' records: the count people see, and what the message shows. */
async function viewFrom(
  group: ApprovalGroup,
  members: ReadonlyArray<ApprovalRecord | undefined>,
  scope: ApprovalRequestScope,
  base: string,
): Promise<GroupView> {
  const tally = tallyOf(members, scope.now);
  const sample = members
    .slice(-GROUP_SAMPLE_SIZE)
    .reverse()
    .filter((record): record is ApprovalRecord => record !== undefined);
  return {
    group,
    sample,
    tally,
    link: groupLink(group, {
      linkBaseUrl: scope.deps.linkBaseUrl ?? base,
      linkSigningKey: scope.secrets.linkSigningKey,
    }),
  };
}

/**
 * Counts the members again, keeps the count on the group (the joiners' updates start from it), and redraws
 * the group's message: through the click's `response_url`, else `chat.update`.
 */
async function redraw(
  groupId: string,
  scope: ApprovalRequestScope,
  base: string,
  responseUrl?: string,
): Promise<void> {
  const groups = scope.deps.groups;
  if (groups === undefined) return;
  const group = await groups.get(groupId);
  if (group === undefined) return;
  const members = await groupMembers(group, scope.deps.store);
  const view = await viewFrom(group, members, scope, base);
  if (view.tally !== undefined) await groups.recordTally(groupId, view.tally);
  const slack: SlackResponder | undefined = scope.slack;
  if (slack === undefined) return;
  await slack.replace(
    {
      ...(responseUrl === undefined ? {} : { responseUrl }),
      ...(group.slackMessage === undefined ? {} : { ref: group.slackMessage }),
    },
    groupMessage(view),
  );
}

function origin(request: Request): string {
  return new URL(request.url).origin;
}

/** `GET /groups/{id}`: the page of a valid, unexpired group link; a read, never a decision. */
export async function groupPage(
  request: Request,
  groupId: string,
  scope: ApprovalRequestScope,
): Promise<Response> {
  const { now, deps } = scope;
  if (deps.groups === undefined) return notFound();
  const key = scope.secrets.linkSigningKey;
  const sig = queryValue(request, 'sig');
  const exp = queryValue(request, 'exp');
  const verified = verifyGroupLink({ groupId, sig, exp, key, now });
  if (!verified.ok) return linkRefusal(verified.reason);
  const group = await deps.groups.get(groupId);
  if (group === undefined)
    return htmlMessage(404, 'Not found', 'This approval group does not exist any more.');
  const members = await groupMembers(group, deps.store);
  const view = await viewFrom(group, members, scope, origin(request));
  const csrfToken = newCsrfToken(key, groupCsrfSubject(groupId));
  const headers = new Headers(PAGE_HEADERS);
  headers.set(
    'set-cookie',
    csrfCookie({
      token: csrfToken,
      approvalId: groupId,
      path: groupPath(groupId),
      maxAgeSeconds: (Date.parse(group.linkExpiresAt) - now.getTime()) / 1000,
      secure: deps.secureCookies ?? true,
    }),
  );
  const page = renderGroupPage({ view, members, now, sig: sig ?? '', exp: exp ?? '', csrfToken });
  return new Response(page, { headers });
}

/** Lines a report is told in: what was decided and told, and why each other member was left alone. */
export function reportLines(report: GroupReport, decision?: 'approve' | 'reject'): string[] {
  const counts = reportCounts(report);
  const verb = decision === undefined ? 'decided' : decision === 'approve' ? 'approved' : 'rejected';
  const lines: string[] = [];
  if (counts.decided > 0) lines.push(`${counts.decided} ${verb}`);
  if (counts.redelivered > 0) lines.push(`${counts.redelivered} sent to Step Functions again`);
  if (counts.sent > 0) lines.push(`${counts.sent} delivered to Step Functions`);
  if (counts.notDelivered > 0) {
    const errors = [
      ...new Set(
        report.members.flatMap((member) =>
          member.callback?.error === undefined ? [] : [member.callback.error],
        ),
      ),
    ];
    lines.push(`${counts.notDelivered} NOT delivered to Step Functions (${errors.join(', ')})`);
  }
  if (counts['already-decided'] > 0)
    lines.push(`${counts['already-decided']} already decided (one by one): left as they were`);
  if (counts.expired > 0) lines.push(`${counts.expired} expired: their timeout default applied`);
  if (counts.withdrawn > 0) lines.push(`${counts.withdrawn} withdrawn: asked again elsewhere`);
  if (counts['not-approver'] > 0) lines.push(`${counts['not-approver']} not yours to decide`);
  if (counts['not-found'] > 0) lines.push(`${counts['not-found']} not found`);
  if (lines.length === 0) lines.push('Nothing was left to do.');
  return lines;
}

function placeNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^(0|[1-9][0-9]{0,8})$/.test(value) ? Number(value) : undefined;
}

/** `POST /groups/{id}/decision`: the group page's form. */
export async function groupDecision(
  request: Request,
  groupId: string,
  scope: ApprovalRequestScope,
): Promise<Response> {
  const ports = portsOf(scope);
  if (ports === undefined) return notFound();
  const { now } = scope;
  const key = scope.secrets.linkSigningKey;
  const checked = await readDecisionForm(request, scope, {
    verifyLink: ({ sig, exp }) => verifyGroupLink({ groupId, sig, exp, key, now }),
    csrfSubject: groupCsrfSubject(groupId),
    link: 'group link',
    decision: (form) => parseGroupAction(formValue(form, GROUP_ACTION_FIELD)),
  });
  if (!checked.ok) return checked.response;
  const { form, decision: action, decidedBy, comment } = checked;
  const sig = formValue(form, 'sig');
  const exp = formValue(form, 'exp');
  const back = `${groupPath(groupId)}?${new URLSearchParams({ exp: exp ?? '', sig: sig ?? '' }).toString()}`;
  const base = origin(request);
  const redrawLater = () => scope.defer('updating the group message', () => redraw(groupId, scope, base));

  if (action.kind === 'retry') {
    const resumed = await resumeGroup({ groupId, decidedBy, now }, ports);
    if (resumed.code !== 'resumed') {
      return resumed.code === 'not-found'
        ? htmlMessage(404, 'Not found', 'This approval group does not exist any more.')
        : notApprover('group');
    }
    redrawLater();
    const failed = reportCounts(resumed.report).notDelivered > 0;
    return new Response(
      renderGroupResult({
        title: failed ? 'Retried, still not delivered' : 'Retried',
        lines: reportLines(resumed.report),
        ...(failed
          ? {
              warning: 'Some decisions could still not be delivered: retry again, or tell the security team.',
            }
          : {}),
        back,
      }),
      { status: failed ? 502 : 200, headers: PAGE_HEADERS },
    );
  }

  if (action.kind === 'member') {
    const { outcome } = await decideGroupMember(
      {
        groupId,
        seq: action.seq,
        decision: action.decision,
        decidedBy,
        ...(comment === undefined ? {} : { comment }),
        now,
      },
      ports,
    );
    const title = action.decision === 'approve' ? 'Approved' : 'Rejected';
    switch (outcome.code) {
      case 'decided': {
        redrawLater();
        const sent = outcome.callback?.status === 'sent';
        return new Response(
          renderGroupResult({
            title: sent ? `${title}: #${action.seq}` : `${title}, but not delivered: #${action.seq}`,
            lines: reportLines({ groupId, members: [outcome] }, action.decision),
            ...(sent
              ? {}
              : {
                  warning: `Your decision is recorded, but Step Functions could not be told (${outcome.callback?.error ?? 'unknown error'}).${outcome.callback?.retryable === true ? ' Retry delivery from the group page.' : ' The playbook will time out and apply its default; tell the security team.'}`,
                }),
            back,
          }),
          { status: sent ? 200 : 502, headers: PAGE_HEADERS },
        );
      }
      case 'not-approver':
        return notApprover('step');
      case 'already-decided':
      case 'withdrawn':
        return new Response(
          renderGroupResult({
            title: 'Already decided',
            lines: reportLines({ groupId, members: [outcome] }),
            back,
          }),
          { status: 409, headers: PAGE_HEADERS },
        );
      case 'expired':
        return htmlMessage(
          410,
          'Expired',
          `Member #${action.seq} has expired: its playbook applies its timeout default.`,
        );
      default:
        return htmlMessage(404, 'Not found', `This group has no member #${action.seq}.`);
    }
  }

  const from = placeNumber(formValue(form, 'from'));
  const through = placeNumber(formValue(form, 'through'));
  if (from === undefined || through === undefined) {
    return htmlMessage(400, 'Bad form', 'The form does not say which members it decides. Reload the page.');
  }
  const claim = await claimGroupRound(
    {
      groupId,
      from,
      through,
      decision: action.decision,
      decidedBy,
      ...(comment === undefined ? {} : { comment }),
      now,
    },
    ports,
  );
  switch (claim.code) {
    case 'not-found':
      return htmlMessage(404, 'Not found', 'This approval group does not exist any more.');
    case 'not-approver':
      return notApprover('group');
    case 'expired':
      return htmlMessage(410, 'Expired', 'This group has expired: each member applies its timeout default.');
    case 'conflict':
      return new Response(
        renderGroupResult({
          title: 'The group changed',
          lines: [
            `You decided ${placesText({ from, through })}, but since you loaded the page someone decided members of it (or it is not this group's).`,
            'Nothing was decided. Reload the page and decide again.',
          ],
          back,
        }),
        { status: 409, headers: PAGE_HEADERS },
      );
    case 'claimed': {
      const report = await claim.deliver();
      redrawLater();
      const failed = reportCounts(report).notDelivered > 0;
      const title = action.decision === 'approve' ? 'Approved' : 'Rejected';
      return new Response(
        renderGroupResult({
          title: `${failed ? `${title}, not all delivered` : title}: ${placesText(claim.round)}`,
          lines: reportLines(report, action.decision),
          ...(failed
            ? {
                warning:
                  'Some decisions are recorded but Step Functions was not told: use Retry delivery on the group page.',
              }
            : {}),
          back,
        }),
        { status: failed ? 502 : 200, headers: PAGE_HEADERS },
      );
    }
  }
}

/**
 * A click on a group message's button in Slack, its signature and retry checks passed: a group decision of
 * the places the button carries (claimed before the answer; delivered, told and redrawn after it), or a retry
 * of undelivered callbacks.
 */
export async function slackGroupAction(
  action: { readonly actionId: string; readonly value: string },
  decidedBy: DecidedBy,
  responseUrl: string | undefined,
  request: Request,
  scope: ApprovalRequestScope,
): Promise<Response> {
  const ports = portsOf(scope);
  const { slack } = scope;
  const tell = (text: string) => async () => {
    if (slack !== undefined && responseUrl !== undefined) await slack.tell(responseUrl, escapeMrkdwn(text));
  };
  const ack = plain(200, '', SLACK_NO_RETRY);
  if (ports === undefined) return plain(404, 'Approval groups are not configured.', SLACK_NO_RETRY);
  const range = parseGroupButtonValue(action.value);
  if (range === undefined) return plain(400, 'The button names no group.', SLACK_NO_RETRY);
  const base = origin(request);
  const { now } = scope;

  if (action.actionId === GROUP_RETRY_ACTION_ID) {
    scope.defer('retrying a group delivery', async () => {
      const resumed = await resumeGroup({ groupId: range.groupId, decidedBy, now }, ports);
      if (resumed.code === 'resumed') {
        await redraw(range.groupId, scope, base, responseUrl);
        await tell(`Retried: ${reportLines(resumed.report).join('; ')}.`)();
      } else {
        await tell(
          resumed.code === 'not-approver'
            ? 'You are not one of the configured approvers for this group: nothing was done.'
            : 'This approval group does not exist any more.',
        )();
      }
    });
    return ack;
  }

  const decision = action.actionId === GROUP_APPROVE_ACTION_ID ? 'approve' : 'reject';
  const claim = await claimGroupRound({ ...range, decision, decidedBy, now }, ports);
  switch (claim.code) {
    case 'claimed':
      scope.defer('delivering a group decision', async () => {
        const report = await claim.deliver();
        await redraw(range.groupId, scope, base, responseUrl).catch((error: unknown) => {
          scope.deps.logger?.warn('approval API: updating the group message failed', {
            error: error instanceof Error ? error.name : 'unknown',
          });
        });
        const counts = reportCounts(report);
        if (counts.decided !== report.members.length || counts.notDelivered > 0) {
          await tell(`${placesText(claim.round)}: ${reportLines(report, decision).join('; ')}.`)();
        }
      });
      break;
    case 'not-approver':
      scope.defer(
        'replying in Slack',
        tell('You are not one of the configured approvers for this group: nothing was decided.'),
      );
      break;
    case 'conflict':
      scope.defer(
        'replying in Slack',
        tell(
          `Nothing was decided: since this message was drawn, someone decided members of ${placesText(range)}. The message now shows who is still waiting; decide again.`,
        ),
      );
      scope.defer('updating the group message', () => redraw(range.groupId, scope, base, responseUrl));
      break;
    case 'expired':
      scope.defer(
        'replying in Slack',
        tell('This group has expired: nothing was decided. Each member applies its timeout default.'),
      );
      scope.defer('updating the group message', () => redraw(range.groupId, scope, base, responseUrl));
      break;
    case 'not-found':
      scope.defer(
        'replying in Slack',
        tell('This approval group does not exist any more: nothing was decided.'),
      );
      break;
  }
  return ack;
}

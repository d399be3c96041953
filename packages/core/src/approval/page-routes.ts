/**
 * The approval page's routes (DOMAIN.md items 26, 27, 29):
 * - `GET /approvals/{id}?exp=…&sig=…` verifies the signed link and shows the page; it never changes state.
 * - `POST /approvals/{id}/decision` verifies the link again, the signed double-submit CSRF token and the
 *   identity, then decides once (409 the second time).
 */

import { type DecisionOutcome, decideApproval } from './decide.ts';
import { readDecisionForm } from './decision-form.ts';
import {
  type ApprovalRequestScope,
  decidePorts,
  formValue,
  htmlMessage,
  LINK_REFUSALS,
  linkRefusal,
  notApprover,
  queryValue,
} from './http.ts';
import { verifyApprovalLink } from './links.ts';
import { csrfCookie, decisionSentence, newCsrfToken, PAGE_HEADERS, renderApprovalPage } from './page.ts';
import { decidedMessage } from './slack-messages.ts';

/** `GET /approvals/{id}`: the page of a valid, unexpired link; a read, never a decision. */
export async function approvalPage(
  request: Request,
  approvalId: string,
  scope: ApprovalRequestScope,
): Promise<Response> {
  const { now } = scope;
  const key = scope.secrets.linkSigningKey;
  const sig = queryValue(request, 'sig');
  const exp = queryValue(request, 'exp');
  const verified = verifyApprovalLink({ approvalId, sig, exp, key, now });
  if (!verified.ok) return linkRefusal(verified.reason);
  const record = await scope.deps.store.get(approvalId);
  if (record === undefined) return htmlMessage(404, 'Not found', 'This approval does not exist any more.');
  if (record.status === 'pending' && now.getTime() >= Date.parse(record.expiresAt)) {
    return linkRefusal('expired', record);
  }
  // Verified above: both are strings of the expected shape.
  const link = { sig: sig ?? '', exp: exp ?? '' };
  if (record.status !== 'pending') {
    return new Response(renderApprovalPage({ record, ...link, csrfToken: '', now }), {
      headers: PAGE_HEADERS,
    });
  }
  const csrfToken = newCsrfToken(key, approvalId);
  const headers = new Headers(PAGE_HEADERS);
  headers.set(
    'set-cookie',
    csrfCookie({
      token: csrfToken,
      approvalId,
      maxAgeSeconds: (Date.parse(record.expiresAt) - now.getTime()) / 1000,
      secure: scope.deps.secureCookies ?? true,
    }),
  );
  return new Response(renderApprovalPage({ record, ...link, csrfToken, now }), { headers });
}

/** `POST /approvals/{id}/decision`: the page's form. */
export async function webDecision(
  request: Request,
  approvalId: string,
  scope: ApprovalRequestScope,
): Promise<Response> {
  const { now } = scope;
  const key = scope.secrets.linkSigningKey;
  const checked = await readDecisionForm(request, scope, {
    verifyLink: ({ sig, exp }) => verifyApprovalLink({ approvalId, sig, exp, key, now }),
    csrfSubject: approvalId,
    link: 'approval link',
    decision: (form) => {
      const decision = formValue(form, 'decision');
      return decision === 'approve' || decision === 'reject' ? decision : undefined;
    },
  });
  if (!checked.ok) return checked.response;
  const { decision, decidedBy, comment } = checked;
  const outcome = await decideApproval(
    {
      approvalId,
      decision,
      decidedBy,
      ...(comment === undefined ? {} : { comment }),
      now,
    },
    decidePorts(scope),
  );
  return webOutcome(outcome, scope);
}

function webOutcome(outcome: DecisionOutcome, scope: ApprovalRequestScope): Response {
  switch (outcome.code) {
    case 'decided': {
      const { record } = outcome;
      const ref = record.slackMessage;
      const { slack } = scope;
      if (ref !== undefined && slack !== undefined) {
        scope.defer('updating the Slack message', () => slack.replace({ ref }, decidedMessage(record)));
      }
      const title = record.status === 'approved' ? 'Approved' : 'Rejected';
      return outcome.callback.status === 'sent'
        ? htmlMessage(200, title, decisionSentence(record), { record })
        : htmlMessage(502, `${title}, but not delivered`, decisionSentence(record), {
            record,
            warning: `Your decision is recorded, but Step Functions could not be told (${outcome.callback.error ?? 'unknown error'}). The playbook will time out and apply its default; tell the security team.`,
          });
    }
    case 'not-approver':
      return notApprover('step');
    case 'already-decided':
      return htmlMessage(409, 'Already decided', decisionSentence(outcome.record), {
        record: outcome.record,
      });
    case 'expired':
      return htmlMessage(410, LINK_REFUSALS.expired.title, LINK_REFUSALS.expired.message);
    case 'not-found':
      return htmlMessage(404, 'Not found', 'This approval does not exist any more.');
  }
}

/**
 * The checks a decision form goes through on the approval page and on the group page alike, in this order:
 * a form body, the signed link it carries (`sig`, `exp`), the signed double-submit CSRF token (DOMAIN.md items
 * 26, 27), a decision, at most one comment, and an identity the deployment vouches for. The first check that
 * fails answers with its page; nothing is decided.
 */
import {
  type ApprovalRequestScope,
  cookieValues,
  formBody,
  formValue,
  htmlMessage,
  linkRefusal,
} from './http.ts';
import type { LinkVerification } from './links.ts';
import { CSRF_COOKIE, CSRF_FIELD, verifyCsrfToken } from './page.ts';
import type { DecidedBy } from './records.ts';

/** What a checked form holds, or the answer that refuses it. */
export type DecisionForm<D> =
  | {
      readonly ok: true;
      readonly form: URLSearchParams;
      readonly decision: D;
      readonly comment?: string;
      readonly decidedBy: DecidedBy;
    }
  | { readonly ok: false; readonly response: Response };

/** What differs between the page's form and the group page's. */
export interface DecisionFormChecks<D> {
  /** Verifies the signed link the form carries. */
  verifyLink(link: { readonly sig: string | undefined; readonly exp: string | undefined }): LinkVerification;
  /** What the CSRF token is bound to (the approval id, or the group's subject). */
  readonly csrfSubject: string;
  /** The link to open again when the token is not valid (`approval link`, `group link`). */
  readonly link: string;
  /** The decision the form asks for; `undefined` when it names none. */
  decision(form: URLSearchParams): D | undefined;
}

/**
 * Reads and checks a decision form (see the module's comment for the order).
 *
 * @example
 * const checked = await readDecisionForm(request, scope, {
 *   verifyLink: ({ sig, exp }) => verifyApprovalLink({ approvalId, sig, exp, key, now }),
 *   csrfSubject: approvalId,
 *   link: 'approval link',
 *   decision: (form) => formValue(form, 'decision') === 'approve' ? 'approve' : undefined,
 * });
 * if (!checked.ok) return checked.response;
 */
export async function readDecisionForm<D>(
  request: Request,
  scope: ApprovalRequestScope,
  checks: DecisionFormChecks<D>,
): Promise<DecisionForm<D>> {
  const body = await formBody(request, scope.maxBodyBytes, (status, title, message) =>
    htmlMessage(status, title, message),
  );
  if (!body.ok) return body;
  const { form } = body;
  const verified = checks.verifyLink({ sig: formValue(form, 'sig'), exp: formValue(form, 'exp') });
  if (!verified.ok) return { ok: false, response: linkRefusal(verified.reason) };
  const key = scope.secrets.linkSigningKey;
  const csrfValid = cookieValues(request, CSRF_COOKIE).some((cookieToken) =>
    verifyCsrfToken({
      key,
      approvalId: checks.csrfSubject,
      formToken: formValue(form, CSRF_FIELD),
      cookieToken,
    }),
  );
  if (!csrfValid) {
    return {
      ok: false,
      response: htmlMessage(
        403,
        'Reload the page',
        `This form has no valid security token (CSRF). Open the ${checks.link} again and decide from that page.`,
      ),
    };
  }
  const decision = checks.decision(form);
  if (decision === undefined) {
    return { ok: false, response: htmlMessage(400, 'No decision', 'Choose Approve or Reject.') };
  }
  if (form.getAll('comment').length > 1) {
    return { ok: false, response: htmlMessage(400, 'Bad form', 'Send one comment.') };
  }
  const comment = formValue(form, 'comment');
  const identity = scope.identity();
  if (identity === undefined) {
    return {
      ok: false,
      response: htmlMessage(
        403,
        'Who are you?',
        'This deployment does not identify people on the approval page, so decisions can only be made in Slack.',
      ),
    };
  }
  const decidedBy: DecidedBy = {
    kind: 'web',
    id: identity.id,
    ...(identity.name === undefined ? {} : { name: identity.name }),
  };
  return { ok: true, form, decision, decidedBy, ...(comment === undefined ? {} : { comment }) };
}

/**
 * The approval API's plumbing that its routes share: the responses it answers with (a page, or plain text
 * for Slack), and strict readers of what a request carries — a repeated query parameter, form field or
 * header is refused rather than one of them picked.
 */
import type { SlackResponder } from '../slack/client.ts';
import type { ApprovalLogger, DecideApprovalPorts, IsApprover, TaskCallbacks } from './decide.ts';
import type { ApprovalGroupStore } from './groups.ts';
import { PAGE_HEADERS, renderMessagePage } from './page.ts';
import type { ApprovalRecord, ApprovalStore } from './records.ts';
import type { ApprovalSecrets } from './secrets.ts';

/** A person the deployment's authentication vouches for. */
export interface WebIdentity {
  readonly id: string;
  readonly name?: string;
}

/** What the approval API needs; the Lambda and the local server each build it once. */
export interface ApprovalApiDependencies {
  readonly store: ApprovalStore;
  /** Approval groups (groups.ts): their pages and buttons. Absent, `/groups/…` answers 404. */
  readonly groups?: ApprovalGroupStore;
  /**
   * Where the approval API answers, for the group link in a message it redraws (request-approval signs the
   * same link with the same base). Default: the origin of the request being answered.
   */
  readonly linkBaseUrl?: string;
  readonly callbacks: TaskCallbacks;
  /**
   * The secrets, read for each request (the Lambda's reader caches them for five minutes, so a rotated
   * secret takes effect within that). A failure answers 503 and decides nothing.
   */
  secrets(): Promise<ApprovalSecrets>;
  now(): Date;
  /**
   * Who is deciding on the page. Only the deployment knows what to trust (an authenticating proxy's header,
   * the Function URL's IAM caller, the local operator); `platform` is what the server passed along with the
   * request (the Lambda event). Absent or `undefined`: web decisions are refused (403) and go through Slack.
   */
  identify?(request: Request, platform: unknown): WebIdentity | undefined;
  /** Default: `configuredApprovers`, the approvers recorded on the approval. */
  readonly isApprover?: IsApprover;
  /** Default: the Slack client's `usergroups.users.list` (bot token), or no group membership without one. */
  isInUserGroup?(userId: string, groupId: string): Promise<boolean>;
  /** Default: a Slack client made from the secrets (bot token, else only interactions' `response_url`). */
  readonly slack?: SlackResponder;
  /** For the default Slack client (tests pass a fake). */
  readonly fetch?: typeof fetch;
  readonly logger?: ApprovalLogger;
  /** `Secure` on the CSRF cookie; `false` only for plain http://127.0.0.1. Default `true`. */
  readonly secureCookies?: boolean;
  readonly maxBodyBytes?: number;
}

/** What a route gets for one request: the dependencies, this request's secrets and time, background work. */
export interface ApprovalRequestScope {
  readonly deps: ApprovalApiDependencies;
  readonly secrets: ApprovalSecrets;
  readonly now: Date;
  readonly maxBodyBytes: number;
  readonly isApprover: IsApprover;
  readonly slack: SlackResponder | undefined;
  /** The identity the deployment vouches for, checked to be a plausible id; `undefined` when none. */
  identity(): WebIdentity | undefined;
  /**
   * Work to finish after the answer (Slack: the task callback, the message update). Never rejects: a
   * failure is logged by name. The Lambda waits for it before returning; the local server after answering.
   */
  defer(what: string, work: () => Promise<unknown>): void;
}

/** Requests larger than this are refused (413): Slack's block_actions payloads carry the whole message. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Headers Slack reads on our answers: a refusal must not be retried (https://docs.slack.dev/apis/events-api/#retries). */
export const SLACK_NO_RETRY: Readonly<Record<string, string>> = { 'x-slack-no-retry': '1' };

/**
 * An HTML page with one message (`renderMessagePage`), with the page’s security headers: no script but its own, no
 * framing, no referrer, no caching.
 */
export function htmlMessage(
  status: number,
  title: string,
  message: string,
  extra: { warning?: string; record?: ApprovalRecord; headers?: Record<string, string> } = {},
): Response {
  return new Response(
    renderMessagePage({
      title,
      message,
      ...(extra.warning === undefined ? {} : { warning: extra.warning }),
      ...(extra.record === undefined ? {} : { record: extra.record }),
    }),
    { status, headers: { ...PAGE_HEADERS, ...extra.headers } },
  );
}

/** What deciding needs, from the API's dependencies and this request's approver check. */
export function decidePorts(scope: ApprovalRequestScope): DecideApprovalPorts {
  const { deps } = scope;
  return {
    store: deps.store,
    callbacks: deps.callbacks,
    isApprover: scope.isApprover,
    now: deps.now,
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  };
}

/** 403 to someone who is not a configured approver of this step (an approval, a group member) or group. */
export function notApprover(of: 'step' | 'group'): Response {
  return htmlMessage(403, 'Not an approver', `You are not one of the configured approvers for this ${of}.`);
}

export function notFound(): Response {
  return htmlMessage(404, 'Not found', 'There is no such approval page.');
}

export function notAllowed(allow: string): Response {
  return htmlMessage(405, 'Method not allowed', `Use ${allow}.`, { headers: { allow } });
}

/** A plain-text answer (Slack reads only the status). */
export function plain(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** How each refusal of a signed link is answered: 400 damaged, 403 wrong signature, 410 expired. */
export const LINK_REFUSALS = {
  malformed: { status: 400, title: 'Bad link', message: 'This approval link is incomplete or damaged.' },
  'bad-signature': {
    status: 403,
    title: 'Invalid link',
    message: 'This approval link is not valid. Use the link from the original message.',
  },
  expired: {
    status: 410,
    title: 'Expired',
    message:
      'This approval has expired. The playbook escalates and applies its timeout default; nothing can be decided here any more.',
  },
} as const;

export function linkRefusal(reason: keyof typeof LINK_REFUSALS, record?: ApprovalRecord): Response {
  const refusal = LINK_REFUSALS[reason];
  return htmlMessage(refusal.status, refusal.title, refusal.message, record === undefined ? {} : { record });
}

/** The one value of a query parameter; absent or repeated (`?sig=a&sig=b`, ambiguous) is `undefined`. */
export function queryValue(request: Request, name: string): string | undefined {
  const values = new URL(request.url).searchParams.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/** The one value of a form field; absent or repeated is `undefined`. */
export function formValue(form: URLSearchParams, name: string): string | undefined {
  const values = form.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/**
 * A header's value. `Headers` joins repeated headers with `, `, which no value Cordon accepts may contain
 * (a signature, a timestamp, a cookie token): a repeated header therefore fails its own check.
 */
export function headerValue(request: Request, name: string): string | undefined {
  return request.headers.get(name) ?? undefined;
}

/** Every value of a cookie (several may be set for nested paths). */
export function cookieValues(request: Request, name: string): string[] {
  const cookie = request.headers.get('cookie');
  if (cookie === null) return [];
  return cookie
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
}

const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\s*(;.*)?$/i;

export type FormBody =
  | { readonly ok: true; readonly raw: string; readonly form: URLSearchParams }
  | { readonly ok: false; readonly response: Response };

/**
 * Reads a form body (the page's form, or Slack's `payload=`): anything else is refused with 415, a body over
 * `maxBytes` with 413 (the plumbing refuses a declared or streamed oversize body before; this holds whatever
 * the platform said). `refuse` chooses the page or plain text for the answer.
 */
export async function formBody(
  request: Request,
  maxBytes: number,
  refuse: (status: number, title: string, message: string) => Response,
): Promise<FormBody> {
  if (!FORM_CONTENT_TYPE.test(request.headers.get('content-type') ?? '')) {
    return {
      ok: false,
      response: refuse(415, 'Unsupported content type', 'Send application/x-www-form-urlencoded.'),
    };
  }
  const raw = await request.text();
  if (Buffer.byteLength(raw) > maxBytes) {
    return { ok: false, response: refuse(413, 'Too large', 'The request body is too large.') };
  }
  return { ok: true, raw, form: new URLSearchParams(raw) };
}

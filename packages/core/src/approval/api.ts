/**
 * The approval API, framework-free: one function from a plain request to a plain response, served by the
 * Lambda Function URL adapter in AWS and by a `node:http` server on 127.0.0.1 locally.
 *
 * Routes:
 * - `GET /approvals/{id}?sig=…&exp=…`: verifies the link, shows the page. Never changes state (item 26).
 * - `POST /approvals/{id}/decision`: verifies link, CSRF token and identity; decides once (items 27, 29).
 * - `POST /slack/interactions`: verifies Slack's signature, ignores retries, checks the approver, writes the
 *   decision, acknowledges, and leaves the task callback and the message update to `background` (item 28).
 *
 * Bad input is always a 4xx, never a 500 and never a decision: every branch that can see attacker-chosen
 * bytes validates them first, and an unexpected failure (DynamoDB unreachable) is a 503 that decided nothing.
 */
import { stagePath } from '../policy/settings.ts';
import * as z from '../zod.ts';
import {
  type ApprovalLogger,
  claimDecision,
  configuredApprovers,
  type DecisionOutcome,
  decideApproval,
  type IsApprover,
  type TaskCallbacks,
} from './decide.ts';
import { APPROVAL_ID_PATTERN, verifyApprovalLink } from './links.ts';
import {
  CSRF_COOKIE,
  CSRF_FIELD,
  csrfCookie,
  decisionSentence,
  newCsrfToken,
  PAGE_HEADERS,
  renderApprovalPage,
  renderMessagePage,
  verifyCsrfToken,
} from './page.ts';
import type { ApprovalRecord, ApprovalStore, SlackMessageRef } from './records.ts';
import {
  APPROVE_ACTION_ID,
  type ApprovalSlackMessage,
  decidedMessage,
  REJECT_ACTION_ID,
  verifySlackSignature,
} from './slack.ts';

/** Requests larger than this are refused (413): Slack's block_actions payloads carry the whole message. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/** The header an authenticating proxy sets to the user it authenticated (and strips from client requests). */
export const IDENTITY_HEADER = 'x-cordon-identity';

/** The approval flow's secrets, each an SSM SecureString under `/cordon/<stage>/secrets/`. */
export const APPROVAL_SECRETS = [
  'link-signing-key',
  'slack-signing-secret',
  'slack-bot-token',
  'slack-webhook-url',
] as const;
export type ApprovalSecretName = (typeof APPROVAL_SECRETS)[number];

/**
 * The SSM parameter names of the approval secrets for a stage (the adapters read them, infra grants
 * `ssm:GetParameter` and `kms:Decrypt` on them, docs/slack-setup.md tells people to create them).
 *
 * @example approvalSecretParameters('prod')['link-signing-key'] // '/cordon/prod/secrets/link-signing-key'
 */
export function approvalSecretParameters(stage: string): Readonly<Record<ApprovalSecretName, string>> {
  const base = `${stagePath(stage)}secrets/`;
  return {
    'link-signing-key': `${base}link-signing-key`,
    'slack-signing-secret': `${base}slack-signing-secret`,
    'slack-bot-token': `${base}slack-bot-token`,
    'slack-webhook-url': `${base}slack-webhook-url`,
  };
}

type HeaderValue = string | readonly string[] | undefined;

export interface ApprovalHttpRequest {
  readonly method: string;
  /** The path without the query string, as received (not decoded). */
  readonly path: string;
  readonly query: Readonly<Record<string, HeaderValue>>;
  /** Header names in any case. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
  /** The raw body, decoded from base64 when the platform encoded it. */
  readonly body: string;
}

export interface ApprovalHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /**
   * Work to finish after the response is sent (Slack: the task callback and the message update). Never
   * rejects. The local server awaits it after responding; the Lambda adapter awaits it before returning.
   */
  readonly background?: Promise<void>;
}

/** A person the deployment's authentication vouches for. */
export interface WebIdentity {
  readonly id: string;
  readonly name?: string;
}

/** Slack calls the API makes after a decision: replace the approval message, or tell the clicking user. */
export interface SlackResponder {
  /** Replaces the approval message: through the interaction's `response_url`, else `chat.update` on `ref`. */
  replace(
    target: { responseUrl?: string; ref?: SlackMessageRef },
    message: ApprovalSlackMessage,
  ): Promise<void>;
  /** An ephemeral reply to the user who clicked, through the interaction's `response_url`. */
  tell(responseUrl: string, text: string): Promise<void>;
}

export interface ApprovalHttpDependencies {
  readonly store: ApprovalStore;
  readonly callbacks: TaskCallbacks;
  readonly linkSigningKey: string;
  /** Absent: Slack is not set up, and `/slack/interactions` answers 404. */
  readonly slackSigningSecret?: string;
  now(): Date;
  /**
   * Who is deciding on the page. Only the deployment knows what to trust (an authenticating proxy's
   * header, the Function URL's IAM caller, the local operator). Absent or `undefined`: web decisions are
   * refused (403) and decisions go through Slack.
   */
  identify?(request: ApprovalHttpRequest): WebIdentity | undefined;
  /** Default: `configuredApprovers({ isInUserGroup })`, the approvers recorded on the approval. */
  readonly isApprover?: IsApprover;
  isInUserGroup?(userId: string, groupId: string): Promise<boolean>;
  readonly slack?: SlackResponder;
  readonly logger?: ApprovalLogger;
  /** `Secure` on the CSRF cookie; `false` only for plain http://127.0.0.1. Default `true`. */
  readonly secureCookies?: boolean;
  readonly maxBodyBytes?: number;
}

const PAGE_ROUTE = /^\/approvals\/([^/]+)$/;
const DECISION_ROUTE = /^\/approvals\/([^/]+)\/decision$/;
const SLACK_ROUTE = '/slack/interactions';
const FORM_CONTENT_TYPE = /^application\/x-www-form-urlencoded\s*(;.*)?$/i;
const IDENTITY_VALUE = /^\P{Cc}{1,256}$/u;
const SLACK_RESPONSE_HOST = /^(?:[a-z0-9-]+\.)*slack\.com$/;

/** Slack's `block_actions` payload, the parts Cordon reads. Other fields are ignored. */
const SlackInteractionSchema = z.object({
  type: z.string(),
  user: z.object({
    id: z.string().check(z.regex(/^[A-Z0-9]{2,32}$/)),
    username: z.optional(z.string().check(z.maxLength(256))),
    name: z.optional(z.string().check(z.maxLength(256))),
  }),
  actions: z.optional(
    z
      .array(
        z.object({
          action_id: z.string().check(z.maxLength(255)),
          value: z.optional(z.string().check(z.maxLength(2000))),
        }),
      )
      .check(z.maxLength(25)),
  ),
  response_url: z.optional(z.string().check(z.maxLength(2000))),
});

/**
 * Answers one request to the approval API.
 *
 * @example
 * const response = await handleApprovalHttp(
 *   { method: 'GET', path: '/approvals/q1w2…', query: { sig, exp }, headers: {}, body: '' },
 *   { store, callbacks, linkSigningKey, now: () => new Date() },
 * ); // { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', … }, body: '<!doctype html>…' }
 */
export async function handleApprovalHttp(
  request: ApprovalHttpRequest,
  deps: ApprovalHttpDependencies,
): Promise<ApprovalHttpResponse> {
  try {
    return await route(request, deps);
  } catch (error) {
    // Not bad input (that is answered above): a dependency failed. Nothing was decided, or the decision's
    // own path recorded what happened; the name only, since messages may quote request data.
    deps.logger?.error('approval API: unexpected failure', {
      error: error instanceof Error ? error.name : 'unknown',
    });
    return htmlMessage(
      503,
      'Try again',
      'The approval service could not answer just now. Nothing was decided.',
    );
  }
}

async function route(
  request: ApprovalHttpRequest,
  deps: ApprovalHttpDependencies,
): Promise<ApprovalHttpResponse> {
  const method = typeof request.method === 'string' ? request.method.toUpperCase() : '';
  const path = typeof request.path === 'string' ? request.path : '';
  if (path === SLACK_ROUTE) {
    return method === 'POST' ? slackInteraction(request, deps) : notAllowed('POST');
  }
  const decisionMatch = DECISION_ROUTE.exec(path);
  if (decisionMatch !== null) {
    if (method !== 'POST') return notAllowed('POST');
    const approvalId = decisionMatch[1] ?? '';
    return APPROVAL_ID_PATTERN.test(approvalId) ? webDecision(request, approvalId, deps) : notFound();
  }
  const pageMatch = PAGE_ROUTE.exec(path);
  if (pageMatch !== null) {
    if (method !== 'GET' && method !== 'HEAD') return notAllowed('GET, HEAD');
    const approvalId = pageMatch[1] ?? '';
    if (!APPROVAL_ID_PATTERN.test(approvalId)) return notFound();
    const response = await approvalPage(request, approvalId, deps);
    return method === 'HEAD' ? { ...response, body: '' } : response;
  }
  return notFound();
}

// ---- responses -----------------------------------------------------------------------------------------

function htmlMessage(
  status: number,
  title: string,
  message: string,
  extra: { warning?: string; record?: ApprovalRecord; headers?: Record<string, string> } = {},
): ApprovalHttpResponse {
  return {
    status,
    headers: { ...PAGE_HEADERS, ...extra.headers },
    body: renderMessagePage({
      title,
      message,
      ...(extra.warning === undefined ? {} : { warning: extra.warning }),
      ...(extra.record === undefined ? {} : { record: extra.record }),
    }),
  };
}

function notFound(): ApprovalHttpResponse {
  return htmlMessage(404, 'Not found', 'There is no such approval page.');
}

function notAllowed(allow: string): ApprovalHttpResponse {
  return htmlMessage(405, 'Method not allowed', `Use ${allow}.`, { headers: { allow } });
}

function plain(status: number, body: string, headers: Record<string, string> = {}): ApprovalHttpResponse {
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body,
  };
}

const LINK_REFUSALS = {
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

// ---- request parsing -----------------------------------------------------------------------------------

function single(value: HeaderValue): string | undefined {
  if (typeof value === 'string') return value;
  // Repeated parameters are ambiguous: `?sig=a&sig=b` is refused rather than one of them picked.
  return undefined;
}

function header(request: ApprovalHttpRequest, name: string): string | undefined {
  const headers = request.headers ?? {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) {
      if (typeof value === 'string') return value;
      if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
      return undefined;
    }
  }
  return undefined;
}

function cookieValues(request: ApprovalHttpRequest, name: string): string[] {
  const cookie = header(request, 'cookie');
  if (cookie === undefined) return [];
  return cookie
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${name}=`))
    .map((part) => part.slice(name.length + 1));
}

type BodyCheck = { ok: true; form: URLSearchParams } | { ok: false; response: ApprovalHttpResponse };

function formBody(request: ApprovalHttpRequest, deps: ApprovalHttpDependencies, html: boolean): BodyCheck {
  const body = typeof request.body === 'string' ? request.body : '';
  const refuse = (status: number, title: string, message: string): BodyCheck => ({
    ok: false,
    response: html
      ? htmlMessage(status, title, message)
      : plain(status, message, { 'x-slack-no-retry': '1' }),
  });
  if (Buffer.byteLength(body) > (deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)) {
    return refuse(413, 'Too large', 'The request body is too large.');
  }
  if (!FORM_CONTENT_TYPE.test(header(request, 'content-type') ?? '')) {
    return refuse(415, 'Unsupported content type', 'Send application/x-www-form-urlencoded.');
  }
  return { ok: true, form: new URLSearchParams(body) };
}

function field(form: URLSearchParams, name: string): string | undefined {
  const values = form.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

function safely(deps: ApprovalHttpDependencies, what: string, work: () => Promise<unknown>): Promise<void> {
  return work().then(
    () => undefined,
    (error: unknown) => {
      deps.logger?.warn(`approval API: ${what} failed`, {
        error: error instanceof Error ? error.name : 'unknown',
      });
    },
  );
}

function isApproverOf(deps: ApprovalHttpDependencies): IsApprover {
  return (
    deps.isApprover ??
    configuredApprovers({
      ...(deps.isInUserGroup === undefined ? {} : { isInUserGroup: deps.isInUserGroup }),
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    })
  );
}

// ---- GET /approvals/{id} -------------------------------------------------------------------------------

async function approvalPage(
  request: ApprovalHttpRequest,
  approvalId: string,
  deps: ApprovalHttpDependencies,
): Promise<ApprovalHttpResponse> {
  const query = request.query ?? {};
  const sig = single(query.sig);
  const exp = single(query.exp);
  const now = deps.now();
  const verified = verifyApprovalLink({ approvalId, sig, exp, key: deps.linkSigningKey, now });
  if (!verified.ok) {
    const refusal = LINK_REFUSALS[verified.reason];
    return htmlMessage(refusal.status, refusal.title, refusal.message);
  }
  const record = await deps.store.get(approvalId);
  if (record === undefined) return htmlMessage(404, 'Not found', 'This approval does not exist any more.');
  if (record.status === 'pending' && now.getTime() >= Date.parse(record.expiresAt)) {
    const refusal = LINK_REFUSALS.expired;
    return htmlMessage(refusal.status, refusal.title, refusal.message, { record });
  }
  // Verified above: both are strings of the expected shape.
  const link = { sig: sig ?? '', exp: exp ?? '' };
  if (record.status !== 'pending') {
    return {
      status: 200,
      headers: { ...PAGE_HEADERS },
      body: renderApprovalPage({ record, ...link, csrfToken: '' }),
    };
  }
  const csrfToken = newCsrfToken(deps.linkSigningKey, approvalId);
  return {
    status: 200,
    headers: {
      ...PAGE_HEADERS,
      'set-cookie': csrfCookie({
        token: csrfToken,
        approvalId,
        maxAgeSeconds: (Date.parse(record.expiresAt) - now.getTime()) / 1000,
        secure: deps.secureCookies ?? true,
      }),
    },
    body: renderApprovalPage({ record, ...link, csrfToken }),
  };
}

// ---- POST /approvals/{id}/decision ---------------------------------------------------------------------

function identityOf(request: ApprovalHttpRequest, deps: ApprovalHttpDependencies): WebIdentity | undefined {
  const identity = deps.identify?.(request);
  if (identity === undefined) return undefined;
  const id = identity.id.trim();
  return IDENTITY_VALUE.test(id) ? { ...identity, id } : undefined;
}

async function webDecision(
  request: ApprovalHttpRequest,
  approvalId: string,
  deps: ApprovalHttpDependencies,
): Promise<ApprovalHttpResponse> {
  const body = formBody(request, deps, true);
  if (!body.ok) return body.response;
  const { form } = body;
  const now = deps.now();
  const verified = verifyApprovalLink({
    approvalId,
    sig: field(form, 'sig'),
    exp: field(form, 'exp'),
    key: deps.linkSigningKey,
    now,
  });
  if (!verified.ok) {
    const refusal = LINK_REFUSALS[verified.reason];
    return htmlMessage(refusal.status, refusal.title, refusal.message);
  }
  const csrfValid = cookieValues(request, CSRF_COOKIE).some((cookieToken) =>
    verifyCsrfToken({
      key: deps.linkSigningKey,
      approvalId,
      formToken: field(form, CSRF_FIELD),
      cookieToken,
    }),
  );
  if (!csrfValid) {
    return htmlMessage(
      403,
      'Reload the page',
      'This form has no valid security token (CSRF). Open the approval link again and decide from that page.',
    );
  }
  const decision = field(form, 'decision');
  if (decision !== 'approve' && decision !== 'reject') {
    return htmlMessage(400, 'No decision', 'Choose Approve or Reject.');
  }
  const comment = field(form, 'comment');
  if (form.getAll('comment').length > 1) return htmlMessage(400, 'Bad form', 'Send one comment.');
  const identity = identityOf(request, deps);
  if (identity === undefined) {
    return htmlMessage(
      403,
      'Who are you?',
      'This deployment does not identify people on the approval page, so decisions can only be made in Slack.',
    );
  }
  const outcome = await decideApproval(
    {
      approvalId,
      decision,
      decidedBy: {
        kind: 'web',
        id: identity.id,
        ...(identity.name === undefined ? {} : { name: identity.name }),
      },
      ...(comment === undefined ? {} : { comment }),
      now,
    },
    {
      store: deps.store,
      callbacks: deps.callbacks,
      isApprover: isApproverOf(deps),
      now: deps.now,
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    },
  );
  return webOutcome(outcome, deps);
}

function webOutcome(outcome: DecisionOutcome, deps: ApprovalHttpDependencies): ApprovalHttpResponse {
  switch (outcome.code) {
    case 'decided': {
      const { record } = outcome;
      const ref = record.slackMessage;
      const background =
        ref !== undefined && deps.slack !== undefined
          ? safely(deps, 'updating the Slack message', async () =>
              deps.slack?.replace({ ref }, decidedMessage(record)),
            )
          : undefined;
      const title = record.status === 'approved' ? 'Approved' : 'Rejected';
      const response =
        outcome.callback.status === 'sent'
          ? htmlMessage(200, title, decisionSentence(record), { record })
          : htmlMessage(502, `${title}, but not delivered`, decisionSentence(record), {
              record,
              warning: `Your decision is recorded, but Step Functions could not be told (${outcome.callback.error ?? 'unknown error'}). The playbook will time out and apply its default; tell the security team.`,
            });
      return background === undefined ? response : { ...response, background };
    }
    case 'not-approver':
      return htmlMessage(
        403,
        'Not an approver',
        'You are not one of the configured approvers for this step.',
      );
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

// ---- POST /slack/interactions --------------------------------------------------------------------------

function slackResponseUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    // Only Slack's own hosts: a response URL is where the API POSTs, and must not become a way to reach others.
    return url.protocol === 'https:' && SLACK_RESPONSE_HOST.test(url.hostname) ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

const SLACK_ACK: ApprovalHttpResponse = plain(200, '', { 'x-slack-no-retry': '1' });

async function slackInteraction(
  request: ApprovalHttpRequest,
  deps: ApprovalHttpDependencies,
): Promise<ApprovalHttpResponse> {
  const signingSecret = deps.slackSigningSecret;
  if (signingSecret === undefined || signingSecret === '') return plain(404, 'Slack is not configured.');
  const body = formBody(request, deps, false);
  if (!body.ok) return body.response;
  const now = deps.now();
  const verified = verifySlackSignature({
    signingSecret,
    timestamp: header(request, 'x-slack-request-timestamp'),
    signature: header(request, 'x-slack-signature'),
    body: request.body,
    now,
  });
  if (!verified.ok) {
    deps.logger?.warn('approval API: refused a Slack request', { reason: verified.reason });
    return plain(401, `Refused: ${verified.reason}.`, { 'x-slack-no-retry': '1' });
  }
  // Slack retries only when it did not get our ack in time; the first delivery is being (or was) processed.
  if (header(request, 'x-slack-retry-num') !== undefined) {
    deps.logger?.info('approval API: ignored a Slack retry', {
      retry: header(request, 'x-slack-retry-num')?.slice(0, 8),
      reason: header(request, 'x-slack-retry-reason')?.slice(0, 64),
    });
    return SLACK_ACK;
  }
  const payloadText = field(body.form, 'payload');
  if (payloadText === undefined) return plain(400, 'Missing payload.');
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch {
    return plain(400, 'The payload is not JSON.');
  }
  const parsed = SlackInteractionSchema.safeParse(json);
  if (!parsed.success) return plain(400, 'Not a Slack interaction Cordon understands.');
  const interaction = parsed.data;
  const action = interaction.actions?.find(
    (candidate) => candidate.action_id === APPROVE_ACTION_ID || candidate.action_id === REJECT_ACTION_ID,
  );
  // Other interactions (another app's buttons, shortcuts) are acknowledged and left alone.
  if (interaction.type !== 'block_actions' || action === undefined) return SLACK_ACK;
  const approvalId = action.value ?? '';
  if (!APPROVAL_ID_PATTERN.test(approvalId)) return plain(400, 'The button names no approval.');

  const responseUrl = slackResponseUrl(interaction.response_url);
  const name = interaction.user.username ?? interaction.user.name;
  const claim = await claimDecision(
    {
      approvalId,
      decision: action.action_id === APPROVE_ACTION_ID ? 'approve' : 'reject',
      decidedBy: { kind: 'slack', id: interaction.user.id, ...(name === undefined ? {} : { name }) },
      now,
    },
    {
      store: deps.store,
      callbacks: deps.callbacks,
      isApprover: isApproverOf(deps),
      now: deps.now,
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    },
  );
  const slack = deps.slack;
  const tell = (text: string) =>
    slack !== undefined && responseUrl !== undefined
      ? safely(deps, 'replying in Slack', () => slack.tell(responseUrl, text))
      : Promise.resolve();
  const replace = (record: ApprovalRecord) =>
    slack !== undefined
      ? safely(deps, 'updating the Slack message', () =>
          slack.replace(
            {
              ...(responseUrl === undefined ? {} : { responseUrl }),
              ...(record.slackMessage === undefined ? {} : { ref: record.slackMessage }),
            },
            decidedMessage(record),
          ),
        )
      : Promise.resolve();

  let background: Promise<void>;
  switch (claim.code) {
    case 'decided':
      background = safely(deps, 'delivering the decision', async () => {
        const delivered = await claim.deliver();
        await replace(delivered.record);
      });
      break;
    case 'not-approver':
      background = tell('You are not one of the configured approvers for this step: nothing was decided.');
      break;
    case 'already-decided':
      background = Promise.all([
        tell(`Already decided — ${decisionSentence(claim.record)}`),
        replace(claim.record),
      ]).then(() => undefined);
      break;
    case 'expired':
      background = Promise.all([
        tell('This approval has expired: nothing was decided. The playbook applies its timeout default.'),
        replace(claim.record),
      ]).then(() => undefined);
      break;
    case 'not-found':
      background = tell('This approval does not exist any more: nothing was decided.');
      break;
  }
  return { ...SLACK_ACK, background };
}

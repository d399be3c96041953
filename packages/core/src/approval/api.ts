/**
 * The approval API: one Hono app (https://hono.dev), served by the Lambda behind a Function URL
 * (`hono/aws-lambda`) and by `@hono/node-server` on 127.0.0.1 locally — the same routes, checks and answers
 * in both. This file is the plumbing; the routes are `page-routes.ts` and `slack-routes.ts`.
 *
 * Routes:
 * - `GET /approvals/{id}?sig=…&exp=…`: verifies the link, shows the page. Never changes state (item 26).
 * - `POST /approvals/{id}/decision`: verifies link, CSRF token and identity; decides once (items 27, 29).
 * - `POST /slack/interactions`: verifies Slack's signature, ignores retries, checks the approver, writes the
 *   decision, acknowledges, and leaves the task callback and the message update to background work (item 28).
 * - `GET /groups/{id}?sig=…&exp=…` and `POST /groups/{id}/decision`: an approval group's page and its
 *   decisions, as a whole or one by one (group-routes.ts), under the same rules.
 *
 * Bad input is always a 4xx, never a 500 and never a decision: every route that can see attacker-chosen bytes
 * validates them first; a body over the limit is 413 before it is read; an unexpected failure (DynamoDB or
 * SSM unreachable) is a 503 that decided nothing.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { rootCauseName } from '../errors.ts';
import { type SlackClient, type SlackResponder, slackClient } from '../slack/client.ts';
import { configuredApprovers, type IsApprover } from './decide.ts';
import { groupDecision, groupPage } from './group-routes.ts';
import {
  type ApprovalApiDependencies,
  type ApprovalRequestScope,
  DEFAULT_MAX_BODY_BYTES,
  htmlMessage,
  notAllowed,
  notFound,
  plain,
  SLACK_NO_RETRY,
  type WebIdentity,
} from './http.ts';
import { APPROVAL_ID_PATTERN, GROUP_ID_PATTERN } from './links.ts';
import { approvalPage, webDecision } from './page-routes.ts';
import type { ApprovalSecrets } from './secrets.ts';
import { slackInteraction } from './slack-routes.ts';

/** The header an authenticating proxy sets to the user it authenticated (and strips from client requests). */
export const IDENTITY_HEADER = 'x-cordon-identity';

/** Slack calls stay well inside Slack's three seconds for the interaction they follow. */
const SLACK_TIMEOUT_MS = 2_000;
const IDENTITY_VALUE = /^\P{Cc}{1,256}$/u;
const PAGE_ROUTE = '/approvals/:id';
const DECISION_ROUTE = '/approvals/:id/decision';
const SLACK_ROUTE = '/slack/interactions';
const GROUP_ROUTE = '/groups/:id';
const GROUP_DECISION_ROUTE = '/groups/:id/decision';

/** Hono's context for this app: the route that answered, for the log line. */
type ApprovalApiEnv = { Variables: { route: string } };

export interface ApprovalApi {
  /**
   * The web-standard entry: a request in, a response out. `platform` is what the server knows beyond the
   * request (the Lambda event); it reaches `identify` only.
   */
  fetch(request: Request, platform?: unknown): Promise<Response>;
  /** The Hono app, for the servers' adapters (`hono/aws-lambda`, `@hono/node-server`). */
  readonly app: Hono<ApprovalApiEnv>;
  /** Resolves once the background work started so far (task callbacks, Slack updates) has finished. */
  settled(): Promise<void>;
}

/**
 * Makes the approval API.
 *
 * @example
 * const api = createApprovalApi({ store, callbacks, secrets: async () => ({ linkSigningKey }), now: () => new Date() });
 * const response = await api.fetch(new Request(link)); // 200, the page; nothing decided
 * await api.settled();
 */
export function createApprovalApi(deps: ApprovalApiDependencies): ApprovalApi {
  const logger = deps.logger;
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const pending = new Set<Promise<void>>();
  let slackCache: { key: string; client: SlackClient } | undefined;

  const defer = (what: string, work: () => Promise<unknown>): void => {
    const tracked: Promise<void> = Promise.resolve()
      .then(work)
      .then(
        () => undefined,
        (error: unknown) => {
          // The name only: messages may quote a URL or a token.
          logger?.warn(`approval API: ${what} failed`, {
            error: error instanceof Error ? error.name : 'unknown',
          });
        },
      )
      .finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  /** The Slack client of these secrets (remade when a rotated token arrives). */
  const slackFor = (secrets: ApprovalSecrets): SlackClient => {
    const key = `${secrets.slackBotToken ?? ''}\n${secrets.slackWebhookUrl ?? ''}`;
    if (slackCache?.key !== key) {
      slackCache = {
        key,
        client: slackClient({
          timeoutMs: SLACK_TIMEOUT_MS,
          ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
          ...(secrets.slackBotToken === undefined ? {} : { botToken: secrets.slackBotToken }),
          ...(secrets.slackWebhookUrl === undefined ? {} : { webhookUrl: secrets.slackWebhookUrl }),
        }),
      };
    }
    return slackCache.client;
  };

  const identityOf = (request: Request, platform: unknown): WebIdentity | undefined => {
    const identity = deps.identify?.(request, platform);
    if (identity === undefined) return undefined;
    const id = identity.id.trim();
    return IDENTITY_VALUE.test(id) ? { ...identity, id } : undefined;
  };

  /** This request's scope: its secrets (a failure is a 503 that decided nothing), time, Slack, approvers. */
  const scopeOf = async (c: Context<ApprovalApiEnv>): Promise<ApprovalRequestScope | Response> => {
    let secrets: ApprovalSecrets;
    try {
      secrets = await deps.secrets();
    } catch (error) {
      logger?.error('approval API: secrets unavailable', { error: rootCauseName(error) });
      return htmlMessage(
        503,
        'Try again',
        'The approval service could not answer just now. Nothing was decided.',
      );
    }
    const slack: SlackResponder | undefined = deps.slack ?? slackFor(secrets);
    const isInUserGroup =
      deps.isInUserGroup ??
      ((userId: string, groupId: string) => slackFor(secrets).isInUserGroup(userId, groupId));
    const isApprover: IsApprover =
      deps.isApprover ?? configuredApprovers({ isInUserGroup, ...(logger === undefined ? {} : { logger }) });
    const request = c.req.raw;
    const platform: unknown = c.env;
    return {
      deps,
      secrets,
      now: deps.now(),
      maxBodyBytes,
      isApprover,
      slack,
      identity: () => identityOf(request, platform),
      defer,
    };
  };

  type Route = (
    request: Request,
    scope: ApprovalRequestScope,
    c: Context<ApprovalApiEnv>,
  ) => Promise<Response>;
  const route =
    (handler: Route) =>
    async (c: Context<ApprovalApiEnv>): Promise<Response> => {
      const scope = await scopeOf(c);
      return scope instanceof Response ? scope : handler(c.req.raw, scope, c);
    };
  /** Names the route for the log line (the pattern, never the approval id). */
  const named = (name: string) => async (c: Context<ApprovalApiEnv>, next: () => Promise<void>) => {
    c.set('route', name);
    await next();
  };
  /** A body over the limit is refused before it is read: by its declared length, or while it streams in. */
  const limit = (html: boolean) =>
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: () =>
        html
          ? htmlMessage(413, 'Too large', 'The request body is too large.')
          : plain(413, 'The request body is too large.', SLACK_NO_RETRY),
    });
  const withId =
    (handler: (request: Request, id: string, scope: ApprovalRequestScope) => Promise<Response>): Route =>
    async (request, scope, c) => {
      const id = c.req.param('id') ?? '';
      return APPROVAL_ID_PATTERN.test(id) ? handler(request, id, scope) : notFound();
    };

  const withGroupId =
    (handler: (request: Request, id: string, scope: ApprovalRequestScope) => Promise<Response>): Route =>
    async (request, scope, c) => {
      const id = c.req.param('id') ?? '';
      return GROUP_ID_PATTERN.test(id) ? handler(request, id, scope) : notFound();
    };

  const app = new Hono<ApprovalApiEnv>();
  app.use(async (c, next) => {
    await next();
    logger?.info('approval API: answered', {
      method: c.req.method,
      route: c.get('route') ?? 'other',
      status: c.res.status,
    });
  });
  // Registration order matters: the method's route answers first, the catch-all after it says 405.
  app.post(SLACK_ROUTE, named(SLACK_ROUTE), limit(false), route(slackInteraction));
  app.all(SLACK_ROUTE, named(SLACK_ROUTE), () => notAllowed('POST'));
  app.post(DECISION_ROUTE, named(DECISION_ROUTE), limit(true), route(withId(webDecision)));
  app.all(DECISION_ROUTE, named(DECISION_ROUTE), () => notAllowed('POST'));
  // Hono answers HEAD with the GET route, without the body.
  app.get(PAGE_ROUTE, named(PAGE_ROUTE), route(withId(approvalPage)));
  app.all(PAGE_ROUTE, named(PAGE_ROUTE), () => notAllowed('GET, HEAD'));
  app.post(GROUP_DECISION_ROUTE, named(GROUP_DECISION_ROUTE), limit(true), route(withGroupId(groupDecision)));
  app.all(GROUP_DECISION_ROUTE, named(GROUP_DECISION_ROUTE), () => notAllowed('POST'));
  app.get(GROUP_ROUTE, named(GROUP_ROUTE), route(withGroupId(groupPage)));
  app.all(GROUP_ROUTE, named(GROUP_ROUTE), () => notAllowed('GET, HEAD'));
  app.notFound(() => notFound());
  app.onError((error) => {
    // Not bad input (that is answered by the routes): a dependency failed. Nothing was decided, or the
    // decision's own path recorded what happened; the name only, since messages may quote request data.
    logger?.error('approval API: unexpected failure', { error: rootCauseName(error) });
    return htmlMessage(
      503,
      'Try again',
      'The approval service could not answer just now. Nothing was decided.',
    );
  });

  return {
    app,
    fetch: async (request, platform) => app.fetch(request, platform),
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

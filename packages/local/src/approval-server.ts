/**
 * The approval API on 127.0.0.1, for `cordon replay` and `cordon demo`: core's Hono app
 * (`createApprovalApi`) — the app the Lambda serves — on `@hono/node-server`. The local engine passes
 * callbacks that settle its task tokens, and prints the link `requestApproval` returns.
 *
 * It listens on the loopback interface only, over plain http (so the CSRF cookie is not `Secure`). The
 * person deciding on the page is the local operator (the OS user, unless told otherwise): whoever can reach
 * 127.0.0.1 is already on this machine.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { createApprovalApi } from '@cordon/core/approval/api';
import {
  type ApprovalLogger,
  configuredApprovers,
  type IsApprover,
  type TaskCallbacks,
} from '@cordon/core/approval/decide';
import type { ApprovalGroupStore } from '@cordon/core/approval/groups';
import type { WebIdentity } from '@cordon/core/approval/http';
import type { ApprovalStore } from '@cordon/core/approval/records';
import type { SlackResponder } from '@cordon/core/slack/client';
import { createAdaptorServer } from '@hono/node-server';

export interface ApprovalServerOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  readonly store: ApprovalStore;
  /** Approval groups, for their pages (`/groups/…`); absent, those answer 404. */
  readonly groups?: ApprovalGroupStore;
  /** Settle the local engine's task tokens (resolve = SendTaskSuccess, reject = SendTaskFailure). */
  readonly callbacks: TaskCallbacks;
  readonly linkSigningKey: string;
  /** Set to accept simulated Slack clicks on `/slack/interactions`. */
  readonly slackSigningSecret?: string;
  readonly now?: () => Date;
  /** Who decides on the page; default: the OS user. */
  readonly operator?: WebIdentity;
  /**
   * `true` (default): the local operator may decide whatever the configured approvers say (a local run has
   * no identity provider). `false`: the approvers recorded on the approval apply, as in AWS.
   */
  readonly trustLocalOperator?: boolean;
  /** Replaces the approver rule entirely (tests). */
  readonly isApprover?: IsApprover;
  readonly isInUserGroup?: (userId: string, groupId: string) => Promise<boolean>;
  readonly slack?: SlackResponder;
  readonly logger?: ApprovalLogger;
  readonly maxBodyBytes?: number;
}

export interface RunningApprovalServer {
  /** `http://127.0.0.1:<port>`: the base URL for `requestApproval`'s links. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open connections; waits for background work (callbacks) to finish. */
  close(): Promise<void>;
}

export interface ApprovalServer {
  start(): Promise<RunningApprovalServer>;
}

const LOOPBACK = '127.0.0.1';

function localOperator(): WebIdentity {
  try {
    const { username } = userInfo();
    return { id: username, name: username };
  } catch {
    return { id: 'local-operator' };
  }
}

/** The local run posts nothing to Slack: its replies and message updates go nowhere. */
const NO_SLACK: SlackResponder = {
  replace: async () => undefined,
  tell: async () => undefined,
};

/**
 * The local approval server.
 *
 * @example
 * const server = await createApprovalServer({ store, callbacks, linkSigningKey }).start();
 * const { link } = await requestApproval(payload, { ...ports, linkBaseUrl: server.url });
 * console.log(`Approve or reject: ${link}`);
 * await server.close();
 */
export function createApprovalServer(options: ApprovalServerOptions): ApprovalServer {
  const operator = options.operator ?? localOperator();
  const configured = configuredApprovers({
    ...(options.isInUserGroup === undefined ? {} : { isInUserGroup: options.isInUserGroup }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const trustOperator = options.trustLocalOperator ?? true;
  const isApprover: IsApprover =
    options.isApprover ??
    ((decidedBy, record) =>
      trustOperator && decidedBy.kind === 'web' && decidedBy.id === operator.id
        ? true
        : configured(decidedBy, record));
  const api = createApprovalApi({
    store: options.store,
    ...(options.groups === undefined ? {} : { groups: options.groups }),
    callbacks: options.callbacks,
    secrets: async () => ({
      linkSigningKey: options.linkSigningKey,
      ...(options.slackSigningSecret === undefined ? {} : { slackSigningSecret: options.slackSigningSecret }),
    }),
    now: options.now ?? (() => new Date()),
    identify: () => operator,
    isApprover,
    isInUserGroup: options.isInUserGroup ?? (async () => false),
    slack: options.slack ?? NO_SLACK,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    // Plain http on the loopback address: a `Secure` cookie would never come back.
    secureCookies: false,
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
  });
  // The Node adapter answers each request as soon as the app has; background work (callbacks) goes on.
  // Node's own Request and Response stay in place: the rest of the process (the CLI, tests) uses them.
  const server = createAdaptorServer({
    fetch: (request, env) => api.fetch(request, env),
    hostname: LOOPBACK,
    overrideGlobalObjects: false,
  }) as Server; // the default `createServer` is node:http's

  return {
    start: () =>
      new Promise<RunningApprovalServer>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, LOOPBACK, () => {
          server.off('error', reject);
          // listen() on a TCP port always yields an AddressInfo, never a pipe name.
          const { port } = server.address() as AddressInfo;
          resolve({
            url: `http://${LOOPBACK}:${port}`,
            port,
            close: async () => {
              await new Promise<void>((done) => {
                server.close(() => done());
                server.closeAllConnections();
              });
              await api.settled();
            },
          });
        });
      }),
  };
}

/** Creates and starts the local approval server in one call. */
export function startApprovalServer(options: ApprovalServerOptions): Promise<RunningApprovalServer> {
  return createApprovalServer(options).start();
}

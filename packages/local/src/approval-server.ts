/**
 * The approval API on 127.0.0.1, for `cordon replay` and `cordon demo`: a `node:http` server around core's
 * `handleApprovalHttp`, the same router the Lambda serves. The local engine passes callbacks that settle its
 * task tokens, and prints the link `requestApproval` returns.
 *
 * It listens on the loopback interface only, over plain http (so the CSRF cookie is not `Secure`). The
 * person deciding on the page is the local operator (the OS user, unless told otherwise): whoever can reach
 * 127.0.0.1 is already on this machine.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import {
  type ApprovalHttpRequest,
  type ApprovalHttpResponse,
  DEFAULT_MAX_BODY_BYTES,
  handleApprovalHttp,
  type SlackResponder,
  type WebIdentity,
} from '@cordon/core/approval/api';
import {
  type ApprovalLogger,
  configuredApprovers,
  type IsApprover,
  type TaskCallbacks,
} from '@cordon/core/approval/decide';
import type { ApprovalStore } from '@cordon/core/approval/records';
import { RequestBodyTooLargeError } from './errors.ts';

export interface ApprovalServerOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  readonly store: ApprovalStore;
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

async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    // Chunks of an IncomingMessage without setEncoding are Buffers.
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new RequestBodyTooLargeError(limit);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function plainRequest(request: IncomingMessage, body: string): ApprovalHttpRequest {
  let url: URL;
  try {
    url = new URL(request.url ?? '/', `http://${LOOPBACK}`);
  } catch {
    url = new URL('http://127.0.0.1/invalid-url');
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    query[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  // The raw path, as the Lambda gets it: the core router refuses what it does not recognise.
  const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
  return { method: request.method ?? '', path: rawPath, query, headers: request.headers, body };
}

function send(response: ServerResponse, result: ApprovalHttpResponse): void {
  response.writeHead(result.status, result.headers);
  response.end(result.body);
}

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
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const pending = new Set<Promise<void>>();

  const server = createServer((request, response) => {
    void (async () => {
      let body: string;
      try {
        body = await readBody(request, maxBodyBytes);
      } catch (error) {
        const status = error instanceof RequestBodyTooLargeError ? 413 : 400;
        response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
        response.end(status === 413 ? 'The request body is too large.' : 'Bad request.');
        return;
      }
      const result = await handleApprovalHttp(plainRequest(request, body), {
        store: options.store,
        callbacks: options.callbacks,
        linkSigningKey: options.linkSigningKey,
        ...(options.slackSigningSecret === undefined
          ? {}
          : { slackSigningSecret: options.slackSigningSecret }),
        now: options.now ?? (() => new Date()),
        identify: () => operator,
        isApprover,
        ...(options.slack === undefined ? {} : { slack: options.slack }),
        ...(options.logger === undefined ? {} : { logger: options.logger }),
        secureCookies: false,
        maxBodyBytes,
      });
      send(response, result);
      // The response is out; callbacks and message updates finish afterwards (Slack's three seconds).
      if (result.background !== undefined) {
        pending.add(result.background);
        await result.background;
        pending.delete(result.background);
      }
    })().catch((error: unknown) => {
      options.logger?.error('approval server: request failed', {
        error: error instanceof Error ? error.name : 'unknown',
      });
      if (!response.headersSent) response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      response.end();
    });
  });

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
              await Promise.all(pending);
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

/**
 * The one handler shell of Cordon's Lambda functions: the middy stack every function wears, assembled
 * here and nowhere else. Each handler file ends with `return handlerShell(handle, { logger, metrics })`;
 * `handle` is the adapter (parse → call core → map the result) and holds no Lambda plumbing.
 *
 * The stack, outermost first (middy runs `before` in this order and `after`/`onError` in reverse):
 * 1. Powertools `injectLambdaContext` — request id, cold start and function name on every log line; keys a
 *    handler appends (incident id, step) are reset after each invocation.
 * 2. Powertools `logMetrics` (when the function has metrics) — the invocation's metrics are flushed as EMF
 *    after it ends, whether it succeeded or failed.
 * 3. `errorLogger` — the error an invocation fails with is logged once, structured, and rethrown unchanged.
 * 4. `parseEvent` (when the function parses its event) — the raw event is validated before anything runs.
 * 5. The function's own middlewares (`use`), innermost.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { HandlerOptionsInvalidError } from '../errors.ts';
import { METRICS_NAMESPACE } from './environment.ts';
import { errorLogger, parseEvent } from './middlewares.ts';

/** What Lambda calls. */
export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** A middleware of one function only, in middy's shape. */
export type HandlerMiddleware = MiddlewareObj<unknown, unknown, Error, Context>;

export interface HandlerShellOptions {
  /** The function's Powertools logger (one per container, made by `observability`). */
  readonly logger: Logger;
  /** The function's Powertools metrics; omit for a function that counts nothing. */
  readonly metrics?: Metrics;
  /** Middlewares of this function only; their `before` runs last, just before the handler. */
  readonly use?: readonly HandlerMiddleware[];
}

/** The shell's options plus the boundary's parser: Lambda's raw event in, the handler's input out. */
export interface ParsingHandlerShellOptions<E> extends HandlerShellOptions {
  readonly parse: (event: unknown) => E;
}

function isMiddleware(value: unknown): value is HandlerMiddleware {
  if (typeof value !== 'object' || value === null) return false;
  const { before, after, onError } = value as HandlerMiddleware;
  const phases = [before, after, onError].filter((phase) => phase !== undefined);
  return phases.length > 0 && phases.every((phase) => typeof phase === 'function');
}

// Checked once, when the handler is made (at the function's initialisation), not on every invocation.
function checkOptions(options: HandlerShellOptions & { readonly parse?: unknown }): void {
  const { logger, metrics, use = [], parse } = options ?? {};
  if (typeof logger?.error !== 'function' || typeof logger?.addContext !== 'function') {
    throw new HandlerOptionsInvalidError('handlerShell', 'logger must be a Powertools Logger');
  }
  if (metrics !== undefined && typeof metrics?.publishStoredMetrics !== 'function') {
    throw new HandlerOptionsInvalidError('handlerShell', 'metrics must be a Powertools Metrics when given');
  }
  if (parse !== undefined && typeof parse !== 'function') {
    throw new HandlerOptionsInvalidError('handlerShell', 'parse must be a function of the raw event');
  }
  if (!Array.isArray(use) || !use.every(isMiddleware)) {
    throw new HandlerOptionsInvalidError(
      'handlerShell',
      'use must list middlewares: objects with a before, after or onError function',
    );
  }
}

/**
 * Wraps a function's handler in the shell (see the module comment for the stack). With `parse`, the
 * returned handler takes Lambda's raw event and `handle` receives the parsed one.
 *
 * @example
 * export function createPollerHandler(dependencies = pollerDependenciesFromEnvironment) {
 *   const deps = typeof dependencies === 'function' ? dependencies() : dependencies;
 *   const handle = async (event: unknown, context: Context) => { … };
 *   return handlerShell(handle, { logger: deps.logger, metrics: deps.metrics });
 * }
 */
export function handlerShell<E, R>(
  handle: LambdaHandler<E, R>,
  options: ParsingHandlerShellOptions<E>,
): LambdaHandler<unknown, R>;
export function handlerShell<E, R>(
  handle: LambdaHandler<E, R>,
  options: HandlerShellOptions,
): LambdaHandler<E, R>;
export function handlerShell<E, R>(
  handle: LambdaHandler<E, R>,
  options: HandlerShellOptions & { readonly parse?: (event: unknown) => E },
): LambdaHandler<E, R> {
  checkOptions(options);
  const { logger, metrics, use = [], parse } = options;
  let handler = middy(handle).use(injectLambdaContext(logger, { resetKeys: true }));
  if (metrics !== undefined) handler = handler.use(logMetrics(metrics));
  handler = handler.use(errorLogger({ logger }));
  if (parse !== undefined) handler = handler.use(parseEvent({ parse }));
  for (const middleware of use) handler = handler.use(middleware);
  // middy's handler type adds an optional third argument (its abort signal) that Lambda never passes.
  return handler as unknown as LambdaHandler<E, R>;
}

/** A function's logger and metrics: its service name on both, Cordon's metrics namespace. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * The Powertools logger and metrics of a deployed function, made once per container.
 *
 * @example const { logger, metrics } = observability('cordon-poller', environment.metricsNamespace);
 */
export function observability(serviceName: string, namespace: string = METRICS_NAMESPACE): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace, serviceName }),
  };
}

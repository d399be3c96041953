/**
 * Cordon's own middy middlewares, in middy's shape (`(options) => ({ before, after, onError })`, options
 * checked once when the handler is made, named phase functions: middyjs/middy `packages/error-logger`,
 * Powertools' `logMetrics`). Powertools' `injectLambdaContext` and `logMetrics` do the rest of the shell.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { HandlerOptionsInvalidError } from '../errors.ts';

/** The one logger call the error logger needs (Powertools' Logger has it). */
export interface ErrorLog {
  error(message: string, ...extra: unknown[]): void;
}

export interface ErrorLoggerOptions {
  readonly logger: ErrorLog;
  /** The log message (default `Invocation failed`); the error follows under the key `error`. */
  readonly message?: string;
}

/**
 * Logs the error an invocation ends with, once, structured (name, message, stack, cause) and with the
 * persistent keys the handler set (incident id, step, request id) — where the Lambda runtime alone would
 * print an unstructured `Invoke Error` line. It never handles the error: the invocation still fails with it,
 * under its own name, which is what Step Functions' `Retry`/`Catch` and Lambda's retries act on.
 *
 * @example middy(handle).use(injectLambdaContext(logger)).use(errorLogger({ logger }))
 */
export function errorLogger(options: ErrorLoggerOptions): MiddlewareObj<unknown, unknown, Error, Context> {
  if (typeof options?.logger?.error !== 'function') {
    throw new HandlerOptionsInvalidError('errorLogger', 'logger must have an error(message, …) method');
  }
  const { logger } = options;
  const message = options.message ?? 'Invocation failed';

  const errorLoggerOnError = async (request: Request<unknown, unknown, Error, Context>): Promise<void> => {
    logger.error(message, request.error);
  };
  return { onError: errorLoggerOnError };
}

export interface ParseEventOptions<E> {
  /** Turns the raw event into the handler's input, or throws a named error that says why not. */
  readonly parse: (event: unknown) => E;
}

/**
 * Validation at the boundary: the raw event is parsed before the handler runs, and the handler receives
 * the parsed value. A refused event ends the invocation in `before` — no setting is read, no client is
 * made, no AWS call is sent — with the parser's own error (onError middlewares still log and count it).
 *
 * @example middy(handle).use(parseEvent({ parse: (event) => parseActionInput(isolateInstance, event) }))
 */
export function parseEvent<E>(
  options: ParseEventOptions<E>,
): MiddlewareObj<unknown, unknown, Error, Context> {
  if (typeof options?.parse !== 'function') {
    throw new HandlerOptionsInvalidError('parseEvent', 'parse must be a function of the raw event');
  }
  const { parse } = options;

  const parseEventBefore = async (request: Request<unknown, unknown, Error, Context>): Promise<void> => {
    request.event = parse(request.event);
  };
  return { before: parseEventBefore };
}

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ThrottledError } from '@cordon/core/errors';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { HandlerOptionsInvalidError } from '../../src/errors.ts';
import { type HandlerMiddleware, handlerShell, observability } from '../../src/shared/handler-shell.ts';
import { errorLogger, parseEvent } from '../../src/shared/middlewares.ts';

const context = {
  functionName: 'cordon-test-poller',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:cordon-test-poller',
  awsRequestId: 'request-1',
} as Context; // only the fields the middlewares read

type LogLine = Record<string, unknown>;

/** A Powertools logger whose JSON lines the test reads. */
function capturedLogger(logger = new Logger({ serviceName: 'cordon-test', logLevel: 'INFO' })): {
  logger: Logger;
  lines: LogLine[];
} {
  const lines: LogLine[] = [];
  const write = (line: string) => {
    lines.push(JSON.parse(line) as LogLine);
  };
  // Powertools prints through a private Console; standing in for it is how the test reads what it prints.
  (logger as unknown as { console: Record<string, (line: string) => void> }).console = {
    info: write,
    warn: write,
    error: write,
    debug: write,
    log: write,
    trace: write,
  };
  return { logger, lines };
}

function testMetrics(): Metrics {
  return new Metrics({ namespace: 'CordonTest', serviceName: 'cordon-test' });
}

describe('handlerShell', () => {
  it('logs the error an invocation fails with once, with its request id, and fails with that same error', async () => {
    const { logger, lines } = capturedLogger();
    const thrown = new ThrottledError('Rate exceeded');
    const handler = handlerShell(
      async () => {
        throw thrown;
      },
      { logger },
    );

    const failure = await handler({}, context).catch((error: unknown) => error);

    expect(failure).toBe(thrown);
    const errors = lines.filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'Invocation failed',
      function_request_id: 'request-1',
      error: { name: 'ThrottledError', message: 'Rate exceeded' },
    });
  });

  it('flushes the metrics after a failed invocation as after a successful one', async () => {
    const { logger } = capturedLogger();
    const metrics = testMetrics();
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    let fail = false;
    const handler = handlerShell(
      async () => {
        metrics.addMetric('Attempt', MetricUnit.Count, 1);
        if (fail) throw new Error('boom');
        return 'ok';
      },
      { logger, metrics },
    );

    await handler({}, context);
    fail = true;
    await expect(handler({}, context)).rejects.toThrow('boom');

    expect(publish).toHaveBeenCalledTimes(2);
  });

  it('forgets the keys a handler appended once its invocation ends', async () => {
    const { logger, lines } = capturedLogger();
    const handler = handlerShell(
      async (event: { incidentId?: string }) => {
        if (event.incidentId !== undefined) logger.appendKeys({ incidentId: event.incidentId });
        logger.info('handled');
        return 'ok';
      },
      { logger },
    );

    await handler({ incidentId: 'incident-1' }, context);
    await handler({}, context);

    const handled = lines.filter((line) => line.message === 'handled');
    expect(handled[0]).toMatchObject({ incidentId: 'incident-1' });
    expect(handled[1]).not.toHaveProperty('incidentId');
  });

  it('hands the handler the parsed event, and refuses a bad one before the handler runs', async () => {
    const { logger, lines } = capturedLogger();
    const handle = vi.fn(async (event: { n: number }) => event.n * 2);
    const parse = (event: unknown): { n: number } => {
      const n = (event as { n?: unknown }).n;
      if (typeof n !== 'number') throw new HandlerOptionsInvalidError('test', 'n must be a number');
      return { n };
    };
    const handler = handlerShell(handle, { logger, parse });

    expect(await handler({ n: 21, extra: true }, context)).toBe(42);
    expect(handle).toHaveBeenCalledWith({ n: 21 }, expect.anything(), expect.anything());
    await expect(handler({ n: 'x' }, context)).rejects.toMatchObject({ name: 'HandlerOptionsInvalidError' });
    expect(handle).toHaveBeenCalledTimes(1);
    expect(lines.filter((line) => line.level === 'ERROR')).toHaveLength(1);
  });

  it("runs a function's own middlewares innermost: before after the parse, onError before the error is logged", async () => {
    const { logger } = capturedLogger();
    const order: string[] = [];
    vi.spyOn(logger, 'error').mockImplementation(() => order.push('logged'));
    const own: HandlerMiddleware = {
      before: async () => {
        order.push('own before');
      },
      onError: async () => {
        order.push('own onError');
      },
    };
    const handler = handlerShell(
      async () => {
        order.push('handler');
        throw new Error('boom');
      },
      {
        logger,
        parse: (event) => {
          order.push('parse');
          return event;
        },
        use: [own],
      },
    );

    await expect(handler({}, context)).rejects.toThrow('boom');

    expect(order).toEqual(['parse', 'own before', 'handler', 'own onError', 'logged']);
  });

  it.each([
    ['no logger', { logger: undefined }],
    ['metrics that are not Powertools Metrics', { metrics: {} }],
    ['a parse that is not a function', { parse: 'zod' }],
    ['a middleware without a phase', { use: [{}] }],
    ['a middleware phase that is not a function', { use: [{ before: 'first' }] }],
  ])('refuses %s when the handler is made (HandlerOptionsInvalidError)', (_case, overrides) => {
    const options = { logger: capturedLogger().logger, ...overrides };

    // The casts: the options are wrong on purpose, as untyped JavaScript could pass them.
    expect(() => handlerShell(async () => 'ok', options as never)).toThrow(HandlerOptionsInvalidError);
  });
});

describe('the shell’s middlewares', () => {
  it('errorLogger needs a logger with an error method', () => {
    expect(() => errorLogger({ logger: {} as never })).toThrow(
      expect.objectContaining({
        name: 'HandlerOptionsInvalidError',
        message: expect.stringContaining('errorLogger'),
      }),
    );
  });

  it('parseEvent needs a parse function', () => {
    expect(() => parseEvent({ parse: undefined as never })).toThrow(
      expect.objectContaining({
        name: 'HandlerOptionsInvalidError',
        message: expect.stringContaining('parseEvent'),
      }),
    );
  });
});

describe('observability', () => {
  it("names the function's service on its logs and metrics, in Cordon's namespace unless told otherwise", () => {
    const { logger, metrics } = observability('cordon-poller');
    const other = observability('cordon-poller', 'CordonStaging').metrics;
    metrics.addMetric('Poller.findingsSent', MetricUnit.Count, 1);
    other.addMetric('Poller.findingsSent', MetricUnit.Count, 1);

    const namespaceOf = (serialized: { _aws: { CloudWatchMetrics: Array<{ Namespace: string }> } }) =>
      serialized._aws.CloudWatchMetrics[0]?.Namespace;
    expect(namespaceOf(metrics.serializeMetrics())).toBe('Cordon');
    expect(namespaceOf(other.serializeMetrics())).toBe('CordonStaging');
    expect(metrics.serializeMetrics()).toMatchObject({ service: 'cordon-poller' });
    const { lines } = capturedLogger(logger);
    logger.setLogLevel('INFO'); // whatever POWERTOOLS_LOG_LEVEL this worker was given
    logger.info('polled');
    expect(lines).toMatchObject([{ service: 'cordon-poller', message: 'polled' }]);
  });
});

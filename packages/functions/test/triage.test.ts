import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { MemoryLedger } from '@cordon/core/ledger/ledger';
import { parseSettings } from '@cordon/core/policy/settings';
import { MemoryBlastRadius } from '@cordon/core/triage/blast-radius';
import type { TriagePorts } from '@cordon/core/triage/triage';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it, vi } from 'vitest';
import { loadEvent } from '../../../test/support/events.ts';
import { createSandbox } from '../../local/src/sandbox/index.ts';
import { SANDBOX_RESOURCES, seedCordonResources } from '../../local/src/seed.ts';
import { createTriageHandler, stepFunctionsStarter, type TriageDependencies } from '../src/triage.ts';

type Json = Record<string, unknown>;
const context = {
  functionName: 'cordon-triage',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cordon-triage',
  awsRequestId: 'r-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context; // only the fields the middlewares and idempotency read

function liveFinding(id = 'f1'): Json {
  const event = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
  const detail = event.detail as Json;
  detail.id = id;
  detail.severity = 8;
  (detail.service as Json).additionalInfo = {};
  (detail.resource as Json).instanceDetails = { instanceId: 'i-0abc1234def567890' };
  return event;
}

function dependencies(
  startExecution = vi.fn(async () => 'started' as const),
): TriageDependencies & { ledger: MemoryLedger } {
  const ledger = new MemoryLedger();
  const ports: TriagePorts = {
    settings: parseSettings({}),
    ledger,
    blastRadius: new MemoryBlastRadius(),
    startExecution,
    now: () => new Date('2026-11-28T10:00:00Z'),
  };
  return {
    ledger,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'CordonTest' }),
    ports: async () => ports,
  };
}

describe('triage handler', () => {
  it('starts the playbook for an EventBridge finding and answers with the result', async () => {
    const startExecution = vi.fn(async () => 'started' as const);
    const handler = createTriageHandler(dependencies(startExecution));
    const { results } = await handler(liveFinding(), context);
    expect(results).toMatchObject([
      { outcome: 'started', executionName: 'guardduty-883606788610-us-east-1-f1' },
    ]);
    expect(startExecution).toHaveBeenCalledWith(expect.objectContaining({ playbook: 'ec2-compromise' }));
  });

  it('triages each finding of a poller batch', async () => {
    const handler = createTriageHandler(dependencies());
    const batch = {
      source: 'cordon.poller',
      findings: [liveFinding('a').detail, liveFinding('b').detail, 42],
    };
    const { results } = await handler(batch, context);
    expect(results.map((result) => result.outcome)).toEqual(['started', 'started', 'rejected']);
  });

  it('answers a rejected event without throwing (a retry could not make it valid)', async () => {
    const handler = createTriageHandler(dependencies());
    const { results } = await handler(
      loadEvent('config/custom-rule-invocation-scheduled-powertools.json'),
      context,
    );
    expect(results).toMatchObject([{ outcome: 'rejected', recognised: 'config-custom-rule-invocation' }]);
  });

  it('processes one incident once under Powertools idempotency, however often it is delivered', async () => {
    const sandbox = createSandbox();
    seedCordonResources(sandbox);
    const dynamodb = sandbox.account.attach(new DynamoDBClient({ region: 'us-east-1' }));
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName: SANDBOX_RESOURCES.idempotencyTable,
      awsSdkV3Client: dynamodb,
    });
    const config = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds: 3600 });
    const startExecution = vi.fn(async () => 'started' as const);
    const deps = dependencies(startExecution);
    const handler = createTriageHandler({
      ...deps,
      idempotent: (fn) => makeIdempotent(fn, { persistenceStore, config }) as unknown as typeof fn,
    });
    const outcomes: string[] = [];
    for (let delivery = 0; delivery < 10; delivery += 1) {
      const { results } = await handler(liveFinding('same'), context);
      outcomes.push(results[0]?.outcome ?? 'none');
    }
    expect(startExecution).toHaveBeenCalledTimes(1);
    // The cached result is returned for every re-delivery.
    expect(outcomes).toEqual(Array(10).fill('started'));
    expect(deps.ledger.all()).toHaveLength(1);
  });
});

describe('stepFunctionsStarter', () => {
  const sfn = mockClient(SFNClient);

  it('starts the execution of the playbook, named by the incident id, with the input as JSON', async () => {
    sfn.reset();
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    const start = stepFunctionsStarter(new SFNClient({ region: 'us-east-1' }), {
      'ec2-compromise': 'arn:aws:states:us-east-1:1:stateMachine:ec2',
    });
    const input = { incident: { id: 'x' } } as never; // the shape is checked by core's tests
    expect(await start({ name: 'guardduty-1-us-east-1-f', playbook: 'ec2-compromise', input })).toBe(
      'started',
    );
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:ec2',
      name: 'guardduty-1-us-east-1-f',
      input: JSON.stringify(input),
    });
  });

  it('treats ExecutionAlreadyExists as a duplicate, not an error', async () => {
    sfn.reset();
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' }));
    const start = stepFunctionsStarter(new SFNClient({ region: 'us-east-1' }), { 'notify-only': 'arn:sm' });
    expect(await start({ name: 'n', playbook: 'notify-only', input: {} as never })).toBe('duplicate');
  });

  it('fails loudly when no state machine is configured for the playbook', async () => {
    const start = stepFunctionsStarter(new SFNClient({ region: 'us-east-1' }), {});
    await expect(start({ name: 'n', playbook: 'ec2-release', input: {} as never })).rejects.toThrow(
      /ec2-release/,
    );
  });
});

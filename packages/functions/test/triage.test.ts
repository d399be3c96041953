import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import { parseSettings } from '@cordon/core/policy/settings';
import { DynamoDbBlastRadius } from '@cordon/core/triage/blast-radius';
import type { StartExecution, TriagePorts } from '@cordon/core/triage/triage';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { describe, expect, it, vi } from 'vitest';
import { loadEvent } from '../../../test/support/events.ts';
import { createSandbox } from '../../local/src/sandbox/index.ts';
import { SANDBOX_RESOURCES, seedCordonResources } from '../../local/src/seed.ts';
import {
  createTriageHandler,
  observerFor,
  stepFunctionsStarter,
  type TriageDependencies,
  triageDependencies,
} from '../src/triage.ts';

type Json = Record<string, unknown>;
const context = {
  functionName: 'cordon-triage',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cordon-triage',
  awsRequestId: 'r-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context; // only the fields the middlewares read

function liveFinding(id = 'f1'): Json {
  const event = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
  const detail = event.detail as Json;
  detail.id = id;
  detail.severity = 8;
  (detail.service as Json).additionalInfo = {};
  (detail.resource as Json).instanceDetails = { instanceId: 'i-0abc1234def567890' };
  return event;
}

/** Triage's ports on the ledger table of a sandbox account (entries and blast radius, as deployed). */
function dependencies(
  startExecution: StartExecution = vi.fn(async () => 'started' as const),
): TriageDependencies & { ledger: DynamoDbLedger } {
  const sandbox = createSandbox();
  seedCordonResources(sandbox);
  const dynamodb = sandbox.account.attach(new DynamoDBClient({ region: 'us-east-1' }));
  const ledger = new DynamoDbLedger({
    client: dynamodb,
    tableName: SANDBOX_RESOURCES.ledgerTable,
    retentionDays: 30,
  });
  const ports: TriagePorts = {
    settings: parseSettings({}),
    ledger,
    blastRadius: new DynamoDbBlastRadius(dynamodb, SANDBOX_RESOURCES.ledgerTable),
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

  it('starts one playbook however often an incident is delivered, and a triage that failed after its claim still starts it on retry', async () => {
    // Prepare: the real ledger claim on the sandbox's DynamoDB, and a StartExecution that, like Step
    // Functions, refuses a name twice and is throttled once.
    const sandbox = createSandbox();
    seedCordonResources(sandbox);
    const dynamodb = sandbox.account.attach(new DynamoDBClient({ region: 'us-east-1' }));
    const ledger = new DynamoDbLedger({
      client: dynamodb,
      tableName: SANDBOX_RESOURCES.ledgerTable,
      retentionDays: 30,
    });
    const names = new Set<string>();
    let throttleNext = true;
    const startExecution = vi.fn<StartExecution>(async ({ name }) => {
      if (throttleNext) {
        throttleNext = false;
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      }
      if (names.has(name)) return 'duplicate' as const;
      names.add(name);
      return 'started' as const;
    });
    const deps = dependencies(startExecution);
    const handler = createTriageHandler({
      ...deps,
      ports: async () => ({
        ...(await deps.ports('123456789012')),
        ledger,
        claims: ledger.claims,
      }),
    });

    // Act: the first delivery fails after the claim; EventBridge delivers again, ten times.
    await expect(handler(liveFinding('same'), context)).rejects.toThrow(/Rate exceeded/);
    const outcomes: string[] = [];
    for (let delivery = 0; delivery < 10; delivery += 1) {
      const { results } = await handler(liveFinding('same'), context);
      outcomes.push(results[0]?.outcome ?? 'none');
    }

    // Assess
    expect(outcomes).toEqual(['started', ...Array(9).fill('duplicate')]);
    expect(names).toEqual(new Set(['guardduty-883606788610-us-east-1-same']));
  });

  it("reads the instance with the function's home account, from its own ARN", async () => {
    const deps = dependencies();
    const ports = vi.fn(deps.ports);
    const handler = createTriageHandler({ ...deps, ports });
    await handler(liveFinding(), context);
    expect(ports).toHaveBeenCalledWith('123456789012');
  });
});

describe('observerFor', () => {
  it("reads the instance with the clients of the incident's account and region, all five reads at once", async () => {
    const sandbox = createSandbox();
    const clientsOf = vi.fn(() => ({
      ec2: sandbox.account.attach(new EC2Client({ region: 'eu-west-1' })),
      autoScaling: sandbox.account.attach(new AutoScalingClient({ region: 'eu-west-1' })),
    }));
    const observe = observerFor(clientsOf);
    await expect(
      observe({ account: '222222222222', region: 'eu-west-1', instanceId: 'i-0abc1234def567890' }),
    ).rejects.toThrow(/does not exist/);
    expect(clientsOf).toHaveBeenCalledWith({ account: '222222222222', region: 'eu-west-1' });
    expect(sandbox.account.calls.map((call) => call.command).sort()).toEqual([
      'DescribeAutoScalingInstances',
      'DescribeInstanceAttribute',
      'DescribeInstanceAttribute',
      'DescribeInstances',
      'DescribeSecurityGroups',
    ]);
  });
});

describe('triageDependencies', () => {
  it("reads the instance in the incident's account and region, not the function's (a finding forwarded from another region)", async () => {
    // Prepare: triage's wiring on a sandbox's ledger table, Step Functions answered by a stub.
    const sandbox = createSandbox({ region: 'eu-west-1' });
    seedCordonResources(sandbox);
    const observerClients = vi.fn(() => ({
      ec2: sandbox.account.attach(new EC2Client({ region: 'eu-west-1' })),
      autoScaling: sandbox.account.attach(new AutoScalingClient({ region: 'eu-west-1' })),
    }));
    const handler = createTriageHandler(
      triageDependencies({
        stage: 'test',
        logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
        metrics: new Metrics({ namespace: 'CordonTest' }),
        ledgerTable: SANDBOX_RESOURCES.ledgerTable,
        dynamodb: sandbox.account.attach(new DynamoDBClient({ region: 'us-east-1' })),
        sfn: { send: vi.fn(async () => ({ executionArn: 'arn:x' })) } as never, // only StartExecution is sent
        stateMachines: { 'ec2-compromise': 'arn:aws:states:us-east-1:123456789012:stateMachine:ec2' },
        settingsLoader: {
          load: async () => ({ ...parseSettings({}), source: 'ssm' as const }),
          clearCache: () => undefined,
        },
        observerClients,
      }),
    );
    const event = liveFinding();
    event.region = 'eu-west-1';
    (event.detail as Json).region = 'eu-west-1';

    // Act
    await handler(event, context);

    // Assess
    expect(observerClients).toHaveBeenCalledWith(
      { account: '883606788610', region: 'eu-west-1' },
      expect.objectContaining({ mode: 'enforce' }),
      '123456789012',
    );
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

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import {
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  ModifyInstanceAttributeCommand,
} from '@aws-sdk/client-ec2';
import { protectEvidence } from '@cordon/core/actions/protect-evidence';
import { MemoryLedger } from '@cordon/core/ledger/ledger';
import { failClosedSettings, parseSettings } from '@cordon/core/policy/settings';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { envelope, realClients, TEST_INCIDENT, TEST_NOW } from '../../../../test/support/actions.ts';
import {
  type ActionHandlerDependencies,
  accountOf,
  classifyingLedger,
  createActionHandler,
} from '../../src/shared/action-handler.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const context = {
  functionName: 'cordon-protect-evidence',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cordon-protect-evidence',
  awsRequestId: 'request-1',
} as Context; // only the fields the middlewares read

function dependencies(settings = parseSettings({})) {
  const clients = realClients();
  const ledger = new MemoryLedger();
  const metrics = new Metrics({ namespace: 'CordonTest', serviceName: 'test' });
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  const clientsFor = vi.fn(() => clients);
  const deps: ActionHandlerDependencies = {
    logger,
    metrics,
    loadSettings: async () => settings,
    clientsFor,
    ledgerFor: () => ledger,
    notifications: async () => ({}),
    now: () => TEST_NOW,
  };
  return { deps, clients, ledger, metrics, logger, clientsFor };
}

describe('createActionHandler', () => {
  let setup: ReturnType<typeof dependencies>;
  let ec2: ReturnType<typeof mockClient>;

  afterEach(() => {
    vi.restoreAllMocks();
  });

  beforeEach(() => {
    setup = dependencies();
    ec2 = mockClient(setup.clients.ec2);
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE_ID, Tags: [] }] }] });
    ec2.on(DescribeInstanceAttributeCommand).resolves({
      DisableApiTermination: { Value: false },
      InstanceInitiatedShutdownBehavior: { Value: 'stop' },
    });
    ec2.on(ModifyInstanceAttributeCommand).resolves({});
    ec2.on(CreateTagsCommand).resolves({});
  });

  it('runs the action and returns its outcome to the playbook', async () => {
    const handler = createActionHandler(protectEvidence, setup.deps);
    const outcome = await handler({ ...envelope(), instanceId: INSTANCE_ID }, context);
    expect(outcome).toMatchObject({ step: 'protect-evidence', status: 'done' });
    expect(ec2).toHaveReceivedCommandWith(ModifyInstanceAttributeCommand, {
      DisableApiTermination: { Value: true },
    });
    expect((await setup.ledger.entries(TEST_INCIDENT)).map((entry) => entry.outcome)).toEqual([
      'planned',
      'done',
    ]);
  });

  it('asks for the clients of the incident account and region, knowing its own account', async () => {
    const handler = createActionHandler(protectEvidence, setup.deps);
    await handler(
      { ...envelope(), account: '222222222222', region: 'eu-west-1', instanceId: INSTANCE_ID },
      context,
    );
    expect(setup.clientsFor).toHaveBeenCalledWith(
      { account: '222222222222', region: 'eu-west-1' },
      expect.anything(),
      '123456789012',
    );
  });

  it('keeps the incident id and the step as persistent log keys', async () => {
    const appendKeys = vi.spyOn(setup.logger, 'appendKeys');
    await createActionHandler(protectEvidence, setup.deps)(
      { ...envelope(), instanceId: INSTANCE_ID },
      context,
    );
    expect(appendKeys).toHaveBeenCalledWith({ incidentId: TEST_INCIDENT, step: 'protect-evidence' });
  });

  it('counts one ActionOutcome metric per outcome, by step and outcome', async () => {
    const addDimensions = vi.spyOn(setup.metrics, 'addDimensions');
    const addMetric = vi.spyOn(setup.metrics, 'addMetric');
    await createActionHandler(protectEvidence, setup.deps)(
      { ...envelope(), instanceId: INSTANCE_ID },
      context,
    );
    expect(addDimensions).toHaveBeenCalledWith({ step: 'protect-evidence', outcome: 'done' });
    expect(addMetric).toHaveBeenCalledWith('ActionOutcome', 'Count', 1);
  });

  it('validates the step input once per invocation, at the boundary', async () => {
    const safeParse = vi.spyOn(protectEvidence.input, 'safeParse');
    const handler = createActionHandler(protectEvidence, setup.deps);

    await handler({ ...envelope(), instanceId: INSTANCE_ID }, context);

    expect(safeParse).toHaveBeenCalledTimes(1);
  });

  it('refuses an invalid input once, as InvalidActionInputError, before settings, clients or ledger are touched', async () => {
    const safeParse = vi.spyOn(protectEvidence.input, 'safeParse');
    const loadSettings = vi.spyOn(setup.deps, 'loadSettings');
    const addDimensions = vi.spyOn(setup.metrics, 'addDimensions');
    const logError = vi.spyOn(setup.logger, 'error');
    const handler = createActionHandler(protectEvidence, setup.deps);

    const failure = handler({ ...envelope(), instanceId: 'bogus' }, context);

    await expect(failure).rejects.toMatchObject({
      name: 'InvalidActionInputError',
      retryable: false,
      message: expect.stringContaining('protect-evidence: invalid input: instanceId'),
    });
    expect(safeParse).toHaveBeenCalledTimes(1);
    expect(loadSettings).not.toHaveBeenCalled();
    expect(setup.clientsFor).not.toHaveBeenCalled();
    expect(await setup.ledger.entries(TEST_INCIDENT)).toEqual([]);
    expect(ec2).not.toHaveReceivedAnyCommand();
    expect(addDimensions.mock.calls).toEqual([
      [{ step: 'protect-evidence', outcome: 'InvalidActionInputError' }],
    ]);
    expect(logError).toHaveBeenCalledTimes(1);
    expect(logError).toHaveBeenCalledWith(
      'Invocation failed',
      expect.objectContaining({ name: 'InvalidActionInputError' }),
    );
  });

  it('counts an error that is no action error as UnexpectedError, and lets it through unchanged', async () => {
    const addDimensions = vi.spyOn(setup.metrics, 'addDimensions');
    const bug = new TypeError('settings.mode is undefined');
    setup = {
      ...setup,
      deps: {
        ...setup.deps,
        loadSettings: async () => {
          throw bug;
        },
      },
    };

    const failure = await createActionHandler(protectEvidence, setup.deps)(
      { ...envelope(), instanceId: INSTANCE_ID },
      context,
    ).catch((error: unknown) => error);

    expect(failure).toBe(bug);
    expect(addDimensions).toHaveBeenCalledWith({ step: 'protect-evidence', outcome: 'UnexpectedError' });
  });

  it('passes the action error name through to Step Functions', async () => {
    ec2
      .on(ModifyInstanceAttributeCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'RequestLimitExceeded' }));
    const handler = createActionHandler(protectEvidence, setup.deps);
    await expect(handler({ ...envelope(), instanceId: INSTANCE_ID }, context)).rejects.toMatchObject({
      name: 'ThrottledError',
    });
  });

  it('reports a throttled ledger write as ThrottledError, which the playbooks retry', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    setup = {
      ...setup,
      deps: {
        ...setup.deps,
        ledgerFor: () => ({
          append: async () => {
            throw throttled;
          },
          entries: async () => [],
        }),
      },
    };
    const handler = createActionHandler(protectEvidence, setup.deps);
    await expect(handler({ ...envelope(), instanceId: INSTANCE_ID }, context)).rejects.toMatchObject({
      name: 'ThrottledError',
      retryable: true,
      awsError: 'ThrottlingException',
    });
  });

  it('fails closed when the settings cannot be read: no mutating call', async () => {
    setup = {
      ...setup,
      deps: { ...setup.deps, loadSettings: async () => failClosedSettings('settings missing') },
    };
    const outcome = await createActionHandler(protectEvidence, setup.deps)(
      { ...envelope(), instanceId: INSTANCE_ID },
      context,
    );
    expect(outcome.status).toBe('dry-run');
    expect(ec2).not.toHaveReceivedCommand(ModifyInstanceAttributeCommand);
  });
});

describe('accountOf', () => {
  it('reads the account from a function ARN', () => {
    expect(accountOf('arn:aws:lambda:eu-west-1:210987654321:function:x')).toBe('210987654321');
  });
});

describe('classifyingLedger', () => {
  it('passes leases through, and names a throttled lease write ThrottledError', async () => {
    const memory = new MemoryLedger();
    const ledger = classifyingLedger(memory);
    const now = new Date('2026-11-28T10:00:00Z');
    const until = new Date('2026-11-28T10:02:00Z');

    expect(await ledger.acquireLease?.('instance#i-1', 'incident-a', until, now)).toEqual({ acquired: true });
    expect(await ledger.acquireLease?.('instance#i-1', 'incident-b', until, now)).toEqual({
      acquired: false,
      holder: 'incident-a',
    });
    const throttled = classifyingLedger({
      append: async () => undefined,
      entries: async () => [],
      acquireLease: async () => {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
        });
      },
      releaseLease: async () => undefined,
    });
    await expect(throttled.acquireLease?.('instance#i-1', 'incident-a', until, now)).rejects.toMatchObject({
      name: 'ThrottledError',
    });
  });
});

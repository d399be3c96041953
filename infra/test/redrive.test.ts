import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsFromFile, planRedrive, RedriveMessageInvalidError, targetOf } from '../redrive.ts';
import { type AwsCli, parseArguments, RedriveUsageError, redrive } from '../redrive-cli.ts';

const PREFIX = 'cordon-prod';
const TRIAGE_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:cordon-prod-triage';
const EVENT = {
  version: '0',
  id: 'c8b7f0f2-0000-4000-8000-000000000001',
  'detail-type': 'Config Rules Compliance Change',
  source: 'aws.config',
  account: '222222222222',
  region: 'us-east-1',
  detail: { configRuleName: 'access-keys-rotated', newEvaluationResult: { complianceType: 'NON_COMPLIANT' } },
};

/** Lambda's on-failure invocation record, in the documented shape (invocation-async.html). */
function invocationRecord(functionArn: string, requestPayload: unknown = EVENT): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: '2026-01-14T18:16:05.568Z',
    requestContext: {
      requestId: 'e4b46cbf',
      functionArn: `${functionArn}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorMessage: 'Task timed out' },
  });
}

describe('planRedrive', () => {
  it('sends a triage invocation record’s payload back to triage, unchanged', () => {
    const plan = planRedrive(PREFIX, 'on-failure', { messageId: 'm1', body: invocationRecord(TRIAGE_ARN) });

    expect(plan).toEqual({
      messageId: 'm1',
      target: 'triage',
      functionName: 'cordon-prod-triage',
      payload: JSON.stringify(EVENT),
    });
  });

  it('sends a poller batch that triage failed on back to triage, and a failed poller run back to the poller', () => {
    const batch = { source: 'cordon.poller', findings: [{ id: 'f1' }] };

    expect(
      planRedrive(PREFIX, 'on-failure', { messageId: 'm', body: invocationRecord(TRIAGE_ARN, batch) })
        .payload,
    ).toBe(JSON.stringify(batch));
    expect(
      planRedrive(PREFIX, 'on-failure', {
        messageId: 'm',
        body: invocationRecord('arn:aws:lambda:eu-west-1:111122223333:function:cordon-prod-poller', {}),
      }).target,
    ).toBe('poller');
  });

  it('refuses, with a named error, records of another function or stage, and bodies that are not records', () => {
    const refused = [
      invocationRecord('arn:aws:lambda:eu-west-1:111122223333:function:cordon-dev-triage'),
      invocationRecord('arn:aws:lambda:eu-west-1:111122223333:function:cordon-prod-notify'),
      JSON.stringify({ requestContext: { functionArn: TRIAGE_ARN } }),
      JSON.stringify(EVENT),
      'not json',
      '[]',
    ];
    for (const body of refused) {
      expect(() => planRedrive(PREFIX, 'on-failure', { messageId: 'm', body }), body).toThrow(
        RedriveMessageInvalidError,
      );
    }
  });

  it('sends a dead-lettered event to the target EventBridge names, when it is a function of the stage', () => {
    const ssmEvent = {
      source: 'aws.ssm',
      'detail-type': 'Parameter Store Change',
      detail: { name: '/cordon/prod/detections/x' },
    };

    expect(
      planRedrive(PREFIX, 'dead-letter', {
        messageId: 'd1',
        body: JSON.stringify(ssmEvent),
        attributes: {
          TARGET_ARN: 'arn:aws:lambda:eu-west-1:111122223333:function:cordon-prod-threshold-sync',
        },
      }),
    ).toMatchObject({ target: 'threshold-sync', payload: JSON.stringify(ssmEvent) });
    expect(() =>
      planRedrive(PREFIX, 'dead-letter', {
        messageId: 'd2',
        body: JSON.stringify(EVENT),
        attributes: { TARGET_ARN: 'arn:aws:lambda:eu-west-1:111122223333:function:someone-else' },
      }),
    ).toThrow(/not a function of this stage/);
  });

  it('without a target attribute, routes a dead-lettered event by its source, and leaves unknown sources', () => {
    expect(planRedrive(PREFIX, 'dead-letter', { messageId: 'd', body: JSON.stringify(EVENT) }).target).toBe(
      'triage',
    );
    expect(
      planRedrive(PREFIX, 'dead-letter', {
        messageId: 'd',
        body: JSON.stringify({ source: 'aws.ssm', detail: {} }),
      }).target,
    ).toBe('threshold-sync');
    expect(() =>
      planRedrive(PREFIX, 'dead-letter', { messageId: 'd', body: JSON.stringify({ source: 'com.example' }) }),
    ).toThrow(RedriveMessageInvalidError);
  });

  it('reads a function from an ARN with or without qualifier, or a name', () => {
    expect(targetOf(PREFIX, `${TRIAGE_ARN}:$LATEST`)).toBe('triage');
    expect(targetOf(PREFIX, 'cordon-prod-poller')).toBe('poller');
    expect(targetOf(PREFIX, 'cordon-production-triage')).toBeUndefined();
  });
});

describe('eventsFromFile', () => {
  it('takes one event or an array of them, each to triage, and refuses the whole file on one bad entry', () => {
    expect(eventsFromFile(PREFIX, JSON.stringify(EVENT)).map((plan) => plan.functionName)).toEqual([
      'cordon-prod-triage',
    ]);
    expect(eventsFromFile(PREFIX, JSON.stringify([EVENT, EVENT]))).toHaveLength(2);
    expect(() => eventsFromFile(PREFIX, JSON.stringify([EVENT, { detail: {} }]))).toThrow(/entry 1/);
  });
});

describe('parseArguments', () => {
  it('reads the stage, the queue or file, the maximum and the region', () => {
    expect(
      parseArguments([
        '--stage',
        'prod',
        '--queue',
        'on-failure',
        '--max',
        '5',
        '--region',
        'eu-west-1',
        '--dry-run',
      ]),
    ).toEqual({
      prefix: 'cordon-prod',
      source: { queue: 'on-failure' },
      max: 5,
      dryRun: true,
      region: 'eu-west-1',
    });
  });

  it('refuses what it cannot run, with a named error', () => {
    for (const argv of [
      [],
      ['--stage', 'prod'],
      ['--stage', 'prod', '--queue', 'on-failure', '--file', 'x.json'],
      ['--stage', 'prod', '--queue', 'somewhere'],
      ['--stage', 'a/b', '--queue', 'on-failure'],
      ['--stage', 'prod', '--queue', 'on-failure', '--max', '0'],
      ['--stage', 'prod', '--queue', 'on-failure', '--purge'],
    ]) {
      expect(() => parseArguments(argv), argv.join(' ')).toThrow(RedriveUsageError);
    }
  });
});

/** A fake AWS CLI over an in-memory queue: records every call, answers like the CLI does. */
function fakeAws(messages: { id: string; body: string }[], invokeStatus: (functionName: string) => number) {
  const queue = messages.map((message) => ({ ...message, visible: true }));
  const calls: string[][] = [];
  const invoked: { functionName: string; payload: string }[] = [];
  const cli: AwsCli = async (args) => {
    calls.push([...args]);
    const [service, command] = args;
    const value = (flag: string) => args[args.indexOf(flag) + 1] ?? '';
    if (service === 'sqs' && command === 'get-queue-url')
      return JSON.stringify({ QueueUrl: `https://sqs.example/${value('--queue-name')}` });
    if (service === 'sqs' && command === 'receive-message') {
      const batch = queue
        .filter((message) => message.visible)
        .slice(0, Number(value('--max-number-of-messages')));
      if (Number(value('--visibility-timeout')) > 0) for (const message of batch) message.visible = false;
      if (batch.length === 0) return '';
      return JSON.stringify({
        Messages: batch.map((message) => ({
          MessageId: message.id,
          ReceiptHandle: `rh-${message.id}`,
          Body: message.body,
        })),
      });
    }
    if (service === 'sqs' && command === 'delete-message') {
      const handle = value('--receipt-handle');
      queue.splice(
        queue.findIndex((message) => `rh-${message.id}` === handle),
        1,
      );
      return '';
    }
    if (service === 'lambda' && command === 'invoke') {
      const functionName = value('--function-name');
      invoked.push({
        functionName,
        payload: readFileSync(value('--payload').replace('fileb://', ''), 'utf8'),
      });
      return JSON.stringify({ StatusCode: invokeStatus(functionName) });
    }
    throw new Error(`unexpected aws ${args.join(' ')}`);
  };
  return { cli, calls, invoked, remaining: () => queue.map((message) => message.id) };
}

describe('redrive', () => {
  it('invokes each function asynchronously with the payload, then deletes the message; leaves what it cannot send', async () => {
    const aws = fakeAws(
      [
        { id: 'ok', body: invocationRecord(TRIAGE_ARN) },
        { id: 'foreign', body: invocationRecord('arn:aws:lambda:eu-west-1:1:function:other') },
        {
          id: 'poller',
          body: invocationRecord('arn:aws:lambda:eu-west-1:1:function:cordon-prod-poller', {}),
        },
      ],
      () => 202,
    );

    const report = await redrive(aws.cli, {
      prefix: PREFIX,
      source: { queue: 'on-failure' },
      max: 100,
      dryRun: false,
    });

    expect(report.redriven).toEqual(['ok', 'poller']);
    expect(report.left.map((entry) => entry.messageId)).toEqual(['foreign']);
    expect(aws.remaining()).toEqual(['foreign']);
    expect(aws.invoked).toEqual([
      { functionName: 'cordon-prod-triage', payload: JSON.stringify(EVENT) },
      { functionName: 'cordon-prod-poller', payload: '{}' },
    ]);
    expect(aws.calls.filter((call) => call[1] === 'invoke').every((call) => call.includes('Event'))).toBe(
      true,
    );
    expect(aws.calls[0]).toEqual(['sqs', 'get-queue-url', '--queue-name', 'cordon-prod-on-failure']);
  });

  it('keeps the message when Lambda does not accept the invocation: nothing deleted that was not delivered', async () => {
    const aws = fakeAws([{ id: 'throttled', body: invocationRecord(TRIAGE_ARN) }], () => 429);

    const report = await redrive(aws.cli, {
      prefix: PREFIX,
      source: { queue: 'on-failure' },
      max: 100,
      dryRun: false,
    });

    expect(report.redriven).toEqual([]);
    expect(report.left).toEqual([{ messageId: 'throttled', reason: 'Lambda answered status 429, not 202' }]);
    expect(aws.remaining()).toEqual(['throttled']);
    expect(aws.calls.some((call) => call[1] === 'delete-message')).toBe(false);
  });

  it('in a dry run, plans and changes nothing: no invocation, no deletion, messages left visible', async () => {
    const aws = fakeAws([{ id: 'a', body: JSON.stringify(EVENT) }], () => 202);

    const report = await redrive(aws.cli, {
      prefix: PREFIX,
      source: { queue: 'dead-letter' },
      max: 100,
      dryRun: true,
    });

    expect(report.planned.map((plan) => plan.functionName)).toEqual(['cordon-prod-triage']);
    expect(aws.invoked).toEqual([]);
    expect(aws.remaining()).toEqual(['a']);
    expect(aws.calls.find((call) => call[1] === 'receive-message')).toEqual(
      expect.arrayContaining(['--visibility-timeout', '0']),
    );
    expect(aws.calls[0]).toEqual(['sqs', 'get-queue-url', '--queue-name', 'cordon-prod-events-dlq']);
  });

  it('stops at --max', async () => {
    const aws = fakeAws(
      Array.from({ length: 15 }, (_, index) => ({ id: `m${index}`, body: invocationRecord(TRIAGE_ARN) })),
      () => 202,
    );

    const report = await redrive(aws.cli, {
      prefix: PREFIX,
      source: { queue: 'on-failure' },
      max: 12,
      dryRun: false,
    });

    expect(report.redriven).toHaveLength(12);
    expect(aws.remaining()).toHaveLength(3);
  });

  describe('from a file', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    });

    it('sends each event of the file to triage', async () => {
      dir = mkdtempSync(join(tmpdir(), 'cordon-redrive-test-'));
      const file = join(dir, 'events.json');
      writeFileSync(file, JSON.stringify([EVENT, { ...EVENT, id: 'second' }]));
      const aws = fakeAws([], () => 202);

      const report = await redrive(aws.cli, { prefix: PREFIX, source: { file }, max: 100, dryRun: false });

      expect(report.redriven).toEqual(['file[0]', 'file[1]']);
      expect(aws.invoked.map((call) => JSON.parse(call.payload).id)).toEqual([EVENT.id, 'second']);
    });
  });
});

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  type Finding,
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { parseSettings } from '@cordon/core/policy/settings';
import { DynamoDbCursorStore } from '@cordon/core/poller/dynamodb-cursor-store';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPollerHandler, guardDutyPort, lambdaTriageSender } from '../src/poller.ts';

const NOW = new Date('2026-11-28T10:00:00Z');
const context = {
  functionName: 'cordon-prod-poller',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cordon-prod-poller',
  awsRequestId: 'r-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context; // only the fields the middlewares read

const guardduty = mockClient(GuardDutyClient);
const lambda = mockClient(LambdaClient);
const dynamodb = mockClient(DynamoDBClient);

// Findings carry only what the poller reads; the SDK type requires many more fields, hence the casts below.
function finding(id: string, updatedAt: string) {
  return { Id: id, Type: 'Recon:EC2/PortProbeUnprotectedPort', Severity: 5, UpdatedAt: updatedAt };
}

function handler(settings = parseSettings({ severity: { ignoreBelow: 4 } })) {
  return createPollerHandler({
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'CordonTest' }),
    loadSettings: async () => settings,
    ports: {
      guardDuty: guardDutyPort(new GuardDutyClient({})),
      cursors: new DynamoDbCursorStore({ client: new DynamoDBClient({}), tableName: 'cordon-prod-ledger' }),
      sendToTriage: lambdaTriageSender(new LambdaClient({}), 'cordon-prod-triage'),
      now: () => NOW,
    },
  });
}

function decoded(payload: unknown): unknown {
  return JSON.parse(new TextDecoder().decode(payload as Uint8Array));
}

describe('poller handler', () => {
  beforeEach(() => {
    guardduty.reset();
    lambda.reset();
    dynamodb.reset();
    guardduty.on(ListDetectorsCommand).resolves({ DetectorIds: ['det-1'] });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    dynamodb.on(GetItemCommand).resolves({ Item: { updatedAt: { N: String(NOW.getTime() - 60_000) } } });
    dynamodb.on(PutItemCommand).resolves({});
  });

  it('lists findings since the cursor with the settings floor, and hands them to triage asynchronously', async () => {
    guardduty
      .on(ListFindingsCommand)
      .resolvesOnce({ FindingIds: ['f1', 'f2'], NextToken: 'page-2' })
      .resolvesOnce({ FindingIds: ['f3'] });
    guardduty.on(GetFindingsCommand).resolves({
      Findings: [
        finding('f1', '2026-11-28T09:58:00.000Z'),
        finding('f2', '2026-11-28T09:59:00.000Z'),
        finding('f3', '2026-11-28T09:59:30.000Z'),
      ] as unknown as Finding[],
    });

    const result = await handler()({}, context);

    expect(guardduty).toHaveReceivedNthCommandWith(ListFindingsCommand, 1, {
      DetectorId: 'det-1',
      FindingCriteria: {
        Criterion: {
          updatedAt: { GreaterThanOrEqual: NOW.getTime() - 6 * 60_000 },
          severity: { GreaterThanOrEqual: 4 },
          'service.archived': { Equals: ['false'] },
        },
      },
      SortCriteria: { AttributeName: 'updatedAt', OrderBy: 'ASC' },
      MaxResults: 50,
    });
    expect(guardduty).toHaveReceivedCommandWith(ListFindingsCommand, { NextToken: 'page-2' });
    expect(guardduty).toHaveReceivedCommandWith(GetFindingsCommand, {
      DetectorId: 'det-1',
      FindingIds: ['f1', 'f2', 'f3'],
    });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const invoke = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(invoke).toMatchObject({ FunctionName: 'cordon-prod-triage', InvocationType: 'Event' });
    expect(decoded(invoke?.Payload)).toEqual({
      source: 'cordon.poller',
      findings: [
        finding('f1', '2026-11-28T09:58:00.000Z'),
        finding('f2', '2026-11-28T09:59:00.000Z'),
        finding('f3', '2026-11-28T09:59:30.000Z'),
      ],
    });
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'cordon-prod-ledger',
      Item: expect.objectContaining({ updatedAt: { N: String(Date.parse('2026-11-28T09:59:30.000Z')) } }),
    });
    expect(result.detectors[0]).toMatchObject({ detectorId: 'det-1', sent: 3, batches: 1 });
  });

  it('sends nothing and keeps the cursor when there is nothing new', async () => {
    guardduty.on(ListFindingsCommand).resolves({ FindingIds: [] });

    await handler()({}, context);

    expect(guardduty).not.toHaveReceivedCommand(GetFindingsCommand);
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('polls with the default floor when settings failed closed', async () => {
    guardduty.on(ListFindingsCommand).resolves({ FindingIds: [] });

    await handler(parseSettings({ severity: { ignoreBelow: 'high' } }))({}, context);

    expect(guardduty).toHaveReceivedCommandWith(ListFindingsCommand, {
      FindingCriteria: expect.objectContaining({
        Criterion: expect.objectContaining({ severity: { GreaterThanOrEqual: 0 } }),
      }),
    });
  });

  it('fails the run, without moving the cursor, when triage does not accept a batch', async () => {
    guardduty.on(ListFindingsCommand).resolves({ FindingIds: ['f1'] });
    guardduty
      .on(GetFindingsCommand)
      .resolves({ Findings: [finding('f1', '2026-11-28T09:59:00.000Z')] as unknown as Finding[] });
    lambda.on(InvokeCommand).resolves({ StatusCode: 500 });

    await expect(handler()({}, context)).rejects.toMatchObject({
      name: 'TriageInvocationRejectedError',
      statusCode: 500,
      message: expect.stringContaining('not accepted'),
    });
    expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
  });
});

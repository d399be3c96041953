import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  listApprovals,
  listDecisions,
  readIncident,
  readSettingsRecord,
  recordSettings,
  startedExecutions,
} from '../../src/ledger/incident-reads.ts';
import type { LedgerEntry } from '../../src/ledger/ledger.ts';
import { INCIDENT_ID, pendingRecord, TASK_TOKEN } from '../approval/fixtures.ts';

const dynamodb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });

beforeEach(() => {
  dynamodb.reset();
});

function entry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    incidentId: INCIDENT_ID,
    step: 'triage',
    at: '2026-11-28T10:00:00.000Z',
    outcome: 'done',
    dryRun: false,
    settingsVersion: '0123456789ab',
    input: {},
    changes: [],
    notes: [],
    ...overrides,
  };
}

/** An entry as the ledger stores it: its sort key, TTL and (for a decision) the index's month beside it. */
function stored(value: LedgerEntry, extra: Record<string, unknown> = {}) {
  return marshall(
    {
      ...value,
      sk: `${value.at}#${value.step}`,
      expiresAt: 1_800_000_000,
      decisionMonth: value.at.slice(0, 7),
      ...extra,
    },
    { removeUndefinedValues: true },
  );
}

describe('listDecisions', () => {
  it('queries the decisions index once per month of the window, from the window start, and keeps [from, to) only', async () => {
    // Prepare
    const november = entry({ at: '2026-11-28T10:00:00.000Z' });
    const decemberIn = entry({ at: '2026-12-01T09:59:59.999Z' });
    const decemberAtEnd = entry({ at: '2026-12-01T10:00:00.000Z' });
    const beforeStart = entry({ at: '2026-11-20T09:59:59.999Z' });
    dynamodb
      .on(QueryCommand, {
        ExpressionAttributeValues: { ':month': { S: '2026-11' }, ':from': { S: '2026-11-20T10:00:00.000Z' } },
      })
      .resolves({ Items: [stored(beforeStart), stored(november)] })
      .on(QueryCommand, {
        ExpressionAttributeValues: { ':month': { S: '2026-12' }, ':from': { S: '2026-11-20T10:00:00.000Z' } },
      })
      .resolves({ Items: [stored(decemberIn), stored(decemberAtEnd)] });

    // Act
    const decisions = await listDecisions(client, {
      tableName: 'ledger',
      from: new Date('2026-11-20T10:00:00.000Z'),
      to: new Date('2026-12-01T10:00:00.000Z'),
    });

    // Assess: the boundary is inclusive at the start and exclusive at the end; storage fields are dropped.
    expect(decisions).toEqual([november, decemberIn]);
    expect(dynamodb).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(dynamodb).toHaveReceivedNthCommandWith(QueryCommand, 1, {
      TableName: 'ledger',
      IndexName: 'decisions-by-month',
      KeyConditionExpression: 'decisionMonth = :month AND sk >= :from',
      ExpressionAttributeValues: { ':month': { S: '2026-11' }, ':from': { S: '2026-11-20T10:00:00.000Z' } },
    });
  });

  it('keeps a decision at exactly the window start', async () => {
    const atStart = entry({ at: '2026-11-20T10:00:00.000Z' });
    dynamodb.on(QueryCommand).resolves({ Items: [stored(atStart)] });
    const decisions = await listDecisions(client, {
      tableName: 'ledger',
      from: new Date('2026-11-20T10:00:00.000Z'),
      to: new Date('2026-11-21T10:00:00.000Z'),
    });
    expect(decisions).toEqual([atStart]);
  });

  it('reads every page of a month', async () => {
    // Prepare
    const first = entry({ at: '2026-11-28T10:00:00.000Z' });
    const second = entry({ at: '2026-11-28T11:00:00.000Z' });
    const lastKey = { incidentId: { S: INCIDENT_ID }, sk: { S: 'x' } };
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored(first)], LastEvaluatedKey: lastKey })
      .resolvesOnce({ Items: [stored(second)] });

    // Act
    const decisions = await listDecisions(client, {
      tableName: 'ledger',
      from: new Date('2026-11-01T00:00:00.000Z'),
      to: new Date('2026-11-30T00:00:00.000Z'),
    });

    // Assess
    expect(decisions).toEqual([first, second]);
    expect(dynamodb).toHaveReceivedNthCommandWith(QueryCommand, 1, { ExclusiveStartKey: undefined });
    expect(dynamodb).toHaveReceivedNthCommandWith(QueryCommand, 2, { ExclusiveStartKey: lastKey });
  });

  it('takes a page without items as empty', async () => {
    dynamodb.on(QueryCommand).resolves({});
    const decisions = await listDecisions(client, {
      tableName: 'ledger',
      from: new Date('2026-11-01T00:00:00.000Z'),
      to: new Date('2026-11-30T00:00:00.000Z'),
    });
    expect(decisions).toEqual([]);
  });
});

describe('readIncident', () => {
  it("reads the incident's partition consistently: entries apart from the claim", async () => {
    // Prepare
    const decision = entry();
    const step = entry({ step: 'contain-instance', at: '2026-11-28T10:00:05.000Z', outcome: 'planned' });
    const claim = { incidentId: INCIDENT_ID, sk: '~execution', holder: 'exec-1', generation: 2 };
    dynamodb.on(QueryCommand).resolves({ Items: [stored(decision), stored(step), marshall(claim)] });

    // Act
    const read = await readIncident(client, 'ledger', INCIDENT_ID);

    // Assess
    expect(read).toEqual({ entries: [decision, step], claim });
    expect(dynamodb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'ledger',
      KeyConditionExpression: 'incidentId = :id',
      ExpressionAttributeValues: { ':id': { S: INCIDENT_ID } },
      ConsistentRead: true,
    });
  });

  it('has no claim when the partition holds none', async () => {
    dynamodb.on(QueryCommand).resolves({ Items: [stored(entry())] });
    const read = await readIncident(client, 'ledger', INCIDENT_ID);
    expect(read).toEqual({ entries: [entry()] });
    expect(Object.hasOwn(read, 'claim')).toBe(false);
  });
});

describe('listApprovals', () => {
  it('reads the approvals index by incident and drops the task token and the TTL', async () => {
    // Prepare
    const record = pendingRecord();
    dynamodb.on(QueryCommand).resolves({
      Items: [marshall({ ...record, expiresAtEpoch: 1_800_000_000 }, { removeUndefinedValues: true })],
    });

    // Act
    const approvals = await listApprovals(client, 'approvals', INCIDENT_ID);

    // Assess
    const { taskToken: _token, ...withoutToken } = record;
    expect(approvals).toEqual([{ ok: true, record: withoutToken }]);
    expect(JSON.stringify(approvals)).not.toContain(TASK_TOKEN);
    expect(dynamodb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'approvals',
      IndexName: 'approvals-by-incident',
      KeyConditionExpression: 'incidentId = :id',
      ExpressionAttributeValues: { ':id': { S: INCIDENT_ID } },
    });
  });

  it('reports a record it cannot read, by id and with every problem, instead of dropping it', async () => {
    // Prepare
    const broken = { ...pendingRecord(), status: 'lost', dryRun: 'no' };
    const { approvalId: _id, ...noId } = pendingRecord();
    dynamodb.on(QueryCommand).resolves({ Items: [marshall(broken), marshall(noId)] });

    // Act
    const approvals = await listApprovals(client, 'approvals', INCIDENT_ID);

    // Assess
    expect(approvals).toHaveLength(2);
    expect(approvals[0]).toMatchObject({ ok: false, approvalId: pendingRecord().approvalId });
    const problem = approvals[0]?.ok === false ? approvals[0].problem : '';
    expect(problem).toMatch(/^dryRun: .+; status: .+$/);
    expect(approvals[1]).toMatchObject({ ok: false, approvalId: '(no id)' });
    expect(approvals[1]?.ok === false && approvals[1].problem).toMatch(/^approvalId: /);
  });
  it('names a nested field it cannot read by its whole path', async () => {
    const record = pendingRecord();
    dynamodb.on(QueryCommand).resolves({
      Items: [
        marshall({ ...record, incident: { ...record.incident, severity: { score: 'high', label: 'high' } } }),
      ],
    });
    const [approval] = await listApprovals(client, 'approvals', INCIDENT_ID);
    expect(approval?.ok === false && approval.problem).toMatch(/^incident\.severity\.score: /);
  });
});

describe('startedExecutions', () => {
  it('reads each execution triage started from its decisions, oldest first, each once', () => {
    // Prepare
    const entries = [
      entry({
        at: '2026-11-28T10:00:00.000Z',
        notes: ['decided act', 'started ec2-compromise as execution guardduty-abc_1'],
      }),
      // The same execution noted again, then a second one.
      entry({
        at: '2026-11-28T10:05:00.000Z',
        notes: [
          'started ec2-compromise as execution guardduty-abc_1',
          'started credential-compromise as execution guardduty-abc_1',
          'started ec2-compromise as execution guardduty-abc_2',
        ],
      }),
    ];

    // Act + Assess
    expect(startedExecutions(entries)).toEqual([
      { playbook: 'ec2-compromise', executionName: 'guardduty-abc_1', at: '2026-11-28T10:00:00.000Z' },
      { playbook: 'credential-compromise', executionName: 'guardduty-abc_1', at: '2026-11-28T10:05:00.000Z' },
      { playbook: 'ec2-compromise', executionName: 'guardduty-abc_2', at: '2026-11-28T10:05:00.000Z' },
    ]);
  });

  it('ignores notes of steps other than triage, unknown playbooks, and notes that only look alike', () => {
    const entries = [
      entry({ step: 'contain-instance', notes: ['started ec2-compromise as execution from-a-step'] }),
      entry({
        notes: [
          'started no-such-playbook as execution x1',
          'we started ec2-compromise as execution x2',
          'started ec2-compromise as execution x3 again',
          'started ec2-compromise as execution bad.name',
          `started ec2-compromise as execution ${'n'.repeat(81)}`,
          'started EC2-compromise as execution x4',
        ],
      }),
    ];
    expect(startedExecutions(entries)).toEqual([]);
  });

  it('takes an execution name of 80 characters, the longest Step Functions allows', () => {
    const name = 'n'.repeat(80);
    expect(
      startedExecutions([entry({ notes: [`started notify-only as execution ${name}`] })]).map(
        (started) => started.executionName,
      ),
    ).toEqual([name]);
  });
});

describe('settings records', () => {
  const record = {
    version: '3f1c0a9b27de',
    settings: { mode: 'enforce', severity: { approvalAt: 4 } },
    recordedAt: '2026-11-28T10:00:00.000Z',
    recordedBy: 'arn:aws:iam::123456789012:role/admin',
  };

  it('records a version once, under its own partition, never overwriting', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).resolves({});

    // Act
    const result = await recordSettings(client, 'ledger', record);

    // Assess
    expect(result).toBe('recorded');
    expect(dynamodb).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: 'ledger',
      ConditionExpression: 'attribute_not_exists(sk)',
    });
    const item = dynamodb.commandCalls(PutItemCommand)[0]?.args[0].input.Item ?? {};
    expect(unmarshall(item)).toEqual({ incidentId: 'settings#3f1c0a9b27de', sk: '~settings', ...record });
  });

  it('leaves out undefined values rather than failing', async () => {
    dynamodb.on(PutItemCommand).resolves({});
    await recordSettings(client, 'ledger', {
      ...record,
      settings: { mode: 'enforce', responder: { externalId: undefined } },
    });
    const item = dynamodb.commandCalls(PutItemCommand)[0]?.args[0].input.Item ?? {};
    expect(unmarshall(item).settings).toEqual({ mode: 'enforce', responder: {} });
  });

  it('says known when the version was recorded already', async () => {
    dynamodb
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    await expect(recordSettings(client, 'ledger', record)).resolves.toBe('known');
  });

  it('passes any other failure on', async () => {
    dynamodb
      .on(PutItemCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(recordSettings(client, 'ledger', record)).rejects.toThrow('slow down');
  });

  it('reads a recorded version back, consistently, without its keys', async () => {
    // Prepare
    dynamodb.on(QueryCommand).resolves({
      Items: [marshall({ incidentId: 'settings#3f1c0a9b27de', sk: '~settings', ...record })],
    });

    // Act
    const read = await readSettingsRecord(client, 'ledger', '3f1c0a9b27de');

    // Assess
    expect(read).toEqual(record);
    expect(dynamodb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'ledger',
      KeyConditionExpression: 'incidentId = :id',
      ExpressionAttributeValues: { ':id': { S: 'settings#3f1c0a9b27de' } },
      ConsistentRead: true,
    });
  });

  it('reads nothing for a version never recorded, or a partition without the record', async () => {
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Items: [] })
      .resolvesOnce({
        Items: [marshall({ incidentId: 'settings#3f1c0a9b27de', sk: 'other' })],
      });
    await expect(readSettingsRecord(client, 'ledger', '3f1c0a9b27de')).resolves.toBeUndefined();
    await expect(readSettingsRecord(client, 'ledger', '3f1c0a9b27de')).resolves.toBeUndefined();
  });
});

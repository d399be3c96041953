import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DynamoDbModel } from '../../../src/sandbox/models/dynamodb.ts';
import {
  evaluateCondition,
  type Item,
  Placeholders,
  parseCondition,
} from '../../../src/sandbox/models/dynamodb-expressions.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const APPROVALS = 'cordon-approvals';
const INCIDENTS = 'cordon-incidents';

function setup() {
  const sandbox = new SandboxAccount({
    accountId: '111122223333',
    now: () => new Date('2026-03-01T12:00:00Z'),
  });
  const dynamodb = new DynamoDbModel(sandbox.context)
    .createTable({ tableName: APPROVALS, partitionKey: 'approvalId' })
    .createTable({ tableName: INCIDENTS, partitionKey: 'pk', sortKey: 'sk' });
  sandbox.register(dynamodb);
  const client = sandbox.attach(new DynamoDBClient({ region: 'us-east-1' }));
  return { sandbox, dynamodb, client };
}

function seedIncidentEvents(dynamodb: DynamoDbModel): void {
  for (const [sk, step] of [
    ['2026-03-01T10:00:00Z#intake', 'intake'],
    ['2026-03-01T10:01:00Z#decide', 'decide'],
    ['2026-03-01T10:02:00Z#isolate', 'isolate'],
    ['2026-03-01T10:03:00Z#snapshot', 'snapshot'],
    ['2026-03-01T10:04:00Z#notify', 'notify'],
  ] as const) {
    dynamodb.putItem(INCIDENTS, { pk: { S: 'INC#1' }, sk: { S: sk }, step: { S: step } });
  }
  dynamodb.putItem(INCIDENTS, {
    pk: { S: 'INC#2' },
    sk: { S: '2026-03-01T11:00:00Z#intake' },
    step: { S: 'intake' },
  });
}

const approval = (id: string, extra: Item = {}): Item => ({ approvalId: { S: id }, ...extra });

describe('DynamoDbModel', () => {
  describe('conditional writes', () => {
    it('a conditional put on an existing key fails with ConditionalCheckFailedException and changes nothing', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      dynamodb.putItem(APPROVALS, approval('a-1', { state: { S: 'pending' } }));
      const before = dynamodb.snapshot();

      // Act
      const attempt = client.send(
        new PutItemCommand({
          TableName: APPROVALS,
          Item: approval('a-1', { state: { S: 'approved' } }),
          ConditionExpression: 'attribute_not_exists(approvalId)',
        }),
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'ConditionalCheckFailedException',
        message: 'The conditional request failed',
        $metadata: { httpStatusCode: 400 },
      });
      expect(dynamodb.snapshot()).toEqual(before);
    });

    it('a failed condition carries the current item when ReturnValuesOnConditionCheckFailure is ALL_OLD', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      dynamodb.putItem(APPROVALS, approval('a-1', { state: { S: 'decided' } }));

      // Act
      const attempt = client.send(
        new UpdateItemCommand({
          TableName: APPROVALS,
          Key: approval('a-1'),
          UpdateExpression: 'SET #state = :approved',
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':approved': { S: 'approved' }, ':pending': { S: 'pending' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'ConditionalCheckFailedException',
        Item: approval('a-1', { state: { S: 'decided' } }),
      });
    });

    it('a put guarded by attribute_not_exists succeeds exactly once for repeated puts of the same key', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 8 }),
          fc.integer({ min: 1, max: 6 }),
          async (id, tries) => {
            // Prepare
            const { dynamodb, client } = setup();

            // Act
            const outcomes = [];
            for (let attempt = 0; attempt < tries; attempt += 1) {
              outcomes.push(
                await client
                  .send(
                    new PutItemCommand({
                      TableName: APPROVALS,
                      Item: approval(id, { attempt: { N: String(attempt) } }),
                      ConditionExpression: 'attribute_not_exists(approvalId)',
                    }),
                  )
                  .then(
                    () => 'ok',
                    (error: Error) => error.name,
                  ),
              );
            }

            // Assess
            expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(1);
            expect(outcomes.slice(1).every((outcome) => outcome === 'ConditionalCheckFailedException')).toBe(
              true,
            );
            expect(dynamodb.getItem(APPROVALS, approval(id))?.attempt).toEqual({ N: '0' });
          },
        ),
        { numRuns: 50 },
      );
    });

    it('DeleteItem with a failing condition keeps the item; without one it removes it and can return it', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      dynamodb.putItem(APPROVALS, approval('a-1', { used: { BOOL: true } }));

      // Act
      const guarded = client.send(
        new DeleteItemCommand({
          TableName: APPROVALS,
          Key: approval('a-1'),
          ConditionExpression: 'used = :false',
          ExpressionAttributeValues: { ':false': { BOOL: false } },
        }),
      );
      await expect(guarded).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
      const deleted = await client.send(
        new DeleteItemCommand({ TableName: APPROVALS, Key: approval('a-1'), ReturnValues: 'ALL_OLD' }),
      );

      // Assess
      expect(deleted.Attributes).toEqual(approval('a-1', { used: { BOOL: true } }));
      expect(dynamodb.items(APPROVALS)).toEqual([]);
    });
  });

  describe('condition expressions', () => {
    const item: Item = {
      approvalId: { S: 'a-1' },
      state: { S: 'pending' },
      count: { N: '3' },
      approvers: { SS: ['U1', 'U2'] },
      decision: { M: { by: { S: 'U1' }, comment: { S: 'looks bad, contain it' } } },
      history: { L: [{ S: 'created' }, { S: 'notified' }] },
    };

    it.each([
      ['#s = :pending', true],
      ['#s <> :pending', false],
      ['#c > :two AND #c <= :three', true],
      ['#c < :two OR #s = :pending', true],
      ['NOT (#c BETWEEN :one AND :two)', true],
      ['#c IN (:one, :two, :three)', true],
      ['begins_with(#s, :pend)', true],
      ['contains(approvers, :u2)', true],
      ['contains(decision.#comment, :bad)', true],
      ['decision.#by = :u1', true],
      ['history[1] = :notified', true],
      ['attribute_exists(decision.#by) AND attribute_not_exists(decision.decidedAt)', true],
      ['attribute_type(approvers, :ss)', true],
      ['size(history) = :two', true],
      ['absent = :pending', false],
      ['absent <> :pending', true],
      ['#s = :pending AND (absent = :one OR #c = :three)', true],
    ])('%s evaluates to %s', (expression, expected) => {
      // Prepare
      const placeholders = new Placeholders(
        { '#s': 'state', '#c': 'count', '#comment': 'comment', '#by': 'by' },
        {
          ':pending': { S: 'pending' },
          ':pend': { S: 'pend' },
          ':one': { N: '1' },
          ':two': { N: '2' },
          ':three': { N: '3' },
          ':u1': { S: 'U1' },
          ':u2': { S: 'U2' },
          ':bad': { S: 'bad' },
          ':notified': { S: 'notified' },
          ':ss': { S: 'SS' },
        },
      );

      // Act
      const result = evaluateCondition(parseCondition(expression, placeholders, 'ConditionExpression'), item);

      // Assess
      expect(result).toBe(expected);
    });

    it('numeric comparisons agree with arithmetic for any pair of numbers', () => {
      const comparators = {
        '=': (a: number, b: number) => a === b,
        '<>': (a: number, b: number) => a !== b,
        '<': (a: number, b: number) => a < b,
        '<=': (a: number, b: number) => a <= b,
        '>': (a: number, b: number) => a > b,
        '>=': (a: number, b: number) => a >= b,
      };
      fc.assert(
        fc.property(
          fc.integer({ min: -1e9, max: 1e9 }),
          fc.integer({ min: -1e9, max: 1e9 }),
          fc.constantFrom(...(Object.keys(comparators) as (keyof typeof comparators)[])),
          (a, b, comparator) => {
            // Prepare
            const placeholders = new Placeholders({}, { ':b': { N: String(b) } });

            // Act
            const condition = parseCondition(`n ${comparator} :b`, placeholders, 'ConditionExpression');

            // Assess
            expect(evaluateCondition(condition, { n: { N: String(a) } })).toBe(comparators[comparator](a, b));
          },
        ),
      );
    });
  });

  describe('UpdateItem', () => {
    it('SET, REMOVE and ADD change the item, creating it when absent, and ReturnValues shape the answer', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      dynamodb.putItem(APPROVALS, approval('a-1', { obsolete: { S: 'x' }, reminders: { N: '1' } }));

      // Act
      const output = await client
        .send(
          new UpdateItemCommand({
            TableName: APPROVALS,
            Key: approval('a-1'),
            UpdateExpression:
              'SET #state = :approved, decision.#by = :user, firstSeen = if_not_exists(firstSeen, :now), events = list_append(if_not_exists(events, :empty), :event) REMOVE obsolete ADD reminders :one, tags :tags',
            ExpressionAttributeNames: { '#state': 'state', '#by': 'by' },
            ExpressionAttributeValues: {
              ':approved': { S: 'approved' },
              ':user': { S: 'U1' },
              ':now': { S: '2026-03-01T12:00:00Z' },
              ':empty': { L: [] },
              ':event': { L: [{ S: 'approved' }] },
              ':one': { N: '1' },
              ':tags': { SS: ['urgent'] },
            },
            ReturnValues: 'ALL_NEW',
          }),
        )
        .catch((error: Error) => error);

      // Assess: `decision` does not exist, so `decision.by` cannot be set, as in DynamoDB.
      expect(output).toMatchObject({
        name: 'ValidationException',
        message: 'The document path provided in the update expression is invalid for update',
      });
      expect(dynamodb.getItem(APPROVALS, approval('a-1'))).toEqual(
        approval('a-1', { obsolete: { S: 'x' }, reminders: { N: '1' } }),
      );

      // Act again, without the nested path
      const updated = await client.send(
        new UpdateItemCommand({
          TableName: APPROVALS,
          Key: approval('a-1'),
          UpdateExpression:
            'SET #state = :approved, firstSeen = if_not_exists(firstSeen, :now), events = list_append(if_not_exists(events, :empty), :event) REMOVE obsolete ADD reminders :one, tags :tags',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':approved': { S: 'approved' },
            ':now': { S: '2026-03-01T12:00:00Z' },
            ':empty': { L: [] },
            ':event': { L: [{ S: 'approved' }] },
            ':one': { N: '1' },
            ':tags': { SS: ['urgent'] },
          },
          ReturnValues: 'ALL_NEW',
        }),
      );

      // Assess
      expect(updated.Attributes).toEqual(
        approval('a-1', {
          state: { S: 'approved' },
          firstSeen: { S: '2026-03-01T12:00:00Z' },
          events: { L: [{ S: 'approved' }] },
          reminders: { N: '2' },
          tags: { SS: ['urgent'] },
        }),
      );
    });

    it('UPDATED_NEW answers only the updated attributes, and UpdateItem creates a missing item', async () => {
      // Prepare
      const { dynamodb, client } = setup();

      // Act
      const output = await client.send(
        new UpdateItemCommand({
          TableName: APPROVALS,
          Key: approval('new'),
          UpdateExpression: 'SET expiresAt = :t ADD attempts :one',
          ExpressionAttributeValues: { ':t': { N: '1767225600' }, ':one': { N: '1' } },
          ReturnValues: 'UPDATED_NEW',
        }),
      );

      // Assess
      expect(output.Attributes).toEqual({ expiresAt: { N: '1767225600' }, attempts: { N: '1' } });
      expect(dynamodb.getItem(APPROVALS, approval('new'))).toEqual(
        approval('new', { expiresAt: { N: '1767225600' }, attempts: { N: '1' } }),
      );
    });

    it('ALL_OLD answers the item as it was before the update', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      dynamodb.putItem(APPROVALS, approval('a-1', { state: { S: 'pending' } }));

      // Act
      const output = await client.send(
        new UpdateItemCommand({
          TableName: APPROVALS,
          Key: approval('a-1'),
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'state' },
          ExpressionAttributeValues: { ':s': { S: 'approved' } },
          ReturnValues: 'ALL_OLD',
        }),
      );

      // Assess
      expect(output.Attributes).toEqual(approval('a-1', { state: { S: 'pending' } }));
    });

    it('a key attribute cannot be updated', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const attempt = client.send(
        new UpdateItemCommand({
          TableName: APPROVALS,
          Key: approval('a-1'),
          UpdateExpression: 'SET approvalId = :other',
          ExpressionAttributeValues: { ':other': { S: 'a-2' } },
        }),
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('This attribute is part of the key'),
      });
    });
  });

  describe('Query and Scan', () => {
    it.each([
      ['pk = :pk', {}, ['intake', 'decide', 'isolate', 'snapshot', 'notify']],
      ['pk = :pk AND sk < :t2', { ':t2': { S: '2026-03-01T10:02' } }, ['intake', 'decide']],
      ['pk = :pk AND sk >= :t2', { ':t2': { S: '2026-03-01T10:02' } }, ['isolate', 'snapshot', 'notify']],
      [
        'pk = :pk AND sk BETWEEN :a AND :b',
        { ':a': { S: '2026-03-01T10:01' }, ':b': { S: '2026-03-01T10:03' } },
        ['decide', 'isolate'],
      ],
      ['pk = :pk AND begins_with(sk, :p)', { ':p': { S: '2026-03-01T10:03' } }, ['snapshot']],
      ['pk = :pk AND sk = :exact', { ':exact': { S: '2026-03-01T10:00:00Z#intake' } }, ['intake']],
    ] as [string, Record<string, AttributeValue>, string[]][])(
      'Query with %s answers the matching items in sort-key order',
      async (expression, values, steps) => {
        // Prepare
        const { dynamodb, client } = setup();
        seedIncidentEvents(dynamodb);

        // Act
        const output = await client.send(
          new QueryCommand({
            TableName: INCIDENTS,
            KeyConditionExpression: expression,
            ExpressionAttributeValues: { ':pk': { S: 'INC#1' }, ...values },
          }),
        );

        // Assess
        expect(output.Items?.map((item) => item.step?.S)).toEqual(steps);
        expect(output.Count).toBe(steps.length);
      },
    );

    it('Query pages backwards with ScanIndexForward false and Limit, resuming from LastEvaluatedKey', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      seedIncidentEvents(dynamodb);
      const query = (exclusiveStartKey?: Item) =>
        client.send(
          new QueryCommand({
            TableName: INCIDENTS,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: 'INC#1' } },
            ScanIndexForward: false,
            Limit: 2,
            ExclusiveStartKey: exclusiveStartKey,
          }),
        );

      // Act
      const pages = [];
      let start: Item | undefined;
      do {
        const page = await query(start);
        pages.push(page.Items?.map((item) => item.step?.S));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);

      // Assess
      expect(pages).toEqual([['notify', 'snapshot'], ['isolate', 'decide'], ['intake']]);
    });

    it('Limit bounds the items evaluated before the filter, as in DynamoDB', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      seedIncidentEvents(dynamodb);

      // Act
      const output = await client.send(
        new QueryCommand({
          TableName: INCIDENTS,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: '#step = :isolate',
          ExpressionAttributeNames: { '#step': 'step' },
          ExpressionAttributeValues: { ':pk': { S: 'INC#1' }, ':isolate': { S: 'isolate' } },
          Limit: 2,
        }),
      );

      // Assess
      expect(output).toMatchObject({ Items: [], Count: 0, ScannedCount: 2 });
      expect(output.LastEvaluatedKey).toEqual({
        pk: { S: 'INC#1' },
        sk: { S: '2026-03-01T10:01:00Z#decide' },
      });
    });

    it('a key condition without the partition key is refused', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const attempt = client.send(
        new QueryCommand({
          TableName: INCIDENTS,
          KeyConditionExpression: 'sk = :sk',
          ExpressionAttributeValues: { ':sk': { S: 'x' } },
        }),
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Query condition missed key schema element: pk',
      });
    });

    it('Scan answers every item, filtered and projected', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      seedIncidentEvents(dynamodb);

      // Act
      const output = await client.send(
        new ScanCommand({
          TableName: INCIDENTS,
          FilterExpression: '#step = :intake',
          ProjectionExpression: 'pk',
          ExpressionAttributeNames: { '#step': 'step' },
          ExpressionAttributeValues: { ':intake': { S: 'intake' } },
        }),
      );

      // Assess
      expect(output.Items).toEqual([{ pk: { S: 'INC#1' } }, { pk: { S: 'INC#2' } }]);
      expect(output.ScannedCount).toBe(6);
    });
  });

  describe('refusals', () => {
    it('an unknown table answers ResourceNotFoundException', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const attempt = client.send(new GetItemCommand({ TableName: 'nope', Key: approval('a-1') }));

      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it.each([
      [
        'an ADD on a nested attribute',
        { UpdateExpression: 'ADD a.b :one', ExpressionAttributeValues: { ':one': { N: '1' } } },
      ],
      [
        'the legacy AttributeUpdates parameter',
        { AttributeUpdates: { a: { Action: 'PUT', Value: { S: 'x' } } } },
      ],
      [
        'arithmetic beyond double precision',
        {
          UpdateExpression: 'SET n = :big + :big',
          ExpressionAttributeValues: { ':big': { N: '12345678901234567890' } },
        },
      ],
    ] as [string, Partial<ConstructorParameters<typeof UpdateItemCommand>[0]>][])(
      'an unsupported expression is refused, not ignored: %s',
      async (_case, parameters) => {
        // Prepare
        const { dynamodb, client } = setup();
        const before = dynamodb.snapshot();

        // Act
        const attempt = client.send(
          new UpdateItemCommand({ TableName: APPROVALS, Key: approval('a-1'), ...parameters }),
        );

        // Assess
        await expect(attempt).rejects.toMatchObject({
          name: 'ValidationException',
          message: expect.stringContaining('The sandbox does not support'),
        });
        expect(dynamodb.snapshot()).toEqual(before);
      },
    );

    it.each([
      [
        'a reserved word used bare',
        'status = :s',
        { ':s': { S: 'x' } },
        'Attribute name is a reserved keyword; reserved keyword: status',
      ],
      [
        'a placeholder never defined',
        'a = :missing',
        {},
        'An expression attribute value used in expression is not defined',
      ],
      [
        'a value nothing uses',
        'attribute_exists(a)',
        { ':unused': { S: 'x' } },
        'unused in expressions: keys: {:unused}',
      ],
      ['a syntax error', 'a = = :s', { ':s': { S: 'x' } }, 'Syntax error'],
      [
        'an unknown function',
        'starts_with(a, :s)',
        { ':s': { S: 'x' } },
        'Invalid function name; function: starts_with',
      ],
    ] as [string, string, Record<string, AttributeValue>, string][])(
      'a condition with %s is refused as DynamoDB refuses it',
      async (_case, expression, values, message) => {
        // Prepare
        const { client } = setup();

        // Act
        const attempt = client.send(
          new PutItemCommand({
            TableName: APPROVALS,
            Item: approval('a-1'),
            ConditionExpression: expression,
            ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
          }),
        );

        // Assess
        await expect(attempt).rejects.toMatchObject({
          name: 'ValidationException',
          message: expect.stringContaining(message),
        });
      },
    );

    it('an item whose key has the wrong type or is missing is refused', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const wrongType = client.send(
        new PutItemCommand({ TableName: APPROVALS, Item: { approvalId: { N: '1' } } }),
      );
      const missing = client.send(new PutItemCommand({ TableName: APPROVALS, Item: { other: { S: 'x' } } }));

      // Assess
      await expect(wrongType).rejects.toMatchObject({
        message: expect.stringContaining('Type mismatch for key'),
      });
      await expect(missing).rejects.toMatchObject({
        message: expect.stringContaining('Missing the key approvalId'),
      });
    });
  });

  it('CreateTable answers CREATING and the table is usable at once; BatchWriteItem puts and deletes', async () => {
    // Prepare
    const { dynamodb, client } = setup();

    // Act
    const created = await client.send(
      new CreateTableCommand({
        TableName: 'cordon-dedup',
        KeySchema: [{ AttributeName: 'findingKey', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'findingKey', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          'cordon-dedup': [
            { PutRequest: { Item: { findingKey: { S: 'f-1' } } } },
            { PutRequest: { Item: { findingKey: { S: 'f-2' } } } },
          ],
        },
      }),
    );
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: { 'cordon-dedup': [{ DeleteRequest: { Key: { findingKey: { S: 'f-1' } } } }] },
      }),
    );

    // Assess
    expect(created.TableDescription?.TableStatus).toBe('CREATING');
    expect(dynamodb.items('cordon-dedup')).toEqual([{ findingKey: { S: 'f-2' } }]);
  });

  it('GetItem answers the stored item, projected on request, and nothing for a missing key', async () => {
    // Prepare
    const { dynamodb, client } = setup();
    dynamodb.putItem(APPROVALS, approval('a-1', { state: { S: 'pending' }, token: { S: 't' } }));

    // Act
    const full = await client.send(
      new GetItemCommand({ TableName: APPROVALS, Key: approval('a-1'), ConsistentRead: true }),
    );
    const projected = await client.send(
      new GetItemCommand({
        TableName: APPROVALS,
        Key: approval('a-1'),
        ProjectionExpression: '#s',
        ExpressionAttributeNames: { '#s': 'state' },
      }),
    );
    const missing = await client.send(new GetItemCommand({ TableName: APPROVALS, Key: approval('zzz') }));

    // Assess
    expect(full.Item).toEqual(approval('a-1', { state: { S: 'pending' }, token: { S: 't' } }));
    expect(projected.Item).toEqual({ state: { S: 'pending' } });
    expect(missing.Item).toBeUndefined();
  });

  it('snapshot() is a deep copy', () => {
    // Prepare
    const { dynamodb } = setup();
    dynamodb.putItem(APPROVALS, approval('a-1', { state: { S: 'pending' } }));
    const snapshot = dynamodb.snapshot();

    // Act
    const stored = snapshot.tables[APPROVALS]?.items[0];
    if (stored !== undefined) stored.state = { S: 'tampered' };

    // Assess
    expect(dynamodb.getItem(APPROVALS, approval('a-1'))?.state).toEqual({ S: 'pending' });
  });

  describe('through DynamoDBDocumentClient', () => {
    // lib-dynamodb marshals in the serialize step and unmarshals in the deserialize step; the sandbox answers
    // at the initialize step, before both. Until SandboxAccount.attach answers after marshalling, a document
    // call reaches the model with plain values: the model must refuse it loudly rather than store garbage.
    it('a document put that reaches the model unmarshalled is refused, never stored', async () => {
      // Prepare
      const { dynamodb, sandbox } = setup();
      const documents = DynamoDBDocumentClient.from(
        sandbox.attach(new DynamoDBClient({ region: 'us-east-1' })),
      );

      // Act
      const attempt = documents.send(new PutCommand({ TableName: APPROVALS, Item: { approvalId: 'a-1' } }));

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'ValidationException',
        message: expect.stringContaining('not an AttributeValue'),
      });
      expect(dynamodb.items(APPROVALS)).toEqual([]);
    });
  });
});

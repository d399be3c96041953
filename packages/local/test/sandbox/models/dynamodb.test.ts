import {
  DescribeTableCommand,
  DynamoDBClient,
  type GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbModel, type Item } from '../../../src/sandbox/models/dynamodb.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

/**
 * What the differential test (dynamodb.differential.test.ts) cannot show: the seeding and inspection API, and
 * the rules where dynalite departs from DynamoDB's documentation, checked here against the documentation.
 */

const APPROVALS = 'cordon-approvals';
const LEDGER = 'cordon-ledger';

function setup() {
  const sandbox = new SandboxAccount({
    accountId: '111122223333',
    now: () => new Date('2026-03-01T12:00:00Z'),
  });
  const dynamodb = new DynamoDbModel(sandbox.context)
    .createTable({ tableName: APPROVALS, partitionKey: 'approvalId' })
    .createTable({ tableName: LEDGER, partitionKey: 'incidentId', sortKey: 'sk' });
  sandbox.register(dynamodb);
  const client = sandbox.attach(new DynamoDBClient({ region: 'us-east-1' }));
  return { sandbox, dynamodb, client };
}

const approval = (id: string, extra: Item = {}): Item => ({ approvalId: { S: id }, ...extra });

describe('DynamoDbModel', () => {
  describe('seeding and inspection', () => {
    it('a seeded item is stored as DynamoDB stores it (numbers canonical) and read back by key', () => {
      // Prepare
      const { dynamodb } = setup();

      // Act
      dynamodb.putItem(APPROVALS, approval('a-1', { count: { N: '007.50' }, big: { N: '1e3' } }));

      // Assess
      expect(dynamodb.getItem(APPROVALS, approval('a-1'))).toEqual(
        approval('a-1', { count: { N: '7.5' }, big: { N: '1000' } }),
      );
      expect(dynamodb.getItem(APPROVALS, approval('a-2'))).toBeUndefined();
    });

    it('seeding refuses an item PutItem would refuse, and stores nothing', () => {
      // Prepare
      const { dynamodb } = setup();

      // Act
      const missingKey = () => dynamodb.putItem(LEDGER, { incidentId: { S: 'i-1' } });
      const badNumber = () => dynamodb.putItem(APPROVALS, approval('a-1', { n: { N: 'twelve' } }));

      // Assess
      expect(missingKey).toThrow(/Missing the key sk in the item/);
      expect(badNumber).toThrow(/cannot be converted to a numeric value/);
      expect(dynamodb.items(APPROVALS)).toEqual([]);
    });

    it('DescribeTable answers the key schema a table was seeded with, active at once', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const { Table } = await client.send(new DescribeTableCommand({ TableName: LEDGER }));

      // Assess
      expect(Table).toMatchObject({
        TableName: LEDGER,
        TableArn: `arn:aws:dynamodb:us-east-1:111122223333:table/${LEDGER}`,
        TableStatus: 'ACTIVE',
        KeySchema: [
          { AttributeName: 'incidentId', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      });
    });

    it('items() answers a table in key order, and snapshot() is a deep copy', () => {
      // Prepare
      const { dynamodb } = setup();
      for (const sk of ['b', 'a', 'c']) dynamodb.putItem(LEDGER, { incidentId: { S: 'i-1' }, sk: { S: sk } });
      const snapshot = dynamodb.snapshot();

      // Act
      const stored = snapshot.tables[LEDGER]?.items[0];
      if (stored !== undefined) stored.sk = { S: 'tampered' };

      // Assess
      expect(dynamodb.items(LEDGER).map((item) => item.sk?.S)).toEqual(['a', 'b', 'c']);
      expect(snapshot.tables[LEDGER]?.sortKey).toEqual({ name: 'sk', type: 'S' });
    });
  });

  // dynalite compares lists and maps by identity, strings in conditions by UTF-16 code units, and stores an ADD's
  // result without checking its precision: these rules are checked against DynamoDB's documentation instead.
  describe("rules checked against DynamoDB's documentation rather than dynalite", () => {
    it('= compares lists and maps by their contents ("EQ is supported for all data types, including lists and maps", API_Condition)', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      const decision = { M: { by: { S: 'U1' }, steps: { L: [{ S: 'isolate' }, { N: '2' }] } } };
      dynamodb.putItem(APPROVALS, approval('a-1', { decision }));
      const write = (value: typeof decision) =>
        client.send(
          new PutItemCommand({
            TableName: APPROVALS,
            Item: approval('a-1', { decision: value }),
            ConditionExpression: 'decision = :same',
            ExpressionAttributeValues: { ':same': value },
          }),
        );

      // Act
      const same = await write(structuredClone(decision)).then(() => 'written');
      const other = await write({ M: { by: { S: 'U2' }, steps: { L: [] } } }).catch(
        (error: Error) => error.name,
      );

      // Assess
      expect(same).toBe('written');
      expect(other).toBe('ConditionalCheckFailedException');
    });

    it('an ADD whose result needs more than 38 significant digits is refused ("up to 38 digits of precision … exceeding this results in an exception")', async () => {
      // Prepare
      const { dynamodb, client } = setup();
      dynamodb.putItem(APPROVALS, approval('a-1', { n: { N: '12345678901234567890123456789012345678' } }));
      const before = dynamodb.snapshot();

      // Act
      const attempt = client.send(
        new UpdateItemCommand({
          TableName: APPROVALS,
          Key: approval('a-1'),
          UpdateExpression: 'ADD n :half',
          ExpressionAttributeValues: { ':half': { N: '0.5' } },
        }),
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'ValidationException',
        message: 'Attempting to store more than 38 significant digits in a Number',
      });
      expect(dynamodb.snapshot()).toEqual(before);
    });

    it('strings are ordered by their UTF-8 bytes, not UTF-16 code units (developer guide, "String")', async () => {
      // Prepare: U+FF61 sorts before U+1F600 in UTF-8, after it in UTF-16.
      const { dynamodb, client } = setup();
      for (const sk of ['\u{1F600}', '\uFF61'])
        dynamodb.putItem(LEDGER, { incidentId: { S: 'i-1' }, sk: { S: sk } });

      // Act
      const output = await client.send(
        new QueryCommand({
          TableName: LEDGER,
          KeyConditionExpression: 'incidentId = :id',
          ExpressionAttributeValues: { ':id': { S: 'i-1' } },
        }),
      );

      // Assess
      expect(output.Items?.map((item) => item.sk?.S)).toEqual(['\uFF61', '\u{1F600}']);
    });
  });

  describe('what the sandbox does not model is refused, never half-answered', () => {
    it.each([
      ['Scan', new ScanCommand({ TableName: APPROVALS })],
      [
        'the legacy AttributeUpdates parameter',
        new UpdateItemCommand({
          TableName: APPROVALS,
          Key: approval('a-1'),
          AttributeUpdates: { state: { Action: 'PUT', Value: { S: 'x' } } },
        }),
      ],
    ])('%s', async (_case, command) => {
      // Prepare
      const { dynamodb, client } = setup();
      const before = dynamodb.snapshot();

      // Act
      const attempt = client.send(command as GetItemCommand);

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: expect.stringMatching(/^(UnsupportedOperation|ValidationException)$/),
      });
      expect(dynamodb.snapshot()).toEqual(before);
    });
  });

  describe('through DynamoDBDocumentClient', () => {
    // lib-dynamodb marshals in the serialize step and unmarshals in the deserialize step; the sandbox answers
    // at the initialize step, before both. A document call therefore reaches the model with plain values: the
    // model must refuse it loudly rather than store garbage.
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

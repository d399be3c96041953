import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailure } from '../dynamodb.ts';
import type { CursorStore, PollerCursor } from './cursor.ts';

export interface DynamoDbCursorStoreOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  /** The incident ledger table (partition key `incidentId`, sort key `sk`). */
  readonly tableName: string;
}

/** The ledger key of a detector's cursor; `#` never occurs in an incident id, so it cannot collide with one. */
export function cursorKey(detectorId: string): { incidentId: { S: string }; sk: { S: string } } {
  return { incidentId: { S: `poller#guardduty#${detectorId}` }, sk: { S: 'cursor' } };
}

/**
 * The poller's cursor as one item of the incident ledger table, without `expiresAt` (it never expires).
 * DynamoDB rather than SSM: the write is conditional (a slower, overlapping run cannot move the cursor back),
 * it does not count against SSM's low PutParameter rate, and it stays out of the settings path the team edits.
 *
 * @example new DynamoDbCursorStore({ client: new DynamoDBClient({}), tableName: 'cordon-prod-ledger' })
 */
export class DynamoDbCursorStore implements CursorStore {
  public constructor(private readonly options: DynamoDbCursorStoreOptions) {}

  public async read(detectorId: string): Promise<PollerCursor | undefined> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: cursorKey(detectorId),
        ConsistentRead: true,
      }),
    );
    const value = Item?.updatedAt?.N;
    const updatedAt = value === undefined ? Number.NaN : Number(value);
    // A damaged cursor is treated as none: the first-run window applies, nothing is skipped beyond it.
    return Number.isFinite(updatedAt) ? { updatedAt } : undefined;
  }

  public async write(detectorId: string, cursor: PollerCursor): Promise<void> {
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: {
            ...cursorKey(detectorId),
            updatedAt: { N: String(cursor.updatedAt) },
            updatedAtIso: { S: new Date(cursor.updatedAt).toISOString() },
          },
          ConditionExpression: 'attribute_not_exists(updatedAt) OR updatedAt <= :updatedAt',
          ExpressionAttributeValues: { ':updatedAt': { N: String(cursor.updatedAt) } },
        }),
      );
    } catch (error) {
      // Another run already stored a later cursor: keeping it is the point of the condition.
      if (isConditionalCheckFailure(error)) return;
      throw error;
    }
  }
}

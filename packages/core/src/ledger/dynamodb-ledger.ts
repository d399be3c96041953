import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailure } from '../dynamodb.ts';
import { CLAIM_KEY, DynamoDbClaims } from './dynamodb-claims.ts';
import { DECISIONS_INDEX, decisionMonth } from './indexes.ts';
import type { LeaseResult, Ledger, LedgerEntry } from './ledger.ts';

/** A lease lives in its own partition (`lease#<resource>`), under this sort key. */
const LEASE_KEY = '~lease';

export interface DynamoDbLedgerOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  /** Entries expire this many days after they are written (DynamoDB TTL attribute `expiresAt`), except restore records. */
  readonly retentionDays: number;
}

/**
 * The incident ledger in DynamoDB: partition key `incidentId`, sort key `sk` = `<ISO time>#<step>#<n>`, so a
 * query returns an incident's entries in order. Writes are conditional on a new key: an entry is never
 * overwritten. Uses the low-level client with util-dynamodb's marshalling (the same calls whatever answers
 * them: DynamoDB, or the sandbox account).
 *
 * @example new DynamoDbLedger({ client: new DynamoDBClient({}), tableName: 'cordon-ledger', retentionDays: 365 })
 */
export class DynamoDbLedger implements Ledger {
  private sequence = 0;
  /** The incidents' claims, in the same table (triage claims; release closes). */
  public readonly claims: DynamoDbClaims;

  public constructor(private readonly options: DynamoDbLedgerOptions) {
    this.claims = new DynamoDbClaims({ client: options.client, tableName: options.tableName });
  }

  public async append(entry: LedgerEntry): Promise<void> {
    this.sequence += 1;
    // An entry that holds what a release needs never expires: an instance may stay quarantined for longer
    // than the retention, and must still be releasable. Every other entry expires after the retention.
    const expiresAt =
      entry.restore === undefined
        ? Math.floor(Date.parse(entry.at) / 1000) + this.options.retentionDays * 86_400
        : undefined;
    const unique = `${String(this.sequence).padStart(6, '0')}#${Math.random().toString(36).slice(2, 8)}`;
    // Triage's decisions, and only they, carry the month the decisions index is partitioned by
    // (incident-reads.ts): operators list incidents from that index, never by a Scan.
    const listed = entry.step === 'triage' ? { [DECISIONS_INDEX.partitionKey]: decisionMonth(entry.at) } : {};
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: marshall(
          { ...entry, ...listed, sk: `${entry.at}#${entry.step}#${unique}`, expiresAt },
          { removeUndefinedValues: true, convertClassInstanceToMap: true },
        ),
        ConditionExpression: 'attribute_not_exists(sk)',
      }),
    );
  }

  /**
   * Closes the incident's claim when a release begins (release-instance): a later occurrence of the finding is
   * then contained again ({@link DynamoDbClaims.close}).
   */
  public closeClaim(incidentId: string, at: Date, by: string): Promise<'closed' | 'not-open'> {
    return this.claims.close(incidentId, at, by);
  }

  /**
   * A lease on a resource (a conditional write on `lease#<resource>`): granted when nobody holds it, when
   * this holder does, or when the holder's lease has run out (a function that died mid-way).
   */
  public async acquireLease(resource: string, holder: string, until: Date, now: Date): Promise<LeaseResult> {
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: marshall({
            incidentId: `lease#${resource}`,
            sk: LEASE_KEY,
            holder,
            leaseUntil: until.getTime(),
            // Removed by TTL a day after it ran out.
            expiresAt: Math.floor(until.getTime() / 1000) + 86_400,
          }),
          ConditionExpression: 'attribute_not_exists(sk) OR holder = :holder OR leaseUntil < :now',
          ExpressionAttributeValues: { ':holder': { S: holder }, ':now': { N: String(now.getTime()) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { acquired: true };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      return { acquired: false, holder: error.Item?.holder?.S ?? 'another incident' };
    }
  }

  public async releaseLease(resource: string, holder: string): Promise<void> {
    try {
      await this.options.client.send(
        new DeleteItemCommand({
          TableName: this.options.tableName,
          Key: marshall({ incidentId: `lease#${resource}`, sk: LEASE_KEY }),
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': { S: holder } },
        }),
      );
    } catch (error) {
      // Someone else holds it now (ours ran out): theirs to give back.
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  public async entries(incidentId: string): Promise<LedgerEntry[]> {
    const entries: LedgerEntry[] = [];
    let startKey: QueryCommand['input']['ExclusiveStartKey'];
    do {
      const page = await this.options.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: 'incidentId = :id',
          ExpressionAttributeValues: { ':id': { S: incidentId } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        // The incident's execution claim shares the partition; it is not an entry.
        if (item.sk?.S === CLAIM_KEY) continue;
        const {
          sk: _sk,
          expiresAt: _expiresAt,
          [DECISIONS_INDEX.partitionKey]: _month,
          ...entry
        } = unmarshall(item);
        entries.push(entry as LedgerEntry);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return entries;
  }
}

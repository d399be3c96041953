import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailure } from '../dynamodb.ts';
import { DECISIONS_INDEX, decisionMonth } from './indexes.ts';
import type { LeaseResult, Ledger, LedgerEntry } from './ledger.ts';

/** The sort key of an incident's execution claim: `~` sorts after every ISO time, so entries stay first. */
const EXECUTION_CLAIM_KEY = '~execution';
/** A lease lives in its own partition (`lease#<resource>`), under this sort key. */
const LEASE_KEY = '~lease';

export interface DynamoDbLedgerOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  /** Entries expire this many days after they are written (DynamoDB TTL attribute `expiresAt`), except restore records. */
  readonly retentionDays: number;
  /** The clock of `claimedAt` (default: the wall clock); a local deployment gives its own, which tests can move. */
  readonly now?: () => Date;
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

  public constructor(private readonly options: DynamoDbLedgerOptions) {}

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
   * Claims the incident for one playbook (a conditional write on `sk` = `~execution`): the first claim wins,
   * a later one by another playbook is a duplicate; the same playbook claims again (a retried triage must
   * reach StartExecution, whose execution name then tells a duplicate).
   */
  public async claimExecution(
    incidentId: string,
    playbook: string,
  ): Promise<'claimed' | 'reclaimed' | 'duplicate'> {
    try {
      const answer = await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: marshall({
            incidentId,
            sk: EXECUTION_CLAIM_KEY,
            playbook,
            claimedAt: (this.options.now?.() ?? new Date()).toISOString(),
          }),
          // The same playbook may claim again: a triage that failed after its claim (StartExecution throttled)
          // is retried, and StartExecution's own name check then tells a duplicate.
          ConditionExpression: 'attribute_not_exists(sk) OR playbook = :playbook',
          ExpressionAttributeValues: { ':playbook': { S: playbook } },
          // An earlier claim by the same playbook comes back: the caller must not count the incident twice.
          ReturnValues: 'ALL_OLD',
        }),
      );
      return answer.Attributes === undefined ? 'claimed' : 'reclaimed';
    } catch (error) {
      if (isConditionalCheckFailure(error)) return 'duplicate';
      throw error;
    }
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
        if (item.sk?.S === EXECUTION_CLAIM_KEY) continue;
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

import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { isConditionalCheckFailure } from '../dynamodb.ts';

/**
 * Counts automatic containments per account per hour (DOMAIN.md item 31). Past the limit, containments wait
 * for approval: a flood of findings — or a bug, or an attacker baiting Cordon — cannot take down a fleet.
 * A limit of 0 (or less) means no automatic containment at all ("always ask", what a team sets during a
 * freeze), in every store: no slot is ever taken and no call is made.
 */
export interface BlastRadius {
  /** Takes one slot for `account` in the hour of `now`; `false` when the limit is reached (always for limit ≤ 0). */
  tryConsume(account: string, now: Date, limit: number): Promise<boolean>;
  /** Gives a slot back (the execution turned out to be a duplicate). */
  release(account: string, now: Date): Promise<void>;
}

function hourOf(now: Date): string {
  return now.toISOString().slice(0, 13);
}

/**
 * No slot below one: checked before any store is asked, so that no store can read "no count yet" as room
 * (the DynamoDB condition `attribute_not_exists(containments)` did, and let one containment through at 0).
 * NaN counts as no room too: a limit that is not a number must not act.
 */
function allowsAny(limit: number): boolean {
  return limit >= 1;
}

/**
 * In memory. Only the triage throughput benchmark (bench/burst.ts) uses it, to measure triage's own code
 * without the sandbox's DynamoDB model; everything else — the local deployment, the CLI, the scenario tests —
 * counts in the ledger table with {@link DynamoDbBlastRadius}, as the deployed triage does.
 */
export class MemoryBlastRadius implements BlastRadius {
  private readonly counts = new Map<string, number>();

  public async tryConsume(account: string, now: Date, limit: number): Promise<boolean> {
    if (!allowsAny(limit)) return false;
    const key = `${account}#${hourOf(now)}`;
    const count = this.counts.get(key) ?? 0;
    if (count >= limit) return false;
    this.counts.set(key, count + 1);
    return true;
  }

  public async release(account: string, now: Date): Promise<void> {
    const key = `${account}#${hourOf(now)}`;
    this.counts.set(key, Math.max(0, (this.counts.get(key) ?? 0) - 1));
  }
}

/**
 * In the ledger table: one item per account and hour (`incidentId` = `blast-radius#<account>`, `sk` = the
 * hour), incremented with a conditional update, so concurrent triage invocations cannot both take the last slot.
 * The condition lets the first containment of the hour in through `attribute_not_exists(containments)` (true
 * when the item has no count yet: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html),
 * which is right for a limit of 1 or more only: a limit of 0 is answered before DynamoDB is asked.
 */
export class DynamoDbBlastRadius implements BlastRadius {
  public constructor(
    private readonly client: Pick<DynamoDBClient, 'send'>,
    private readonly tableName: string,
  ) {}

  public async tryConsume(account: string, now: Date, limit: number): Promise<boolean> {
    if (!allowsAny(limit)) return false;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { incidentId: { S: `blast-radius#${account}` }, sk: { S: hourOf(now) } },
          UpdateExpression: 'ADD containments :one SET expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(containments) OR containments < :limit',
          ExpressionAttributeValues: {
            ':one': { N: '1' },
            ':limit': { N: String(limit) },
            ':expires': { N: String(Math.floor(now.getTime() / 1000) + 2 * 86_400) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  public async release(account: string, now: Date): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { incidentId: { S: `blast-radius#${account}` }, sk: { S: hourOf(now) } },
        UpdateExpression: 'ADD containments :minusOne',
        ConditionExpression: 'containments > :zero',
        ExpressionAttributeValues: { ':minusOne': { N: '-1' }, ':zero': { N: '0' } },
      }),
    );
  }
}

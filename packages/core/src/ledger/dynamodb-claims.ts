import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailure } from '../dynamodb.ts';
import { PLAYBOOK_IDS, type PlaybookId } from '../playbooks/ids.ts';
import {
  type ClaimAnswer,
  type ClaimRequest,
  type ClaimStore,
  claimTransition,
  closedTransition,
  type IncidentClaim,
} from './claims.ts';

/** The sort key of an incident's claim: `~` sorts after every ISO time, so the entries come first. */
export const CLAIM_KEY = '~execution';

/**
 * Two writers computing from the same revision: the loser reads the winner's item (handed back by the failed
 * condition) and decides again. A handful of rounds is plenty: each round some writer wins.
 */
const MAX_ROUNDS = 5;

export interface DynamoDbClaimsOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
}

/** A claim could not be written after several rounds of concurrent writers (retried by the caller). */
export class ClaimContendedError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ClaimContendedError';
  }
}

function isPlaybook(value: unknown): value is PlaybookId {
  return typeof value === 'string' && (PLAYBOOK_IDS as readonly string[]).includes(value);
}

/**
 * The claim held in an item. An item written before generations existed (`playbook`, `claimedAt`) is a
 * holder of execution 1 that has started (StartExecution's own name check answered for its retries then).
 */
export function claimFromItem(item: Record<string, AttributeValue> | undefined): IncidentClaim | undefined {
  if (item === undefined) return undefined;
  const raw = unmarshall(item) as Record<string, unknown>;
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string) : undefined);
  const number = (key: string) => (typeof raw[key] === 'number' ? (raw[key] as number) : undefined);
  if (raw.revision === undefined && isPlaybook(raw.playbook)) {
    return {
      revision: 0,
      executions: 1,
      holder: {
        playbook: raw.playbook,
        execution: 1,
        started: true,
        claimedAt: text('claimedAt') ?? '',
      },
    };
  }
  const holderPlaybook = raw.holderPlaybook;
  const noticePlaybook = raw.noticePlaybook;
  const occurrence = text('holderOccurrence');
  const closedAt = text('closedAt');
  return {
    revision: number('revision') ?? 0,
    executions: number('executions') ?? 0,
    ...(isPlaybook(holderPlaybook)
      ? {
          holder: {
            playbook: holderPlaybook,
            execution: number('holderExecution') ?? 1,
            started: raw.holderStarted === true,
            claimedAt: text('holderClaimedAt') ?? '',
            ...(occurrence === undefined ? {} : { occurrence }),
          },
        }
      : {}),
    ...(isPlaybook(noticePlaybook)
      ? {
          notice: {
            playbook: noticePlaybook,
            execution: number('noticeExecution') ?? 1,
            started: raw.noticeStarted === true,
            claimedAt: text('noticeClaimedAt') ?? '',
          },
        }
      : {}),
    ...(closedAt === undefined ? {} : { closed: { at: closedAt, by: text('closedBy') ?? 'release' } }),
  };
}

/** The item of a claim: flat attributes (the sandbox and DynamoDB alike take top-level names only). */
export function claimToItem(incidentId: string, claim: IncidentClaim): Record<string, AttributeValue> {
  const { holder, notice, closed } = claim;
  return marshall(
    {
      incidentId,
      sk: CLAIM_KEY,
      revision: claim.revision,
      executions: claim.executions,
      holderPlaybook: holder?.playbook,
      holderExecution: holder?.execution,
      holderStarted: holder?.started,
      holderClaimedAt: holder?.claimedAt,
      holderOccurrence: holder?.occurrence,
      noticePlaybook: notice?.playbook,
      noticeExecution: notice?.execution,
      noticeStarted: notice?.started,
      noticeClaimedAt: notice?.claimedAt,
      closedAt: closed?.at,
      closedBy: closed?.by,
    },
    { removeUndefinedValues: true },
  );
}

/**
 * Incident claims in the ledger table, one item per incident (`incidentId`, `sk` = `~execution`), no TTL.
 * Every write is conditional: the first claim on `attribute_not_exists(sk)`, every later change on the
 * revision it was computed from (an item from before generations has none). A failed condition hands back the
 * item as it stands (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), so a re-delivery costs one round trip:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html.
 *
 * `claim` and `started` are triage's (PutItem, UpdateItem); `close` is release-instance's, which reads the
 * claim with the Query it already holds for the incident's entries and writes it with PutItem.
 *
 * @example
 * const claims = new DynamoDbClaims({ client, tableName: 'cordon-prod-ledger' });
 * const answer = await claims.claim({ incidentId, playbook: 'ec2-compromise', provisional: false, occurrence, now });
 */
export class DynamoDbClaims implements ClaimStore {
  public constructor(private readonly options: DynamoDbClaimsOptions) {}

  public async claim(request: ClaimRequest): Promise<ClaimAnswer> {
    // The first round writes the first claim, unread; a refused condition hands back the item that is there.
    let current: IncidentClaim | undefined;
    let first = true;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const transition = claimTransition(current, request);
      if (transition.next === undefined) return transition.answer;
      const written = await this.write(request.incidentId, transition.next, current, first);
      if (written.ok) return transition.answer;
      current = written.current;
      first = false;
    }
    throw new ClaimContendedError(
      `The claim of ${request.incidentId} kept changing under ${MAX_ROUNDS} concurrent writers; triage is retried.`,
    );
  }

  public async started(incidentId: string, execution: number): Promise<void> {
    const holder = {
      UpdateExpression: 'SET holderStarted = :started ADD revision :one',
      ConditionExpression: 'holderExecution = :execution',
    };
    const notice = {
      UpdateExpression: 'SET noticeStarted = :started ADD revision :one',
      ConditionExpression: 'noticeExecution = :execution',
    };
    // The execution is the holder's or the notice's; the other condition fails and changes nothing.
    for (const expressions of [holder, notice]) {
      try {
        await this.options.client.send(
          new UpdateItemCommand({
            TableName: this.options.tableName,
            Key: marshall({ incidentId, sk: CLAIM_KEY }),
            ...expressions,
            ExpressionAttributeValues: {
              ':started': { BOOL: true },
              ':one': { N: '1' },
              ':execution': { N: String(execution) },
            },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionalCheckFailure(error)) throw error;
      }
    }
  }

  public async close(incidentId: string, at: Date, by: string): Promise<'closed' | 'not-open'> {
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const current = await this.read(incidentId);
      const next = closedTransition(current, at, by);
      if (next === undefined) return 'not-open';
      const written = await this.write(incidentId, next, current, false);
      if (written.ok) return 'closed';
    }
    throw new ClaimContendedError(
      `The claim of ${incidentId} kept changing under ${MAX_ROUNDS} concurrent writers; the release is retried.`,
    );
  }

  /** The claim as it stands (a strongly consistent read of the incident's claim item). */
  public async read(incidentId: string): Promise<IncidentClaim | undefined> {
    const page = await this.options.client.send(
      new QueryCommand({
        TableName: this.options.tableName,
        KeyConditionExpression: 'incidentId = :id AND sk = :claim',
        ExpressionAttributeValues: { ':id': { S: incidentId }, ':claim': { S: CLAIM_KEY } },
        ConsistentRead: true,
      }),
    );
    return claimFromItem(page.Items?.[0]);
  }

  private async write(
    incidentId: string,
    next: IncidentClaim,
    current: IncidentClaim | undefined,
    first: boolean,
  ): Promise<{ ok: true } | { ok: false; current: IncidentClaim | undefined }> {
    try {
      await this.options.client.send(
        new PutItemCommand({
          TableName: this.options.tableName,
          Item: claimToItem(incidentId, next),
          ...(first
            ? { ConditionExpression: 'attribute_not_exists(sk)' }
            : {
                // An item from before generations has no revision: it counts as revision 0.
                ConditionExpression: 'attribute_not_exists(revision) OR revision = :revision',
                ExpressionAttributeValues: { ':revision': { N: String(current?.revision ?? 0) } },
              }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { ok: true };
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      return { ok: false, current: claimFromItem(error.Item) };
    }
  }
}

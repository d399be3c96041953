/**
 * Approval records: what a `.waitForTaskToken` Task is waiting for, kept server-side (DOMAIN.md item 25).
 * A record holds the task token; links, buttons and messages only ever carry the approval id.
 *
 * Deciding is a conditional write on `status = pending` (and an unexpired record): whoever writes first
 * decides, every later attempt is told `already-decided`, and no second callback can follow (item 27).
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailure } from '../dynamodb.ts';
import { IncidentSummarySchema } from '../incident-summary.ts';
import * as z from '../zod.ts';
import { ApprovalEvidenceSchema } from './readable.ts';

/**
 * `withdrawn`: a member of a group whose request reached nobody (the group's announcement failed on every
 * channel); its Task is asked again, so this record is never decided.
 */
export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'withdrawn'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const APPROVAL_DECISIONS = ['approve', 'reject'] as const;
export type ApprovalDecisionValue = (typeof APPROVAL_DECISIONS)[number];

const ApproverKindSchema = z.enum(['slack', 'web']);

/** Who decided: a Slack user (id `U…`, verified by Slack's signature) or a web identity (set by the auth). */
export const DecidedBySchema = z.object({
  kind: ApproverKindSchema,
  id: z.string().check(z.minLength(1), z.maxLength(256)),
  name: z.optional(z.string().check(z.maxLength(256))),
});
export type DecidedBy = z.output<typeof DecidedBySchema>;

export const ApprovalDecisionSchema = z.object({
  decision: z.enum(APPROVAL_DECISIONS),
  decidedBy: DecidedBySchema,
  decidedAt: z.iso.datetime(),
  comment: z.optional(z.string().check(z.maxLength(1000))),
  /** The group's decision round that decided this member (absent: decided on its own, one by one). */
  round: z.optional(z.int().check(z.gte(1))),
});
export type ApprovalDecision = z.output<typeof ApprovalDecisionSchema>;

/** Whether Step Functions was told; a decision it never heard of must be visible (the playbook times out). */
export const CallbackResultSchema = z.object({
  status: z.enum(['sent', 'failed']),
  at: z.iso.datetime(),
  /** The error name (TaskTimedOut, TaskDoesNotExist, …) when the callback failed; never its message. */
  error: z.optional(z.string().check(z.maxLength(256))),
  /**
   * A failure worth sending again (throttled, Step Functions unavailable), as opposed to a task that is gone
   * (TaskTimedOut, TaskDoesNotExist, InvalidToken): the group page and message offer to retry it.
   */
  retryable: z.optional(z.boolean()),
});
export type CallbackResult = z.output<typeof CallbackResultSchema>;

/** Where the approval message was posted with `chat.postMessage`, so that `chat.update` can edit it later. */
export const SlackMessageRefSchema = z.object({
  channel: z.string().check(z.minLength(1)),
  ts: z.string().check(z.minLength(1)),
});
export type SlackMessageRef = z.output<typeof SlackMessageRefSchema>;

export const ApproversSnapshotSchema = z.object({
  slackUserIds: z.array(z.string()),
  slackUserGroupIds: z.array(z.string()),
  identities: z.array(z.string()),
});
export type ApproversSnapshot = z.output<typeof ApproversSnapshotSchema>;

/**
 * One approval. `approvers` is the list configured when the approval was requested: a pending approval keeps
 * the approvers it was sent to, whatever the settings say later.
 */
export const ApprovalRecordSchema = z.object({
  approvalId: z.string().check(z.minLength(1)),
  /** The Step Functions task token (up to 2,048 characters). Never logged, linked or posted. */
  taskToken: z.string().check(z.minLength(1), z.maxLength(2048)),
  incidentId: z.string().check(z.minLength(1)),
  account: z.string(),
  region: z.string(),
  /** The first step approval lets run (the playbook's `step`). */
  step: z.string(),
  /** The steps approval will run, in order. */
  actions: z.array(z.string()),
  playbook: z.optional(z.string()),
  reason: z.optional(z.string()),
  dryRun: z.boolean(),
  /** What happens when nobody decides in time (the playbook applies it). */
  timeoutDefault: z.optional(z.enum(APPROVAL_DECISIONS)),
  incident: IncidentSummarySchema,
  /** The incident's type (a GuardDuty finding type), when the playbook passed it: what groups are made of. */
  findingType: z.optional(z.string().check(z.maxLength(256))),
  /** When the source last observed the activity (the incident's `observedAt`), as the request carried it. */
  observedAt: z.optional(z.string().check(z.maxLength(64))),
  /** What the source saw (the API, the remote address and where, count, first and last seen), as the request carried it. */
  evidence: z.optional(ApprovalEvidenceSchema),
  /** The GuardDuty finding's id (the incident's `nativeId`), for the link to the finding in the console. */
  findingId: z.optional(z.string().check(z.maxLength(300))),
  /** The playbook's execution (`$$.Execution.Id`), for the link to it in the Step Functions console. */
  executionArn: z.optional(z.string().check(z.maxLength(2048))),
  requestedAt: z.iso.datetime(),
  /** When links, buttons and the page stop working: no later than the Task's own timeout. */
  expiresAt: z.iso.datetime(),
  approvers: ApproversSnapshotSchema,
  status: z.enum(APPROVAL_STATUSES),
  decision: z.optional(ApprovalDecisionSchema),
  callback: z.optional(CallbackResultSchema),
  slackMessage: z.optional(SlackMessageRefSchema),
  /** The group the approval belongs to (groups.ts): its id and the member's place, 1 for the first. */
  group: z.optional(z.object({ id: z.string().check(z.minLength(1)), seq: z.int().check(z.gte(1)) })),
});
export type ApprovalRecord = z.output<typeof ApprovalRecordSchema>;

export type DecideResult = 'decided' | 'already-decided' | 'not-found' | 'expired';

/** Where approvals live. Every method is safe to call concurrently from several functions. */
export interface ApprovalStore {
  /** Stores a new pending record; refuses to overwrite an existing id. */
  create(record: ApprovalRecord): Promise<void>;
  get(approvalId: string): Promise<ApprovalRecord | undefined>;
  /**
   * Records the decision if, and only if, the record is still `pending` and not expired at `decision.decidedAt`
   * (a conditional write: of two concurrent deciders exactly one gets `decided`).
   */
  decide(approvalId: string, decision: ApprovalDecision, expectedStatus: 'pending'): Promise<DecideResult>;
  /** Records whether the task callback reached Step Functions. */
  recordCallback(approvalId: string, callback: CallbackResult): Promise<void>;
  /** Records where the Slack message is, for a later `chat.update`. */
  recordSlackMessage(approvalId: string, ref: SlackMessageRef): Promise<void>;
  /**
   * Claims the right to send a decided approval's callback again: granted when the last attempt failed
   * with a retryable error, or when a delivery began before `staleBefore` and never recorded its end (the
   * process that sent it died). Of two concurrent claims one wins, so a callback is never sent twice at once.
   */
  claimRedelivery(approvalId: string, now: string, staleBefore: string): Promise<boolean>;
  /** Marks a pending approval withdrawn (nobody was told of it); `false` when it was not pending. */
  withdraw(approvalId: string): Promise<boolean>;
}

/** Where a decided approval's callback stands: sending (since `callbackAt`), sent, failed for good, or to retry. */
type DeliveryState = 'sending' | 'sent' | 'failed' | 'retry';

function deliveryStateOf(callback: CallbackResult): DeliveryState {
  if (callback.status === 'sent') return 'sent';
  return callback.retryable === true ? 'retry' : 'failed';
}

function statusOf(decision: ApprovalDecisionValue): ApprovalStatus {
  return decision === 'approve' ? 'approved' : 'rejected';
}

function isExpired(record: Pick<ApprovalRecord, 'expiresAt'>, at: string): boolean {
  return Date.parse(at) >= Date.parse(record.expiresAt);
}

/**
 * Approvals in memory, for unit tests and the local engine. Records are cloned in and out, so a caller's
 * object is never the stored one.
 *
 * @example const store = new MemoryApprovalStore(); await store.create(record);
 */
export class MemoryApprovalStore implements ApprovalStore {
  private readonly records = new Map<string, ApprovalRecord>();
  private readonly deliveries = new Map<string, { state: DeliveryState; at: string }>();

  public async create(record: ApprovalRecord): Promise<void> {
    if (this.records.has(record.approvalId)) {
      // Named as DynamoDB names its refusal, so that callers tell "taken" apart the same way for both stores.
      throw Object.assign(new Error(`approval ${record.approvalId} already exists`), {
        name: 'ConditionalCheckFailedException',
      });
    }
    this.records.set(record.approvalId, structuredClone(ApprovalRecordSchema.parse(record)));
  }

  public async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const record = this.records.get(approvalId);
    return record === undefined ? undefined : structuredClone(record);
  }

  public async decide(
    approvalId: string,
    decision: ApprovalDecision,
    expectedStatus: 'pending',
  ): Promise<DecideResult> {
    const record = this.records.get(approvalId);
    if (record === undefined) return 'not-found';
    if (record.status !== expectedStatus) return 'already-decided';
    if (isExpired(record, decision.decidedAt)) return 'expired';
    this.records.set(approvalId, {
      ...record,
      status: statusOf(decision.decision),
      decision: structuredClone(decision),
    });
    this.deliveries.set(approvalId, { state: 'sending', at: decision.decidedAt });
    return 'decided';
  }

  public async recordCallback(approvalId: string, callback: CallbackResult): Promise<void> {
    const record = this.records.get(approvalId);
    if (record === undefined) return;
    this.records.set(approvalId, { ...record, callback: { ...callback } });
    this.deliveries.set(approvalId, { state: deliveryStateOf(callback), at: callback.at });
  }

  public async claimRedelivery(approvalId: string, now: string, staleBefore: string): Promise<boolean> {
    const delivery = this.deliveries.get(approvalId);
    const claimable =
      delivery?.state === 'retry' || (delivery?.state === 'sending' && delivery.at < staleBefore);
    if (!claimable) return false;
    this.deliveries.set(approvalId, { state: 'sending', at: now });
    return true;
  }

  public async withdraw(approvalId: string): Promise<boolean> {
    const record = this.records.get(approvalId);
    if (record?.status !== 'pending') return false;
    this.records.set(approvalId, { ...record, status: 'withdrawn' });
    return true;
  }

  public async recordSlackMessage(approvalId: string, ref: SlackMessageRef): Promise<void> {
    const record = this.records.get(approvalId);
    if (record !== undefined) this.records.set(approvalId, { ...record, slackMessage: { ...ref } });
  }
}

export interface DynamoDbApprovalStoreOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  /** Partition key `approvalId` (S); TTL attribute `expiresAtEpoch`. */
  readonly tableName: string;
  /**
   * How long a record is kept after its link expires (default 30 days), through the TTL attribute
   * `expiresAtEpoch`: who decided stays readable after the link is dead.
   */
  readonly retentionDays?: number;
}

const DEFAULT_RETENTION_DAYS = 30;
// Attributes of the item that are not fields of the record: the TTL, and where the callback's delivery stands
// (top-level, so that a condition can read them: `callbackStatus` a DeliveryState, `callbackAt` its time).
const TTL_ATTRIBUTE = 'expiresAtEpoch';
const STORAGE_ATTRIBUTES = new Set([TTL_ATTRIBUTE, 'callbackStatus', 'callbackAt']);

/**
 * The approval record an item of the approvals table holds, without its storage attributes; `undefined` for an
 * item this code cannot read, which is treated as absent: deciding on a half-understood record is unsafe.
 */
export function approvalRecordFromItem(item: Record<string, AttributeValue>): ApprovalRecord | undefined {
  const fields = Object.fromEntries(
    Object.entries(unmarshall(item)).filter(([name]) => !STORAGE_ATTRIBUTES.has(name)),
  );
  const parsed = ApprovalRecordSchema.safeParse(fields);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Approvals in DynamoDB, with the low-level client and util-dynamodb's marshalling (the same calls whatever
 * answers them: DynamoDB, or the sandbox account). `expiresAt` is an ISO-8601 UTC string of fixed width, so
 * the expiry check of the conditional write compares strings.
 *
 * @example new DynamoDbApprovalStore({ client: new DynamoDBClient({}), tableName: 'cordon-approvals' })
 */
export class DynamoDbApprovalStore implements ApprovalStore {
  private readonly retentionSeconds: number;

  public constructor(private readonly options: DynamoDbApprovalStoreOptions) {
    this.retentionSeconds = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
  }

  public async create(record: ApprovalRecord): Promise<void> {
    const valid = ApprovalRecordSchema.parse(record);
    const ttl = Math.floor(Date.parse(valid.expiresAt) / 1000) + this.retentionSeconds;
    await this.options.client.send(
      new PutItemCommand({
        TableName: this.options.tableName,
        Item: marshall({ ...valid, [TTL_ATTRIBUTE]: ttl }, { removeUndefinedValues: true }),
        ConditionExpression: 'attribute_not_exists(approvalId)',
      }),
    );
  }

  public async get(approvalId: string): Promise<ApprovalRecord | undefined> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: { approvalId: { S: approvalId } },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : approvalRecordFromItem(Item);
  }

  public async decide(
    approvalId: string,
    decision: ApprovalDecision,
    expectedStatus: 'pending',
  ): Promise<DecideResult> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { approvalId: { S: approvalId } },
          UpdateExpression:
            'SET #status = :status, #decision = :decision, callbackStatus = :sending, callbackAt = :at',
          ConditionExpression: 'attribute_exists(approvalId) AND #status = :expected AND expiresAt > :at',
          ExpressionAttributeNames: { '#status': 'status', '#decision': 'decision' },
          ExpressionAttributeValues: marshall(
            {
              ':status': statusOf(decision.decision),
              ':decision': decision,
              ':expected': expectedStatus,
              ':at': decision.decidedAt,
              ':sending': 'sending',
            },
            { removeUndefinedValues: true },
          ),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'decided';
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
      // The item as it stood tells which part of the condition failed.
      const old = error.Item === undefined ? undefined : unmarshall(error.Item);
      if (old === undefined) return 'not-found';
      if (old.status !== expectedStatus) return 'already-decided';
      return 'expired';
    }
  }

  public async recordCallback(approvalId: string, callback: CallbackResult): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { approvalId: { S: approvalId } },
          UpdateExpression: 'SET #callback = :callback, callbackStatus = :state, callbackAt = :at',
          ConditionExpression: 'attribute_exists(approvalId)',
          ExpressionAttributeNames: { '#callback': 'callback' },
          ExpressionAttributeValues: marshall(
            { ':callback': callback, ':state': deliveryStateOf(callback), ':at': callback.at },
            { removeUndefinedValues: true },
          ),
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }

  public async claimRedelivery(approvalId: string, now: string, staleBefore: string): Promise<boolean> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { approvalId: { S: approvalId } },
          UpdateExpression: 'SET callbackStatus = :sending, callbackAt = :now',
          ConditionExpression: 'callbackStatus = :retry OR callbackStatus = :sending AND callbackAt < :stale',
          ExpressionAttributeValues: marshall({
            ':sending': 'sending',
            ':retry': 'retry',
            ':now': now,
            ':stale': staleBefore,
          }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  public async withdraw(approvalId: string): Promise<boolean> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { approvalId: { S: approvalId } },
          UpdateExpression: 'SET #status = :withdrawn',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: marshall({ ':withdrawn': 'withdrawn', ':pending': 'pending' }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }

  public async recordSlackMessage(approvalId: string, ref: SlackMessageRef): Promise<void> {
    await this.setIfExists(approvalId, 'slackMessage', ref);
  }

  private async setIfExists(approvalId: string, attribute: string, value: object): Promise<void> {
    try {
      await this.options.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: { approvalId: { S: approvalId } },
          UpdateExpression: 'SET #attribute = :value',
          // Without the condition, UpdateItem would create a stray item for an unknown id.
          ConditionExpression: 'attribute_exists(approvalId)',
          ExpressionAttributeNames: { '#attribute': attribute },
          ExpressionAttributeValues: marshall({ ':value': value }, { removeUndefinedValues: true }),
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }
}

/**
 * Approval groups: approval requests of one kind, in one account and a time window, asked as one. A storm (500
 * instances of one Auto Scaling group compromised within minutes, every one past the blast-radius limit and
 * so waiting for a person) becomes one Slack message and one page, decided as a whole or one by one — each
 * member is still its own approval record, with its own task token, decided once.
 *
 * Kept in the approvals table beside the records, three kinds of item:
 * - `group-key#<key>`, the kind's pointer: which generation is open and until when (`generation`,
 *   `windowEndsAt`). Moving it on is a conditional write on the generation seen, so two requests that both
 *   find the window over open one new group, not two.
 * - `group#<key>_<generation>`, the group: its shape (what its members share), window, member count, the
 *   announcement (who posts the message, where it is), the last count the message shows, and its decision
 *   rounds (`decidedThrough`, `rounds`, `round1`, `round2`, …).
 * - `<key>_<generation>-<seq>`, each member's approval record (records.ts), under a place in the group.
 *
 * Joining is race-free without a transaction: a member claims the place after the count it read by creating
 * its record there (PutItem, `attribute_not_exists`: of two requests trying one place one wins, the other tries
 * the next), and only then raises the count (`memberCount < :seq`). Places are therefore filled in order, and
 * every place up to `memberCount` holds a record: a decision round covering members up to the count it saw
 * never finds a place empty.
 */
import { createHash } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailure } from '../dynamodb.ts';
import * as z from '../zod.ts';
import {
  APPROVAL_DECISIONS,
  ApprovalDecisionSchema,
  ApproversSnapshotSchema,
  SlackMessageRefSchema,
} from './records.ts';

/**
 * A group holds at most this many members; the next request of the kind opens a new group (and message).
 * The group item stays a few kilobytes whatever its size (members are their own items), and a page of 500
 * rows is still readable; the worst hour's worm (500 instances) fits in one.
 */
export const MAX_GROUP_MEMBERS = 500;

/**
 * The least time between two `chat.update`s of a group's message while members join. `chat.update` is a
 * Tier 3 method, "50+ per minute" per method, app and workspace
 * (https://docs.slack.dev/reference/methods/chat.update, https://docs.slack.dev/apis/web-api/rate-limits):
 * one update per group every 10 seconds is 6 a minute, so eight storms at once stay inside it, with the
 * approval API's own updates after decisions on top.
 */
export const GROUP_UPDATE_INTERVAL_SECONDS = 10;

/** An announcement claimed this long ago and never finished is taken over (its poster died). */
export const ANNOUNCE_STALE_SECONDS = 15;

/** How long group items are kept after their links expire (as approval records are). */
const DEFAULT_RETENTION_DAYS = 30;

/** What every member of a group shares: the kind of request, and what approving it runs. */
export const GroupShapeSchema = z.object({
  account: z.string(),
  region: z.string(),
  playbook: z.string(),
  /** The finding type (`CryptoCurrency:EC2/BitcoinTool.B!DNS`), or the incident category when it has none. */
  findingType: z.string(),
  category: z.string(),
  step: z.string(),
  actions: z.array(z.string()),
  dryRun: z.boolean(),
  timeoutDefault: z.optional(z.enum(APPROVAL_DECISIONS)),
  /** How long each member waits (the smaller of the Task's timeout and the settings'). */
  timeoutSeconds: z.int(),
  approvers: ApproversSnapshotSchema,
});
export type GroupShape = z.output<typeof GroupShapeSchema>;

/** One group decision: members `from + 1` … `through` (their places), decided alike by one person. */
export const GroupRoundSchema = z.object({
  n: z.int().check(z.gte(1)),
  from: z.int().check(z.gte(0)),
  through: z.int().check(z.gte(1)),
  decision: ApprovalDecisionSchema,
});
export type GroupRound = z.output<typeof GroupRoundSchema>;

/** How the group's members stand, as the approval API last counted them from their records. */
export const GroupTallySchema = z.object({
  at: z.iso.datetime(),
  total: z.int(),
  waiting: z.int(),
  approved: z.int(),
  rejected: z.int(),
  expired: z.int(),
  withdrawn: z.int(),
  /** Decided, but Step Functions not told yet (a retryable failure, or a delivery cut short). */
  undelivered: z.int(),
  /** Decided, but Step Functions refused for good (the task had timed out): its timeout default applied. */
  failed: z.int(),
});
export type GroupTally = z.output<typeof GroupTallySchema>;

const ANNOUNCE_STATES = ['claimed', 'done', 'failed'] as const;

const GroupItemSchema = z.object({
  groupId: z.string(),
  keyHash: z.string(),
  generation: z.int(),
  shape: GroupShapeSchema,
  openedAt: z.iso.datetime(),
  windowEndsAt: z.iso.datetime(),
  /** The group link's expiry: the latest any member joining in the window can expire. */
  linkExpiresAt: z.iso.datetime(),
  memberCount: z.int(),
  newestAt: z.iso.datetime(),
  announceState: z.optional(z.enum(ANNOUNCE_STATES)),
  announceAt: z.optional(z.iso.datetime()),
  slackMessage: z.optional(z.nullable(SlackMessageRefSchema)),
  snsPublished: z.optional(z.boolean()),
  shownCount: z.optional(z.int()),
  shownAt: z.optional(z.iso.datetime()),
  decidedThrough: z.optional(z.int()),
  rounds: z.optional(z.int()),
  tally: z.optional(GroupTallySchema),
});

/** A group as read: its item, with its rounds in order. */
export type ApprovalGroup = Omit<z.output<typeof GroupItemSchema>, 'slackMessage'> & {
  readonly slackMessage?: z.output<typeof SlackMessageRefSchema>;
  readonly roundList: readonly GroupRound[];
};

/** The kind's pointer: which generation is open, and until when. */
export interface GroupPointer {
  readonly generation: number;
  readonly openedAt: string;
  readonly windowEndsAt: string;
}

/** What a member writes into the group when it raises the count (the same for every member of a generation). */
export interface GroupMembership {
  readonly groupId: string;
  readonly keyHash: string;
  readonly generation: number;
  readonly shape: GroupShape;
  readonly openedAt: string;
  readonly windowEndsAt: string;
  readonly linkExpiresAt: string;
}

/** How a group's announcement ended: where the message is (none: Slack failed or a webhook posted it). */
export interface GroupAnnouncement {
  readonly state: 'done' | 'failed';
  readonly at: string;
  readonly slackMessage?: z.output<typeof SlackMessageRefSchema>;
  readonly snsPublished: boolean;
  /** The member count the first message shows. */
  readonly shownCount: number;
}

/** The groups' storage. Every method is safe to call concurrently from several functions. */
export interface ApprovalGroupStore {
  pointer(keyHash: string): Promise<GroupPointer | undefined>;
  /** Opens generation `seen + 1` (a conditional write on `seen`); `false` when someone else moved it first. */
  advance(keyHash: string, seen: number, next: Omit<GroupPointer, 'generation'>): Promise<boolean>;
  get(groupId: string): Promise<ApprovalGroup | undefined>;
  /** Raises the member count to `seq` (never lowers it), writing the group's shape with it. */
  noteMember(membership: GroupMembership, seq: number, at: string): Promise<void>;
  /** Claims posting the group's message: free, failed before, or claimed before `staleBefore`. */
  claimAnnouncement(groupId: string, at: string, staleBefore: string): Promise<boolean>;
  recordAnnouncement(groupId: string, announcement: GroupAnnouncement): Promise<void>;
  /** Claims a message update showing `count` members: only when fewer are shown and the last update is due. */
  claimUpdate(groupId: string, count: number, at: string, dueBefore: string): Promise<boolean>;
  /** Records a decision round if nobody decided since `round.from` and the group has `round.through` members. */
  claimRound(groupId: string, round: GroupRound): Promise<'claimed' | 'conflict'>;
  recordTally(groupId: string, tally: GroupTally): Promise<void>;
}

/**
 * The id of a group's member at place `seq`: its approval id.
 *
 * @example memberApprovalId('AbCdEfGhIjKlMnOpQrStUv_3', 17) // 'AbCdEfGhIjKlMnOpQrStUv_3-17'
 */
export function memberApprovalId(groupId: string, seq: number): string {
  return `${groupId}-${seq}`;
}

/** A group's id: its kind's key and its generation. */
export function groupIdOf(keyHash: string, generation: number): string {
  return `${keyHash}_${generation}`;
}

/**
 * The key of a kind of request: 22 url-safe characters of SHA-256 over everything the members of a group
 * must share for one decision to mean the same thing for each — the account and region (what is touched),
 * the playbook and finding type (what happened; a finding type is what on-call recognises as "the same
 * thing", where a category such as `instance-compromise` mixes crypto-mining with C&C), the first step and
 * the steps approval runs, dry-run, the timeout default and wait (what the message promises), and the
 * approvers (who may decide). A change of any of them — the settings changed mid-storm — starts another group.
 *
 * @example groupKeyHash(shape) // 'q3Zt0b…' (22 characters)
 */
export function groupKeyHash(shape: GroupShape): string {
  const canonical = JSON.stringify([
    shape.account,
    shape.region,
    shape.playbook,
    shape.findingType,
    shape.category,
    shape.step,
    shape.actions,
    shape.dryRun,
    shape.timeoutDefault ?? null,
    shape.timeoutSeconds,
    [...shape.approvers.slackUserIds].sort(),
    [...shape.approvers.slackUserGroupIds].sort(),
    [...shape.approvers.identities].map((identity) => identity.toLowerCase()).sort(),
  ]);
  return createHash('sha256').update(canonical).digest().subarray(0, 16).toString('base64url');
}

export interface DynamoDbApprovalGroupsOptions {
  readonly client: Pick<DynamoDBClient, 'send'>;
  /** The approvals table (partition key `approvalId`, TTL `expiresAtEpoch`). */
  readonly tableName: string;
  readonly retentionDays?: number;
}

const pointerKey = (keyHash: string) => ({ approvalId: { S: `group-key#${keyHash}` } });
const groupKey = (groupId: string) => ({ approvalId: { S: `group#${groupId}` } });
const ROUND_ATTRIBUTE = /^round([1-9][0-9]*)$/;

/**
 * Groups in the approvals table, with the calls the sandbox and DynamoDB answer alike (GetItem, conditional
 * UpdateItem; every write reads back with GetItem, as the rest of Cordon does).
 *
 * @example const groups = new DynamoDbApprovalGroups({ client: new DynamoDBClient({}), tableName: 'cordon-prod-approvals' });
 */
export class DynamoDbApprovalGroups implements ApprovalGroupStore {
  private readonly retentionSeconds: number;

  public constructor(private readonly options: DynamoDbApprovalGroupsOptions) {
    this.retentionSeconds = (options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400;
  }

  public async pointer(keyHash: string): Promise<GroupPointer | undefined> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({
        TableName: this.options.tableName,
        Key: pointerKey(keyHash),
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    const parsed = z
      .object({ generation: z.int(), openedAt: z.iso.datetime(), windowEndsAt: z.iso.datetime() })
      .safeParse(unmarshall(Item));
    return parsed.success ? parsed.data : undefined;
  }

  public async advance(
    keyHash: string,
    seen: number,
    next: Omit<GroupPointer, 'generation'>,
  ): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: pointerKey(keyHash),
        UpdateExpression:
          'SET generation = :next, openedAt = :openedAt, windowEndsAt = :windowEndsAt, expiresAtEpoch = :ttl',
        ConditionExpression: 'attribute_not_exists(approvalId) OR generation = :seen',
        ExpressionAttributeValues: marshall({
          ':next': seen + 1,
          ':seen': seen,
          ':openedAt': next.openedAt,
          ':windowEndsAt': next.windowEndsAt,
          ':ttl': this.ttl(next.windowEndsAt),
        }),
      }),
    );
  }

  public async get(groupId: string): Promise<ApprovalGroup | undefined> {
    const { Item } = await this.options.client.send(
      new GetItemCommand({ TableName: this.options.tableName, Key: groupKey(groupId), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const raw = unmarshall(Item);
    const parsed = GroupItemSchema.safeParse(raw);
    // A group this code cannot read is treated as absent, as an unreadable approval record is.
    if (!parsed.success) return undefined;
    const roundList = Object.entries(raw)
      .filter(([name]) => ROUND_ATTRIBUTE.test(name))
      .map(([, value]) => GroupRoundSchema.safeParse(value))
      .flatMap((round) => (round.success ? [round.data] : []))
      .sort((a, b) => a.n - b.n);
    const { slackMessage, ...group } = parsed.data;
    return { ...group, ...(slackMessage == null ? {} : { slackMessage }), roundList };
  }

  public async noteMember(membership: GroupMembership, seq: number, at: string): Promise<void> {
    await this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: groupKey(membership.groupId),
        UpdateExpression:
          'SET groupId = :groupId, keyHash = :keyHash, generation = :generation, shape = :shape, openedAt = :openedAt, windowEndsAt = :windowEndsAt, linkExpiresAt = :linkExpiresAt, memberCount = :seq, newestAt = :at, expiresAtEpoch = :ttl',
        // Never lowers the count: a slower member with an earlier place finds it raised past its own.
        ConditionExpression: 'attribute_not_exists(memberCount) OR memberCount < :seq',
        ExpressionAttributeValues: marshall(
          {
            ':groupId': membership.groupId,
            ':keyHash': membership.keyHash,
            ':generation': membership.generation,
            ':shape': membership.shape,
            ':openedAt': membership.openedAt,
            ':windowEndsAt': membership.windowEndsAt,
            ':linkExpiresAt': membership.linkExpiresAt,
            ':seq': seq,
            ':at': at,
            ':ttl': this.ttl(membership.linkExpiresAt),
          },
          { removeUndefinedValues: true },
        ),
      }),
    );
  }

  public async claimAnnouncement(groupId: string, at: string, staleBefore: string): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: groupKey(groupId),
        UpdateExpression: 'SET announceState = :claimed, announceAt = :at',
        ConditionExpression:
          'attribute_exists(memberCount) AND attribute_not_exists(announceState) OR announceState = :failed OR announceState = :claimed AND announceAt < :stale',
        ExpressionAttributeValues: marshall({
          ':claimed': 'claimed',
          ':failed': 'failed',
          ':at': at,
          ':stale': staleBefore,
        }),
      }),
    );
  }

  public async recordAnnouncement(groupId: string, announcement: GroupAnnouncement): Promise<void> {
    await this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: groupKey(groupId),
        UpdateExpression:
          'SET announceState = :state, announceAt = :at, slackMessage = :slackMessage, snsPublished = :sns, shownCount = :shown, shownAt = :at',
        ConditionExpression: 'attribute_exists(memberCount)',
        ExpressionAttributeValues: marshall({
          ':state': announcement.state,
          ':at': announcement.at,
          // null, not absent: the expression names the value either way.
          ':slackMessage': announcement.slackMessage ?? null,
          ':sns': announcement.snsPublished,
          ':shown': announcement.shownCount,
        }),
      }),
    );
  }

  public async claimUpdate(groupId: string, count: number, at: string, dueBefore: string): Promise<boolean> {
    return this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: groupKey(groupId),
        UpdateExpression: 'SET shownCount = :count, shownAt = :at',
        ConditionExpression: 'shownCount < :count AND shownAt <= :due',
        ExpressionAttributeValues: marshall({ ':count': count, ':at': at, ':due': dueBefore }),
      }),
    );
  }

  public async claimRound(groupId: string, round: GroupRound): Promise<'claimed' | 'conflict'> {
    const values = marshall(
      {
        ':through': round.through,
        ':round': round,
        ':one': 1,
        ...(round.from > 0 ? { ':from': round.from } : {}),
      },
      { removeUndefinedValues: true },
    );
    const names = { '#round': `round${round.n}` };
    const claimed = await this.conditional(
      round.from === 0
        ? new UpdateItemCommand({
            TableName: this.options.tableName,
            Key: groupKey(groupId),
            UpdateExpression: 'SET decidedThrough = :through, #round = :round ADD rounds :one',
            ConditionExpression: 'attribute_not_exists(decidedThrough) AND memberCount >= :through',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          })
        : new UpdateItemCommand({
            TableName: this.options.tableName,
            Key: groupKey(groupId),
            UpdateExpression: 'SET decidedThrough = :through, #round = :round ADD rounds :one',
            ConditionExpression: 'decidedThrough = :from AND memberCount >= :through',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
    );
    return claimed ? 'claimed' : 'conflict';
  }

  public async recordTally(groupId: string, tally: GroupTally): Promise<void> {
    await this.conditional(
      new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: groupKey(groupId),
        UpdateExpression: 'SET tally = :tally',
        ConditionExpression: 'attribute_exists(memberCount)',
        ExpressionAttributeValues: marshall({ ':tally': tally }),
      }),
    );
  }

  private ttl(iso: string): number {
    return Math.floor(Date.parse(iso) / 1000) + this.retentionSeconds;
  }

  /** Sends a conditional write: `true` when it was made, `false` when its condition did not hold. */
  private async conditional(command: UpdateItemCommand): Promise<boolean> {
    try {
      await this.options.client.send(command);
      return true;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return false;
      throw error;
    }
  }
}

/**
 * Asking as a group (groups.ts): a request joins the open group of its kind — or opens the next one — stores
 * its record at its place, and then either posts the group's message (the first member, or whoever takes
 * over an announcement that failed or stalled) or waits until it is posted. A member that joined later shows
 * itself by updating the message, no more often than Slack's `chat.update` rate allows; the last member of a
 * burst waits for its turn so that the message never stays short of it. SNS is told once per group.
 */

import { isConditionalCheckFailure } from '../dynamodb.ts';
import { ApprovalNotDeliveredError } from '../errors.ts';
import { summarySubject } from '../incident-summary.ts';
import type { SlackMessage } from '../slack/blocks.ts';
import type { ApprovalLogger } from './decide.ts';
import { type GroupView, groupEmail, groupMessage } from './group-messages.ts';
import {
  ANNOUNCE_STALE_SECONDS,
  type ApprovalGroup,
  type ApprovalGroupStore,
  GROUP_UPDATE_INTERVAL_SECONDS,
  type GroupMembership,
  type GroupShape,
  groupIdOf,
  groupKeyHash,
  MAX_GROUP_MEMBERS,
  memberApprovalId,
} from './groups.ts';
import { signGroupLink } from './links.ts';
import type { ApprovalRecord, ApprovalStore, SlackMessageRef } from './records.ts';

/** How long a member waits for its group's message to be posted before it gives up (and is asked again). */
export const ANNOUNCE_WAIT_SECONDS = 20;
/** How often a waiting member looks again. */
const POLL_MS = 250;
/** Tries at joining before giving up: each lost race means another member moved the group on. */
const JOIN_ATTEMPTS = 10;
/** Places found taken in a row before the member count is read again. */
const PLACES_BEFORE_REREAD = 8;

/** What the grouped path needs beyond the single one. */
export interface GroupRequestPorts {
  readonly store: Pick<ApprovalStore, 'create' | 'get' | 'withdraw'>;
  readonly groups: ApprovalGroupStore;
  /** The group window (`settings.approval.groupWindowSeconds`), above 0. */
  readonly windowSeconds: number;
  readonly linkBaseUrl: string;
  readonly linkSigningKey: string;
  now(): Date;
  postSlack?(message: SlackMessage): Promise<SlackMessageRef | undefined>;
  /** `chat.update` of the group's message (a bot token); absent, the first message is all Slack shows. */
  updateSlack?(ref: SlackMessageRef, message: SlackMessage): Promise<void>;
  publish?(subject: string, message: string, attributes?: Readonly<Record<string, string>>): Promise<void>;
  /** Waits (tests pass one that moves a fake clock). Default: a timer. */
  sleep?(milliseconds: number): Promise<void>;
  readonly logger?: ApprovalLogger;
}

/** How a member's request reached people: its own post, the group's message, or nothing. */
export type GroupDelivery = 'posted' | 'failed' | 'not-configured' | 'grouped';

export interface GroupRequestResult {
  readonly record: ApprovalRecord;
  readonly groupId: string;
  readonly seq: number;
  /** The group page's signed link (the same for every member). */
  readonly link: string;
  /** The group's message as this member last rendered it. */
  readonly slackMessage: SlackMessage;
  readonly delivered: { readonly slack: GroupDelivery; readonly sns: GroupDelivery };
  /** Whether this member posted the group's message (it opened, or took over, the announcement). */
  readonly announced: boolean;
}

const timer = (milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds));

function iso(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}

/**
 * The view of a group as a request renders it: the newest members read from their records, and the group's
 * last count (the approval API's).
 */
export async function viewOfGroup(
  group: ApprovalGroup,
  ports: Pick<GroupRequestPorts, 'store' | 'linkBaseUrl' | 'linkSigningKey'>,
  sampleSize = 5,
): Promise<GroupView> {
  const places = Array.from(
    { length: Math.min(sampleSize, group.memberCount) },
    (_, index) => group.memberCount - index,
  );
  const records = await Promise.all(
    places.map((seq) => ports.store.get(memberApprovalId(group.groupId, seq))),
  );
  return {
    group,
    sample: records.filter((record): record is ApprovalRecord => record !== undefined),
    ...(group.tally === undefined ? {} : { tally: group.tally }),
    link: groupLink(group, ports),
  };
}

/** The group's signed link: the same for every member (its expiry is the group's). */
export function groupLink(
  group: Pick<ApprovalGroup, 'groupId' | 'linkExpiresAt'>,
  ports: Pick<GroupRequestPorts, 'linkBaseUrl' | 'linkSigningKey'>,
): string {
  return signGroupLink({
    baseUrl: ports.linkBaseUrl,
    groupId: group.groupId,
    expiresAt: new Date(group.linkExpiresAt),
    key: ports.linkSigningKey,
  });
}

/**
 * Joins the open group of the member's kind (or opens the next generation), storing the member's record at
 * the first free place. `expiryFor(windowEndsAt)` is the latest a member of that window can expire: the group
 * link's expiry.
 */
async function join(
  draft: Omit<ApprovalRecord, 'approvalId' | 'group'>,
  shape: GroupShape,
  expiryFor: (windowEndsAt: Date) => Date,
  ports: GroupRequestPorts,
): Promise<{ record: ApprovalRecord; membership: GroupMembership; seq: number }> {
  const keyHash = groupKeyHash(shape);
  for (let attempt = 1; attempt <= JOIN_ATTEMPTS; attempt += 1) {
    const now = ports.now().getTime();
    const pointer = await ports.groups.pointer(keyHash);
    if (pointer === undefined || Date.parse(pointer.windowEndsAt) <= now) {
      // No group of this kind is open: open the next (a lost race means someone else did; read again).
      await ports.groups.advance(keyHash, pointer?.generation ?? 0, {
        openedAt: iso(now),
        windowEndsAt: iso(now + ports.windowSeconds * 1000),
      });
      continue;
    }
    const membership: GroupMembership = {
      groupId: groupIdOf(keyHash, pointer.generation),
      keyHash,
      generation: pointer.generation,
      shape,
      openedAt: pointer.openedAt,
      windowEndsAt: pointer.windowEndsAt,
      linkExpiresAt: expiryFor(new Date(pointer.windowEndsAt)).toISOString(),
    };
    // A member never outlives its group's link (it joined before the window ended, with the group's wait).
    if (draft.expiresAt > membership.linkExpiresAt) {
      await ports.groups.advance(keyHash, pointer.generation, {
        openedAt: iso(now),
        windowEndsAt: iso(now + ports.windowSeconds * 1000),
      });
      continue;
    }
    let seq = ((await ports.groups.get(membership.groupId))?.memberCount ?? 0) + 1;
    let taken = 0;
    while (seq <= MAX_GROUP_MEMBERS) {
      const record: ApprovalRecord = {
        ...draft,
        approvalId: memberApprovalId(membership.groupId, seq),
        group: { id: membership.groupId, seq },
      };
      try {
        // The place is the member's once its record is there: of two requests trying one place, one wins.
        await ports.store.create(record);
      } catch (error) {
        if (!isConditionalCheckFailure(error)) throw error;
        taken += 1;
        // In a burst, many try the same places: every few lost places, skip to after the count as it is now.
        const count =
          taken % PLACES_BEFORE_REREAD === 0
            ? ((await ports.groups.get(membership.groupId))?.memberCount ?? 0)
            : 0;
        seq = Math.max(seq + 1, count + 1);
        continue;
      }
      await ports.groups.noteMember(membership, seq, iso(ports.now().getTime()));
      return { record, membership, seq };
    }
    // Full: the next request of this kind opens the next group.
    await ports.groups.advance(keyHash, pointer.generation, {
      openedAt: iso(now),
      windowEndsAt: iso(now + ports.windowSeconds * 1000),
    });
  }
  throw new ApprovalNotDeliveredError(
    `request-approval: could not join an approval group of its kind after ${JOIN_ATTEMPTS} attempts`,
  );
}

async function send(
  what: 'slack' | 'sns',
  ports: GroupRequestPorts,
  configured: boolean,
  work: () => Promise<void>,
): Promise<GroupDelivery> {
  if (!configured) return 'not-configured';
  try {
    await work();
    return 'posted';
  } catch (error) {
    // The name only: a webhook failure's message may contain the webhook URL, which is a secret.
    ports.logger?.warn(`approval: the group's ${what} message could not be sent`, {
      error: error instanceof Error ? error.name : 'unknown',
    });
    return 'failed';
  }
}

/** Posts the group's message and its one e-mail; records where the message is. */
async function announce(
  groupId: string,
  ports: GroupRequestPorts,
  channel: string | undefined,
  attributes: Readonly<Record<string, string>>,
): Promise<{ slack: GroupDelivery; sns: GroupDelivery; message: SlackMessage }> {
  const group = await ports.groups.get(groupId);
  if (group === undefined) throw new Error(`approval group ${groupId} vanished while announced`);
  const view = await viewOfGroup(group, ports);
  const message = groupMessage(view);
  let ref: SlackMessageRef | undefined;
  const slack = await send('slack', ports, ports.postSlack !== undefined, async () => {
    ref = await ports.postSlack?.(channel === undefined ? message : { ...message, channel });
  });
  const newest = view.sample[0];
  const sns = await send('sns', ports, ports.publish !== undefined && newest !== undefined, async () => {
    if (newest === undefined) return;
    const subject = summarySubject(newest.incident, 'and others: approval requested', group.shape.dryRun);
    // Subscribers filtering on `event: approval-requested` get the group's one message; `groupId` tells it apart.
    await ports.publish?.(subject, groupEmail(view), { ...attributes, groupId });
  });
  const delivered = slack === 'posted' || sns === 'posted';
  await ports.groups.recordAnnouncement(groupId, {
    state: delivered ? 'done' : 'failed',
    at: ports.now().toISOString(),
    ...(ref === undefined ? {} : { slackMessage: ref }),
    snsPublished: sns === 'posted',
    shownCount: group.memberCount,
  });
  return { slack, sns, message };
}

/**
 * Shows a member in the group's message: when the message shows fewer members and the last update is at
 * least {@link GROUP_UPDATE_INTERVAL_SECONDS} old, this member claims the update and makes it with the
 * group as it is now (so one update shows every member who joined meanwhile); when the interval has not
 * passed, the newest member waits for it, and the others leave the update to a newer one.
 */
async function show(
  groupId: string,
  seq: number,
  ports: GroupRequestPorts,
): Promise<SlackMessage | undefined> {
  const sleep = ports.sleep ?? timer;
  const interval = GROUP_UPDATE_INTERVAL_SECONDS * 1000;
  for (;;) {
    const group = await ports.groups.get(groupId);
    if (group === undefined || group.slackMessage === undefined || ports.updateSlack === undefined)
      return undefined;
    if ((group.shownCount ?? 0) >= seq || group.memberCount > seq) return undefined;
    const now = ports.now().getTime();
    const due = Date.parse(group.shownAt ?? group.openedAt) + interval;
    if (now < due) {
      await sleep(Math.min(due - now, interval));
      continue;
    }
    if (!(await ports.groups.claimUpdate(groupId, group.memberCount, iso(now), iso(now - interval))))
      continue;
    const message = groupMessage(await viewOfGroup(group, ports));
    try {
      await ports.updateSlack(group.slackMessage, message);
    } catch (error) {
      // The member is on the page and in the next update; the message is only behind for a while.
      ports.logger?.warn("approval: the group's Slack message could not be updated", {
        groupId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
    return message;
  }
}

/**
 * Asks for a member of a group: joins, stores the record at its place, and makes sure the group's message
 * is posted (posting it, or waiting for the member that does) and shows this member. When the group's
 * message reached nobody within {@link ANNOUNCE_WAIT_SECONDS}, the member is withdrawn (no group decision
 * will ever answer its token) and `ApprovalNotDeliveredError` makes the Task ask again.
 *
 * @example
 * const { groupId, seq, link } = await requestGroupedApproval(draft, shape, ports, { channel, attributes });
 */
export async function requestGroupedApproval(
  draft: Omit<ApprovalRecord, 'approvalId' | 'group'>,
  shape: GroupShape,
  ports: GroupRequestPorts,
  options: {
    readonly channel?: string;
    readonly attributes: Readonly<Record<string, string>>;
    /** The latest expiry of a member joining before `windowEndsAt` (the group link's). */
    expiryFor(windowEndsAt: Date): Date;
  },
): Promise<GroupRequestResult> {
  const sleep = ports.sleep ?? timer;
  const { record, membership, seq } = await join(draft, shape, options.expiryFor, ports);
  const { groupId } = membership;
  const link = groupLink(membership, ports);
  const deadline = ports.now().getTime() + ANNOUNCE_WAIT_SECONDS * 1000;
  for (;;) {
    const group = await ports.groups.get(groupId);
    if (group?.announceState === 'done') {
      const shown = await show(groupId, seq, ports);
      const latest = (await ports.groups.get(groupId)) ?? group;
      const message = shown ?? groupMessage(await viewOfGroup(latest, ports));
      ports.logger?.info('approval: joined a group', { approvalId: record.approvalId, groupId, seq });
      return {
        record,
        groupId,
        seq,
        link,
        slackMessage: message,
        delivered: { slack: 'grouped', sns: 'grouped' },
        announced: false,
      };
    }
    const now = ports.now().getTime();
    const stale = iso(now - ANNOUNCE_STALE_SECONDS * 1000);
    // Only a free, failed or stale announcement is worth claiming: a claim that cannot win is a write spent.
    const claimable =
      group !== undefined &&
      (group.announceState === undefined ||
        group.announceState === 'failed' ||
        (group.announceAt !== undefined && group.announceAt < stale));
    if (claimable && (await ports.groups.claimAnnouncement(groupId, iso(now), stale))) {
      const posted = await announce(groupId, ports, options.channel, options.attributes);
      if (posted.slack !== 'posted' && posted.sns !== 'posted') {
        await ports.store.withdraw(record.approvalId);
        throw new ApprovalNotDeliveredError(
          `request-approval: approval group ${groupId} reached nobody (Slack ${posted.slack}, SNS ${posted.sns}); member ${seq} withdrawn`,
        );
      }
      ports.logger?.info('approval: opened a group', { approvalId: record.approvalId, groupId, seq });
      return {
        record,
        groupId,
        seq,
        link,
        slackMessage: posted.message,
        delivered: { slack: posted.slack, sns: posted.sns },
        announced: true,
      };
    }
    if (now >= deadline) {
      await ports.store.withdraw(record.approvalId);
      throw new ApprovalNotDeliveredError(
        `request-approval: approval group ${groupId} was not announced within ${ANNOUNCE_WAIT_SECONDS} s; member ${seq} withdrawn`,
      );
    }
    await sleep(POLL_MS);
  }
}

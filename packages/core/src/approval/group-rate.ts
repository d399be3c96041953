/**
 * What a burst of approval requests asks of Slack and SNS, with approval groups as deployed or without them:
 * a model of group-request.ts's rules over request times, for the benchmarks (bench/'s quota model). It runs
 * no code of the request path: it follows its rules — one `chat.postMessage` and one SNS message per group,
 * a group per kind and window of at most {@link MAX_GROUP_MEMBERS}, and `chat.update`s no closer than
 * {@link GROUP_UPDATE_INTERVAL_SECONDS} apart, the last member of a burst waiting its turn so the message ends
 * showing every member. The tests of group-request.ts and of this file hold the two together.
 */
import { GROUP_UPDATE_INTERVAL_SECONDS, MAX_GROUP_MEMBERS } from './groups.ts';

/** One approval request: when it arrives (milliseconds), and its kind (what groupKeyHash would make of it). */
export interface RequestArrival {
  readonly at: number;
  readonly kind: string;
}

export interface SlackCallsOptions {
  /** `false`: every request posts its own message and e-mail, as with `approval.groupWindowSeconds` 0. */
  readonly grouping: boolean;
  /** `approval.groupWindowSeconds` (default 600). */
  readonly windowSeconds?: number;
  readonly updateIntervalSeconds?: number;
  readonly maxMembers?: number;
  /** Whether the message can be updated (a bot token); a webhook posts only. Default true. */
  readonly updates?: boolean;
}

/** The calls, each at the time it is made (milliseconds, in order). */
export interface SlackCallPlan {
  readonly postMessage: readonly number[];
  readonly update: readonly number[];
  readonly snsPublish: readonly number[];
  /** Messages people are asked to answer: one per group (or per request without grouping). */
  readonly messages: number;
}

interface OpenGroup {
  readonly windowEndsAt: number;
  members: number;
  /** Members the message shows, and when it last changed. */
  shown: number;
  shownAt: number;
}

/**
 * The Slack and SNS calls a series of requests makes.
 *
 * @example
 * const storm = Array.from({ length: 500 }, (_, i) => ({ at: i * 600, kind: 'asg-worm' })); // 500 in 5 minutes
 * slackCallsFor(storm, { grouping: false }).postMessage.length // 500
 * slackCallsFor(storm, { grouping: true }).postMessage.length // 1, and about 30 chat.updates
 */
export function slackCallsFor(
  requests: readonly RequestArrival[],
  options: SlackCallsOptions,
): SlackCallPlan {
  const sorted = [...requests].sort((a, b) => a.at - b.at);
  if (!options.grouping || options.windowSeconds === 0) {
    const times = sorted.map((request) => request.at);
    return { postMessage: times, update: [], snsPublish: times, messages: times.length };
  }
  const window = (options.windowSeconds ?? 600) * 1000;
  const interval = (options.updateIntervalSeconds ?? GROUP_UPDATE_INTERVAL_SECONDS) * 1000;
  const max = options.maxMembers ?? MAX_GROUP_MEMBERS;
  const canUpdate = options.updates ?? true;
  const open = new Map<string, OpenGroup>();
  const posts: number[] = [];
  const updates: number[] = [];
  let messages = 0;

  /** The trailing update a group's newest member makes when no newer member comes before its turn. */
  const catchUp = (group: OpenGroup, before: number) => {
    if (!canUpdate || group.shown >= group.members) return;
    const due = group.shownAt + interval;
    if (due <= before) {
      updates.push(due);
      group.shown = group.members;
      group.shownAt = due;
    }
  };

  for (const request of sorted) {
    for (const group of open.values()) catchUp(group, request.at);
    const current = open.get(request.kind);
    if (current === undefined || current.windowEndsAt <= request.at || current.members >= max) {
      if (current !== undefined) catchUp(current, Number.POSITIVE_INFINITY);
      open.set(request.kind, {
        windowEndsAt: request.at + window,
        members: 1,
        shown: 1,
        shownAt: request.at,
      });
      posts.push(request.at);
      messages += 1;
      continue;
    }
    current.members += 1;
    if (canUpdate && request.at >= current.shownAt + interval) {
      updates.push(request.at);
      current.shown = current.members;
      current.shownAt = request.at;
    }
  }
  for (const group of open.values()) catchUp(group, Number.POSITIVE_INFINITY);
  updates.sort((a, b) => a - b);
  return { postMessage: posts, update: updates, snsPublish: [...posts], messages };
}

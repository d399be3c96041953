/**
 * The organization's worst hour, on the scale model: 1,000 member accounts in 4 Regions; 100,000 deliveries of
 * 20,000 distinct GuardDuty findings in 15 minutes — among them a worm (500 instances of one Auto Scaling group
 * in one account, compromised within 5 minutes) and a leaked access key used from 50 IP addresses — through
 * Cordon's deployed path, with AWS's quotas and Slack's, to the end of every playbook (approvals included).
 */
import type { Incident } from '../../packages/core/src/intake/incident.ts';
import type { TriageResult } from '../../packages/core/src/triage/triage.ts';
import { latencies as defaultLatencies, type Latencies } from '../model/latency.ts';
import type { QuotaId } from '../model/quotas.ts';
import { quantile, seededRandom } from '../model/random.ts';
import { findingIdOf, hexId, instanceFinding, keyFinding, republished, stamped } from './findings.ts';
import {
  incidentOfEvent,
  instanceIds,
  memberAccount,
  networkOf,
  REGIONS,
  seedFinding,
} from './organization.ts';
import { type SimulationOptions, simulate } from './simulate.ts';
import { ContainmentTracker } from './tracking.ts';

/** What the storm is made of. */
export interface StormShape {
  readonly accounts: number;
  readonly findings: number;
  readonly deliveriesPerFinding: number;
  /** Minutes over which the findings first arrive. */
  readonly windowMinutes: number;
  readonly worm: { readonly instances: number; readonly withinMinutes: number; readonly startMinute: number };
  readonly leakedKey: { readonly ips: number; readonly startMinute: number; readonly withinMinutes: number };
  /** Shares of the other findings (they sum to 1). */
  readonly mix: Readonly<Record<BackgroundKind, number>>;
}

export type BackgroundKind =
  | 'port-probe'
  | 'ssh-brute-force-inbound'
  | 'iam-discovery'
  | 'instance-compromise-high'
  | 'instance-compromise-medium';

export const WORST_HOUR: StormShape = {
  accounts: 1000,
  findings: 20_000,
  deliveriesPerFinding: 5,
  windowMinutes: 15,
  worm: { instances: 500, withinMinutes: 5, startMinute: 1 },
  leakedKey: { ips: 50, startMinute: 2, withinMinutes: 8 },
  mix: {
    'port-probe': 0.6,
    'ssh-brute-force-inbound': 0.2,
    'iam-discovery': 0.13,
    'instance-compromise-high': 0.05,
    'instance-compromise-medium': 0.02,
  },
};

/** A scaled-down storm with the same shape (tests, quick runs). */
export function scaledStorm(factor: number): StormShape {
  return {
    ...WORST_HOUR,
    accounts: Math.max(4, Math.round(WORST_HOUR.accounts * factor)),
    findings: Math.round(WORST_HOUR.findings * factor),
    worm: { ...WORST_HOUR.worm, instances: Math.max(10, Math.round(WORST_HOUR.worm.instances * factor)) },
    leakedKey: { ...WORST_HOUR.leakedKey, ips: Math.max(5, Math.round(WORST_HOUR.leakedKey.ips * factor)) },
  };
}

type FindingClass = BackgroundKind | 'worm' | 'leaked-key';

interface PlannedFinding {
  readonly cls: FindingClass;
  readonly event: Record<string, unknown>;
  readonly firstAt: number;
  readonly incident: Incident;
  /** ENIs of the instance (containment is the last one cut), or the key. */
  readonly enis: readonly string[];
  readonly accessKeyId?: string;
}

interface PlannedDelivery {
  readonly at: number;
  readonly finding: number;
  readonly event: Record<string, unknown>;
}

const WORM_TYPE = 'CryptoCurrency:EC2/BitcoinTool.B!DNS';
const KEY_TYPE = 'Exfiltration:IAMUser/AnomalousBehavior';

/** Builds the storm's findings and their deliveries (seeding what they name), deterministically. */
function plan(
  cordonWorld: Parameters<typeof seedFinding>[0],
  shape: StormShape,
  start: number,
  seed: number,
) {
  const random = seededRandom(seed);
  const findings: PlannedFinding[] = [];
  const minute = 60_000;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const add = (cls: FindingClass, event: Record<string, unknown>, firstAt: number, seed: boolean) => {
    stamped(event, new Date(start + firstAt));
    const incident = seed ? seedFinding(cordonWorld, event) : incidentOfEvent(event);
    const enis = incident.resources.flatMap((resource) =>
      resource.kind === 'ec2-instance' ? resource.networkInterfaces.map((eni) => eni.networkInterfaceId) : [],
    );
    const key = incident.resources.find((resource) => resource.kind === 'access-key');
    findings.push({
      cls,
      event,
      firstAt,
      incident,
      enis,
      ...(key?.kind === 'access-key' && key.accessKeyId !== undefined
        ? { accessKeyId: key.accessKeyId }
        : {}),
    });
  };

  // The worm: one Auto Scaling group in one account and Region (not the home Region: its events are forwarded).
  const wormAccount = memberAccount(0);
  const wormRegion = REGIONS[1] as string;
  const wormNetwork = networkOf(wormAccount, wormRegion);
  const wormInstances: string[] = [];
  for (let index = 0; index < shape.worm.instances; index += 1) {
    const ids = instanceIds(`worm-${index}`);
    wormInstances.push(ids.instanceId);
    const event = instanceFinding({
      account: wormAccount,
      region: wormRegion,
      findingId: findingIdOf(`worm-${index}`),
      type: WORM_TYPE,
      severity: 8,
      ...ids,
      ...wormNetwork,
    });
    const at = (shape.worm.startMinute + random() * shape.worm.withinMinutes) * minute;
    stamped(event, new Date(start + at));
    // Seeded without a group or target group of its own: the worm's instances share the fleet's, added below.
    const incident = seedFinding(cordonWorld, event, { autoScalingGroup: false, targetGroup: false });
    findings.push({
      cls: 'worm',
      event,
      firstAt: at,
      incident,
      enis: ids.eniIds,
    });
  }
  const wormSandbox = cordonWorld.sandboxFor(wormAccount, wormRegion);
  wormSandbox.autoScaling.addGroup({
    name: 'web-fleet',
    minSize: 0,
    maxSize: shape.worm.instances * 2,
    desiredCapacity: shape.worm.instances,
    instances: wormInstances.map((instanceId) => ({ instanceId })),
  });
  // An Auto Scaling group registers its instances in the target group(s) it is attached to: the fleet's one
  // target group holds all 500 (until the run before this change, each had a target group of its own, and
  // each worm incident described the health of all 500).
  wormSandbox.elbv2.addTargetGroup({
    name: 'web-fleet',
    vpcId: wormNetwork.vpcId,
    targets: wormInstances.map((id) => ({ id, port: 80, state: 'healthy' as const })),
  });

  // The leaked key: one IAM user's key, used from many addresses, seen in every Region.
  const keyAccount = memberAccount(1);
  const accessKeyId = `AKIA${hexId('leaked-key', 16).toUpperCase()}`;
  for (let index = 0; index < shape.leakedKey.ips; index += 1) {
    const event = keyFinding({
      account: keyAccount,
      region: REGIONS[index % REGIONS.length] as string,
      findingId: findingIdOf(`leaked-key-${index}`),
      type: KEY_TYPE,
      severity: 8,
      userName: 'ci-deployer',
      accessKeyId,
      ip: `203.0.113.${index + 1}`,
    });
    add(
      'leaked-key',
      event,
      (shape.leakedKey.startMinute + random() * shape.leakedKey.withinMinutes) * minute,
      index === 0,
    );
  }

  // The rest of the storm, across the organization.
  const background = shape.findings - shape.worm.instances - shape.leakedKey.ips;
  const kinds = Object.entries(shape.mix) as Array<[BackgroundKind, number]>;
  for (let index = 0; index < background; index += 1) {
    let roll = random();
    let kind: BackgroundKind = kinds[0]?.[0] as BackgroundKind;
    for (const [candidate, share] of kinds) {
      if (roll < share) {
        kind = candidate;
        break;
      }
      roll -= share;
    }
    const account = memberAccount(2 + Math.floor(random() * (shape.accounts - 2)));
    const region = pick(REGIONS);
    const at = random() * shape.windowMinutes * minute;
    const label = `background-${index}`;
    const findingId = findingIdOf(label);
    const network = networkOf(account, region);
    switch (kind) {
      case 'port-probe':
        add(
          kind,
          instanceFinding({
            account,
            region,
            findingId,
            type: 'Recon:EC2/PortProbeUnprotectedPort',
            severity: 2,
            ...instanceIds(label),
            ...network,
            action: { actionType: 'PORT_PROBE' },
          }),
          at,
          false,
        );
        break;
      case 'ssh-brute-force-inbound':
        add(
          kind,
          instanceFinding({
            account,
            region,
            findingId,
            type: 'UnauthorizedAccess:EC2/SSHBruteForce',
            severity: 2,
            ...instanceIds(label),
            ...network,
            action: { actionType: 'NETWORK_CONNECTION', direction: 'INBOUND' },
          }),
          at,
          false,
        );
        break;
      case 'iam-discovery':
        add(
          kind,
          keyFinding({
            account,
            region,
            findingId,
            type: 'Discovery:IAMUser/AnomalousBehavior',
            severity: 2,
            userName: `user-${index % 97}`,
            accessKeyId: `AKIA${hexId(`discovery-${account}-${index % 97}`, 16).toUpperCase()}`,
            ip: '198.51.100.9',
          }),
          at,
          false,
        );
        break;
      case 'instance-compromise-high':
        add(
          kind,
          instanceFinding({
            account,
            region,
            findingId,
            type: 'Backdoor:EC2/C&CActivity.B!DNS',
            severity: 8,
            ...instanceIds(label),
            ...network,
          }),
          at,
          true,
        );
        break;
      case 'instance-compromise-medium':
        add(
          kind,
          instanceFinding({
            account,
            region,
            findingId,
            type: 'UnauthorizedAccess:EC2/SSHBruteForce',
            severity: 5,
            ...instanceIds(label),
            ...network,
            action: { actionType: 'NETWORK_CONNECTION', direction: 'OUTBOUND' },
          }),
          at,
          true,
        );
        break;
    }
  }

  // Deliveries: the first; one duplicate within seconds (at-least-once delivery, forwarding); the rest
  // re-publications with a growing count, later in the window.
  const deliveries: PlannedDelivery[] = [];
  const windowEnd = shape.windowMinutes * minute;
  findings.forEach((finding, index) => {
    deliveries.push({ at: finding.firstAt, finding: index, event: finding.event });
    if (shape.deliveriesPerFinding >= 2) {
      deliveries.push({ at: finding.firstAt + random() * 10_000, finding: index, event: finding.event });
    }
    for (let copy = 2; copy < shape.deliveriesPerFinding; copy += 1) {
      const at = finding.firstAt + random() * Math.max(1, windowEnd - finding.firstAt);
      deliveries.push({ at, finding: index, event: republished(finding.event, copy, new Date(start + at)) });
    }
  });
  deliveries.sort((a, b) => a.at - b.at);
  return { findings, deliveries };
}

export interface QuotaRow {
  readonly quota: QuotaId;
  readonly requests: number;
  readonly throttled: number;
  readonly surfaced: number;
  readonly scopes: number;
  readonly firstThrottleSeconds?: number;
}

export interface StormReport {
  readonly findings: number;
  readonly deliveries: number;
  readonly droppedByRules: number;
  readonly failedDeliveries: number;
  /** Findings for which no delivery's triage finished (nothing decided, nothing started). */
  readonly lost: number;
  /** Findings decided while the settings had failed closed (notify-only instead of what the settings say). */
  readonly decidedFailClosed: number;
  readonly executions: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly duplicateEniContainments: number;
  readonly duplicateKeyDeactivations: number;
  /** Automatic containments: how many were expected, done, and delivery → containment times (seconds). */
  readonly automatic: {
    readonly expected: number;
    readonly contained: number;
    /** Contained before their first delivery (the leaked key's later sightings): no time of their own. */
    readonly alreadyContained: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
    readonly overMinute: number;
  };
  readonly byClass: Readonly<
    Record<
      string,
      { findings: number; contained: number; alreadyContained: number; p50?: number; p99?: number }
    >
  >;
  readonly approvals: {
    readonly requested: number;
    readonly decided: number;
    readonly timedOut: number;
    readonly slackPosted: number;
    readonly slackRefused: number;
    /** Seconds between the first and the last approval request Slack accepted. */
    readonly firstToLastPostSeconds: number;
  };
  readonly notifications: {
    readonly slackPosted: number;
    readonly slackRefused: number;
    readonly snsPublished: number;
    /** Notify steps that ended, by what they said of Slack (`posted`, `rate-limited`, `failed` …). */
    readonly notifySlack: Readonly<Record<string, number>>;
    /** Seconds from the storm's start to the last notification Slack accepted. */
    readonly lastPostSeconds: number;
  };
  readonly quotas: readonly QuotaRow[];
  readonly stepRetries: Readonly<Record<string, number>>;
  readonly lambda: {
    readonly peakConcurrency: number;
    readonly coldStarts: number;
    readonly throttles: number;
    readonly asyncRetries: number;
    readonly asyncDropped: number;
    readonly invocations: number;
    readonly gbSeconds: number;
  };
  readonly stateTransitions: number;
  readonly virtualMinutes: number;
  readonly wallSeconds: number;
}

export interface StormOptions
  extends Partial<Pick<SimulationOptions, 'memoryMb' | 'cost' | 'quotaOverrides'>> {
  readonly shape?: StormShape;
  readonly seed?: number;
  readonly latencies?: Latencies;
  /** Settings the organization runs with (default: Cordon's defaults, Slack set up). */
  readonly settings?: Record<string, unknown>;
  readonly onCall?: SimulationOptions['onCall'];
}

/** Runs the storm to the end of every playbook and reports what happened. */
export async function worstHour(options: StormOptions = {}): Promise<StormReport> {
  const shape = options.shape ?? WORST_HOUR;
  const seed = options.seed ?? 2026;
  const { result, virtualMs, wallMs } = await simulate(
    {
      seed,
      latencies: options.latencies ?? defaultLatencies(),
      slack: true,
      settings: options.settings ?? {},
      onCall: options.onCall ?? { responders: 2, secondsPerDecision: 30, answer: 'approve' },
      ...(options.memoryMb === undefined ? {} : { memoryMb: options.memoryMb }),
      ...(options.cost === undefined ? {} : { cost: options.cost }),
      ...(options.quotaOverrides === undefined ? {} : { quotaOverrides: options.quotaOverrides }),
    },
    async (cordon, time) => {
      const start = time.now;
      const tracker = new ContainmentTracker(cordon.world);
      const { findings, deliveries } = plan(cordon.world, shape, start, seed);
      // When Slack accepted each kind of message: how long the channel took to carry the storm's posts.
      const posts = { approval: [] as number[], notification: [] as number[] };
      cordon.slack.onPost((message) => posts[message.kind].push((message.at - start) / 1000));
      const results: Array<TriageResult[] | undefined> = findings.map(() => undefined);
      const decided = new Set<number>();
      const failClosed = new Set<number>();
      let dropped = 0;
      let failed = 0;
      await Promise.all(
        deliveries.map(async (delivery) => {
          await time.sleep(delivery.at - (time.now - start));
          const outcome = await cordon.deliver(delivery.event);
          if (outcome.outcome === 'dropped') {
            dropped += 1;
            return;
          }
          if (outcome.outcome === 'failed') {
            failed += 1;
            return;
          }
          const triaged = (outcome.result as { results?: TriageResult[] } | undefined)?.results ?? [];
          results[delivery.finding] = triaged;
          for (const result of triaged) {
            if (result.outcome === 'rejected') continue;
            decided.add(delivery.finding);
            if (result.outcome === 'started' && result.decision.reason.includes('Settings failed closed')) {
              failClosed.add(delivery.finding);
            }
          }
        }),
      );
      await cordon.settle();
      return collect(
        cordon,
        tracker,
        findings,
        deliveries.length,
        decided,
        failClosed,
        dropped,
        failed,
        start,
        posts,
      );
    },
  );
  return { ...result, virtualMinutes: virtualMs / 60_000, wallSeconds: wallMs / 1000 };
}

function collect(
  cordon: Parameters<Parameters<typeof simulate>[1]>[0],
  tracker: ContainmentTracker,
  findings: readonly PlannedFinding[],
  deliveries: number,
  decided: ReadonlySet<number>,
  failClosed: ReadonlySet<number>,
  dropped: number,
  failed: number,
  start: number,
  postTimes: { readonly approval: readonly number[]; readonly notification: readonly number[] },
): Omit<StormReport, 'virtualMinutes' | 'wallSeconds'> {
  const runs = [...cordon.sfn.runs.values()];
  const executions: Record<string, Record<string, number>> = {};
  for (const run of runs) {
    executions[run.playbook] ??= {};
    const byStatus = executions[run.playbook] as Record<string, number>;
    byStatus[run.status] = (byStatus[run.status] ?? 0) + 1;
  }
  const automaticClasses = new Set<FindingClass>(['worm', 'leaked-key', 'instance-compromise-high']);
  const byClass: Record<string, { findings: number; contained: number; before: number; times: number[] }> =
    {};
  const automaticTimes: number[] = [];
  let expected = 0;
  let alreadyContained = 0;
  findings.forEach((finding) => {
    byClass[finding.cls] ??= { findings: 0, contained: 0, before: 0, times: [] };
    const entry = byClass[finding.cls] as {
      findings: number;
      contained: number;
      before: number;
      times: number[];
    };
    entry.findings += 1;
    const run = cordon.sfn.runs.get(finding.incident.id);
    const automatic =
      run !== undefined && run.input.decision.approval === 'auto' && automaticClasses.has(finding.cls);
    let containedAt: number | undefined;
    if (finding.enis.length > 0) {
      const times = finding.enis.map((eni) => tracker.eniMoves.get(eni)?.[0]);
      if (times.every((t) => t !== undefined)) containedAt = Math.max(...(times as number[]));
    } else if (finding.accessKeyId !== undefined) {
      containedAt = tracker.keyDeactivations.get(finding.accessKeyId)?.[0];
    }
    // A finding about a key already deactivated (the leaked key's later sightings) was contained before it
    // arrived: counted as contained, but it has no time to containment of its own.
    const seconds = containedAt === undefined ? undefined : (containedAt - (start + finding.firstAt)) / 1000;
    if (seconds !== undefined) {
      entry.contained += 1;
      if (seconds >= 0) entry.times.push(seconds);
      else entry.before += 1;
    }
    if (automatic) {
      expected += 1;
      if (seconds !== undefined && seconds >= 0) automaticTimes.push(seconds);
      else if (seconds !== undefined) alreadyContained += 1;
    }
  });
  const approvalRuns = runs.filter((run) => run.steps.some((step) => step.step === 'request-approval'));
  const posts = cordon.slack.counts;
  const quotas: QuotaRow[] = [...cordon.quotas.counts.entries()]
    .map(([quota, counts]) => ({
      quota,
      requests: counts.requests,
      throttled: counts.throttled,
      surfaced: counts.surfaced,
      scopes: counts.throttledScopes.size,
      ...(counts.firstThrottleAt === undefined
        ? {}
        : { firstThrottleSeconds: counts.firstThrottleAt / 1000 }),
    }))
    .sort(
      (a, b) =>
        (a.firstThrottleSeconds ?? Number.POSITIVE_INFINITY) -
        (b.firstThrottleSeconds ?? Number.POSITIVE_INFINITY),
    );
  const stepRetries: Record<string, number> = {};
  const notifySlack: Record<string, number> = {};
  for (const run of runs) {
    for (const step of run.steps) {
      if (step.error !== undefined) stepRetries[step.error] = (stepRetries[step.error] ?? 0) + 1;
      if (step.slack !== undefined) notifySlack[step.slack] = (notifySlack[step.slack] ?? 0) + 1;
    }
  }
  const lambdaStats = [...cordon.lambda.stats.values()];
  const sum = (pick: (stats: (typeof lambdaStats)[number]) => number) =>
    lambdaStats.reduce((total, stats) => total + pick(stats), 0);
  const approvalsTimedOut = runs.filter((run) =>
    run.steps.some((step) => step.step === 'request-approval' && step.error === 'States.Timeout'),
  ).length;
  const lost = findings.filter((_, index) => !decided.has(index)).length;
  return {
    findings: findings.length,
    deliveries,
    droppedByRules: dropped,
    failedDeliveries: failed,
    lost,
    decidedFailClosed: failClosed.size,
    executions,
    duplicateEniContainments: tracker.duplicateEniContainments(),
    duplicateKeyDeactivations: tracker.duplicateKeyDeactivations(),
    automatic: {
      expected,
      contained: automaticTimes.length + alreadyContained,
      alreadyContained,
      p50: quantile(automaticTimes, 0.5),
      p99: quantile(automaticTimes, 0.99),
      max: Math.max(...automaticTimes),
      overMinute: automaticTimes.filter((seconds) => seconds > 60).length,
    },
    byClass: Object.fromEntries(
      Object.entries(byClass).map(([cls, entry]) => [
        cls,
        {
          findings: entry.findings,
          contained: entry.contained,
          alreadyContained: entry.before,
          ...(entry.times.length > 0
            ? { p50: quantile(entry.times, 0.5), p99: quantile(entry.times, 0.99) }
            : {}),
        },
      ]),
    ),
    approvals: {
      requested: approvalRuns.length,
      decided: cordon.onCall.decisions.filter((decision) => decision.accepted).length,
      timedOut: approvalsTimedOut,
      slackPosted: posts.approval.posted,
      slackRefused: posts.approval.refused,
      firstToLastPostSeconds: span(postTimes.approval),
    },
    notifications: {
      slackPosted: posts.notification.posted,
      slackRefused: posts.notification.refused,
      snsPublished: cordon.world.published,
      notifySlack,
      lastPostSeconds: postTimes.notification.length === 0 ? 0 : Math.max(...postTimes.notification),
    },
    quotas,
    stepRetries,
    lambda: {
      peakConcurrency: cordon.lambda.peakConcurrency,
      coldStarts: sum((stats) => stats.coldStarts),
      throttles: sum((stats) => stats.throttles),
      asyncRetries: sum((stats) => stats.asyncRetries),
      asyncDropped: sum((stats) => stats.asyncDropped),
      invocations: sum((stats) => stats.invocations),
      gbSeconds: sum((stats) => stats.gbSeconds),
    },
    stateTransitions: runs.reduce((total, run) => total + run.transitions, 0),
  };
}

/** Seconds between the first and the last of some times (0 for fewer than two). */
function span(times: readonly number[]): number {
  if (times.length < 2) return 0;
  return Math.max(...times) - Math.min(...times);
}

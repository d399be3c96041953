/**
 * The scale model checked against what the bench measures today, with the model's clock and quotas in
 * place of real timers: it must reproduce each figure (5 round trips to containment; 10,000 deliveries → 1,000
 * executions; 200 concurrent incidents under 5 % throttling: 0 lost, 0 duplicate containments).
 */
import { fixedLatencies } from '../model/latency.ts';
import { seededRandom } from '../model/random.ts';
import { shuffle } from '../support.ts';
import { findingIdOf, instanceFinding, stamped } from './findings.ts';
import {
  incidentOfEvent,
  instanceIds,
  memberAccount,
  networkOf,
  REGIONS,
  seedFinding,
} from './organization.ts';
import { HOME, simulate } from './simulate.ts';
import { ContainmentTracker } from './tracking.ts';

const CC = 'Backdoor:EC2/C&CActivity.B!DNS';

/** Case A: the containment path's round trips at 50 ms per AWS call, everything else free. */
export interface RoundTripCase {
  readonly enis: number;
  /** Virtual ms from triage's first call to the end of the last containing call. */
  readonly msToContainment: number;
  readonly roundTrips: number;
  readonly status: string;
}

const CALL_MS = 50;

export async function roundTrips(enis: number): Promise<RoundTripCase> {
  const latencies = fixedLatencies(CALL_MS, {
    eventBridgeToTarget: 0,
    lambdaInvoke: 0,
    lambdaEnvironment: 0,
    stateTransition: 0,
  });
  const { result } = await simulate(
    { seed: 11, latencies, cost: () => ({ initCpuMs: 0, invokeCpuMs: 0 }) },
    async (cordon, time) => {
      const tracker = new ContainmentTracker(cordon.world);
      const network = networkOf(HOME.account, HOME.region);
      const finding = (label: string) =>
        stamped(
          instanceFinding({
            account: HOME.account,
            region: HOME.region,
            findingId: findingIdOf(label),
            type: CC,
            severity: 8,
            ...instanceIds(label, enis),
            ...network,
          }),
          new Date(time.now),
        );
      // A first incident in the VPC: it creates the isolation groups and warms every function (settings read,
      // clients made), as the bench measures the steady state.
      const warmUp = finding(`warm-up-${enis}`);
      seedFinding(cordon.world, warmUp);
      await cordon.deliver(warmUp);
      await cordon.settle();
      const measured = finding(`measured-${enis}`);
      const incident = seedFinding(cordon.world, measured);
      let firstCall: number | undefined;
      cordon.world.observe((call) => {
        firstCall ??= call.at - CALL_MS; // the call started one latency before it answered
      });
      await cordon.deliver(measured);
      await cordon.settle();
      const eniIds = incident.resources.flatMap((resource) =>
        resource.kind === 'ec2-instance'
          ? resource.networkInterfaces.map((eni) => eni.networkInterfaceId)
          : [],
      );
      const contained = Math.max(
        ...eniIds.map((eni) => Math.max(...(tracker.eniMoves.get(eni) ?? [Number.NaN]))),
      );
      const run = cordon.sfn.runs.get(incident.id);
      const ms = contained - (firstCall ?? Number.NaN);
      return { enis, msToContainment: ms, roundTrips: ms / CALL_MS, status: run?.status ?? 'NOT STARTED' };
    },
  );
  return result;
}

/** Case B: 10,000 deliveries of 1,000 findings through the deployed path. */
export interface ExactlyOnceCase {
  readonly deliveries: number;
  readonly findings: number;
  readonly executions: number;
  readonly started: number;
  readonly duplicates: number;
  readonly failedDeliveries: number;
  readonly succeeded: number;
  readonly contained: number;
  readonly duplicateContainments: number;
  readonly virtualSeconds: number;
  readonly wallSeconds: number;
}

export async function exactlyOnce(options: {
  readonly findings?: number;
  readonly perFinding?: number;
  readonly unlimited: boolean;
}): Promise<ExactlyOnceCase> {
  const findings = options.findings ?? 1000;
  const perFinding = options.perFinding ?? 10;
  const random = seededRandom(20_240_601);
  const spreadMs = 10 * 60_000;
  const { result, virtualMs, wallMs } = await simulate(
    {
      seed: 12,
      latencies: fixedLatencies(50),
      settings: { blastRadius: { maxContainmentsPerAccountPerHour: 1_000_000 } },
      unlimited: options.unlimited,
    },
    async (cordon, time) => {
      const tracker = new ContainmentTracker(cordon.world);
      const deliveries: Array<{ at: number; event: Record<string, unknown> }> = [];
      for (let index = 0; index < findings; index += 1) {
        const account = memberAccount(index % 50);
        const region = REGIONS[index % REGIONS.length] as string;
        const event = stamped(
          instanceFinding({
            account,
            region,
            findingId: findingIdOf(`exactly-once-${index}`),
            type: CC,
            severity: 8,
            ...instanceIds(`exactly-once-${index}`),
            ...networkOf(account, region),
          }),
          new Date(time.now),
        );
        seedFinding(cordon.world, event);
        for (let copy = 0; copy < perFinding; copy += 1) deliveries.push({ at: random() * spreadMs, event });
      }
      shuffle(deliveries, random);
      let started = 0;
      let duplicates = 0;
      let failed = 0;
      await Promise.all(
        deliveries.map(async ({ at, event }) => {
          await time.sleep(at);
          const outcome = await cordon.deliver(event);
          if (outcome.outcome !== 'delivered') {
            failed += 1;
            return;
          }
          const results =
            (outcome.result as { results?: Array<{ outcome: string }> } | undefined)?.results ?? [];
          for (const triaged of results) {
            if (triaged.outcome === 'started') started += 1;
            else if (triaged.outcome === 'duplicate') duplicates += 1;
          }
        }),
      );
      await cordon.settle();
      const runs = [...cordon.sfn.runs.values()];
      return {
        deliveries: deliveries.length,
        findings,
        executions: runs.length,
        started,
        duplicates,
        failedDeliveries: failed,
        succeeded: runs.filter((run) => run.status === 'SUCCEEDED').length,
        contained: tracker.eniMoves.size,
        duplicateContainments: tracker.duplicateEniContainments(),
      };
    },
  );
  return { ...result, virtualSeconds: virtualMs / 1000, wallSeconds: wallMs / 1000 };
}

/** Case C: 200 concurrent incidents, every call failing with Throttling 5 % of the time. */
export interface ThrottledBurstCase {
  readonly incidents: number;
  readonly succeeded: number;
  readonly lost: number;
  /** Deliveries whose every triage attempt failed (Lambda gave the event up). */
  readonly failedDeliveries: number;
  readonly duplicateContainments: number;
  readonly uncontained: number;
  readonly calls: number;
  readonly injected: number;
  readonly stepRetries: number;
  readonly wallSeconds: number;
}

export async function throttledBurst(options: {
  readonly incidents?: number;
  readonly probability?: number;
  readonly unlimited: boolean;
}): Promise<ThrottledBurstCase> {
  const incidents = options.incidents ?? 200;
  const probability = options.probability ?? 0.05;
  const random = seededRandom(99);
  const { result, wallMs } = await simulate(
    {
      seed: 13,
      latencies: fixedLatencies(50),
      settings: { blastRadius: { maxContainmentsPerAccountPerHour: 1_000_000 } },
      faults: { probability, error: 'Throttling' },
      unlimited: options.unlimited,
    },
    async (cordon, time) => {
      const tracker = new ContainmentTracker(cordon.world);
      const events: Array<Record<string, unknown>> = [];
      const enis: string[] = [];
      for (let index = 0; index < incidents; index += 1) {
        // Each incident in its own account, as the bench gives each its own sandbox.
        const account = memberAccount(1000 + index);
        const ids = instanceIds(`burst-${index}`);
        const event = stamped(
          instanceFinding({
            account,
            region: HOME.region,
            findingId: findingIdOf(`burst-${index}`),
            type: CC,
            severity: 8,
            ...ids,
            ...networkOf(account, HOME.region),
          }),
          new Date(time.now),
        );
        seedFinding(cordon.world, event);
        events.push(event);
        enis.push(...ids.eniIds);
      }
      // Each delivered twice, concurrently, shuffled.
      const deliveries = shuffle([...events, ...events], random);
      const outcomes = await Promise.all(deliveries.map((event) => cordon.deliver(event)));
      await cordon.settle();
      const runs = [...cordon.sfn.runs.values()];
      const names = new Set(runs.map((run) => run.name));
      const lostFindings = events.filter((event) => !names.has(incidentOfEvent(event).id));
      const calls = [...cordon.world.callCounts.values()].reduce((sum, count) => sum + count, 0);
      return {
        incidents,
        succeeded: runs.filter((run) => run.status === 'SUCCEEDED').length,
        lost: lostFindings.length,
        failedDeliveries: outcomes.filter((outcome) => outcome.outcome === 'failed').length,
        duplicateContainments: tracker.duplicateEniContainments(),
        uncontained: enis.filter((eni) => !tracker.eniMoves.has(eni)).length,
        calls,
        injected: cordon.world.injected,
        stepRetries: runs.reduce((sum, run) => sum + run.steps.filter((step) => step.attempt > 1).length, 0),
      };
    },
  );
  return { ...result, wallSeconds: wallMs / 1000 };
}

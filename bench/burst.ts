import { ISOLATION_GROUP_NAMES } from '../packages/core/src/actions/guardrails.ts';
import type { Incident } from '../packages/core/src/intake/incident.ts';
import { MemoryLedger } from '../packages/core/src/ledger/ledger.ts';
import { MemoryBlastRadius } from '../packages/core/src/triage/blast-radius.ts';
import { type StartExecution, triage, triageIncident } from '../packages/core/src/triage/triage.ts';
import { sandboxLedger, sandboxObserver } from '../packages/local/src/clients.ts';
import { automaticApprovals } from '../packages/local/src/engine.ts';
import type { Sandbox } from '../packages/local/src/sandbox/index.ts';
import { sandboxForIncident } from '../packages/local/src/seed.ts';
import {
  benchEngine,
  highSeverityEc2Event,
  incidentOf,
  median,
  progress,
  type SectionReport,
  seededRandom,
  settingsOf,
  shuffle,
  table,
  verdictMark,
} from './support.ts';

const FINDINGS = 1_000;
const DELIVERIES_PER_FINDING = 10;
const TRIAGE_RUNS = 3;
const CONCURRENT_INCIDENTS = Number(process.env.BENCH_N ?? 200);
const THROTTLE_PROBABILITY = Number(process.env.BENCH_P ?? 0.05);
/** EventBridge retries a failed Lambda invocation; the bench re-delivers a triage that threw, at most this often. */
const REDELIVERIES = 5;
/** Far above the burst: the blast radius must not turn these containments into approvals. */
const SETTINGS = { blastRadius: { maxContainmentsPerAccountPerHour: 1_000_000 } };

/** A finding id GuardDuty could have issued: 32 hex characters. */
function findingId(index: number): string {
  return `b4b01b60fc24a199${index.toString(16).padStart(16, '0')}`;
}

function burstEvents(): unknown[] {
  const base = highSeverityEc2Event() as { detail: { id: string; arn: string } };
  const events: unknown[] = [];
  for (let index = 0; index < FINDINGS; index += 1) {
    const id = findingId(index);
    for (let delivery = 0; delivery < DELIVERIES_PER_FINDING; delivery += 1) {
      const event = structuredClone(base);
      event.detail.id = id;
      event.detail.arn = event.detail.arn.replace(/finding\/\w+$/, `finding/${id}`);
      events.push(event);
    }
  }
  return shuffle(events, seededRandom(20_240_601));
}

interface TriageRun {
  readonly seconds: number;
  readonly started: number;
  readonly duplicates: number;
  readonly other: number;
}

async function triageBurst(events: readonly unknown[]): Promise<TriageRun> {
  const names = new Set<string>();
  let duplicateStarts = 0;
  // Records names only, and answers `duplicate` for a name seen before, as StartExecution does.
  const startExecution: StartExecution = async ({ name }) => {
    if (names.has(name)) {
      duplicateStarts += 1;
      return 'duplicate';
    }
    names.add(name);
    return 'started';
  };
  const ports = {
    settings: settingsOf(SETTINGS),
    ledger: new MemoryLedger(),
    blastRadius: new MemoryBlastRadius(),
    startExecution,
    now: () => new Date(),
  };
  let started = 0;
  let duplicates = 0;
  let other = 0;
  const begin = performance.now();
  for (const event of events) {
    const result = await triage(event, ports);
    if (result.outcome === 'started') started += 1;
    else if (result.outcome === 'duplicate') duplicates += 1;
    else other += 1;
  }
  const seconds = (performance.now() - begin) / 1000;
  if (names.size !== started || duplicateStarts !== duplicates)
    throw new Error('triage and the starter disagree');
  return { seconds, started, duplicates, other };
}

/** A copy of the incident naming its own instance (and ENI), so that 200 incidents share one account. */
function incidentNumber(base: Incident, index: number): Incident {
  const hex = (index + 1).toString(16).padStart(8, '0');
  const instanceId = `i-0bc${hex}000000`;
  return {
    ...base,
    id: `${base.id}-${hex}`,
    resources: base.resources.map((resource) =>
      resource.kind === 'ec2-instance'
        ? {
            ...resource,
            instanceId,
            networkInterfaces: [
              {
                networkInterfaceId: `eni-0bc${hex}000000`,
                vpcId: 'vpc-0bc00000000000001',
                subnetId: 'subnet-0bc00000000000001',
                securityGroups: [{ groupId: 'sg-0bc00000000000001', groupName: 'web' }],
              },
            ],
          }
        : resource,
    ),
  };
}

interface EngineBurst {
  readonly seconds: number;
  readonly succeeded: number;
  readonly failed: readonly string[];
  readonly lost: number;
  readonly duplicateContainments: number;
  readonly uncontained: number;
  readonly throttled: number;
  readonly calls: number;
  readonly retries: number;
}

/** One incident's own sandbox account, engine and triage ports. */
function incidentWorld(base: Incident, index: number) {
  const { sandbox, incident } = sandboxForIncident(
    incidentNumber(base, index),
    { autoScalingGroup: true, targetGroup: true },
    { seed: index + 1 },
  );
  const settings = settingsOf(SETTINGS);
  const engine = benchEngine(sandbox, settings, automaticApprovals('approve'));
  const ledger = sandboxLedger(sandbox, 30);
  // As the deployed triage: the incident's claim in the ledger table, and the instance read alongside it.
  const ports = {
    settings,
    ledger,
    claims: ledger.claims,
    observeInstance: sandboxObserver(sandbox),
    blastRadius: new MemoryBlastRadius(),
    startExecution: engine.startExecution,
    now: () => new Date(),
  };
  // Every call of every service, triage's ledger writes included, fails 5 % of the time.
  sandbox.account.injectFault({ command: '*', error: 'Throttling', probability: THROTTLE_PROBABILITY });
  return { sandbox, incident, engine, ports };
}

/** ENI → successful moves onto the no-rule group, from one sandbox's call log. */
function containingMoves(sandbox: Sandbox): Map<string, number> {
  const isolationIds = new Set(
    Object.values(sandbox.ec2.snapshot().securityGroups)
      .filter((group) => group.groupName === ISOLATION_GROUP_NAMES.isolate)
      .map((group) => group.groupId),
  );
  const moves = new Map<string, number>();
  for (const call of sandbox.account.calls) {
    const input = call.input as { NetworkInterfaceId?: string; Groups?: string[] };
    if (call.command !== 'ModifyNetworkInterfaceAttribute' || call.outcome !== 'ok') continue;
    if (input.Groups?.length !== 1 || !isolationIds.has(input.Groups[0] ?? '')) continue;
    const eni = input.NetworkInterfaceId ?? '';
    moves.set(eni, (moves.get(eni) ?? 0) + 1);
  }
  return moves;
}

async function engineBurst(): Promise<EngineBurst> {
  const base = incidentOf(highSeverityEc2Event());
  const worlds = Array.from({ length: CONCURRENT_INCIDENTS }, (_, index) => incidentWorld(base, index));

  // Each incident is delivered twice, concurrently, as EventBridge's at-least-once delivery allows.
  const deliveries = shuffle(
    worlds.flatMap((world) => [world, world]),
    seededRandom(99),
  );
  let lost = 0;
  const begin = performance.now();
  await Promise.all(
    deliveries.map(async ({ incident, ports }) => {
      for (let attempt = 0; attempt <= REDELIVERIES; attempt += 1) {
        try {
          await triageIncident(incident, ports);
          return;
        } catch {
          // A throttled triage write: EventBridge would invoke the function again.
        }
      }
      lost += 1;
    }),
  );
  const seconds = (performance.now() - begin) / 1000;

  let duplicateContainments = 0;
  let uncontained = 0;
  for (const { sandbox, incident } of worlds) {
    const moves = containingMoves(sandbox);
    for (const resource of incident.resources) {
      if (resource.kind !== 'ec2-instance') continue;
      for (const eni of resource.networkInterfaces) {
        const count = moves.get(eni.networkInterfaceId) ?? 0;
        if (count > 1) duplicateContainments += 1;
        if (count === 0) uncontained += 1;
      }
    }
  }
  const reports = worlds.map(({ engine, incident }) => engine.executions.get(incident.id));
  const calls = worlds.flatMap(({ sandbox }) => sandbox.account.calls);
  return {
    seconds,
    succeeded: reports.filter((report) => report?.status === 'SUCCEEDED').length,
    failed: reports
      .filter((report) => report !== undefined && report.status !== 'SUCCEEDED')
      .map((report) => {
        const step = report?.steps.findLast((run) => run.status === 'failed');
        return `${report?.name.slice(-8)}: ${step?.id} attempt ${step?.attempt}: ${step?.error?.name} ${step?.error?.message.slice(0, 200)}`;
      }),
    lost: lost + reports.filter((report) => report === undefined).length,
    duplicateContainments,
    uncontained,
    throttled: calls.filter((call) => call.outcome === 'Throttling').length,
    calls: calls.length,
    retries: reports.reduce(
      (sum, report) => sum + (report?.steps.filter((step) => step.attempt > 1).length ?? 0),
      0,
    ),
  };
}

export async function burstSection(): Promise<SectionReport> {
  progress(`burst: building ${FINDINGS * DELIVERIES_PER_FINDING} events`);
  const events = burstEvents();
  const runs: TriageRun[] = [];
  for (let run = 0; run < TRIAGE_RUNS; run += 1) {
    progress(`burst: triage run ${run + 1} of ${TRIAGE_RUNS}`);
    runs.push(await triageBurst(events));
  }
  const rates = runs.map((run) => events.length / run.seconds);
  const exactlyOnce = runs.every(
    (run) => run.started === FINDINGS && run.duplicates === events.length - FINDINGS,
  );

  progress(
    `burst: ${CONCURRENT_INCIDENTS} incidents through the local engine, ${THROTTLE_PROBABILITY * 100} % throttled`,
  );
  const burst = await engineBurst();
  const allGood =
    burst.succeeded === CONCURRENT_INCIDENTS &&
    burst.lost === 0 &&
    burst.duplicateContainments === 0 &&
    burst.uncontained === 0;

  const markdown = [
    '### Triage throughput',
    '',
    `A real GuardDuty finding (C&C activity, \`additionalInfo.sample\` removed, severity 8) is copied ${FINDINGS} times with distinct finding ids, each copy delivered ${DELIVERIES_PER_FINDING} times (${events.length} events), shuffled with a seeded PRNG. They go one after another through \`triage\` in process (intake → decide → blast radius → start → ledger), with a MemoryLedger, a MemoryBlastRadius (limit ${SETTINGS.blastRadius.maxContainmentsPerAccountPerHour}) and a StartExecution that only records names and answers \`duplicate\` for a name it has seen. Median of ${TRIAGE_RUNS} runs, each with fresh ports.`,
    '',
    table(
      ['Events', 'Runs (s)', 'Median events/s', 'Executions started', 'Duplicates'],
      [
        [
          String(events.length),
          runs.map((run) => run.seconds.toFixed(2)).join(', '),
          Math.round(median(rates)).toLocaleString('en-US'),
          runs.map((run) => String(run.started)).join(', '),
          runs.map((run) => String(run.duplicates)).join(', '),
        ],
      ],
    ),
    '',
    `Exactly ${FINDINGS} executions started, ${events.length - FINDINGS} duplicates, in every run — ${verdictMark(exactlyOnce)}.`,
    '',
    '### Concurrent playbooks under throttling',
    '',
    `${CONCURRENT_INCIDENTS} ec2-compromise incidents (one instance each, with an ENI, an Auto Scaling group and a target group, each in its own sandbox account so that one incident's target groups do not multiply another's DescribeTargetHealth calls — see "Target-group fan-out" at the end) are triaged concurrently as the deployed triage does (the incident's claim in the sandbox ledger table, the instance read alongside it), each delivered twice (shuffled), and run to the end by the local engine on the real handlers. Every call of every service fails with \`Throttling\` with probability ${THROTTLE_PROBABILITY} (\`injectFault({ command: '*', … })\`, seeded); Step Functions retries (immediately in the local engine), and a triage that threw is delivered again (EventBridge retries), at most ${REDELIVERIES} times. A duplicate containment is an ENI moved onto \`${ISOLATION_GROUP_NAMES.isolate}\` by more than one successful ModifyNetworkInterfaceAttribute; a lost incident is one with no execution or whose deliveries all failed.`,
    '',
    table(
      [
        'Incidents',
        'Wall time',
        'SUCCEEDED',
        'Lost',
        'Duplicate containments',
        'ENIs not contained',
        'Calls (throttled)',
        'Step retries',
      ],
      [
        [
          String(CONCURRENT_INCIDENTS),
          `${burst.seconds.toFixed(1)} s`,
          String(burst.succeeded),
          String(burst.lost),
          String(burst.duplicateContainments),
          String(burst.uncontained),
          `${burst.calls} (${burst.throttled})`,
          String(burst.retries),
        ],
      ],
    ),
    '',
    ...(burst.failed.length > 0
      ? ['Failed executions:', '', ...burst.failed.map((line) => `- ${line}`), '']
      : []),
    `All ${CONCURRENT_INCIDENTS} SUCCEEDED, none lost, no duplicate containment — ${verdictMark(allGood)}.`,
  ].join('\n');

  return {
    title: '3. Burst',
    markdown,
    verdicts: [
      {
        target: `exactly ${FINDINGS} executions from ${events.length} events`,
        met: exactlyOnce,
        figure: `${Math.round(median(rates)).toLocaleString('en-US')} events/s`,
      },
      {
        target: `${CONCURRENT_INCIDENTS} concurrent incidents, ${THROTTLE_PROBABILITY * 100} % throttled: all SUCCEEDED, 0 lost, 0 duplicate containments`,
        met: allGood,
        figure: `${burst.succeeded} SUCCEEDED, ${burst.lost} lost, ${burst.duplicateContainments} duplicates, ${burst.seconds.toFixed(1)} s`,
      },
    ],
  };
}

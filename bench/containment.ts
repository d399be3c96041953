import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ISOLATION_GROUP_NAMES } from '../packages/core/src/actions/guardrails.ts';
import { ISOLATION_GROUP_TAG } from '../packages/core/src/actions/isolate-instance.ts';
import type { Incident, NetworkInterfaceRef } from '../packages/core/src/intake/incident.ts';
import { DynamoDbLedger } from '../packages/core/src/ledger/dynamodb-ledger.ts';
import { DynamoDbBlastRadius } from '../packages/core/src/triage/blast-radius.ts';
import { triageIncident } from '../packages/core/src/triage/triage.ts';
import { stepFunctionsStarter } from '../packages/functions/src/triage.ts';
import { sandboxClient, sandboxObserver } from '../packages/local/src/clients.ts';
import { automaticApprovals } from '../packages/local/src/engine.ts';
import { awsError } from '../packages/local/src/sandbox/errors.ts';
import type { RecordedCall, Sandbox } from '../packages/local/src/sandbox/index.ts';
import { SANDBOX_RESOURCES, sandboxForIncident } from '../packages/local/src/seed.ts';
import {
  benchEngine,
  highSeverityEc2Event,
  incidentOf,
  median,
  progress,
  type SectionReport,
  settingsOf,
  table,
  verdictMark,
} from './support.ts';

/** Modelled latency of every AWS call (a typical in-region API round trip). */
export const CALL_LATENCY_MS = 50;
const ENI_COUNTS = [1, 3, 8] as const;
const REPETITIONS = 3;
const TARGET_ROUND_TRIPS = 5;
/**
 * Two calls are sequential when the second starts after the first has ended. Real timers fire a little
 * late, never much early; parallel siblings start within a few ms of each other: 80 % of the latency
 * separates the two cases with a wide margin on both sides.
 */
const SEQUENTIAL_GAP_MS = CALL_LATENCY_MS * 0.8;
const VPC_ID = 'vpc-0be0c0000000000a1';
const SUBNET_ID = 'subnet-0be0c0000000000b1';
const WEB_GROUP = 'sg-0be0c0000000000c1';
/** Calls that must come after containment: evidence copies, credential quarantine and the notification. */
const OFF_CRITICAL_PATH = new Set([
  'CreateSnapshot',
  'CreateSnapshots',
  'PutRolePolicy',
  'DisassociateIamInstanceProfile',
  'Publish',
]);

type Mode = 'parallel' | 'naive';
type Groups = 'existing' | 'created';

interface ContainmentRun {
  readonly roundTrips: number;
  readonly measuredMs: number;
  readonly callsBeforeContainment: number;
  readonly offPathLate: boolean;
  /** Round trip number → the calls in it (parallel mode, for the critical-path listing). */
  readonly levels: ReadonlyMap<number, readonly string[]>;
  readonly totalCalls: number;
  readonly executionRoundTrips: number;
}

function withEnis(incident: Incident, count: number): Incident {
  const networkInterfaces: NetworkInterfaceRef[] = Array.from({ length: count }, (_, index) => ({
    networkInterfaceId: `eni-${(index + 1).toString(16).padStart(17, '0')}`,
    vpcId: VPC_ID,
    subnetId: SUBNET_ID,
    securityGroups: [{ groupId: WEB_GROUP, groupName: 'web' }],
  }));
  return {
    ...incident,
    resources: incident.resources.map((resource) =>
      resource.kind === 'ec2-instance' ? { ...resource, networkInterfaces } : resource,
    ),
  };
}

/** The two isolation groups an earlier incident in the VPC left behind (the steady state). */
function seedIsolationGroups(sandbox: Sandbox): void {
  const tags = { [ISOLATION_GROUP_TAG.key]: ISOLATION_GROUP_TAG.value };
  const everywhere = [
    { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
  ];
  sandbox.ec2.addSecurityGroup({
    groupName: ISOLATION_GROUP_NAMES.untrack,
    vpcId: VPC_ID,
    ingress: everywhere,
    egress: everywhere,
    tags,
  });
  sandbox.ec2.addSecurityGroup({ groupName: ISOLATION_GROUP_NAMES.isolate, vpcId: VPC_ID, egress: [], tags });
}

/** Step Functions' StartExecution as a sandbox service, so that it is one recorded (and delayed) call. */
function registerStepFunctions(sandbox: Sandbox): void {
  const names = new Set<string>();
  sandbox.account.register({
    service: 'SFN',
    commands: {
      StartExecution: (input) => {
        const name = String(input.name);
        if (names.has(name)) throw awsError('SFN', 'ExecutionAlreadyExists', `Execution ${name} exists`);
        names.add(name);
        return {
          executionArn: `arn:aws:states:${sandbox.account.region}:${sandbox.account.accountId}:execution:bench:${name}`,
        };
      },
    },
    snapshot: () => ({ executions: [...names] }),
  });
}

/** Every call waits for the one before it: the naive client that awaits each AWS call one by one. */
function serializedSleep(ends: number[]): (ms: number) => Promise<void> {
  let tail = Promise.resolve();
  return (ms) => {
    const turn = tail.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            ends.push(Date.now());
            resolve();
          }, ms),
        ),
    );
    tail = turn;
    return turn;
  };
}

/**
 * Longest chain of strictly sequential calls ending at each call: the number of round trips that had to
 * happen one after another before that call could finish.
 */
function chainDepths(calls: readonly RecordedCall[]): number[] {
  const depths: number[] = [];
  for (const [index, call] of calls.entries()) {
    let depth = 1;
    // Calls are sorted by start: only earlier ones can have ended before this one started.
    for (let before = 0; before < index; before += 1) {
      const earlier = calls[before];
      if (earlier !== undefined && call.startedAt - earlier.startedAt >= SEQUENTIAL_GAP_MS) {
        depth = Math.max(depth, (depths[before] ?? 0) + 1);
      }
    }
    depths.push(depth);
  }
  return depths;
}

async function runOnce(eniCount: number, mode: Mode, groups: Groups): Promise<ContainmentRun> {
  /** Naive mode: when each call came off the wire, in order (the call log's completion order). */
  const ends: number[] = [];
  const incidentIn = withEnis(incidentOf(highSeverityEc2Event()), eniCount);
  const { sandbox, incident } = sandboxForIncident(
    incidentIn,
    { autoScalingGroup: true, targetGroup: true },
    mode === 'naive' ? { sleep: serializedSleep(ends) } : {},
  );
  if (groups === 'existing') seedIsolationGroups(sandbox);
  registerStepFunctions(sandbox);
  sandbox.account.injectLatency({ command: '*', ms: CALL_LATENCY_MS });

  const settings = settingsOf();
  const engine = benchEngine(sandbox, settings, automaticApprovals('approve'));
  const region = sandbox.account.region;
  const dynamodb = sandboxClient(sandbox, DynamoDBClient);
  const sfn = sandboxClient(sandbox, SFNClient);
  // The deployed starter, on the sandbox; the local engine then runs the execution it started.
  const starter = stepFunctionsStarter(sfn, {
    'ec2-compromise': `arn:aws:states:${region}:${sandbox.account.accountId}:stateMachine:ec2-compromise`,
  });

  const t0 = Date.now();
  const ledger = new DynamoDbLedger({
    client: dynamodb,
    tableName: SANDBOX_RESOURCES.ledgerTable,
    retentionDays: 30,
  });
  const result = await triageIncident(incident, {
    settings,
    ledger,
    // As the deployed triage does: one playbook per incident, claimed with a conditional write.
    claims: ledger.claims,
    blastRadius: new DynamoDbBlastRadius(dynamodb, SANDBOX_RESOURCES.ledgerTable),
    // As the deployed triage does: the instance read while the incident is claimed (the observer role).
    observeInstance: sandboxObserver(sandbox),
    startExecution: async (request) => {
      const started = await starter(request);
      if (started === 'started') await engine.run(request.name, request.playbook, request.input);
      return started;
    },
    now: () => new Date(),
  });
  if (result.outcome !== 'started' || result.decision.approval !== 'auto') {
    throw new Error(`expected an automatic ec2-compromise, got ${result.outcome}`);
  }
  const execution = engine.executions.get(incident.id);
  if (execution?.status !== 'SUCCEEDED')
    throw new Error(`execution ended ${execution?.status}: ${execution?.cause}`);

  const ec2 = sandbox.ec2.snapshot();
  const isolationIds = new Set(
    Object.values(ec2.securityGroups)
      .filter((group) => group.groupName === ISOLATION_GROUP_NAMES.isolate)
      .map((group) => group.groupId),
  );
  // In call order of completion: with serialized calls that is the order they went over the wire.
  const calls = [...sandbox.account.calls];
  const isContaining = (call: RecordedCall) => {
    const input = call.input as { Groups?: string[] };
    return (
      call.command === 'ModifyNetworkInterfaceAttribute' &&
      call.outcome === 'ok' &&
      input.Groups?.length === 1 &&
      isolationIds.has(input.Groups[0] ?? '')
    );
  };
  const containing = calls.filter(isContaining);
  const isolatedEnis = new Set(
    containing.map((call) => (call.input as { NetworkInterfaceId: string }).NetworkInterfaceId),
  );
  if (isolatedEnis.size !== eniCount) throw new Error(`${isolatedEnis.size} of ${eniCount} ENIs isolated`);

  if (mode === 'naive') {
    const last = calls.findLastIndex(isContaining);
    return {
      roundTrips: last + 1,
      measuredMs: (ends[last] ?? t0) - t0,
      callsBeforeContainment: last + 1,
      offPathLate: calls.slice(0, last + 1).every((call) => !OFF_CRITICAL_PATH.has(call.command)),
      levels: new Map(),
      totalCalls: calls.length,
      executionRoundTrips: calls.length,
    };
  }

  const ordered = calls.sort((a, b) => a.startedAt - b.startedAt);
  const depths = chainDepths(ordered);
  let roundTrips = 0;
  let containedAt = 0;
  for (const [index, call] of ordered.entries()) {
    if (!isContaining(call)) continue;
    roundTrips = Math.max(roundTrips, depths[index] ?? 0);
    containedAt = Math.max(containedAt, call.startedAt + call.latencyMs);
  }
  const levels = new Map<number, string[]>();
  for (const [index, call] of ordered.entries()) {
    const depth = depths[index] ?? 0;
    if (depth > roundTrips) continue;
    const label = `${call.service}.${call.command}`;
    levels.set(depth, [...(levels.get(depth) ?? []), label]);
  }
  return {
    roundTrips,
    measuredMs: containedAt - t0,
    callsBeforeContainment: ordered.filter((call) => call.startedAt < containedAt).length,
    offPathLate: ordered.every(
      (call) => !OFF_CRITICAL_PATH.has(call.command) || call.startedAt >= containedAt - 1,
    ),
    levels,
    totalCalls: ordered.length,
    executionRoundTrips: Math.max(...depths),
  };
}

interface Cell {
  readonly roundTrips: number;
  readonly modelledMs: number;
  readonly measuredMs: number;
  readonly calls: number;
  readonly offPathLate: boolean;
  readonly last: ContainmentRun;
}

async function measure(eniCount: number, mode: Mode, groups: Groups): Promise<Cell> {
  const runs: ContainmentRun[] = [];
  for (let repetition = 0; repetition < REPETITIONS; repetition += 1)
    runs.push(await runOnce(eniCount, mode, groups));
  const roundTrips = median(runs.map((run) => run.roundTrips));
  const last = runs[runs.length - 1] as ContainmentRun;
  return {
    roundTrips,
    modelledMs: roundTrips * CALL_LATENCY_MS,
    measuredMs: median(runs.map((run) => run.measuredMs)),
    calls: median(runs.map((run) => run.callsBeforeContainment)),
    offPathLate: runs.every((run) => run.offPathLate),
    last,
  };
}

/** Merges repeated labels of one round trip: `EC2.ModifyNetworkInterfaceAttribute ×8`. */
function describeLevel(labels: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts].map(([label, count]) => (count > 1 ? `${label} ×${count}` : label)).join(' ∥ ');
}

export async function containmentSection(): Promise<SectionReport> {
  progress('containment: warm-up run');
  await runOnce(1, 'parallel', 'existing');
  const rows: string[][] = [];
  const cells = new Map<string, Cell>();
  for (const eniCount of ENI_COUNTS) {
    // Side by side in one run, so that machine noise hits both variants alike.
    for (const [mode, groups] of [
      ['parallel', 'existing'],
      ['naive', 'existing'],
      ['parallel', 'created'],
    ] as const) {
      progress(`containment: ${eniCount} ENI(s), ${mode}, isolation groups ${groups}`);
      cells.set(`${eniCount}|${mode}|${groups}`, await measure(eniCount, mode, groups));
    }
    const design = cells.get(`${eniCount}|parallel|existing`) as Cell;
    const naive = cells.get(`${eniCount}|naive|existing`) as Cell;
    const first = cells.get(`${eniCount}|parallel|created`) as Cell;
    rows.push([
      String(eniCount),
      `${design.roundTrips} (${design.modelledMs} ms)`,
      `${Math.round(design.measuredMs)} ms`,
      `${first.roundTrips} (${first.modelledMs} ms)`,
      `${naive.roundTrips} (${naive.modelledMs} ms)`,
      `${(naive.roundTrips / design.roundTrips).toFixed(1)}×`,
      design.offPathLate && first.offPathLate ? 'yes' : 'NO',
    ]);
  }
  const worst = Math.max(
    ...ENI_COUNTS.map((count) => (cells.get(`${count}|parallel|existing`) as Cell).roundTrips),
  );
  const worstFirst = Math.max(
    ...ENI_COUNTS.map((count) => (cells.get(`${count}|parallel|created`) as Cell).roundTrips),
  );
  const offPath = [...cells.values()].every((cell) => cell.offPathLate);
  const example = cells.get('8|parallel|existing') as Cell;
  const path = [...example.last.levels]
    .sort(([a], [b]) => a - b)
    .map(([depth, labels]) => `${depth}. ${describeLevel(labels)}`);

  const markdown = [
    '### Method',
    '',
    `A real GuardDuty finding (\`${'eb-ec2-backdoor-cc-activity-b-dns-custodian.json'}\`, \`additionalInfo.sample\` removed, severity 8, so approval \`auto\` and no request-approval) is rewritten to name 1, 3 or 8 ENIs in one VPC; the sandbox is seeded from it with an Auto Scaling group and a target group. Every AWS call — triage's incident claim (a conditional PutItem in the ledger table), blast-radius UpdateItem and reads of the instance (DescribeInstances, DescribeInstanceAttribute ×2, DescribeAutoScalingInstances, DescribeSecurityGroups: the observer role's), all sent together, then StartExecution (the deployed \`stepFunctionsStarter\` on a sandbox SFN model), then every call of every step run by the local engine on the real handlers — waits a fixed ${CALL_LATENCY_MS} ms (\`injectLatency\`, real timers). Containment is the end of the last ModifyNetworkInterfaceAttribute that puts an ENI on \`${ISOLATION_GROUP_NAMES.isolate}\` alone.`,
    '',
    `**Sequential round trips** are read off the sandbox call log: the longest chain of calls each starting after the previous one ended (a gap of ≥ ${SEQUENTIAL_GAP_MS} ms between starts), ending at the containing call; modelled time = round trips × ${CALL_LATENCY_MS} ms. "Measured" is the wall time from triage's first call to the containing call's end, with the engine, middy, Powertools and the SDK stack in process (Lambda invocation and Step Functions transition latency are not modelled, nor a cold container's AssumeRole: warm containers keep the assumed-role credentials). **Naive** is the same playbook with a client that awaits every call one by one (the sandbox's sleep serialized: one call on the wire at a time), measured in the same run; its round trips = calls made up to containment. "Groups existing" is the steady state (an earlier incident created the two isolation groups in the VPC); "groups created" is the first incident in a VPC. Median of ${REPETITIONS} runs each.`,
    '',
    table(
      [
        'ENIs',
        'Round trips to containment (groups existing)',
        'Measured in process',
        'Round trips, first incident in the VPC',
        'Naive sequential',
        'Naive ÷ design',
        'Snapshots, profile quarantine, notification after containment',
      ],
      rows,
    ),
    '',
    `Critical path with 8 ENIs (groups existing), one line per sequential round trip:`,
    '',
    ...path.map((line) => `    ${line}`),
    '',
    `Target: ≤ ${TARGET_ROUND_TRIPS} sequential round trips whatever the ENI count — ${verdictMark(worst <= TARGET_ROUND_TRIPS)} (worst ${worst}, ${worstFirst} for the first incident in a VPC). The count does not grow with the ENI count (all ENIs move in parallel) — ${verdictMark(new Set(ENI_COUNTS.map((count) => (cells.get(`${count}|parallel|existing`) as Cell).roundTrips)).size === 1)}. Snapshots, profile quarantine and notifications off the critical path — ${verdictMark(offPath)}.`,
  ].join('\n');

  return {
    title: '1. Containment path',
    markdown,
    verdicts: [
      {
        target: `≤ ${TARGET_ROUND_TRIPS} sequential round trips to containment`,
        met: worst <= TARGET_ROUND_TRIPS,
        figure: `${worst} (${worst * CALL_LATENCY_MS} ms at ${CALL_LATENCY_MS} ms/call)`,
      },
      {
        target: 'snapshots, quarantine, notify off the critical path',
        met: offPath,
        figure: offPath ? 'all after containment' : 'some before containment',
      },
    ],
  };
}

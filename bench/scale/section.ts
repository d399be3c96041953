/**
 * The scale model's section: its validation against what the bench measures, and the worst hour, as
 * Markdown with the method, the figures and the verdicts (`npm run bench:scale` writes it to
 * docs/scale-model.md).
 */
import { LATENCIES } from '../model/latency.ts';
import { QUOTAS, type QuotaId, type QuotaSpec } from '../model/quotas.ts';
import { type SectionReport, table, type Verdict } from '../support.ts';
import { exactlyOnce, roundTrips, throttledBurst } from './validation.ts';
import { type StormReport, type StormShape, WORST_HOUR, worstHour } from './worst-hour.ts';

export interface ScaleSizes {
  /** Findings × deliveries of the exactly-once case (the bench: 1,000 × 10). */
  readonly exactlyOnceFindings: number;
  /** Incidents of the throttled burst (the bench: 200). */
  readonly burstIncidents: number;
  /** The storm: its background scaled by this factor; the worm and the leaked key stay full size. */
  readonly stormFactor: number;
}

/** The storm's shape at a factor: the background scaled, the worm and the leaked key at full size. */
export function stormAt(factor: number): StormShape {
  return {
    ...WORST_HOUR,
    accounts: Math.max(4, Math.round(WORST_HOUR.accounts * factor)),
    findings: Math.round(
      (WORST_HOUR.findings - WORST_HOUR.worm.instances - WORST_HOUR.leakedKey.ips) * factor +
        WORST_HOUR.worm.instances +
        WORST_HOUR.leakedKey.ips,
    ),
  };
}

const seconds = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} s` : '–');
const count = (value: number) => value.toLocaleString('en-US');

function quotaName(id: QuotaId): string {
  const spec: QuotaSpec = QUOTAS[id];
  return `${spec.service}: ${spec.what} (${spec.capacity} burst, ${spec.refillPerSecond}/s per ${spec.scope}${spec.assumed === true ? ', assumed' : ''})`;
}

/** Runs the validation and the storm; returns the section. */
export async function scaleSection(
  sizes: ScaleSizes,
  log: (line: string) => void = () => {},
): Promise<SectionReport> {
  log('round trips');
  const trips = [];
  for (const enis of [1, 3, 8]) trips.push(await roundTrips(enis));
  log(`exactly once (${sizes.exactlyOnceFindings} findings × 10)`);
  const once = await exactlyOnce({ findings: sizes.exactlyOnceFindings, perFinding: 10, unlimited: true });
  log(`throttled burst (${sizes.burstIncidents})`);
  const burst = await throttledBurst({ incidents: sizes.burstIncidents, unlimited: true });
  const shape = stormAt(sizes.stormFactor);
  log(`storm (${shape.findings} findings)`);
  const storm = await worstHour({ shape });

  const verdicts: Verdict[] = [
    {
      target: 'Model reproduces 5 round trips to containment (1, 3, 8 ENIs)',
      figure: trips.map((trip) => `${trip.roundTrips}`).join(' / '),
      met: trips.every((trip) => trip.roundTrips === 5 && trip.status === 'SUCCEEDED'),
    },
    {
      target: 'Model reproduces one execution per finding',
      figure: `${count(once.deliveries)} deliveries → ${count(once.executions)} executions, ${once.duplicateContainments} duplicate containments`,
      met: once.executions === once.findings && once.duplicateContainments === 0,
    },
    {
      target: 'Model reproduces 0 lost, 0 duplicates under 5 % throttling',
      figure: `${burst.lost} lost, ${burst.duplicateContainments} duplicates, ${burst.uncontained} ENIs uncut of ${burst.incidents} incidents`,
      met: burst.lost === 0 && burst.duplicateContainments === 0 && burst.uncontained === 0,
    },
    {
      target: 'Worst hour: 0 lost incidents',
      figure: `${storm.lost} of ${count(storm.findings)}`,
      met: storm.lost === 0,
    },
    {
      target: 'Worst hour: 0 duplicate containments',
      figure: `${storm.duplicateEniContainments} ENIs, ${storm.duplicateKeyDeactivations} keys`,
      met: storm.duplicateEniContainments === 0 && storm.duplicateKeyDeactivations === 0,
    },
    {
      target: 'Worst hour: automatic containments within a minute (p99)',
      figure: `p50 ${seconds(storm.automatic.p50)}, p99 ${seconds(storm.automatic.p99)}, ${storm.automatic.overMinute} over a minute`,
      met: storm.automatic.p99 <= 60 && storm.automatic.contained === storm.automatic.expected,
    },
    {
      // A playbook that ends FAILED is a failure a responder sees, whatever throttled it (Slack's rate first).
      target: 'Worst hour: every playbook execution succeeds',
      figure: failedExecutionsFigure(storm.executions),
      met: failedExecutions(storm.executions) === 0,
    },
    {
      // Slack refused: the step says so (rate-limited / failed), and SNS, the notification of record, has it.
      target: 'Worst hour: no notification Slack refused is reported as posted',
      figure: `${count(storm.notifications.slackPosted)} accepted by Slack, ${count(storm.notifications.notifySlack.posted ?? 0)} notify steps say posted`,
      met: (storm.notifications.notifySlack.posted ?? 0) <= storm.notifications.slackPosted,
    },
  ];
  return { title: 'Scale model', markdown: markdown(sizes, shape, trips, once, burst, storm), verdicts };
}

function markdown(
  sizes: ScaleSizes,
  shape: StormShape,
  trips: Awaited<ReturnType<typeof roundTrips>>[],
  once: Awaited<ReturnType<typeof exactlyOnce>>,
  burst: Awaited<ReturnType<typeof throttledBurst>>,
  storm: StormReport,
): string {
  const binding = storm.quotas.find((row) => row.throttled > 0);
  const lines: string[] = [];
  lines.push(
    '### Validation against the bench',
    '',
    'The same three cases `npm run bench` measures, on the model (virtual clock, every AWS call 50 ms, quotas unlimited as the bench has none):',
    '',
    table(
      ['Case', 'Bench', 'Model'],
      [
        [
          'Round trips to containment, 1 / 3 / 8 ENIs',
          '5 / 5 / 5',
          trips.map((trip) => `${trip.roundTrips} (${trip.msToContainment} ms)`).join(' / '),
        ],
        [
          `Deliveries → executions (${count(once.findings)} findings × 10)`,
          '10,000 → 1,000',
          `${count(once.deliveries)} → ${count(once.executions)} (${once.duplicates} duplicates refused, ${once.duplicateContainments} duplicate containments; ${once.wallSeconds.toFixed(0)} s to simulate ${once.virtualSeconds.toFixed(0)} s)`,
        ],
        [
          `Concurrent incidents, each delivered twice, 5 % of calls throttled (${burst.incidents})`,
          '200: 0 lost, 0 duplicates',
          `${burst.lost} lost, ${burst.duplicateContainments} duplicate containments, ${burst.uncontained} ENIs uncut; ${count(burst.injected)} of ${count(burst.calls)} calls throttled, ${burst.stepRetries} Step Functions retries (the SDK's retries absorbed the rest)`,
        ],
      ],
    ),
    '',
  );
  if (sizes.exactlyOnceFindings !== 1000 || sizes.burstIncidents !== 200) {
    lines.push(
      `Sizes: ${count(sizes.exactlyOnceFindings)} findings and ${sizes.burstIncidents} incidents, smaller than the bench's (the model runs every call through the real SDK and handlers; at the bench's sizes this machine, shared, takes minutes).`,
      '',
    );
  }
  lines.push(
    '### The worst hour',
    '',
    `${count(shape.findings)} findings (${shape.worm.instances} worm instances of one Auto Scaling group in one account within ${shape.worm.withinMinutes} minutes; one access key seen from ${shape.leakedKey.ips} addresses; the rest ${Object.entries(
      shape.mix,
    )
      .map(([kind, share]) => `${Math.round(share * 100)} % ${kind}`)
      .join(
        ', ',
      )}) in ${count(shape.accounts)} accounts and 4 Regions, each delivered ${shape.deliveriesPerFinding} times within ${shape.windowMinutes} minutes: ${count(storm.deliveries)} deliveries.${
      sizes.stormFactor < 1
        ? ` **Scaled**: the background is ${Math.round(sizes.stormFactor * 100)} % of the brief's 20,000 findings in 1,000 accounts (the worm and the leaked key at full size, so that the per-account quotas they meet are met in full; the home account's shared quotas see ${Math.round(sizes.stormFactor * 100)} % of the background's load).`
        : ''
    } Settings: Cordon's defaults, Slack set up; two responders answer each approval in 30 s. Simulated ${storm.virtualMinutes.toFixed(0)} minutes in ${storm.wallSeconds.toFixed(0)} s.`,
    '',
    table(
      ['Figure', 'Value'],
      [
        ['Lost incidents (no delivery triaged)', `${storm.lost}`],
        ['Deliveries failed (Lambda gave the event up)', `${storm.failedDeliveries}`],
        ['Decided while settings failed closed', `${storm.decidedFailClosed}`],
        [
          'Duplicate containments',
          `${storm.duplicateEniContainments} ENIs, ${storm.duplicateKeyDeactivations} keys`,
        ],
        [
          'Automatic containments (expected → done)',
          `${storm.automatic.expected} → ${storm.automatic.contained}${storm.automatic.alreadyContained > 0 ? ` (${storm.automatic.alreadyContained} already contained when they arrived)` : ''}`,
        ],
        [
          'Delivery → containment, automatic',
          `p50 ${seconds(storm.automatic.p50)}, p99 ${seconds(storm.automatic.p99)}, max ${seconds(storm.automatic.max)}; ${storm.automatic.overMinute} over a minute`,
        ],
        [
          'Approvals (requested / decided / timed out)',
          `${storm.approvals.requested} / ${storm.approvals.decided} / ${storm.approvals.timedOut}; Slack posted ${storm.approvals.slackPosted}, refused ${storm.approvals.slackRefused}, first to last post ${seconds(storm.approvals.firstToLastPostSeconds)}`,
        ],
        [
          'Notifications',
          `SNS ${count(storm.notifications.snsPublished)} published; Slack accepted ${count(storm.notifications.slackPosted)} posts and answered 429 to ${count(storm.notifications.slackRefused)} (last accepted at ${seconds(storm.notifications.lastPostSeconds)}); notify steps said of Slack: ${
            Object.entries(storm.notifications.notifySlack)
              .map(([status, n]) => `${count(n)} ${status}`)
              .join(', ') || 'nothing'
          }`,
        ],
        [
          'Lambda',
          `${count(storm.lambda.invocations)} invocations, ${storm.lambda.coldStarts} cold starts, peak concurrency ${storm.lambda.peakConcurrency}, ${storm.lambda.throttles} throttles, ${storm.lambda.asyncRetries} async retries, ${storm.lambda.asyncDropped} dropped`,
        ],
        ['Step Functions state transitions', count(storm.stateTransitions)],
      ],
    ),
    '',
    'By class of finding (time from its first delivery to its containment):',
    '',
    table(
      ['Class', 'Findings', 'Contained', 'p50', 'p99'],
      Object.entries(storm.byClass).map(([cls, entry]) => [
        cls,
        count(entry.findings),
        `${count(entry.contained)}${entry.alreadyContained > 0 ? ` (${entry.alreadyContained} before they arrived)` : ''}`,
        entry.p50 === undefined ? '–' : seconds(entry.p50),
        entry.p99 === undefined ? '–' : seconds(entry.p99),
      ]),
    ),
    '',
    'Executions by playbook and status: ' +
      Object.entries(storm.executions)
        .map(
          ([playbook, statuses]) =>
            `${playbook} ${Object.entries(statuses)
              .map(([status, n]) => `${n} ${status}`)
              .join(', ')}`,
        )
        .join('; ') +
      '. Step Functions `Retry` taken: ' +
      (Object.keys(storm.stepRetries).length === 0
        ? 'none'
        : Object.entries(storm.stepRetries)
            .map(([error, n]) => `${error} ${n}`)
            .join(', ')) +
      '.',
    '',
    'Quotas met, in the order they first throttled ("throttled": answers refused by the bucket; "surfaced": throttles left after the SDK\'s standard retries, which Cordon\'s code or the playbook\'s `Retry` handled):',
    '',
    table(
      ['Quota', 'Requests', 'Throttled', 'Surfaced', 'Scopes throttled', 'First throttle'],
      storm.quotas.map((row) => [
        quotaName(row.quota),
        count(row.requests),
        count(row.throttled),
        count(row.surfaced),
        `${row.scopes}`,
        row.firstThrottleSeconds === undefined ? '–' : seconds(row.firstThrottleSeconds),
      ]),
    ),
    '',
    binding === undefined
      ? 'No quota throttled.'
      : `The quota that binds first: **${quotaName(binding.quota)}**, at ${seconds(binding.firstThrottleSeconds ?? Number.NaN)} (source: ${QUOTAS[binding.quota].source}).`,
    '',
    '### Latencies the model charges',
    '',
    table(
      ['Hop', 'Median', 'p99', 'Source'],
      Object.values(LATENCIES).map((latency) => [
        latency.what,
        `${latency.medianMs} ms`,
        `${latency.p99Ms} ms`,
        latency.source,
      ]),
    ),
    '',
    '### Quotas the model charges',
    '',
    table(
      ['Quota', 'Burst', 'Refill /s', 'Scope', 'Source', 'Note'],
      (Object.values(QUOTAS) as QuotaSpec[]).map((spec) => [
        `${spec.service}: ${spec.what}`,
        `${spec.capacity}`,
        `${spec.refillPerSecond}`,
        spec.scope,
        spec.source,
        spec.note.replaceAll('|', '\\|'),
      ]),
    ),
  );
  return lines.join('\n');
}

function failedExecutions(executions: Readonly<Record<string, Readonly<Record<string, number>>>>): number {
  return Object.values(executions).reduce((sum, statuses) => sum + (statuses.FAILED ?? 0), 0);
}

function failedExecutionsFigure(
  executions: Readonly<Record<string, Readonly<Record<string, number>>>>,
): string {
  const total = Object.values(executions).reduce(
    (sum, statuses) => sum + Object.values(statuses).reduce((a, b) => a + b, 0),
    0,
  );
  return `${count(failedExecutions(executions))} of ${count(total)} FAILED`;
}

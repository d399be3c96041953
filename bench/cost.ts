import { camelCaseKeys } from '../packages/core/src/intake/pascal-case.ts';
import type { PlaybookId } from '../packages/core/src/playbooks/ids.ts';
import type { ExecutionInput } from '../packages/core/src/triage/execution-input.ts';
import type { ExecutionReport } from '../packages/local/src/engine.ts';
import { loadEvent, loadFixture } from '../test/support/events.ts';
import { runScenario } from '../test/support/scenario.ts';
import { EC2_EVENT, highSeverityEc2Event, progress, type SectionReport, table } from './support.ts';

/**
 * Published prices (us-east-1, x86_64), as found with the search tool; see the sources in the report.
 * Step Functions Standard: $0.025 per 1,000 state transitions. Lambda: $0.20 per 1M requests and
 * $0.0000166667 per GB-second. Free tiers are left out: they are per account, not per incident.
 */
const PRICES = {
  transition: 0.025 / 1_000,
  lambdaRequest: 0.2 / 1_000_000,
  gbSecond: 0.0000166667,
} as const;
/** Assumed billed duration per invocation: a warm step makes 3–6 sequential AWS calls of ~50 ms. */
const ASSUMED_DURATION_S = 0.3;
const MEMORY_SIZES_MB = [128, 256, 512] as const;
const INCIDENTS = 1_000;

const SOURCES = [
  'Step Functions Standard, $0.025 per 1,000 state transitions: the AWS Step Functions pricing page (aws.amazon.com/step-functions/pricing/), as quoted in aws/agent-toolkit-for-aws `plugins/aws-startup-advisor/skills/architect-for-startups/references/step-functions.md` ("$0.025/1000 transitions").',
  'Lambda requests, $0.20 per 1M: the AWS Lambda pricing page (aws.amazon.com/lambda/pricing/), as transcribed in api-evangelist/aws-lambda `plans/aws-lambda-plans-pricing.yml` ("$0.20 per million requests"; free tier 1M requests and 400,000 GB-seconds a month).',
  'Lambda duration, $0.0000166667 per GB-second (x86_64; arm64 $0.0000133334): the same page, as encoded in artillery `lib/platform/aws-lambda/prices.js` (`base: { x86_64: 1666670, arm64: 1333340 }`, GB-second ÷ 10^11).',
];

interface Case {
  readonly label: string;
  readonly playbook: PlaybookId;
  run(): Promise<ExecutionReport | undefined>;
}

async function scenarioReport(
  event: unknown,
  settings: Record<string, unknown>,
  via: 'eventbridge' | 'poller' = 'eventbridge',
): Promise<ExecutionReport | undefined> {
  return (await runScenario(event, { settings, via })).execution;
}

function rootActivityEvent(): unknown {
  const sample = loadEvent('guardduty/eb-pascalcase-root-credential-usage-placeholders.json');
  return { ...sample, detail: camelCaseKeys(sample.detail) };
}

const CASES: readonly Case[] = [
  {
    label: 'ec2-compromise, approval auto',
    playbook: 'ec2-compromise',
    run: () => scenarioReport(highSeverityEc2Event(), {}),
  },
  {
    label: 'ec2-compromise, with approval',
    playbook: 'ec2-compromise',
    // The sample finding at severity 5: between approvalAt and autoRemediateAt, so it waits for approval.
    run: () => scenarioReport(loadEvent(EC2_EVENT), { includeSampleFindings: true }),
  },
  {
    label: 'credential-compromise',
    playbook: 'credential-compromise',
    run: () =>
      scenarioReport(loadEvent('guardduty/eb-iam-toripcaller-custodian.json'), {
        includeSampleFindings: true,
      }),
  },
  {
    label: 'stale-credentials',
    playbook: 'stale-credentials',
    run: () => scenarioReport(loadFixture('config-access-keys-rotated-noncompliant.json'), {}),
  },
  {
    label: 'root-activity',
    playbook: 'root-activity',
    run: () =>
      // The sample's finding as EventBridge delivers it (camelCase), as the root-activity scenario test does.
      scenarioReport(rootActivityEvent(), {}),
  },
  {
    label: 'notify-only',
    playbook: 'notify-only',
    run: () =>
      scenarioReport(
        loadEvent('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json'),
        { includeSampleFindings: true, severity: { autoRemediateAt: 1, approvalAt: 1 } },
        'poller',
      ),
  },
  {
    label: 'ec2-release (after a containment)',
    playbook: 'ec2-release',
    run: async () => {
      // A release runs on the containment's incident: its ledger holds what to restore.
      const { deployment, incident, execution } = await runScenario(highSeverityEc2Event(), {
        settings: {},
      });
      if (execution === undefined) throw new Error('no containment to release');
      const input: ExecutionInput = {
        ...execution.input,
        decision: { ...execution.input.decision, playbook: 'ec2-release' },
      };
      return deployment.start('ec2-release', `${incident.id}-release`, input);
    },
  },
];

function dollars(value: number): string {
  return value >= 0.01 ? `$${value.toFixed(3)}` : `$${value.toFixed(4)}`;
}

export async function costSection(): Promise<SectionReport> {
  const rows: string[][] = [];
  const problems: string[] = [];
  for (const entry of CASES) {
    progress(`cost: ${entry.label}`);
    const report = await entry.run();
    if (report === undefined || report.playbook !== entry.playbook || report.status !== 'SUCCEEDED') {
      problems.push(
        `${entry.label}: expected a SUCCEEDED ${entry.playbook}, got ${report?.playbook} ${report?.status}`,
      );
      continue;
    }
    // Each step attempt is one Lambda invocation (request-approval included); triage is one more,
    // except for a release, which a person starts without triage.
    const triage = entry.playbook === 'ec2-release' ? 0 : 1;
    const invocations = report.steps.length + triage;
    const transitions = report.transitions;
    const stepFunctions = transitions * PRICES.transition * INCIDENTS;
    const requests = invocations * PRICES.lambdaRequest * INCIDENTS;
    const duration = (mb: number) =>
      invocations * ASSUMED_DURATION_S * (mb / 1024) * PRICES.gbSecond * INCIDENTS;
    rows.push([
      entry.label,
      String(transitions),
      `${invocations} (${report.steps.map((step) => step.id).join(', ')}${triage ? ', triage' : ''})`,
      dollars(stepFunctions),
      dollars(requests),
      ...MEMORY_SIZES_MB.map((mb) => dollars(duration(mb))),
      dollars(stepFunctions + requests + duration(256)),
    ]);
  }

  const markdown = [
    '### Method',
    '',
    `Each playbook runs once, end to end, in the local engine on a sandbox seeded from a real event (the scenario tests' events). State transitions are the engine's \`StateEntered\` events (what Standard workflows bill); Lambda invocations are the step attempts in the report (request-approval's invocation included; the approval wait itself is \`.waitForTaskToken\`, free while it waits) plus the triage invocation. Dollars are per ${INCIDENTS.toLocaleString('en-US')} incidents at ${PRICES.transition * 1_000} $ per 1,000 transitions, $0.20 per 1M requests and $${PRICES.gbSecond} per GB-second, with an **assumed billed duration of ${ASSUMED_DURATION_S * 1000} ms per invocation** (warm; a cold start bills its init too, ≈ +300 ms at the bundle sizes of section 2) at 128, 256 and 512 MB (Cordon's infra gives the functions 256 or 512 MB). Free tiers, DynamoDB, SNS, CloudWatch and X-Ray are left out.`,
    '',
    table(
      [
        'Playbook',
        'State transitions',
        'Lambda invocations',
        'Step Functions',
        'Lambda requests',
        ...MEMORY_SIZES_MB.map((mb) => `Duration @ ${mb} MB`),
        'Total @ 256 MB',
      ],
      rows,
    ),
    '',
    ...(problems.length > 0 ? ['Not measured:', '', ...problems.map((line) => `- ${line}`), ''] : []),
    'Prices (cited):',
    '',
    ...SOURCES.map((source) => `- ${source}`),
  ].join('\n');

  return {
    title: '4. Cost per incident',
    markdown,
    verdicts: [
      {
        target: 'cost table for every playbook',
        met: problems.length === 0,
        figure: rows.map((row) => `${row[0]} ${row[row.length - 1]}/1k`).join('; '),
      },
    ],
  };
}

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeliveryRoute } from '@cordon/local/deployment';
import type { ApprovalResponder } from '@cordon/local/engine';
import type { Io } from '../io.ts';
import { renderTable } from '../table.ts';
import { type ReplayOptions, type ReplayReport, replay } from './replay.ts';
import { formatReplay } from './replay-format.ts';

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * What the demo replays, and why each one is there. The SSH brute-force sample holds its finding in the SDK's
 * PascalCase, which EventBridge never delivers (the deployed rule drops it): it is replayed as the GuardDuty
 * poller hands such a finding to triage (`via: 'poller'`, the envelope's `detail`).
 */
export const DEMO_EVENTS: ReadonlyArray<{
  readonly title: string;
  readonly file: string;
  readonly via?: DeliveryRoute;
}> = [
  {
    title: 'An EC2 instance talks to a command-and-control server',
    file: 'events/guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json',
  },
  {
    title: 'An EC2 instance receives an SSH brute force (a victim)',
    file: 'events/guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json',
    via: 'poller',
  },
  {
    title: 'An IAM access key is used from a Tor exit node',
    file: 'events/guardduty/eb-iam-toripcaller-custodian.json',
  },
  {
    title: 'The root user is active',
    // The sample's finding as EventBridge delivers it (camelCase): demo/README.md says how it was made.
    file: 'demo/guardduty-root-credential-usage-camelcase.json',
  },
  {
    title: 'A CloudWatch alarm goes into ALARM',
    file: 'events/cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json',
  },
  {
    title: 'AWS Config: an IAM user has keys older than 90 days',
    file: 'demo/config-access-keys-rotated-noncompliant.json',
  },
];

/** The demo's settings: sample findings included (the bundled GuardDuty events are samples), the sample alarm mapped. */
export const DEMO_SETTINGS_FILE = join(PACKAGE_DIR, 'demo', 'settings.json');

export interface DemoOptions {
  /** The demo's settings file, read (any subset of the settings). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly approvals?: ApprovalResponder;
  readonly approvalPage?: ReplayOptions['approvalPage'];
  /** How approvals are answered, for the header. */
  readonly approvalNote: string;
}

/**
 * The main job: replays a curated set of the real events through the local engine and shows, for each, the
 * decision, the timeline, what changed and the approval asked for; a summary table at the end.
 */
export async function demo(options: DemoOptions, io: Io): Promise<ReplayReport[]> {
  io.out(
    'Cordon demo: real events, replayed end to end on a local deployment of Cordon over a sandbox AWS account',
    '(the deployed EventBridge rules, the triage and action functions, DynamoDB, SSM and Step Functions in the sandbox).',
  );
  io.out(
    `Settings: ${DEMO_SETTINGS_FILE} (sample findings included), in the stage's SSM parameters. Approvals: ${options.approvalNote}.`,
  );
  const reports: ReplayReport[] = [];
  for (const [index, event] of DEMO_EVENTS.entries()) {
    io.out('', `━━ ${index + 1}/${DEMO_EVENTS.length} ${event.title}`);
    const report = await replay({
      file: join(PACKAGE_DIR, event.file),
      settings: options.settings,
      ...(event.via === undefined ? {} : { via: event.via }),
      approvals: options.approvals,
      approvalPage: options.approvalPage,
      onStep: (step) => {
        if (step.status === 'running') return;
        io.err(`   ${step.status === 'succeeded' ? '✓' : '✗'} ${step.id}`);
      },
    });
    reports.push(report);
    for (const line of formatReplay({ ...report, file: event.file, calls: report.calls }))
      io.out(`   ${line}`);
  }
  io.out('', 'Summary');
  io.out(
    ...renderTable(
      ['#', 'EVENT', 'DECISION', 'PLAYBOOK', 'APPROVAL', 'EXECUTION', 'CHANGES'],
      reports.map((report, index) => [
        String(index + 1),
        DEMO_EVENTS[index]?.title ?? report.file,
        report.decision?.action ?? (report.delivery.outcome === 'dropped' ? 'dropped' : 'rejected'),
        report.decision?.playbook ?? '-',
        report.decision?.approval ?? '-',
        report.execution.status,
        String(report.changes.length),
      ]),
    ).map((line) => `  ${line}`),
  );
  return reports;
}

import { cpus, totalmem } from 'node:os';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Incident } from '../packages/core/src/intake/incident.ts';
import { intake } from '../packages/core/src/intake/intake.ts';
import { parseSettings, type SettingsResult } from '../packages/core/src/policy/settings.ts';
import type { ActionHandlerDependencies } from '../packages/functions/src/shared/action-handler.ts';
import { sandboxAwsClients, sandboxLedger } from '../packages/local/src/clients.ts';
import { type ApprovalResponder, LocalEngine } from '../packages/local/src/engine.ts';
import type { Sandbox } from '../packages/local/src/sandbox/index.ts';
import { DEFAULT_STAGE, sandboxTopicArn } from '../packages/local/src/seed.ts';
import { loadEvent } from '../test/support/events.ts';

/** The event every EC2 section starts from: a real GuardDuty C&C finding on an instance. */
export const EC2_EVENT = 'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json';

/** One bench section's contribution to the printed report and to docs/benchmarks.md. */
export interface SectionReport {
  readonly title: string;
  /** Markdown: method, numbers, targets and met/missed. */
  readonly markdown: string;
  /** One line per target: what it is and whether it was met. */
  readonly verdicts: readonly Verdict[];
}

export interface Verdict {
  readonly target: string;
  readonly met: boolean;
  readonly figure: string;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  const lower = sorted[middle - 1] ?? upper;
  return sorted.length % 2 === 1 ? upper : (lower + upper) / 2;
}

/** mulberry32, as the sandbox uses: a seeded shuffle makes the burst order the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    const current = items[index] as T;
    items[index] = items[other] as T;
    items[other] = current;
  }
  return items;
}

/** A markdown table; every cell is already a string. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function verdictMark(met: boolean): string {
  return met ? '**met**' : '**missed**';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

/** What the generated header of docs/benchmarks.md says about the machine. */
export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/**
 * The C&C event as a high-severity, non-sample finding: GuardDuty marks sample findings with
 * `additionalInfo.sample`, which the default settings ignore; severity 8 is above `autoRemediateAt` (7),
 * so ec2-compromise runs with approval `auto`.
 */
export function highSeverityEc2Event(severity = 8): Record<string, unknown> {
  const event = loadEvent<{
    detail: { severity: number; service: { additionalInfo?: Record<string, unknown> } };
  }>(EC2_EVENT);
  delete event.detail.service.additionalInfo?.sample;
  event.detail.severity = severity;
  return event as unknown as Record<string, unknown>;
}

export function incidentOf(event: unknown): Incident {
  const received = intake(event);
  if (!received.accepted) throw new Error(`not an incident: ${received.reason}`);
  return received.incident;
}

export function settingsOf(raw: Record<string, unknown> = {}): SettingsResult {
  const settings = parseSettings(raw);
  if (!settings.ok) throw new Error(`bench settings are invalid: ${settings.reason}`);
  return settings;
}

/** Log progress to stderr so stdout keeps only the figures. */
export function progress(message: string): void {
  process.stderr.write(`  … ${message}\n`);
}

/**
 * The local engine with the action functions built on settings held in process — what a warm function's
 * settings cache serves — and sandbox clients with no principal. Benchmarks only: they measure the playbook's
 * own round trips (and thousands of incidents), not the first settings read of a cold function. Everything
 * else runs on the local deployment (packages/local/src/deployment.ts), whose functions read SSM.
 */
export function benchEngine(
  sandbox: Sandbox,
  settings: SettingsResult,
  approvals: ApprovalResponder,
): LocalEngine {
  const clients = sandboxAwsClients(sandbox);
  const ledger = sandboxLedger(sandbox, settings.settings.ledgerRetentionDays);
  const topicArn = sandboxTopicArn(sandbox);
  const { region, accountId } = sandbox.account;
  const dependencies: ActionHandlerDependencies = {
    logger: new Logger({ serviceName: 'cordon-bench', logLevel: 'SILENT' }),
    metrics: new Metrics({ namespace: 'CordonBench', serviceName: 'cordon-bench' }),
    loadSettings: async () => settings,
    clientsFor: () => clients,
    ledgerFor: () => ledger,
    notifications: async () => ({ snsTopicArn: topicArn }),
    now: () => new Date(),
  };
  return new LocalEngine({
    approvals,
    actionDependencies: () => dependencies,
    functionArn: (id) => `arn:aws:lambda:${region}:${accountId}:function:cordon-${DEFAULT_STAGE}-${id}`,
  });
}

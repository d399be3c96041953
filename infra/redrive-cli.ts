/**
 * Re-drive failed events of a stage (docs/deploy.md, "Re-driving failed events"), with the AWS CLI and the
 * caller's credentials:
 *
 *   npx tsx infra/redrive-cli.ts --stage prod --queue on-failure [--max 100] [--dry-run] [--region eu-west-1]
 *   npx tsx infra/redrive-cli.ts --stage prod --queue dead-letter
 *   npx tsx infra/redrive-cli.ts --stage prod --file events.json
 *
 * For each message: decide (redrive.ts), invoke the function asynchronously (`lambda invoke --invocation-type
 * Event`, accepted when Lambda answers 202), and only then delete the message. A message that cannot be
 * re-driven, or whose invocation is refused, stays in the queue (it becomes visible again after the
 * visibility timeout) and is reported. `--dry-run` prints the plan, invokes nothing and deletes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  eventsFromFile,
  planRedrive,
  type QueueKind,
  type QueueMessage,
  type RedrivePlan,
} from './redrive.ts';

/** Runs `aws <args>` and resolves with its standard output; rejects when the command fails. */
export type AwsCli = (args: readonly string[]) => Promise<string>;

export class RedriveUsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'RedriveUsageError';
  }
}

export interface RedriveOptions {
  readonly prefix: string;
  readonly source: { readonly queue: QueueKind } | { readonly file: string };
  readonly max: number;
  readonly dryRun: boolean;
  readonly region?: string;
}

export interface RedriveReport {
  readonly redriven: string[];
  /** Messages left where they are: not re-drivable (the reason), or their invocation was refused. */
  readonly left: { readonly messageId: string; readonly reason: string }[];
  /** What a dry run would have sent. */
  readonly planned: RedrivePlan[];
}

const USAGE =
  'usage: redrive-cli --stage <stage> (--queue on-failure|dead-letter | --file <events.json>) [--max N] [--dry-run] [--region R]';

/** How long a received message stays hidden while it is re-driven (seconds). */
const VISIBILITY_SECONDS = 120;

export function parseArguments(argv: readonly string[]): RedriveOptions {
  const values = new Map<string, string>();
  let dryRun = false;
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index] ?? '';
    if (flag === '--dry-run') {
      dryRun = true;
      continue;
    }
    if (!['--stage', '--queue', '--file', '--max', '--region'].includes(flag)) {
      throw new RedriveUsageError(`unknown argument ${JSON.stringify(flag)}\n${USAGE}`);
    }
    const value = argv[index + 1];
    if (value === undefined || value.startsWith('--'))
      throw new RedriveUsageError(`${flag} needs a value\n${USAGE}`);
    values.set(flag, value);
    index += 1;
  }
  const stage = values.get('--stage');
  if (stage === undefined || !/^[A-Za-z0-9_-]{1,26}$/.test(stage)) {
    throw new RedriveUsageError(`--stage must name a Cordon stage\n${USAGE}`);
  }
  const queue = values.get('--queue');
  const file = values.get('--file');
  if ((queue === undefined) === (file === undefined)) {
    throw new RedriveUsageError(`give either --queue or --file\n${USAGE}`);
  }
  if (queue !== undefined && queue !== 'on-failure' && queue !== 'dead-letter') {
    throw new RedriveUsageError(`--queue is on-failure or dead-letter\n${USAGE}`);
  }
  const max = Number(values.get('--max') ?? '100');
  if (!Number.isInteger(max) || max < 1)
    throw new RedriveUsageError(`--max must be a whole number ≥ 1\n${USAGE}`);
  const region = values.get('--region');
  return {
    prefix: `cordon-${stage}`,
    source: queue === undefined ? { file: file as string } : { queue },
    max,
    dryRun,
    ...(region === undefined ? {} : { region }),
  };
}

function queueName(prefix: string, queue: QueueKind): string {
  return queue === 'on-failure' ? `${prefix}-on-failure` : `${prefix}-events-dlq`;
}

interface ReceivedMessage extends QueueMessage {
  readonly receiptHandle: string;
}

async function receive(
  cli: AwsCli,
  queueUrl: string,
  count: number,
  visibility: number,
): Promise<ReceivedMessage[]> {
  const output = await cli([
    'sqs',
    'receive-message',
    '--queue-url',
    queueUrl,
    '--max-number-of-messages',
    String(Math.min(10, count)),
    '--visibility-timeout',
    String(visibility),
    '--wait-time-seconds',
    '1',
    '--message-attribute-names',
    'All',
  ]);
  if (output.trim() === '') return [];
  const parsed = JSON.parse(output) as {
    Messages?: {
      MessageId: string;
      ReceiptHandle: string;
      Body: string;
      MessageAttributes?: Record<string, { StringValue?: string }>;
    }[];
  };
  return (parsed.Messages ?? []).map((message) => ({
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {})
        .filter(([, attribute]) => typeof attribute.StringValue === 'string')
        .map(([name, attribute]) => [name, attribute.StringValue as string]),
    ),
  }));
}

/** Invokes the function asynchronously with the payload; true when Lambda accepted it (status 202). */
async function invoke(cli: AwsCli, plan: RedrivePlan): Promise<true | string> {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-redrive-'));
  try {
    const payloadFile = join(dir, 'payload.json');
    writeFileSync(payloadFile, plan.payload);
    const output = await cli([
      'lambda',
      'invoke',
      '--function-name',
      plan.functionName,
      '--invocation-type',
      'Event',
      '--payload',
      `fileb://${payloadFile}`,
      join(dir, 'response.json'),
    ]);
    const status = (JSON.parse(output) as { StatusCode?: number }).StatusCode;
    return status === 202 ? true : `Lambda answered status ${String(status)}, not 202`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function redrive(cli: AwsCli, options: RedriveOptions): Promise<RedriveReport> {
  const report: RedriveReport = { redriven: [], left: [], planned: [] };
  if ('file' in options.source) {
    const plans = eventsFromFile(options.prefix, readFileSync(options.source.file, 'utf8'));
    for (const plan of plans.slice(0, options.max)) {
      if (options.dryRun) {
        report.planned.push(plan);
        continue;
      }
      const accepted = await invoke(cli, plan);
      if (accepted === true) report.redriven.push(plan.messageId);
      else report.left.push({ messageId: plan.messageId, reason: accepted });
    }
    return report;
  }
  const { queue } = options.source;
  const queueUrl = (
    JSON.parse(await cli(['sqs', 'get-queue-url', '--queue-name', queueName(options.prefix, queue)])) as {
      QueueUrl: string;
    }
  ).QueueUrl;
  let seen = 0;
  while (seen < options.max) {
    // A dry run leaves every message visible, so it reads one batch only (it would read the same ones again).
    const messages = await receive(
      cli,
      queueUrl,
      options.max - seen,
      options.dryRun ? 0 : VISIBILITY_SECONDS,
    );
    if (messages.length === 0) break;
    for (const message of messages) {
      seen += 1;
      let plan: RedrivePlan;
      try {
        plan = planRedrive(options.prefix, queue, message);
      } catch (error) {
        report.left.push({ messageId: message.messageId, reason: (error as Error).message });
        continue;
      }
      if (options.dryRun) {
        report.planned.push(plan);
        continue;
      }
      const accepted = await invoke(cli, plan);
      if (accepted !== true) {
        report.left.push({ messageId: message.messageId, reason: accepted });
        continue;
      }
      // Deleted only once Lambda has the event: a crash in between sends it twice, which triage tolerates.
      await cli([
        'sqs',
        'delete-message',
        '--queue-url',
        queueUrl,
        '--receipt-handle',
        message.receiptHandle,
      ]);
      report.redriven.push(message.messageId);
    }
    if (options.dryRun) break;
  }
  return report;
}

/** The AWS CLI through `execFile` (no shell), JSON output, in the given region. */
export function awsCli(region?: string): AwsCli {
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(
        'aws',
        [...args, '--output', 'json', ...(region === undefined ? [] : ['--region', region])],
        { maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error ? reject(new Error(stderr.trim() || error.message)) : resolve(stdout),
      );
    });
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const report = await redrive(awsCli(options.region), options);
  for (const plan of report.planned) {
    console.log(`would send ${plan.messageId} to ${plan.functionName}: ${plan.payload.slice(0, 200)}`);
  }
  for (const id of report.redriven) console.log(`re-driven ${id}`);
  for (const { messageId, reason } of report.left) console.log(`left ${messageId}: ${reason}`);
  console.log(
    `${report.redriven.length} re-driven, ${report.left.length} left in place${options.dryRun ? `, ${report.planned.length} planned (dry run)` : ''}`,
  );
  if (report.left.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 2;
  });
}

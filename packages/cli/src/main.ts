import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DeliveryRoute } from '@cordon/local/deployment';
import { LocalDeployment } from '@cordon/local/deployment';
import { automaticApprovals } from '@cordon/local/engine';
import { LocalSettingsInvalidError } from '@cordon/local/errors';
import type { ApprovalPrompt } from '@cordon/local/page-approvals';
import { createSandbox } from '@cordon/local/sandbox/index';
import { isBadInput } from './aws/aws-errors.ts';
import { openSavedStage, type SavedStage } from './aws/saved-stage.ts';
import type { StageTarget } from './aws/stage.ts';
import { awsStage } from './aws/stage.ts';
import { DEMO_SETTINGS_FILE, demo } from './commands/demo.ts';
import { detectionsCommand } from './commands/detections.ts';
import { evidenceCommand } from './commands/evidence.ts';
import { incidentsCommand } from './commands/incidents.ts';
import type { DeployedStageRequest, OperatorContext } from './commands/operator.ts';
import { formatPlanJson, formatPlanTable, planFiles } from './commands/plan.ts';
import { RELEASE_USAGE, releaseCommand } from './commands/release.ts';
import { parseFault, replay } from './commands/replay.ts';
import { formatReplay } from './commands/replay-format.ts';
import { SCENARIO_USAGE, scenarioCommand } from './commands/scenario.ts';
import { settingsCommand } from './commands/settings.ts';
import { ReplayStoppedError, UsageError } from './errors.ts';
import { EXIT, type Io, processIo } from './io.ts';
import { readSettingsFile } from './settings-file.ts';

const USAGE = `Usage:
  cordon plan <event-file>... [--include-samples] [--settings <file>] [--via eventbridge|poller]
              [--json]
      How each event would reach triage (the deployed EventBridge rules, or the GuardDuty poller) and
      what Cordon would decide; an event no rule matches is reported as dropped. No AWS call.
  cordon replay <event-file> [--include-samples] [--settings <file>] [--approve | --reject]
                [--via eventbridge|poller]
                [--fail <Command>:<ErrorName>[:<times>]]... [--latency <ms>] [--port <n>] [--json]
      Seeds a sandbox account from the event and replays it end to end on a local deployment of
      Cordon: the deployed rules, the triage function with its DynamoDB ledger and SSM settings, the
      playbook in the local engine. Shows the timeline, every AWS call and its caller, and what
      changed. Without --approve/--reject, an approval is decided on the approval page served on
      127.0.0.1 (the link is printed).
  cordon demo [--auto-approve] [--plan]
      Replays a curated set of real events end to end on a local deployment (npm start runs it);
      --plan only plans every bundled event.
${SCENARIO_USAGE}

--settings: a JSON file holding any subset of the settings, written to the stage's SSM parameters.
--via: how the event arrives; by default a bare GuardDuty finding through the poller, anything else
       through EventBridge (--via poller on a GuardDuty envelope hands the poller its finding).

Operating a deployed stage (the standard AWS credential chain and region: AWS_PROFILE, AWS_REGION; --region
overrides the region). docs/operations.md shows each command with its output and the IAM each needs.
  cordon settings check <file> [--json]
  cordon settings pull --stage <stage> [--json] [--out <file>]
  cordon settings diff --stage <stage> <file> [--delete] [--json]
  cordon settings push --stage <stage> <file> [--delete] [--yes]
      The settings in SSM: checked offline with the loader's schema; read back with their version (the one
      the ledger records); compared with a file; pushed (only what changes, nothing deleted without --delete,
      an invalid result refused before any write, confirmed unless --yes, each write tagged with who pushed).
  cordon detections check|pull|diff|push …   (the same options)
      The alarm thresholds in SSM, checked as threshold-sync checks them.
  cordon incidents list --stage <stage> [--since 7d|<ISO time>] [--status <status>,…] [--json]
  cordon incidents show <incident-id> --stage <stage> [--json]
      The incidents from the ledger, Step Functions and the approvals table.
  cordon evidence --stage <stage> --from <time> [--to <time>] [--format json|md|html] [--out <file>]
      An evidence pack of every incident decided in the window, for auditors.
${RELEASE_USAGE}

--sandbox <state.json> takes the place of --stage (and --region) in every command above: the command runs on a
local deployment saved by cordon scenario --save, with the same calls; whatever a command changed (settings push,
detections push, a release started: its execution, approval and ledger entries) is written back to the file once
it succeeded, and a refusal leaves the file as it was (docs/operations.md).

Exit codes: 0 done (every file got a result; scenario: it ran), 1 the command could not run (or a checked
file is invalid), 2 usage error or bad input: nothing was written (scenario: the file is not a valid scenario).`;

/** Seams of the operator commands: where a deployed stage is reached (a sandbox in tests) and the clock. */
export interface MainOptions {
  readonly connect?: (request: DeployedStageRequest) => Promise<StageTarget>;
  readonly now?: () => Date;
}

/** The bundled copies of ../shared/events (verbatim). */
export const BUNDLED_EVENTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'events');

/**
 * Runs the `cordon` command line and returns the exit code.
 *
 * @example await main(['plan', 'event.json', '--json'])
 */
export async function main(
  argv: readonly string[],
  io: Io = processIo,
  options: MainOptions = {},
): Promise<number> {
  const [command, ...rest] = argv;
  const wallClock = options.now ?? (() => new Date());
  // `--sandbox <state.json>`: the saved deployment opened for this command, written back once it succeeded.
  let saved: SavedStage | undefined;
  const operator: OperatorContext = {
    io,
    connect: async (request) => {
      if ('sandbox' in request) {
        saved = await openSavedStage(request.sandbox);
        return saved.target;
      }
      return (options.connect ?? awsStage)(request);
    },
    now: () => saved?.now() ?? wallClock(),
  };
  const operatorCommand = async (run: () => Promise<number>): Promise<number> => {
    const code = await run();
    if (code === EXIT.ok && saved !== undefined && (await saved.commit()))
      io.err(`Saved the changes to ${saved.file}.`);
    return code;
  };
  try {
    switch (command) {
      case 'plan':
        return await plan(rest, io);
      case 'replay':
        return await replayCommand(rest, io);
      case 'demo':
        return await demoCommand(rest, io);
      case 'scenario':
        return await scenarioCommand(rest, io);
      case 'settings':
        return await operatorCommand(() => settingsCommand(rest, operator));
      case 'detections':
        return await operatorCommand(() => detectionsCommand(rest, operator));
      case 'incidents':
        return await operatorCommand(() => incidentsCommand(rest, operator));
      case 'evidence':
        return await operatorCommand(() => evidenceCommand(rest, operator));
      case 'release':
        return await operatorCommand(() => releaseCommand(rest, operator));
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof LocalSettingsInvalidError) {
      io.err(`cordon: ${error.message}`);
      io.err(USAGE);
      return EXIT.usage;
    }
    if (isBadInput(error)) {
      // A refused file or push: what was wrong, and that nothing was written.
      io.err(`cordon: ${(error as Error).name}: ${(error as Error).message}`);
      for (const problem of (error as { problems?: readonly string[] }).problems ?? [])
        io.err(`  - ${problem}`);
      return EXIT.usage;
    }
    // Named errors (no credentials, access denied, stage not found…) say their name: scripts and people match it.
    io.err(
      error instanceof Error
        ? `cordon: ${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
        : `cordon: ${String(error)}`,
    );
    return EXIT.failed;
  }
}

function parse(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        'include-samples': { type: 'boolean', default: false },
        settings: { type: 'string' },
        json: { type: 'boolean', default: false },
        approve: { type: 'boolean', default: false },
        reject: { type: 'boolean', default: false },
        fail: { type: 'string', multiple: true },
        latency: { type: 'string' },
        port: { type: 'string' },
        via: { type: 'string' },
        'extra-alarm': { type: 'string', multiple: true },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseVia(value: string | undefined): DeliveryRoute | undefined {
  if (value === undefined || value === 'eventbridge' || value === 'poller') return value;
  throw new UsageError(`--via takes eventbridge or poller, got "${value}"`);
}

/** `--extra-alarm` (and CORDON_EXTRA_ALARMS) named alarms for the deployed rule; the rule now takes them all. */
function refuseExtraAlarms(values: readonly string[] | undefined): void {
  if (values === undefined) return;
  throw new UsageError(
    '--extra-alarm is no longer needed: the deployed CloudWatch rule delivers every alarm entering ALARM, and settings.alarmPlaybooks (--settings) decides which ones Cordon answers.',
  );
}

/**
 * A local deployment that only routes and reads its settings (plan runs nothing): an empty sandbox with the
 * stage's parameters written from the settings file.
 */
async function planningDeployment(settings: Readonly<Record<string, unknown>>) {
  const deployment = await LocalDeployment.create({ sandbox: createSandbox(), settings });
  return { deployment, loaded: await deployment.settings() };
}

async function plan(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args);
  if (positionals.length === 0) throw new UsageError('plan needs at least one event file.');
  const via = parseVia(values.via);
  const settings = await readSettingsFile(values.settings, values['include-samples'] ?? false);
  refuseExtraAlarms(values['extra-alarm']);
  const { deployment, loaded } = await planningDeployment(settings);
  if (!loaded.ok) io.err(`cordon: settings are invalid, failing closed (notify-only): ${loaded.reason}`);
  const results = await planFiles(positionals, {
    deployment,
    settings: loaded.settings,
    ...(via === undefined ? {} : { via }),
  });
  const lines = values.json ? formatPlanJson(results) : formatPlanTable(results);
  for (const line of lines) io.out(line);
  return EXIT.ok;
}

async function replayCommand(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args);
  if (positionals.length !== 1) throw new UsageError('replay takes exactly one event file.');
  if (values.approve && values.reject) throw new UsageError('--approve and --reject exclude each other.');
  const faults = (values.fail ?? []).map(parseFault);
  const latencyMs = values.latency === undefined ? undefined : Number(values.latency);
  if (latencyMs !== undefined && !(Number.isInteger(latencyMs) && latencyMs >= 0 && latencyMs <= 60_000)) {
    throw new UsageError(`--latency takes a whole number of milliseconds (0–60000), got "${values.latency}"`);
  }
  const via = parseVia(values.via);
  refuseExtraAlarms(values['extra-alarm']);
  const settings = await readSettingsFile(values.settings, values['include-samples'] ?? false);
  const { loaded } = await planningDeployment(settings);
  if (!loaded.ok) io.err(`cordon: settings are invalid, failing closed (notify-only): ${loaded.reason}`);
  const approvals = values.approve
    ? automaticApprovals('approve')
    : values.reject
      ? automaticApprovals('reject')
      : undefined;
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw new UsageError(`--port takes a port number, got "${values.port}"`);
  }
  try {
    const report = await replay({
      file: positionals[0] ?? '',
      settings,
      ...(via === undefined ? {} : { via }),
      approvals,
      approvalPage: { port, onPrompt: (prompt) => printPrompt(prompt, io) },
      faults,
      latencyMs,
      onStep: values.json
        ? undefined
        : (step) => {
            if (step.status !== 'running')
              io.err(`  ${step.status === 'succeeded' ? '✓' : '✗'} ${step.id} (${step.state})`);
          },
    });
    const lines = values.json ? [JSON.stringify(report)] : formatReplay(report);
    for (const line of lines) io.out(line);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ReplayStoppedError) {
      io.err(`cordon: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
}

/** An approval waiting for a person: the link to open, and the Slack message that would be posted. */
export function printPrompt(prompt: ApprovalPrompt, io: Io): void {
  io.err('');
  io.err(`⏸  Approval needed for ${prompt.incidentId}`);
  io.err(`   Approving runs: ${prompt.actions.filter((step) => step !== 'request-approval').join(' → ')}`);
  io.err(`   Open ${prompt.link}`);
  io.err(`   (the link expires at ${prompt.expiresAt}; the playbook waits until someone decides —`);
  io.err('    no browser here? stop and run again with --approve, --reject, or demo --auto-approve)');
  io.err(`   Slack message that would be posted: ${prompt.slackMessage.text}`);
  io.err('');
}

async function demoCommand(args: readonly string[], io: Io): Promise<number> {
  let parsed: { values: { 'auto-approve'?: boolean; plan?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        'auto-approve': { type: 'boolean', default: false },
        plan: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new UsageError(`demo takes no files (got ${positionals.join(' ')}).`);
  if (values.plan === true) return planBundled(io);
  const settings = await readSettingsFile(DEMO_SETTINGS_FILE, true);
  // A person at a terminal decides on the approval page; a script (no terminal) or --auto-approve approves.
  const automatic = values['auto-approve'] === true || !process.stdin.isTTY;
  await demo(
    automatic
      ? {
          settings,
          approvals: automaticApprovals('approve', 'cordon demo'),
          approvalNote: 'approved automatically (--auto-approve, or no terminal)',
        }
      : {
          settings,
          approvalPage: { onPrompt: (prompt) => printPrompt(prompt, io) },
          approvalNote: 'decided by you on the approval page (links below)',
        },
    io,
  );
  return EXIT.ok;
}

/** `cordon demo --plan`: the decision for every bundled event, without running anything. */
async function planBundled(io: Io): Promise<number> {
  const files = await listEventFiles(BUNDLED_EVENTS_DIR);
  const { deployment, loaded } = await planningDeployment(await readSettingsFile(undefined, true));
  io.out(
    `Cordon plans ${files.length} real events bundled from public sources (packages/cli/events/SOURCES.md).`,
  );
  io.out('Settings: defaults, with GuardDuty sample findings included (as when a team tests the pipeline).');
  io.out(
    'Routing: the deployed EventBridge rules (every alarm entering ALARM; the settings map which ones Cordon answers); bare findings through the GuardDuty poller.',
  );
  io.out('');
  const results = await planFiles(files, { deployment, settings: loaded.settings });
  for (const line of formatPlanTable(results, BUNDLED_EVENTS_DIR)) io.out(line);
  return EXIT.ok;
}

async function listEventFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * `cordon release <incident-id> --stage S [--yes] [--dry-run] [--json]`: starts the release playbook that undoes
 * what an incident's playbook changed (an instance → `ec2-release`, a principal's session deny →
 * `credential-release`, a posture fix → `remediation-release`), after showing what it would restore and asking
 * for confirmation. Reads the ledger, the approvals index and Step Functions (as `incidents show`), then one
 * StartExecution; every refusal comes before it, so a bad input starts nothing. The release playbook itself still
 * asks for its approval.
 */
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startedExecutions } from '@cordon/core/ledger/incident-reads';
import type { PlaybookId } from '@cordon/core/playbooks/ids';
import { releaseExecutionInput } from '@cordon/core/playbooks/release-input';
import { awsCallError } from '../aws/aws-errors.ts';
import { type StageTarget, stageNames, whoIsCalling } from '../aws/stage.ts';
import { ConfirmationRequiredError, UsageError } from '../errors.ts';
import { EXIT } from '../io.ts';
import { executionConsoleUrl, type IncidentView, readIncidentView } from './incident-view.ts';
import { type OperatorContext, parseOptions, stageRequest } from './operator.ts';
import {
  AlreadyReleasedError,
  ContainmentInputMissingError,
  chooseRelease,
  isReleasePlaybook,
  ReleaseInProgressError,
  type ReleasePlaybook,
  releaseExecutionName,
} from './release-plan.ts';
import { shortTime } from './time-options.ts';

const OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  sandbox: { type: 'string' },
  yes: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** Incident ids are Step Functions execution names: 1–80 of `[A-Za-z0-9_-]` (triage's ids). */
const INCIDENT_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** At most this many earlier releases of one incident are looked for (each one DescribeExecution). */
const MAX_RELEASES = 20;

export const RELEASE_USAGE = `  cordon release <incident-id> --stage <stage> | --sandbox <state.json> [--yes] [--dry-run] [--json]
      Starts the release playbook for what the incident changed (ec2-release, credential-release or
      remediation-release), after showing what it would restore and asking (unless --yes); the playbook
      still asks for its own approval. --dry-run starts it as a dry run (it changes nothing).`;

/** What `release` started, as `--json` prints it. */
export interface ReleaseStarted {
  readonly incidentId: string;
  readonly playbook: ReleasePlaybook;
  readonly executionName: string;
  readonly executionArn: string;
  readonly consoleUrl: string;
  readonly dryRun: boolean;
  readonly restores: readonly { readonly step: string; readonly at: string; readonly record: unknown }[];
  readonly kept: readonly string[];
}

/** `cordon release …` */
export async function releaseCommand(args: readonly string[], context: OperatorContext): Promise<number> {
  const { values, positionals } = parseOptions(args, OPTIONS);
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw new UsageError('release takes one incident id.');
  }
  const incidentId = positionals[0];
  if (!INCIDENT_ID.test(incidentId)) {
    throw new UsageError(`"${incidentId}" is not an incident id (1 to 80 letters, digits, - and _).`);
  }
  // The stage the other operator commands take: --stage (AWS) or --sandbox <state.json> (a saved deployment).
  const where = stageRequest(values, 'release');
  const dryRun = values['dry-run'] === true;
  const target = await context.connect(where);
  const { stage } = target;
  const caller = await whoIsCalling(target);
  const view = await readIncidentView(target, caller.account, incidentId);
  const choice = chooseRelease(incidentId, [...view.decisions, ...view.steps]);
  const executionName = await nextReleaseName(target, caller.account, incidentId, choice.playbook);
  const containment = await containmentInput(target, caller.account, view);
  const names = stageNames(target.stage, target.region);
  const stateMachineArn = names.stateMachineArn(caller.account, choice.playbook);
  const restores = choice.records.map((entry) => ({ step: entry.step, at: entry.at, record: entry.restore }));

  if (values.json !== true) {
    for (const line of describeRelease(view, choice.playbook, restores, choice.kept, { stage, dryRun }))
      context.io.out(line);
  }
  if (
    !(await confirm(context, values.yes === true, `Start ${choice.playbook} for incident ${incidentId}?`))
  ) {
    context.io.err('cordon: not started: the release was not confirmed.');
    return EXIT.ok;
  }

  const input = releaseExecutionInput(containment, choice.playbook, { requestedBy: caller.arn, dryRun });
  let executionArn: string;
  try {
    const started = await target.sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input) }),
    );
    executionArn = started.executionArn ?? names.executionArn(caller.account, choice.playbook, executionName);
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionAlreadyExists') {
      throw new ReleaseInProgressError(
        `Another release of ${incidentId} started as ${executionName} a moment ago: see it with cordon incidents show ${incidentId}. Nothing else was started.`,
      );
    }
    throw awsCallError(error, {
      action: 'states:StartExecution',
      resource: stateMachineArn,
      stageWhenMissing: { stage: target.stage, region: target.region },
    });
  }
  const result: ReleaseStarted = {
    incidentId,
    playbook: choice.playbook,
    executionName,
    executionArn,
    consoleUrl: executionConsoleUrl(target.region, executionArn),
    dryRun,
    restores,
    kept: choice.kept,
  };
  if (values.json === true) {
    context.io.out(JSON.stringify(result));
    return EXIT.ok;
  }
  context.io.out(
    '',
    `Started ${choice.playbook}${dryRun ? ' (dry run: it changes nothing)' : ''} as execution ${executionName}.`,
    'It asks for approval first (Slack or the approval page); nothing changes before someone approves.',
    `Follow it: ${result.consoleUrl}`,
    // The same place the release was started in: a saved deployment is named by its file, not its stage.
    `Or: cordon incidents show ${incidentId} ${'sandbox' in where ? `--sandbox ${where.sandbox}` : `--stage ${stage}`}`,
  );
  return EXIT.ok;
}

/** `--yes`, or a person's yes on the terminal; no terminal and no `--yes` is refused (nothing started). */
async function confirm(context: OperatorContext, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  const { io } = context;
  if (io.interactive !== true || io.ask === undefined) {
    throw new ConfirmationRequiredError(
      'Not started: no terminal to confirm on. Review what the release would restore, then run again with --yes.',
    );
  }
  const answer = await io.ask(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

/**
 * The name of the next release execution: the first `<id>-release-<n>` Step Functions does not know. One that is
 * still running is a release in progress (refused); one that ended (rejected, timed out, failed, or a dry run) lets
 * a new one start under the next number.
 */
async function nextReleaseName(
  target: StageTarget,
  account: string,
  incidentId: string,
  playbook: ReleasePlaybook,
): Promise<string> {
  const names = stageNames(target.stage, target.region);
  for (let attempt = 1; attempt <= MAX_RELEASES; attempt += 1) {
    const name = releaseExecutionName(incidentId, attempt);
    const executionArn = names.executionArn(account, playbook, name);
    try {
      const execution = await target.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status === 'RUNNING') {
        throw new ReleaseInProgressError(
          `A release of ${incidentId} is in progress: ${playbook} execution ${name}, started ${shortTime(execution.startDate?.toISOString() ?? '')}, is waiting for its approval or still running. Decide it, or stop it in the console: ${executionConsoleUrl(target.region, executionArn)}. Nothing was started.`,
        );
      }
    } catch (error) {
      if (error instanceof ReleaseInProgressError) throw error;
      if (error instanceof Error && error.name === 'ExecutionDoesNotExist') return name;
      throw awsCallError(error, { action: 'states:DescribeExecution', resource: executionArn });
    }
  }
  throw new AlreadyReleasedError(
    `Incident ${incidentId} has had ${MAX_RELEASES} release executions already: start the release by hand (docs/playbooks/${playbook}.md, "Starting it by hand"). Nothing was started.`,
  );
}

/** The execution input of the incident's containment: its latest execution that is not a release. */
async function containmentInput(
  target: StageTarget,
  account: string,
  view: IncidentView,
): Promise<Record<string, unknown>> {
  const names = stageNames(target.stage, target.region);
  const started = startedExecutions(view.decisions).filter((each) => !isReleasePlaybook(each.playbook));
  const last = started.at(-1);
  if (last === undefined) {
    throw new ContainmentInputMissingError(
      `Incident ${view.id} recorded no execution that triage started: its release input cannot be built from it. Start the release by hand (docs/playbooks/*-release.md, "Starting it by hand"). Nothing was started.`,
    );
  }
  const executionArn = names.executionArn(account, last.playbook as PlaybookId, last.executionName);
  let input: string | undefined;
  try {
    input = (await target.sfn.send(new DescribeExecutionCommand({ executionArn }))).input;
  } catch (error) {
    if (!(error instanceof Error && error.name === 'ExecutionDoesNotExist')) {
      throw awsCallError(error, { action: 'states:DescribeExecution', resource: executionArn });
    }
  }
  let parsed: unknown;
  try {
    parsed = input === undefined ? undefined : JSON.parse(input);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ContainmentInputMissingError(
      `The input of ${last.playbook} execution ${last.executionName} is no longer in Step Functions (it keeps closed executions 90 days): start the release by hand with the documented input (docs/playbooks/*-release.md, "Starting it by hand"). Nothing was started.`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** What the release would restore, in the words of `incidents show`'s "What a release would restore". */
function describeRelease(
  view: IncidentView,
  playbook: ReleasePlaybook,
  restores: ReleaseStarted['restores'],
  kept: readonly string[],
  options: { readonly stage: string; readonly dryRun: boolean },
): string[] {
  const lines = [
    `Incident ${view.id}${view.summary.title === undefined ? '' : `: ${view.summary.title}`}`,
    `  playbook   ${view.decision?.playbook ?? 'none'} (${view.status})`,
    `  release    ${playbook}${options.dryRun ? ' (dry run)' : ''} on stage ${options.stage}`,
    '',
    'What a release would restore',
  ];
  for (const restore of restores) {
    lines.push(`  ${restore.step} (${shortTime(restore.at)}): ${JSON.stringify(restore.record)}`);
  }
  if (playbook === 'credential-release' || kept.length > 0) {
    lines.push(
      '',
      'What stays as containment left it',
      ...(playbook === 'credential-release'
        ? [
            "  Only this incident's statement leaves cordon-deny; other statements stay.",
            '  Access keys stay inactive and console access stays removed: an administrator rotates the keys and',
            '  sets a new password (docs/on-call.md, "After a credential release").',
          ]
        : []),
      ...kept.map((step) => `  ${step}: not undone by a release.`),
    );
  }
  return lines;
}

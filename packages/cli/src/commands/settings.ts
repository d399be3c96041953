/**
 * `cordon settings check|pull|diff|push`: Cordon's settings in SSM (`/cordon/<stage>/settings/`), checked
 * offline with the loader's own schema and messages, read back with the version the ledger records, compared
 * with a file, and pushed — only the parameters that change, none deleted unless asked, an invalid result
 * refused before anything is written, confirmed by a person (or `--yes`), each write tagged with who pushed it.
 * docs/operations.md shows each with its output.
 */
import { writeFile } from 'node:fs/promises';
import { recordSettings } from '@cordon/core/ledger/incident-reads';
import type { LoadedSettings } from '@cordon/functions/settings';
import { awsCallError } from '../aws/aws-errors.ts';
import { type StageTarget, stageNames, whoIsCalling } from '../aws/stage.ts';
import { InputInvalidError } from '../errors.ts';
import { EXIT } from '../io.ts';
import { renderTable } from '../table.ts';
import { isObject, type OperatorContext, readJsonFile, type StageRequest } from './operator.ts';
import {
  checkFile,
  confirmChanges,
  type ParameterOptions,
  parameterValues,
  reportCheck,
  runParameterCommand,
} from './parameter-command.ts';
import {
  afterChanges,
  applyChanges,
  changesJson,
  formatChanges,
  type ParameterChange,
  planChanges,
  readParameters,
  type StoredParameter,
} from './parameters.ts';
import { loaderVerdict, settingsFile, settingsFileProblems } from './settings-values.ts';

/** Settings whose parameter is created as a SecureString (docs/settings.md: "store it as a SecureString"). */
const SECURE_SETTINGS: ReadonlySet<string> = new Set(['responder/external-id']);

/** The loader's reason, one problem a line (`settings invalid under <path>: a; b`). */
export function reasonLines(reason: string): string[] {
  const colon = reason.indexOf(': ');
  const body = reason.startsWith('settings invalid under') && colon >= 0 ? reason.slice(colon + 2) : reason;
  return body.split('; ');
}

/** `cordon settings <subcommand> …` */
export async function settingsCommand(args: readonly string[], context: OperatorContext): Promise<number> {
  return runParameterCommand('settings', 'settings', args, {
    check: (file, json) => check(file, json, context),
    pull: (where, options) => pull(where, options, context),
    diff: (where, file, options) => diff(where, file, options, context),
    push: (where, file, options) => push(where, file, options, context),
  });
}

async function check(file: string, json: boolean, context: OperatorContext): Promise<number> {
  const checked = await checkFile(
    file,
    `${file} must hold a JSON object of settings (any subset: docs/settings.md)`,
    settingsFileProblems,
  );
  return reportCheck(context.io, file, checked, json, (value) => {
    const named = Object.keys(settingsFile(value).texts);
    return `valid settings (${named.length} named: ${named.join(', ') || 'none'})`;
  });
}

/** A settings file for diff and push: invalid → `InputInvalidError` with every problem (exit 2, nothing written). */
async function desiredTexts(file: string): Promise<Record<string, string>> {
  const read = await readJsonFile(file);
  if (!read.ok) throw new InputInvalidError(`${file} is not a settings file.`, [read.problem]);
  if (!isObject(read.value)) {
    throw new InputInvalidError(`${file} is not a settings file.`, [
      `${file} must hold a JSON object of settings (any subset: docs/settings.md)`,
    ]);
  }
  const problems = settingsFileProblems(read.value);
  if (problems.length > 0)
    throw new InputInvalidError(`${file} is not valid: nothing was written.`, problems);
  return { ...settingsFile(read.value).texts };
}

function header(target: StageTarget, path: string): string {
  return `Settings of stage ${target.stage} in ${target.region} (${target.where}), ${path}`;
}

function verdictLine(verdict: LoadedSettings): string {
  return verdict.ok
    ? `version ${verdict.version}, valid`
    : `INVALID — Cordon runs fail closed (notify-only) under version ${verdict.version}`;
}

async function pull(
  where: StageRequest,
  options: ParameterOptions,
  context: OperatorContext,
): Promise<number> {
  const target = await context.connect(where);
  const { stage } = target;
  const names = stageNames(stage, target.region);
  const current = await readParameters(target, names.settingsPath);
  const verdict = await loaderVerdict(stage, parameterValues(current));
  if (options.out !== undefined) {
    if (!verdict.ok) {
      context.io.err(
        `cordon: not written to ${options.out}: the stored settings are invalid, so there are no effective settings to pull.`,
      );
      for (const line of reasonLines(verdict.reason)) context.io.err(`  - ${line}`);
      return EXIT.failed;
    }
    await writeFile(options.out, `${JSON.stringify(verdict.settings, null, 2)}\n`);
  }
  if (options.json === true) {
    context.io.out(
      JSON.stringify({
        stage,
        region: target.region,
        path: names.settingsPath,
        ok: verdict.ok,
        version: verdict.version,
        ...(verdict.ok ? {} : { problems: reasonLines(verdict.reason) }),
        settings: verdict.settings,
        parameters: Object.fromEntries(
          [...current.values()].map((parameter) => [
            parameter.name,
            { value: parameter.value, type: parameter.type, version: parameter.version },
          ]),
        ),
      }),
    );
    return EXIT.ok;
  }
  context.io.out(`${header(target, names.settingsPath)}: ${verdictLine(verdict)}.`);
  if (!verdict.ok) for (const line of reasonLines(verdict.reason)) context.io.out(`  - ${line}`);
  context.io.out('');
  const rows = [...current.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((parameter) => [
      parameter.name,
      parameter.type === 'SecureString' ? '(SecureString, not shown)' : parameter.value,
      String(parameter.version),
    ]);
  for (const line of renderTable(['PARAMETER', 'VALUE', 'SSM VERSION'], rows)) context.io.out(line);
  if (options.out !== undefined) {
    context.io.out('');
    context.io.out(`Wrote the effective settings to ${options.out} (a file settings diff/push take).`);
  }
  return EXIT.ok;
}

interface Plan {
  readonly target: StageTarget;
  readonly path: string;
  readonly current: ReadonlyMap<string, StoredParameter>;
  readonly changes: ParameterChange[];
  /** Parameters SSM holds that the file does not name. */
  readonly unlisted: string[];
  readonly before: LoadedSettings;
  readonly after: LoadedSettings;
}

async function plan(
  where: StageRequest,
  file: string,
  options: ParameterOptions,
  context: OperatorContext,
): Promise<Plan> {
  // The file first: a bad file is refused before anything is asked of AWS.
  const desired = await desiredTexts(file);
  const target = await context.connect(where);
  const { stage } = target;
  const path = stageNames(stage, target.region).settingsPath;
  const current = await readParameters(target, path);
  const changes = planChanges(current, desired, {
    deleteUnlisted: options.delete === true,
    secure: (name) => SECURE_SETTINGS.has(name),
  });
  const [before, after] = await Promise.all([
    loaderVerdict(stage, parameterValues(current)),
    loaderVerdict(stage, afterChanges(current, changes)),
  ]);
  const unlisted = [...current.keys()].filter((name) => !Object.hasOwn(desired, name)).sort();
  return { target, path, current, changes, unlisted, before, after };
}

function planLines(planned: Plan, deleteUnlisted: boolean): string[] {
  const lines = [`${header(planned.target, planned.path)}:`];
  if (planned.changes.length === 0) lines.push('  No changes: SSM already holds these values.');
  else lines.push(...formatChanges(planned.changes).map((line) => `  ${line}`));
  if (!deleteUnlisted && planned.unlisted.length > 0) {
    lines.push(
      `  Kept (not named by the file; --delete deletes them): ${planned.unlisted.length} parameter${planned.unlisted.length === 1 ? '' : 's'}.`,
    );
  }
  lines.push(`Effective settings: ${verdictLine(planned.before)} → ${verdictLine(planned.after)}.`);
  if (!planned.after.ok) lines.push(...reasonLines(planned.after.reason).map((line) => `  - ${line}`));
  return lines;
}

async function diff(
  where: StageRequest,
  file: string,
  options: ParameterOptions,
  context: OperatorContext,
): Promise<number> {
  const planned = await plan(where, file, options, context);
  const { stage } = planned.target;
  if (options.json === true) {
    context.io.out(
      JSON.stringify({
        stage,
        path: planned.path,
        changes: changesJson(planned.changes),
        before: { ok: planned.before.ok, version: planned.before.version },
        after: {
          ok: planned.after.ok,
          version: planned.after.version,
          ...(planned.after.ok ? {} : { problems: reasonLines(planned.after.reason) }),
        },
      }),
    );
    return EXIT.ok;
  }
  for (const line of planLines(planned, options.delete === true)) context.io.out(line);
  return EXIT.ok;
}

async function push(
  where: StageRequest,
  file: string,
  options: ParameterOptions,
  context: OperatorContext,
): Promise<number> {
  const planned = await plan(where, file, options, context);
  const { stage } = planned.target;
  const { target, path, changes, before, after } = planned;
  if (!after.ok) {
    throw new InputInvalidError(
      `Not pushed: the settings after this push would be invalid, and Cordon would fail closed (notify-only).`,
      reasonLines(after.reason),
    );
  }
  if (changes.length === 0) {
    context.io.out(`Nothing to push: ${path} already holds these values (version ${before.version}).`);
    return EXIT.ok;
  }
  for (const line of planLines(planned, options.delete === true)) context.io.out(line);
  if (!(await confirmChanges(context, options.yes === true, stage, changes.length))) return EXIT.failed;
  const caller = await whoIsCalling(target);
  const at = context.now();
  await applyChanges(target, changes, {
    path,
    callerArn: caller.arn,
    at,
    newType: (name) => (SECURE_SETTINGS.has(name) ? 'SecureString' : 'String'),
  });
  // What the functions will read now: the loader over the parameters as they stand after the push.
  const now = await loaderVerdict(stage, parameterValues(await readParameters(target, path)));
  context.io.out(
    `Pushed ${changes.length} change${changes.length === 1 ? '' : 's'} as ${caller.arn}: settings version ${before.version} → ${now.version}${now.ok ? '' : ' (INVALID: fail closed)'}.`,
  );
  if (now.version !== after.version) {
    context.io.err(
      `cordon: the settings now read as version ${now.version}, not ${after.version} as planned: someone else changed ${path} meanwhile. Run settings pull.`,
    );
  }
  context.io.out('Each function reads them within 60 seconds (its settings cache).');
  if (!now.ok) return EXIT.failed;
  const ledgerTable = stageNames(stage, target.region).ledgerTable;
  try {
    const recorded = await recordSettings(target.dynamodb, ledgerTable, {
      version: now.version,
      settings: now.settings,
      recordedAt: at.toISOString(),
      recordedBy: caller.arn,
    });
    context.io.out(
      recorded === 'recorded'
        ? `Recorded the settings of version ${now.version} in ${ledgerTable}, for evidence.`
        : `The settings of version ${now.version} were recorded in ${ledgerTable} already.`,
    );
  } catch (error) {
    const named = awsCallError(error, { action: 'dynamodb:PutItem', resource: `table ${ledgerTable}` });
    context.io.err(
      `cordon: the settings were pushed, but recording version ${now.version} in the ledger failed: ${named.message}`,
    );
    return EXIT.failed;
  }
  return EXIT.ok;
}

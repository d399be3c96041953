/**
 * `cordon detections check|pull|diff|push`: the alarm thresholds in SSM (`/cordon/<stage>/detections/<alarm>/…`),
 * checked with the validation threshold-sync applies before PutMetricAlarm (core's `validateThresholds`, its
 * messages), read back with what threshold-sync would make of them, compared with a file and pushed like the
 * settings (parameters.ts). In AWS, each parameter written is an SSM change event that runs threshold-sync,
 * which applies the alarm (infra/detections.ts); the sandbox has no EventBridge for SSM changes.
 *
 * The file: `{ "<alarm>": { "threshold": 1, "evaluationPeriods": 1, "periodSeconds": 300 } }`, any subset.
 */
import { writeFile } from 'node:fs/promises';
import {
  type AlarmThresholds,
  DETECTION_ALARM_NAMES,
  type DetectionDefinition,
  detectionFor,
} from '@cordon/core/detections/alarms';
import {
  THRESHOLD_PARAMETERS,
  type ThresholdParameter,
  validateThresholds,
} from '@cordon/core/detections/thresholds';
import { type StageTarget, stageNames, whoIsCalling } from '../aws/stage.ts';
import { InputInvalidError } from '../errors.ts';
import { EXIT } from '../io.ts';
import { renderTable } from '../table.ts';
import { isObject, type OperatorContext, type StageRequest } from './operator.ts';
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
  planChanges,
  readParameters,
} from './parameters.ts';

const KEYS = Object.keys(THRESHOLD_PARAMETERS) as (keyof AlarmThresholds)[];

/** What threshold-sync makes of an alarm's parameters: applied values, or every problem. */
export type AlarmVerdict =
  | { readonly alarm: string; readonly ok: true; readonly values: AlarmThresholds }
  | { readonly alarm: string; readonly ok: false; readonly problems: readonly string[] };

/**
 * The problems of a thresholds file, named: an unknown alarm or value, a value that is not a JSON number, then
 * threshold-sync's own checks (a number ≥ 0, a whole number ≥ 1, a multiple of 60 s, at most a day).
 *
 * @example detectionsFileProblems({ RootAccountUsage: { periodSeconds: 90 } })
 * // ['RootAccountUsage/period-seconds: 90 is not a multiple of 60 seconds (60, 120, 300…)']
 */
export function detectionsFileProblems(file: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [alarm, values] of Object.entries(file)) {
    const detection = detectionFor(alarm);
    if (detection === undefined) {
      problems.push(`${alarm}: unknown alarm (Cordon's detections: ${DETECTION_ALARM_NAMES.join(', ')})`);
      continue;
    }
    if (!isObject(values)) {
      problems.push(`${alarm}: must be an object of ${KEYS.join(', ')}`);
      continue;
    }
    let typed = true;
    for (const [key, value] of Object.entries(values)) {
      if (!(KEYS as string[]).includes(key)) {
        problems.push(`${alarm}.${key}: unknown value (${KEYS.join(', ')})`);
        typed = false;
      } else if (typeof value !== 'number') {
        problems.push(`${alarm}.${key}: must be a number, got ${value === null ? 'null' : typeof value}`);
        typed = false;
      }
    }
    if (!typed) continue;
    const validation = validateThresholds(detection, textsOf(values));
    if (!validation.ok) problems.push(...validation.problems);
  }
  return problems;
}

/** An alarm's values from the file as SSM texts, by parameter (`threshold`, `evaluation-periods`, …). */
function textsOf(values: Readonly<Record<string, unknown>>): Partial<Record<ThresholdParameter, string>> {
  const texts: Partial<Record<ThresholdParameter, string>> = {};
  for (const key of KEYS) {
    if (values[key] !== undefined) texts[THRESHOLD_PARAMETERS[key]] = String(values[key]);
  }
  return texts;
}

/** The parameters a thresholds file names, relative to the detections path. */
function fileTexts(file: Readonly<Record<string, unknown>>): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [alarm, values] of Object.entries(file)) {
    if (!isObject(values)) continue;
    for (const [parameter, text] of Object.entries(textsOf(values))) texts[`${alarm}/${parameter}`] = text;
  }
  return texts;
}

/**
 * What threshold-sync would make of each alarm's parameters (syncThresholds: an unknown parameter under an
 * alarm's path is a problem, missing values take the defaults), and the parameters under the path that belong
 * to no detection.
 */
export function verdicts(values: Readonly<Record<string, string>>): {
  alarms: AlarmVerdict[];
  strays: string[];
} {
  const strays: string[] = [];
  const byAlarm = new Map<string, Record<string, string>>();
  for (const [name, text] of Object.entries(values)) {
    const [alarm, parameter, ...rest] = name.split('/');
    if (
      alarm === undefined ||
      parameter === undefined ||
      rest.length > 0 ||
      detectionFor(alarm) === undefined
    ) {
      strays.push(name);
      continue;
    }
    byAlarm.set(alarm, { ...byAlarm.get(alarm), [parameter]: text });
  }
  const known: ReadonlySet<string> = new Set(Object.values(THRESHOLD_PARAMETERS));
  const alarms = DETECTION_ALARM_NAMES.map((alarm): AlarmVerdict => {
    const detection = detectionFor(alarm) as DetectionDefinition;
    const raw = byAlarm.get(alarm) ?? {};
    const unknown = Object.keys(raw)
      .filter((parameter) => !known.has(parameter))
      .map((parameter) => `${alarm}/${parameter}: unknown parameter (expected ${[...known].join(', ')})`);
    const validation = validateThresholds(detection, raw);
    const problems = [...unknown, ...(validation.ok ? [] : validation.problems)];
    if (problems.length > 0 || !validation.ok) return { alarm, ok: false, problems };
    return { alarm, ok: true, values: validation.values };
  });
  return { alarms, strays };
}

/** `cordon detections <subcommand> …` */
export async function detectionsCommand(args: readonly string[], context: OperatorContext): Promise<number> {
  return runParameterCommand('detections', 'thresholds', args, {
    check: (file, json) => check(file, json, context),
    pull: (where, options) => pull(where, options, context),
    diff: (where, file, options) => change('diff', where, file, options, context),
    push: (where, file, options) => change('push', where, file, options, context),
  });
}

async function check(file: string, json: boolean, context: OperatorContext): Promise<number> {
  const checked = await checkFile(
    file,
    `${file} must hold a JSON object of alarm thresholds ({ "<alarm>": { "threshold": … } })`,
    detectionsFileProblems,
  );
  return reportCheck(
    context.io,
    file,
    checked,
    json,
    (value) => `valid alarm thresholds (${Object.keys(value).join(', ') || 'none'})`,
  );
}

function header(target: StageTarget, path: string): string {
  return `Alarm thresholds of stage ${target.stage} in ${target.region} (${target.where}), ${path}`;
}

function verdictRows(alarms: readonly AlarmVerdict[]): string[][] {
  return alarms.map((verdict) =>
    verdict.ok
      ? [
          verdict.alarm,
          String(verdict.values.threshold),
          String(verdict.values.evaluationPeriods),
          String(verdict.values.periodSeconds),
          'valid: threshold-sync applies it',
        ]
      : [verdict.alarm, '-', '-', '-', `REJECTED: ${verdict.problems.join('; ')}`],
  );
}

async function pull(
  where: StageRequest,
  options: ParameterOptions,
  context: OperatorContext,
): Promise<number> {
  const target = await context.connect(where);
  const { stage } = target;
  const path = stageNames(stage, target.region).detectionsPath;
  const current = await readParameters(target, path);
  const { alarms, strays } = verdicts(parameterValues(current));
  const rejected = alarms.filter((verdict) => !verdict.ok);
  if (options.out !== undefined) {
    if (rejected.length > 0) {
      context.io.err(
        `cordon: not written to ${options.out}: threshold-sync rejects the stored values of ${rejected.map((verdict) => verdict.alarm).join(', ')}.`,
      );
      return EXIT.failed;
    }
    const file = Object.fromEntries(
      alarms.map((verdict) => [verdict.alarm, verdict.ok ? verdict.values : {}]),
    );
    await writeFile(options.out, `${JSON.stringify(file, null, 2)}\n`);
  }
  if (options.json === true) {
    context.io.out(JSON.stringify({ stage, region: target.region, path, alarms, strays }));
    return EXIT.ok;
  }
  context.io.out(`${header(target, path)}:`);
  for (const line of renderTable(
    ['ALARM', 'THRESHOLD', 'EVALUATION PERIODS', 'PERIOD (S)', 'STATUS'],
    verdictRows(alarms),
  )) {
    context.io.out(line);
  }
  if (strays.length > 0) context.io.out(`Parameters that belong to no detection: ${strays.join(', ')}.`);
  if (options.out !== undefined) context.io.out(`Wrote the thresholds to ${options.out}.`);
  return EXIT.ok;
}

async function change(
  mode: 'diff' | 'push',
  where: StageRequest,
  file: string,
  options: ParameterOptions,
  context: OperatorContext,
): Promise<number> {
  // The file first: a bad file is refused before anything is asked of AWS.
  const { problems, value } = await checkFile(
    file,
    `${file} must hold a JSON object of alarm thresholds`,
    detectionsFileProblems,
  );
  if (problems.length > 0 || value === undefined) {
    throw new InputInvalidError(`${file} is not valid: nothing was written.`, problems);
  }
  const desired = fileTexts(value);
  const target = await context.connect(where);
  const { stage } = target;
  const path = stageNames(stage, target.region).detectionsPath;
  const current = await readParameters(target, path);
  const changes = planChanges(current, desired, { deleteUnlisted: options.delete === true });
  const after = verdicts(afterChanges(current, changes));
  const rejected = after.alarms.filter((verdict) => !verdict.ok);
  if (mode === 'diff' && options.json === true) {
    context.io.out(JSON.stringify({ stage, path, changes: changesJson(changes), after: after.alarms }));
    return EXIT.ok;
  }
  const lines = [`${header(target, path)}:`];
  lines.push(
    ...(changes.length === 0
      ? ['  No changes: SSM already holds these values.']
      : formatChanges(changes).map((line) => `  ${line}`)),
  );
  if (mode === 'diff' || changes.length > 0) {
    lines.push(
      'After:',
      ...renderTable(
        ['ALARM', 'THRESHOLD', 'EVALUATION PERIODS', 'PERIOD (S)', 'STATUS'],
        verdictRows(after.alarms),
      ).map((line) => `  ${line}`),
    );
  }
  if (mode === 'diff') {
    for (const line of lines) context.io.out(line);
    return EXIT.ok;
  }
  if (rejected.length > 0) {
    throw new InputInvalidError(
      'Not pushed: threshold-sync would reject the values after this push.',
      rejected.flatMap((verdict) => (verdict.ok ? [] : verdict.problems)),
    );
  }
  if (changes.length === 0) {
    context.io.out(`Nothing to push: ${path} already holds these values.`);
    return EXIT.ok;
  }
  for (const line of lines) context.io.out(line);
  if (!(await confirmChanges(context, options.yes === true, stage, changes.length))) return EXIT.failed;
  const caller = await whoIsCalling(target);
  await applyChanges(target, changes, {
    path,
    callerArn: caller.arn,
    at: context.now(),
    newType: () => 'String',
  });
  context.io.out(
    `Pushed ${changes.length} change${changes.length === 1 ? '' : 's'} as ${caller.arn}. In AWS each change runs threshold-sync, which applies the alarm (or tells the team why not).`,
  );
  return EXIT.ok;
}

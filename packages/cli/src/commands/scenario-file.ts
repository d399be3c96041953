/**
 * A scenario file (`cordon scenario <file>`): a story played against one sandbox account and one local
 * deployment, step by step, with time. Validated whole, strictly, before anything runs: an unknown key, a
 * step that is not one kind, a file that cannot be read, a duration that is not ISO-8601 is a
 * `ScenarioFileInvalidError` naming the step and the field (exit 2), and nothing runs.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { DeliveryRoute } from '@cordon/local/deployment';
import { durationMs } from '@cordon/local/deployment-clock';
import { settingsParameterValues } from '@cordon/local/deployment-settings';
import { LocalSettingsInvalidError } from '@cordon/local/errors';
import type { FaultSpec } from '@cordon/local/sandbox/types';
import { UsageError } from '../errors.ts';
import { parseFault } from './replay.ts';

/** A scenario file that cannot be run as written: which step, which field, and why. Nothing has run. */
export class ScenarioFileInvalidError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'ScenarioFileInvalidError';
  }
}

/** The step kinds, each the one key that says what the step does. */
/**
 * The most one `advance` step moves the clock: a year and a day, past every window Cordon keeps (approval
 * timeouts, leases, the blast-radius hour, Step Functions' 90 days before an execution name is reused), and far
 * from the largest time a JavaScript Date holds (±8.64e15 ms), which a huge duration would overflow.
 */
export const MAX_ADVANCE = 'P366D';
const MAX_ADVANCE_MS = 366 * 86_400_000;

export const STEP_KINDS = ['deliver', 'decide', 'release', 'settings', 'fail', 'advance'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** One event a `deliver` step sends, read and parsed when the file is validated. */
export interface ScenarioEvent {
  /** As written in the scenario (relative to the scenario file). */
  readonly file: string;
  readonly path: string;
  readonly event: unknown;
}

export type ScenarioStep =
  | {
      readonly kind: 'deliver';
      readonly events: readonly ScenarioEvent[];
      /** Dotted path → value, written into each event before it is delivered (`"{{now}}"`: the clock's time). */
      readonly set: Readonly<Record<string, unknown>>;
      /** Sample findings (CreateSampleFindings) are delivered as real ones: their sample marker is removed. */
      readonly includeSamples: boolean;
      readonly via?: DeliveryRoute;
    }
  | { readonly kind: 'decide'; readonly decision: 'approve' | 'reject'; readonly by?: string }
  | { readonly kind: 'release'; readonly target: string }
  | { readonly kind: 'settings'; readonly settings: Readonly<Record<string, unknown>> }
  | { readonly kind: 'fail'; readonly fault: FaultSpec; readonly text: string }
  | { readonly kind: 'advance'; readonly ms: number; readonly text: string };

export interface ScenarioFile {
  readonly path: string;
  readonly description?: string;
  /** Where the deployment's clock starts (default: now). */
  readonly start?: Date;
  /** The stage's settings at the start (any subset; the rest take their defaults). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly steps: readonly ScenarioStep[];
}

/** The value `set` writes as the deployment clock's time at delivery, ISO-8601. */
export const NOW_PLACEHOLDER = '{{now}}';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SLACK_USER_ID = /^[A-Z0-9]{2,32}$/;
const DOTTED_PATH = /^[^.\s]+(\.[^.\s]+)*$/;
/** Keys that would reach an object's prototype rather than the event (`set` writes by path). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** What each step kind may hold besides its own key. */
const STEP_FIELDS: Readonly<Record<StepKind, readonly string[]>> = {
  deliver: ['set', 'includeSamples', 'via'],
  decide: ['by'],
  release: [],
  settings: [],
  fail: [],
  advance: [],
};

const TOP_LEVEL = ['description', 'start', 'settings', 'steps'];

/**
 * Reads and validates a scenario file: the JSON, every step, and every event file it delivers (read and
 * parsed here, relative to the scenario file), so that a mistake anywhere stops the scenario before it starts.
 *
 * @throws ScenarioFileInvalidError naming the step and field; UsageError when the file itself cannot be read.
 * @example const scenario = await loadScenarioFile('scenarios/released-instance-attacked-again.json');
 */
export async function loadScenarioFile(path: string): Promise<ScenarioFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `Cannot read the scenario file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ScenarioFileInvalidError(`${path} is not valid JSON (${(error as Error).message}).`);
  }
  return validateScenario(parsed, path);
}

/**
 * Validates a parsed scenario (see {@link loadScenarioFile}); event files are read relative to `path`.
 *
 * @throws ScenarioFileInvalidError naming the step and field.
 */
export async function validateScenario(parsed: unknown, path: string): Promise<ScenarioFile> {
  const invalid = (where: string, message: string) =>
    new ScenarioFileInvalidError(`${path}: ${where}: ${message}`);
  if (!isObject(parsed)) throw invalid('the file', 'must hold a JSON object with "steps"');
  for (const key of Object.keys(parsed)) {
    if (!TOP_LEVEL.includes(key)) {
      throw invalid(
        `"${key}"`,
        `is not a scenario field (expected ${TOP_LEVEL.map((name) => `"${name}"`).join(', ')})`,
      );
    }
  }
  const description = parsed.description;
  if (description !== undefined && typeof description !== 'string') {
    throw invalid('"description"', 'must be a string');
  }
  let start: Date | undefined;
  if (parsed.start !== undefined) {
    const time = typeof parsed.start === 'string' ? Date.parse(parsed.start) : Number.NaN;
    if (!Number.isFinite(time) || !/^\d{4}-\d{2}-\d{2}T/.test(String(parsed.start))) {
      throw invalid(
        '"start"',
        `must be an ISO-8601 time (2026-11-28T10:00:00Z), got ${JSON.stringify(parsed.start)}`,
      );
    }
    start = new Date(time);
  }
  const settings = settingsOf(parsed.settings, (message) => invalid('"settings"', message));
  const steps = parsed.steps;
  if (!Array.isArray(steps) || steps.length === 0) {
    throw invalid('"steps"', 'must be a non-empty array of steps');
  }
  const base = dirname(resolve(path));
  const validated: ScenarioStep[] = [];
  for (const [index, step] of steps.entries()) {
    validated.push(
      await validateStep(step, base, (where, message) => invalid(`step ${index + 1}${where}`, message)),
    );
  }
  return {
    path,
    ...(description === undefined ? {} : { description }),
    ...(start === undefined ? {} : { start }),
    settings,
    steps: validated,
  };
}

function settingsOf(value: unknown, invalid: (message: string) => Error): Json {
  if (value === undefined) return {};
  if (!isObject(value)) throw invalid('must be a JSON object holding any subset of the settings');
  // A key such as __proto__ would be dropped on the way to SSM, silently: refused by name instead.
  const forbidden = forbiddenKeyIn(value);
  if (forbidden !== undefined) throw invalid(`holds the key "${forbidden}", which no setting has`);
  try {
    // What SSM could not hold is refused here; values that are no valid settings are written, and fail
    // closed when the functions read them, as they would in AWS.
    settingsParameterValues(value);
  } catch (error) {
    if (error instanceof LocalSettingsInvalidError) throw invalid(error.message);
    throw error;
  }
  return value;
}

async function validateStep(
  step: unknown,
  base: string,
  invalid: (where: string, message: string) => Error,
): Promise<ScenarioStep> {
  if (!isObject(step))
    throw invalid('', `must be an object with one of ${STEP_KINDS.map((kind) => `"${kind}"`).join(', ')}`);
  const kinds = STEP_KINDS.filter((kind) => Object.hasOwn(step, kind));
  if (kinds.length !== 1) {
    throw invalid(
      '',
      kinds.length === 0
        ? `names no step kind: use one of ${STEP_KINDS.map((kind) => `"${kind}"`).join(', ')}`
        : `names ${kinds.length} step kinds (${kinds.join(', ')}): one step does one thing`,
    );
  }
  const kind = kinds[0] as StepKind;
  const at = (field: string) => ` (${kind}), "${field}"`;
  for (const key of Object.keys(step)) {
    if (key !== kind && !STEP_FIELDS[kind].includes(key)) {
      const allowed =
        STEP_FIELDS[kind].length === 0
          ? 'nothing else'
          : STEP_FIELDS[kind].map((name) => `"${name}"`).join(', ');
      throw invalid(at(key), `is not a field of a ${kind} step (it takes ${allowed})`);
    }
  }
  const value = step[kind];
  switch (kind) {
    case 'deliver':
      return deliverStep(step, value, base, (field, message) => invalid(at(field), message));
    case 'decide': {
      if (value !== 'approve' && value !== 'reject') {
        throw invalid(at('decide'), `must be "approve" or "reject", got ${JSON.stringify(value)}`);
      }
      const by = step.by;
      if (by !== undefined && (typeof by !== 'string' || !SLACK_USER_ID.test(by))) {
        throw invalid(at('by'), `must be a Slack user id (U0123ABCD), got ${JSON.stringify(by)}`);
      }
      return { kind, decision: value, ...(by === undefined ? {} : { by }) };
    }
    case 'release':
      if (typeof value !== 'string' || !(value === 'last' || /^[A-Za-z0-9_-]{1,80}$/.test(value))) {
        throw invalid(at('release'), `must be an incident id or "last", got ${JSON.stringify(value)}`);
      }
      return { kind, target: value };
    case 'settings':
      return { kind, settings: settingsOf(value, (message) => invalid(at('settings'), message)) };
    case 'fail': {
      if (typeof value !== 'string') {
        throw invalid(at('fail'), 'must be <Command>:<ErrorName>[:<times>], as --fail takes it');
      }
      try {
        return { kind, fault: parseFault(value), text: value };
      } catch (error) {
        throw invalid(
          at('fail'),
          error instanceof Error ? error.message.replace('--fail', 'it') : String(error),
        );
      }
    }
    case 'advance': {
      const ms = typeof value === 'string' ? durationMs(value) : undefined;
      if (ms === undefined || ms <= 0) {
        throw invalid(
          at('advance'),
          `must be an ISO-8601 duration longer than zero (PT6H, PT90S, P1DT2H), got ${JSON.stringify(value)}`,
        );
      }
      if (!(ms <= MAX_ADVANCE_MS)) {
        throw invalid(
          at('advance'),
          `${JSON.stringify(value)} is too long: one step advances the clock by at most ${MAX_ADVANCE} (${MAX_ADVANCE_MS / 86_400_000} days); a longer story takes several steps`,
        );
      }
      return { kind, ms, text: value as string };
    }
  }
}

async function deliverStep(
  step: Json,
  value: unknown,
  base: string,
  invalid: (field: string, message: string) => Error,
): Promise<ScenarioStep> {
  const files = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(files) ||
    files.length === 0 ||
    !files.every((file) => typeof file === 'string' && file !== '')
  ) {
    throw invalid('deliver', 'must be an event file, or a non-empty array of them (delivered at once)');
  }
  const events: ScenarioEvent[] = [];
  for (const file of files as string[]) {
    const path = resolve(base, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw invalid(
        'deliver',
        `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error}; paths are relative to the scenario file)`,
      );
    }
    try {
      events.push({ file, path, event: JSON.parse(text) });
    } catch (error) {
      throw invalid('deliver', `${file} is not valid JSON (${(error as Error).message})`);
    }
  }
  const set = step.set ?? {};
  if (!isObject(set))
    throw invalid('set', 'must be an object of dotted paths to values ({ "detail.service.count": 3 })');
  for (const key of Object.keys(set)) {
    if (!DOTTED_PATH.test(key) || key.split('.').some((part) => FORBIDDEN_KEYS.has(part))) {
      throw invalid(`set.${key}`, 'is not a dotted path of plain keys (detail.service.count)');
    }
  }
  const includeSamples = step.includeSamples ?? false;
  if (typeof includeSamples !== 'boolean') throw invalid('includeSamples', 'must be true or false');
  const via = step.via;
  if (via !== undefined && via !== 'eventbridge' && via !== 'poller') {
    throw invalid('via', `must be "eventbridge" or "poller", got ${JSON.stringify(via)}`);
  }
  return { kind: 'deliver', events, set, includeSamples, ...(via === undefined ? {} : { via }) };
}

/** The first key anywhere in a JSON value that could reach a prototype (`__proto__`, `constructor`, `prototype`). */
function forbiddenKeyIn(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const found = forbiddenKeyIn(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}

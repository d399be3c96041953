/**
 * What every operator command gets: where it writes, how it reaches a stage, and the clock. The binary connects
 * with the SDK's default chain (`awsStage`); tests and a saved local deployment connect to a sandbox
 * (`sandboxStage`) — the commands do not know which.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { SettingsStageInvalidError } from '@cordon/core/errors';
import { stagePath } from '@cordon/core/policy/settings';
import type { StageTarget } from '../aws/stage.ts';
import { InputFileNotFoundError, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';

/** A deployed stage, as `--stage S [--region R]` names it. */
export interface DeployedStageRequest {
  readonly stage: string;
  readonly region?: string;
}

/**
 * Where a command acts: a deployed stage (`--stage`, `--region`), or a local deployment saved by
 * `cordon scenario --save` (`--sandbox <state.json>`). Either becomes the same `StageTarget`: the commands send
 * the same calls to both.
 */
export type StageRequest = DeployedStageRequest | { readonly sandbox: string };

export interface OperatorContext {
  readonly io: Io;
  /** Reaches a stage (`--stage`, `--region`) or a saved local deployment (`--sandbox`). */
  connect(request: StageRequest): Promise<StageTarget>;
  /** The time now: the wall clock, or a saved deployment's clock once `connect` has opened it. */
  now(): Date;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/**
 * Parses a subcommand's arguments with `node:util`'s strict parser: an unknown option or a missing value is a
 * usage error.
 */
export function parseOptions<O extends OptionSpec>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `--stage S` (with `--region`) or `--sandbox <state.json>`: exactly one is required; a stage must be letters,
 * digits, `-`, `_` (the settings path's rule); a saved deployment names its own region, so `--region` with
 * `--sandbox` is refused.
 *
 * @throws UsageError when neither or both are given, or the stage is not one.
 * @example stageRequest({ sandbox: 'state.json' }, 'incidents list') // { sandbox: 'state.json' }
 */
export function stageRequest(
  values: { readonly stage?: string; readonly region?: string; readonly sandbox?: string },
  command: string,
): StageRequest {
  if (values.sandbox !== undefined) {
    if (values.stage !== undefined)
      throw new UsageError(`${command} takes --stage <stage> or --sandbox <state.json>, not both.`);
    if (values.region !== undefined)
      throw new UsageError(`${command} --sandbox takes no --region: the saved deployment names its region.`);
    if (values.sandbox === '') throw new UsageError(`${command} --sandbox needs a state file.`);
    return { sandbox: values.sandbox };
  }
  const stage = values.stage;
  if (stage === undefined || stage === '')
    throw new UsageError(`${command} needs --stage <stage> or --sandbox <state.json>.`);
  try {
    stagePath(stage);
  } catch (error) {
    if (error instanceof SettingsStageInvalidError) throw new UsageError(error.message);
    throw error;
  }
  return values.region === undefined ? { stage } : { stage, region: values.region };
}

/** A JSON file's content, or why it is not one (unreadable is InputFileNotFoundError: there is nothing to check). */
export type JsonFile =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: string };

export async function readJsonFile(path: string): Promise<JsonFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputFileNotFoundError(
      `Cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}): nothing was checked or written.`,
    );
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problem: `${path} is not valid JSON (${(error as Error).message})` };
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The one file a subcommand takes. */
export function oneFile(positionals: readonly string[], usage: string): string {
  if (positionals.length !== 1 || positionals[0] === undefined) throw new UsageError(usage);
  return positionals[0];
}

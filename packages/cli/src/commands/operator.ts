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
import { UsageError } from '../errors.ts';
import type { Io } from '../io.ts';

export interface OperatorContext {
  readonly io: Io;
  /** Reaches a stage (`--stage`, `--region`). */
  connect(request: { readonly stage: string; readonly region?: string }): Promise<StageTarget>;
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

/** `--stage` is required and must name a stage (letters, digits, `-`, `_`: the settings path's rule). */
export function stageOption(value: string | undefined, command: string): string {
  if (value === undefined || value === '') throw new UsageError(`${command} needs --stage <stage>.`);
  try {
    stagePath(value);
  } catch (error) {
    if (error instanceof SettingsStageInvalidError) throw new UsageError(error.message);
    throw error;
  }
  return value;
}

/** A JSON file's content, or why it is not one (unreadable is a usage error: there is nothing to check). */
export type JsonFile =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: string };

export async function readJsonFile(path: string): Promise<JsonFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
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

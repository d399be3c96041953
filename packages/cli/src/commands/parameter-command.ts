/**
 * The command shell `cordon settings` and `cordon detections` share: the same options, the same four
 * subcommands (`check` a file offline, `pull`, `diff`, `push`), the same check report and the same confirmation
 * before a push. What differs — the file's checks, what the loader or threshold-sync make of the values — each
 * command passes in; the SSM side they share is parameters.ts.
 */
import { UsageError } from '../errors.ts';
import { EXIT, type Io } from '../io.ts';
import {
  isObject,
  type OperatorContext,
  oneFile,
  parseOptions,
  readJsonFile,
  type StageRequest,
  stageRequest,
} from './operator.ts';
import { confirmPush, type StoredParameter } from './parameters.ts';

const OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  sandbox: { type: 'string' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  yes: { type: 'boolean' },
  delete: { type: 'boolean' },
} as const;

/** The options of `pull`, `diff` and `push` (`--stage`/`--region` or `--sandbox` are taken out and checked first). */
export interface ParameterOptions {
  readonly json?: boolean;
  readonly out?: string;
  readonly yes?: boolean;
  readonly delete?: boolean;
}

/** What a parameter command does for each subcommand. */
export interface ParameterSubcommands {
  check(file: string, json: boolean): Promise<number>;
  pull(where: StageRequest, options: ParameterOptions): Promise<number>;
  diff(where: StageRequest, file: string, options: ParameterOptions): Promise<number>;
  push(where: StageRequest, file: string, options: ParameterOptions): Promise<number>;
}

/**
 * `cordon <command> check|pull|diff|push …`: parses the options and the one file, then runs the subcommand.
 *
 * @param fileKind what the file holds, for usage messages (`settings`, `thresholds`).
 * @throws UsageError on an unknown subcommand or option, a missing file, `--stage` and `--sandbox` both or neither, a file given to `pull`.
 */
export function runParameterCommand(
  command: string,
  fileKind: string,
  args: readonly string[],
  subcommands: ParameterSubcommands,
): Promise<number> {
  const [subcommand, ...rest] = args;
  const { values, positionals } = parseOptions(rest, OPTIONS);
  switch (subcommand) {
    case 'check':
      return subcommands.check(
        oneFile(positionals, `${command} check takes one ${fileKind} file.`),
        values.json === true,
      );
    case 'pull':
      if (positionals.length > 0) throw new UsageError(`${command} pull takes no file (use --out <file>).`);
      return subcommands.pull(stageRequest(values, `${command} pull`), values);
    case 'diff':
    case 'push': {
      const file = oneFile(positionals, `${command} ${subcommand} takes one ${fileKind} file.`);
      const where = stageRequest(values, `${command} ${subcommand}`);
      return subcommands[subcommand](where, file, values);
    }
    default:
      throw new UsageError(
        subcommand === undefined
          ? `${command} needs a subcommand: check, pull, diff or push.`
          : `Unknown ${command} subcommand "${subcommand}" (check, pull, diff, push).`,
      );
  }
}

/** A file read for `check`: its problems, and its object when it is one (even with problems). */
export interface CheckedFile {
  readonly problems: string[];
  readonly value?: Readonly<Record<string, unknown>>;
}

/**
 * Reads a JSON file and checks it: not JSON, not an object (`notAnObject`) or the command's own problems.
 *
 * @throws InputFileNotFoundError when the file cannot be read (there is nothing to check).
 */
export async function checkFile(
  file: string,
  notAnObject: string,
  problemsOf: (value: Readonly<Record<string, unknown>>) => string[],
): Promise<CheckedFile> {
  const read = await readJsonFile(file);
  if (!read.ok) return { problems: [read.problem] };
  if (!isObject(read.value)) return { problems: [notAnObject] };
  return { problems: problemsOf(read.value), value: read.value };
}

/**
 * Prints what `check` found (JSON with `--json`; else `✓` and `valid`, or `✗` and each problem) and returns the
 * exit code: ok when valid, failed otherwise.
 */
export function reportCheck(
  io: Io,
  file: string,
  checked: CheckedFile,
  json: boolean,
  valid: (value: Readonly<Record<string, unknown>>) => string,
): number {
  const { problems } = checked;
  if (json) io.out(JSON.stringify({ file, valid: problems.length === 0, problems }));
  else if (problems.length === 0) io.out(`✓ ${file}: ${valid(checked.value ?? {})}.`);
  else {
    io.out(`✗ ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
    for (const problem of problems) io.out(`  - ${problem}`);
  }
  return problems.length === 0 ? EXIT.ok : EXIT.failed;
}

/**
 * Asks before a push of `count` changes to `stage` (or takes `--yes`); on no, says nothing was written.
 *
 * @throws ConfirmationRequiredError when there is no terminal to ask on and no `--yes` (confirmPush).
 */
export async function confirmChanges(
  context: OperatorContext,
  yes: boolean,
  stage: string,
  count: number,
): Promise<boolean> {
  const go = await confirmPush(
    context.io,
    yes,
    `Push ${count} change${count === 1 ? '' : 's'} to stage ${stage}?`,
  );
  if (!go) context.io.out('Not pushed: nothing was written.');
  return go;
}

/** The parameters' texts, by name. */
export function parameterValues(parameters: ReadonlyMap<string, StoredParameter>): Record<string, string> {
  return Object.fromEntries([...parameters.values()].map((parameter) => [parameter.name, parameter.value]));
}

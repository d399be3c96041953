/**
 * What `cordon settings` and `cordon detections` share: a set of SSM parameters under one path, read whole,
 * compared with what a file asks for, and changed one parameter at a time — only those that change, none
 * deleted unless asked — each change tagged with who pushed it and when.
 */
import {
  AddTagsToResourceCommand,
  DeleteParametersCommand,
  GetParametersByPathCommand,
  type GetParametersByPathCommandOutput,
  PutParameterCommand,
} from '@aws-sdk/client-ssm';
import { type StageTarget, send } from '../aws/stage.ts';
import { ConfirmationRequiredError, PushIncompleteError, StageNotFoundError } from '../errors.ts';
import type { Io } from '../io.ts';

/** A parameter as SSM holds it, named relative to the path it was read under. */
export interface StoredParameter {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  readonly version: number;
}

/**
 * Every parameter under `path` (recursive, SecureStrings decrypted), by name relative to it. SSM answers at
 * most 10 parameters a page: every page is read.
 *
 * @throws StageNotFoundError when the path holds no parameter (infra creates every one with its default).
 */
export async function readParameters(
  target: StageTarget,
  path: string,
): Promise<Map<string, StoredParameter>> {
  const parameters = new Map<string, StoredParameter>();
  let token: string | undefined;
  do {
    const page = await send<unknown, GetParametersByPathCommandOutput>(
      target.ssm,
      new GetParametersByPathCommand({ Path: path, Recursive: true, WithDecryption: true, NextToken: token }),
      { action: 'ssm:GetParametersByPath', resource: `${path} (${target.where}, ${target.region})` },
    );
    for (const parameter of page.Parameters ?? []) {
      if (parameter.Name === undefined || parameter.Value === undefined) continue;
      const name = parameter.Name.slice(path.length);
      parameters.set(name, {
        name,
        value: parameter.Value,
        type: parameter.Type ?? 'String',
        version: parameter.Version ?? 0,
      });
    }
    token = page.NextToken;
  } while (token !== undefined);
  if (parameters.size === 0) {
    throw new StageNotFoundError(
      `Stage ${target.stage} not found in ${target.region} (${target.where}): no parameter under ${path} (infra creates every one with its default; is the stage deployed in this account and region?)`,
    );
  }
  return parameters;
}

/** One parameter a push writes or deletes. */
export interface ParameterChange {
  readonly name: string;
  readonly kind: 'add' | 'change' | 'delete';
  readonly before?: string;
  readonly after?: string;
  /** A SecureString: its values are never printed. */
  readonly secure: boolean;
}

/**
 * The changes that turn `current` into what `desired` names: each desired parameter whose text differs or that
 * does not exist; with `deleteUnlisted`, each current parameter `desired` does not name. Sorted by name.
 *
 * @example planChanges(current, { mode: 'dry-run' }, { deleteUnlisted: false }) // [{ name: 'mode', kind: 'change', before: 'enforce', after: 'dry-run', secure: false }]
 */
export function planChanges(
  current: ReadonlyMap<string, StoredParameter>,
  desired: Readonly<Record<string, string>>,
  options: { readonly deleteUnlisted: boolean; readonly secure?: (name: string) => boolean },
): ParameterChange[] {
  const changes: ParameterChange[] = [];
  for (const [name, after] of Object.entries(desired)) {
    const stored = current.get(name);
    const secure = stored?.type === 'SecureString' || (options.secure?.(name) ?? false);
    if (stored === undefined) changes.push({ name, kind: 'add', after, secure });
    else if (stored.value !== after)
      changes.push({ name, kind: 'change', before: stored.value, after, secure });
  }
  if (options.deleteUnlisted) {
    for (const stored of current.values()) {
      if (Object.hasOwn(desired, stored.name)) continue;
      changes.push({
        name: stored.name,
        kind: 'delete',
        before: stored.value,
        secure: stored.type === 'SecureString',
      });
    }
  }
  return changes.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The parameters of `current` after the changes (what the functions will read). */
export function afterChanges(
  current: ReadonlyMap<string, StoredParameter>,
  changes: readonly ParameterChange[],
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const stored of current.values()) values[stored.name] = stored.value;
  for (const change of changes) {
    if (change.kind === 'delete') delete values[change.name];
    else values[change.name] = change.after ?? '';
  }
  return values;
}

function shown(value: string | undefined, secure: boolean): string {
  if (value === undefined) return '(none)';
  return secure ? '(SecureString, not shown)' : JSON.stringify(value);
}

/**
 * The changes as lines a person reads: `~ name: "before" → "after"`, `+ name: "after"`, `- name: "before"`.
 *
 * @example formatChanges('/cordon/prod/settings/', changes) // ['~ mode: "enforce" → "dry-run"']
 */
export function formatChanges(changes: readonly ParameterChange[]): string[] {
  return changes.map((change) => {
    if (change.kind === 'add')
      return `+ ${change.name}: ${shown(change.after, change.secure)} (new parameter)`;
    if (change.kind === 'delete') return `- ${change.name}: ${shown(change.before, change.secure)} (deleted)`;
    return `~ ${change.name}: ${shown(change.before, change.secure)} → ${shown(change.after, change.secure)}`;
  });
}

/** The changes as JSON (SecureString values left out). */
export function changesJson(changes: readonly ParameterChange[]): unknown[] {
  return changes.map((change) => ({
    name: change.name,
    kind: change.kind,
    ...(change.secure ? { secure: true } : { before: change.before ?? null, after: change.after ?? null }),
  }));
}

/**
 * A person's yes before a push: `--yes` gives it; otherwise it is asked on the terminal.
 *
 * @returns `true` to go on, `false` when the person said no.
 * @throws ConfirmationRequiredError when there is no terminal to ask on and no `--yes` (nothing is written).
 */
export async function confirmPush(io: Io, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  if (io.interactive !== true || io.ask === undefined) {
    throw new ConfirmationRequiredError(
      'Not pushed: no terminal to confirm on. Review the changes (`diff`), then push again with --yes.',
    );
  }
  const answer = await io.ask(`${question} [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

/**
 * The tags that record a push on each parameter it writes: who (the caller's ARN, from STS GetCallerIdentity)
 * and when. SSM tags hold values of at most 256 characters of letters, digits, spaces and `_.:/=+-@`, 50 tags a
 * resource (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html#tag-conventions;
 * AddTagsToResource: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AddTagsToResource.html):
 * an ARN is made of those characters, and one longer than 256 (an IAM path of hundreds of characters) is cut,
 * keeping its end, where the user or session name is.
 */
export const PUSHED_BY_TAG = 'cordon:pushed-by';
export const PUSHED_AT_TAG = 'cordon:pushed-at';
const MAX_TAG_VALUE = 256;

export function pushedByValue(callerArn: string): string {
  const clean = callerArn.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_');
  return clean.length <= MAX_TAG_VALUE ? clean : `…${clean.slice(-(MAX_TAG_VALUE - 1))}`;
}

export interface ApplyOptions {
  readonly path: string;
  readonly callerArn: string;
  readonly at: Date;
  /** The type a new parameter is created with (an existing one keeps its own). */
  newType(name: string): 'String' | 'SecureString';
}

/**
 * Writes the changes, one parameter at a time, each followed by its tags; deletions last, ten names a call (the
 * most DeleteParameters takes: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameters.html).
 * A value is replaced with PutParameter and `Overwrite`, keeping its type
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html: "Specifying a
 * parameter type isn't required when updating a parameter").
 *
 * @throws PushIncompleteError naming what was written and what was not, when a call fails mid-way.
 */
export async function applyChanges(
  target: StageTarget,
  changes: readonly ParameterChange[],
  options: ApplyOptions,
): Promise<void> {
  // What each parameter got to, for the report of a push that stops mid-way.
  const reached = new Map<string, 'written' | 'tagged' | 'deleted'>();
  const tags = [
    { Key: PUSHED_BY_TAG, Value: pushedByValue(options.callerArn) },
    { Key: PUSHED_AT_TAG, Value: options.at.toISOString() },
  ];
  const writes = changes.filter((change) => change.kind !== 'delete');
  const deletions = changes.filter((change) => change.kind === 'delete').map((change) => change.name);
  try {
    for (const change of writes) {
      const name = `${options.path}${change.name}`;
      await send(
        target.ssm,
        new PutParameterCommand({
          Name: name,
          Value: change.after ?? '',
          Overwrite: change.kind === 'change',
          ...(change.kind === 'add' ? { Type: options.newType(change.name) } : {}),
        }),
        { action: 'ssm:PutParameter', resource: name },
      );
      reached.set(change.name, 'written');
      await send(
        target.ssm,
        new AddTagsToResourceCommand({ ResourceType: 'Parameter', ResourceId: name, Tags: tags }),
        { action: 'ssm:AddTagsToResource', resource: name },
      );
      reached.set(change.name, 'tagged');
    }
    for (let index = 0; index < deletions.length; index += 10) {
      const batch = deletions.slice(index, index + 10).map((name) => `${options.path}${name}`);
      await send(target.ssm, new DeleteParametersCommand({ Names: batch }), {
        action: 'ssm:DeleteParameters',
        resource: batch.join(', '),
      });
      for (const name of deletions.slice(index, index + 10)) reached.set(name, 'deleted');
    }
  } catch (error) {
    if (reached.size === 0 && error instanceof Error) {
      // Refused at the first write: the named error (access denied, throttled…) says it all.
      error.message = `${error.message} Nothing was written.`;
      throw error;
    }
    const list = (names: string[]) => (names.length === 0 ? 'nothing' : names.join(', '));
    const of = (state: string) =>
      changes.map((change) => change.name).filter((name) => reached.get(name) === state);
    throw new PushIncompleteError(
      [
        `The push stopped: ${(error as Error).message}`,
        `Written and tagged: ${list(of('tagged'))}.`,
        ...(of('written').length > 0
          ? [`Written, but who pushed is not recorded on: ${list(of('written'))}.`]
          : []),
        ...(of('deleted').length > 0 ? [`Deleted: ${list(of('deleted'))}.`] : []),
        `Not changed: ${list(changes.map((change) => change.name).filter((name) => !reached.has(name)))}.`,
        'Run the push again once the cause is fixed: it writes only what still differs.',
      ].join('\n'),
      { cause: error },
    );
  }
}

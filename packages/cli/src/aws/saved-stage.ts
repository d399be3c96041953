/**
 * `--sandbox <state.json>`: a local deployment saved by `cordon scenario --save`, opened as a stage. Its SSM
 * parameters, DynamoDB tables and Step Functions executions are put back into a sandbox account
 * (`openSavedSandbox`), the commands reach them through `sandboxStage` — the same SDK clients and the same
 * command code as `--stage` — and what a command changed is written back to the file only once it succeeded,
 * atomically (a temporary file renamed over it), so that a bad input or a failed command leaves the file byte
 * for byte as it was.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  DeploymentStateInvalidError,
  DeploymentStateNotFoundError,
  DeploymentStateVersionError,
  openSavedSandbox,
  readDeploymentStateFile,
} from '@cordon/local/deployment-state';
import type { Principal } from '@cordon/local/sandbox/types';
import { sandboxStage } from './sandbox-stage.ts';
import type { StageTarget } from './stage.ts';

/** Who calls in a saved sandbox: an operator user of the deployment's home account (no IAM evaluation). */
export function sandboxOperator(homeAccount: string): Principal {
  return { arn: `arn:aws:iam::${homeAccount}:user/cordon-sandbox-operator`, account: homeAccount };
}

/** A saved deployment opened as a stage. */
export interface SavedStage {
  readonly file: string;
  readonly target: StageTarget;
  /** The saved deployment's clock (stopped at the time it was saved). */
  now(): Date;
  /**
   * Writes what the command changed back to the file (a temporary file in the same directory, renamed over it);
   * nothing when it changed nothing. Answers whether it wrote.
   */
  commit(): Promise<boolean>;
}

/**
 * Opens a state file as a stage.
 *
 * @throws DeploymentStateNotFoundError, DeploymentStateInvalidError or DeploymentStateVersionError (nothing done).
 * @example const saved = await openSavedStage('state.json'); await settingsCommand(['pull'], …)
 */
export async function openSavedStage(file: string): Promise<SavedStage> {
  const state = await readDeploymentStateFile(file);
  const saved = openSavedSandbox(state);
  return {
    file,
    target: {
      ...sandboxStage(saved, sandboxOperator(saved.homeAccount)),
      where: `the sandbox saved in ${file}`,
    },
    now: saved.now,
    async commit() {
      if (!saved.changed()) return false;
      await writeAtomically(file, `${JSON.stringify(saved.current())}\n`);
      return true;
    },
  };
}

/**
 * Replaces `file` with `text` at once: written to a temporary file beside it, then renamed over it (a rename
 * within one file system replaces the target atomically on POSIX), so a reader sees the old state or the new.
 */
export async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A state file that cannot be used: bad input, exit 2, nothing written. */
export function isBadStateFile(error: unknown): boolean {
  return (
    error instanceof DeploymentStateNotFoundError ||
    error instanceof DeploymentStateInvalidError ||
    error instanceof DeploymentStateVersionError
  );
}

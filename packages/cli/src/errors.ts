/**
 * Errors of the `cordon` command. Each class names itself (core's `CordonError` declares `name` abstract);
 * the cause is kept. `main.ts` maps them to exit codes: a `UsageError` is exit code 2 with the usage text, a
 * `ReplayStoppedError` exit code 1 with its message; anything else is a failure reported as such.
 */
import { CordonError } from '@cordon/core/errors';

/** The base of the command's errors: a problem the command explains, not a bug. */
export abstract class CordonCliError extends CordonError {}

/** A mistake in how the command was called: exit code 2 with the message. */
export class UsageError extends CordonCliError {
  public override readonly name = 'UsageError';
}

/** Something that stops a replay before the playbook runs: exit code 1 with the message. */
export class ReplayStoppedError extends CordonCliError {
  public override readonly name = 'ReplayStoppedError';
}

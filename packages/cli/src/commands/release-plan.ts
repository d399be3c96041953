/**
 * What `cordon release` decides before it starts anything, from the incident's ledger alone: which release
 * playbook undoes what the incident's playbook changed, whether it was released already, the name of the release
 * execution (its input: core's releaseExecutionInput). Pure: no AWS call, so every refusal is decided before anything is written.
 */
import { createHash } from 'node:crypto';
import { RELEASABLE_REMEDIATIONS } from '@cordon/core/actions/release-remediation';
import type { LedgerEntry } from '@cordon/core/ledger/ledger';
import type { StepId } from '@cordon/core/playbooks/ids';
import { RELEASE_PLAYBOOKS, type ReleasePlaybook } from '@cordon/core/playbooks/release-input';
import { CordonCliError } from '../errors.ts';

/** The incident changed nothing a release could undo (notify-only, a dry run, a step that failed before changing). */
export class NothingToReleaseError extends CordonCliError {
  public override readonly name = 'NothingToReleaseError';
}

/** A release went through after the incident's last change: there is nothing left to undo. */
export class AlreadyReleasedError extends CordonCliError {
  public override readonly name = 'AlreadyReleasedError';
}

/** A release execution of this incident is still running (waiting for its approval, most likely). */
export class ReleaseInProgressError extends CordonCliError {
  public override readonly name = 'ReleaseInProgressError';
}

/** The containment's execution input is gone from Step Functions (kept 90 days), so the release input cannot be built. */
export class ContainmentInputMissingError extends CordonCliError {
  public override readonly name = 'ContainmentInputMissingError';
}

export type { ReleasePlaybook };

/** Each release playbook, the action that does the release, and what that action undoes. */
export const RELEASES: Readonly<
  Record<ReleasePlaybook, { readonly step: StepId; readonly undoes: readonly StepId[] }>
> = {
  'ec2-release': {
    step: 'release-instance',
    // contain-instance records its parts (protect-evidence, detach-from-autoscaling, isolate-instance) in one entry.
    undoes: ['contain-instance', 'deregister-from-load-balancers', 'quarantine-instance-profile'],
  },
  'credential-release': { step: 'release-credentials', undoes: ['revoke-sessions'] },
  'remediation-release': {
    step: 'release-remediation',
    undoes: RELEASABLE_REMEDIATIONS.map((action) => action.id),
  },
};

/** Is this a release playbook (its executions are releases, not containments)? */
export function isReleasePlaybook(playbook: string): playbook is ReleasePlaybook {
  return (RELEASE_PLAYBOOKS as readonly string[]).includes(playbook);
}

/** The changes a release would undo: `planned` entries with a restore record, outside dry runs. */
function recordedChanges(entries: readonly LedgerEntry[]): LedgerEntry[] {
  return entries.filter(
    (entry) => entry.outcome === 'planned' && !entry.dryRun && entry.restore !== undefined,
  );
}

/**
 * The steps of an incident that changed something no release playbook undoes (deactivate-access-key,
 * disable-console-access, a posture fix without a release): a person undoes those (docs/on-call.md).
 *
 * @example notUndoneByRelease([deactivateKeyPlanned, revokeSessionsPlanned]) // ['deactivate-access-key']
 */
export function notUndoneByRelease(entries: readonly LedgerEntry[]): StepId[] {
  return [
    ...new Set(
      recordedChanges(entries)
        .map((entry) => entry.step)
        .filter(
          (step): step is StepId =>
            step !== 'triage' &&
            !RELEASE_PLAYBOOKS.some((playbook) => RELEASES[playbook].undoes.includes(step)),
        ),
    ),
  ];
}

/**
 * The release an incident needs, from what its steps recorded: the release playbook, and the restore records
 * it reads. Steps that recorded a restore no release undoes (deactivate-access-key, disable-console-access) are
 * named in `kept`: a person undoes those (docs/on-call.md).
 *
 * @throws NothingToReleaseError when no step recorded a change a release undoes.
 * @throws AlreadyReleasedError when a release went through after the last such change.
 * @example chooseRelease(entries).playbook // 'credential-release'
 */
export function chooseRelease(
  incidentId: string,
  entries: readonly LedgerEntry[],
): {
  readonly playbook: ReleasePlaybook;
  readonly records: readonly LedgerEntry[];
  readonly kept: readonly StepId[];
} {
  const changes = recordedChanges(entries);
  const kept = notUndoneByRelease(entries);
  const found = RELEASE_PLAYBOOKS.filter((playbook) =>
    changes.some((entry) => RELEASES[playbook].undoes.includes(entry.step as StepId)),
  );
  const playbook = found[0];
  if (playbook === undefined) {
    const extra =
      kept.length === 0
        ? 'no step changed anything (a notify-only incident, a dry run, or a step that failed before any change)'
        : `only ${kept.join(', ')} changed something, which no release undoes: deactivated keys and removed console access are given back by an administrator (docs/on-call.md, "After a credential release")`;
    throw new NothingToReleaseError(
      `Nothing to release for incident ${incidentId}: ${extra}. Nothing was started.`,
    );
  }
  const { step, undoes } = RELEASES[playbook];
  const last = entries.findLast(
    (entry) =>
      entry.step === step && !entry.dryRun && (entry.outcome === 'done' || entry.outcome === 'already-done'),
  );
  const records = changes.filter(
    (entry) => undoes.includes(entry.step as StepId) && (last === undefined || entry.at > last.at),
  );
  if (records.length === 0) {
    throw new AlreadyReleasedError(
      `Incident ${incidentId} was released already: ${step} ${last?.outcome} at ${last?.at}, and nothing was changed since. Nothing was started.`,
    );
  }
  return { playbook, records, kept };
}

/** Step Functions' execution names: 1–80 characters (API_StartExecution.html). */
const MAX_NAME = 80;

/**
 * The name of a release execution: `<incident id>-release-<n>` (the n-th release of the incident), or, for an
 * id too long for that, `release-<hash of the id>-<n>`. Deterministic, so that `cordon release` finds the earlier
 * releases with DescribeExecution alone, and two people releasing at once start one execution
 * (StartExecution with a running execution's name and input answers that execution:
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
 *
 * @example releaseExecutionName('guardduty-111122223333-eu-west-1-abc', 1) // 'guardduty-111122223333-eu-west-1-abc-release-1'
 */
export function releaseExecutionName(incidentId: string, attempt: number): string {
  const plain = `${incidentId}-release-${attempt}`;
  if (plain.length <= MAX_NAME) return plain;
  return `release-${createHash('sha256').update(incidentId).digest('hex').slice(0, 40)}-${attempt}`;
}

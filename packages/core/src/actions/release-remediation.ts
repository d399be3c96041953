import { ActionFailedError, classifyAwsError } from '../errors.ts';
import type { Change, LedgerEntry } from '../ledger/ledger.ts';
import type { StepId } from '../playbooks/ids.ts';
import { blockAccountPublicAccess } from './block-account-public-access.ts';
import { blockBucketPublicAccess } from './block-bucket-public-access.ts';
import { closeDefaultSecurityGroup } from './close-default-security-group.ts';
import { enableDefaultEncryption } from './enable-default-encryption.ts';
import { enableEbsDefaultEncryption } from './enable-ebs-default-encryption.ts';
import { enableKeyRotation } from './enable-key-rotation.ts';
import { enableLogFileValidation } from './enable-log-file-validation.ts';
import { enforcePasswordPolicy } from './enforce-password-policy.ts';
import { makeDbInstancePrivate } from './make-db-instance-private.ts';
import { makeDbSnapshotPrivate } from './make-db-snapshot-private.ts';
import { makeSnapshotsPrivate } from './make-snapshots-private.ts';
import { requireSecureTransport } from './require-secure-transport.ts';
import { revokeOpenIngress } from './revoke-open-ingress.ts';
import { startTrailLogging } from './start-trail-logging.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type ActionRelease,
  type Permission,
  permissionKey,
  type StepEnvelope,
  StepEnvelopeSchema,
} from './types.ts';

/** An action that declares how it is released. */
type Releasable = Pick<ActionDefinition, 'id' | 'release'>;

/** A step of an incident that can be released, with the restore record its first try wrote. */
export interface ReleasableStep {
  readonly step: StepId;
  readonly release: ActionRelease;
  /** The restore record as the ledger holds it (validated by the release before it is used). */
  readonly restore: unknown;
  /** When the record was written (the state it describes is from before that moment). */
  readonly at: string;
}

/**
 * The steps of an incident that a release can undo: for each step whose action declares a release, the
 * earliest `planned` entry with a restore record — the state from before the step's first try, so a step
 * retried after a fault mid-way is still undone to where it started. In the order the steps first ran.
 * `cordon release <incident-id>` (issue 15) reads the same list to tell which release an incident needs.
 *
 * @example releasableSteps(await ledger.entries(incidentId), ACTIONS).map((each) => each.step) // ['revoke-open-ingress']
 */
export function releasableSteps(
  entries: readonly LedgerEntry[],
  actions: Readonly<Partial<Record<string, Releasable>>>,
): ReleasableStep[] {
  const found = new Map<string, ReleasableStep>();
  const sorted = [...entries].sort((a, b) => a.at.localeCompare(b.at));
  for (const entry of sorted) {
    if (entry.outcome !== 'planned' || entry.restore === undefined || entry.step === 'triage') continue;
    const release = Object.hasOwn(actions, entry.step) ? actions[entry.step]?.release : undefined;
    if (release === undefined || found.has(entry.step)) continue;
    found.set(entry.step, { step: entry.step, release, restore: entry.restore, at: entry.at });
  }
  return [...found.values()];
}

/** The union of the releases' permissions, each grant once (the release function holds exactly these). */
export function releasePermissions(actions: readonly Releasable[]): Permission[] {
  const permissions = new Map<string, Permission>();
  for (const action of actions) {
    for (const permission of action.release?.permissions ?? []) {
      const key = permissionKey(permission);
      if (!permissions.has(key)) permissions.set(key, permission);
    }
  }
  return [...permissions.values()];
}

export interface ReleaseRemediationOutput {
  /** The steps whose recorded changes were looked at (and undone where not back already). */
  readonly releasedSteps: readonly StepId[];
  /** Each step's release output (what it put back). */
  readonly results: Readonly<Partial<Record<StepId, unknown>>>;
}

/** One step's release, planned. */
interface PlannedRelease {
  readonly step: StepId;
  readonly plan: ActionPlan<unknown>;
}

async function planRelease(each: ReleasableStep, context: ActionContext): Promise<PlannedRelease> {
  const parsed = each.release.restore.safeParse(each.restore);
  if (!parsed.success) {
    throw new ActionFailedError(
      `The restore record of ${each.step} (written ${each.at}) is not what its release reads: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`)
        .join('; ')}. Nothing was changed.`,
    );
  }
  return { step: each.step, plan: await each.release.plan(parsed.data, context) };
}

/**
 * `release-remediation` over the given remediations: undoes every step of an incident whose action declares a
 * release (`ActionDefinition.release`), each from the restore record it wrote before changing anything, by
 * that release's own plan — live state read first, only what is not back already put back, in the order the
 * steps ran. Its function (and member-account role) holds the union of the releases' permissions
 * ({@link releasePermissions}), and nothing of the remediations' own.
 *
 * Never automatic: `remediation-release` always asks for approval, and a timeout releases nothing. Idempotent:
 * a second release finds everything back (`already-done`). Nothing recorded → terminal `ActionFailedError`.
 *
 * @example
 * export const releaseRemediation = releaseRemediationOf([revokeOpenIngress, closeDefaultSecurityGroup]);
 * await runAction(releaseRemediation, { incidentId: fixIncidentId, account, region, dryRun: false }, environment)
 */
export function releaseRemediationOf(
  remediations: readonly Releasable[],
): ActionDefinition<StepEnvelope, ReleaseRemediationOutput> {
  const releasable = remediations.filter((action) => action.release !== undefined);
  const byId = Object.fromEntries(releasable.map((action) => [action.id, action]));
  return {
    id: 'release-remediation',
    summary:
      "Puts back exactly what an incident's remediations removed, from the restore records they wrote in the ledger before changing anything.",
    undo: 'Not undone by Cordon: to fix the resource again, AWS Config re-evaluates it and a new incident runs the remediation.',
    dryRunBehaviour:
      'Reads the ledger and the live resources and records what it would put back; no call changes anything.',
    mutating: true,
    input: StepEnvelopeSchema,
    retryableErrors: ['ThrottledError', 'TransientServiceError'],
    permissions: releasePermissions(releasable),
    async plan(input, context): Promise<ActionPlan<ReleaseRemediationOutput>> {
      // No exemption check: a release only undoes Cordon's own recorded changes, which is always allowed.
      const steps = releasableSteps(await context.ledger.entries(input.incidentId), byId);
      if (steps.length === 0) {
        throw new ActionFailedError(
          `Nothing to release: incident ${input.incidentId} recorded no change by a remediation that declares a release (${releasable
            .map((action) => action.id)
            .join(', ')}).`,
        );
      }
      const planned: PlannedRelease[] = [];
      for (const each of steps) planned.push(await planRelease(each, context));
      const changes: Change[] = planned.flatMap(({ plan }) => [...plan.changes]);
      const notes = planned.flatMap(({ step, plan }) => plan.notes.map((note) => `${step}: ${note}`));
      const output = (results: Partial<Record<StepId, unknown>>): ReleaseRemediationOutput => ({
        releasedSteps: planned.map(({ step }) => step),
        results,
      });
      return {
        changes,
        notes,
        output: output(Object.fromEntries(planned.map(({ step, plan }) => [step, plan.output]))),
        async apply() {
          const results: Partial<Record<StepId, unknown>> = {};
          const done: string[] = [];
          for (const { step, plan } of planned) {
            if (plan.changes.length === 0) {
              results[step] = plan.output;
              continue;
            }
            try {
              results[step] = await plan.apply();
              done.push(step);
            } catch (error) {
              // What was put back before the failure stays back; the retry plans again from live state.
              const partial = {
                done,
                notDone: planned.map((each) => each.step).filter((each) => !done.includes(each)),
              };
              throw classifyAwsError(error, `release-remediation: ${step}`, { partial });
            }
          }
          return output(results);
        },
      };
    },
  };
}

/**
 * The remediations that declare a release (`ActionDefinition.release`): a new one that declares a release is
 * added here (the conformance test names one that is missing), and `release-remediation` then undoes it and
 * holds its release's permissions.
 */
export const RELEASABLE_REMEDIATIONS: readonly Releasable[] = [
  revokeOpenIngress,
  closeDefaultSecurityGroup,
  // --- S3 ---
  blockAccountPublicAccess,
  blockBucketPublicAccess,
  requireSecureTransport,
  enableDefaultEncryption,
  // --- end S3 ---
  startTrailLogging,
  enableLogFileValidation,
  enableEbsDefaultEncryption,
  makeSnapshotsPrivate,
  // --- identity posture ---
  enforcePasswordPolicy,
  enableKeyRotation,
  // --- end identity posture ---
  // --- RDS ---
  makeDbInstancePrivate,
  makeDbSnapshotPrivate,
  // --- end RDS ---
];

/**
 * `release-remediation`: puts back what any releasable remediation of an incident removed
 * ({@link releaseRemediationOf} over {@link RELEASABLE_REMEDIATIONS}).
 *
 * @example await runAction(releaseRemediation, { incidentId, account, region, dryRun: false }, environment)
 */
export const releaseRemediation = releaseRemediationOf(RELEASABLE_REMEDIATIONS);

import { ActionFailedError } from '../errors.ts';
import type { LedgerEntry } from '../ledger/ledger.ts';
import * as z from '../zod.ts';

/**
 * The restore records release reads from the ledger, one schema per containment step. The ledger is data
 * written by earlier runs (possibly of an older Cordon): each record is validated before it is trusted.
 */
export const RestoreSchemas = {
  'protect-evidence': z.object({ instanceId: z.string() }),
  'detach-from-autoscaling': z.object({
    instanceId: z.string(),
    autoScalingGroupName: z.string(),
    lifecycleState: z.literal('InService'),
  }),
  'deregister-from-load-balancers': z.object({
    instanceId: z.string(),
    targetGroups: z.array(
      z.object({
        targetGroupArn: z.string(),
        targets: z.array(
          z.object({
            Id: z.string(),
            Port: z.optional(z.number()),
            AvailabilityZone: z.optional(z.string()),
          }),
        ),
      }),
    ),
    classicLoadBalancers: z.array(z.string()),
  }),
  'isolate-instance': z.object({
    instanceId: z.string(),
    networkInterfaces: z.array(
      z.object({ networkInterfaceId: z.string(), vpcId: z.string(), groupIds: z.array(z.string()) }),
    ),
  }),
  'quarantine-instance-profile': z.object({
    instanceId: z.string(),
    instanceArn: z.string(),
    roleName: z.nullable(z.string()),
    profileArn: z.string(),
    statementSid: z.string(),
    profileAction: z.enum(['disassociate', 'replace', 'keep']),
  }),
} as const;
export type RestoreStep = keyof typeof RestoreSchemas;
export type Restores = { -readonly [S in RestoreStep]?: z.output<(typeof RestoreSchemas)[S]> };
export const RESTORE_STEPS = Object.keys(RestoreSchemas) as RestoreStep[]; // the keys of a literal object

/** A `contain-instance` entry's restore holds its parts' records, each as that part alone would write it. */
const ContainRestoreSchema = z.object({ instanceId: z.string(), parts: z.record(z.string(), z.unknown()) });

/**
 * The ledger's entries with each `contain-instance` entry split into one entry per part (protect-evidence,
 * detach-from-autoscaling, isolate-instance), in the same place: release reads the parts' records alike,
 * whichever step wrote them.
 */
function withPartsSplit(entries: readonly LedgerEntry[]): LedgerEntry[] {
  return entries.flatMap((entry) => {
    if (entry.step !== 'contain-instance' || entry.outcome !== 'planned' || entry.restore === undefined) {
      return [entry];
    }
    const parsed = ContainRestoreSchema.safeParse(entry.restore);
    if (!parsed.success) {
      throw new ActionFailedError(
        `The ledger's restore record of contain-instance (${entry.at}) is not readable: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    }
    return Object.entries(parsed.data.parts).flatMap(([part, restore]) => {
      const step = RESTORE_STEPS.find((candidate) => candidate === part);
      return step === undefined ? [] : [{ ...entry, step, restore }];
    });
  });
}

/** The incident's last release that went through (not a dry run), if any. */
export function lastRelease(entries: readonly LedgerEntry[]): LedgerEntry | undefined {
  return entries.findLast(
    (entry) =>
      entry.step === 'release-instance' &&
      !entry.dryRun &&
      (entry.outcome === 'done' || entry.outcome === 'already-done'),
  );
}

/**
 * For each containment step, the earliest `planned` entry's restore for this instance (validated), since the
 * incident's last release: a finding contained, released and contained again (a new generation) is released
 * to the state recorded by its latest containment, not by the first.
 */
export function recordedRestores(ledgerEntries: readonly LedgerEntry[], instanceId: string): Restores {
  const restores: Restores = {};
  const released = lastRelease(ledgerEntries);
  const since =
    released === undefined ? ledgerEntries : ledgerEntries.slice(ledgerEntries.indexOf(released) + 1);
  for (const entry of withPartsSplit(since)) {
    if (entry.outcome !== 'planned' || entry.dryRun || entry.restore === undefined) continue;
    const step = RESTORE_STEPS.find((candidate) => candidate === entry.step);
    // Isolation records ENIs one entry at a time: an ENI attached between a failed run and its retry is only in
    // the later entry. Its restores are merged ENI by ENI (the earliest record of each ENI wins).
    if (step === undefined || (restores[step] !== undefined && step !== 'isolate-instance')) continue;
    const parsed = RestoreSchemas[step].safeParse(entry.restore);
    if (!parsed.success) {
      throw new ActionFailedError(
        `The ledger's restore record of ${step} (${entry.at}) is not readable: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    }
    if (parsed.data.instanceId !== instanceId) continue;
    const earlier = restores['isolate-instance'];
    if (step === 'isolate-instance' && earlier !== undefined) {
      const isolation = parsed.data as NonNullable<Restores['isolate-instance']>;
      const known = new Set(earlier.networkInterfaces.map((eni) => eni.networkInterfaceId));
      restores['isolate-instance'] = {
        ...earlier,
        networkInterfaces: [
          ...earlier.networkInterfaces,
          ...isolation.networkInterfaces.filter((eni) => !known.has(eni.networkInterfaceId)),
        ],
      };
      continue;
    }
    // The schemas' outputs line up with `Restores` key by key; TypeScript cannot follow the correlation.
    (restores as Record<RestoreStep, unknown>)[step] = parsed.data;
  }
  return restores;
}

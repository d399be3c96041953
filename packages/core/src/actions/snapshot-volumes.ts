import { CreateSnapshotCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { type ActionError, ActionFailedError, classifyAwsError } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import { assertNotExempt, QUARANTINE_TAG_KEYS } from './guardrails.ts';
import { describeInstance, ProtectEvidenceInput } from './protect-evidence.ts';
import { type ActionContext, type ActionDefinition, type ActionPlan, StepEnvelopeSchema } from './types.ts';

export const SnapshotVolumesInput = z.extend(StepEnvelopeSchema, {
  instanceId: ProtectEvidenceInput.shape.instanceId,
});
export type SnapshotVolumesInput = z.output<typeof SnapshotVolumesInput>;

export interface SnapshotVolumesOutput {
  readonly instanceId: string;
  /** One per attached EBS volume, in the instance's block-device order. */
  readonly snapshots: ReadonlyArray<{ readonly volumeId: string; readonly snapshotId: string }>;
}

/** Tags on every evidence snapshot: how a retry finds the snapshot it already took. */
export const SNAPSHOT_TAG_KEYS = {
  incident: QUARANTINE_TAG_KEYS.incident,
  volumeId: 'cordon:volume-id',
  instanceId: 'cordon:instance-id',
} as const;

/** Snapshots in these states are (or will be) usable evidence; an `error` one is taken again. */
const USABLE_STATES = new Set(['pending', 'completed']);

/** Existing evidence snapshots of this incident and instance, by volume id. */
async function existingSnapshots(context: ActionContext, instanceId: string): Promise<Map<string, string>> {
  const described = await context.clients.ec2.send(
    new DescribeSnapshotsCommand({
      // Only our own snapshots: a public or shared one with the same tags proves nothing.
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${SNAPSHOT_TAG_KEYS.incident}`, Values: [context.incidentId] },
        { Name: `tag:${SNAPSHOT_TAG_KEYS.instanceId}`, Values: [instanceId] },
      ],
    }),
  );
  const byVolume = new Map<string, string>();
  for (const snapshot of described.Snapshots ?? []) {
    const volumeId = snapshot.Tags?.find((tag) => tag.Key === SNAPSHOT_TAG_KEYS.volumeId)?.Value;
    if (volumeId === undefined || snapshot.SnapshotId === undefined) continue;
    if (!USABLE_STATES.has(snapshot.State ?? '')) continue;
    if (!byVolume.has(volumeId)) byVolume.set(volumeId, snapshot.SnapshotId);
  }
  return byVolume;
}

/**
 * `snapshot-volumes`: takes a snapshot of every EBS volume attached to the instance (DOMAIN.md item 16), one
 * `CreateSnapshot` per volume, all sent at once, each tagged `cordon:incident`, `cordon:volume-id` and
 * `cordon:instance-id` and described with the incident id. It does not wait for the snapshots to complete.
 *
 * Idempotent: a snapshot already taken for this incident and volume (found by its tags, among the account's
 * own snapshots) is reused, never duplicated, so a retry after a fault mid-way takes only the missing ones.
 * `ConcurrentSnapshotLimitExceeded` surfaces as `ThrottledError`, which Step Functions retries with backoff.
 * Exempt instances are refused before any change. Nothing to restore: snapshots are evidence and are kept.
 *
 * IAM: ec2:DescribeInstances, ec2:DescribeSnapshots; ec2:CreateSnapshot on the account's volumes, for
 * snapshots carrying the incident tag; ec2:CreateTags on snapshots, at creation only.
 *
 * @example
 * await runAction(snapshotVolumes, { incidentId, account, region, dryRun: false, instanceId: 'i-0abc…' }, environment)
 * // changes: vol-0aaa… snapshot null → new, vol-0bbb… snapshot null → new
 * // output:  { instanceId: 'i-0abc…', snapshots: [{ volumeId: 'vol-0aaa…', snapshotId: 'snap-0…' }, …] }
 */
export const snapshotVolumes: ActionDefinition<SnapshotVolumesInput, SnapshotVolumesOutput> = {
  id: 'snapshot-volumes',
  summary:
    'Starts a snapshot of every attached EBS volume, tagged with the incident, the volume and the instance.',
  undo: 'Nothing is undone: the snapshots are evidence and are kept. Delete them by hand once the investigation is closed.',
  dryRunBehaviour:
    'Reads the instance and the snapshots already taken for the incident, and records which volumes it would snapshot; no call changes anything.',
  mutating: true,
  input: SnapshotVolumesInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots'],
      resources: ['*'],
      why: 'Read the attached volumes and find snapshots already taken for the incident (Describe* has no resource-level permissions).',
    },
    {
      actions: ['ec2:CreateSnapshot'],
      resources: ['arn:aws:ec2:{region}:{account}:volume/*'],
      why: 'Snapshot the volumes of the instance.',
    },
    {
      actions: ['ec2:CreateSnapshot'],
      // Snapshot ARNs carry no account id.
      resources: ['arn:aws:ec2:{region}::snapshot/*'],
      condition: { StringLike: { 'aws:RequestTag/cordon:incident': '*' } },
      why: 'Create only snapshots tagged with an incident, so every one can be traced back.',
    },
    {
      actions: ['ec2:CreateTags'],
      resources: ['arn:aws:ec2:{region}::snapshot/*'],
      condition: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } },
      why: 'Tag the snapshots as they are created; never retag an existing snapshot.',
    },
  ],
  async plan(input, context): Promise<ActionPlan<SnapshotVolumesOutput>> {
    const { instanceId } = input;
    // Both reads at once: the snapshot lookup needs only the instance id.
    const [instance, existing] = await Promise.all([
      describeInstance(context, instanceId),
      existingSnapshots(context, instanceId),
    ]);
    assertNotExempt(instance.Tags, context.settings, instanceId);

    const volumeIds = [
      ...new Set(
        (instance.BlockDeviceMappings ?? [])
          .map((mapping) => mapping.Ebs?.VolumeId)
          .filter((id): id is string => id !== undefined),
      ),
    ];
    const missing = volumeIds.filter((volumeId) => !existing.has(volumeId));
    const changes: Change[] = missing.map((volumeId) => ({
      resource: volumeId,
      attribute: 'snapshot',
      before: null,
      after: { [SNAPSHOT_TAG_KEYS.incident]: context.incidentId },
    }));
    const notes = [
      'Snapshots are started, not awaited: they complete in the background; check they are `completed` before relying on them.',
      ...(volumeIds.length === 0 ? [`${instanceId} has no attached EBS volume: nothing to snapshot.`] : []),
      ...[...existing].map(
        ([volumeId, snapshotId]) => `${volumeId} already has ${snapshotId} for this incident: reused`,
      ),
    ];
    const output = (taken: ReadonlyMap<string, string>): SnapshotVolumesOutput => ({
      instanceId,
      snapshots: volumeIds.flatMap((volumeId) => {
        const snapshotId = taken.get(volumeId);
        return snapshotId === undefined ? [] : [{ volumeId, snapshotId }];
      }),
    });

    return {
      changes,
      notes,
      output: output(existing),
      async apply() {
        const taken = new Map(existing);
        const failures: Array<{ volumeId: string; error: unknown }> = [];
        // One call per volume, all at once: a slow or refused volume does not hold up the others.
        await Promise.all(
          missing.map(async (volumeId) => {
            try {
              const snapshot = await context.clients.ec2.send(
                new CreateSnapshotCommand({
                  VolumeId: volumeId,
                  Description: `Cordon evidence for incident ${context.incidentId}: ${volumeId} of ${instanceId}`,
                  TagSpecifications: [
                    {
                      ResourceType: 'snapshot',
                      Tags: [
                        { Key: SNAPSHOT_TAG_KEYS.incident, Value: context.incidentId },
                        { Key: SNAPSHOT_TAG_KEYS.volumeId, Value: volumeId },
                        { Key: SNAPSHOT_TAG_KEYS.instanceId, Value: instanceId },
                      ],
                    },
                  ],
                }),
              );
              if (snapshot.SnapshotId === undefined) {
                throw new ActionFailedError(`CreateSnapshot answered no SnapshotId for ${volumeId}`);
              }
              taken.set(volumeId, snapshot.SnapshotId);
            } catch (error) {
              failures.push({ volumeId, error });
            }
          }),
        );
        if (failures.length > 0) {
          const partial = {
            done: volumeIds.filter((volumeId) => taken.has(volumeId)),
            notDone: volumeIds.filter((volumeId) => !taken.has(volumeId)),
          };
          const errors = failures.map(({ volumeId, error }) =>
            classifyAwsError(error, `snapshot-volumes: CreateSnapshot ${volumeId}`, { partial }),
          );
          throw mostSerious(errors);
        }
        return output(taken);
      },
    };
  },
};

/** A terminal error wins: retrying would only meet it again. Otherwise the first retryable one. */
function mostSerious(errors: readonly ActionError[]): ActionError {
  const [first] = errors;
  if (first === undefined) return new ActionFailedError('snapshot-volumes failed without an error');
  return errors.find((error) => !error.retryable) ?? first;
}

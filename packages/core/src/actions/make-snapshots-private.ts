/**
 * `make-snapshots-private`: the fix of `ebs-snapshot-public-restorable-check` ("NON_COMPLIANT if one or more
 * snapshots with RestorableByUserIds field are set to all", identifier EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK,
 * periodic, evaluated on the account: https://docs.aws.amazon.com/config/latest/developerguide/ebs-snapshot-public-restorable-check.html;
 * Security Hub EC2.1, "Resource type: AWS account"). It removes the `all` group from the create-volume permission
 * of each public snapshot the account owns, and nothing else: accounts the snapshot is shared with keep their
 * permission. Approval by default: a public snapshot may be published on purpose (a public dataset, an AMI's
 * backing snapshot shared with the world), and whoever restores from it loses access.
 *
 * AWS facts relied on (EC2 API Reference):
 * - DescribeSnapshots `RestorableByUserIds`: "all for public snapshots"; `OwnerIds: ['self']` keeps the account's
 *   own; results page with `NextToken` (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html).
 * - ModifySnapshotAttribute `createVolumePermission` with `Remove: [{ Group: 'all' }]` makes a public snapshot
 *   private; adding `all` back makes it public again (encrypted snapshots cannot be public, so none recorded here
 *   is encrypted) (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySnapshotAttribute.html).
 * IAM (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html): DescribeSnapshots
 * has no resource type; ModifySnapshotAttribute and DescribeSnapshotAttribute act on `snapshot`
 * (arn:${Partition}:ec2:${Region}::snapshot/${SnapshotId}), and ModifySnapshotAttribute takes the condition keys
 * `ec2:Remove/group` and `ec2:Add/group`: the fix may only remove `all`, the release only add it back.
 */
import {
  DescribeSnapshotAttributeCommand,
  DescribeSnapshotsCommand,
  ModifySnapshotAttributeCommand,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { ActionFailedError, awsErrorCode, classifyAwsError, ExemptResourceError } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import { assertNotExempt } from './guardrails.ts';
import { TargetRuleSchema } from './revoke-open-ingress.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type ActionRelease,
  StepEnvelopeSchema,
} from './types.ts';

const SNAPSHOT_ID = /^snap-([0-9a-f]{8}|[0-9a-f]{17})$/;

export const MakeSnapshotsPrivateInput = z.extend(StepEnvelopeSchema, {
  /** The account AWS Config named (`AWS::::Account`): its own public snapshots are made private. */
  accountId: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
  rule: z.optional(TargetRuleSchema),
});
export type MakeSnapshotsPrivateInput = z.output<typeof MakeSnapshotsPrivateInput>;

export interface MakeSnapshotsPrivateOutput {
  readonly accountId: string;
  /** Snapshots made private (or that a dry run would make private). */
  readonly madePrivate: readonly string[];
  /** Public snapshots left public because they carry the exemption tag. */
  readonly exempt: readonly string[];
}

/** What the release needs: the snapshots that were public (group `all`) before the fix. */
export const PublicSnapshotsRestoreSchema = z.object({
  snapshots: z.array(z.string().check(z.regex(SNAPSHOT_ID, 'must be a snapshot id'))),
});
export type PublicSnapshotsRestore = z.output<typeof PublicSnapshotsRestoreSchema>;

const PUBLIC = { Group: 'all' } as const;

async function publicSnapshots(context: ActionContext): Promise<Snapshot[]> {
  const found: Snapshot[] = [];
  let NextToken: string | undefined;
  do {
    try {
      const page = await context.clients.ec2.send(
        new DescribeSnapshotsCommand({ OwnerIds: ['self'], RestorableByUserIds: ['all'], NextToken }),
      );
      found.push(...(page.Snapshots ?? []));
      NextToken = page.NextToken;
    } catch (error) {
      throw classifyAwsError(error, 'DescribeSnapshots (public, owned by the account)');
    }
  } while (NextToken !== undefined && NextToken !== '');
  return found;
}

function permissionChange(snapshotId: string, isPublic: boolean): Change {
  return {
    resource: snapshotId,
    attribute: 'createVolumePermission:all',
    before: isPublic ? 'private' : 'public',
    after: isPublic ? 'public' : 'private',
  };
}

async function modify(context: ActionContext, snapshotId: string, verb: 'Add' | 'Remove'): Promise<void> {
  try {
    await context.clients.ec2.send(
      new ModifySnapshotAttributeCommand({
        SnapshotId: snapshotId,
        Attribute: 'createVolumePermission',
        CreateVolumePermission: { [verb]: [PUBLIC] },
      }),
    );
  } catch (error) {
    throw classifyAwsError(error, `ModifySnapshotAttribute ${snapshotId} ${verb} group all`);
  }
}

/**
 * The release: makes public again, after a person approved, each snapshot the fix made private, if it still
 * exists and is not public already.
 */
export const publicSnapshotsRelease: ActionRelease<PublicSnapshotsRestore> = {
  summary:
    'Makes public again (group `all` on the create-volume permission) exactly the snapshots the fix made private.',
  restore: PublicSnapshotsRestoreSchema,
  permissions: [
    {
      actions: ['ec2:DescribeSnapshotAttribute'],
      resources: ['arn:aws:ec2:{region}::snapshot/*'],
      why: 'Read whether each snapshot the fix made private is public again already.',
    },
    {
      actions: ['ec2:ModifySnapshotAttribute'],
      resources: ['arn:aws:ec2:{region}::snapshot/*'],
      condition: { StringEquals: { 'ec2:Add/group': 'all' } },
      why: 'Add the group `all` back to the snapshots the fix made private, and nothing else (the condition allows only adding `all`).',
    },
  ],
  async plan(restore, context): Promise<ActionPlan<unknown>> {
    const toRestore: string[] = [];
    const notes: string[] = [];
    for (const snapshotId of restore.snapshots) {
      try {
        const answer = await context.clients.ec2.send(
          new DescribeSnapshotAttributeCommand({
            SnapshotId: snapshotId,
            Attribute: 'createVolumePermission',
          }),
        );
        const isPublic = (answer.CreateVolumePermissions ?? []).some(
          (permission) => permission.Group === 'all',
        );
        if (isPublic) notes.push(`${snapshotId} is public already.`);
        else toRestore.push(snapshotId);
      } catch (error) {
        if (awsErrorCode(error) !== 'InvalidSnapshot.NotFound')
          throw classifyAwsError(error, `DescribeSnapshotAttribute ${snapshotId}`);
        notes.push(`${snapshotId} no longer exists: nothing to put back.`);
      }
    }
    const output = { madePublic: toRestore };
    return {
      changes: toRestore.map((snapshotId) => permissionChange(snapshotId, true)),
      notes,
      output,
      async apply() {
        for (const snapshotId of toRestore) await modify(context, snapshotId, 'Add');
        return output;
      },
    };
  },
};

/**
 * `make-snapshots-private`: removes the group `all` from the create-volume permission of every public EBS snapshot
 * the account owns in the Region, keeping the accounts each is shared with; snapshots with the exemption tag stay
 * public (reported). Each snapshot made private is recorded before the change, so that `remediation-release` makes
 * exactly those public again. No public snapshot: `already-done`. An account other than the incident's is
 * refused, named, before any call.
 *
 * @example
 * await runAction(makeSnapshotsPrivate, { ...envelope, accountId: '123456789012' }, environment)
 * // changes: snap-0123456789abcdef0 createVolumePermission:all: public → private
 */
export const makeSnapshotsPrivate: ActionDefinition<MakeSnapshotsPrivateInput, MakeSnapshotsPrivateOutput> = {
  id: 'make-snapshots-private',
  summary:
    'Removes the group `all` from the create-volume permission of every public EBS snapshot the account owns in the Region, keeping the accounts each is shared with.',
  undo: 'Released from the ledger by `remediation-release` (always approved by a person): each snapshot made private is made public again.',
  dryRunBehaviour:
    'Lists the public snapshots and records which it would make private; no call changes anything.',
  mutating: true,
  input: MakeSnapshotsPrivateInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['ec2:DescribeSnapshots'],
      resources: ['*'],
      why: 'List the public snapshots the account owns, with their exemption tags (DescribeSnapshots has no resource type).',
    },
    {
      actions: ['ec2:ModifySnapshotAttribute'],
      resources: ['arn:aws:ec2:{region}::snapshot/*'],
      condition: { StringEquals: { 'ec2:Remove/group': 'all' } },
      why: 'Remove the group `all` from a public snapshot, and nothing else (the condition allows only removing `all`).',
    },
  ],
  release: publicSnapshotsRelease,
  async plan(input, context): Promise<ActionPlan<MakeSnapshotsPrivateOutput>> {
    if (input.accountId !== input.account) {
      throw new ActionFailedError(
        `AWS Config named account ${input.accountId}, but the incident is in ${input.account}: nothing was changed.`,
      );
    }
    const found = await publicSnapshots(context);
    const madePrivate: string[] = [];
    const exempt: string[] = [];
    for (const snapshot of found) {
      const snapshotId = snapshot.SnapshotId ?? '';
      try {
        assertNotExempt(snapshot.Tags, context.settings, snapshotId);
        madePrivate.push(snapshotId);
      } catch (error) {
        if (!(error instanceof ExemptResourceError)) throw error;
        exempt.push(snapshotId);
      }
    }
    if (madePrivate.length === 0 && exempt.length > 0) {
      throw new ExemptResourceError(
        `Every public snapshot of ${input.accountId} carries the exemption tag (${exempt.join(', ')}): Cordon notifies and never acts on them.`,
      );
    }
    const output: MakeSnapshotsPrivateOutput = { accountId: input.accountId, madePrivate, exempt };
    const restore: PublicSnapshotsRestore = { snapshots: madePrivate };
    return {
      changes: madePrivate.map((snapshotId) => permissionChange(snapshotId, false)),
      restore,
      notes: [
        ...exempt.map((snapshotId) => `${snapshotId} is public and carries the exemption tag: left public.`),
        ...(madePrivate.length === 0 ? ['No snapshot the account owns is public.'] : []),
      ],
      output,
      async apply() {
        for (const snapshotId of madePrivate) await modify(context, snapshotId, 'Remove');
        return output;
      },
    };
  },
};

/**
 * `make-db-snapshot-private`: the fix of `rds-snapshots-public-prohibited` ("NON_COMPLIANT if any existing and new
 * Amazon RDS snapshots are public", identifier RDS_SNAPSHOTS_PUBLIC_PROHIBITED, resource types
 * `AWS::RDS::DBSnapshot` and `AWS::RDS::DBClusterSnapshot`, change-triggered, no parameters:
 * https://docs.aws.amazon.com/config/latest/developerguide/rds-snapshots-public-prohibited.html; Security Hub RDS.1).
 * It removes the value `all` from the `restore` attribute of the DB snapshot or DB cluster snapshot AWS Config
 * named, and nothing else: the accounts the snapshot is shared with keep their access. Approval by default: a
 * snapshot may be published on purpose (a public dataset, a demo database), and whoever restores it loses access.
 *
 * AWS facts relied on (Amazon RDS API Reference):
 * - ModifyDBSnapshotAttribute: "To share a manual DB snapshot with other AWS accounts, specify restore as the
 *   AttributeName and use the ValuesToAdd parameter … Use the value all to make the manual DB snapshot public";
 *   `ValuesToRemove` takes values off the attribute, and removing `all` leaves the accounts added by id
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html). The same for
 *   DB cluster snapshots with ModifyDBClusterSnapshotAttribute
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterSnapshotAttribute.html).
 * - DescribeDBSnapshotAttributes / DescribeDBClusterSnapshotAttributes answer the `restore` attribute's values
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBSnapshotAttributes.html);
 *   DescribeDBSnapshots / DescribeDBClusterSnapshots answer the snapshot with its `TagList` (the exemption tag).
 * IAM (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html): the snapshot calls act
 * on `snapshot` (arn:${Partition}:rds:${Region}:${Account}:snapshot:${SnapshotName}) and the cluster ones on
 * `cluster-snapshot` (…:cluster-snapshot:${ClusterSnapshotName}).
 *
 * Which id AWS Config gives a snapshot (its identifier or its ARN) is not stated on the rule's page: the target
 * takes either, as the CloudTrail trail fix does.
 */
import {
  DescribeDBClusterSnapshotAttributesCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBSnapshotAttributesCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBClusterSnapshotAttributeCommand,
  ModifyDBSnapshotAttributeCommand,
  type Tag,
} from '@aws-sdk/client-rds';
import { ActionFailedError, awsErrorCode, classifyAwsError, ResourceGoneError } from '../errors.ts';
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

/** A manual snapshot identifier: a letter, then letters, digits and single hyphens (CreateDBSnapshot), ≤ 255. */
const SNAPSHOT_IDENTIFIER = /^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,254}$/;
const SNAPSHOT_ARN =
  /^arn:aws[a-z-]*:rds:[a-z0-9-]+:(\d{12}):(snapshot|cluster-snapshot):([A-Za-z](?!.*--)[A-Za-z0-9-]{0,254})$/;

/** The two kinds of snapshot the rule judges, by AWS Config resource type. */
export const DB_SNAPSHOT_TYPES = ['AWS::RDS::DBSnapshot', 'AWS::RDS::DBClusterSnapshot'] as const;
type SnapshotKind = 'snapshot' | 'cluster-snapshot';
const KIND_OF_TYPE: Readonly<Record<(typeof DB_SNAPSHOT_TYPES)[number], SnapshotKind>> = {
  'AWS::RDS::DBSnapshot': 'snapshot',
  'AWS::RDS::DBClusterSnapshot': 'cluster-snapshot',
};
const LABEL: Readonly<Record<SnapshotKind, string>> = {
  snapshot: 'DB snapshot',
  'cluster-snapshot': 'DB cluster snapshot',
};
const NOT_FOUND = new Set([
  'DBSnapshotNotFound',
  'DBSnapshotNotFoundFault',
  'DBClusterSnapshotNotFoundFault',
  'DBClusterSnapshotNotFound',
]);
/** A snapshot being created or copied cannot change its attributes yet; it will once it is available. */
const BUSY = [
  'InvalidDBSnapshotState',
  'InvalidDBSnapshotStateFault',
  'InvalidDBClusterSnapshotStateFault',
  'InvalidDBClusterSnapshotState',
];
const PUBLIC = 'all';

export const MakeDbSnapshotPrivateInput = z.extend(StepEnvelopeSchema, {
  /** The snapshot AWS Config named: its identifier or its ARN. */
  snapshot: z
    .string()
    .check(
      z.refine(
        (value) => SNAPSHOT_IDENTIFIER.test(value) || SNAPSHOT_ARN.test(value),
        'must be a manual DB (cluster) snapshot identifier or ARN',
      ),
    ),
  /** Which kind it is, as AWS Config typed it. */
  resourceType: z.enum(DB_SNAPSHOT_TYPES),
  rule: z.optional(TargetRuleSchema),
});
export type MakeDbSnapshotPrivateInput = z.output<typeof MakeDbSnapshotPrivateInput>;

export interface MakeDbSnapshotPrivateOutput {
  readonly kind: SnapshotKind;
  readonly identifier: string;
  /** Whether this run removed `all` (or would, in a dry run). */
  readonly madePrivate: boolean;
  /** The accounts it stays shared with. */
  readonly sharedWith: readonly string[];
}

/** What the release needs: the snapshot the fix made private (`all` was on its restore attribute). */
export const DbSnapshotPublicRestoreSchema = z.object({
  kind: z.enum(['snapshot', 'cluster-snapshot']),
  identifier: z.string().check(z.regex(SNAPSHOT_IDENTIFIER, 'must be a snapshot identifier')),
});
export type DbSnapshotPublicRestore = z.output<typeof DbSnapshotPublicRestoreSchema>;

/** The snapshot's identifier and kind from what Config named; an ARN of another account or kind is refused. */
function resolve(input: MakeDbSnapshotPrivateInput): { kind: SnapshotKind; identifier: string } {
  const kind = KIND_OF_TYPE[input.resourceType];
  const arn = SNAPSHOT_ARN.exec(input.snapshot);
  if (arn === null) return { kind, identifier: input.snapshot };
  const [, account, arnKind, identifier] = arn;
  if (account !== input.account || arnKind !== kind || identifier === undefined) {
    throw new ActionFailedError(
      `AWS Config named ${input.snapshot} as an ${input.resourceType} of ${input.account}, which that ARN is not: nothing was changed.`,
    );
  }
  return { kind, identifier };
}

function notFound(error: unknown, kind: SnapshotKind, identifier: string): ResourceGoneError | undefined {
  return NOT_FOUND.has(awsErrorCode(error))
    ? new ResourceGoneError(`${LABEL[kind]} ${identifier} does not exist (any more): nothing was changed.`)
    : undefined;
}

/** The snapshot's tags; `ResourceGoneError` when there is no such snapshot. */
async function tagsOf(context: ActionContext, kind: SnapshotKind, identifier: string): Promise<Tag[]> {
  try {
    if (kind === 'snapshot') {
      const answer = await context.clients.rds.send(
        new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier }),
      );
      const found = answer.DBSnapshots?.find((snapshot) => snapshot.DBSnapshotIdentifier === identifier);
      if (found === undefined) throw Object.assign(new Error('not found'), { name: 'DBSnapshotNotFound' });
      return found.TagList ?? [];
    }
    const answer = await context.clients.rds.send(
      new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: identifier }),
    );
    const found = answer.DBClusterSnapshots?.find(
      (snapshot) => snapshot.DBClusterSnapshotIdentifier === identifier,
    );
    if (found === undefined)
      throw Object.assign(new Error('not found'), { name: 'DBClusterSnapshotNotFound' });
    return found.TagList ?? [];
  } catch (error) {
    throw (
      notFound(error, kind, identifier) ?? classifyAwsError(error, `Describe ${LABEL[kind]} ${identifier}`)
    );
  }
}

/** The values of the snapshot's `restore` attribute (`all`, account ids). */
async function restoreValues(
  context: ActionContext,
  kind: SnapshotKind,
  identifier: string,
): Promise<string[]> {
  try {
    const attributes =
      kind === 'snapshot'
        ? (
            await context.clients.rds.send(
              new DescribeDBSnapshotAttributesCommand({ DBSnapshotIdentifier: identifier }),
            )
          ).DBSnapshotAttributesResult?.DBSnapshotAttributes
        : (
            await context.clients.rds.send(
              new DescribeDBClusterSnapshotAttributesCommand({ DBClusterSnapshotIdentifier: identifier }),
            )
          ).DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes;
    return attributes?.find((attribute) => attribute.AttributeName === 'restore')?.AttributeValues ?? [];
  } catch (error) {
    throw (
      notFound(error, kind, identifier) ??
      classifyAwsError(error, `Describe ${LABEL[kind]} attributes ${identifier}`)
    );
  }
}

async function modify(
  context: ActionContext,
  kind: SnapshotKind,
  identifier: string,
  verb: 'ValuesToAdd' | 'ValuesToRemove',
): Promise<void> {
  try {
    if (kind === 'snapshot') {
      await context.clients.rds.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: identifier,
          AttributeName: 'restore',
          [verb]: [PUBLIC],
        }),
      );
    } else {
      await context.clients.rds.send(
        new ModifyDBClusterSnapshotAttributeCommand({
          DBClusterSnapshotIdentifier: identifier,
          AttributeName: 'restore',
          [verb]: [PUBLIC],
        }),
      );
    }
  } catch (error) {
    throw classifyAwsError(error, `Modify ${LABEL[kind]} attribute ${identifier} restore ${verb} all`, {
      eventualConsistency: BUSY,
    });
  }
}

function publicChange(identifier: string, isPublic: boolean): Change {
  return {
    resource: identifier,
    attribute: 'restore:all',
    before: isPublic ? 'private' : 'public',
    after: isPublic ? 'public' : 'private',
  };
}

/**
 * The release: adds `all` back to the restore attribute of the snapshot the fix made private, after a person
 * approved, if it still exists and is not public already.
 */
export const dbSnapshotPublicRelease: ActionRelease<DbSnapshotPublicRestore> = {
  summary:
    'Adds `all` back to the `restore` attribute of the DB (cluster) snapshot the fix made private, and nothing else.',
  restore: DbSnapshotPublicRestoreSchema,
  permissions: [
    {
      actions: ['rds:DescribeDBSnapshotAttributes', 'rds:ModifyDBSnapshotAttribute'],
      resources: ['arn:aws:rds:{region}:{account}:snapshot:*'],
      why: 'Read whether the DB snapshot the fix made private is public again already, and add `all` back to its restore attribute; only in a release a person approved.',
    },
    {
      actions: ['rds:DescribeDBClusterSnapshotAttributes', 'rds:ModifyDBClusterSnapshotAttribute'],
      resources: ['arn:aws:rds:{region}:{account}:cluster-snapshot:*'],
      why: 'The same for a DB cluster snapshot.',
    },
  ],
  async plan(restore, context): Promise<ActionPlan<unknown>> {
    let values: string[];
    try {
      values = await restoreValues(context, restore.kind, restore.identifier);
    } catch (error) {
      if (!(error instanceof ResourceGoneError)) throw error;
      return {
        changes: [],
        notes: [`${LABEL[restore.kind]} ${restore.identifier} no longer exists: nothing to put back.`],
        output: { madePublic: false },
        apply: async () => ({ madePublic: false }),
      };
    }
    const isPublic = values.includes(PUBLIC);
    const output = { identifier: restore.identifier, madePublic: !isPublic };
    return {
      changes: isPublic ? [] : [publicChange(restore.identifier, true)],
      notes: isPublic ? [`${restore.identifier} is public already.`] : [],
      output,
      async apply() {
        await modify(context, restore.kind, restore.identifier, 'ValuesToAdd');
        return output;
      },
    };
  },
};

/**
 * `make-db-snapshot-private`: removes `all` from the `restore` attribute of the DB snapshot or DB cluster snapshot
 * AWS Config named, keeping the accounts it is shared with, after recording that it was public. A snapshot that is
 * not public is `already-done`; an exempt one, one that no longer exists, or an ARN of another account or kind is
 * refused, named, with nothing changed; one not available yet is retried.
 *
 * @example
 * await runAction(makeDbSnapshotPrivate, { ...envelope, snapshot: 'orders-before-upgrade', resourceType: 'AWS::RDS::DBSnapshot' }, environment)
 * // changes: orders-before-upgrade restore:all: public → private
 */
export const makeDbSnapshotPrivate: ActionDefinition<
  MakeDbSnapshotPrivateInput,
  MakeDbSnapshotPrivateOutput
> = {
  id: 'make-db-snapshot-private',
  summary:
    'Removes `all` from the `restore` attribute of the RDS DB snapshot or DB cluster snapshot an AWS Config rule named, keeping the accounts it is shared with.',
  undo: 'Released from the ledger by `remediation-release` (always approved by a person): `all` is added back to that snapshot.',
  dryRunBehaviour:
    'Reads the snapshot, its tags and its restore attribute and records whether it would remove `all`; no call changes anything.',
  mutating: true,
  input: MakeDbSnapshotPrivateInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: [
    {
      actions: ['rds:DescribeDBSnapshots', 'rds:DescribeDBSnapshotAttributes'],
      resources: ['arn:aws:rds:{region}:{account}:snapshot:*'],
      why: "Read the DB snapshot's exemption tag and who may restore it.",
    },
    {
      actions: ['rds:ModifyDBSnapshotAttribute'],
      resources: ['arn:aws:rds:{region}:{account}:snapshot:*'],
      why: 'Remove `all` from the restore attribute of a public DB snapshot (ValuesToRemove all only: the accounts it is shared with keep it).',
    },
    {
      actions: ['rds:DescribeDBClusterSnapshots', 'rds:DescribeDBClusterSnapshotAttributes'],
      resources: ['arn:aws:rds:{region}:{account}:cluster-snapshot:*'],
      why: "Read the DB cluster snapshot's exemption tag and who may restore it.",
    },
    {
      actions: ['rds:ModifyDBClusterSnapshotAttribute'],
      resources: ['arn:aws:rds:{region}:{account}:cluster-snapshot:*'],
      why: 'Remove `all` from the restore attribute of a public DB cluster snapshot (ValuesToRemove all only).',
    },
  ],
  release: dbSnapshotPublicRelease,
  async plan(input, context): Promise<ActionPlan<MakeDbSnapshotPrivateOutput>> {
    const { kind, identifier } = resolve(input);
    const tags = await tagsOf(context, kind, identifier);
    assertNotExempt(tags, context.settings, identifier);
    const values = await restoreValues(context, kind, identifier);
    const isPublic = values.includes(PUBLIC);
    const sharedWith = values.filter((value) => value !== PUBLIC);
    const output: MakeDbSnapshotPrivateOutput = { kind, identifier, madePrivate: isPublic, sharedWith };
    const restore: DbSnapshotPublicRestore = { kind, identifier };
    return {
      changes: isPublic ? [publicChange(identifier, false)] : [],
      restore,
      notes: isPublic ? [] : [`${LABEL[kind]} ${identifier} is not public already.`],
      output,
      async apply() {
        await modify(context, kind, identifier, 'ValuesToRemove');
        return output;
      },
    };
  },
};

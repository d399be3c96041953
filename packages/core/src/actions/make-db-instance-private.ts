/**
 * `make-db-instance-private`: the fix of `rds-instance-public-access-check` ("NON_COMPLIANT if the
 * publiclyAccessible field is true in the instance configuration item", identifier RDS_INSTANCE_PUBLIC_ACCESS_CHECK,
 * resource type `AWS::RDS::DBInstance`, change-triggered, no parameters:
 * https://docs.aws.amazon.com/config/latest/developerguide/rds-instance-public-access-check.html; Security Hub RDS.2).
 * It sets `PubliclyAccessible` to false on the DB instance AWS Config named and changes nothing else. Approval by
 * default: clients that reach the database from outside its VPC (a BI tool, a developer's laptop, a partner) lose it.
 *
 * AWS facts relied on:
 * - AWS Config names a DB instance by its resource id (`DbiResourceId`, `db-…`), not by its identifier: AWS's own
 *   remediation of this rule, AWSConfigRemediation-DisablePublicAccessToRDSInstance, takes `DbiResourceId` and
 *   "Gathers the DB instance identifier from the DB instance resource identifier" with DescribeDBInstances
 *   (https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-disable-rds-instance-public-access.html).
 *   DescribeDBInstances takes the filter `dbi-resource-id` and answers each instance with `PubliclyAccessible`,
 *   `DBInstanceStatus` and `TagList` (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html).
 * - ModifyDBInstance `PubliclyAccessible`: "When the DB instance isn't publicly accessible, it is an internal DB
 *   instance with a DNS name that resolves to a private IP address", and "Changes to the PubliclyAccessible
 *   parameter are applied immediately regardless of the value of the ApplyImmediately parameter"
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html).
 * - `ApplyImmediately`: "Specifies whether the modifications in this request and any pending modifications are
 *   asynchronously applied as soon as possible, regardless of the PreferredMaintenanceWindow setting … Some
 *   parameter changes can cause an outage" (same page). Since the public-access change is applied at once anyway,
 *   Cordon sends `ApplyImmediately: false`: `true` would add nothing to its own change and would also apply,
 *   now, whatever a person queued for the maintenance window (a class change, an engine upgrade — a reboot).
 *   The change is asynchronous: the instance goes to `modifying` and back to `available` (AWS's runbook waits for
 *   both); the action returns when RDS accepted it, and the DNS name resolves to the private address from then.
 * IAM (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html): DescribeDBInstances
 * and ModifyDBInstance act on `db` (arn:${Partition}:rds:${Region}:${Account}:db:${DbInstanceName}); ModifyDBInstance's
 * other resource types (option group, parameter group, security group, subnet group) apply only when a call changes
 * them, which this one never does.
 */
import { type DBInstance, DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { ActionFailedError, classifyAwsError, ResourceGoneError } from '../errors.ts';
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

/** A DB instance's resource id: `db-` and upper-case letters and digits (DbiResourceId). */
const DBI_RESOURCE_ID = /^db-[A-Z0-9]{1,64}$/;
/** A DB instance identifier: 1 to 63 letters, digits or hyphens, starting with a letter (CreateDBInstance). */
const DB_INSTANCE_IDENTIFIER = /^[A-Za-z][A-Za-z0-9-]{0,62}$/;

/** The codes of an instance that is busy (backing up, modifying): it will take the change once it is available. */
const BUSY = ['InvalidDBInstanceState', 'InvalidDBInstanceStateFault'];

export const MakeDbInstancePrivateInput = z.extend(StepEnvelopeSchema, {
  /** The DB instance AWS Config named (`AWS::RDS::DBInstance`): its resource id (`db-…`). */
  dbiResourceId: z.string().check(z.regex(DBI_RESOURCE_ID, 'must be a DB instance resource id (db-…)')),
  rule: z.optional(TargetRuleSchema),
});
export type MakeDbInstancePrivateInput = z.output<typeof MakeDbInstancePrivateInput>;

export interface MakeDbInstancePrivateOutput {
  /** The DB instance's identifier. */
  readonly dbInstanceIdentifier: string;
  readonly dbiResourceId: string;
  /** Whether this run made it private (or would, in a dry run). */
  readonly madePrivate: boolean;
}

/** What the release needs: the instance the fix made private (it was publicly accessible before). */
export const DbInstancePublicRestoreSchema = z.object({
  dbInstanceIdentifier: z.string().check(z.regex(DB_INSTANCE_IDENTIFIER, 'must be a DB instance identifier')),
  dbiResourceId: z.string().check(z.regex(DBI_RESOURCE_ID, 'must be a DB instance resource id (db-…)')),
});
export type DbInstancePublicRestore = z.output<typeof DbInstancePublicRestoreSchema>;

/** The DB instance of a resource id, or `undefined` when there is none (any more). */
async function instanceOf(context: ActionContext, dbiResourceId: string): Promise<DBInstance | undefined> {
  try {
    const answer = await context.clients.rds.send(
      new DescribeDBInstancesCommand({ Filters: [{ Name: 'dbi-resource-id', Values: [dbiResourceId] }] }),
    );
    return answer.DBInstances?.find((instance) => instance.DbiResourceId === dbiResourceId);
  } catch (error) {
    throw classifyAwsError(error, `DescribeDBInstances dbi-resource-id=${dbiResourceId}`);
  }
}

async function setPublic(
  context: ActionContext,
  identifier: string,
  publiclyAccessible: boolean,
): Promise<void> {
  try {
    await context.clients.rds.send(
      new ModifyDBInstanceCommand({
        DBInstanceIdentifier: identifier,
        PubliclyAccessible: publiclyAccessible,
        // Applied at once anyway; `true` would also apply the changes queued for the maintenance window.
        ApplyImmediately: false,
      }),
    );
  } catch (error) {
    throw classifyAwsError(error, `ModifyDBInstance ${identifier} PubliclyAccessible=${publiclyAccessible}`, {
      eventualConsistency: BUSY,
    });
  }
}

function publicChange(identifier: string, before: boolean, after: boolean): Change {
  const word = (value: boolean) => (value ? 'publicly accessible' : 'private');
  return { resource: identifier, attribute: 'PubliclyAccessible', before: word(before), after: word(after) };
}

/**
 * The release: makes the instance publicly accessible again, after a person approved, if it is still the same
 * instance (same resource id) and still private.
 */
export const dbInstancePublicRelease: ActionRelease<DbInstancePublicRestore> = {
  summary:
    'Makes the DB instance the fix made private publicly accessible again (`PubliclyAccessible: true`).',
  restore: DbInstancePublicRestoreSchema,
  permissions: [
    {
      actions: ['rds:DescribeDBInstances'],
      resources: ['arn:aws:rds:{region}:{account}:db:*'],
      why: 'Read whether the DB instance the fix made private is still there, and still private.',
    },
    {
      actions: ['rds:ModifyDBInstance'],
      resources: ['arn:aws:rds:{region}:{account}:db:*'],
      why: 'Make the DB instance the fix made private publicly accessible again (PubliclyAccessible only); only in a release a person approved.',
    },
  ],
  async plan(restore, context): Promise<ActionPlan<unknown>> {
    const instance = await instanceOf(context, restore.dbiResourceId);
    if (instance === undefined) {
      return {
        changes: [],
        notes: [
          `${restore.dbInstanceIdentifier} (${restore.dbiResourceId}) no longer exists: nothing to put back.`,
        ],
        output: { madePublic: false },
        apply: async () => ({ madePublic: false }),
      };
    }
    // The identifier may have been renamed since: the resource id is what stays.
    const identifier = instance.DBInstanceIdentifier ?? restore.dbInstanceIdentifier;
    const isPublic = instance.PubliclyAccessible === true;
    const output = { dbInstanceIdentifier: identifier, madePublic: !isPublic };
    return {
      changes: isPublic ? [] : [publicChange(identifier, false, true)],
      notes: isPublic ? [`${identifier} is publicly accessible already.`] : [],
      output,
      async apply() {
        await setPublic(context, identifier, true);
        return output;
      },
    };
  },
};

/**
 * `make-db-instance-private`: sets `PubliclyAccessible` to false on the DB instance AWS Config named by its resource
 * id, after recording that it was publicly accessible; nothing else of the instance changes (no pending
 * modification is applied early). An instance already private is `already-done`; an exempt one, or one that no
 * longer exists, is refused, named, with nothing changed; a busy one (`InvalidDBInstanceState`) is retried.
 *
 * @example
 * await runAction(makeDbInstancePrivate, { ...envelope, dbiResourceId: 'db-ABCDEFGHIJKLMNOPQRSTUVWXY1' }, environment)
 * // changes: orders PubliclyAccessible: publicly accessible → private
 */
export const makeDbInstancePrivate: ActionDefinition<
  MakeDbInstancePrivateInput,
  MakeDbInstancePrivateOutput
> = {
  id: 'make-db-instance-private',
  summary:
    'Sets `PubliclyAccessible` to false on the RDS DB instance an AWS Config rule named, changing nothing else of it (its DNS name then resolves to its private address).',
  undo: 'Released from the ledger by `remediation-release` (always approved by a person): the instance is made publicly accessible again.',
  dryRunBehaviour:
    'Reads the DB instance and its tags and records whether it would make it private; no call changes anything.',
  mutating: true,
  input: MakeDbInstancePrivateInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError', 'EventualConsistencyError'],
  permissions: [
    {
      actions: ['rds:DescribeDBInstances'],
      resources: ['arn:aws:rds:{region}:{account}:db:*'],
      why: 'Find the DB instance of the resource id AWS Config named, with whether it is publicly accessible and its exemption tag.',
    },
    {
      actions: ['rds:ModifyDBInstance'],
      resources: ['arn:aws:rds:{region}:{account}:db:*'],
      why: 'Set PubliclyAccessible to false (no other setting; ApplyImmediately false, so nothing queued is applied early).',
    },
  ],
  release: dbInstancePublicRelease,
  async plan(input, context): Promise<ActionPlan<MakeDbInstancePrivateOutput>> {
    const instance = await instanceOf(context, input.dbiResourceId);
    const identifier = instance?.DBInstanceIdentifier;
    if (instance === undefined || identifier === undefined) {
      throw new ResourceGoneError(
        `No DB instance has the resource id ${input.dbiResourceId} in ${context.region}: nothing was changed.`,
      );
    }
    if (!DB_INSTANCE_IDENTIFIER.test(identifier)) {
      throw new ActionFailedError(
        `RDS answered ${input.dbiResourceId} with the identifier ${JSON.stringify(identifier)}, which is not one: nothing was changed.`,
      );
    }
    assertNotExempt(instance.TagList, context.settings, identifier);
    const isPublic = instance.PubliclyAccessible === true;
    const output: MakeDbInstancePrivateOutput = {
      dbInstanceIdentifier: identifier,
      dbiResourceId: input.dbiResourceId,
      madePrivate: isPublic,
    };
    const restore: DbInstancePublicRestore = {
      dbInstanceIdentifier: identifier,
      dbiResourceId: input.dbiResourceId,
    };
    return {
      changes: isPublic ? [publicChange(identifier, true, false)] : [],
      restore,
      notes: isPublic ? [] : [`${identifier} is not publicly accessible already.`],
      output,
      async apply() {
        await setPublic(context, identifier, false);
        return output;
      },
    };
  },
};

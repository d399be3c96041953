import type {
  DBClusterSnapshot,
  DBInstance,
  DBSnapshot,
  DescribeDBClusterSnapshotAttributesCommandInput,
  DescribeDBClusterSnapshotAttributesCommandOutput,
  DescribeDBClusterSnapshotsCommandInput,
  DescribeDBClusterSnapshotsCommandOutput,
  DescribeDBInstancesCommandInput,
  DescribeDBInstancesCommandOutput,
  DescribeDBSnapshotAttributesCommandInput,
  DescribeDBSnapshotAttributesCommandOutput,
  DescribeDBSnapshotsCommandInput,
  DescribeDBSnapshotsCommandOutput,
  Filter,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  ModifyDBClusterSnapshotAttributeCommandInput,
  ModifyDBClusterSnapshotAttributeCommandOutput,
  ModifyDBInstanceCommandInput,
  ModifyDBInstanceCommandOutput,
  ModifyDBSnapshotAttributeCommandInput,
  ModifyDBSnapshotAttributeCommandOutput,
} from '@aws-sdk/client-rds';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import {
  checkIdentifier,
  DB_CLUSTER_SNAPSHOT,
  DB_SNAPSHOT,
  findSnapshot,
  modifyRestore,
  newSnapshot,
  rdsError,
  restoreAttributes,
  type SnapshotRecord,
  type SnapshotSeed,
} from './rds-snapshots.ts';
import { replaceState } from './restore-state.ts';

export type { SnapshotRecord, SnapshotSeed } from './rds-snapshots.ts';

export interface DbInstanceSeed {
  readonly identifier: string;
  /** Its resource id (`DbiResourceId`, what AWS Config names it by); generated when absent. */
  readonly resourceId?: string;
  readonly engine?: string;
  readonly instanceClass?: string;
  readonly status?: string;
  readonly publiclyAccessible?: boolean;
  readonly storageEncrypted?: boolean;
  /** The Aurora DB cluster the instance belongs to, if any. */
  readonly clusterIdentifier?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface DbInstanceRecord {
  identifier: string;
  arn: string;
  resourceId: string;
  engine: string;
  instanceClass: string;
  status: string;
  publiclyAccessible: boolean;
  storageEncrypted: boolean;
  clusterIdentifier?: string;
  createTime: string;
  tags: Record<string, string>;
}

export interface RdsState {
  instances: Record<string, DbInstanceRecord>;
  snapshots: Record<string, SnapshotRecord>;
  clusterSnapshots: Record<string, SnapshotRecord>;
}

/** The ModifyDBInstance parameters the model applies; any other setting is refused rather than ignored. */
const MODIFIABLE = new Set(['DBInstanceIdentifier', 'ApplyImmediately', 'PubliclyAccessible']);

const RDS_ARN = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:(db|snapshot|cluster-snapshot):(.+)$/;

function toTags(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * The RDS model: DB instances (`PubliclyAccessible`), DB snapshots and DB cluster snapshots (their `restore`
 * attribute), and the tags of all three. "Changes to the PubliclyAccessible parameter are applied immediately
 * regardless of the value of the ApplyImmediately parameter" (ModifyDBInstance,
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html).
 *
 * @example
 * const rds = new RdsModel(sandbox.context)
 *   .addInstance({ identifier: 'orders', publiclyAccessible: true })
 *   .addSnapshot({ identifier: 'orders-before-upgrade', restore: ['all'] });
 * sandbox.register(rds);
 */
export class RdsModel implements ServiceModel {
  public readonly service = 'RDS';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: RdsState = { instances: {}, snapshots: {}, clusterSnapshots: {} };

  public constructor(private readonly context: SandboxContext) {
    this.commands = {
      DescribeDBInstances: typed((input: DescribeDBInstancesCommandInput) => this.describeInstances(input)),
      ModifyDBInstance: typed((input: ModifyDBInstanceCommandInput) => this.modifyInstance(input)),
      DescribeDBSnapshots: typed((input: DescribeDBSnapshotsCommandInput) => this.describeSnapshots(input)),
      DescribeDBSnapshotAttributes: typed(
        (input: DescribeDBSnapshotAttributesCommandInput): Out<DescribeDBSnapshotAttributesCommandOutput> => {
          const snapshot = findSnapshot(DB_SNAPSHOT, this.state.snapshots, input.DBSnapshotIdentifier);
          return {
            DBSnapshotAttributesResult: {
              DBSnapshotIdentifier: snapshot.identifier,
              DBSnapshotAttributes: restoreAttributes(snapshot),
            },
          };
        },
      ),
      ModifyDBSnapshotAttribute: typed(
        (input: ModifyDBSnapshotAttributeCommandInput): Out<ModifyDBSnapshotAttributeCommandOutput> => {
          const snapshot = findSnapshot(DB_SNAPSHOT, this.state.snapshots, input.DBSnapshotIdentifier);
          modifyRestore(DB_SNAPSHOT, snapshot, input);
          return {
            DBSnapshotAttributesResult: {
              DBSnapshotIdentifier: snapshot.identifier,
              DBSnapshotAttributes: restoreAttributes(snapshot),
            },
          };
        },
      ),
      DescribeDBClusterSnapshots: typed((input: DescribeDBClusterSnapshotsCommandInput) =>
        this.describeClusterSnapshots(input),
      ),
      DescribeDBClusterSnapshotAttributes: typed(
        (
          input: DescribeDBClusterSnapshotAttributesCommandInput,
        ): Out<DescribeDBClusterSnapshotAttributesCommandOutput> => {
          const snapshot = findSnapshot(
            DB_CLUSTER_SNAPSHOT,
            this.state.clusterSnapshots,
            input.DBClusterSnapshotIdentifier,
          );
          return {
            DBClusterSnapshotAttributesResult: {
              DBClusterSnapshotIdentifier: snapshot.identifier,
              DBClusterSnapshotAttributes: restoreAttributes(snapshot),
            },
          };
        },
      ),
      ModifyDBClusterSnapshotAttribute: typed(
        (
          input: ModifyDBClusterSnapshotAttributeCommandInput,
        ): Out<ModifyDBClusterSnapshotAttributeCommandOutput> => {
          const snapshot = findSnapshot(
            DB_CLUSTER_SNAPSHOT,
            this.state.clusterSnapshots,
            input.DBClusterSnapshotIdentifier,
          );
          modifyRestore(DB_CLUSTER_SNAPSHOT, snapshot, input);
          return {
            DBClusterSnapshotAttributesResult: {
              DBClusterSnapshotIdentifier: snapshot.identifier,
              DBClusterSnapshotAttributes: restoreAttributes(snapshot),
            },
          };
        },
      ),
      ListTagsForResource: typed((input: ListTagsForResourceCommandInput) => this.listTags(input)),
    };
  }

  // ---- seeding and inspection ---------------------------------------------------------------------

  public addInstance(seed: DbInstanceSeed): this {
    checkIdentifier(seed.identifier, 'DB instance', 63);
    this.state.instances[seed.identifier] = {
      identifier: seed.identifier,
      arn: `arn:aws:rds:${this.context.region}:${this.context.accountId}:db:${seed.identifier}`,
      resourceId: seed.resourceId ?? `db-${this.context.nextId('x', 26).slice(2).toUpperCase()}`,
      engine: seed.engine ?? 'postgres',
      instanceClass: seed.instanceClass ?? 'db.t4g.micro',
      status: seed.status ?? 'available',
      publiclyAccessible: seed.publiclyAccessible ?? false,
      storageEncrypted: seed.storageEncrypted ?? true,
      ...(seed.clusterIdentifier === undefined ? {} : { clusterIdentifier: seed.clusterIdentifier }),
      createTime: this.context.now().toISOString(),
      tags: { ...seed.tags },
    };
    return this;
  }

  /** Adds a DB snapshot (`rds:…` identifiers are automated snapshots). */
  public addSnapshot(seed: SnapshotSeed): this {
    this.state.snapshots[seed.identifier] = newSnapshot(DB_SNAPSHOT, seed, this.context);
    return this;
  }

  /** Adds a DB cluster snapshot. */
  public addClusterSnapshot(seed: SnapshotSeed): this {
    this.state.clusterSnapshots[seed.identifier] = newSnapshot(DB_CLUSTER_SNAPSHOT, seed, this.context);
    return this;
  }

  public snapshot(): RdsState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: RdsState): void {
    replaceState(this.state, state);
  }

  // ---- DB instances -------------------------------------------------------------------------------

  private describeInstances(input: DescribeDBInstancesCommandInput): Out<DescribeDBInstancesCommandOutput> {
    let instances = Object.values(this.state.instances);
    if (input.DBInstanceIdentifier !== undefined) instances = [this.instance(input.DBInstanceIdentifier)];
    instances = instances.filter((instance) =>
      matches(input.Filters, {
        'db-instance-id': [instance.identifier, instance.arn],
        'db-cluster-id': instance.clusterIdentifier === undefined ? [] : [instance.clusterIdentifier],
        'dbi-resource-id': [instance.resourceId],
        engine: [instance.engine],
      }),
    );
    return { DBInstances: instances.map((instance) => this.toInstance(instance)) };
  }

  private modifyInstance(input: ModifyDBInstanceCommandInput): Out<ModifyDBInstanceCommandOutput> {
    const instance = this.instance(input.DBInstanceIdentifier);
    const unsupported = Object.keys(input).filter(
      (key) => !MODIFIABLE.has(key) && input[key as keyof ModifyDBInstanceCommandInput] !== undefined,
    );
    if (unsupported.length > 0) {
      throw rdsError(
        'InvalidParameterValue',
        `The sandbox does not support ModifyDBInstance's ${unsupported.join(', ')}`,
      );
    }
    if (instance.status !== 'available') {
      throw rdsError('InvalidDBInstanceState', 'Database instance is not in available state.');
    }
    // Applied at once whatever ApplyImmediately says; nothing goes to PendingModifiedValues.
    if (input.PubliclyAccessible !== undefined) instance.publiclyAccessible = input.PubliclyAccessible;
    return { DBInstance: this.toInstance(instance) };
  }

  private instance(identifier: string | undefined): DbInstanceRecord {
    const id = String(identifier);
    const instance =
      this.state.instances[id] ??
      Object.values(this.state.instances).find((candidate) => candidate.arn === id);
    if (instance === undefined) throw rdsError('DBInstanceNotFound', `DBInstance ${id} not found.`);
    return instance;
  }

  private toInstance(instance: DbInstanceRecord): DBInstance {
    return {
      DBInstanceIdentifier: instance.identifier,
      DBInstanceArn: instance.arn,
      DbiResourceId: instance.resourceId,
      DBInstanceClass: instance.instanceClass,
      Engine: instance.engine,
      DBInstanceStatus: instance.status,
      PubliclyAccessible: instance.publiclyAccessible,
      StorageEncrypted: instance.storageEncrypted,
      ...(instance.clusterIdentifier === undefined
        ? {}
        : { DBClusterIdentifier: instance.clusterIdentifier }),
      InstanceCreateTime: new Date(instance.createTime),
      PendingModifiedValues: {},
      TagList: toTags(instance.tags),
    };
  }

  // ---- snapshots ----------------------------------------------------------------------------------

  private describeSnapshots(input: DescribeDBSnapshotsCommandInput): Out<DescribeDBSnapshotsCommandOutput> {
    let snapshots = Object.values(this.state.snapshots);
    if (input.DBSnapshotIdentifier !== undefined) {
      snapshots = [findSnapshot(DB_SNAPSHOT, this.state.snapshots, input.DBSnapshotIdentifier)];
    }
    snapshots = snapshots.filter(
      (snapshot) =>
        (input.DBInstanceIdentifier === undefined ||
          snapshot.sourceIdentifier === input.DBInstanceIdentifier) &&
        (input.SnapshotType === undefined || snapshot.snapshotType === input.SnapshotType) &&
        matches(input.Filters, {
          'db-snapshot-id': [snapshot.identifier, snapshot.arn],
          'db-instance-id': [snapshot.sourceIdentifier],
          'snapshot-type': [snapshot.snapshotType],
          engine: [snapshot.engine],
        }),
    );
    return {
      DBSnapshots: snapshots.map(
        (snapshot): DBSnapshot => ({
          DBSnapshotIdentifier: snapshot.identifier,
          DBSnapshotArn: snapshot.arn,
          DBInstanceIdentifier: snapshot.sourceIdentifier,
          SnapshotType: snapshot.snapshotType,
          Status: snapshot.status,
          Encrypted: snapshot.encrypted,
          Engine: snapshot.engine,
          SnapshotCreateTime: new Date(snapshot.createTime),
          TagList: toTags(snapshot.tags),
        }),
      ),
    };
  }

  private describeClusterSnapshots(
    input: DescribeDBClusterSnapshotsCommandInput,
  ): Out<DescribeDBClusterSnapshotsCommandOutput> {
    let snapshots = Object.values(this.state.clusterSnapshots);
    if (input.DBClusterSnapshotIdentifier !== undefined) {
      snapshots = [
        findSnapshot(DB_CLUSTER_SNAPSHOT, this.state.clusterSnapshots, input.DBClusterSnapshotIdentifier),
      ];
    }
    snapshots = snapshots.filter(
      (snapshot) =>
        (input.DBClusterIdentifier === undefined ||
          snapshot.sourceIdentifier === input.DBClusterIdentifier) &&
        (input.SnapshotType === undefined || snapshot.snapshotType === input.SnapshotType) &&
        matches(input.Filters, {
          'db-cluster-snapshot-id': [snapshot.identifier, snapshot.arn],
          'db-cluster-id': [snapshot.sourceIdentifier],
          'snapshot-type': [snapshot.snapshotType],
          engine: [snapshot.engine],
        }),
    );
    return {
      DBClusterSnapshots: snapshots.map(
        (snapshot): DBClusterSnapshot => ({
          DBClusterSnapshotIdentifier: snapshot.identifier,
          DBClusterSnapshotArn: snapshot.arn,
          DBClusterIdentifier: snapshot.sourceIdentifier,
          SnapshotType: snapshot.snapshotType,
          Status: snapshot.status,
          StorageEncrypted: snapshot.encrypted,
          Engine: snapshot.engine,
          SnapshotCreateTime: new Date(snapshot.createTime),
          TagList: toTags(snapshot.tags),
        }),
      ),
    };
  }

  // ---- tags ---------------------------------------------------------------------------------------

  /** Tags of a DB instance, DB snapshot or DB cluster snapshot, named by its ARN. */
  private listTags(input: ListTagsForResourceCommandInput): Out<ListTagsForResourceCommandOutput> {
    const arn = String(input.ResourceName);
    const match = RDS_ARN.exec(arn);
    if (match === null) {
      throw rdsError(
        'InvalidParameterValue',
        `The sandbox knows tags of db, snapshot and cluster-snapshot ARNs, not ${arn}`,
      );
    }
    const type = match[1];
    const resource =
      type === 'db'
        ? this.instance(arn)
        : type === 'snapshot'
          ? findSnapshot(DB_SNAPSHOT, this.state.snapshots, arn)
          : findSnapshot(DB_CLUSTER_SNAPSHOT, this.state.clusterSnapshots, arn);
    return { TagList: toTags(resource.tags) };
  }
}

/**
 * RDS `Filters`: every filter must match one of its values. A filter name the model does not know is refused
 * (`InvalidParameterValue`) rather than ignored, which would widen the answer.
 */
function matches(
  filters: readonly Filter[] | undefined,
  values: Readonly<Record<string, readonly string[]>>,
): boolean {
  for (const filter of filters ?? []) {
    const actual = values[String(filter.Name)];
    if (actual === undefined) {
      throw rdsError('InvalidParameterValue', `Unrecognized filter name: ${String(filter.Name)}`);
    }
    if (!(filter.Values ?? []).some((value) => actual.includes(value))) return false;
  }
  return true;
}

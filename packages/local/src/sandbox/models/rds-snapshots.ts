/**
 * RDS DB snapshots and DB cluster snapshots: their `restore` attribute, which shares a manual snapshot with
 * accounts or, with the value `all`, with everyone. Both kinds behave alike; each has its own identifiers, ARN
 * type and errors. Sources: ModifyDBSnapshotAttribute
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html),
 * ModifyDBClusterSnapshotAttribute
 * (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterSnapshotAttribute.html), and
 * sharing quotas (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html: "You can share a
 * manual snapshot with up to 20 other AWS accounts").
 */
import { serviceErrors } from '../errors.ts';

/**
 * RDS (query protocol) error codes and the SDK's exception names and statuses, from the SDK's model
 * (`awsQueryError`): `DBInstanceNotFound` arrives as `DBInstanceNotFoundFault` with 404 …
 */
export const rdsError = serviceErrors('RDS', {
  DBInstanceNotFound: { name: 'DBInstanceNotFoundFault', status: 404 },
  InvalidDBInstanceState: { name: 'InvalidDBInstanceStateFault' },
  DBSnapshotNotFound: { name: 'DBSnapshotNotFoundFault', status: 404 },
  InvalidDBSnapshotState: { name: 'InvalidDBSnapshotStateFault' },
  DBClusterSnapshotNotFoundFault: { name: 'DBClusterSnapshotNotFoundFault', status: 404 },
  InvalidDBClusterSnapshotStateFault: { name: 'InvalidDBClusterSnapshotStateFault' },
  SharedSnapshotQuotaExceeded: { name: 'SharedSnapshotQuotaExceededFault' },
});

/** "You can share a manual snapshot with up to 20 other AWS accounts." */
export const MAX_SHARED_ACCOUNTS = 20;

export interface SnapshotRecord {
  identifier: string;
  arn: string;
  /** The DB instance or DB cluster it was taken from. */
  sourceIdentifier: string;
  snapshotType: 'manual' | 'automated';
  status: string;
  encrypted: boolean;
  engine: string;
  createTime: string;
  /** The `restore` attribute: account ids, and `all` when the snapshot is public. */
  restore: string[];
  tags: Record<string, string>;
}

export interface SnapshotSeed {
  readonly identifier: string;
  readonly sourceIdentifier?: string;
  readonly snapshotType?: 'manual' | 'automated';
  readonly status?: string;
  readonly encrypted?: boolean;
  readonly engine?: string;
  /** Accounts it is shared with; `all` makes it public. */
  readonly restore?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
}

/** What differs between DB snapshots and DB cluster snapshots. */
export interface SnapshotKind {
  readonly label: 'DBSnapshot' | 'DBClusterSnapshot';
  /** The ARN's resource type: `snapshot` or `cluster-snapshot`. */
  readonly arnType: 'snapshot' | 'cluster-snapshot';
  readonly notFound: string;
  readonly invalidState: string;
}

export const DB_SNAPSHOT: SnapshotKind = {
  label: 'DBSnapshot',
  arnType: 'snapshot',
  notFound: 'DBSnapshotNotFound',
  invalidState: 'InvalidDBSnapshotState',
};

export const DB_CLUSTER_SNAPSHOT: SnapshotKind = {
  label: 'DBClusterSnapshot',
  arnType: 'cluster-snapshot',
  notFound: 'DBClusterSnapshotNotFoundFault',
  invalidState: 'InvalidDBClusterSnapshotStateFault',
};

/**
 * RDS identifiers: a letter, then letters, digits and single hyphens (automated snapshots' start `rds:`); at most 63
 * characters for a DB instance, 255 for a snapshot (CreateDBInstance, CreateDBSnapshot constraints).
 */
const IDENTIFIER = /^(rds:)?[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$/;
const ACCOUNT = /^\d{12}$/;

export function checkIdentifier(identifier: string, what: string, maxLength = 255): void {
  if (!IDENTIFIER.test(identifier) || identifier.length > maxLength) {
    throw new Error(`Seed error: ${identifier} is not a valid ${what} identifier`);
  }
}

export function newSnapshot(
  kind: SnapshotKind,
  seed: SnapshotSeed,
  context: { accountId: string; region: string; now(): Date },
): SnapshotRecord {
  checkIdentifier(seed.identifier, kind.label);
  const restore = [...(seed.restore ?? [])];
  if (restore.some((value) => value !== 'all' && !ACCOUNT.test(value))) {
    throw new Error(`Seed error: ${kind.label} ${seed.identifier} restore values are 'all' or account ids`);
  }
  return {
    identifier: seed.identifier,
    arn: `arn:aws:rds:${context.region}:${context.accountId}:${kind.arnType}:${seed.identifier}`,
    sourceIdentifier: seed.sourceIdentifier ?? 'database-1',
    snapshotType: seed.snapshotType ?? (seed.identifier.startsWith('rds:') ? 'automated' : 'manual'),
    status: seed.status ?? 'available',
    encrypted: seed.encrypted ?? false,
    engine: seed.engine ?? 'postgres',
    createTime: context.now().toISOString(),
    restore,
    tags: { ...seed.tags },
  };
}

/** The snapshot `identifier` names (an identifier or the snapshot's ARN), else the kind's not-found error. */
export function findSnapshot(
  kind: SnapshotKind,
  table: Readonly<Record<string, SnapshotRecord>>,
  identifier: string | undefined,
): SnapshotRecord {
  const id = String(identifier);
  const snapshot = table[id] ?? Object.values(table).find((candidate) => candidate.arn === id);
  if (snapshot === undefined) throw rdsError(kind.notFound, `${kind.label} ${id} not found.`);
  return snapshot;
}

/** The attribute list both Describe…Attributes and Modify…Attribute answer. */
export function restoreAttributes(
  snapshot: SnapshotRecord,
): { AttributeName: string; AttributeValues: string[] }[] {
  return [{ AttributeName: 'restore', AttributeValues: [...snapshot.restore] }];
}

/**
 * Modify…Attribute on `restore`: removes `valuesToRemove` (removing `all` leaves explicitly added accounts
 * able to restore, as the reference says), then adds `valuesToAdd`. Refused, changing nothing: another attribute, a
 * value that is neither `all` nor an account id, `all` on an encrypted snapshot ("If the manual DB snapshot is
 * encrypted, it can be shared, but only by specifying a list of authorized AWS account IDs … You can't use all"),
 * an automated or unavailable snapshot, more than 20 accounts.
 */
export function modifyRestore(
  kind: SnapshotKind,
  snapshot: SnapshotRecord,
  input: {
    AttributeName?: string | undefined;
    ValuesToAdd?: string[] | undefined;
    ValuesToRemove?: string[] | undefined;
  },
): void {
  if (input.AttributeName !== 'restore') {
    throw rdsError(
      'InvalidParameterValue',
      `The sandbox models only the restore attribute, not ${String(input.AttributeName)}`,
    );
  }
  const toAdd = input.ValuesToAdd ?? [];
  const toRemove = input.ValuesToRemove ?? [];
  for (const value of [...toAdd, ...toRemove]) {
    if (value !== 'all' && !ACCOUNT.test(value)) {
      throw rdsError('InvalidParameterValue', `${value} is not a valid AWS account id or 'all'`);
    }
  }
  if (snapshot.snapshotType !== 'manual') {
    throw rdsError(
      kind.invalidState,
      `Only manual snapshots can be shared: ${snapshot.identifier} is automated.`,
    );
  }
  if (snapshot.status !== 'available') {
    throw rdsError(kind.invalidState, `${kind.label} ${snapshot.identifier} is not in available state.`);
  }
  if (snapshot.encrypted && toAdd.includes('all')) {
    throw rdsError(
      'InvalidParameterValue',
      `Encrypted ${kind.label} ${snapshot.identifier} can be shared with accounts, never with 'all'.`,
    );
  }
  const restore = snapshot.restore.filter((value) => !toRemove.includes(value));
  for (const value of toAdd) if (!restore.includes(value)) restore.push(value);
  if (restore.filter((value) => value !== 'all').length > MAX_SHARED_ACCOUNTS) {
    throw rdsError(
      'SharedSnapshotQuotaExceeded',
      `${kind.label} ${snapshot.identifier} can be shared with at most ${MAX_SHARED_ACCOUNTS} accounts.`,
    );
  }
  snapshot.restore = restore;
}

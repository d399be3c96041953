/**
 * RDS calls → IAM requests (SAR: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html).
 * Each resource is named by its ARN — `db:<instance>`, `snapshot:<snapshot>`, `cluster-snapshot:<snapshot>`,
 * `cluster:<cluster>` — and carries its tags as `aws:ResourceTag/…` and as RDS's own spelling for its type
 * (`rds:db-tag/…`, `rds:snapshot-tag/…`, `rds:cluster-snapshot-tag/…`,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/security_iam_service-with-iam.html#UsingWithRDS.IAM.Conditions),
 * read with ListTagsForResource. A Describe call that names no resource (the resource types are optional for it) is
 * asked on every resource of its type (`db:*`).
 */
import type { ResourceRequest } from '../evaluate.ts';
import { type CallScope, type RequestBuilder, request, text } from './scope.ts';

/** The SAR resource type of an RDS ARN type, and the service's own tag key prefix for it. */
const TAG_KEYS: Readonly<Record<string, string>> = {
  db: 'rds:db-tag',
  snapshot: 'rds:snapshot-tag',
  'cluster-snapshot': 'rds:cluster-snapshot-tag',
  cluster: 'rds:cluster-tag',
};

function rdsArn(scope: CallScope, type: string, identifier: string): string {
  return identifier.startsWith('arn:')
    ? identifier
    : `arn:aws:rds:${scope.region}:${scope.account}:${type}:${identifier}`;
}

async function rdsResource(scope: CallScope, type: string, identifier: string): Promise<ResourceRequest> {
  const arn = rdsArn(scope, type, identifier);
  if (identifier === '*') return { arn, type };
  const answer = (await scope.read('RDS', 'ListTagsForResource', { ResourceName: arn })) as
    | { TagList?: { Key?: string; Value?: string }[] }
    | undefined;
  const context: Record<string, string> = {};
  for (const tag of answer?.TagList ?? []) {
    if (tag.Key === undefined) continue;
    context[`aws:ResourceTag/${tag.Key}`] = tag.Value ?? '';
    const own = TAG_KEYS[type];
    if (own !== undefined) context[`${own}/${tag.Key}`] = tag.Value ?? '';
  }
  return { arn, type, context };
}

function required(input: Readonly<Record<string, unknown>>, key: string, command: string): string {
  const value = text(input, key);
  if (value === undefined) throw new TypeError(`${command} without ${key}`);
  return value;
}

const on =
  (action: string, type: string, key: string): RequestBuilder =>
  async (input, scope) => [request(action, [await rdsResource(scope, type, required(input, key, action))])];

export const RDS_REQUESTS: Readonly<Record<string, RequestBuilder>> = {
  async DescribeDBInstances(input, scope) {
    return [
      request('rds:DescribeDBInstances', [
        await rdsResource(scope, 'db', text(input, 'DBInstanceIdentifier') ?? '*'),
      ]),
    ];
  },
  // The sandbox refuses any change but PubliclyAccessible, so the request is on the instance alone (the option
  // group, parameter group, security group and subnet group types apply only when a call changes them).
  ModifyDBInstance: on('rds:ModifyDBInstance', 'db', 'DBInstanceIdentifier'),
  async DescribeDBSnapshots(input, scope) {
    const snapshot = text(input, 'DBSnapshotIdentifier');
    const instance = text(input, 'DBInstanceIdentifier');
    const resources = await Promise.all([
      rdsResource(scope, 'snapshot', snapshot ?? '*'),
      ...(instance === undefined ? [] : [rdsResource(scope, 'db', instance)]),
    ]);
    return [request('rds:DescribeDBSnapshots', resources)];
  },
  DescribeDBSnapshotAttributes: on('rds:DescribeDBSnapshotAttributes', 'snapshot', 'DBSnapshotIdentifier'),
  ModifyDBSnapshotAttribute: on('rds:ModifyDBSnapshotAttribute', 'snapshot', 'DBSnapshotIdentifier'),
  async DescribeDBClusterSnapshots(input, scope) {
    const snapshot = text(input, 'DBClusterSnapshotIdentifier');
    const cluster = text(input, 'DBClusterIdentifier');
    const resources = await Promise.all([
      rdsResource(scope, 'cluster-snapshot', snapshot ?? '*'),
      ...(cluster === undefined ? [] : [rdsResource(scope, 'cluster', cluster)]),
    ]);
    return [request('rds:DescribeDBClusterSnapshots', resources)];
  },
  DescribeDBClusterSnapshotAttributes: on(
    'rds:DescribeDBClusterSnapshotAttributes',
    'cluster-snapshot',
    'DBClusterSnapshotIdentifier',
  ),
  ModifyDBClusterSnapshotAttribute: on(
    'rds:ModifyDBClusterSnapshotAttribute',
    'cluster-snapshot',
    'DBClusterSnapshotIdentifier',
  ),
  async ListTagsForResource(input, scope) {
    const arn = required(input, 'ResourceName', 'ListTagsForResource');
    const type = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:([a-z-]+):/.exec(arn)?.[1];
    if (type === undefined) throw new TypeError(`ListTagsForResource on ${arn}, which is not an RDS ARN`);
    return [request('rds:ListTagsForResource', [await rdsResource(scope, type, arn)])];
  },
};

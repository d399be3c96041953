/**
 * AWS's and Slack's published quotas, as the scale model charges them: each one a token bucket (capacity,
 * refill per second) with the scope it applies to and the page that publishes it. Where the publisher gives
 * no number (IAM and Auto Scaling request rates, Slack's burst), the value is an assumption and says so.
 * Regional values are those of US East (N. Virginia), the home region the model deploys Cordon in.
 */

/** Who shares one bucket. */
export type QuotaScope =
  | 'home account and region'
  | 'member account and region'
  | 'member account'
  | 'function'
  | 'partition key'
  | 'table'
  | 'Slack channel';

export interface QuotaSpec {
  readonly id: string;
  readonly service: string;
  /** What the bucket limits, as the source names it. */
  readonly what: string;
  readonly scope: QuotaScope;
  readonly capacity: number;
  readonly refillPerSecond: number;
  /** The publisher's page. */
  readonly source: string;
  /** Why this value: what the source says, or what was assumed where it says nothing. */
  readonly note: string;
  /** The source publishes no number for it: the value is the model's assumption. */
  readonly assumed?: boolean;
}

const EC2_THROTTLING = 'https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html';
const SFN_QUOTAS = 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html';
const SSM_QUOTAS = 'https://docs.aws.amazon.com/general/latest/gr/ssm.html';
const DDB_PARTITIONS =
  'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html';
const DDB_ON_DEMAND =
  'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadWriteCapacityMode.html';
const SLACK_LIMITS = 'https://docs.slack.dev/apis/web-api/rate-limits';

/** EC2: every API action has its own bucket, per account and Region, sized by its category. */
function ec2(id: string, what: string, capacity: number, refill: number, note: string): QuotaSpec {
  return {
    id,
    service: 'EC2',
    what,
    scope: 'member account and region',
    capacity,
    refillPerSecond: refill,
    source: EC2_THROTTLING,
    note: `"Amazon EC2 throttles EC2 API requests for each AWS account on a per-Region basis"; each API action has its own bucket. ${note}`,
  };
}

export const QUOTAS = {
  ec2NonMutating: ec2(
    'ec2.non-mutating',
    'Describe*/Get* actions (each action its own bucket)',
    100,
    20,
    'Non-mutating actions: bucket 100, refill 20.',
  ),
  ec2Unfiltered: ec2(
    'ec2.unfiltered',
    'DescribeInstances, DescribeSecurityGroups, DescribeSnapshots … without a filter or pagination',
    50,
    10,
    'Unfiltered and unpaginated non-mutating actions: bucket 50, refill 10. The page counts a request "without specifying either pagination or a filter" here; the model reads a request that names resource ids but no `Filters` and no `MaxResults` as unfiltered (the stricter reading).',
  ),
  ec2Mutating: ec2(
    'ec2.mutating',
    'ModifyInstanceAttribute, CreateSecurityGroup, RevokeSecurityGroupEgress … (each action its own bucket)',
    50,
    5,
    'Mutating actions: bucket 50, refill 5.',
  ),
  ec2ResourceIntensive: ec2(
    'ec2.resource-intensive',
    'AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress',
    50,
    5,
    'Resource-intensive actions: bucket 50, refill 5, throttled separately from other mutating actions.',
  ),
  ec2ModifyNetworkInterfaceAttribute: ec2(
    'ec2.modify-network-interface-attribute',
    'ModifyNetworkInterfaceAttribute',
    100,
    5,
    'Uncategorized action with its own bucket: 100, refill 5.',
  ),
  ec2CreateTags: ec2('ec2.create-tags', 'CreateTags, DeleteTags', 100, 10, 'Uncategorized: 100, refill 10.'),
  ec2Snapshots: ec2(
    'ec2.create-snapshot',
    'CreateSnapshot, CreateSnapshots',
    100,
    5,
    'Uncategorized: 100, refill 5.',
  ),
  ec2InstanceProfile: ec2(
    'ec2.instance-profile-association',
    'AssociateIamInstanceProfile, DisassociateIamInstanceProfile',
    100,
    5,
    'Uncategorized: 100, refill 5 (ReplaceIamInstanceProfileAssociation is not listed: a mutating action).',
  ),
  sfnStartExecution: {
    id: 'sfn.start-execution',
    service: 'Step Functions',
    what: 'StartExecution (Standard)',
    scope: 'home account and region',
    capacity: 1300,
    refillPerSecond: 300,
    source: SFN_QUOTAS,
    note: 'US East (N. Virginia), US West (Oregon), Europe (Ireland): bucket 1,300, refill 300 (other Regions 800/150). "Throttling quotas are per account, per AWS Region."',
  },
  sfnStateTransition: {
    id: 'sfn.state-transition',
    service: 'Step Functions',
    what: 'State transitions (Standard)',
    scope: 'home account and region',
    capacity: 5000,
    refillPerSecond: 1500,
    source: SFN_QUOTAS,
    note: 'US East (N. Virginia), US West (Oregon), Europe (Ireland): bucket 5,000, refill 1,500 (other Regions 800/500); "New AWS accounts have reduced state transition quotas". A throttled transition waits (reported as ExecutionThrottled): the execution slows, it does not fail.',
  },
  sfnSendTask: {
    id: 'sfn.send-task',
    service: 'Step Functions',
    what: 'SendTaskSuccess / SendTaskFailure',
    scope: 'home account and region',
    capacity: 3000,
    refillPerSecond: 500,
    source: SFN_QUOTAS,
    note: 'US East (N. Virginia), US West (Oregon), Europe (Ireland): bucket 3,000, refill 500 each.',
  },
  lambdaScaling: {
    id: 'lambda.scaling',
    service: 'Lambda',
    what: 'New execution environments per function',
    scope: 'function',
    capacity: 1000,
    refillPerSecond: 100,
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html',
    note: '"for each function, your concurrency scaling rate is 1,000 execution environment instances every 10 seconds"; Lambda "makes a best attempt to refill your concurrency scaling rate continuously" and does not accumulate unused scaling: a bucket of 1,000 refilled at 100 per second. An invocation beyond it is throttled (429).',
  },
  ssmGetParameters: {
    id: 'ssm.get-parameters',
    service: 'SSM',
    what: 'GetParameter, GetParameters, GetParametersByPath (shared)',
    scope: 'home account and region',
    capacity: 40,
    refillPerSecond: 40,
    source: SSM_QUOTAS,
    note: 'Parameter Store "Max throughput (transactions per second)": default 40, shared by GetParameter, GetParameters and GetParametersByPath; with higher throughput enabled, 100 for GetParametersByPath (the higher-throughput figures as quoted from the same page by https://dev.classmethod.jp). No burst is published: the bucket holds one second.',
  },
  stsRequests: {
    id: 'sts.requests',
    service: 'STS',
    what: 'AssumeRole (shared with GetCallerIdentity, GetSessionToken …)',
    scope: 'home account and region',
    capacity: 600,
    refillPerSecond: 600,
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
    note: '"the default request quota is 600 requests per second, per account, per Region"; "For cross-account AssumeRole requests, only the account making the AssumeRole request impacts the STS quota": Cordon\'s home account. No burst is published: one second.',
  },
  iamWrites: {
    id: 'iam.writes',
    service: 'IAM',
    what: 'UpdateAccessKey, PutUserPolicy, PutRolePolicy … (writes)',
    scope: 'member account',
    capacity: 10,
    refillPerSecond: 5,
    source: 'https://repost.aws/knowledge-center/iam-sts-throttling-error',
    note: 'AWS publishes no IAM request rate: the knowledge-center article only says calls "contribute to a maximum rate limit for your AWS account" and the IAM quotas page lists none. Assumed: 10 in a burst, 5 per second per account (IAM is global).',
    assumed: true,
  },
  iamReads: {
    id: 'iam.reads',
    service: 'IAM',
    what: 'Get*/List* (reads)',
    scope: 'member account',
    capacity: 40,
    refillPerSecond: 20,
    source: 'https://repost.aws/knowledge-center/iam-sts-throttling-error',
    note: 'Not published (see IAM writes). Assumed: 40 in a burst, 20 per second per account.',
    assumed: true,
  },
  autoScaling: {
    id: 'autoscaling.requests',
    service: 'Auto Scaling',
    what: 'EnterStandby, DescribeAutoScalingInstances …',
    scope: 'member account and region',
    capacity: 40,
    refillPerSecond: 20,
    source: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-quotas.html',
    note: 'The Auto Scaling quotas page lists resource quotas, no request rate. Assumed: 40 in a burst, 20 per second per account and Region.',
    assumed: true,
  },
  elb: {
    id: 'elb.requests',
    service: 'Elastic Load Balancing',
    what: 'DescribeTargetHealth, DeregisterTargets …',
    scope: 'member account and region',
    capacity: 40,
    refillPerSecond: 20,
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html',
    note: 'The load balancer quotas pages list resource quotas, no request rate. Assumed: 40 in a burst, 20 per second per account and Region.',
    assumed: true,
  },
  dynamodbPartitionWrite: {
    id: 'dynamodb.partition-write',
    service: 'DynamoDB',
    what: 'Write units per partition (one key lives in one partition)',
    scope: 'partition key',
    capacity: 1000,
    refillPerSecond: 1000,
    source: DDB_PARTITIONS,
    note: '"Every partition in a DynamoDB table is designed to deliver a maximum capacity of 3,000 read units per second and 1,000 write units per second"; one write unit is a write of up to 1 KB. Adaptive capacity moves throughput to hot partitions but not past this per-partition maximum, so the model charges it per partition key.',
  },
  dynamodbPartitionRead: {
    id: 'dynamodb.partition-read',
    service: 'DynamoDB',
    what: 'Read units per partition',
    scope: 'partition key',
    capacity: 3000,
    refillPerSecond: 3000,
    source: DDB_PARTITIONS,
    note: 'See above: 3,000 read units per second, one unit a strongly consistent read of up to 4 KB.',
  },
  dynamodbTableWrite: {
    id: 'dynamodb.table-write',
    service: 'DynamoDB',
    what: 'Write request units per on-demand table',
    scope: 'table',
    capacity: 4000,
    refillPerSecond: 4000,
    source: DDB_ON_DEMAND,
    note: 'A newly created on-demand table can "serve up to 4,000 write request units and 12,000 read request units" per second (double a previous peak of 2,000/6,000); an older table serves double its previous peak. The model keeps the new table\'s figure.',
  },
  dynamodbTableRead: {
    id: 'dynamodb.table-read',
    service: 'DynamoDB',
    what: 'Read request units per on-demand table',
    scope: 'table',
    capacity: 12000,
    refillPerSecond: 12000,
    source: DDB_ON_DEMAND,
    note: 'See above: 12,000 read request units per second for a new on-demand table.',
  },
  slackChatPostMessage: {
    id: 'slack.chat-post-message',
    service: 'Slack',
    what: 'chat.postMessage (approval requests)',
    scope: 'Slack channel',
    capacity: 5,
    refillPerSecond: 1,
    source: SLACK_LIMITS,
    note: '"chat.postMessage generally allows posting one message per second per channel"; "Posting messages: 1 per second. Short bursts >1 allowed." Slack publishes no burst size: assumed 5. Past it Slack answers HTTP 429 with Retry-After.',
  },
  slackWebhook: {
    id: 'slack.incoming-webhook',
    service: 'Slack',
    what: 'Incoming webhook (notifications)',
    scope: 'Slack channel',
    capacity: 5,
    refillPerSecond: 1,
    source: SLACK_LIMITS,
    note: '"Incoming webhooks: 1 per second. Short bursts >1 allowed" (same page); burst assumed 5, HTTP 429 past it.',
  },
} as const satisfies Record<string, QuotaSpec>;

export type QuotaId = keyof typeof QUOTAS;

/** Lambda's concurrency: not a bucket but a ceiling on execution environments in use at once. */
export const LAMBDA_ACCOUNT_CONCURRENCY = {
  limit: 1000,
  source: 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html',
  note: '"By default, Lambda provides your account with a total concurrency limit of 1,000 concurrent executions across all functions in an AWS Region."',
} as const;

/** The EC2 actions that use the smaller bucket when sent with no filter and no pagination. */
const EC2_UNFILTERABLE = new Set([
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeSpotInstanceRequests',
  'DescribeVolumes',
]);

const EC2_OWN_BUCKET: Readonly<Record<string, QuotaId>> = {
  ModifyNetworkInterfaceAttribute: 'ec2ModifyNetworkInterfaceAttribute',
  CreateTags: 'ec2CreateTags',
  DeleteTags: 'ec2CreateTags',
  CreateSnapshot: 'ec2Snapshots',
  CreateSnapshots: 'ec2Snapshots',
  AssociateIamInstanceProfile: 'ec2InstanceProfile',
  DisassociateIamInstanceProfile: 'ec2InstanceProfile',
  AuthorizeSecurityGroupIngress: 'ec2ResourceIntensive',
  RevokeSecurityGroupIngress: 'ec2ResourceIntensive',
};

const READ = /^(Describe|Get|List|Search)/;

/**
 * The quota an EC2 request draws on: its action's own bucket, sized by the action's category.
 *
 * @example ec2QuotaFor('DescribeInstances', { InstanceIds: ['i-1'] }) // 'ec2Unfiltered'
 */
export function ec2QuotaFor(command: string, input: Readonly<Record<string, unknown>>): QuotaId {
  const own = EC2_OWN_BUCKET[command];
  if (own !== undefined) return own;
  if (!READ.test(command)) return 'ec2Mutating';
  if (EC2_UNFILTERABLE.has(command)) {
    const filtered = Array.isArray(input.Filters) && input.Filters.length > 0;
    const paginated = input.MaxResults !== undefined || input.NextToken !== undefined;
    return filtered || paginated ? 'ec2NonMutating' : 'ec2Unfiltered';
  }
  return 'ec2NonMutating';
}

/** IAM's reads and writes (both assumed: AWS publishes no IAM request rate). */
export function iamQuotaFor(command: string): QuotaId {
  return READ.test(command) ? 'iamReads' : 'iamWrites';
}

/**
 * The other services' calls → IAM requests, each from its Service Authorization Reference page:
 * Auto Scaling (list_amazonec2autoscaling.html), Elastic Load Balancing v1 and v2 (list_elasticloadbalancing.html,
 * list_elasticloadbalancingv2.html; one service prefix, `elasticloadbalancing`), SNS (list_amazonsns.html),
 * Systems Manager (list_awssystemsmanager.html), DynamoDB (list_amazondynamodb.html), Step Functions
 * (list_awsstepfunctions.html), Lambda (list_awslambda.html), GuardDuty (list_amazonguardduty.html) and
 * CloudWatch (list_amazoncloudwatch.html), under https://docs.aws.amazon.com/service-authorization/latest/reference/.
 */
import type { RequestContext } from '../conditions.ts';
import type { ResourceRequest } from '../evaluate.ts';
import {
  type CallScope,
  type RequestBuilder,
  request,
  requestTags,
  resourceTags,
  text,
  texts,
  unscoped,
} from './scope.ts';

function need(input: Readonly<Record<string, unknown>>, key: string, command: string): string {
  const value = text(input, key);
  if (value === undefined) throw new TypeError(`${command} without ${key}`);
  return value;
}

async function autoScalingGroup(scope: CallScope, name: string): Promise<ResourceRequest> {
  const answer = (await scope.read('AutoScaling', 'DescribeAutoScalingGroups', {
    AutoScalingGroupNames: [name],
  })) as
    | { AutoScalingGroups?: { AutoScalingGroupARN?: string; Tags?: { Key?: string; Value?: string }[] }[] }
    | undefined;
  const group = answer?.AutoScalingGroups?.[0];
  return {
    // Without the group's id (unknown group) the ARN keeps a wildcard where the id goes.
    arn:
      group?.AutoScalingGroupARN ??
      `arn:aws:autoscaling:${scope.region}:${scope.account}:autoScalingGroup:*:autoScalingGroupName/${name}`,
    type: 'autoScalingGroup',
    context: resourceTags(group?.Tags, 'autoscaling'),
  };
}

const onGroup =
  (action: string): RequestBuilder =>
  async (input, scope) => [
    request(action, [await autoScalingGroup(scope, need(input, 'AutoScalingGroupName', action))]),
  ];

const onTargetGroup =
  (action: string): RequestBuilder =>
  (input) => [request(action, [{ arn: need(input, 'TargetGroupArn', action), type: 'targetgroup' }])];

const onClassicLoadBalancer =
  (action: string): RequestBuilder =>
  (input, scope) => [
    request(action, [
      {
        arn: `arn:aws:elasticloadbalancing:${scope.region}:${scope.account}:loadbalancer/${need(input, 'LoadBalancerName', action)}`,
        type: 'loadbalancer',
      },
    ]),
  ];

/** An SSM parameter's ARN: the name without its leading slash after `parameter/`. */
function parameterArn(scope: CallScope, name: string): string {
  return `arn:aws:ssm:${scope.region}:${scope.account}:parameter/${name.replace(/^\//, '')}`;
}

type AttributeValue = Readonly<Record<string, unknown>>;

/** The text of a DynamoDB attribute value (`{ S: 'x' }` → `x`), as IAM compares `dynamodb:LeadingKeys`. */
function scalar(value: AttributeValue | undefined): string | undefined {
  const inner = value?.S ?? value?.N ?? value?.B;
  return typeof inner === 'string' ? inner : undefined;
}

async function partitionKey(scope: CallScope, table: string): Promise<string | undefined> {
  const answer = (await scope.read('DynamoDB', 'DescribeTable', { TableName: table })) as
    | { Table?: { KeySchema?: { AttributeName?: string; KeyType?: string }[] } }
    | undefined;
  return answer?.Table?.KeySchema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
}

/**
 * `dynamodb:LeadingKeys`: the partition key value of the item (or the key condition of a Query), for the
 * fine-grained access IAM documents at
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html.
 */
async function leadingKeys(
  input: Readonly<Record<string, unknown>>,
  scope: CallScope,
  table: string,
): Promise<RequestContext> {
  const name = await partitionKey(scope, table);
  if (name === undefined) return {};
  const item = (input.Key ?? input.Item) as Readonly<Record<string, AttributeValue>> | undefined;
  let value = scalar(item?.[name]);
  if (value === undefined && typeof input.KeyConditionExpression === 'string') {
    // `#pk = :v` or `pk = :v`, the form Cordon's queries use.
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
    for (const match of input.KeyConditionExpression.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
      const attribute = match[1]?.startsWith('#') ? names[match[1]] : match[1];
      if (attribute === name) value = scalar(values[match[2] as string]);
    }
  }
  return value === undefined ? {} : { 'dynamodb:LeadingKeys': [value] };
}

const onTable =
  (action: string): RequestBuilder =>
  async (input, scope) => {
    const table = need(input, 'TableName', action);
    const tableArn = `arn:aws:dynamodb:${scope.region}:${scope.account}:table/${table}`;
    const index = text(input, 'IndexName');
    if (index !== undefined) {
      // A Query of an index is authorized on the index's ARN (a policy granting Query on the index alone allows
      // it: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html,
      // "QueryOnlyProjectedIndexAttributes"). Its key condition names the index's keys, not the table's partition
      // key, so no dynamodb:LeadingKeys is set.
      return [request(action, [{ arn: `${tableArn}/index/${index}`, type: 'index' }])];
    }
    return [request(action, [{ arn: tableArn, type: 'table' }], await leadingKeys(input, scope, table))];
  };

export const SERVICE_REQUESTS: Readonly<Record<string, Readonly<Record<string, RequestBuilder>>>> = {
  AutoScaling: {
    DescribeAutoScalingInstances: unscoped('autoscaling:DescribeAutoScalingInstances'),
    DescribeAutoScalingGroups: unscoped('autoscaling:DescribeAutoScalingGroups'),
    EnterStandby: onGroup('autoscaling:EnterStandby'),
    ExitStandby: onGroup('autoscaling:ExitStandby'),
    DetachInstances: onGroup('autoscaling:DetachInstances'),
  },
  ElasticLoadBalancingV2: {
    DescribeTargetGroups: unscoped('elasticloadbalancing:DescribeTargetGroups'),
    DescribeTargetHealth: unscoped('elasticloadbalancing:DescribeTargetHealth'),
    DescribeLoadBalancers: unscoped('elasticloadbalancing:DescribeLoadBalancers'),
    RegisterTargets: onTargetGroup('elasticloadbalancing:RegisterTargets'),
    DeregisterTargets: onTargetGroup('elasticloadbalancing:DeregisterTargets'),
  },
  ElasticLoadBalancing: {
    DescribeLoadBalancers: unscoped('elasticloadbalancing:DescribeLoadBalancers'),
    RegisterInstancesWithLoadBalancer: onClassicLoadBalancer(
      'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
    ),
    DeregisterInstancesFromLoadBalancer: onClassicLoadBalancer(
      'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
    ),
  },
  SNS: {
    Publish(input) {
      const topic = text(input, 'TopicArn') ?? text(input, 'TargetArn');
      if (topic === undefined) throw new TypeError('Publish without TopicArn');
      return [request('sns:Publish', [{ arn: topic, type: 'topic' }])];
    },
  },
  SSM: {
    GetParameter: (input, scope) => [
      request('ssm:GetParameter', [
        { arn: parameterArn(scope, need(input, 'Name', 'GetParameter')), type: 'parameter' },
      ]),
    ],
    GetParameters: (input, scope) => [
      request(
        'ssm:GetParameters',
        texts(input, 'Names').map((name) => ({ arn: parameterArn(scope, name), type: 'parameter' })),
      ),
    ],
    // What `cordon settings|detections push` sends (the human settings-admin policy, docs/operations.md).
    PutParameter: (input, scope) => [
      request(
        'ssm:PutParameter',
        [{ arn: parameterArn(scope, need(input, 'Name', 'PutParameter')), type: 'parameter' }],
        {
          'ssm:Overwrite': input.Overwrite === true ? 'true' : 'false',
          ...requestTags(input.Tags as { Key?: string; Value?: string }[] | undefined),
        },
      ),
    ],
    DeleteParameters: (input, scope) => [
      request(
        'ssm:DeleteParameters',
        texts(input, 'Names').map((name) => ({ arn: parameterArn(scope, name), type: 'parameter' })),
      ),
    ],
    AddTagsToResource(input, scope) {
      if (input.ResourceType !== 'Parameter') {
        throw new TypeError(
          `AddTagsToResource on a ${String(input.ResourceType)}: only parameters are modelled`,
        );
      }
      return [
        request(
          'ssm:AddTagsToResource',
          [{ arn: parameterArn(scope, need(input, 'ResourceId', 'AddTagsToResource')), type: 'parameter' }],
          requestTags(input.Tags as { Key?: string; Value?: string }[] | undefined),
        ),
      ];
    },
    GetParametersByPath: (input, scope) => [
      request(
        'ssm:GetParametersByPath',
        [{ arn: parameterArn(scope, need(input, 'Path', 'GetParametersByPath')), type: 'parameter' }],
        { 'ssm:Recursive': input.Recursive === true ? 'true' : 'false' },
      ),
    ],
  },
  DynamoDB: {
    PutItem: onTable('dynamodb:PutItem'),
    GetItem: onTable('dynamodb:GetItem'),
    UpdateItem: onTable('dynamodb:UpdateItem'),
    DeleteItem: onTable('dynamodb:DeleteItem'),
    Query: onTable('dynamodb:Query'),
  },
  SFN: {
    StartExecution: (input) => [
      request('states:StartExecution', [
        { arn: need(input, 'stateMachineArn', 'StartExecution'), type: 'stateMachine' },
      ]),
    ],
    // `cordon incidents` and `cordon evidence` read an incident's execution (the human operator policy).
    DescribeExecution: (input) => [
      request('states:DescribeExecution', [
        { arn: need(input, 'executionArn', 'DescribeExecution'), type: 'execution' },
      ]),
    ],
    SendTaskSuccess: unscoped('states:SendTaskSuccess'),
    SendTaskFailure: unscoped('states:SendTaskFailure'),
    SendTaskHeartbeat: unscoped('states:SendTaskHeartbeat'),
  },
  Lambda: {
    Invoke(input, scope) {
      const name = need(input, 'FunctionName', 'Invoke');
      const arn = name.startsWith('arn:')
        ? name.split(':').slice(0, 7).join(':')
        : `arn:aws:lambda:${scope.region}:${scope.account}:function:${name}`;
      return [request('lambda:InvokeFunction', [{ arn, type: 'function' }])];
    },
  },
  GuardDuty: {
    ListDetectors: unscoped('guardduty:ListDetectors'),
    ListFindings: unscoped('guardduty:ListFindings'),
    GetFindings: unscoped('guardduty:GetFindings'),
  },
  CloudWatch: {
    PutMetricAlarm(input, scope) {
      const name = need(input, 'AlarmName', 'PutMetricAlarm');
      const actions = texts(input, 'AlarmActions');
      return [
        request(
          'cloudwatch:PutMetricAlarm',
          [{ arn: `arn:aws:cloudwatch:${scope.region}:${scope.account}:alarm:${name}`, type: 'alarm' }],
          {
            ...requestTags(input.Tags as { Key?: string; Value?: string }[] | undefined),
            ...(actions.length === 0 ? {} : { 'cloudwatch:AlarmActions': actions }),
          },
        ),
      ];
    },
  },
};

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkAgainstReference, sandboxStateReader } from '../../src/iam/authorizer.ts';
import { IamReferenceMismatchError, IamRequestUnknownError } from '../../src/iam/errors.ts';
import { referenceAction } from '../../src/iam/reference.ts';
import {
  type CallScope,
  iamRequestsFor,
  modelledCommands,
  REQUEST_MODEL,
} from '../../src/iam/requests/index.ts';
import { createSandbox } from '../../src/sandbox/index.ts';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..', '..');
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

/** The sandbox service each SDK client package answers as. */
const CLIENT_SERVICES: Readonly<Record<string, string>> = {
  'client-ec2': 'EC2',
  'client-iam': 'IAM',
  'client-sts': 'STS',
  'client-auto-scaling': 'AutoScaling',
  'client-elastic-load-balancing': 'ElasticLoadBalancing',
  'client-elastic-load-balancing-v2': 'ElasticLoadBalancingV2',
  'client-sns': 'SNS',
  'client-ssm': 'SSM',
  'client-dynamodb': 'DynamoDB',
  'client-sfn': 'SFN',
  'client-lambda': 'Lambda',
  'client-guardduty': 'GuardDuty',
  'client-cloudwatch': 'CloudWatch',
  'client-config-service': 'ConfigService',
  'client-s3': 'S3',
  'client-s3-control': 'S3Control',
  'client-cloudtrail': 'CloudTrail',
  'client-kms': 'KMS',
  'client-rds': 'RDS',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

/** Every `<Service>.<Command>` the source of core and functions sends, from their SDK imports. */
function commandsCordonSends(): string[] {
  const sent = new Set<string>();
  for (const file of [
    ...sourceFiles(join(ROOT, 'packages/core/src')),
    ...sourceFiles(join(ROOT, 'packages/functions/src')),
  ]) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g)) {
      const service = CLIENT_SERVICES[match[2] as string];
      if (service === undefined) throw new Error(`${file}: no sandbox service for @aws-sdk/${match[2]}`);
      for (const name of (match[1] as string).split(',').map((part) => part.trim().replace(/^type\s+/, ''))) {
        // `new XCommand(` sends X; `paginateX(` sends X page by page.
        const command = /^(\w+)Command$/.exec(name)?.[1] ?? /^paginate(\w+)$/.exec(name)?.[1];
        if (command !== undefined && (text.includes(`new ${name}(`) || text.includes(`${name}(`))) {
          sent.add(`${service}.${command}`);
        }
      }
    }
    // Powertools Parameters reads SSM with GetParameter (getParameter) and GetParametersByPath (getMultiple).
    if (/@aws-lambda-powertools\/parameters\/ssm/.test(text)) {
      if (/\bgetParameter\(/.test(text)) sent.add('SSM.GetParameter');
      if (/SSMProvider/.test(text)) sent.add('SSM.GetParametersByPath');
    }
  }
  return [...sent].sort();
}

describe('the request model', () => {
  it('knows every command Cordon’s source sends (read from its SDK imports)', () => {
    const sent = commandsCordonSends();
    const modelled = new Set(modelledCommands().map(({ service, command }) => `${service}.${command}`));

    expect(sent.length).toBeGreaterThan(40);
    expect(sent).toEqual(
      expect.arrayContaining(['SFN.SendTaskSuccess', 'GuardDuty.ListDetectors', 'SSM.GetParameter']),
    );
    expect(sent.filter((call) => !modelled.has(call))).toEqual([]);
  });

  it('asks, for a tagged Authorize, for the group, the new rule and tagging on create by that call', async () => {
    // Prepare
    const sandbox = createSandbox({ accountId: ACCOUNT, region: REGION });
    sandbox.ec2.addVpc({ vpcId: 'vpc-0aaaaaaaaaaaaaaa1' });
    const group = sandbox.ec2.addSecurityGroup({ groupName: 'app', vpcId: 'vpc-0aaaaaaaaaaaaaaa1' });
    const scope: CallScope = {
      account: ACCOUNT,
      region: REGION,
      principalArn: `arn:aws:iam::${ACCOUNT}:role/cordon-test-release-remediation`,
      read: sandboxStateReader(sandbox),
    };
    const input = { GroupId: group, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22 }] };

    // Act
    const plain = await iamRequestsFor(
      { service: 'EC2', command: 'AuthorizeSecurityGroupIngress', input },
      scope,
    );
    const tagged = await iamRequestsFor(
      {
        service: 'EC2',
        command: 'AuthorizeSecurityGroupEgress',
        input: {
          ...input,
          TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'team', Value: 'web' }] }],
        },
      },
      scope,
    );

    // Assess
    expect(plain.map((each) => [each.action, each.resources.map((resource) => resource.type)])).toEqual([
      ['ec2:AuthorizeSecurityGroupIngress', ['security-group']],
    ]);
    expect(tagged.map((each) => [each.action, each.resources.map((resource) => resource.arn)])).toEqual([
      [
        'ec2:AuthorizeSecurityGroupEgress',
        [
          `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${group}`,
          `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group-rule/*`,
        ],
      ],
      ['ec2:CreateTags', [`arn:aws:ec2:${REGION}:${ACCOUNT}:security-group-rule/*`]],
    ]);
    expect(tagged[1]?.context).toMatchObject({
      'ec2:CreateAction': 'AuthorizeSecurityGroupEgress',
      'aws:TagKeys': ['team'],
      'aws:RequestTag/team': 'web',
    });
  });

  it('refuses a call it does not know, and one without the input it needs, with a named error', async () => {
    const scope: CallScope = {
      account: ACCOUNT,
      region: REGION,
      principalArn: 'arn:aws:iam::1:role/x',
      read: async () => undefined,
    };
    await expect(
      iamRequestsFor({ service: 'EC2', command: 'TerminateInstances', input: {} }, scope),
    ).rejects.toThrow(IamRequestUnknownError);
    await expect(iamRequestsFor({ service: 'SNS', command: 'Publish', input: {} }, scope)).rejects.toThrow(
      IamRequestUnknownError,
    );
  });

  it('names, for each command, only actions, resource types and ARN formats of the Service Authorization Reference', async () => {
    const sandbox = createSandbox({ accountId: ACCOUNT, region: REGION });
    sandbox.ec2.addVpc({ vpcId: 'vpc-0aaaaaaaaaaaaaaa1' });
    const group = sandbox.ec2.addSecurityGroup({
      groupName: 'app',
      vpcId: 'vpc-0aaaaaaaaaaaaaaa1',
      tags: { team: 'a' },
    });
    sandbox.ec2.addInstance({
      instanceId: 'i-0123456789abcdef0',
      vpcId: 'vpc-0aaaaaaaaaaaaaaa1',
      subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
      networkInterfaces: [{ networkInterfaceId: 'eni-0aaaaaaaaaaaaaaa1', groupIds: [group] }],
      volumes: [{ volumeId: 'vol-0aaaaaaaaaaaaaaa1', deviceName: '/dev/xvda', deleteOnTermination: true }],
      iamInstanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/web`,
    });
    sandbox.iam
      .addUser({ userName: 'alice', path: '/staff/', accessKeys: [{ accessKeyId: 'AKIAJQABLZS4A3QDU576' }] })
      .addRole({ roleName: 'web-role', path: '/apps/' })
      .addInstanceProfile({ name: 'web', roleName: 'web-role' });
    sandbox.autoScaling.addGroup({ name: 'web-asg', instances: [{ instanceId: 'i-0123456789abcdef0' }] });
    sandbox.dynamodb.createTable({
      tableName: 'cordon-test-ledger',
      partitionKey: 'incidentId',
      sortKey: 'sk',
    });
    sandbox.s3.addBucket({ name: 'reports-bucket', tags: { team: 'a' }, abac: true });
    sandbox.cloudTrail.addTrail({ name: 'management', s3BucketName: 'trail-logs' });
    const keyId = sandbox.kms.addKey({ aliases: ['orders'] });
    sandbox.rds
      .addInstance({ identifier: 'orders' })
      .addSnapshot({ identifier: 'orders-snap' })
      .addClusterSnapshot({ identifier: 'aurora-snap' });
    sandbox.ec2.addSnapshot({ snapshotId: 'snap-0aaaaaaaaaaaaaaa1' });
    const scope: CallScope = {
      account: ACCOUNT,
      region: REGION,
      principalArn: `arn:aws:iam::${ACCOUNT}:role/cordon-test-x`,
      read: sandboxStateReader(sandbox),
    };
    const tags = [{ Key: 'cordon:incident', Value: 'i-1' }];
    const inputs: Readonly<Record<string, Record<string, unknown>>> = {
      'EC2.DescribeInstanceAttribute': { InstanceId: 'i-0123456789abcdef0', Attribute: 'groupSet' },
      'EC2.ModifyInstanceAttribute': {
        InstanceId: 'i-0123456789abcdef0',
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { DeleteOnTermination: false } }],
      },
      'EC2.ModifyNetworkInterfaceAttribute': { NetworkInterfaceId: 'eni-0aaaaaaaaaaaaaaa1', Groups: [group] },
      'EC2.CreateSecurityGroup': {
        GroupName: 'cordon-isolation',
        VpcId: 'vpc-0aaaaaaaaaaaaaaa1',
        TagSpecifications: [
          { ResourceType: 'security-group', Tags: [{ Key: 'cordon:managed', Value: 'true' }] },
        ],
      },
      'EC2.CreateSnapshot': {
        VolumeId: 'vol-0aaaaaaaaaaaaaaa1',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
      },
      'EC2.CreateTags': { Resources: ['i-0123456789abcdef0', group], Tags: tags },
      'EC2.DeleteTags': { Resources: ['i-0123456789abcdef0'], Tags: [{ Key: 'cordon:incident' }] },
      // Tagged, so that the new rule (security-group-rule) and tagging on create are checked too.
      'EC2.AuthorizeSecurityGroupIngress': {
        GroupId: group,
        TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'team', Value: 'web' }] }],
      },
      'EC2.AuthorizeSecurityGroupEgress': { GroupId: group },
      'EC2.RevokeSecurityGroupIngress': { GroupId: group },
      'EC2.RevokeSecurityGroupEgress': { GroupId: group },
      'EC2.DisassociateIamInstanceProfile': { AssociationId: 'iip-assoc-unknown' },
      'EC2.ReplaceIamInstanceProfileAssociation': {
        AssociationId: 'iip-assoc-unknown',
        IamInstanceProfile: { Arn: `arn:aws:iam::${ACCOUNT}:instance-profile/web` },
      },
      'EC2.AssociateIamInstanceProfile': {
        InstanceId: 'i-0123456789abcdef0',
        IamInstanceProfile: { Name: 'web' },
      },
      'IAM.GetAccessKeyLastUsed': { AccessKeyId: 'AKIAJQABLZS4A3QDU576' },
      'IAM.GetInstanceProfile': { InstanceProfileName: 'web' },
      'STS.AssumeRole': { RoleArn: `arn:aws:iam::${ACCOUNT}:role/CordonResponder-isolate-instance` },
      'AutoScaling.EnterStandby': { AutoScalingGroupName: 'web-asg' },
      'AutoScaling.ExitStandby': { AutoScalingGroupName: 'web-asg' },
      'AutoScaling.DetachInstances': { AutoScalingGroupName: 'web-asg' },
      'ElasticLoadBalancingV2.RegisterTargets': {
        TargetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/web/0123456789abcdef`,
      },
      'ElasticLoadBalancingV2.DeregisterTargets': {
        TargetGroupArn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/web/0123456789abcdef`,
      },
      'ElasticLoadBalancing.RegisterInstancesWithLoadBalancer': { LoadBalancerName: 'web' },
      'ElasticLoadBalancing.DeregisterInstancesFromLoadBalancer': { LoadBalancerName: 'web' },
      'SNS.Publish': { TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:cordon-test-notifications` },
      'SSM.GetParameter': { Name: '/cordon/test/secrets/link-signing-key' },
      'SSM.GetParameters': { Names: ['/cordon/test/a', '/cordon/test/b'] },
      'SSM.GetParametersByPath': { Path: '/cordon/test/settings', Recursive: true },
      'SSM.PutParameter': { Name: '/cordon/test/settings/mode', Value: 'live', Overwrite: true },
      'SSM.DeleteParameters': { Names: ['/cordon/test/settings/mode'] },
      'SSM.AddTagsToResource': {
        ResourceType: 'Parameter',
        ResourceId: '/cordon/test/settings/mode',
        Tags: [{ Key: 'cordon:pushed-by', Value: `arn:aws:iam::${ACCOUNT}:role/admin` }],
      },
      'SFN.DescribeExecution': {
        executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:cordon-test-ec2-compromise:run-1`,
      },
      'SFN.StartExecution': {
        stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:cordon-test-ec2-compromise`,
      },
      'Lambda.Invoke': { FunctionName: 'cordon-test-triage' },
      'CloudWatch.PutMetricAlarm': { AlarmName: 'RootAccountUsage', AlarmActions: ['arn:aws:sns:x'] },
      'EC2.DescribeSnapshotAttribute': {
        SnapshotId: 'snap-0aaaaaaaaaaaaaaa1',
        Attribute: 'createVolumePermission',
      },
      'EC2.ModifySnapshotAttribute': {
        SnapshotId: 'snap-0aaaaaaaaaaaaaaa1',
        OperationType: 'remove',
        GroupNames: ['all'],
      },
      'CloudTrail.ListTags': { ResourceIdList: [`arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/management`] },
      'KMS.DescribeKey': { KeyId: 'alias/orders' },
      'KMS.EnableKeyRotation': { KeyId: keyId, RotationPeriodInDays: 180 },
      'RDS.DescribeDBInstances': {},
      'RDS.DescribeDBSnapshots': { DBInstanceIdentifier: 'orders' },
      'RDS.DescribeDBClusterSnapshots': { DBClusterIdentifier: 'aurora' },
      'RDS.ListTagsForResource': { ResourceName: `arn:aws:rds:${REGION}:${ACCOUNT}:db:orders` },
    };
    const serviceInputs: Readonly<Record<string, Record<string, unknown>>> = {
      S3: { Bucket: 'reports-bucket', ACL: 'private' },
      CloudTrail: { Name: 'management' },
      KMS: { KeyId: keyId },
      RDS: {
        DBInstanceIdentifier: 'orders',
        DBSnapshotIdentifier: 'orders-snap',
        DBClusterSnapshotIdentifier: 'aurora-snap',
      },
    };
    const userCommand = { UserName: 'alice' };
    const roleCommand = { RoleName: 'web-role' };
    let checked = 0;
    for (const { service, command } of modelledCommands()) {
      const key = `${service}.${command}`;
      const input =
        inputs[key] ??
        (service === 'IAM' && /User|AccessKey|LoginProfile/.test(command) ? userCommand : undefined) ??
        (service === 'IAM' && /Role/.test(command) ? roleCommand : undefined) ??
        serviceInputs[service] ??
        (service === 'DynamoDB'
          ? { TableName: 'cordon-test-ledger', Key: { incidentId: { S: 'lease#i-1' }, sk: { S: '~lease' } } }
          : {});
      const requests = await iamRequestsFor({ service, command, input }, scope);
      for (const request of requests) await checkAgainstReference(request);
      checked += 1;
    }
    expect(checked).toBe(modelledCommands().length);
  });

  it('gives each resource its own tags and the ENI change its instance, subnet and groups', async () => {
    const sandbox = createSandbox({ accountId: ACCOUNT, region: REGION });
    sandbox.ec2.addVpc({ vpcId: 'vpc-0aaaaaaaaaaaaaaa1' });
    const group = sandbox.ec2.addSecurityGroup({
      groupName: 'cordon-isolation',
      vpcId: 'vpc-0aaaaaaaaaaaaaaa1',
      tags: { 'cordon:managed': 'true' },
    });
    sandbox.ec2.addInstance({
      instanceId: 'i-0123456789abcdef0',
      vpcId: 'vpc-0aaaaaaaaaaaaaaa1',
      subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
      networkInterfaces: [{ networkInterfaceId: 'eni-0aaaaaaaaaaaaaaa1', groupIds: [group] }],
      tags: { owner: 'web' },
    });
    const scope: CallScope = {
      account: ACCOUNT,
      region: REGION,
      principalArn: 'p',
      read: sandboxStateReader(sandbox),
    };
    const [request] = await iamRequestsFor(
      {
        service: 'EC2',
        command: 'ModifyNetworkInterfaceAttribute',
        input: { NetworkInterfaceId: 'eni-0aaaaaaaaaaaaaaa1', Groups: [group] },
      },
      scope,
    );

    expect(request?.resources).toEqual([
      {
        arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/eni-0aaaaaaaaaaaaaaa1`,
        type: 'network-interface',
        context: {},
      },
      {
        arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
        type: 'instance',
        context: { 'aws:ResourceTag/owner': 'web', 'ec2:ResourceTag/owner': 'web' },
      },
      {
        arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0aaaaaaaaaaaaaaa1`,
        type: 'subnet',
        context: {},
      },
      {
        arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${group}`,
        type: 'security-group',
        context: { 'aws:ResourceTag/cordon:managed': 'true', 'ec2:ResourceTag/cordon:managed': 'true' },
      },
    ]);
  });

  it('asks for ec2:CreateTags with ec2:CreateAction when a creating call tags what it creates', async () => {
    const scope: CallScope = {
      account: ACCOUNT,
      region: REGION,
      principalArn: 'p',
      read: async () => undefined,
    };
    const requests = await iamRequestsFor(
      {
        service: 'EC2',
        command: 'CreateSnapshot',
        input: {
          VolumeId: 'vol-1',
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'cordon:incident', Value: 'x' }] }],
        },
      },
      scope,
    );

    expect(requests.map((request) => [request.action, request.context['ec2:CreateAction']])).toEqual([
      ['ec2:CreateSnapshot', undefined],
      ['ec2:CreateTags', 'CreateSnapshot'],
    ]);
    expect(requests[0]?.resources.map((resource) => resource.arn)).toEqual([
      `arn:aws:ec2:${REGION}::snapshot/*`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:volume/vol-1`,
    ]);
  });

  it('leaves aws:TagKeys out of a DeleteTags that names no key (it deletes every tag)', async () => {
    const scope: CallScope = {
      account: ACCOUNT,
      region: REGION,
      principalArn: 'p',
      read: async () => undefined,
    };
    const [every] = await iamRequestsFor(
      { service: 'EC2', command: 'DeleteTags', input: { Resources: ['i-0123456789abcdef0'] } },
      scope,
    );
    expect(every?.context['aws:TagKeys']).toBeUndefined();
  });
});

describe('checkAgainstReference', () => {
  it('refuses a resource on an action with no resource type, an unknown type, a wrong ARN and a misspelling', async () => {
    await expect(
      checkAgainstReference({
        action: 'states:SendTaskSuccess',
        resources: [{ arn: 'arn:aws:states:x:1:stateMachine:y', type: 'stateMachine' }],
        context: {},
      }),
    ).rejects.toThrow(IamReferenceMismatchError);
    await expect(
      checkAgainstReference({
        action: 'sns:Publish',
        resources: [{ arn: 'arn:aws:sns:us-east-1:111122223333:t', type: 'queue' }],
        context: {},
      }),
    ).rejects.toThrow(/no resource type queue/);
    await expect(
      checkAgainstReference({
        action: 'sns:Publish',
        resources: [{ arn: 'arn:aws:sqs:us-east-1:111122223333:t', type: 'topic' }],
        context: {},
      }),
    ).rejects.toThrow(/is not a topic ARN/);
    await expect(
      checkAgainstReference({ action: 'ec2:describeinstances', resources: [{ arn: '*' }], context: {} }),
    ).rejects.toThrow(/spelled ec2:DescribeInstances/);
    await expect(referenceAction('ec2:DescribeInstance')).rejects.toThrow(IamReferenceMismatchError);
  });

  it('accepts every request the model builds for the commands it knows (the table is non-empty)', () => {
    expect(Object.keys(REQUEST_MODEL).length).toBeGreaterThanOrEqual(18);
  });
});

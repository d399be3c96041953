/**
 * EC2 calls → IAM requests. Sources: the EC2 page of the Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html: each action's
 * resource types and condition keys; the reference test checks every request built here against the data),
 * and "the parameters that you specify in the request determine the required permissions"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ec2-api-permissions.html).
 *
 * Where the SAR lists an optional resource type the call involves (the instance an ENI is attached to, its
 * subnet, the volumes a block-device change names), the request includes it: the policies must grant it, so
 * that a call allowed here is not refused by AWS for a resource type the model left out.
 *
 * Tagging on create: "If tags are specified in the resource-creating action, Amazon performs additional
 * authorization on the ec2:CreateTags action" with `ec2:CreateAction` set to the creating action
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
 */
import type { ContextValue } from '../conditions.ts';
import type { IamRequest, ResourceRequest } from '../evaluate.ts';
import { passRoleToEc2 } from './iam.ts';
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

type Tag = { readonly Key?: string; readonly Value?: string };

/** The resource type of an EC2 id, by its prefix (`i-` → instance …). */
const ID_TYPES: readonly (readonly [string, string])[] = [
  ['i-', 'instance'],
  ['sg-', 'security-group'],
  ['eni-', 'network-interface'],
  ['vol-', 'volume'],
  ['snap-', 'snapshot'],
  ['vpc-', 'vpc'],
  ['subnet-', 'subnet'],
  ['ami-', 'image'],
];

function typeOfId(id: string): string | undefined {
  return ID_TYPES.find(([prefix]) => id.startsWith(prefix))?.[1];
}

/** An EC2 ARN; snapshots (and images) carry no account. */
export function ec2Arn(scope: Pick<CallScope, 'account' | 'region'>, type: string, id: string): string {
  const account = type === 'snapshot' || type === 'image' ? '' : scope.account;
  return `arn:aws:ec2:${scope.region}:${account}:${type}/${id}`;
}

async function tagsOf(scope: CallScope, id: string): Promise<Tag[]> {
  const answer = (await scope.read('EC2', 'DescribeTags', {
    Filters: [{ Name: 'resource-id', Values: [id] }],
  })) as { Tags?: Tag[] } | undefined;
  return answer?.Tags ?? [];
}

/** An existing EC2 resource, with its tags as `aws:ResourceTag/…` and `ec2:ResourceTag/…`. */
async function existing(scope: CallScope, type: string, id: string): Promise<ResourceRequest> {
  return { arn: ec2Arn(scope, type, id), type, context: resourceTags(await tagsOf(scope, id), 'ec2') };
}

async function byId(scope: CallScope, id: string): Promise<ResourceRequest> {
  const type = typeOfId(id);
  if (type === undefined) return { arn: ec2Arn(scope, 'unknown', id), type: 'unknown' };
  return existing(scope, type, id);
}

interface NetworkInterface {
  readonly Attachment?: { readonly InstanceId?: string };
  readonly SubnetId?: string;
}

async function networkInterface(scope: CallScope, id: string): Promise<NetworkInterface | undefined> {
  const answer = (await scope.read('EC2', 'DescribeNetworkInterfaces', { NetworkInterfaceIds: [id] })) as
    | { NetworkInterfaces?: NetworkInterface[] }
    | undefined;
  return answer?.NetworkInterfaces?.[0];
}

async function associationInstance(
  scope: CallScope,
  associationId: string | undefined,
): Promise<string | undefined> {
  if (associationId === undefined) return undefined;
  const answer = (await scope.read('EC2', 'DescribeIamInstanceProfileAssociations', {
    AssociationIds: [associationId],
  })) as { IamInstanceProfileAssociations?: { InstanceId?: string }[] } | undefined;
  return answer?.IamInstanceProfileAssociations?.[0]?.InstanceId;
}

async function instanceVolumes(
  scope: CallScope,
  instanceId: string,
  devices: readonly string[],
): Promise<string[]> {
  if (devices.length === 0) return [];
  const answer = (await scope.read('EC2', 'DescribeInstances', { InstanceIds: [instanceId] })) as
    | {
        Reservations?: {
          Instances?: { BlockDeviceMappings?: { DeviceName?: string; Ebs?: { VolumeId?: string } }[] }[];
        }[];
      }
    | undefined;
  const mappings = answer?.Reservations?.[0]?.Instances?.[0]?.BlockDeviceMappings ?? [];
  return mappings
    .filter((mapping) => mapping.DeviceName !== undefined && devices.includes(mapping.DeviceName))
    .map((mapping) => mapping.Ebs?.VolumeId)
    .filter((id): id is string => id !== undefined);
}

/** The tags a creating call asks for on one resource type (`TagSpecifications`). */
function specifiedTags(input: Readonly<Record<string, unknown>>, resourceType: string): Tag[] {
  const specifications = (input.TagSpecifications ?? []) as { ResourceType?: string; Tags?: Tag[] }[];
  return specifications
    .filter((spec) => spec.ResourceType === resourceType)
    .flatMap((spec) => spec.Tags ?? []);
}

/** The resource a call creates: its ARN is not known yet (`…/*`), its tags are the request's. */
function created(scope: CallScope, type: string, tags: readonly Tag[]): ResourceRequest {
  return { arn: ec2Arn(scope, type, '*'), type, context: requestTags(tags) };
}

/** The `ec2:CreateTags` authorization that tagging on create adds. */
function tagOnCreate(
  scope: CallScope,
  createAction: string,
  type: string,
  tags: readonly Tag[],
): IamRequest[] {
  if (tags.length === 0) return [];
  return [
    request('ec2:CreateTags', [{ arn: ec2Arn(scope, type, '*'), type }], {
      ...requestTags(tags),
      'ec2:CreateAction': createAction,
    }),
  ];
}

function required(input: Readonly<Record<string, unknown>>, key: string, command: string): string {
  const value = text(input, key);
  if (value === undefined) throw new TypeError(`${command} without ${key}`);
  return value;
}

const securityGroupRules =
  (action: string): RequestBuilder =>
  async (input, scope) => [
    request(action, [await existing(scope, 'security-group', required(input, 'GroupId', action))]),
  ];

/**
 * ModifySnapshotAttribute's own keys on the snapshot: the group (`all`) and account ids it adds or removes
 * (`ec2:Add/group`, `ec2:Add/userId`, `ec2:Remove/group`, `ec2:Remove/userId`, single-valued in the SAR: several
 * values are given as a list), in either input form.
 */
function permissionChanges(input: Readonly<Record<string, unknown>>): Record<string, ContextValue> {
  type Permission = { readonly Group?: string; readonly UserId?: string };
  // The SDK hands over the command's input: `CreateVolumePermission` is `{ Add?, Remove? }` of permissions.
  const modifications = (input.CreateVolumePermission ?? {}) as { Add?: Permission[]; Remove?: Permission[] };
  const named: Permission[] = [
    ...texts(input, 'GroupNames').map((Group) => ({ Group })),
    ...texts(input, 'UserIds').map((UserId) => ({ UserId })),
  ];
  const add = [...(modifications.Add ?? []), ...(input.OperationType === 'add' ? named : [])];
  const remove = [...(modifications.Remove ?? []), ...(input.OperationType === 'remove' ? named : [])];
  const context: Record<string, ContextValue> = {};
  const put = (key: string, values: string[]) => {
    if (values.length === 1) context[key] = values[0] as string;
    else if (values.length > 1) context[key] = values;
  };
  for (const [verb, permissions] of [
    ['Add', add],
    ['Remove', remove],
  ] as const) {
    put(
      `ec2:${verb}/group`,
      permissions.flatMap((p) => (p.Group === undefined ? [] : [p.Group])),
    );
    put(
      `ec2:${verb}/userId`,
      permissions.flatMap((p) => (p.UserId === undefined ? [] : [p.UserId])),
    );
  }
  return context;
}

export const EC2_REQUESTS: Readonly<Record<string, RequestBuilder>> = {
  // EBS encryption by default is a Region setting: no resource type.
  GetEbsEncryptionByDefault: unscoped('ec2:GetEbsEncryptionByDefault'),
  EnableEbsEncryptionByDefault: unscoped('ec2:EnableEbsEncryptionByDefault'),
  DisableEbsEncryptionByDefault: unscoped('ec2:DisableEbsEncryptionByDefault'),

  async DescribeSnapshotAttribute(input, scope) {
    const snapshotId = required(input, 'SnapshotId', 'DescribeSnapshotAttribute');
    return [request('ec2:DescribeSnapshotAttribute', [await existing(scope, 'snapshot', snapshotId)])];
  },

  async ModifySnapshotAttribute(input, scope) {
    const snapshot = await existing(
      scope,
      'snapshot',
      required(input, 'SnapshotId', 'ModifySnapshotAttribute'),
    );
    return [
      request('ec2:ModifySnapshotAttribute', [
        { ...snapshot, context: { ...snapshot.context, ...permissionChanges(input) } },
      ]),
    ];
  },

  DescribeInstances: unscoped('ec2:DescribeInstances'),
  DescribeSecurityGroups: unscoped('ec2:DescribeSecurityGroups'),
  DescribeSnapshots: unscoped('ec2:DescribeSnapshots'),
  DescribeIamInstanceProfileAssociations: unscoped('ec2:DescribeIamInstanceProfileAssociations'),
  DescribeNetworkInterfaces: unscoped('ec2:DescribeNetworkInterfaces'),
  DescribeVolumes: unscoped('ec2:DescribeVolumes'),
  DescribeVpcs: unscoped('ec2:DescribeVpcs'),
  DescribeTags: unscoped('ec2:DescribeTags'),

  async DescribeInstanceAttribute(input, scope) {
    const instanceId = required(input, 'InstanceId', 'DescribeInstanceAttribute');
    return [request('ec2:DescribeInstanceAttribute', [await existing(scope, 'instance', instanceId)])];
  },

  async ModifyInstanceAttribute(input, scope) {
    const instanceId = required(input, 'InstanceId', 'ModifyInstanceAttribute');
    const mappings = (input.BlockDeviceMappings ?? []) as { DeviceName?: string }[];
    const devices = mappings
      .map((mapping) => mapping.DeviceName)
      .filter((name): name is string => name !== undefined);
    const volumes = await instanceVolumes(scope, instanceId, devices);
    const resources = await Promise.all([
      existing(scope, 'instance', instanceId),
      ...texts(input, 'Groups').map((group) => existing(scope, 'security-group', group)),
      ...volumes.map((volume) => existing(scope, 'volume', volume)),
    ]);
    return [request('ec2:ModifyInstanceAttribute', resources)];
  },

  async ModifyNetworkInterfaceAttribute(input, scope) {
    const eniId = required(input, 'NetworkInterfaceId', 'ModifyNetworkInterfaceAttribute');
    const eni = await networkInterface(scope, eniId);
    const instanceId = eni?.Attachment?.InstanceId;
    const resources = await Promise.all([
      existing(scope, 'network-interface', eniId),
      ...(instanceId === undefined ? [] : [existing(scope, 'instance', instanceId)]),
      ...(eni?.SubnetId === undefined ? [] : [existing(scope, 'subnet', eni.SubnetId)]),
      ...texts(input, 'Groups').map((group) => existing(scope, 'security-group', group)),
    ]);
    return [request('ec2:ModifyNetworkInterfaceAttribute', resources)];
  },

  async CreateSecurityGroup(input, scope) {
    const tags = specifiedTags(input, 'security-group');
    const vpcId = text(input, 'VpcId');
    const resources = [
      created(scope, 'security-group', tags),
      ...(vpcId === undefined ? [] : [await existing(scope, 'vpc', vpcId)]),
    ];
    return [
      request('ec2:CreateSecurityGroup', resources),
      ...tagOnCreate(scope, 'CreateSecurityGroup', 'security-group', tags),
    ];
  },

  async CreateSnapshot(input, scope) {
    const volumeId = required(input, 'VolumeId', 'CreateSnapshot');
    const tags = specifiedTags(input, 'snapshot');
    return [
      request('ec2:CreateSnapshot', [
        created(scope, 'snapshot', tags),
        await existing(scope, 'volume', volumeId),
      ]),
      ...tagOnCreate(scope, 'CreateSnapshot', 'snapshot', tags),
    ];
  },

  async CreateTags(input, scope) {
    const resources = await Promise.all(texts(input, 'Resources').map((id) => byId(scope, id)));
    return [request('ec2:CreateTags', resources, requestTags(input.Tags as Tag[] | undefined))];
  },

  async DeleteTags(input, scope) {
    // Without `Tags`, DeleteTags deletes every tag of the resources and names no key: aws:TagKeys is absent.
    const resources = await Promise.all(texts(input, 'Resources').map((id) => byId(scope, id)));
    return [request('ec2:DeleteTags', resources, requestTags(input.Tags as Tag[] | undefined))];
  },

  AuthorizeSecurityGroupIngress: securityGroupRules('ec2:AuthorizeSecurityGroupIngress'),
  AuthorizeSecurityGroupEgress: securityGroupRules('ec2:AuthorizeSecurityGroupEgress'),
  RevokeSecurityGroupIngress: securityGroupRules('ec2:RevokeSecurityGroupIngress'),
  RevokeSecurityGroupEgress: securityGroupRules('ec2:RevokeSecurityGroupEgress'),

  async DisassociateIamInstanceProfile(input, scope) {
    const instanceId = await associationInstance(scope, text(input, 'AssociationId'));
    return [
      request('ec2:DisassociateIamInstanceProfile', [
        instanceId === undefined
          ? { arn: ec2Arn(scope, 'instance', '*'), type: 'instance' }
          : await existing(scope, 'instance', instanceId),
      ]),
    ];
  },

  async ReplaceIamInstanceProfileAssociation(input, scope) {
    const instanceId = await associationInstance(scope, text(input, 'AssociationId'));
    const instance =
      instanceId === undefined
        ? { arn: ec2Arn(scope, 'instance', '*'), type: 'instance' }
        : await existing(scope, 'instance', instanceId);
    return [
      request('ec2:ReplaceIamInstanceProfileAssociation', [instance]),
      ...(await passRoleToEc2(input.IamInstanceProfile, instance.arn, scope)),
    ];
  },

  async AssociateIamInstanceProfile(input, scope) {
    const instance = await existing(
      scope,
      'instance',
      required(input, 'InstanceId', 'AssociateIamInstanceProfile'),
    );
    return [
      request('ec2:AssociateIamInstanceProfile', [instance]),
      ...(await passRoleToEc2(input.IamInstanceProfile, instance.arn, scope)),
    ];
  },
};

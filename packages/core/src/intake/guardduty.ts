import * as z from '../zod.ts';
import { classifyFinding, keyTypeOf } from './finding-types.ts';
import {
  type AccessKeyResource,
  type Ec2InstanceResource,
  type GuardDutyFacts,
  type Incident,
  makeIncidentId,
  type NetworkInterfaceRef,
  type Resource,
  type ResourceRole,
  severityOf,
} from './incident.ts';
import { camelCaseKeys, isPascalCaseFinding } from './pascal-case.ts';
import { accepted, type IntakeResult, rejected } from './result.ts';
import { toIsoTime } from './timestamps.ts';

/*
 * The parts of a GuardDuty finding (camelCase, as EventBridge delivers it) that Cordon reads. Objects are
 * loose: AWS adds fields, and a field we do not read must never make a finding fail. Types are strict where
 * we rely on them (ids are strings, severity a number in range).
 */
const optionalString = z.catch(z.optional(z.string()), undefined);
const tagList = z.catch(
  z.optional(z.array(z.looseObject({ key: z.string(), value: z.nullish(z.string()) }))),
  undefined,
);

const NetworkInterfaceSchema = z.looseObject({
  networkInterfaceId: z.string(),
  subnetId: optionalString,
  vpcId: optionalString,
  privateIpAddress: optionalString,
  publicIp: optionalString,
  securityGroups: z.catch(
    z.optional(z.array(z.looseObject({ groupId: z.string(), groupName: optionalString }))),
    undefined,
  ),
});

const InstanceDetailsSchema = z.looseObject({
  instanceId: z.string().check(z.minLength(1)),
  instanceType: optionalString,
  availabilityZone: optionalString,
  iamInstanceProfile: z.catch(z.nullish(z.looseObject({ arn: optionalString })), undefined),
  networkInterfaces: z.catch(z.optional(z.array(NetworkInterfaceSchema)), undefined),
  tags: tagList,
});

const AccessKeyDetailsSchema = z.looseObject({
  accessKeyId: optionalString,
  principalId: optionalString,
  userName: optionalString,
  userType: optionalString,
});

export const GuardDutyFindingSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  accountId: z.string().check(z.minLength(1)),
  region: optionalString,
  type: z.string().check(z.minLength(1)),
  title: optionalString,
  description: optionalString,
  severity: z.number().check(z.gte(0), z.lte(10)),
  createdAt: z.optional(z.unknown()),
  updatedAt: z.optional(z.unknown()),
  resource: z.catch(
    z.optional(
      z.looseObject({
        resourceType: optionalString,
        instanceDetails: z.catch(z.nullish(InstanceDetailsSchema), undefined),
        accessKeyDetails: z.catch(z.nullish(AccessKeyDetailsSchema), undefined),
        s3BucketDetails: z.catch(
          z.nullish(z.array(z.looseObject({ name: optionalString, arn: optionalString }))),
          undefined,
        ),
        eksClusterDetails: z.catch(z.nullish(z.looseObject({ name: optionalString })), undefined),
        rdsDbInstanceDetails: z.catch(
          z.nullish(z.looseObject({ dbInstanceIdentifier: optionalString })),
          undefined,
        ),
        lambdaDetails: z.catch(z.nullish(z.looseObject({ functionName: optionalString })), undefined),
        ecsClusterDetails: z.catch(z.nullish(z.looseObject({ name: optionalString })), undefined),
      }),
    ),
    undefined,
  ),
  service: z.catch(
    z.optional(
      z.looseObject({
        count: z.catch(z.optional(z.number().check(z.int(), z.gte(0))), undefined),
        archived: z.catch(z.optional(z.boolean()), undefined),
        resourceRole: optionalString,
        featureName: optionalString,
        eventFirstSeen: z.optional(z.unknown()),
        eventLastSeen: z.optional(z.unknown()),
        additionalInfo: z.optional(z.unknown()),
        action: z.catch(
          z.nullish(
            z.looseObject({
              actionType: optionalString,
              networkConnectionAction: z.catch(
                z.nullish(z.looseObject({ connectionDirection: optionalString })),
                undefined,
              ),
              awsApiCallAction: z.catch(z.nullish(z.looseObject({ api: optionalString })), undefined),
            }),
          ),
          undefined,
        ),
      }),
    ),
    undefined,
  ),
});
export type GuardDutyFinding = z.infer<typeof GuardDutyFindingSchema>;

/** Where the finding came from, for the incident's facts and notes. */
export interface GuardDutyEnvelope {
  readonly shape: 'eventbridge' | 'raw';
  readonly account?: string;
  readonly region?: string;
  readonly time?: string;
}

/**
 * Normalizes one GuardDuty finding — the `detail` of an EventBridge event or a raw GetFindings finding —
 * into an incident. PascalCase findings (the SDK's casing) are converted on purpose and say so in `notes`.
 * Never throws: a finding that cannot be read is rejected with the reason.
 *
 * @example
 * normalizeGuardDutyFinding(event.detail, { shape: 'eventbridge', account: event.account, region: event.region })
 */
export function normalizeGuardDutyFinding(input: unknown, envelope: GuardDutyEnvelope): IntakeResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return rejected('guardduty-finding', 'The GuardDuty finding is not a JSON object.');
  }
  const notes: string[] = [];
  let finding: unknown = input;
  let pascal = false;
  if (isPascalCaseFinding(input as Record<string, unknown>)) {
    finding = camelCaseKeys(input);
    pascal = true;
    notes.push(
      'The finding used PascalCase keys (the AWS SDK casing, not what EventBridge delivers); Cordon converted it to camelCase on purpose.',
    );
  }
  const parsed = GuardDutyFindingSchema.safeParse(finding);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    return rejected(
      'guardduty-finding',
      `The GuardDuty finding is missing required fields: ${problems.join('; ')}.`,
    );
  }
  const data = parsed.data;
  const region = data.region ?? envelope.region;
  if (region === undefined || region === '') {
    return rejected(
      'guardduty-finding',
      'The GuardDuty finding names no region, and neither does its envelope.',
    );
  }
  const updatedAt = toIsoTime(data.updatedAt) ?? toIsoTime(data.createdAt) ?? toIsoTime(envelope.time);
  if (updatedAt === undefined) {
    return rejected('guardduty-finding', 'The GuardDuty finding has no readable updatedAt/createdAt time.');
  }
  const observedAt = toIsoTime(data.service?.eventLastSeen) ?? updatedAt;
  if (envelope.account !== undefined && envelope.account !== data.accountId) {
    notes.push(
      `Delivered in account ${envelope.account} for member account ${data.accountId} (GuardDuty delegated administrator).`,
    );
  }

  const action = data.service?.action ?? undefined;
  const accessKey = data.resource?.accessKeyDetails ?? undefined;
  const classification = classifyFinding({
    type: data.type,
    resourceType: data.resource?.resourceType,
    actionType: action?.actionType,
    connectionDirection: action?.networkConnectionAction?.connectionDirection,
    userType: accessKey?.userType,
    accessKeyId: accessKey?.accessKeyId,
  });
  const facts: GuardDutyFacts = {
    source: 'guardduty',
    findingType: data.type,
    resourceType: data.resource?.resourceType,
    actionType: action?.actionType,
    connectionDirection: action?.networkConnectionAction?.connectionDirection,
    resourceRole: data.service?.resourceRole,
    featureName: data.service?.featureName,
    api: action?.awsApiCallAction?.api,
    findingFamily: classification.family,
    knownType: classification.known,
    archived: data.service?.archived ?? false,
    shape: pascal ? `${envelope.shape}-pascalcase` : envelope.shape,
  };
  const incident: Incident = {
    id: makeIncidentId('guardduty', data.accountId, region, data.id),
    source: 'guardduty',
    account: data.accountId,
    region,
    type: data.type,
    title: data.title ?? data.type,
    description: data.description,
    severity: severityOf(data.severity),
    category: classification.category,
    resources: resourcesOf(data, classification.role, data.accountId),
    observedAt,
    sample: isSample(data.service?.additionalInfo),
    nativeId: data.id,
    count: data.service?.count ?? 1,
    updatedAt,
    facts,
    notes: [...notes, classification.rationale],
  };
  return accepted(incident, envelope.shape === 'eventbridge' ? 'guardduty-eventbridge' : 'guardduty-finding');
}

/**
 * `service.additionalInfo.sample == true` marks CreateSampleFindings output (DOMAIN.md item 2). Newer findings
 * carry it inside `additionalInfo.value`, a JSON string (`{"type":"default","value":"{\"sample\":true}"}`).
 */
function isSample(additionalInfo: unknown): boolean {
  if (additionalInfo === null || typeof additionalInfo !== 'object') return false;
  const info = additionalInfo as Record<string, unknown>;
  if (info.sample === true || info.sample === 'true') return true;
  if (typeof info.value === 'string') {
    try {
      const inner: unknown = JSON.parse(info.value);
      return (
        inner !== null && typeof inner === 'object' && (inner as Record<string, unknown>).sample === true
      );
    } catch {
      return false;
    }
  }
  return false;
}

function resourcesOf(finding: GuardDutyFinding, role: ResourceRole, account: string): Resource[] {
  const resource = finding.resource;
  if (resource === undefined) return [];
  const resources: Resource[] = [];
  const accessKey = resource.accessKeyDetails ?? undefined;
  const instance = resource.instanceDetails ?? undefined;
  // Only the finding's own resource type takes the classified role. An access-key finding that also carries
  // instance details must not isolate that instance (DOMAIN.md 6); the key behind an S3 finding is the actor.
  const primary =
    resource.resourceType ?? (accessKey !== undefined && instance === undefined ? 'AccessKey' : 'Instance');
  if (accessKey !== undefined) {
    resources.push(accessKeyResource(accessKey, primary === 'AccessKey' ? role : 'actor'));
  }
  if (instance !== undefined) {
    resources.push(instanceResource(instance, primary === 'Instance' ? role : 'related'));
  }
  for (const bucket of resource.s3BucketDetails ?? []) {
    if (bucket.name !== undefined) {
      resources.push({
        kind: 'aws-resource',
        role: 'affected',
        resourceType: 'AWS::S3::Bucket',
        resourceId: bucket.name,
      });
    }
  }
  const named: Array<[string, string | undefined]> = [
    ['AWS::EKS::Cluster', resource.eksClusterDetails?.name],
    ['AWS::RDS::DBInstance', resource.rdsDbInstanceDetails?.dbInstanceIdentifier],
    ['AWS::Lambda::Function', resource.lambdaDetails?.functionName],
    ['AWS::ECS::Cluster', resource.ecsClusterDetails?.name],
  ];
  for (const [resourceType, resourceId] of named) {
    if (resourceId !== undefined)
      resources.push({ kind: 'aws-resource', role: 'affected', resourceType, resourceId });
  }
  if (resource.resourceType === 'AttackSequence') {
    resources.push({ kind: 'account', role: 'affected', accountId: account });
  }
  return resources;
}

function accessKeyResource(
  details: z.infer<typeof AccessKeyDetailsSchema>,
  role: ResourceRole,
): AccessKeyResource {
  const byPrefix = keyTypeOf(details.accessKeyId);
  // Without a recognisable prefix, the user type still tells: an IAMUser's key is long-term, a role's is not.
  const keyType =
    byPrefix !== 'unknown'
      ? byPrefix
      : details.userType === 'IAMUser'
        ? 'long-term'
        : details.userType === 'AssumedRole'
          ? 'temporary'
          : 'unknown';
  return {
    kind: 'access-key',
    role,
    accessKeyId: details.accessKeyId,
    keyType,
    userType: details.userType,
    userName: details.userName,
    principalId: details.principalId,
  };
}

function instanceResource(
  details: z.infer<typeof InstanceDetailsSchema>,
  role: ResourceRole,
): Ec2InstanceResource {
  const networkInterfaces: NetworkInterfaceRef[] = (details.networkInterfaces ?? []).map((eni) => ({
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    privateIpAddress: eni.privateIpAddress,
    publicIp: eni.publicIp,
    securityGroups: (eni.securityGroups ?? []).map((group) => ({
      groupId: group.groupId,
      groupName: group.groupName,
    })),
  }));
  const tags: Record<string, string> = {};
  for (const tag of details.tags ?? []) tags[tag.key] = tag.value ?? '';
  return {
    kind: 'ec2-instance',
    role,
    instanceId: details.instanceId,
    instanceType: details.instanceType,
    availabilityZone: details.availabilityZone,
    instanceProfileArn: details.iamInstanceProfile?.arn,
    networkInterfaces,
    tags,
  };
}

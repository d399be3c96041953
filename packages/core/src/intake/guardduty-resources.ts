/**
 * The resources of a GuardDuty finding, each with the part it plays (`role`): the access key, the instance,
 * the buckets, the clusters, and — for Malware Protection — the ECS task, the containers and the EBS volumes
 * the scan read, so that a responder sees in the incident (and the notification, which carries the incident's
 * resources) what was infected, where it runs and which volume holds the malicious file.
 *
 * Field names are those of the finding format (GuardDuty API Reference, GetFindings response syntax,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetFindings.html): `ecsClusterDetails.taskDetails`
 * (`EcsTaskDetails`: `arn`, `definitionArn`, `launchType`, `containers`), `containerDetails` and
 * `kubernetesDetails.kubernetesWorkloadDetails.containers` (`Container`: `name`, `id`, `image`, `imagePrefix`,
 * `containerRuntime`), `ebsVolumeDetails.scannedVolumeDetails` (`VolumeDetail`) and
 * `service.ebsVolumeScanDetails` (`EbsVolumeScanDetails`: `scanId`, `triggerFindingId`, `scanDetections`).
 */

import type * as z from '../zod.ts';
import { keyTypeOf } from './finding-types.ts';
import type {
  AccessKeyDetailsSchema,
  ContainerDetails,
  GuardDutyFinding,
  InstanceDetailsSchema,
} from './guardduty-schema.ts';
import type {
  AccessKeyResource,
  Ec2InstanceResource,
  GenericResource,
  NetworkInterfaceRef,
  Resource,
  ResourceRole,
} from './incident.ts';

/** The classification's roles: the primary resource's, and the access key's when it is not the primary one. */
export interface ResourceRoles {
  readonly role: ResourceRole;
  readonly keyRole?: ResourceRole;
}

/** Resource types whose finding is about a container workload (the task, containers and pod take the role). */
const WORKLOAD_RESOURCE_TYPES: ReadonlySet<string> = new Set(['ECSCluster', 'Container', 'EKSCluster']);

/**
 * Every resource the finding names, in the order a responder reads them: the access key, the instance, the
 * workload (task, containers, pod), the buckets and clusters, the scanned volumes, the account of an attack
 * sequence — except that a finding about a workload (`ECSCluster`, `Container`, `EKSCluster`) names the
 * workload first, so that the one resource a notification headlines is the task or the container (an ECS
 * task's host instance comes after it). Only the finding's own resource type takes the classified role.
 *
 * @example resourcesOf(finding, { role: 'compromised' }, '123456789012')[0] // { kind: 'access-key', role: 'compromised', … }
 */
export function resourcesOf(finding: GuardDutyFinding, roles: ResourceRoles, account: string): Resource[] {
  const resource = finding.resource;
  if (resource === undefined) return [];
  const { role } = roles;
  const resources: Resource[] = [];
  const accessKey = resource.accessKeyDetails ?? undefined;
  const instance = resource.instanceDetails ?? undefined;
  // An access-key finding that also carries instance details must not isolate that instance (DOMAIN.md 6);
  // the key behind an S3 finding is the actor, unless the finding says the credentials are compromised.
  const primary =
    resource.resourceType ?? (accessKey !== undefined && instance === undefined ? 'AccessKey' : 'Instance');
  const aboutWorkload = WORKLOAD_RESOURCE_TYPES.has(primary);
  if (aboutWorkload) resources.push(...workloadResources(finding, role));
  if (accessKey !== undefined) {
    resources.push(accessKeyResource(accessKey, primary === 'AccessKey' ? role : (roles.keyRole ?? 'actor')));
  }
  if (instance !== undefined) {
    resources.push(instanceResource(instance, primary === 'Instance' ? role : 'related'));
  }
  if (!aboutWorkload) resources.push(...workloadResources(finding, 'affected'));
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
  resources.push(...scannedVolumes(finding));
  if (resource.resourceType === 'AttackSequence') {
    resources.push({ kind: 'account', role: 'affected', accountId: account });
  }
  return resources;
}

/** Keeps the details that are present, as strings (a notification shows them as they are). */
function details(entries: Record<string, string | number | undefined>): Readonly<Record<string, string>> {
  return Object.fromEntries(
    Object.entries(entries)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '')
      .map(([key, value]) => [key, String(value)]),
  );
}

function withDetails(
  resource: Omit<GenericResource, 'details'>,
  entries: Record<string, string | number | undefined>,
): GenericResource {
  const kept = details(entries);
  return Object.keys(kept).length === 0 ? resource : { ...resource, details: kept };
}

/**
 * The workload Malware Protection (or another container finding) names: the ECS task and its containers,
 * a container on its own, a Kubernetes workload and its containers.
 */
function workloadResources(finding: GuardDutyFinding, role: ResourceRole): GenericResource[] {
  const resource = finding.resource;
  const found: GenericResource[] = [];
  const cluster = resource?.ecsClusterDetails ?? undefined;
  const task = cluster?.taskDetails ?? undefined;
  if (task?.arn !== undefined) {
    found.push(
      withDetails(
        { kind: 'aws-resource', role, resourceType: 'AWS::ECS::Task', resourceId: task.arn },
        { taskDefinitionArn: task.definitionArn, launchType: task.launchType, cluster: cluster?.name },
      ),
    );
  }
  for (const container of task?.containers ?? []) {
    found.push(...containerResource(container, role, { task: task?.arn }));
  }
  const single = resource?.containerDetails ?? undefined;
  if (single !== undefined) found.push(...containerResource(single, role, {}));
  const workload = resource?.kubernetesDetails?.kubernetesWorkloadDetails ?? undefined;
  if (workload?.name !== undefined) {
    found.push(
      withDetails(
        {
          kind: 'aws-resource',
          role,
          resourceType: 'Kubernetes::Workload',
          resourceId:
            workload.namespace === undefined ? workload.name : `${workload.namespace}/${workload.name}`,
        },
        { type: workload.type, uid: workload.uid },
      ),
    );
  }
  for (const container of workload?.containers ?? []) {
    found.push(...containerResource(container, role, { workload: workload?.name }));
  }
  return found;
}

/** A container by its name (or id), with its image: what a responder pulls from the registry to look at. */
function containerResource(
  container: ContainerDetails,
  role: ResourceRole,
  context: Record<string, string | undefined>,
): GenericResource[] {
  const id = container.name ?? container.id;
  if (id === undefined) return [];
  return [
    withDetails(
      { kind: 'aws-resource', role, resourceType: 'Container', resourceId: id },
      {
        image: container.image,
        imagePrefix: container.imagePrefix,
        containerId: container.id,
        containerRuntime: container.containerRuntime,
        ...context,
      },
    ),
  ];
}

/**
 * The EBS volumes the malware scan read, each with the scan and the threats found on it (the scan's
 * `threatDetectedByName.threatNames[].filePaths[]` name the volume each file was found on).
 */
function scannedVolumes(finding: GuardDutyFinding): GenericResource[] {
  const volumes = finding.resource?.ebsVolumeDetails?.scannedVolumeDetails ?? [];
  const scan = finding.service?.ebsVolumeScanDetails ?? undefined;
  const threats = scan?.scanDetections?.threatDetectedByName?.threatNames ?? [];
  return volumes.flatMap((volume): GenericResource[] => {
    if (volume.volumeArn === undefined) return [];
    const onVolume = threats.filter((threat) =>
      (threat.filePaths ?? []).some((path) => path.volumeArn === volume.volumeArn),
    );
    const files = onVolume.flatMap((threat) =>
      (threat.filePaths ?? [])
        .filter((path) => path.volumeArn === volume.volumeArn && path.filePath !== undefined)
        .map((path) => path.filePath as string),
    );
    return [
      withDetails(
        {
          kind: 'aws-resource',
          role: 'affected',
          resourceType: 'AWS::EC2::Volume',
          resourceId: volume.volumeArn,
        },
        {
          deviceName: volume.deviceName,
          volumeSizeInGB: volume.volumeSizeInGB,
          snapshotArn: volume.snapshotArn,
          scanId: scan?.scanId,
          triggerFindingId: scan?.triggerFindingId,
          threats: unique(onVolume.map((threat) => threat.name)).join(', '),
          files: unique(files).slice(0, 10).join(', '),
        },
      ),
    ];
  });
}

function unique(values: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))];
}

function accessKeyResource(
  keyDetails: z.infer<typeof AccessKeyDetailsSchema>,
  role: ResourceRole,
): AccessKeyResource {
  const byPrefix = keyTypeOf(keyDetails.accessKeyId);
  // Without a recognisable prefix, the user type still tells: an IAMUser's key is long-term, a role's is not.
  const keyType =
    byPrefix !== 'unknown'
      ? byPrefix
      : keyDetails.userType === 'IAMUser'
        ? 'long-term'
        : keyDetails.userType === 'AssumedRole'
          ? 'temporary'
          : 'unknown';
  return {
    kind: 'access-key',
    role,
    accessKeyId: keyDetails.accessKeyId,
    keyType,
    userType: keyDetails.userType,
    userName: keyDetails.userName,
    principalId: keyDetails.principalId,
  };
}

function instanceResource(
  instance: z.infer<typeof InstanceDetailsSchema>,
  role: ResourceRole,
): Ec2InstanceResource {
  const networkInterfaces: NetworkInterfaceRef[] = (instance.networkInterfaces ?? []).map((eni) => ({
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
  // Own data properties (fromEntries): a tag keyed `__proto__` stays a tag, never the object's prototype.
  const tags: Record<string, string> = Object.fromEntries(
    (instance.tags ?? []).map((tag) => [tag.key, tag.value ?? '']),
  );
  return {
    kind: 'ec2-instance',
    role,
    instanceId: instance.instanceId,
    instanceType: instance.instanceType,
    availabilityZone: instance.availabilityZone,
    instanceProfileArn: instance.iamInstanceProfile?.arn,
    networkInterfaces,
    tags,
  };
}

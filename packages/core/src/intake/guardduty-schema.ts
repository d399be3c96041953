/**
 * The parts of a GuardDuty finding (camelCase, as EventBridge delivers it) that Cordon reads. Objects are
 * loose: AWS adds fields, and a field we do not read must never make a finding fail. Types are strict where
 * we rely on them (ids are strings, severity a number in range); a part that does not have its documented
 * shape is dropped (`z.catch`), never the finding.
 *
 * Field names follow the GetFindings response syntax (GuardDuty API Reference,
 * https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetFindings.html), which is the finding
 * EventBridge delivers under `detail`.
 */
import * as z from '../zod.ts';

export const optionalString = z.catch(z.optional(z.string()), undefined);
const optionalNumber = z.catch(z.optional(z.number()), undefined);
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

export const InstanceDetailsSchema = z.looseObject({
  instanceId: z.string().check(z.minLength(1)),
  instanceType: optionalString,
  availabilityZone: optionalString,
  iamInstanceProfile: z.catch(z.nullish(z.looseObject({ arn: optionalString })), undefined),
  networkInterfaces: z.catch(z.optional(z.array(NetworkInterfaceSchema)), undefined),
  tags: tagList,
});

export const AccessKeyDetailsSchema = z.looseObject({
  accessKeyId: optionalString,
  principalId: optionalString,
  userName: optionalString,
  userType: optionalString,
});

/** `Container` (API Reference): a container of an ECS task, a Kubernetes workload, or on its own. */
export const ContainerSchema = z.looseObject({
  name: optionalString,
  id: optionalString,
  image: optionalString,
  imagePrefix: optionalString,
  containerRuntime: optionalString,
});
const containerList = z.catch(z.optional(z.array(z.catch(ContainerSchema, {}))), undefined);

/** `EcsClusterDetails` with its `taskDetails` (`EcsTaskDetails`): the task Malware Protection scanned. */
const EcsClusterDetailsSchema = z.looseObject({
  name: optionalString,
  arn: optionalString,
  taskDetails: z.catch(
    z.nullish(
      z.looseObject({
        arn: optionalString,
        definitionArn: optionalString,
        launchType: optionalString,
        containers: containerList,
      }),
    ),
    undefined,
  ),
});

/** `KubernetesDetails.kubernetesWorkloadDetails`: the pod (or other workload) and its containers. */
const KubernetesDetailsSchema = z.looseObject({
  kubernetesWorkloadDetails: z.catch(
    z.nullish(
      z.looseObject({
        name: optionalString,
        namespace: optionalString,
        type: optionalString,
        uid: optionalString,
        containers: containerList,
      }),
    ),
    undefined,
  ),
});

/** `VolumeDetail`: one EBS volume a malware scan read (through a snapshot of it). */
export const VolumeDetailSchema = z.looseObject({
  volumeArn: optionalString,
  volumeType: optionalString,
  deviceName: optionalString,
  volumeSizeInGB: optionalNumber,
  encryptionType: optionalString,
  snapshotArn: optionalString,
});

/** `EbsVolumeScanDetails` (under `service`): the scan, what triggered it, and what it found on which volume. */
export const EbsVolumeScanDetailsSchema = z.looseObject({
  scanId: optionalString,
  triggerFindingId: optionalString,
  scanDetections: z.catch(
    z.nullish(
      z.looseObject({
        threatDetectedByName: z.catch(
          z.nullish(
            z.looseObject({
              threatNames: z.catch(
                z.optional(
                  z.array(
                    z.catch(
                      z.looseObject({
                        name: optionalString,
                        filePaths: z.catch(
                          z.optional(
                            z.array(
                              z.catch(
                                z.looseObject({ volumeArn: optionalString, filePath: optionalString }),
                                {},
                              ),
                            ),
                          ),
                          undefined,
                        ),
                      }),
                      {},
                    ),
                  ),
                ),
                undefined,
              ),
            }),
          ),
          undefined,
        ),
      }),
    ),
    undefined,
  ),
});

export const ResourceSchema = z.looseObject({
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
  ecsClusterDetails: z.catch(z.nullish(EcsClusterDetailsSchema), undefined),
  containerDetails: z.catch(z.nullish(ContainerSchema), undefined),
  kubernetesDetails: z.catch(z.nullish(KubernetesDetailsSchema), undefined),
  ebsVolumeDetails: z.catch(
    z.nullish(
      z.looseObject({
        scannedVolumeDetails: z.catch(z.optional(z.array(z.catch(VolumeDetailSchema, {}))), undefined),
      }),
    ),
    undefined,
  ),
});

export const GuardDutyFindingSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  // Checked as an account id after parsing (account-id.ts), so that the rejection names the field as sent.
  accountId: z.string().check(z.minLength(1)),
  region: optionalString,
  type: z.string().check(z.minLength(1)),
  title: optionalString,
  description: optionalString,
  severity: z.number().check(z.gte(0), z.lte(10)),
  createdAt: z.optional(z.unknown()),
  updatedAt: z.optional(z.unknown()),
  resource: z.catch(z.optional(ResourceSchema), undefined),
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
        ebsVolumeScanDetails: z.catch(z.nullish(EbsVolumeScanDetailsSchema), undefined),
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
export type GuardDutyResource = NonNullable<GuardDutyFinding['resource']>;
export type ContainerDetails = z.infer<typeof ContainerSchema>;

/**
 * The events of issue 12's intake cases, derived in code from the bundled real samples (packages/cli/events,
 * verbatim) and the hand-built Config fixture, the fields that change named as GuardDuty's finding format names
 * them (GetFindings response syntax, https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetFindings.html).
 * The unit tests (packages/core/test/intake/intake-cases.test.ts) and the scenario tests (test/scenarios) share them.
 */
import { loadEvent, loadFixture } from './events.ts';

type Json = Record<string, unknown>;

export const LONG_TERM_KEY = 'AKIAIOSFODNN7EXAMPLE';

/**
 * The real S3 sample (`PenTest:S3/ParrotLinux`, an IAMUser's key on a bucket, `resourceType: S3Bucket` as S3
 * data events report it) made one of the S3 threat-intelligence types, with a long-term key id instead of the
 * sample's placeholder, not archived. GuardDuty: S3 findings have resource type S3Bucket from data events and AccessKey from
 * management events (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-s3.html).
 */
export function s3CallerFinding(
  type: string,
  options: { userType?: string; resourceType?: string; severity?: number } = {},
) {
  const finding = loadEvent('guardduty/raw-s3-pentest-parrotlinux.json');
  finding.type = type;
  finding.severity = options.severity ?? 8;
  // The sample is archived; a live finding is not.
  (finding.service as Json).archived = false;
  const resource = finding.resource as Json;
  resource.resourceType = options.resourceType ?? 'S3Bucket';
  resource.accessKeyDetails = {
    accessKeyId: LONG_TERM_KEY,
    principalId: 'AIDACKCEVSQ6C2EXAMPLE',
    userName: 'build-bot',
    userType: options.userType ?? 'IAMUser',
  };
  return finding;
}

export const TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/payments/0f9a8c7b6d5e4f3a2b1c0d9e8f7a6b5c';
export const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/payments-api:1.4.2';
export const VOLUME_ARN = 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0a1b2c3d4e5f60718';
export const SCAN_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const THREAT = 'EICAR-Test-File (not a virus)';

function container(name: string, image: string) {
  return {
    containerRuntime: 'containerd',
    id: `${name}-4f5e6d7c8b9a0f1e2d3c`,
    name,
    image,
    imagePrefix: image.slice(0, image.lastIndexOf('/')),
    volumeMounts: [{ name: 'data', mountPath: '/data' }],
    securityContext: { privileged: false, allowPrivilegeEscalation: false },
  };
}

/** `ebsVolumeDetails` and `service.ebsVolumeScanDetails` of a scan that found one file on one volume. */
function scanned() {
  return {
    volumes: {
      scannedVolumeDetails: [
        {
          volumeArn: VOLUME_ARN,
          volumeType: 'gp3',
          deviceName: '/dev/xvda',
          volumeSizeInGB: 30,
          encryptionType: 'UNENCRYPTED',
          snapshotArn: 'arn:aws:ec2:us-east-1:123456789012:snapshot/snap-0123456789abcdef0',
        },
      ],
      skippedVolumeDetails: [],
    },
    scan: {
      scanId: SCAN_ID,
      scanStartedAt: 1732788000000,
      scanCompletedAt: 1732788300000,
      triggerFindingId: '60c5b2a3e1f04d7c8b9a0f1e2d3c4b5a',
      sources: ['Amazon'],
      scanType: 'GUARDDUTY_INITIATED',
      scanDetections: {
        scannedItemCount: { totalGb: 30, files: 11_204, volumes: 1 },
        threatsDetectedItemCount: { files: 1 },
        highestSeverityThreatDetails: { severity: 'HIGH', threatName: THREAT, count: 1 },
        threatDetectedByName: {
          itemCount: 1,
          uniqueThreatNameCount: 1,
          shortened: false,
          threatNames: [
            {
              name: THREAT,
              severity: 'HIGH',
              itemCount: 1,
              filePaths: [
                {
                  filePath:
                    '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/41/fs/tmp/eicar.com',
                  fileName: 'eicar.com',
                  volumeArn: VOLUME_ARN,
                  hash: '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
                },
              ],
            },
          ],
        },
      },
    },
  };
}

/**
 * A real raw finding (the IAM recon sample) turned into a Malware Protection finding: type, severity, the
 * resource (`ecsClusterDetails` with `taskDetails`, or `containerDetails`, and `ebsVolumeDetails`) and the scan
 * (`service.ebsVolumeScanDetails`), field by field as the GetFindings response syntax names them.
 */
export function malwareFinding(kind: 'ecs' | 'container'): Json {
  const finding = loadEvent('guardduty/raw-iam-recon-maliciousipcaller-custom.json');
  const { volumes, scan } = scanned();
  finding.severity = 8;
  if (kind === 'ecs') {
    finding.type = 'Execution:ECS/MaliciousFile';
    finding.title = 'Malicious file detected in ECS task of cluster payments.';
    finding.resource = {
      resourceType: 'ECSCluster',
      ecsClusterDetails: {
        name: 'payments',
        arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/payments',
        status: 'ACTIVE',
        activeServicesCount: 1,
        registeredContainerInstancesCount: 2,
        runningTasksCount: 3,
        tags: [{ key: 'team', value: 'payments' }],
        taskDetails: {
          arn: TASK_ARN,
          definitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/payments-api:42',
          version: '7',
          launchType: 'EC2',
          group: 'service:payments-api',
          startedBy: 'ecs-svc/1234567890123456789',
          createdAt: 1732787000000,
          startedAt: 1732787030000,
          tags: [],
          volumes: [{ name: 'data', hostPath: { path: '/data' } }],
          containers: [
            container('api', IMAGE),
            container('log-router', 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0'),
          ],
        },
      },
      ebsVolumeDetails: volumes,
      // ECS on EC2: the host the task ran on. It is only related: the finding is about the task.
      instanceDetails: { instanceId: 'i-0abc1234def567890', networkInterfaces: [], tags: [] },
    };
  } else {
    finding.type = 'Execution:Container/MaliciousFile';
    finding.title = 'Malicious file detected in a container.';
    finding.resource = {
      resourceType: 'Container',
      containerDetails: container('worker', IMAGE),
      ebsVolumeDetails: volumes,
    };
  }
  const service = finding.service as Json;
  service.archived = false;
  delete service.action;
  service.featureName = 'EbsMalwareProtection';
  service.ebsVolumeScanDetails = scan;
  return finding;
}

/** The real C&C sample (an instance, a DNS request) as a MetadataDNSRebind finding at its default High severity. */
export function dnsRebindEvent(severity = 8): Json {
  const event = loadEvent('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json');
  const detail = event.detail as Json;
  detail.type = 'UnauthorizedAccess:EC2/MetadataDNSRebind';
  detail.severity = severity;
  return event;
}

/** The hand-built Config fixture (packages/core/test/fixtures/README.md) for another rule and resource. */
export function complianceChange(
  rule: string,
  resourceType = 'AWS::S3::Bucket',
  resourceId = 'payments-exports',
): Json {
  const event = loadFixture<Json>('config-access-keys-rotated-noncompliant.json');
  const detail = event.detail as Json;
  detail.configRuleName = rule;
  detail.resourceType = resourceType;
  detail.resourceId = resourceId;
  return event;
}

/** The documented alarm sample (OK → ALARM), under another name. */
export function alarmEvent(alarmName: string): Json {
  const event = loadEvent('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
  (event.detail as Json).alarmName = alarmName;
  return event;
}

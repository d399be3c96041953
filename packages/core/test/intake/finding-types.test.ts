import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENTS_DIR as BUNDLED_EVENTS_DIR } from '../../../../test/support/events.ts';
import type { FindingContext } from '../../src/intake/finding-types.ts';
import {
  classifyFinding,
  FINDING_FAMILIES,
  keyTypeOf,
  parseFindingType,
} from '../../src/intake/finding-types.ts';
import type { IncidentCategory, ResourceRole } from '../../src/intake/incident.ts';
import { INCIDENT_CATEGORIES } from '../../src/intake/incident.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../../..');

type Row = readonly [
  type: string,
  category: IncidentCategory,
  role: ResourceRole,
  family: string,
  context?: Omit<FindingContext, 'type'>,
];

const inbound = { connectionDirection: 'INBOUND', actionType: 'NETWORK_CONNECTION' } as const;
const outbound = { connectionDirection: 'OUTBOUND', actionType: 'NETWORK_CONNECTION' } as const;

/**
 * Every finding type the GuardDuty user guide documents (the per-resource finding-type pages and the
 * Security Hub mapping table that lists all of them, retired types included), with the category, role and
 * family Cordon gives it. Grouped by the user-guide page the type comes from.
 */
const DOCUMENTED_TYPES: readonly Row[] = [
  // EC2 finding types (guardduty_finding-types-ec2)
  ['Backdoor:EC2/C&CActivity.B', 'instance-compromise', 'compromised', 'ec2-command-and-control', outbound],
  ['Backdoor:EC2/C&CActivity.B!DNS', 'instance-compromise', 'compromised', 'ec2-command-and-control'],
  ['Backdoor:EC2/DenialOfService.Dns', 'instance-compromise', 'compromised', 'ec2-outbound-attack'],
  ['Backdoor:EC2/DenialOfService.Tcp', 'instance-compromise', 'compromised', 'ec2-outbound-attack'],
  ['Backdoor:EC2/DenialOfService.Udp', 'instance-compromise', 'compromised', 'ec2-outbound-attack'],
  ['Backdoor:EC2/DenialOfService.UdpOnTcpPorts', 'instance-compromise', 'compromised', 'ec2-outbound-attack'],
  [
    'Backdoor:EC2/DenialOfService.UnusualProtocol',
    'instance-compromise',
    'compromised',
    'ec2-outbound-attack',
  ],
  ['Backdoor:EC2/Spambot', 'instance-compromise', 'compromised', 'ec2-outbound-attack'],
  ['Behavior:EC2/NetworkPortUnusual', 'instance-compromise', 'compromised', 'ec2-unusual-traffic'],
  ['Behavior:EC2/TrafficVolumeUnusual', 'instance-compromise', 'compromised', 'ec2-unusual-traffic'],
  ['CryptoCurrency:EC2/BitcoinTool.B', 'instance-compromise', 'compromised', 'ec2-crypto-mining'],
  ['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'instance-compromise', 'compromised', 'ec2-crypto-mining'],
  ['DefenseEvasion:EC2/UnusualDNSResolver', 'instance-compromise', 'compromised', 'ec2-unusual-traffic'],
  ['DefenseEvasion:EC2/UnusualDoHActivity', 'instance-compromise', 'compromised', 'ec2-unusual-traffic'],
  ['DefenseEvasion:EC2/UnusualDoTActivity', 'instance-compromise', 'compromised', 'ec2-unusual-traffic'],
  ['Impact:EC2/AbusedDomainRequest.Reputation', 'instance-compromise', 'compromised', 'ec2-malicious-domain'],
  ['Impact:EC2/BitcoinDomainRequest.Reputation', 'instance-compromise', 'compromised', 'ec2-crypto-mining'],
  [
    'Impact:EC2/MaliciousDomainRequest.Reputation',
    'instance-compromise',
    'compromised',
    'ec2-malicious-domain',
  ],
  ['Impact:EC2/MaliciousDomainRequest.Custom', 'instance-compromise', 'compromised', 'ec2-malicious-domain'],
  [
    'Impact:EC2/SuspiciousDomainRequest.Reputation',
    'instance-compromise',
    'compromised',
    'ec2-malicious-domain',
  ],
  ['Impact:EC2/PortSweep', 'instance-compromise', 'compromised', 'ec2-outbound-attack'],
  ['Impact:EC2/WinRMBruteForce', 'instance-compromise', 'compromised', 'ec2-outbound-brute-force', outbound],
  ['Impact:EC2/WinRMBruteForce', 'instance-exposed', 'victim', 'ec2-inbound-brute-force', inbound],
  [
    'Recon:EC2/PortProbeEMRUnprotectedPort',
    'instance-exposed',
    'victim',
    'ec2-port-probe',
    { actionType: 'PORT_PROBE' },
  ],
  [
    'Recon:EC2/PortProbeUnprotectedPort',
    'instance-exposed',
    'victim',
    'ec2-port-probe',
    { actionType: 'PORT_PROBE' },
  ],
  ['Recon:EC2/Portscan', 'instance-compromise', 'compromised', 'ec2-outbound-attack', outbound],
  ['Trojan:EC2/BlackholeTraffic', 'instance-compromise', 'compromised', 'ec2-trojan'],
  ['Trojan:EC2/BlackholeTraffic!DNS', 'instance-compromise', 'compromised', 'ec2-trojan'],
  ['Trojan:EC2/DGADomainRequest.B', 'instance-compromise', 'compromised', 'ec2-trojan'],
  ['Trojan:EC2/DGADomainRequest.C!DNS', 'instance-compromise', 'compromised', 'ec2-trojan'],
  ['Trojan:EC2/DNSDataExfiltration', 'instance-compromise', 'compromised', 'ec2-dns-exfiltration'],
  ['Trojan:EC2/DriveBySourceTraffic!DNS', 'instance-compromise', 'compromised', 'ec2-trojan'],
  ['Trojan:EC2/DropPoint', 'instance-compromise', 'compromised', 'ec2-trojan'],
  ['Trojan:EC2/DropPoint!DNS', 'instance-compromise', 'compromised', 'ec2-trojan'],
  ['Trojan:EC2/PhishingDomainRequest!DNS', 'instance-compromise', 'compromised', 'ec2-trojan'],
  [
    'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
    'instance-compromise',
    'compromised',
    'ec2-threat-list',
  ],
  [
    'UnauthorizedAccess:EC2/MetadataDNSRebind',
    'instance-compromise',
    'compromised',
    'ec2-metadata-dns-rebind',
  ],
  ['UnauthorizedAccess:EC2/RDPBruteForce', 'instance-exposed', 'victim', 'ec2-inbound-brute-force', inbound],
  [
    'UnauthorizedAccess:EC2/RDPBruteForce',
    'instance-compromise',
    'compromised',
    'ec2-outbound-brute-force',
    outbound,
  ],
  ['UnauthorizedAccess:EC2/SSHBruteForce', 'instance-exposed', 'victim', 'ec2-inbound-brute-force', inbound],
  [
    'UnauthorizedAccess:EC2/SSHBruteForce',
    'instance-compromise',
    'compromised',
    'ec2-outbound-brute-force',
    outbound,
  ],
  ['UnauthorizedAccess:EC2/TorClient', 'instance-compromise', 'compromised', 'ec2-tor'],
  ['UnauthorizedAccess:EC2/TorRelay', 'instance-compromise', 'compromised', 'ec2-tor'],

  // IAM finding types (guardduty_finding-types-iam), resource type AccessKey
  [
    'CredentialAccess:IAMUser/AnomalousBehavior',
    'credential-compromise',
    'compromised',
    'iam-anomalous-behavior',
  ],
  [
    'DefenseEvasion:IAMUser/AnomalousBehavior',
    'credential-compromise',
    'compromised',
    'iam-anomalous-behavior',
  ],
  ['DefenseEvasion:IAMUser/BedrockLoggingDisabled', 'suspicious-activity', 'actor', 'iam-posture-change'],
  ['Discovery:IAMUser/AnomalousBehavior', 'credential-compromise', 'compromised', 'iam-anomalous-behavior'],
  [
    'Exfiltration:IAMUser/AnomalousBehavior',
    'credential-compromise',
    'compromised',
    'iam-anomalous-behavior',
  ],
  ['Impact:IAMUser/AnomalousBehavior', 'credential-compromise', 'compromised', 'iam-anomalous-behavior'],
  [
    'InitialAccess:IAMUser/AnomalousBehavior',
    'credential-compromise',
    'compromised',
    'iam-anomalous-behavior',
  ],
  ['PenTest:IAMUser/KaliLinux', 'credential-compromise', 'compromised', 'iam-pentest-tooling'],
  ['PenTest:IAMUser/ParrotLinux', 'credential-compromise', 'compromised', 'iam-pentest-tooling'],
  ['PenTest:IAMUser/PentooLinux', 'credential-compromise', 'compromised', 'iam-pentest-tooling'],
  ['Persistence:IAMUser/AnomalousBehavior', 'credential-compromise', 'compromised', 'iam-anomalous-behavior'],
  ['Policy:IAMUser/RootCredentialUsage', 'root-activity', 'actor', 'root-activity'],
  ['Policy:IAMUser/ShortTermRootCredentialUsage', 'root-activity', 'actor', 'root-activity'],
  [
    'PrivilegeEscalation:IAMUser/AnomalousBehavior',
    'credential-compromise',
    'compromised',
    'iam-anomalous-behavior',
  ],
  ['Recon:IAMUser/MaliciousIPCaller', 'credential-compromise', 'compromised', 'iam-threat-intel-caller'],
  [
    'Recon:IAMUser/MaliciousIPCaller.Custom',
    'credential-compromise',
    'compromised',
    'iam-threat-intel-caller',
  ],
  ['Recon:IAMUser/TorIPCaller', 'credential-compromise', 'compromised', 'iam-threat-intel-caller'],
  ['Stealth:IAMUser/CloudTrailLoggingDisabled', 'suspicious-activity', 'actor', 'iam-posture-change'],
  ['Stealth:IAMUser/PasswordPolicyChange', 'suspicious-activity', 'actor', 'iam-posture-change'],
  [
    'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
    'credential-compromise',
    'compromised',
    'iam-console-login',
  ],
  [
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
    'credential-compromise',
    'compromised',
    'iam-credential-exfiltration',
  ],
  [
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    'credential-compromise',
    'compromised',
    'iam-credential-exfiltration',
  ],
  [
    'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
    'credential-compromise',
    'compromised',
    'iam-threat-intel-caller',
  ],
  [
    'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
    'credential-compromise',
    'compromised',
    'iam-threat-intel-caller',
  ],
  [
    'UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.InsideAWS',
    'credential-compromise',
    'compromised',
    'iam-credential-exfiltration',
  ],
  [
    'UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS',
    'credential-compromise',
    'compromised',
    'iam-credential-exfiltration',
  ],
  [
    'UnauthorizedAccess:IAMUser/TorIPCaller',
    'credential-compromise',
    'compromised',
    'iam-threat-intel-caller',
  ],

  // Retired finding types (guardduty_finding-types-retired): old findings still carry them.
  ['Persistence:IAMUser/NetworkPermissions', 'credential-compromise', 'compromised', 'iam-credential-other'],
  ['Persistence:IAMUser/ResourcePermissions', 'credential-compromise', 'compromised', 'iam-credential-other'],
  ['Persistence:IAMUser/UserPermissions', 'credential-compromise', 'compromised', 'iam-credential-other'],
  [
    'PrivilegeEscalation:IAMUser/AdministrativePermissions',
    'credential-compromise',
    'compromised',
    'iam-credential-other',
  ],
  ['Recon:IAMUser/NetworkPermissions', 'credential-compromise', 'compromised', 'iam-credential-other'],
  ['Recon:IAMUser/ResourcePermissions', 'credential-compromise', 'compromised', 'iam-credential-other'],
  ['Recon:IAMUser/UserPermissions', 'credential-compromise', 'compromised', 'iam-credential-other'],
  [
    'ResourceConsumption:IAMUser/ComputeResources',
    'credential-compromise',
    'compromised',
    'iam-credential-other',
  ],
  ['Stealth:IAMUser/LoggingConfigurationModified', 'suspicious-activity', 'actor', 'iam-posture-change'],
  ['UnauthorizedAccess:IAMUser/ConsoleLogin', 'credential-compromise', 'compromised', 'iam-console-login'],
  ['Discovery:S3/BucketEnumeration.Unusual', 'data-threat', 'victim', 's3-anomalous-behavior'],
  ['Exfiltration:S3/ObjectRead.Unusual', 'data-threat', 'victim', 's3-anomalous-behavior'],
  ['Impact:S3/ObjectDelete.Unusual', 'data-threat', 'victim', 's3-anomalous-behavior'],
  ['Impact:S3/PermissionsModification.Unusual', 'data-threat', 'victim', 's3-anomalous-behavior'],
  ['PrivilegeEscalation:Kubernetes/PrivilegedContainer', 'container-threat', 'affected', 'container-other'],
  ['Persistence:Kubernetes/ContainerWithSensitiveMount', 'container-threat', 'affected', 'container-other'],
  // Names these types had before GuardDuty moved them under S3 / renamed them.
  ['Policy:IAMUser/S3BlockPublicAccessDisabled', 'suspicious-activity', 'actor', 'iam-posture-change'],
  ['Stealth:IAMUser/S3ServerAccessLoggingDisabled', 'suspicious-activity', 'actor', 'iam-posture-change'],
  [
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration',
    'credential-compromise',
    'compromised',
    'iam-credential-exfiltration',
  ],

  // S3 Protection finding types (guardduty_finding-types-s3), resource type S3Bucket
  ['Discovery:S3/AnomalousBehavior', 'data-threat', 'victim', 's3-anomalous-behavior'],
  ['Discovery:S3/MaliciousIPCaller', 'data-threat', 'victim', 's3-threat-intel-caller'],
  ['Discovery:S3/MaliciousIPCaller.Custom', 'data-threat', 'victim', 's3-threat-intel-caller'],
  ['Discovery:S3/TorIPCaller', 'data-threat', 'victim', 's3-threat-intel-caller'],
  ['Exfiltration:S3/AnomalousBehavior', 'data-threat', 'victim', 's3-anomalous-behavior'],
  ['Exfiltration:S3/MaliciousIPCaller', 'data-threat', 'victim', 's3-threat-intel-caller'],
  ['Impact:S3/AnomalousBehavior.Delete', 'data-threat', 'victim', 's3-anomalous-behavior'],
  ['Impact:S3/AnomalousBehavior.Permission', 'data-threat', 'victim', 's3-anomalous-behavior'],
  ['Impact:S3/AnomalousBehavior.Write', 'data-threat', 'victim', 's3-anomalous-behavior'],
  ['Impact:S3/MaliciousIPCaller', 'data-threat', 'victim', 's3-threat-intel-caller'],
  ['PenTest:S3/KaliLinux', 'data-threat', 'victim', 's3-pentest'],
  ['PenTest:S3/ParrotLinux', 'data-threat', 'victim', 's3-pentest'],
  ['PenTest:S3/PentooLinux', 'data-threat', 'victim', 's3-pentest'],
  ['Policy:S3/AccountBlockPublicAccessDisabled', 'data-threat', 'affected', 's3-public-exposure'],
  ['Policy:S3/BucketAnonymousAccessGranted', 'data-threat', 'affected', 's3-public-exposure'],
  ['Policy:S3/BucketBlockPublicAccessDisabled', 'data-threat', 'affected', 's3-public-exposure'],
  ['Policy:S3/BucketPublicAccessGranted', 'data-threat', 'affected', 's3-public-exposure'],
  ['Stealth:S3/ServerAccessLoggingDisabled', 'data-threat', 'affected', 's3-public-exposure'],
  ['UnauthorizedAccess:S3/MaliciousIPCaller.Custom', 'data-threat', 'victim', 's3-threat-intel-caller'],
  ['UnauthorizedAccess:S3/TorIPCaller', 'data-threat', 'victim', 's3-threat-intel-caller'],

  // EKS Protection finding types (guardduty-finding-types-eks-audit-logs)
  [
    'CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed',
    'container-threat',
    'affected',
    'eks-anomalous-behavior',
  ],
  ['CredentialAccess:Kubernetes/MaliciousIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  [
    'CredentialAccess:Kubernetes/MaliciousIPCaller.Custom',
    'container-threat',
    'victim',
    'eks-threat-intel-caller',
  ],
  [
    'CredentialAccess:Kubernetes/SuccessfulAnonymousAccess',
    'container-threat',
    'victim',
    'eks-anonymous-access',
  ],
  ['CredentialAccess:Kubernetes/TorIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  ['DefenseEvasion:Kubernetes/MaliciousIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  [
    'DefenseEvasion:Kubernetes/MaliciousIPCaller.Custom',
    'container-threat',
    'victim',
    'eks-threat-intel-caller',
  ],
  [
    'DefenseEvasion:Kubernetes/SuccessfulAnonymousAccess',
    'container-threat',
    'victim',
    'eks-anonymous-access',
  ],
  ['DefenseEvasion:Kubernetes/TorIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  [
    'Discovery:Kubernetes/AnomalousBehavior.PermissionChecked',
    'container-threat',
    'affected',
    'eks-anomalous-behavior',
  ],
  ['Discovery:Kubernetes/MaliciousIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  ['Discovery:Kubernetes/MaliciousIPCaller.Custom', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  ['Discovery:Kubernetes/SuccessfulAnonymousAccess', 'container-threat', 'victim', 'eks-anonymous-access'],
  ['Discovery:Kubernetes/TorIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  [
    'Execution:Kubernetes/AnomalousBehavior.ExecInPod',
    'container-threat',
    'affected',
    'eks-anomalous-behavior',
  ],
  [
    'Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed',
    'container-threat',
    'affected',
    'eks-anomalous-behavior',
  ],
  ['Execution:Kubernetes/ExecInKubeSystemPod', 'container-threat', 'affected', 'container-other'],
  ['Impact:Kubernetes/MaliciousIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  ['Impact:Kubernetes/MaliciousIPCaller.Custom', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  ['Impact:Kubernetes/SuccessfulAnonymousAccess', 'container-threat', 'victim', 'eks-anonymous-access'],
  ['Impact:Kubernetes/TorIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  [
    'Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount',
    'container-threat',
    'affected',
    'eks-anomalous-behavior',
  ],
  ['Persistence:Kubernetes/MaliciousIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  [
    'Persistence:Kubernetes/MaliciousIPCaller.Custom',
    'container-threat',
    'victim',
    'eks-threat-intel-caller',
  ],
  ['Persistence:Kubernetes/SuccessfulAnonymousAccess', 'container-threat', 'victim', 'eks-anonymous-access'],
  ['Persistence:Kubernetes/TorIPCaller', 'container-threat', 'victim', 'eks-threat-intel-caller'],
  [
    'Policy:Kubernetes/AdminAccessToDefaultServiceAccount',
    'container-threat',
    'affected',
    'eks-policy-exposure',
  ],
  ['Policy:Kubernetes/AnonymousAccessGranted', 'container-threat', 'affected', 'eks-policy-exposure'],
  ['Policy:Kubernetes/ExposedDashboard', 'container-threat', 'affected', 'eks-policy-exposure'],
  ['Policy:Kubernetes/KubeflowDashboardExposed', 'container-threat', 'affected', 'eks-policy-exposure'],
  [
    'PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated',
    'container-threat',
    'affected',
    'eks-anomalous-behavior',
  ],
  [
    'PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated',
    'container-threat',
    'affected',
    'eks-anomalous-behavior',
  ],
  [
    'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer',
    'container-threat',
    'affected',
    'eks-anomalous-behavior',
  ],

  // Runtime Monitoring finding types (findings-runtime-monitoring), on a container workload
  ...(
    [
      'Backdoor:Runtime/C&CActivity.B',
      'Backdoor:Runtime/C&CActivity.B!DNS',
      'CryptoCurrency:Runtime/BitcoinTool.B',
      'CryptoCurrency:Runtime/BitcoinTool.B!DNS',
      'DefenseEvasion:Runtime/FilelessExecution',
      'DefenseEvasion:Runtime/KernelModuleLoaded',
      'DefenseEvasion:Runtime/ProcessInjection.Proc',
      'DefenseEvasion:Runtime/ProcessInjection.Ptrace',
      'DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite',
      'DefenseEvasion:Runtime/PtraceAntiDebugging',
      'DefenseEvasion:Runtime/SensitiveFileModified',
      'DefenseEvasion:Runtime/SuspiciousCommand',
      'Discovery:Runtime/SuspiciousCommand',
      'Execution:Runtime/MaliciousFileExecuted',
      'Execution:Runtime/MaliciousFileExecuted.Custom',
      'Execution:Runtime/ReverseShell',
      'Execution:Runtime/SuspiciousCommand',
      'Execution:Runtime/SuspiciousShellCreated',
      'Execution:Runtime/SuspiciousTool',
      'Impact:Runtime/AbusedDomainRequest.Reputation',
      'Impact:Runtime/BitcoinDomainRequest.Reputation',
      'Impact:Runtime/CryptoMinerExecuted',
      'Impact:Runtime/MaliciousDomainRequest.Reputation',
      'Impact:Runtime/SuspiciousDomainRequest.Reputation',
      'Persistence:Runtime/SensitiveFileModified',
      'Persistence:Runtime/SuspiciousCommand',
      'PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified',
      'PrivilegeEscalation:Runtime/ContainerMountsHostDirectory',
      'PrivilegeEscalation:Runtime/DockerSocketAccessed',
      'PrivilegeEscalation:Runtime/ElevationToRoot',
      'PrivilegeEscalation:Runtime/RuncContainerEscape',
      'PrivilegeEscalation:Runtime/SensitiveFileModified',
      'PrivilegeEscalation:Runtime/SuspiciousCommand',
      'PrivilegeEscalation:Runtime/UserfaultfdUsage',
      'Trojan:Runtime/BlackholeTraffic',
      'Trojan:Runtime/BlackholeTraffic!DNS',
      'Trojan:Runtime/DGADomainRequest.C!DNS',
      'Trojan:Runtime/DriveBySourceTraffic!DNS',
      'Trojan:Runtime/DropPoint',
      'Trojan:Runtime/DropPoint!DNS',
      'Trojan:Runtime/PhishingDomainRequest!DNS',
      'UnauthorizedAccess:Runtime/MetadataDNSRebind',
      'UnauthorizedAccess:Runtime/TorClient',
      'UnauthorizedAccess:Runtime/TorRelay',
    ] as const
  ).map(
    (type): Row => [type, 'container-threat', 'compromised', 'runtime-threat', { resourceType: 'Container' }],
  ),
  ['Execution:Runtime/NewBinaryExecuted', 'container-threat', 'affected', 'runtime-low-signal'],
  ['Execution:Runtime/NewLibraryLoaded', 'container-threat', 'affected', 'runtime-low-signal'],

  // Malware Protection for EC2 finding types (findings-malware-protection)
  ['Execution:EC2/MaliciousFile', 'instance-compromise', 'compromised', 'ec2-malware'],
  ['Execution:EC2/SuspiciousFile', 'instance-compromise', 'affected', 'ec2-suspicious-file'],
  ['Execution:ECS/MaliciousFile', 'container-threat', 'compromised', 'container-malware'],
  ['Execution:ECS/SuspiciousFile', 'container-threat', 'affected', 'container-suspicious-file'],
  ['Execution:Kubernetes/MaliciousFile', 'container-threat', 'compromised', 'container-malware'],
  ['Execution:Kubernetes/SuspiciousFile', 'container-threat', 'affected', 'container-suspicious-file'],
  ['Execution:Container/MaliciousFile', 'container-threat', 'compromised', 'container-malware'],
  ['Execution:Container/SuspiciousFile', 'container-threat', 'affected', 'container-suspicious-file'],

  // Malware Protection for S3 (gdu-malware-protection-s3-finding-types) and for AWS Backup (findings-malware-protection-backup)
  ['Object:S3/MaliciousFile', 'data-threat', 'affected', 's3-malware', { resourceType: 'S3Object' }],
  ['Execution:EC2/MaliciousFile!Snapshot', 'instance-compromise', 'affected', 'ec2-backup-malware'],
  ['Execution:EC2/MaliciousFile!AMI', 'instance-compromise', 'affected', 'ec2-backup-malware'],
  ['Execution:EC2/MaliciousFile!RecoveryPoint', 'instance-compromise', 'affected', 'ec2-backup-malware'],
  ['Execution:S3/MaliciousFile!RecoveryPoint', 'data-threat', 'affected', 's3-malware'],

  // RDS Protection finding types (findings-rds-protection)
  [
    'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin',
    'database-threat',
    'compromised',
    'rds-successful-login',
  ],
  ['CredentialAccess:RDS/AnomalousBehavior.FailedLogin', 'database-threat', 'victim', 'rds-login-attempt'],
  [
    'CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce',
    'database-threat',
    'compromised',
    'rds-successful-login',
  ],
  [
    'CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin',
    'database-threat',
    'compromised',
    'rds-successful-login',
  ],
  ['CredentialAccess:RDS/MaliciousIPCaller.FailedLogin', 'database-threat', 'victim', 'rds-login-attempt'],
  ['Discovery:RDS/MaliciousIPCaller', 'database-threat', 'victim', 'rds-login-attempt'],
  [
    'CredentialAccess:RDS/TorIPCaller.SuccessfulLogin',
    'database-threat',
    'compromised',
    'rds-successful-login',
  ],
  ['CredentialAccess:RDS/TorIPCaller.FailedLogin', 'database-threat', 'victim', 'rds-login-attempt'],
  ['Discovery:RDS/TorIPCaller', 'database-threat', 'victim', 'rds-login-attempt'],

  // Lambda Protection finding types (lambda-protection-finding-types)
  ['Backdoor:Lambda/C&CActivity.B', 'suspicious-activity', 'compromised', 'lambda-network-threat'],
  ['CryptoCurrency:Lambda/BitcoinTool.B', 'suspicious-activity', 'compromised', 'lambda-network-threat'],
  ['Trojan:Lambda/BlackholeTraffic', 'suspicious-activity', 'compromised', 'lambda-network-threat'],
  ['Trojan:Lambda/DropPoint', 'suspicious-activity', 'compromised', 'lambda-network-threat'],
  [
    'UnauthorizedAccess:Lambda/MaliciousIPCaller.Custom',
    'suspicious-activity',
    'compromised',
    'lambda-network-threat',
  ],
  ['UnauthorizedAccess:Lambda/TorClient', 'suspicious-activity', 'compromised', 'lambda-network-threat'],
  ['UnauthorizedAccess:Lambda/TorRelay', 'suspicious-activity', 'compromised', 'lambda-network-threat'],

  // Attack sequence finding types (guardduty-attack-sequence-finding-types)
  [
    'AttackSequence:IAM/CompromisedCredentials',
    'credential-compromise',
    'affected',
    'attack-sequence-credentials',
  ],
  ['AttackSequence:S3/CompromisedData', 'data-threat', 'affected', 'attack-sequence-data'],
  ['AttackSequence:EKS/CompromisedCluster', 'container-threat', 'affected', 'attack-sequence-containers'],
  ['AttackSequence:ECS/CompromisedCluster', 'container-threat', 'affected', 'attack-sequence-containers'],
  [
    'AttackSequence:EC2/CompromisedInstanceGroup',
    'instance-compromise',
    'affected',
    'attack-sequence-instances',
  ],

  // Not in the user guide: the canary GuardDuty emits to test delivery (one of the real sample events).
  ['Canary:EC2/Stateless.IntegTest', 'suspicious-activity', 'related', 'canary'],
];

/**
 * Documented types deliberately not expected to classify as known: none. (GuardDuty's Custom Detection Rules
 * finding types are user-named and have no fixed list, so they are not in the table; they fall back by resource.)
 */
const DELIBERATE_EXCEPTIONS: ReadonlyMap<string, string> = new Map();

describe('the documented GuardDuty finding types', () => {
  it.each(DOCUMENTED_TYPES.map((row) => [row[0], row] as const))('%s is classified', (_type, row) => {
    // Prepare
    const [type, category, role, family, context] = row;

    // Act
    const result = classifyFinding({ type, ...context });

    // Assess
    expect(result).toMatchObject({ category, role, family, known: !DELIBERATE_EXCEPTIONS.has(type) });
    expect(result.rationale).toMatch(/\S/);
  });

  it('has no deliberate exception that is not in the table', () => {
    const types = new Set(DOCUMENTED_TYPES.map(([type]) => type));
    for (const type of DELIBERATE_EXCEPTIONS.keys()) expect(types.has(type)).toBe(true);
  });
});

describe('the rules of DOMAIN.md item 5 (the resource role decides the playbook)', () => {
  it('an instance receiving an inbound SSH brute force is a victim, never compromised', () => {
    const result = classifyFinding({
      type: 'UnauthorizedAccess:EC2/SSHBruteForce',
      resourceType: 'Instance',
      actionType: 'NETWORK_CONNECTION',
      connectionDirection: 'INBOUND',
    });
    expect(result).toMatchObject({
      category: 'instance-exposed',
      role: 'victim',
      family: 'ec2-inbound-brute-force',
    });
  });

  it('an outbound SSH brute force means the instance is compromised', () => {
    const result = classifyFinding({
      type: 'UnauthorizedAccess:EC2/SSHBruteForce',
      resourceType: 'Instance',
      actionType: 'NETWORK_CONNECTION',
      connectionDirection: 'OUTBOUND',
    });
    expect(result).toMatchObject({
      category: 'instance-compromise',
      role: 'compromised',
      family: 'ec2-outbound-brute-force',
    });
  });

  it.each([undefined, '', 'UNKNOWN', 'sideways'])(
    'a brute force whose direction is %j makes the instance a victim, and the rationale says why',
    (connectionDirection) => {
      const result = classifyFinding({
        type: 'UnauthorizedAccess:EC2/RDPBruteForce',
        resourceType: 'Instance',
        connectionDirection,
      });
      expect(result).toMatchObject({ category: 'instance-exposed', role: 'victim', known: true });
      expect(result.rationale).toMatch(/direction is unknown/);
      expect(result.rationale).toMatch(/rather than isolated on doubt/);
    },
  );

  it('reads the connection direction case-insensitively', () => {
    const result = classifyFinding({
      type: 'UnauthorizedAccess:EC2/SSHBruteForce',
      connectionDirection: ' outbound ',
    });
    expect(result.role).toBe('compromised');
  });

  it('a port probe makes the instance a victim', () => {
    for (const type of ['Recon:EC2/PortProbeUnprotectedPort', 'Recon:EC2/PortProbeEMRUnprotectedPort']) {
      const result = classifyFinding({ type, resourceType: 'Instance', actionType: 'PORT_PROBE' });
      expect(result).toMatchObject({
        category: 'instance-exposed',
        role: 'victim',
        family: 'ec2-port-probe',
      });
    }
  });

  it('any EC2 finding reported as a PORT_PROBE makes the instance a victim', () => {
    const result = classifyFinding({
      type: 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
      resourceType: 'Instance',
      actionType: 'PORT_PROBE',
    });
    expect(result).toMatchObject({ category: 'instance-exposed', role: 'victim', family: 'ec2-port-probe' });
  });

  it('resourceRole TARGET alone does not make an instance compromised', () => {
    // GuardDuty says TARGET for this C&C finding (see the custodian event), yet the instance made the calls.
    // classifyFinding does not even take resourceRole: the type decides.
    const result = classifyFinding({
      type: 'Backdoor:EC2/C&CActivity.B!DNS',
      resourceType: 'Instance',
      actionType: 'DNS_REQUEST',
    });
    expect(result).toMatchObject({ category: 'instance-compromise', role: 'compromised' });
    expect(Object.keys({ type: '' } satisfies FindingContext)).not.toContain('resourceRole');
  });

  it.each([
    'Backdoor:EC2/C&CActivity.B',
    'CryptoCurrency:EC2/BitcoinTool.B!DNS',
    'Impact:EC2/BitcoinDomainRequest.Reputation',
    'UnauthorizedAccess:EC2/TorClient',
    'UnauthorizedAccess:EC2/TorRelay',
    'Trojan:EC2/DNSDataExfiltration',
    'Backdoor:EC2/DenialOfService.Tcp',
    'Backdoor:EC2/Spambot',
    'Recon:EC2/Portscan',
    'Behavior:EC2/TrafficVolumeUnusual',
    'Execution:EC2/MaliciousFile',
  ])('%s means the instance is compromised', (type) => {
    expect(classifyFinding({ type, resourceType: 'Instance' })).toMatchObject({
      category: 'instance-compromise',
      role: 'compromised',
    });
  });

  it('a Runtime Monitoring finding on an EC2 host is an instance compromise, on a container a container threat', () => {
    const onHost = classifyFinding({ type: 'Execution:Runtime/ReverseShell', resourceType: 'Instance' });
    const inContainer = classifyFinding({
      type: 'Execution:Runtime/ReverseShell',
      resourceType: 'EKSCluster',
    });
    expect(onHost).toMatchObject({
      category: 'instance-compromise',
      role: 'compromised',
      family: 'runtime-threat',
    });
    expect(inContainer).toMatchObject({
      category: 'container-threat',
      role: 'compromised',
      family: 'runtime-threat',
    });
  });
});

describe('the rules of DOMAIN.md item 6 (access keys)', () => {
  it('root user activity is root-activity, never credential-compromise', () => {
    for (const type of [
      'Policy:IAMUser/RootCredentialUsage',
      'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      'CredentialAccess:IAMUser/AnomalousBehavior',
      'Stealth:IAMUser/CloudTrailLoggingDisabled',
      'Discovery:S3/MaliciousIPCaller',
    ]) {
      const result = classifyFinding({
        type,
        resourceType: 'AccessKey',
        userType: 'Root',
        accessKeyId: 'ASIAEXAMPLE',
      });
      expect(result).toMatchObject({ category: 'root-activity', role: 'actor', family: 'root-activity' });
      expect(result.rationale).toMatch(/root/);
    }
  });

  it('Policy:IAMUser/RootCredentialUsage is root activity even when the user type is missing', () => {
    expect(classifyFinding({ type: 'Policy:IAMUser/RootCredentialUsage' }).category).toBe('root-activity');
  });

  it('AKIA keys are long-term and ASIA keys temporary', () => {
    expect(keyTypeOf('AKIAIOSFODNN7EXAMPLE')).toBe('long-term');
    expect(keyTypeOf('ASIAY34FZKBOKMUTVV7A')).toBe('temporary');
    expect(keyTypeOf(' ASIAY34FZKBOKMUTVV7A ')).toBe('temporary');
    expect(keyTypeOf('GeneratedFindingAccessKeyId')).toBe('unknown');
    expect(keyTypeOf('akiaiosfodnn7example')).toBe('unknown');
    expect(keyTypeOf('')).toBe('unknown');
    expect(keyTypeOf(undefined)).toBe('unknown');
  });

  it('the key type does not change the category of a credential finding', () => {
    const longTerm = classifyFinding({
      type: 'UnauthorizedAccess:IAMUser/TorIPCaller',
      accessKeyId: 'AKIAEXAMPLE',
    });
    const session = classifyFinding({
      type: 'UnauthorizedAccess:IAMUser/TorIPCaller',
      accessKeyId: 'ASIAEXAMPLE',
    });
    expect(longTerm).toEqual(session);
  });

  it("instance credential exfiltration is a credential compromise, not the instance's", () => {
    const result = classifyFinding({
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      resourceType: 'AccessKey',
      userType: 'AssumedRole',
      accessKeyId: 'ASIAY34FZKBOKMUTVV7A',
    });
    expect(result).toMatchObject({ category: 'credential-compromise', role: 'compromised' });
  });

  it('an access-key finding that also carries instance details stays a credential finding', () => {
    // The primary resource is the key; an instance named alongside it is only related (the normalizer gives
    // instances the classified role only when the finding's resourceType is Instance).
    const result = classifyFinding({
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
      resourceType: 'AccessKey',
      actionType: 'AWS_API_CALL',
      userType: 'AssumedRole',
    });
    expect(result.category).toBe('credential-compromise');
    expect(result.category).not.toBe('instance-compromise');
  });

  it('a posture change by a principal is suspicious activity with the key as actor, not a stolen key', () => {
    const result = classifyFinding({
      type: 'Stealth:IAMUser/PasswordPolicyChange',
      resourceType: 'AccessKey',
      userType: 'IAMUser',
    });
    expect(result).toMatchObject({
      category: 'suspicious-activity',
      role: 'actor',
      family: 'iam-posture-change',
    });
  });
});

describe('S3 findings', () => {
  it('name the bucket as victim, or the calling key as actor when the key is the primary resource', () => {
    const bucket = classifyFinding({ type: 'Discovery:S3/MaliciousIPCaller', resourceType: 'S3Bucket' });
    const key = classifyFinding({ type: 'Discovery:S3/MaliciousIPCaller', resourceType: 'AccessKey' });
    expect(bucket).toMatchObject({ category: 'data-threat', role: 'victim' });
    expect(key).toMatchObject({ category: 'data-threat', role: 'actor' });
  });
});

describe('attack sequences (DOMAIN.md item 7)', () => {
  it.each([
    ['AttackSequence:IAM/CompromisedCredentials', 'credential-compromise'],
    ['AttackSequence:S3/CompromisedData', 'data-threat'],
    ['AttackSequence:EKS/CompromisedCluster', 'container-threat'],
    ['AttackSequence:ECS/CompromisedCluster', 'container-threat'],
    ['AttackSequence:EC2/CompromisedInstanceGroup', 'instance-compromise'],
    ['AttackSequence:Lambda/SomethingNew', 'suspicious-activity'],
  ] as const)('%s is kept as %s with every resource only affected', (type, category) => {
    const result = classifyFinding({ type, resourceType: 'AttackSequence' });
    expect(result).toMatchObject({ category, role: 'affected', known: true });
    expect(result.family).toMatch(/^attack-sequence/);
  });

  it('stay attack sequences even when a root user is involved', () => {
    const result = classifyFinding({ type: 'AttackSequence:IAM/CompromisedCredentials', userType: 'Root' });
    expect(result.family).toBe('attack-sequence-credentials');
  });
});

describe('canary findings', () => {
  it('are suspicious activity whose resource is only related', () => {
    const result = classifyFinding({
      type: 'Canary:EC2/Stateless.IntegTest',
      resourceType: 'Instance',
      actionType: 'NETWORK_CONNECTION',
      connectionDirection: 'OUTBOUND',
    });
    expect(result).toEqual(
      expect.objectContaining({ family: 'canary', category: 'suspicious-activity', role: 'related' }),
    );
  });
});

describe('unknown finding types', () => {
  it.each([
    ['Instance', 'instance-compromise'],
    ['AccessKey', 'credential-compromise'],
    ['S3Bucket', 'data-threat'],
    ['S3Object', 'data-threat'],
    ['EKSCluster', 'container-threat'],
    ['Container', 'container-threat'],
    ['ECSCluster', 'container-threat'],
    ['RDSDBInstance', 'database-threat'],
    ['RDSLimitlessDB', 'database-threat'],
    ['Lambda', 'suspicious-activity'],
    ['SomethingNew', 'suspicious-activity'],
    [undefined, 'suspicious-activity'],
  ] as const)(
    'unknown types fall back by resource type (%s → %s) and never throw',
    (resourceType, category) => {
      const result = classifyFinding({ type: 'Mystery:Thing/NeverSeen', resourceType });
      expect(result).toMatchObject({ category, role: 'related', known: false });
      expect(result.rationale).toContain('Mystery:Thing/NeverSeen');
    },
  );

  it('an unknown type on an instance receiving a port probe is still a victim', () => {
    const result = classifyFinding({
      type: 'Mystery:Thing/NeverSeen',
      resourceType: 'Instance',
      actionType: 'PORT_PROBE',
    });
    expect(result).toMatchObject({ category: 'instance-exposed', role: 'victim', known: false });
  });

  it.each([
    { type: '' },
    { type: '   ' },
    { type: ':/!' },
    { type: 'x'.repeat(10_000), resourceType: 'Instance' },
    { type: 'Recon:EC2/Portscan', resourceType: 'constructor' },
    { type: 'Execution:Runtime/ReverseShell', resourceType: '__proto__' },
    { type: 'Discovery:S3/TorIPCaller', resourceType: 'toString' },
  ])('never throws and stays inside the categories for %j', (context) => {
    const result = classifyFinding(context);
    expect(INCIDENT_CATEGORIES).toContain(result.category);
  });

  it('never throws for inputs that are not even objects', () => {
    for (const junk of [null, undefined, 42, 'type', [], { type: 42 }, { type: null, userType: {} }]) {
      // Deliberately wrong types: parsed JSON can carry anything, and intake must still get a verdict.
      const result = classifyFinding(junk as unknown as FindingContext);
      expect(result).toMatchObject({ category: 'suspicious-activity', role: 'related', known: false });
    }
  });

  it('classifyFinding never throws and always returns a category from INCIDENT_CATEGORIES for arbitrary strings', () => {
    const maybe = fc.option(fc.string(), { nil: undefined });
    const roles: readonly string[] = ['compromised', 'victim', 'actor', 'affected', 'related'];
    fc.assert(
      fc.property(
        fc.record({
          type: fc.oneof(fc.string(), fc.constantFrom(...DOCUMENTED_TYPES.map(([type]) => type))),
          resourceType: fc.oneof(maybe, fc.constantFrom('Instance', 'AccessKey', 'S3Bucket', 'constructor')),
          actionType: fc.oneof(maybe, fc.constantFrom('PORT_PROBE', 'NETWORK_CONNECTION')),
          connectionDirection: fc.oneof(maybe, fc.constantFrom('INBOUND', 'OUTBOUND', 'UNKNOWN')),
          userType: fc.oneof(maybe, fc.constantFrom('Root', 'IAMUser', 'AssumedRole')),
          accessKeyId: maybe,
        }),
        (context) => {
          const result = classifyFinding(context);
          expect(INCIDENT_CATEGORIES).toContain(result.category);
          expect(roles).toContain(result.role);
          expect(result.rationale.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('unknown types never name a compromised resource', () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (type, resourceType) => {
        const result = classifyFinding({ type, resourceType });
        if (!result.known) expect(result.role).not.toBe('compromised');
      }),
    );
  });
});

describe('parseFindingType', () => {
  it('splits a type into the parts of the GuardDuty finding format', () => {
    expect(parseFindingType('Backdoor:EC2/C&CActivity.B!DNS')).toEqual({
      threatPurpose: 'Backdoor',
      resourceTypeAffected: 'EC2',
      threatFamily: 'C&CActivity',
      detection: 'B',
      artifact: 'DNS',
    });
    expect(parseFindingType('UnauthorizedAccess:EC2/SSHBruteForce')).toEqual({
      threatPurpose: 'UnauthorizedAccess',
      resourceTypeAffected: 'EC2',
      threatFamily: 'SSHBruteForce',
    });
    expect(parseFindingType('DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite')).toMatchObject({
      threatFamily: 'ProcessInjection',
      detection: 'VirtualMemoryWrite',
    });
    expect(
      parseFindingType(
        'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer',
      ),
    ).toEqual({
      threatPurpose: 'PrivilegeEscalation',
      resourceTypeAffected: 'Kubernetes',
      threatFamily: 'AnomalousBehavior',
      detection: 'WorkloadDeployed',
      artifact: 'PrivilegedContainer',
    });
  });

  it('parses every documented type', () => {
    for (const [type] of DOCUMENTED_TYPES) expect(parseFindingType(type), type).toBeDefined();
  });

  it.each(['', 'garbage', 'A:B', 'A/B', ':EC2/X', 'A:/X', 'A:B/', 'A:B/.x', 'A:B/X!', 'A:B/C/D'])(
    'returns undefined for %j',
    (type) => {
      expect(parseFindingType(type)).toBeUndefined();
    },
  );

  it('never throws', () => {
    fc.assert(fc.property(fc.string(), (type) => void parseFindingType(type)));
  });
});

describe('the catalog', () => {
  it('has unique kebab-case family ids and valid categories', () => {
    const ids = FINDING_FAMILIES.map((family) => family.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const family of FINDING_FAMILIES) {
      expect(family.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(INCIDENT_CATEGORIES).toContain(family.category);
      expect(family.description.length, family.id).toBeGreaterThan(20);
      expect(family.when.length, family.id).toBeGreaterThan(0);
    }
  });

  it('classifies every example of a family into that family', () => {
    for (const family of FINDING_FAMILIES) {
      // The families that only an outbound connection reaches; the others are tried with INBOUND.
      const outbound = ['ec2-outbound-brute-force', 'ec2-threat-list'].includes(family.id);
      const connectionDirection = outbound ? 'OUTBOUND' : 'INBOUND';
      // A family that every condition reaches through a user type (the S3 credentials family) is tried with it.
      const userType = family.when.every((condition) => condition.userTypes !== undefined)
        ? family.when[0]?.userTypes?.[0]
        : undefined;
      for (const type of family.examples) {
        expect(classifyFinding({ type, connectionDirection, userType }).family, type).toBe(family.id);
      }
    }
  });

  it('lists every documented type as an example of some family or in the per-type table', () => {
    const examples = new Set(FINDING_FAMILIES.flatMap((family) => family.examples));
    const documented = new Set(DOCUMENTED_TYPES.map(([type]) => type));
    for (const example of examples) expect(documented.has(example), example).toBe(true);
  });

  it('is documented: every family id appears in docs/finding-types.md', () => {
    const doc = readFileSync(join(repoRoot, 'docs/finding-types.md'), 'utf8');
    for (const family of FINDING_FAMILIES) expect(doc, family.id).toContain(`\`${family.id}\``);
  });
});

// ── Real events (read-only samples collected for the project) ───────────────────────────────────────────────

// The verbatim copies bundled in packages/cli/events: a fresh clone has no ../shared.
const EVENTS_DIR = join(BUNDLED_EVENTS_DIR, 'guardduty');

/** What each sample event must classify as. */
const REAL_EVENTS: Readonly<
  Record<string, { family: string; category: IncidentCategory; role: ResourceRole }>
> = {
  'eb-ec2-backdoor-cc-activity-b-dns-custodian.json': {
    family: 'ec2-command-and-control',
    category: 'instance-compromise',
    role: 'compromised',
  },
  'eb-iam-toripcaller-custodian.json': {
    family: 'iam-threat-intel-caller',
    category: 'credential-compromise',
    role: 'compromised',
  },
  'eb-pascalcase-ec2-ssh-bruteforce-4-enis.json': {
    family: 'ec2-inbound-brute-force',
    category: 'instance-exposed',
    role: 'victim',
  },
  'eb-pascalcase-iam-credentialaccess-anomalous-4-enis.json': {
    family: 'iam-anomalous-behavior',
    category: 'credential-compromise',
    role: 'compromised',
  },
  'eb-pascalcase-rds-discovery-toripcaller.json': {
    family: 'rds-login-attempt',
    category: 'database-threat',
    role: 'victim',
  },
  'eb-pascalcase-root-credential-usage-placeholders.json': {
    family: 'root-activity',
    category: 'root-activity',
    role: 'actor',
  },
  'raw-attacksequence-iam-compromised-credentials-panther.json': {
    family: 'attack-sequence-credentials',
    category: 'credential-compromise',
    role: 'affected',
  },
  'raw-attacksequence-s3-compromised-data-sample-panther.json': {
    family: 'attack-sequence-data',
    category: 'data-threat',
    role: 'affected',
  },
  'raw-canary-ec2-stateless-integtest-epoch-launchtime.json': {
    family: 'canary',
    category: 'suspicious-activity',
    role: 'related',
  },
  'raw-iam-privesc-administrative-permissions-no-resource-panther.json': {
    family: 'iam-credential-other',
    category: 'credential-compromise',
    role: 'compromised',
  },
  'raw-iam-recon-maliciousipcaller-custom.json': {
    family: 'iam-threat-intel-caller',
    category: 'credential-compromise',
    role: 'compromised',
  },
  'raw-s3-pentest-parrotlinux.json': { family: 's3-pentest', category: 'data-threat', role: 'victim' },
};

/** Reads a key in camelCase or PascalCase (the eb-pascalcase-* samples use the SDK's PascalCase). */
function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  return record[key] ?? record[key.charAt(0).toUpperCase() + key.slice(1)];
}

function path(value: unknown, ...keys: string[]): string | undefined {
  const found = keys.reduce<unknown>((current, key) => field(current, key), value);
  return typeof found === 'string' ? found : undefined;
}

function contextOf(event: unknown): FindingContext {
  // EventBridge events carry the finding in `detail`; raw (GetFindings) samples are the finding itself.
  const finding = field(event, 'detail') ?? event;
  return {
    type: path(finding, 'type') ?? '',
    resourceType: path(finding, 'resource', 'resourceType'),
    actionType: path(finding, 'service', 'action', 'actionType'),
    connectionDirection: path(finding, 'service', 'action', 'networkConnectionAction', 'connectionDirection'),
    userType: path(finding, 'resource', 'accessKeyDetails', 'userType'),
    accessKeyId: path(finding, 'resource', 'accessKeyDetails', 'accessKeyId'),
  };
}

describe('threat-list connections', () => {
  it('makes an instance that a threat-list host connects to (INBOUND) a victim, never compromised', () => {
    expect(
      classifyFinding({
        type: 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
        resourceType: 'Instance',
        actionType: 'NETWORK_CONNECTION',
        connectionDirection: 'INBOUND',
      }),
    ).toMatchObject({ family: 'ec2-threat-list-inbound', category: 'instance-exposed', role: 'victim' });
  });

  it('makes an instance that connects out to a threat-list host compromised', () => {
    expect(
      classifyFinding({
        type: 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
        resourceType: 'Instance',
        actionType: 'NETWORK_CONNECTION',
        connectionDirection: 'OUTBOUND',
      }),
    ).toMatchObject({ family: 'ec2-threat-list', role: 'compromised' });
  });
});

describe('the real GuardDuty sample events', () => {
  it('has an expectation for every sample file', () => {
    const files = readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(REAL_EVENTS).sort());
  });

  it.each(Object.entries(REAL_EVENTS))('%s classifies as expected', (file, expected) => {
    // Prepare
    const event: unknown = JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8'));

    // Act
    const result = classifyFinding(contextOf(event));

    // Assess
    expect(result).toMatchObject({ ...expected, known: true });
  });

  it('the C&C sample says resourceRole TARGET, and is still a compromised instance', () => {
    const event: unknown = JSON.parse(
      readFileSync(join(EVENTS_DIR, 'eb-ec2-backdoor-cc-activity-b-dns-custodian.json'), 'utf8'),
    );
    expect(path(field(event, 'detail'), 'service', 'resourceRole')).toBe('TARGET');
    expect(classifyFinding(contextOf(event)).role).toBe('compromised');
  });
});

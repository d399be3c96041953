import type { IncidentCategory, ResourceRole } from './incident.ts';

/**
 * The GuardDuty finding-type catalog (DOMAIN.md items 5–7): one table that says, for every documented finding
 * type family, which incident category it opens and what part the finding's primary resource plays in it.
 *
 * Why a catalog and not `service.resourceRole`: GuardDuty reports `resourceRole: TARGET` for most findings,
 * including ones where the instance itself talks to a C&C server, so that field cannot tell a victim from a
 * compromised host. The finding type (plus the connection direction for brute-force types, and the action type
 * for port probes) can. `docs/finding-types.md` renders this table for responders; a test keeps the two in step.
 */

/** What `classifyFinding` looks at: a few fields of a GuardDuty finding, all optional except the type. */
export interface FindingContext {
  /** The finding type, e.g. `UnauthorizedAccess:EC2/SSHBruteForce`, `Backdoor:EC2/C&CActivity.B!DNS`. */
  readonly type: string;
  /** `resource.resourceType`: Instance, AccessKey, S3Bucket, EKSCluster, RDSDBInstance, Lambda, Container, ECSCluster, AttackSequence, … */
  readonly resourceType?: string;
  /** `service.action.actionType`: NETWORK_CONNECTION, PORT_PROBE, DNS_REQUEST, AWS_API_CALL, KUBERNETES_API_CALL, RDS_LOGIN_ATTEMPT, … */
  readonly actionType?: string;
  /** `service.action.networkConnectionAction.connectionDirection`: INBOUND, OUTBOUND or UNKNOWN. */
  readonly connectionDirection?: string;
  /** `resource.accessKeyDetails.userType`: IAMUser, AssumedRole, Root, FederatedUser, AWSService, … */
  readonly userType?: string;
  /** `resource.accessKeyDetails.accessKeyId`: `AKIA…` long-term, `ASIA…` temporary. */
  readonly accessKeyId?: string;
}

/** The catalog's verdict on one finding. */
export interface FindingClassification {
  readonly category: IncidentCategory;
  /** The part the finding's primary resource plays; only `compromised` resources are ever contained. */
  readonly role: ResourceRole;
  /** Id of the catalog family that matched, or `unknown-<resource type>` when none did. */
  readonly family: string;
  /** `false` when the type matched no family and the resource-type fallback was used. */
  readonly known: boolean;
  /** One sentence a responder can read. */
  readonly rationale: string;
  /**
   * The part the access key (`resource.accessKeyDetails`) plays when another resource is the finding's primary
   * one; `undefined`: the key is only the actor.
   */
  readonly keyRole?: ResourceRole;
  /** `required`: whatever the severity, a human approves any action on this finding. */
  readonly approval?: 'required';
}

/** A connection direction after normalization: anything GuardDuty did not state as INBOUND or OUTBOUND is UNKNOWN. */
export type ConnectionDirection = 'INBOUND' | 'OUTBOUND' | 'UNKNOWN';

/** One way a family can match. Every field given must hold; a family matches when any of its conditions does. */
export interface FamilyCondition {
  /** Tested against the whole finding type. Anchored, case-sensitive: GuardDuty types have one spelling. */
  readonly type: RegExp;
  /** Normalized connection directions this condition accepts. */
  readonly directions?: readonly ConnectionDirection[];
  /** `service.action.actionType` values this condition accepts. */
  readonly actionTypes?: readonly string[];
  /** `accessKeyDetails.userType` values this condition accepts (compared case-insensitively). */
  readonly userTypes?: readonly string[];
  /** Replaces the family's rationale when this condition is the one that matched. */
  readonly rationale?: string;
}

/** One row of the catalog. */
export interface FindingFamily {
  /** Kebab-case id, stable: incidents record it (`GuardDutyFacts.findingFamily`) and the doc lists it. */
  readonly id: string;
  /** What the family covers and why it gets this category and role. */
  readonly description: string;
  readonly category: IncidentCategory;
  /** `by-direction`: `compromised` when the connection is OUTBOUND, `victim` otherwise. */
  readonly role: ResourceRole | 'by-direction';
  /** Documented finding types of this family (GuardDuty user guide). */
  readonly examples: readonly string[];
  readonly when: readonly FamilyCondition[];
  /** The sentence a responder reads for a finding of this family. */
  readonly rationale: string;
  /** A different category when the primary resource is of this `resource.resourceType`. */
  readonly categoryByResourceType?: Readonly<Record<string, IncidentCategory>>;
  /** A different role when the primary resource is of this `resource.resourceType`. */
  readonly roleByResourceType?: Readonly<Record<string, ResourceRole>>;
  /** The access key's role when it is not the primary resource (default: the actor). */
  readonly keyRole?: ResourceRole;
  /** `required`: never acted on without approval, whatever the severity (the description says why). */
  readonly approval?: 'required';
}

// S3 findings name the bucket when they come from S3 data events, but the access key when they come from
// management events (GuardDuty S3 Protection finding types): the key made the calls, the bucket received them.
const KEY_IS_ACTOR = { AccessKey: 'actor' } as const satisfies Record<string, ResourceRole>;

// Runtime Monitoring covers EC2 hosts as well as containers; on a host (`resourceType: Instance`) the
// compromised workload is the instance itself, which has its own containment playbook.
const HOST_IS_INSTANCE = { Instance: 'instance-compromise' } as const satisfies Record<
  string,
  IncidentCategory
>;

/**
 * The catalog, in matching order: the first family whose condition holds wins. Specific families come before
 * the catch-all family of their resource (e.g. `ec2-backup-malware` before `ec2-malware`, the root rule before
 * every IAM family), and canaries and attack sequences come first so nothing can pull them into a family that
 * acts on its own.
 */
export const FINDING_FAMILIES: readonly FindingFamily[] = [
  // ── Tests and multi-resource detections ────────────────────────────────────────────────────────────────────
  {
    id: 'canary',
    description:
      'GuardDuty canary/integration-test findings. They prove the pipeline is wired, not that anything happened, so they open a suspicious-activity incident whose resource is only related.',
    category: 'suspicious-activity',
    role: 'related',
    examples: ['Canary:EC2/Stateless.IntegTest'],
    when: [{ type: /^Canary:/ }],
    rationale:
      'This is a GuardDuty canary (test) finding: it is recorded to prove delivery and nothing is acted on.',
  },
  {
    id: 'attack-sequence-credentials',
    description:
      'Extended Threat Detection sequence centred on compromised AWS credentials. Severity 9–10 and several resources: never dropped, never acted on without approval, so every resource is only affected.',
    category: 'credential-compromise',
    role: 'affected',
    examples: ['AttackSequence:IAM/CompromisedCredentials'],
    when: [{ type: /^AttackSequence:IAM\// }],
    rationale:
      'GuardDuty correlated several signals into an attack sequence on credentials; it names many resources, so a human approves any action.',
  },
  {
    id: 'attack-sequence-data',
    description:
      'Extended Threat Detection sequence against S3 data (often part of ransomware). Never dropped; any action needs approval.',
    category: 'data-threat',
    role: 'affected',
    examples: ['AttackSequence:S3/CompromisedData'],
    when: [{ type: /^AttackSequence:S3\// }],
    rationale:
      'GuardDuty correlated several signals into an attack sequence on S3 data; it names many resources, so a human approves any action.',
  },
  {
    id: 'attack-sequence-containers',
    description:
      'Extended Threat Detection sequence against an EKS or ECS cluster. Never dropped; any action needs approval.',
    category: 'container-threat',
    role: 'affected',
    examples: ['AttackSequence:EKS/CompromisedCluster', 'AttackSequence:ECS/CompromisedCluster'],
    when: [{ type: /^AttackSequence:(EKS|ECS)\// }],
    rationale:
      'GuardDuty correlated several signals into an attack sequence on a container cluster; it names many resources, so a human approves any action.',
  },
  {
    id: 'attack-sequence-instances',
    description:
      'Extended Threat Detection sequence against a group of EC2 instances. Never dropped; isolating a whole group needs approval.',
    category: 'instance-compromise',
    role: 'affected',
    examples: ['AttackSequence:EC2/CompromisedInstanceGroup'],
    when: [{ type: /^AttackSequence:EC2\// }],
    rationale:
      'GuardDuty correlated several signals into an attack sequence on a group of instances; isolating them all needs a human to approve.',
  },
  {
    id: 'attack-sequence-other',
    description:
      'Any other attack sequence (a resource family GuardDuty adds later). Kept rather than dropped (DOMAIN.md item 7), as suspicious activity, approval only.',
    category: 'suspicious-activity',
    role: 'affected',
    examples: [],
    when: [{ type: /^AttackSequence:/ }],
    rationale:
      'GuardDuty reported an attack sequence of a kind Cordon has no dedicated family for; it is kept and every action needs approval.',
  },

  // ── IAM: access keys and the root user ─────────────────────────────────────────────────────────────────────
  {
    id: 'root-activity',
    description:
      'The root user was used (`Policy:IAMUser/RootCredentialUsage`, `ShortTermRootCredentialUsage`), or any finding whose `accessKeyDetails.userType` is `Root`. IAM policies cannot restrict or revoke the root user, so this is escalated (critical), never treated as a key to deactivate; the root user is the actor.',
    category: 'root-activity',
    role: 'actor',
    examples: ['Policy:IAMUser/RootCredentialUsage', 'Policy:IAMUser/ShortTermRootCredentialUsage'],
    when: [
      { type: /^Policy:IAMUser\/(ShortTerm)?RootCredentialUsage$/ },
      {
        type: /^/,
        userTypes: ['Root'],
        rationale:
          'The calls were made by the account root user, which no IAM policy can revoke: escalate to the account owner rather than deactivate a key.',
      },
    ],
    rationale:
      'The account root user was used; IAM policies cannot revoke it, so the account owner is alerted instead of a key being deactivated.',
  },
  {
    id: 'iam-credential-exfiltration',
    description:
      'Session credentials issued to an EC2 instance role (or another AWS resource) are being used from somewhere else, inside or outside AWS. The credentials are compromised; the instance they came from is only related.',
    category: 'credential-compromise',
    role: 'compromised',
    examples: [
      'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
      'UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS',
      'UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.InsideAWS',
    ],
    when: [{ type: /^UnauthorizedAccess:IAMUser\/(Instance|Resource)CredentialExfiltration(\.|$)/ }],
    rationale:
      "A role's session credentials were used away from the resource they were issued to, so those credentials are compromised (the instance itself is not).",
  },
  {
    id: 'iam-posture-change',
    description:
      "A principal weakened the account's security settings: password policy, CloudTrail or Bedrock logging, S3 Block Public Access (old names of the S3 Policy/Stealth types). GuardDuty raises these by rule at low severity and an administrator makes the same change on purpose, so the change alone is not evidence the key was stolen: suspicious activity with the key as actor (notify, a human judges), not credential compromise.",
    category: 'suspicious-activity',
    role: 'actor',
    examples: [
      'Stealth:IAMUser/PasswordPolicyChange',
      'Stealth:IAMUser/CloudTrailLoggingDisabled',
      'Stealth:IAMUser/LoggingConfigurationModified',
      'DefenseEvasion:IAMUser/BedrockLoggingDisabled',
      'Policy:IAMUser/S3BlockPublicAccessDisabled',
      'Stealth:IAMUser/S3ServerAccessLoggingDisabled',
    ],
    when: [{ type: /^(Stealth|Policy):IAMUser\// }, { type: /^DefenseEvasion:IAMUser\/\w*LoggingDisabled$/ }],
    rationale:
      'A principal weakened a security setting (password policy, logging or public-access block); that is reported for a human to judge, not taken as proof the key was stolen.',
  },
  {
    id: 'iam-anomalous-behavior',
    description:
      "GuardDuty's anomaly model saw API calls of an attack stage (credential access, discovery, persistence, privilege escalation, …) made in a way this principal never made them. The key is treated as compromised.",
    category: 'credential-compromise',
    role: 'compromised',
    examples: [
      'CredentialAccess:IAMUser/AnomalousBehavior',
      'DefenseEvasion:IAMUser/AnomalousBehavior',
      'Discovery:IAMUser/AnomalousBehavior',
      'Exfiltration:IAMUser/AnomalousBehavior',
      'Impact:IAMUser/AnomalousBehavior',
      'InitialAccess:IAMUser/AnomalousBehavior',
      'Persistence:IAMUser/AnomalousBehavior',
      'PrivilegeEscalation:IAMUser/AnomalousBehavior',
    ],
    when: [{ type: /^\w+:IAMUser\/AnomalousBehavior(\.|$)/ }],
    rationale:
      'The credentials made attack-stage API calls in a way their owner never has, so they are treated as compromised.',
  },
  {
    id: 'iam-threat-intel-caller',
    description:
      'API calls with the key came from a Tor exit node, a known-malicious IP, or an IP on your own threat list. The key is treated as compromised.',
    category: 'credential-compromise',
    role: 'compromised',
    examples: [
      'UnauthorizedAccess:IAMUser/TorIPCaller',
      'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
      'Recon:IAMUser/TorIPCaller',
      'Recon:IAMUser/MaliciousIPCaller',
      'Recon:IAMUser/MaliciousIPCaller.Custom',
    ],
    when: [{ type: /^\w+:IAMUser\/(TorIPCaller|MaliciousIPCaller)(\.|$)/ }],
    rationale:
      'The credentials were used from a Tor exit node or a known-malicious IP, so they are treated as compromised.',
  },
  {
    id: 'iam-pentest-tooling',
    description:
      'API calls with the key came from a penetration-testing distribution (Kali, Parrot, Pentoo). Unless the test is authorised (use the exemption tag), the key is compromised.',
    category: 'credential-compromise',
    role: 'compromised',
    examples: ['PenTest:IAMUser/KaliLinux', 'PenTest:IAMUser/ParrotLinux', 'PenTest:IAMUser/PentooLinux'],
    when: [{ type: /^PenTest:IAMUser\// }],
    rationale:
      'The credentials were used from a penetration-testing system; unless the test is authorised they are compromised.',
  },
  {
    id: 'iam-console-login',
    description:
      'An unusual successful console sign-in for this principal. The credentials are treated as compromised.',
    category: 'credential-compromise',
    role: 'compromised',
    examples: ['UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B', 'UnauthorizedAccess:IAMUser/ConsoleLogin'],
    when: [{ type: /^UnauthorizedAccess:IAMUser\/ConsoleLogin/ }],
    rationale:
      'The principal signed in to the console in an unusual way, so its credentials are treated as compromised.',
  },
  {
    id: 'iam-credential-other',
    description:
      'Every other `…:IAMUser/…` type, including the retired permission-change types that older findings still carry (`Persistence:IAMUser/UserPermissions`, `PrivilegeEscalation:IAMUser/AdministrativePermissions`, …). GuardDuty files them under the key that made the calls, so the key is treated as compromised.',
    category: 'credential-compromise',
    role: 'compromised',
    examples: [
      'PrivilegeEscalation:IAMUser/AdministrativePermissions',
      'Persistence:IAMUser/UserPermissions',
      'Recon:IAMUser/UserPermissions',
      'ResourceConsumption:IAMUser/ComputeResources',
    ],
    when: [{ type: /^\w+:IAMUser\// }],
    rationale:
      'GuardDuty reported suspicious API activity made with these credentials, so they are treated as compromised.',
  },

  // ── EC2: victim or compromised ─────────────────────────────────────────────────────────────────────────────
  {
    id: 'ec2-port-probe',
    description:
      'Someone probed an unprotected port on the instance (`actionType: PORT_PROBE`). The instance received the traffic: it is a victim to harden (close the port), never isolated. Any EC2 type reported with `PORT_PROBE` lands here too.',
    category: 'instance-exposed',
    role: 'victim',
    examples: ['Recon:EC2/PortProbeUnprotectedPort', 'Recon:EC2/PortProbeEMRUnprotectedPort'],
    when: [
      { type: /^Recon:EC2\/PortProbe/ },
      {
        type: /^\w+:EC2\//,
        actionTypes: ['PORT_PROBE'],
        rationale:
          'The instance was the target of a port probe: it is a victim to harden (close the exposed port), never isolated.',
      },
    ],
    rationale:
      'A remote host probed an unprotected port on the instance: it is a victim to harden (close the port), never isolated.',
  },
  {
    id: 'ec2-inbound-brute-force',
    description:
      'SSH, RDP or WinRM brute force aimed at the instance (`connectionDirection: INBOUND`). The instance is a victim: notify and suggest hardening, never isolate. When the direction is missing or UNKNOWN the instance is also treated as the victim — Cordon never isolates on doubt.',
    category: 'instance-exposed',
    role: 'victim',
    examples: [
      'UnauthorizedAccess:EC2/SSHBruteForce',
      'UnauthorizedAccess:EC2/RDPBruteForce',
      'Impact:EC2/WinRMBruteForce',
    ],
    when: [
      {
        type: /^(UnauthorizedAccess:EC2\/(SSH|RDP)BruteForce|Impact:EC2\/WinRMBruteForce)$/,
        directions: ['INBOUND'],
      },
      {
        type: /^(UnauthorizedAccess:EC2\/(SSH|RDP)BruteForce|Impact:EC2\/WinRMBruteForce)$/,
        directions: ['UNKNOWN'],
        rationale:
          'The brute-force direction is unknown, so the instance is treated as the target (a victim) rather than isolated on doubt.',
      },
    ],
    rationale:
      'The instance received a brute-force attempt (INBOUND): it is a victim to harden, never isolated.',
  },
  {
    id: 'ec2-outbound-brute-force',
    description:
      'The instance itself is brute-forcing SSH, RDP or WinRM on other hosts (`connectionDirection: OUTBOUND`). Only a compromised host does that.',
    category: 'instance-compromise',
    role: 'compromised',
    examples: [
      'UnauthorizedAccess:EC2/SSHBruteForce',
      'UnauthorizedAccess:EC2/RDPBruteForce',
      'Impact:EC2/WinRMBruteForce',
    ],
    when: [
      {
        type: /^(UnauthorizedAccess:EC2\/(SSH|RDP)BruteForce|Impact:EC2\/WinRMBruteForce)$/,
        directions: ['OUTBOUND'],
      },
    ],
    rationale:
      'The instance is performing an outbound brute-force attack on other hosts, so it is compromised.',
  },
  {
    id: 'ec2-command-and-control',
    description:
      'The instance contacts (by IP or DNS) a known command-and-control server. GuardDuty reports `resourceRole: TARGET` here too, which is why that field is not used: the instance is compromised.',
    category: 'instance-compromise',
    role: 'compromised',
    examples: ['Backdoor:EC2/C&CActivity.B', 'Backdoor:EC2/C&CActivity.B!DNS'],
    when: [{ type: /^Backdoor:EC2\/C&CActivity(\.|!|$)/ }],
    rationale: 'The instance is talking to a known command-and-control server, so it is compromised.',
  },
  {
    id: 'ec2-crypto-mining',
    description:
      'The instance talks to crypto-currency mining pools or their domains. Compromised (resource hijacking).',
    category: 'instance-compromise',
    role: 'compromised',
    examples: [
      'CryptoCurrency:EC2/BitcoinTool.B',
      'CryptoCurrency:EC2/BitcoinTool.B!DNS',
      'Impact:EC2/BitcoinDomainRequest.Reputation',
    ],
    when: [{ type: /^CryptoCurrency:EC2\// }, { type: /^Impact:EC2\/BitcoinDomainRequest(\.|$)/ }],
    rationale:
      'The instance is communicating with crypto-currency mining infrastructure, so it is compromised.',
  },
  {
    id: 'ec2-tor',
    description:
      'The instance acts as a Tor client or relay. Compromised (or running unsanctioned software that hides traffic).',
    category: 'instance-compromise',
    role: 'compromised',
    examples: ['UnauthorizedAccess:EC2/TorClient', 'UnauthorizedAccess:EC2/TorRelay'],
    when: [{ type: /^UnauthorizedAccess:EC2\/Tor(Client|Relay)(\.|$)/ }],
    rationale: 'The instance is acting as a Tor client or relay, so it is treated as compromised.',
  },
  {
    id: 'ec2-dns-exfiltration',
    description: 'The instance is exfiltrating data through DNS queries. Compromised.',
    category: 'instance-compromise',
    role: 'compromised',
    examples: ['Trojan:EC2/DNSDataExfiltration'],
    when: [{ type: /^Trojan:EC2\/DNSDataExfiltration(\.|!|$)/ }],
    rationale: 'The instance is exfiltrating data through DNS queries, so it is compromised.',
  },
  {
    id: 'ec2-trojan',
    description:
      'Trojan behaviour on the instance: traffic to black-holed or drop-point hosts, DGA domains, drive-by or phishing domains. Compromised.',
    category: 'instance-compromise',
    role: 'compromised',
    examples: [
      'Trojan:EC2/BlackholeTraffic',
      'Trojan:EC2/BlackholeTraffic!DNS',
      'Trojan:EC2/DropPoint',
      'Trojan:EC2/DropPoint!DNS',
      'Trojan:EC2/DGADomainRequest.B',
      'Trojan:EC2/DGADomainRequest.C!DNS',
      'Trojan:EC2/DriveBySourceTraffic!DNS',
      'Trojan:EC2/PhishingDomainRequest!DNS',
    ],
    when: [{ type: /^Trojan:EC2\// }],
    rationale:
      'The instance shows trojan behaviour (talking to malware infrastructure), so it is compromised.',
  },
  {
    id: 'ec2-malicious-domain',
    description:
      'The instance queries domains known to be malicious, abused or suspicious (reputation or your own list). Compromised.',
    category: 'instance-compromise',
    role: 'compromised',
    examples: [
      'Impact:EC2/AbusedDomainRequest.Reputation',
      'Impact:EC2/MaliciousDomainRequest.Reputation',
      'Impact:EC2/MaliciousDomainRequest.Custom',
      'Impact:EC2/SuspiciousDomainRequest.Reputation',
    ],
    when: [{ type: /^Impact:EC2\/\w*DomainRequest(\.|!|$)/ }],
    rationale:
      'The instance is querying malicious or low-reputation domains, so it is treated as compromised.',
  },
  {
    id: 'ec2-outbound-attack',
    description:
      'The instance attacks others: outbound denial of service, spam, port scans or sweeps, and any other `Impact:EC2/…` type. Compromised.',
    category: 'instance-compromise',
    role: 'compromised',
    examples: [
      'Backdoor:EC2/DenialOfService.Dns',
      'Backdoor:EC2/DenialOfService.Tcp',
      'Backdoor:EC2/DenialOfService.Udp',
      'Backdoor:EC2/DenialOfService.UdpOnTcpPorts',
      'Backdoor:EC2/DenialOfService.UnusualProtocol',
      'Backdoor:EC2/Spambot',
      'Recon:EC2/Portscan',
      'Impact:EC2/PortSweep',
    ],
    when: [
      { type: /^Backdoor:EC2\/(DenialOfService|Spambot)(\.|$)/ },
      { type: /^Recon:EC2\/Portscan$/ },
      { type: /^Impact:EC2\// },
    ],
    rationale:
      'The instance is attacking other hosts (denial of service, spam or scanning), so it is compromised.',
  },
  {
    id: 'ec2-unusual-traffic',
    description:
      'The instance sends unusual outbound traffic: unusual ports or volume, or DNS through an unusual resolver, DoH or DoT to evade DNS monitoring. Compromised.',
    category: 'instance-compromise',
    role: 'compromised',
    examples: [
      'Behavior:EC2/NetworkPortUnusual',
      'Behavior:EC2/TrafficVolumeUnusual',
      'DefenseEvasion:EC2/UnusualDNSResolver',
      'DefenseEvasion:EC2/UnusualDoHActivity',
      'DefenseEvasion:EC2/UnusualDoTActivity',
    ],
    when: [{ type: /^(Behavior|DefenseEvasion):EC2\// }],
    rationale:
      'The instance is sending unusual outbound traffic for its baseline, so it is treated as compromised.',
  },
  {
    id: 'ec2-threat-list-inbound',
    description:
      'A host on your own threat list connects TO the instance (`connectionDirection: INBOUND`): the instance is the target, a victim to harden, never isolated.',
    category: 'instance-exposed',
    role: 'victim',
    examples: ['UnauthorizedAccess:EC2/MaliciousIPCaller.Custom'],
    when: [{ type: /^UnauthorizedAccess:EC2\/MaliciousIPCaller(\.|$)/, directions: ['INBOUND'] }],
    rationale:
      'A host on the threat list connected to the instance (INBOUND): the instance is the target, not compromised.',
  },
  {
    id: 'ec2-threat-list',
    description:
      'The instance makes connections to an IP address on your own threat list (outbound, or a DNS or API action). Compromised.',
    category: 'instance-compromise',
    role: 'compromised',
    examples: ['UnauthorizedAccess:EC2/MaliciousIPCaller.Custom'],
    when: [{ type: /^UnauthorizedAccess:EC2\/MaliciousIPCaller(\.|$)/ }],
    rationale:
      'The instance is connecting to an IP address on the threat list, so it is treated as compromised.',
  },
  // https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-ec2.html#unauthorizedaccess-ec2-metadatadnsrebind
  {
    id: 'ec2-metadata-dns-rebind',
    description:
      'Software on the instance resolves a domain that rebinds to the instance metadata service (169.254.169.254). GuardDuty says the query "may indicate that the instance is a target of a DNS rebinding technique", possible only through a vulnerable application or a browser on the instance, and that some teams map the metadata address to a name on purpose; its remediation is to find the cause and revoke the instance role\'s sessions. So the instance is offered for containment (which also denies its role\'s sessions) but **never contained automatically**: a human approves, whatever the severity (High by default).',
    category: 'instance-compromise',
    role: 'compromised',
    approval: 'required',
    examples: ['UnauthorizedAccess:EC2/MetadataDNSRebind'],
    when: [{ type: /^UnauthorizedAccess:EC2\/MetadataDNSRebind$/ }],
    rationale:
      'Software on the instance is resolving a domain that points at the metadata service: the instance may be the target of an attempt to steal its role credentials, so containing it needs a human to approve.',
  },
  {
    id: 'ec2-backup-malware',
    description:
      'Malware Protection for AWS Backup found malware in an EBS snapshot, an AMI or an EC2 recovery point. No running instance is named, so nothing is isolated: the backup is affected and the instance it came from needs investigating.',
    category: 'instance-compromise',
    role: 'affected',
    examples: [
      'Execution:EC2/MaliciousFile!Snapshot',
      'Execution:EC2/MaliciousFile!AMI',
      'Execution:EC2/MaliciousFile!RecoveryPoint',
    ],
    when: [{ type: /^Execution:(EC2|EBS)\/MaliciousFile!/ }],
    rationale:
      'Malware was found in a snapshot, AMI or recovery point rather than a running instance, so the backup is flagged and the source instance investigated.',
  },
  {
    id: 'ec2-malware',
    description: "Malware Protection for EC2 found known malware on the instance's EBS volumes. Compromised.",
    category: 'instance-compromise',
    role: 'compromised',
    examples: ['Execution:EC2/MaliciousFile'],
    when: [{ type: /^Execution:(EC2|EBS)\/MaliciousFile$/ }],
    rationale: "Known malware was found on the instance's volumes, so the instance is compromised.",
  },
  {
    id: 'ec2-suspicious-file',
    description:
      'Malware Protection for EC2 found a suspicious file (a hack tool or riskware, not known malware) on the instance. Worth investigating, not proof of compromise: affected, not isolated.',
    category: 'instance-compromise',
    role: 'affected',
    examples: ['Execution:EC2/SuspiciousFile'],
    when: [{ type: /^Execution:(EC2|EBS)\/SuspiciousFile/ }],
    rationale:
      'A suspicious (not known-malicious) file was found on the instance: it is investigated, not isolated on that alone.',
  },

  // ── Runtime Monitoring (EKS, ECS/Fargate and EC2 hosts) ────────────────────────────────────────────────────
  {
    id: 'runtime-low-signal',
    description:
      'Runtime drift signals: a newly created binary executed or a new library loaded. Common during deployments; worth a look, not proof of compromise.',
    category: 'container-threat',
    role: 'affected',
    examples: ['Execution:Runtime/NewBinaryExecuted', 'Execution:Runtime/NewLibraryLoaded'],
    when: [{ type: /^Execution:Runtime\/New(BinaryExecuted|LibraryLoaded)$/ }],
    categoryByResourceType: HOST_IS_INSTANCE,
    rationale:
      'A newly created binary or library ran in the workload; that is drift to review, not proof of compromise.',
  },
  {
    id: 'runtime-threat',
    description:
      'The Runtime Monitoring agent saw the workload itself misbehave: C&C or mining traffic, reverse shells, container escapes, process injection, malicious files, suspicious commands. The workload is compromised — a container threat, or an instance compromise when the finding names an EC2 host (`resourceType: Instance`).',
    category: 'container-threat',
    role: 'compromised',
    examples: [
      'Backdoor:Runtime/C&CActivity.B',
      'CryptoCurrency:Runtime/BitcoinTool.B!DNS',
      'Execution:Runtime/ReverseShell',
      'Execution:Runtime/MaliciousFileExecuted',
      'PrivilegeEscalation:Runtime/RuncContainerEscape',
      'DefenseEvasion:Runtime/ProcessInjection.Ptrace',
      'Impact:Runtime/CryptoMinerExecuted',
      'UnauthorizedAccess:Runtime/MetadataDNSRebind',
    ],
    when: [{ type: /^\w+:Runtime\// }],
    categoryByResourceType: HOST_IS_INSTANCE,
    rationale:
      'The Runtime Monitoring agent saw the workload itself behave maliciously, so the workload is compromised.',
  },

  // ── Containers: malware scans and EKS audit logs ───────────────────────────────────────────────────────────
  // https://docs.aws.amazon.com/guardduty/latest/ug/findings-malware-protection.html: the task, containers and
  // scanned volumes of these findings are kept as resources (guardduty-resources.ts).
  {
    id: 'container-malware',
    description:
      'Malware Protection found known malware in a container, an ECS task or a Kubernetes workload. Compromised.',
    category: 'container-threat',
    role: 'compromised',
    examples: [
      'Execution:ECS/MaliciousFile',
      'Execution:Kubernetes/MaliciousFile',
      'Execution:Container/MaliciousFile',
    ],
    when: [{ type: /^Execution:(ECS|Kubernetes|Container)\/MaliciousFile/ }],
    rationale: 'Known malware was found in the container workload, so it is compromised.',
  },
  {
    id: 'container-suspicious-file',
    description:
      'Malware Protection found a suspicious (not known-malicious) file in a container workload. Affected, investigated.',
    category: 'container-threat',
    role: 'affected',
    examples: [
      'Execution:ECS/SuspiciousFile',
      'Execution:Kubernetes/SuspiciousFile',
      'Execution:Container/SuspiciousFile',
    ],
    when: [{ type: /^Execution:(ECS|Kubernetes|Container)\/SuspiciousFile/ }],
    rationale:
      'A suspicious (not known-malicious) file was found in the container workload; it is investigated.',
  },
  {
    id: 'eks-threat-intel-caller',
    description:
      'The Kubernetes API of the cluster was called from a Tor exit node, a known-malicious IP or an IP on your threat list. The cluster received the calls: victim.',
    category: 'container-threat',
    role: 'victim',
    examples: [
      'CredentialAccess:Kubernetes/MaliciousIPCaller',
      'CredentialAccess:Kubernetes/MaliciousIPCaller.Custom',
      'CredentialAccess:Kubernetes/TorIPCaller',
      'DefenseEvasion:Kubernetes/MaliciousIPCaller',
      'Discovery:Kubernetes/TorIPCaller',
      'Impact:Kubernetes/MaliciousIPCaller',
      'Persistence:Kubernetes/TorIPCaller',
    ],
    when: [{ type: /^\w+:Kubernetes\/(TorIPCaller|MaliciousIPCaller)(\.|$)/ }],
    rationale:
      "The cluster's Kubernetes API was called from a Tor exit node or a known-malicious IP: the cluster is the target.",
  },
  {
    id: 'eks-anonymous-access',
    description:
      "An unauthenticated (`system:anonymous`) caller successfully used the cluster's Kubernetes API. The cluster is a victim of its own RBAC configuration.",
    category: 'container-threat',
    role: 'victim',
    examples: [
      'CredentialAccess:Kubernetes/SuccessfulAnonymousAccess',
      'DefenseEvasion:Kubernetes/SuccessfulAnonymousAccess',
      'Discovery:Kubernetes/SuccessfulAnonymousAccess',
      'Impact:Kubernetes/SuccessfulAnonymousAccess',
      'Persistence:Kubernetes/SuccessfulAnonymousAccess',
    ],
    when: [{ type: /^\w+:Kubernetes\/SuccessfulAnonymousAccess$/ }],
    rationale:
      "An anonymous caller succeeded against the cluster's Kubernetes API: the cluster is exposed and the target.",
  },
  {
    id: 'eks-policy-exposure',
    description:
      'The cluster was configured insecurely: anonymous access granted, admin rights on the default service account, an exposed dashboard. A configuration exposure: affected.',
    category: 'container-threat',
    role: 'affected',
    examples: [
      'Policy:Kubernetes/AdminAccessToDefaultServiceAccount',
      'Policy:Kubernetes/AnonymousAccessGranted',
      'Policy:Kubernetes/ExposedDashboard',
      'Policy:Kubernetes/KubeflowDashboardExposed',
    ],
    when: [{ type: /^Policy:Kubernetes\// }],
    rationale: 'The cluster was configured in a way that exposes it; the configuration needs fixing.',
  },
  {
    id: 'eks-anomalous-behavior',
    description:
      "GuardDuty's anomaly model saw a Kubernetes identity do something it never does (exec into pods, deploy privileged workloads, create roles, read secrets). The cluster is affected; the identity is the actor.",
    category: 'container-threat',
    role: 'affected',
    examples: [
      'CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed',
      'Discovery:Kubernetes/AnomalousBehavior.PermissionChecked',
      'Execution:Kubernetes/AnomalousBehavior.ExecInPod',
      'Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed',
      'Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount',
      'PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated',
      'PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated',
      'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer',
    ],
    when: [{ type: /^\w+:Kubernetes\/AnomalousBehavior(\.|!|$)/ }],
    rationale:
      'A Kubernetes identity behaved unusually for its baseline in the cluster; the cluster is affected.',
  },
  {
    id: 'container-other',
    description:
      'Every other EKS audit-log, ECS or container type (e.g. `Execution:Kubernetes/ExecInKubeSystemPod`, retired `PrivilegeEscalation:Kubernetes/PrivilegedContainer`). A container threat; the cluster is affected.',
    category: 'container-threat',
    role: 'affected',
    examples: [
      'Execution:Kubernetes/ExecInKubeSystemPod',
      'PrivilegeEscalation:Kubernetes/PrivilegedContainer',
      'Persistence:Kubernetes/ContainerWithSensitiveMount',
    ],
    when: [{ type: /^\w+:(Kubernetes|EKS|ECS|Container)\// }],
    rationale: 'GuardDuty reported suspicious activity in a container cluster; the cluster is affected.',
  },

  // ── RDS Protection ─────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'rds-successful-login',
    description:
      "Someone logged in to the database anomalously, from a malicious or Tor IP, or after brute force. The database's credentials and data are in the wrong hands: compromised.",
    category: 'database-threat',
    role: 'compromised',
    examples: [
      'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin',
      'CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce',
      'CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin',
      'CredentialAccess:RDS/TorIPCaller.SuccessfulLogin',
    ],
    when: [{ type: /^\w+:RDS\/\w+\.Successful(Login|BruteForce)$/ }],
    rationale:
      'Someone logged in to the database in a suspicious way, so its credentials and data are treated as compromised.',
  },
  {
    id: 'rds-login-attempt',
    description:
      'Failed logins or probes against the database from an anomalous, malicious or Tor source. Nothing got in: the database is a victim to harden.',
    category: 'database-threat',
    role: 'victim',
    examples: [
      'CredentialAccess:RDS/AnomalousBehavior.FailedLogin',
      'CredentialAccess:RDS/MaliciousIPCaller.FailedLogin',
      'CredentialAccess:RDS/TorIPCaller.FailedLogin',
      'Discovery:RDS/MaliciousIPCaller',
      'Discovery:RDS/TorIPCaller',
    ],
    when: [{ type: /^\w+:RDS\/\w+\.FailedLogin$/ }, { type: /^Discovery:RDS\// }],
    rationale:
      'The database received failed logins or probes from a suspicious source: it is a victim to harden.',
  },
  {
    id: 'rds-other',
    description: 'Any other `…:RDS/…` type. A database threat; the database is affected.',
    category: 'database-threat',
    role: 'affected',
    examples: [],
    when: [{ type: /^\w+:RDS\// }],
    rationale: 'GuardDuty reported suspicious activity on the database; it is affected.',
  },

  // ── Lambda Protection ──────────────────────────────────────────────────────────────────────────────────────
  {
    id: 'lambda-network-threat',
    description:
      'The function itself talks to C&C servers, mining pools, black-holed or drop-point hosts, Tor or your threat list. AWS advises treating the function as compromised; Cordon has no Lambda containment, so it is suspicious activity (notify) with the function as the compromised resource.',
    category: 'suspicious-activity',
    role: 'compromised',
    examples: [
      'Backdoor:Lambda/C&CActivity.B',
      'CryptoCurrency:Lambda/BitcoinTool.B',
      'Trojan:Lambda/BlackholeTraffic',
      'Trojan:Lambda/DropPoint',
      'UnauthorizedAccess:Lambda/MaliciousIPCaller.Custom',
      'UnauthorizedAccess:Lambda/TorClient',
      'UnauthorizedAccess:Lambda/TorRelay',
    ],
    when: [{ type: /^\w+:Lambda\// }],
    rationale:
      'The Lambda function itself is talking to malicious infrastructure, so it is treated as compromised.',
  },

  // ── S3 ─────────────────────────────────────────────────────────────────────────────────────────────────────
  {
    id: 's3-malware',
    description:
      'Malware Protection found malware in an uploaded S3 object or an S3 recovery point. The data is affected; the object, not the bucket, is what is malicious.',
    category: 'data-threat',
    role: 'affected',
    examples: ['Object:S3/MaliciousFile', 'Execution:S3/MaliciousFile!RecoveryPoint'],
    when: [{ type: /^(Object|Execution):S3\/MaliciousFile/ }],
    rationale: 'Malware was found in S3 data; the object is flagged and the bucket is affected.',
  },
  {
    id: 's3-public-exposure',
    description:
      'A bucket or the account was opened to the public or to anonymous access, or server access logging was disabled. A data exposure: the bucket is affected (the key that made the change, when it is the primary resource, is the actor).',
    category: 'data-threat',
    role: 'affected',
    examples: [
      'Policy:S3/AccountBlockPublicAccessDisabled',
      'Policy:S3/BucketAnonymousAccessGranted',
      'Policy:S3/BucketBlockPublicAccessDisabled',
      'Policy:S3/BucketPublicAccessGranted',
      'Stealth:S3/ServerAccessLoggingDisabled',
    ],
    when: [{ type: /^(Policy|Stealth):S3\// }],
    roleByResourceType: KEY_IS_ACTOR,
    rationale:
      'S3 data was exposed (public or anonymous access, or logging disabled); the bucket is affected.',
  },
  // S3 findings name the bucket (data events) or the key (management events), and carry the caller's
  // accessKeyDetails: https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-s3.html
  {
    id: 's3-threat-intel-caller-credentials',
    description:
      "S3 APIs were called from a Tor exit node, a known-malicious IP or an IP on your threat list with an IAM user's credentials or a role session's (`accessKeyDetails.userType` `IAMUser` or `AssumedRole`). That is the evidence of `UnauthorizedAccess:IAMUser/MaliciousIPCaller`: the credentials are compromised; the bucket is only what they touched. GuardDuty's remediation for these types names two explanations (exposed credentials, or S3 permissions that are too loose), so the credential playbook waits for a human to approve, whatever the severity.",
    category: 'credential-compromise',
    role: 'compromised',
    keyRole: 'compromised',
    approval: 'required',
    examples: [
      'Discovery:S3/MaliciousIPCaller',
      'Discovery:S3/MaliciousIPCaller.Custom',
      'Discovery:S3/TorIPCaller',
      'Exfiltration:S3/MaliciousIPCaller',
      'Impact:S3/MaliciousIPCaller',
      'UnauthorizedAccess:S3/MaliciousIPCaller.Custom',
      'UnauthorizedAccess:S3/TorIPCaller',
    ],
    when: [{ type: /^\w+:S3\/(TorIPCaller|MaliciousIPCaller)(\.|$)/, userTypes: ['IAMUser', 'AssumedRole'] }],
    rationale:
      "S3 was called from a Tor exit node or a known-malicious IP with this account's credentials: the credentials are compromised (the bucket is not), and a human approves before they are revoked.",
  },
  {
    id: 's3-threat-intel-caller',
    description:
      'S3 APIs were called on the bucket from a Tor exit node, a known-malicious IP or an IP on your threat list by a principal that is not an IAM user or role session of the account (another account, a federated user, an AWS service, or none named). The bucket is the victim (the calling key, when it is the primary resource, is the actor).',
    category: 'data-threat',
    role: 'victim',
    examples: [
      'Discovery:S3/MaliciousIPCaller',
      'Discovery:S3/MaliciousIPCaller.Custom',
      'Discovery:S3/TorIPCaller',
      'Exfiltration:S3/MaliciousIPCaller',
      'Impact:S3/MaliciousIPCaller',
      'UnauthorizedAccess:S3/MaliciousIPCaller.Custom',
      'UnauthorizedAccess:S3/TorIPCaller',
    ],
    when: [{ type: /^\w+:S3\/(TorIPCaller|MaliciousIPCaller)(\.|$)/ }],
    roleByResourceType: KEY_IS_ACTOR,
    rationale:
      'The bucket was accessed from a Tor exit node or a known-malicious IP: its data is the target.',
  },
  {
    id: 's3-anomalous-behavior',
    description:
      "GuardDuty's anomaly model saw unusual reads, writes, deletes, permission changes or enumeration on the bucket (including the retired `.Unusual` types). The bucket is the victim.",
    category: 'data-threat',
    role: 'victim',
    examples: [
      'Discovery:S3/AnomalousBehavior',
      'Exfiltration:S3/AnomalousBehavior',
      'Impact:S3/AnomalousBehavior.Delete',
      'Impact:S3/AnomalousBehavior.Permission',
      'Impact:S3/AnomalousBehavior.Write',
      'Exfiltration:S3/ObjectRead.Unusual',
    ],
    when: [{ type: /^\w+:S3\/AnomalousBehavior(\.|$)/ }, { type: /^\w+:S3\/\w+\.Unusual$/ }],
    roleByResourceType: KEY_IS_ACTOR,
    rationale:
      'Someone accessed the bucket in a way that deviates from its baseline: its data is the target.',
  },
  {
    id: 's3-pentest',
    description:
      'S3 APIs were called on the bucket from a penetration-testing distribution. The bucket is the victim.',
    category: 'data-threat',
    role: 'victim',
    examples: ['PenTest:S3/KaliLinux', 'PenTest:S3/ParrotLinux', 'PenTest:S3/PentooLinux'],
    when: [{ type: /^PenTest:S3\// }],
    roleByResourceType: KEY_IS_ACTOR,
    rationale: 'The bucket was accessed from a penetration-testing system: its data is the target.',
  },
  {
    id: 's3-other',
    description: 'Any other `…:S3/…` type. A data threat; the bucket is affected.',
    category: 'data-threat',
    role: 'affected',
    examples: [],
    when: [{ type: /^\w+:S3\// }],
    roleByResourceType: KEY_IS_ACTOR,
    rationale: 'GuardDuty reported suspicious activity on S3 data; the bucket is affected.',
  },
];

/** Category for a type no family knows, by `resource.resourceType` (a Map, so `__proto__` and friends find nothing). */
const FALLBACK_CATEGORY: ReadonlyMap<string, IncidentCategory> = new Map<string, IncidentCategory>([
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
]);

/** The parts of a finding type (GuardDuty finding format). */
export interface ParsedFindingType {
  readonly threatPurpose: string;
  readonly resourceTypeAffected: string;
  readonly threatFamily: string;
  readonly detection?: string;
  readonly artifact?: string;
}

const FINDING_TYPE_FORMAT = /^([^:/!]+):([^:/!]+)\/([^:/!]+)(?:!([^:/!]+))?$/;

/**
 * Splits a finding type into the parts of GuardDuty's naming format,
 * `ThreatPurpose:ResourceTypeAffected/ThreatFamilyName.DetectionMechanism!Artifact`.
 * Returns `undefined` for anything that does not have that shape (it never throws).
 *
 * @example parseFindingType('Backdoor:EC2/C&CActivity.B!DNS')
 * // { threatPurpose: 'Backdoor', resourceTypeAffected: 'EC2', threatFamily: 'C&CActivity', detection: 'B', artifact: 'DNS' }
 */
export function parseFindingType(type: string): ParsedFindingType | undefined {
  if (typeof type !== 'string') return undefined;
  const match = FINDING_TYPE_FORMAT.exec(type.trim());
  if (match === null) return undefined;
  const [, threatPurpose, resourceTypeAffected, name, artifact] = match;
  if (threatPurpose === undefined || resourceTypeAffected === undefined || name === undefined)
    return undefined;
  // The detection mechanism is everything after the first dot: `ProcessInjection.VirtualMemoryWrite`, `B`.
  const dot = name.indexOf('.');
  const threatFamily = dot === -1 ? name : name.slice(0, dot);
  const detection = dot === -1 ? undefined : name.slice(dot + 1);
  if (threatFamily === '' || detection === '') return undefined;
  return {
    threatPurpose,
    resourceTypeAffected,
    threatFamily,
    ...(detection === undefined ? {} : { detection }),
    ...(artifact === undefined ? {} : { artifact }),
  };
}

/**
 * Tells a long-term IAM user key (`AKIA…`) from a temporary role-session key (`ASIA…`) by its prefix
 * (DOMAIN.md item 6). Anything else — missing, a placeholder such as `GeneratedFindingAccessKeyId` — is unknown.
 *
 * @example keyTypeOf('AKIAIOSFODNN7EXAMPLE') // 'long-term'
 * @example keyTypeOf('ASIAY34FZKBOKMUTVV7A') // 'temporary'
 */
export function keyTypeOf(accessKeyId: string | undefined): 'long-term' | 'temporary' | 'unknown' {
  if (typeof accessKeyId !== 'string') return 'unknown';
  const id = accessKeyId.trim();
  if (id.startsWith('AKIA')) return 'long-term';
  if (id.startsWith('ASIA')) return 'temporary';
  return 'unknown';
}

/**
 * Classifies a GuardDuty finding into an incident category and the role of its primary resource, from the
 * finding-type catalog (`FINDING_FAMILIES`, rendered in `docs/finding-types.md`). A type that no family knows
 * falls back to a category by resource type, with the resource only `related` so that nothing acts on it.
 * It never throws, whatever the input.
 *
 * @example classifyFinding({ type: 'UnauthorizedAccess:EC2/SSHBruteForce', connectionDirection: 'INBOUND' })
 * // { category: 'instance-exposed', role: 'victim', family: 'ec2-inbound-brute-force', known: true, rationale: '…' }
 * @example classifyFinding({ type: 'Backdoor:EC2/C&CActivity.B!DNS', resourceType: 'Instance' })
 * // { category: 'instance-compromise', role: 'compromised', family: 'ec2-command-and-control', known: true, … }
 */
export function classifyFinding(context: FindingContext): FindingClassification {
  try {
    const input = readContext(context);
    for (const family of FINDING_FAMILIES) {
      const condition = family.when.find((candidate) => conditionHolds(candidate, input));
      if (condition !== undefined) return fromFamily(family, condition, input);
    }
    return fallback(input);
  } catch {
    // Unreachable with plain data; here so that a hostile object (a throwing getter) still yields a verdict
    // that acts on nothing rather than an exception in the intake path.
    return {
      category: 'suspicious-activity',
      role: 'related',
      family: 'unknown',
      known: false,
      rationale:
        'The finding could not be read, so it is recorded as suspicious activity and nothing is acted on.',
    };
  }
}

interface NormalizedContext {
  readonly type: string;
  readonly resourceType: string;
  readonly actionType: string;
  readonly direction: ConnectionDirection;
  readonly userType: string;
}

function readContext(context: FindingContext): NormalizedContext {
  // Callers pass parsed JSON: guard against non-objects and non-strings even though the type forbids them.
  const source: Partial<Record<keyof FindingContext, unknown>> =
    typeof context === 'object' && context !== null ? context : {};
  const direction = text(source.connectionDirection).toUpperCase();
  return {
    type: text(source.type),
    resourceType: text(source.resourceType),
    actionType: text(source.actionType).toUpperCase(),
    direction: direction === 'INBOUND' || direction === 'OUTBOUND' ? direction : 'UNKNOWN',
    userType: text(source.userType).toLowerCase(),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function conditionHolds(condition: FamilyCondition, input: NormalizedContext): boolean {
  if (!condition.type.test(input.type)) return false;
  if (condition.directions !== undefined && !condition.directions.includes(input.direction)) return false;
  if (condition.actionTypes !== undefined && !condition.actionTypes.includes(input.actionType)) return false;
  if (
    condition.userTypes !== undefined &&
    !condition.userTypes.some((userType) => userType.toLowerCase() === input.userType)
  ) {
    return false;
  }
  return true;
}

function fromFamily(
  family: FindingFamily,
  condition: FamilyCondition,
  input: NormalizedContext,
): FindingClassification {
  const category = ownValue(family.categoryByResourceType, input.resourceType) ?? family.category;
  const byResource = ownValue(family.roleByResourceType, input.resourceType);
  const role: ResourceRole =
    byResource ?? (family.role === 'by-direction' ? directionRole(input.direction) : family.role);
  return {
    category,
    role,
    family: family.id,
    known: true,
    rationale: condition.rationale ?? family.rationale,
    ...(family.keyRole === undefined ? {} : { keyRole: family.keyRole }),
    ...(family.approval === undefined ? {} : { approval: family.approval }),
  };
}

/** `by-direction`: only an instance that itself sends the traffic is compromised; doubt never isolates. */
function directionRole(direction: ConnectionDirection): ResourceRole {
  return direction === 'OUTBOUND' ? 'compromised' : 'victim';
}

function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  // Object.hasOwn: a resource type of `constructor` must not find Object.prototype.constructor.
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

function fallback(input: NormalizedContext): FindingClassification {
  const shown = JSON.stringify(input.type.slice(0, 80));
  const resource =
    input.resourceType === '' ? 'no resource type' : `resource type ${input.resourceType.slice(0, 40)}`;
  // A port probe is a port probe whatever GuardDuty calls it: the instance received it (DOMAIN.md item 5).
  if (input.resourceType === 'Instance' && input.actionType === 'PORT_PROBE') {
    return {
      category: 'instance-exposed',
      role: 'victim',
      family: 'unknown-instance',
      known: false,
      rationale: `Finding type ${shown} is not in the catalog, but the instance received a port probe, so it is treated as a victim, never isolated.`,
    };
  }
  const category = FALLBACK_CATEGORY.get(input.resourceType) ?? 'suspicious-activity';
  return {
    category,
    role: 'related',
    family: FALLBACK_CATEGORY.has(input.resourceType)
      ? `unknown-${input.resourceType.toLowerCase()}`
      : 'unknown',
    known: false,
    rationale: `Finding type ${shown} is not in the catalog, so it is classified by its ${resource} and nothing is acted on until the type is catalogued.`,
  };
}

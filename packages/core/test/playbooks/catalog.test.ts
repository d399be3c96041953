import { describe, expect, it } from 'vitest';
import {
  ALARM_PLAYBOOK_IDS,
  alarmMappingRefusal,
  CONFIG_RULE_PLAYBOOK_IDS,
  configRuleMappingRefusal,
  configRuleRoute,
  defaultAlarmPlaybooks,
  defaultConfigRulePlaybooks,
  describeRoutes,
  FALLBACK_PLAYBOOK,
  INCIDENT_PLAYBOOK_IDS,
  PLAYBOOKS,
  plannedSteps,
  playbookForFinding,
} from '../../src/playbooks/catalog.ts';
import { PLAYBOOK_IDS } from '../../src/playbooks/ids.ts';

describe('the playbook catalog', () => {
  it('declares every playbook id, each under its own id', () => {
    expect(Object.keys(PLAYBOOKS).sort()).toEqual([...PLAYBOOK_IDS].sort());
    for (const id of PLAYBOOK_IDS) expect(PLAYBOOKS[id].id).toBe(id);
  });

  it('flattens parallel steps in order', () => {
    expect(plannedSteps('ec2-compromise')).toEqual([
      'contain-instance',
      'deregister-from-load-balancers',
      'snapshot-volumes',
      'quarantine-instance-profile',
      'notify',
    ]);
  });

  it('routes each finding category it declares to its playbook, and no other', () => {
    expect(playbookForFinding('instance-compromise')?.id).toBe('ec2-compromise');
    expect(playbookForFinding('credential-compromise')?.id).toBe('credential-compromise');
    expect(playbookForFinding('root-activity')?.id).toBe('root-activity');
    expect(playbookForFinding('data-threat')).toBeUndefined();
    expect(playbookForFinding('instance-exposed')).toBeUndefined();
  });

  it('knows which playbook declares a Config rule, by source identifier, and what the rule tells its target', () => {
    expect(configRuleRoute('IAM_USER_UNUSED_CREDENTIALS_CHECK')).toEqual({
      playbook: 'stale-credentials',
      route: {
        category: 'stale-credentials',
        approval: 'required',
        approvalBecause: expect.any(String),
        target: { staleBy: 'last-use' },
      },
    });
    expect(configRuleRoute('ACCESS_KEYS_ROTATED')?.route.target).toEqual({ staleBy: 'age' });
    expect(configRuleRoute('INCOMING_SSH_DISABLED')?.playbook).toBe('security-group-ingress');
    expect(configRuleRoute('VPC_DEFAULT_SECURITY_GROUP_CLOSED')?.playbook).toBe('default-security-group');
    // Routes are keyed by identifier: a deployed name is not one.
    expect(configRuleRoute('restricted-ssh')).toBeUndefined();
    expect(configRuleRoute('S3_BUCKET_VERSIONING_ENABLED')).toBeUndefined();
    // An inherited property is not a rule.
    expect(configRuleRoute('toString')).toBeUndefined();
  });

  it('has one fallback, which changes nothing and takes alarms and any Config rule', () => {
    expect(FALLBACK_PLAYBOOK).toBe('notify-only');
    expect(PLAYBOOKS[FALLBACK_PLAYBOOK]).toMatchObject({ mutating: false, target: 'none' });
    expect(ALARM_PLAYBOOK_IDS).toContain(FALLBACK_PLAYBOOK);
    expect(CONFIG_RULE_PLAYBOOK_IDS).toContain(FALLBACK_PLAYBOOK);
  });

  it('lets an incident start every playbook but the releases, which only a responder starts', () => {
    expect([...INCIDENT_PLAYBOOK_IDS].sort()).toEqual(
      PLAYBOOK_IDS.filter(
        (id) => id !== 'ec2-release' && id !== 'remediation-release' && id !== 'credential-release',
      ).sort(),
    );
  });

  it('says in words what a playbook acts on', () => {
    expect(describeRoutes('ec2-compromise')).toBe('GuardDuty findings of category instance-compromise');
    expect(describeRoutes('root-activity')).toBe(
      'GuardDuty findings of category root-activity; CloudWatch alarms',
    );
    expect(describeRoutes('ec2-release')).toBe("a responder's request, never an event");
  });
});

describe('mapping refusals', () => {
  it('accept the playbooks that take alarms, and name why another cannot', () => {
    expect(alarmMappingRefusal('root-activity')).toBeUndefined();
    expect(alarmMappingRefusal('notify-only')).toBeUndefined();
    expect(alarmMappingRefusal('stale-credentials')).toBe(
      "stale-credentials cannot act on a CloudWatch alarm: an alarm names no resource, and stale-credentials acts on the results of the AWS Config rules ACCESS_KEYS_ROTATED (access-keys-rotated), IAM_USER_UNUSED_CREDENTIALS_CHECK (iam-user-unused-credentials-check); an alarm may run 'root-activity', 'notify-only'",
    );
  });

  it('never repeat a value that is not a playbook id (settings may hold secrets)', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE-secret';
    expect(alarmMappingRefusal(secret)).not.toContain(secret);
    expect(configRuleMappingRefusal('access-keys-rotated', secret)).not.toContain(secret);
  });

  it('accept a Config rule for a playbook that declares it or takes any rule, and name why otherwise', () => {
    expect(configRuleMappingRefusal('ACCESS_KEYS_ROTATED', 'stale-credentials')).toBeUndefined();
    // A managed rule's kebab-case name stands for its identifier.
    expect(configRuleMappingRefusal('access-keys-rotated', 'stale-credentials')).toBeUndefined();
    expect(configRuleMappingRefusal('INCOMING_SSH_DISABLED', 'security-group-ingress')).toBeUndefined();
    expect(configRuleMappingRefusal('INCOMING_SSH_DISABLED', 'default-security-group')).toContain(
      'default-security-group cannot act on results of INCOMING_SSH_DISABLED',
    );
    expect(configRuleMappingRefusal('restricted-ssh', 'notify-only')).toBeUndefined();
    expect(configRuleMappingRefusal('restricted-ssh', 'stale-credentials')).toContain(
      'stale-credentials cannot act on results of restricted-ssh',
    );
    expect(configRuleMappingRefusal('restricted-ssh', 'root-activity')).toContain(
      'root-activity cannot act on an AWS Config result',
    );
  });
});

describe('default mappings', () => {
  it('map each alarm to the playbook claiming it by default, the fallback otherwise', () => {
    expect(defaultAlarmPlaybooks(['RootAccountUsage', 'SomeOtherAlarm'])).toEqual({
      RootAccountUsage: 'root-activity',
      SomeOtherAlarm: 'notify-only',
    });
  });

  it('map every declared Config rule to its playbook by identifier, with the declared approval', () => {
    expect(defaultConfigRulePlaybooks()).toEqual({
      ACCESS_KEYS_ROTATED: { playbook: 'stale-credentials', approval: 'required' },
      IAM_USER_UNUSED_CREDENTIALS_CHECK: { playbook: 'stale-credentials', approval: 'required' },
      // Only SSH runs without asking: the other fixes may cut a workload's traffic.
      INCOMING_SSH_DISABLED: { playbook: 'security-group-ingress', approval: 'auto' },
      RESTRICTED_INCOMING_TRAFFIC: { playbook: 'security-group-ingress', approval: 'required' },
      VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS: { playbook: 'security-group-ingress', approval: 'required' },
      VPC_DEFAULT_SECURITY_GROUP_CLOSED: { playbook: 'default-security-group', approval: 'required' },
      // --- S3 ---
      // Block Public Access and TLS-only may cut a public website or an HTTP client; SSE-S3 changes no access.
      S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS: { playbook: 's3-account-public-access', approval: 'required' },
      S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC: {
        playbook: 's3-account-public-access',
        approval: 'required',
      },
      S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED: { playbook: 's3-bucket-public-access', approval: 'required' },
      S3_BUCKET_SSL_REQUESTS_ONLY: { playbook: 's3-bucket-secure-transport', approval: 'required' },
      S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED: {
        playbook: 's3-bucket-default-encryption',
        approval: 'auto',
      },
      // --- end S3 ---
      // --- S3 public read/write ---
      S3_BUCKET_PUBLIC_READ_PROHIBITED: { playbook: 's3-bucket-public-access', approval: 'required' },
      S3_BUCKET_PUBLIC_WRITE_PROHIBITED: { playbook: 's3-bucket-public-access', approval: 'required' },
      // --- end S3 public read/write ---
      // A stopped trail is started and validation turned on at once: neither can break a workload.
      CLOUD_TRAIL_ENABLED: { playbook: 'trail-logging', approval: 'auto' },
      MULTI_REGION_CLOUD_TRAIL_ENABLED: { playbook: 'trail-logging', approval: 'auto' },
      CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED: { playbook: 'trail-log-file-validation', approval: 'auto' },
      // Encryption by default stops launches of types without encryption; a public snapshot may be on purpose.
      EC2_EBS_ENCRYPTION_BY_DEFAULT: { playbook: 'ebs-encryption-by-default', approval: 'required' },
      EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK: { playbook: 'public-snapshots', approval: 'required' },
      // --- identity posture ---
      // A password policy binds console passwords at their next change, not running workloads.
      IAM_PASSWORD_POLICY: { playbook: 'password-policy', approval: 'auto' },
      // Rotation keeps every earlier key material to decrypt: nothing that uses the key breaks.
      CMK_BACKING_KEY_ROTATION_ENABLED: { playbook: 'kms-key-rotation', approval: 'auto' },
      // Told, not fixed: the notification says what a person must do.
      ROOT_ACCOUNT_MFA_ENABLED: { playbook: 'manual-fix', approval: 'auto' },
      IAM_USER_MFA_ENABLED: { playbook: 'manual-fix', approval: 'auto' },
      RDS_STORAGE_ENCRYPTED: { playbook: 'manual-fix', approval: 'auto' },
      S3_BUCKET_LOGGING_ENABLED: { playbook: 'manual-fix', approval: 'auto' },
      // --- end identity posture ---
      // --- RDS ---
      // A database reached from outside its VPC (a BI tool, a partner) loses that access.
      RDS_INSTANCE_PUBLIC_ACCESS_CHECK: { playbook: 'rds-instance-public-access', approval: 'required' },
      RDS_SNAPSHOTS_PUBLIC_PROHIBITED: { playbook: 'rds-snapshots-public', approval: 'required' },
      // --- end RDS ---
    });
  });
});

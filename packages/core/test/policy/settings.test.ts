import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DETECTION_ALARM_NAMES } from '../../src/detections/alarms.ts';
import { SEVERITY_LABELS } from '../../src/intake/incident.ts';
import {
  ALARM_PLAYBOOK_IDS,
  defaultAlarmPlaybooks,
  defaultConfigRulePlaybooks,
  PLAYBOOKS,
} from '../../src/playbooks/catalog.ts';
import { PLAYBOOK_IDS } from '../../src/playbooks/ids.ts';
import {
  DEFAULT_SETTINGS,
  FAIL_CLOSED_MODE,
  failClosedSettings,
  parseSettings,
  parseSettingsJson,
  SETTINGS_MODES,
  SettingsSchema,
  settingDescription,
  settingSchemaAt,
  settingsVersion,
} from '../../src/policy/settings.ts';

const FAIL_CLOSED_SETTINGS = { ...structuredClone(DEFAULT_SETTINGS), mode: 'notify-only' };

function reasonOf(input: unknown): string {
  const result = parseSettings(input);
  return result.ok ? '' : result.reason;
}

describe('DEFAULT_SETTINGS', () => {
  it('are what an empty object parses to, as documented', () => {
    // Act
    const result = parseSettings({});

    // Assess
    expect(result).toEqual({
      ok: true,
      settings: DEFAULT_SETTINGS,
      version: settingsVersion(DEFAULT_SETTINGS),
    });
    expect(DEFAULT_SETTINGS).toEqual({
      mode: 'enforce',
      severity: { autoRemediateAt: 7, approvalAt: 4, ignoreBelow: 0 },
      includeSampleFindings: false,
      exemptionTag: { key: 'cordon:exempt', value: 'true' },
      breakGlassPrincipals: [],
      ownPrincipals: [],
      blastRadius: { maxContainmentsPerAccountPerHour: 5 },
      approval: {
        timeoutSeconds: 3600,
        timeoutDefault: { low: 'reject', medium: 'reject', high: 'approve', critical: 'approve' },
        approvers: { slackUserIds: [], slackUserGroupIds: [], identities: [] },
        groupWindowSeconds: 600,
      },
      alarmPlaybooks: {
        RootAccountUsage: 'root-activity',
        UnauthorizedAPICalls: 'notify-only',
        FailedConsoleLogins: 'notify-only',
        ConsoleSigninWithoutMFA: 'notify-only',
        IAMPolicyChanges: 'notify-only',
        CloudTrailChanges: 'notify-only',
        DisableOrDeleteCMK: 'notify-only',
        S3BucketPolicyChanges: 'notify-only',
        AWSConfigChanges: 'notify-only',
        SecurityGroupChanges: 'notify-only',
        NetworkACLChanges: 'notify-only',
        NetworkGatewayChanges: 'notify-only',
        RouteTableChanges: 'notify-only',
        VPCChanges: 'notify-only',
      },
      configRulePlaybooks: {
        ACCESS_KEYS_ROTATED: { playbook: 'stale-credentials', approval: 'required' },
        IAM_USER_UNUSED_CREDENTIALS_CHECK: { playbook: 'stale-credentials', approval: 'required' },
        INCOMING_SSH_DISABLED: { playbook: 'security-group-ingress', approval: 'auto' },
        RESTRICTED_INCOMING_TRAFFIC: { playbook: 'security-group-ingress', approval: 'required' },
        VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS: { playbook: 'security-group-ingress', approval: 'required' },
        VPC_DEFAULT_SECURITY_GROUP_CLOSED: { playbook: 'default-security-group', approval: 'required' },
        // --- S3 ---
        S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS: { playbook: 's3-account-public-access', approval: 'required' },
        S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC: {
          playbook: 's3-account-public-access',
          approval: 'required',
        },
        S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED: {
          playbook: 's3-bucket-public-access',
          approval: 'required',
        },
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
        CLOUD_TRAIL_ENABLED: { playbook: 'trail-logging', approval: 'auto' },
        MULTI_REGION_CLOUD_TRAIL_ENABLED: { playbook: 'trail-logging', approval: 'auto' },
        CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED: { playbook: 'trail-log-file-validation', approval: 'auto' },
        EC2_EBS_ENCRYPTION_BY_DEFAULT: { playbook: 'ebs-encryption-by-default', approval: 'required' },
        EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK: { playbook: 'public-snapshots', approval: 'required' },
        // --- identity posture ---
        IAM_PASSWORD_POLICY: { playbook: 'password-policy', approval: 'auto' },
        CMK_BACKING_KEY_ROTATION_ENABLED: { playbook: 'kms-key-rotation', approval: 'auto' },
        ROOT_ACCOUNT_MFA_ENABLED: { playbook: 'manual-fix', approval: 'auto' },
        IAM_USER_MFA_ENABLED: { playbook: 'manual-fix', approval: 'auto' },
        RDS_STORAGE_ENCRYPTED: { playbook: 'manual-fix', approval: 'auto' },
        S3_BUCKET_LOGGING_ENABLED: { playbook: 'manual-fix', approval: 'auto' },
        // --- end identity posture ---
        // --- RDS ---
        RDS_INSTANCE_PUBLIC_ACCESS_CHECK: { playbook: 'rds-instance-public-access', approval: 'required' },
        RDS_SNAPSHOTS_PUBLIC_PROHIBITED: { playbook: 'rds-snapshots-public', approval: 'required' },
        // --- end RDS ---
      },
      instanceProfileQuarantine: 'disassociate',
      responder: { roleName: 'CordonResponder' },
      ledgerRetentionDays: 365,
      // --- identity posture ---
      // The iam-password-policy rule's own parameter defaults (what CIS asks), within IAM's ranges.
      passwordPolicy: {
        minimumPasswordLength: 14,
        requireSymbols: true,
        requireNumbers: true,
        requireUppercaseCharacters: true,
        requireLowercaseCharacters: true,
        allowUsersToChangePassword: true,
        maxPasswordAge: 90,
        passwordReusePrevention: 24,
        hardExpiry: false,
      },
      // --- end identity posture ---
    });
  });

  it('are frozen, and a parse result can be changed without changing the next one', () => {
    // Prepare
    const first = parseSettings({});

    // Act
    first.settings.breakGlassPrincipals.push('alice');
    first.settings.alarmPlaybooks.Extra = 'notify-only';
    const second = parseSettings({});

    // Assess
    expect(Object.isFrozen(DEFAULT_SETTINGS.severity)).toBe(true);
    expect(second.settings.breakGlassPrincipals).toEqual([]);
    expect(second.settings.alarmPlaybooks).not.toHaveProperty('Extra');
  });

  it('fill in the fields a partial object leaves out, keeping the ones it gives', () => {
    // Act
    const result = parseSettings({
      mode: 'dry-run',
      severity: { approvalAt: 5 },
      approval: { approvers: {} },
    });

    // Assess
    expect(result.ok).toBe(true);
    expect(result.settings.mode).toBe('dry-run');
    expect(result.settings.severity).toEqual({ autoRemediateAt: 7, approvalAt: 5, ignoreBelow: 0 });
    expect(result.settings.approval).toEqual(DEFAULT_SETTINGS.approval);
  });

  it('replace a list or a map as a whole rather than merging it with the default', () => {
    // Act
    const own = ['arn:aws:iam::123456789012:role/ops-responder'];
    const result = parseSettings({ alarmPlaybooks: { MyAlarm: 'root-activity' }, ownPrincipals: own });

    // Assess
    expect(result.settings.alarmPlaybooks).toEqual({ MyAlarm: 'root-activity' });
    expect(result.settings.ownPrincipals).toEqual(own);
  });
});

describe('parseSettings', () => {
  it('accepts every mode', () => {
    for (const mode of SETTINGS_MODES) {
      expect(parseSettings({ mode })).toMatchObject({ ok: true, settings: { mode } });
    }
  });

  it('accepts a fully specified, valid settings object', () => {
    // Prepare
    const input = {
      mode: 'dry-run',
      severity: { autoRemediateAt: 8.5, approvalAt: 5, ignoreBelow: 1 },
      includeSampleFindings: true,
      exemptionTag: { key: 'security:exempt', value: '' },
      breakGlassPrincipals: ['break-glass', 'arn:aws:iam::123456789012:role/BreakGlass'],
      ownPrincipals: ['arn:aws:iam::123456789012:role/security/custom-responder'],
      blastRadius: { maxContainmentsPerAccountPerHour: 0 },
      approval: {
        timeoutSeconds: 60,
        timeoutDefault: { low: 'reject', medium: 'approve', high: 'approve', critical: 'approve' },
        approvers: { slackUserIds: ['U123'], slackUserGroupIds: ['S456'], identities: ['alice@example.com'] },
        groupWindowSeconds: 0,
        escalationSnsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:cordon-escalation',
        slackChannel: 'C0123',
        escalationSlackChannel: '#security-escalations',
      },
      alarmPlaybooks: { RootAccountUsage: 'root-activity' },
      configRulePlaybooks: { ACCESS_KEYS_ROTATED: { playbook: 'stale-credentials', approval: 'auto' } },
      instanceProfileQuarantine: 'replace',
      quarantineInstanceProfileName: 'cordon-quarantine',
      responder: { roleName: 'CordonResponder', externalId: 'org-7f3a:cordon' },
      ledgerRetentionDays: 730,
      passwordPolicy: {
        minimumPasswordLength: 20,
        requireSymbols: false,
        requireNumbers: true,
        requireUppercaseCharacters: true,
        requireLowercaseCharacters: true,
        allowUsersToChangePassword: false,
        maxPasswordAge: 0,
        passwordReusePrevention: 0,
        hardExpiry: true,
      },
    };

    // Act
    const result = parseSettings(input);

    // Assess
    expect(result).toEqual({ ok: true, settings: input, version: settingsVersion(result.settings) });
  });

  // One row per field at least: out of range, wrong type, unknown key. The reason must name the field.
  it.each([
    ['an unknown top-level key (a typo)', { modes: 'dry-run' }, 'modes: unknown setting'],
    [
      'a mode that does not exist',
      { mode: 'enforcing' },
      "mode: must be one of 'enforce', 'dry-run', 'notify-only'",
    ],
    ['a mode of the wrong type', { mode: 1 }, 'mode: must be one of'],
    [
      'an automatic threshold above 10',
      { severity: { autoRemediateAt: 11 } },
      'severity.autoRemediateAt: must be between 0 and 10',
    ],
    [
      'an approval threshold below 0',
      { severity: { approvalAt: -1, ignoreBelow: -2 } },
      'severity.approvalAt: must be between 0 and 10',
    ],
    [
      'a severity threshold given as a string',
      { severity: { ignoreBelow: '1' } },
      'severity.ignoreBelow: must be of type number, got string',
    ],
    [
      'a timeout JSON gives as 1e400 (Infinity)',
      { approval: { timeoutSeconds: Number.POSITIVE_INFINITY } },
      'approval.timeoutSeconds: must be of type number, got a number out of range',
    ],
    [
      'an unknown severity key',
      { severity: { autoRemediate: 8 } },
      'severity.autoRemediate: unknown setting',
    ],
    [
      'severity thresholds out of order',
      { severity: { autoRemediateAt: 5, approvalAt: 6 } },
      'severity: must satisfy ignoreBelow ≤ approvalAt ≤ autoRemediateAt (got 0 ≤ 6 ≤ 5)',
    ],
    [
      'an ignore threshold above the approval threshold',
      { severity: { ignoreBelow: 5 } },
      'severity: must satisfy ignoreBelow ≤ approvalAt ≤ autoRemediateAt',
    ],
    [
      'includeSampleFindings given as a string',
      { includeSampleFindings: 'true' },
      'includeSampleFindings: must be of type boolean, got string',
    ],
    [
      'an empty exemption tag key',
      { exemptionTag: { key: '' } },
      'exemptionTag.key: must be 1–128 characters',
    ],
    [
      'an exemption tag value longer than a tag allows',
      { exemptionTag: { value: 'x'.repeat(257) } },
      'exemptionTag.value: must be at most 256 characters',
    ],
    ['an unknown exemption tag key', { exemptionTag: { name: 'x' } }, 'exemptionTag.name: unknown setting'],
    [
      'break-glass principals given as a string',
      { breakGlassPrincipals: 'alice' },
      'breakGlassPrincipals: must be of type array, got string',
    ],
    [
      'a break-glass principal with a space',
      { breakGlassPrincipals: ['ok', 'not ok'] },
      'breakGlassPrincipals[1]: must be a non-empty name without spaces',
    ],
    ['an empty own principal', { ownPrincipals: [''] }, 'ownPrincipals[0]: must be an IAM role ARN'],
    [
      "an own-principal name glob (the earlier default): Cordon's own principals are roles, by ARN",
      { ownPrincipals: ['cordon-*', 'CordonResponder*'] },
      'ownPrincipals[0]: must be an IAM role ARN',
    ],
    [
      'an own principal that is a user',
      { ownPrincipals: ['arn:aws:iam::123456789012:user/cordon-svc'] },
      'ownPrincipals[0]: must be an IAM role ARN',
    ],
    [
      'a negative blast radius',
      { blastRadius: { maxContainmentsPerAccountPerHour: -1 } },
      'blastRadius.maxContainmentsPerAccountPerHour: must be 0 or more',
    ],
    [
      'a fractional blast radius',
      { blastRadius: { maxContainmentsPerAccountPerHour: 2.5 } },
      'blastRadius.maxContainmentsPerAccountPerHour: must be a whole number',
    ],
    ['an unknown blast radius key', { blastRadius: { perHour: 3 } }, 'blastRadius.perHour: unknown setting'],
    [
      'an approval timeout under a minute',
      { approval: { timeoutSeconds: 30 } },
      'approval.timeoutSeconds: must be between 60 and 86400 seconds',
    ],
    [
      'an approval timeout over a day',
      { approval: { timeoutSeconds: 86_401 } },
      'approval.timeoutSeconds: must be between 60 and 86400 seconds',
    ],
    [
      'an approval group window over an hour',
      { approval: { groupWindowSeconds: 3601 } },
      'approval.groupWindowSeconds: must be between 0 and 3600 seconds',
    ],
    [
      'a fractional approval group window',
      { approval: { groupWindowSeconds: 1.5 } },
      'approval.groupWindowSeconds: must be a whole number of seconds',
    ],
    [
      'a timeout default that is neither approve nor reject',
      { approval: { timeoutDefault: { low: 'maybe' } } },
      "approval.timeoutDefault.low: must be one of 'approve', 'reject'",
    ],
    [
      'a timeout default for a severity label that does not exist',
      { approval: { timeoutDefault: { urgent: 'approve' } } },
      'approval.timeoutDefault.urgent: unknown setting',
    ],
    [
      'approvers given as a string',
      { approval: { approvers: { slackUserIds: 'U123' } } },
      'approval.approvers.slackUserIds: must be of type array, got string',
    ],
    [
      'an unknown approvers key',
      { approval: { approvers: { emails: [] } } },
      'approval.approvers.emails: unknown setting',
    ],
    [
      'an escalation topic that is not an SNS topic ARN',
      { approval: { escalationSnsTopicArn: 'cordon-escalation' } },
      'approval.escalationSnsTopicArn: must be an SNS topic ARN',
    ],
    [
      'an empty Slack channel',
      { approval: { slackChannel: '' } },
      'approval.slackChannel: must not be empty',
    ],
    [
      'an empty escalation Slack channel',
      { approval: { escalationSlackChannel: '' } },
      'approval.escalationSlackChannel: must not be empty',
    ],
    ['an unknown approval key', { approval: { timeout: 60 } }, 'approval.timeout: unknown setting'],
    [
      'an alarm mapped to a playbook that does not exist',
      { alarmPlaybooks: { RootAccountUsage: 'lockdown' } },
      "alarmPlaybooks.RootAccountUsage: must be one of 'root-activity', 'notify-only' (the playbooks for alarms)",
    ],
    [
      'an alarm mapped to a playbook that acts on a resource, which an alarm does not name',
      { alarmPlaybooks: { RootAccountUsage: 'ec2-compromise' } },
      'alarmPlaybooks.RootAccountUsage: ec2-compromise cannot act on a CloudWatch alarm: an alarm names no resource',
    ],
    [
      'a Config rule mapped to a playbook that does not exist',
      { configRulePlaybooks: { 'access-keys-rotated': { playbook: 'lockdown', approval: 'auto' } } },
      "configRulePlaybooks.access-keys-rotated.playbook: must be one of 'stale-credentials', 'notify-only', 'security-group-ingress', 'default-security-group', 's3-account-public-access', 's3-bucket-public-access', 's3-bucket-secure-transport', 's3-bucket-default-encryption', 'trail-logging', 'trail-log-file-validation', 'ebs-encryption-by-default', 'public-snapshots', 'password-policy', 'kms-key-rotation', 'manual-fix', 'rds-instance-public-access', 'rds-snapshots-public' (the playbooks for Config rules)",
    ],
    [
      'a Config rule mapped to a playbook that takes no Config result',
      { configRulePlaybooks: { 'access-keys-rotated': { playbook: 'ec2-compromise', approval: 'auto' } } },
      'configRulePlaybooks.access-keys-rotated.playbook: ec2-compromise cannot act on an AWS Config result: it acts on GuardDuty findings of category instance-compromise',
    ],
    [
      'a Config rule mapped to a playbook that knows other rules only',
      {
        configRulePlaybooks: {
          's3-bucket-versioning-enabled': { playbook: 'stale-credentials', approval: 'auto' },
        },
      },
      "configRulePlaybooks.s3-bucket-versioning-enabled.playbook: stale-credentials cannot act on results of s3-bucket-versioning-enabled: it acts only on the results of the AWS Config rules ACCESS_KEYS_ROTATED (access-keys-rotated), IAM_USER_UNUSED_CREDENTIALS_CHECK (iam-user-unused-credentials-check); map s3-bucket-versioning-enabled to 'notify-only' instead",
    ],
    [
      'an alarm with an empty name',
      { alarmPlaybooks: { '': 'notify-only' } },
      'alarmPlaybooks[""]: invalid key',
    ],
    [
      'alarm playbooks given as a list',
      { alarmPlaybooks: ['root-activity'] },
      'alarmPlaybooks: must be of type record, got array',
    ],
    [
      'a Config rule without its approval rule',
      { configRulePlaybooks: { 'access-keys-rotated': { playbook: 'stale-credentials' } } },
      'configRulePlaybooks.access-keys-rotated.approval: must be one of',
    ],
    [
      'a Config rule with an unknown key',
      {
        configRulePlaybooks: {
          'access-keys-rotated': { playbook: 'stale-credentials', approval: 'auto', priority: 1 },
        },
      },
      'configRulePlaybooks.access-keys-rotated.priority: unknown setting',
    ],
    [
      'an instance profile quarantine that does not exist',
      { instanceProfileQuarantine: 'delete' },
      "instanceProfileQuarantine: must be one of 'disassociate', 'replace', 'keep'",
    ],
    [
      'replacing the instance profile without naming the quarantine profile',
      { instanceProfileQuarantine: 'replace' },
      "quarantineInstanceProfileName: is required when instanceProfileQuarantine is 'replace'",
    ],
    [
      'a quarantine instance profile name with a space',
      { quarantineInstanceProfileName: 'cordon quarantine' },
      'quarantineInstanceProfileName: must be an instance profile name',
    ],
    [
      'a responder role name with a slash',
      { responder: { roleName: 'path/CordonResponder' } },
      'responder.roleName: must be an IAM role name',
    ],
    [
      'a responder role prefix too long for the longest action role (prefix + -deregister-from-load-balancers)',
      { responder: { roleName: 'R'.repeat(34) } },
      'responder.roleName: must be at most 33 characters',
    ],
    [
      'an external id shorter than STS accepts',
      { responder: { externalId: 'x' } },
      'responder.externalId: must be 2–1224 characters',
    ],
    ['an unknown responder key', { responder: { role: 'x' } }, 'responder.role: unknown setting'],
    ['a ledger retention of zero days', { ledgerRetentionDays: 0 }, 'ledgerRetentionDays: must be 1 or more'],
    [
      'a fractional ledger retention',
      { ledgerRetentionDays: 1.5 },
      'ledgerRetentionDays: must be a whole number of days',
    ],
    [
      'a ledger retention given as a string',
      { ledgerRetentionDays: '365' },
      'ledgerRetentionDays: must be of type number, got string',
    ],
    // --- identity posture ---
    // IAM's own ranges (UpdateAccountPasswordPolicy): 6–128, 1–1095 or 0, 1–24 or 0.
    [
      'a minimum password length under IAM’s 6',
      { passwordPolicy: { minimumPasswordLength: 5 } },
      "passwordPolicy.minimumPasswordLength: must be 6–128 (IAM's range)",
    ],
    [
      'a password age over IAM’s 1095 days',
      { passwordPolicy: { maxPasswordAge: 1096 } },
      "passwordPolicy.maxPasswordAge: must be 0 (never expire) or 1–1095 (IAM's range)",
    ],
    [
      'a reuse prevention over IAM’s 24',
      { passwordPolicy: { passwordReusePrevention: 25 } },
      "passwordPolicy.passwordReusePrevention: must be 0 (no limit) or 1–24 (IAM's range)",
    ],
    [
      'a fractional password length',
      { passwordPolicy: { minimumPasswordLength: 14.5 } },
      'passwordPolicy.minimumPasswordLength: must be a whole number',
    ],
    [
      'an unknown password-policy key',
      { passwordPolicy: { minLength: 14 } },
      'passwordPolicy.minLength: unknown setting',
    ],
    // --- end identity posture ---
    ['settings that are not an object', ['mode'], 'settings: must be of type object, got array'],
    ['null settings', null, 'settings: must be of type object, got null'],
  ])('rejects %s, naming the field', (_case, input, expected) => {
    // Act
    const result = parseSettings(input);

    // Assess
    expect(result.ok).toBe(false);
    expect(reasonOf(input)).toContain(expected);
  });

  it('accepts replacing the instance profile when the quarantine profile is named', () => {
    // Act
    const result = parseSettings({
      instanceProfileQuarantine: 'replace',
      quarantineInstanceProfileName: 'cordon-quarantine',
    });

    // Assess
    expect(result.ok).toBe(true);
  });

  it('fails closed on invalid input: the defaults in notify-only mode, and a reason naming every invalid field', () => {
    // Act
    const result = parseSettings({
      mode: 'enforce',
      severity: { autoRemediateAt: 12 },
      approval: { timeoutSeconds: 5 },
      modee: 'dry-run',
    });

    // Assess
    expect(result.ok).toBe(false);
    expect(result.settings).toEqual(FAIL_CLOSED_SETTINGS);
    expect(result.settings.mode).toBe(FAIL_CLOSED_MODE);
    expect(result.version).toBe(settingsVersion(result.settings));
    expect(result).toHaveProperty(
      'reason',
      'severity.autoRemediateAt: must be between 0 and 10; approval.timeoutSeconds: must be between 60 and 86400 seconds; modee: unknown setting',
    );
  });

  it('never echoes a rejected value in the reason, since settings may hold an external id', () => {
    // Act
    const reason = reasonOf({ responder: { externalId: 's3cr3t value' } });

    // Assess
    expect(reason).toContain('responder.externalId');
    expect(reason).not.toContain('s3cr3t');
  });

  it('never throws and always returns settings that pass the schema, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        const result = parseSettings(input);
        expect(SettingsSchema.safeParse(result.settings).success).toBe(true);
        expect(result.version).toMatch(/^[0-9a-f]{12}$/);
        if (!result.ok) {
          expect(result.settings.mode).toBe('notify-only');
          expect(result.reason).not.toBe('');
        }
      }),
    );
  });

  it('never throws on settings-shaped input, and keeps a valid mode only when the whole input is valid', () => {
    // Settings-shaped values reach the nested schemas, which arbitrary JSON rarely does.
    const number = fc.oneof(fc.double(), fc.integer({ min: -5, max: 100_000 }), fc.string());
    const input = fc.record(
      {
        mode: fc.oneof(fc.constantFrom(...SETTINGS_MODES), fc.string()),
        severity: fc.record(
          { autoRemediateAt: number, approvalAt: number, ignoreBelow: number },
          { requiredKeys: [] },
        ),
        blastRadius: fc.record({ maxContainmentsPerAccountPerHour: number }, { requiredKeys: [] }),
        approval: fc.record(
          {
            timeoutSeconds: number,
            timeoutDefault: fc.dictionary(fc.constantFrom(...SEVERITY_LABELS, 'x'), fc.string()),
          },
          { requiredKeys: [] },
        ),
        alarmPlaybooks: fc.dictionary(fc.string(), fc.constantFrom(...PLAYBOOK_IDS, 'nope')),
        configRulePlaybooks: fc.dictionary(
          fc.constantFrom(
            'access-keys-rotated',
            'iam-user-unused-credentials-check',
            's3-bucket-logging-enabled',
          ),
          fc.record({
            playbook: fc.constantFrom(...PLAYBOOK_IDS, 'nope'),
            approval: fc.constantFrom('auto', 'required'),
          }),
        ),
        instanceProfileQuarantine: fc.constantFrom('disassociate', 'replace', 'keep', 'x'),
        ledgerRetentionDays: number,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (value) => {
        const result = parseSettings(value);
        expect(SettingsSchema.safeParse(result.settings).success).toBe(true);
        expect(result.settings.mode).toBe(result.ok ? (value.mode ?? 'enforce') : 'notify-only');
      }),
    );
  });
});

describe('parseSettingsJson', () => {
  it('reads a local file holding a subset of the settings; the rest take their defaults', () => {
    // Act
    const result = parseSettingsJson('{"mode":"dry-run","severity":{"autoRemediateAt":8}}');

    // Assess
    expect(result.ok).toBe(true);
    expect(result.settings).toEqual({
      ...DEFAULT_SETTINGS,
      mode: 'dry-run',
      severity: { ...DEFAULT_SETTINGS.severity, autoRemediateAt: 8 },
    });
  });

  it('fails closed on a file that is not JSON, saying so', () => {
    // Act
    const result = parseSettingsJson('{ mode: dry-run }');

    // Assess
    expect(result.ok).toBe(false);
    expect(result.settings).toEqual(FAIL_CLOSED_SETTINGS);
    expect(result).toHaveProperty('reason', expect.stringMatching(/^settings file is not valid JSON: /));
  });

  it('fails closed on a file with an unknown key', () => {
    // Act
    const result = parseSettingsJson('{"dryRun":true}');

    // Assess
    expect(result).toMatchObject({ ok: false, reason: 'dryRun: unknown setting' });
  });

  it('never throws, whatever text it is given', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(SettingsSchema.safeParse(parseSettingsJson(text).settings).success).toBe(true);
      }),
    );
  });
});

describe('settingsVersion', () => {
  it('is the first 12 hex digits of a SHA-256, the same under any key order', () => {
    // Prepare
    const a = parseSettings({ mode: 'dry-run', severity: { approvalAt: 5, autoRemediateAt: 8 } });
    const b = parseSettings({ severity: { autoRemediateAt: 8, approvalAt: 5 }, mode: 'dry-run' });

    // Assess
    expect(a.version).toMatch(/^[0-9a-f]{12}$/);
    expect(a.version).toBe(b.version);
  });

  it('changes when any value changes', () => {
    // Prepare
    const base = parseSettings({}).version;

    // Act
    const versions = [
      parseSettings({ mode: 'dry-run' }).version,
      parseSettings({ severity: { autoRemediateAt: 7.5 } }).version,
      parseSettings({ breakGlassPrincipals: ['alice'] }).version,
      parseSettings({ responder: { externalId: 'abc' } }).version,
    ];

    // Assess
    expect(new Set([base, ...versions]).size).toBe(versions.length + 1);
  });

  it('is the same for every fail-closed result, whatever the reason', () => {
    expect(failClosedSettings('a').version).toBe(failClosedSettings('b').version);
    expect(failClosedSettings('a').version).not.toBe(parseSettings({}).version);
  });
});

describe('playbook mappings (from the playbook catalog)', () => {
  it('default to what the catalog declares: each detection alarm and each declared Config rule', () => {
    expect(DEFAULT_SETTINGS.alarmPlaybooks).toEqual(defaultAlarmPlaybooks(DETECTION_ALARM_NAMES));
    expect(DEFAULT_SETTINGS.configRulePlaybooks).toEqual(defaultConfigRulePlaybooks());
    expect(DEFAULT_SETTINGS.configRulePlaybooks.ACCESS_KEYS_ROTATED).toEqual({
      playbook: 'stale-credentials',
      approval: 'required',
    });
  });

  it('key managed rules by source identifier, and read a kebab-case name as its identifier', () => {
    // Act
    const result = parseSettings({
      configRulePlaybooks: {
        'restricted-ssh': { playbook: 'notify-only', approval: 'auto' },
        VPC_DEFAULT_SECURITY_GROUP_CLOSED: { playbook: 'notify-only', approval: 'auto' },
        'restricted-rdp': { playbook: 'security-group-ingress', approval: 'required' },
        'my-custom-rule': { playbook: 'notify-only', approval: 'auto' },
      },
    });

    // Assess: the existing mapping keeps working, under the identifier; a custom rule keeps its name.
    expect(result.ok).toBe(true);
    expect(result.settings.configRulePlaybooks).toEqual({
      INCOMING_SSH_DISABLED: { playbook: 'notify-only', approval: 'auto' },
      VPC_DEFAULT_SECURITY_GROUP_CLOSED: { playbook: 'notify-only', approval: 'auto' },
      RESTRICTED_INCOMING_TRAFFIC: { playbook: 'security-group-ingress', approval: 'required' },
      'my-custom-rule': { playbook: 'notify-only', approval: 'auto' },
    });
  });

  it('refuse two keys that name one rule, naming both', () => {
    // Act
    const reason = reasonOf({
      configRulePlaybooks: {
        INCOMING_SSH_DISABLED: { playbook: 'notify-only', approval: 'auto' },
        'restricted-ssh': { playbook: 'security-group-ingress', approval: 'auto' },
      },
    });

    // Assess
    expect(reason).toBe(
      'configRulePlaybooks.restricted-ssh: names the same rule as INCOMING_SSH_DISABLED (INCOMING_SSH_DISABLED): map it once',
    );
  });

  it('accept an alarm mapping exactly when the playbook declares it takes alarms', () => {
    for (const id of PLAYBOOK_IDS) {
      // Act
      const result = parseSettings({ alarmPlaybooks: { MyAlarm: id } });

      // Assess
      expect(result.ok, id).toBe(PLAYBOOKS[id].routes.alarms !== undefined);
      expect(result.ok, id).toBe(ALARM_PLAYBOOK_IDS.includes(id));
    }
  });

  it('accept a Config rule mapping exactly when the playbook declares that rule, or any rule', () => {
    for (const id of PLAYBOOK_IDS) {
      for (const [rule, identifier] of [
        ['access-keys-rotated', 'ACCESS_KEYS_ROTATED'],
        ['IAM_USER_UNUSED_CREDENTIALS_CHECK', 'IAM_USER_UNUSED_CREDENTIALS_CHECK'],
        ['restricted-ssh', 'INCOMING_SSH_DISABLED'],
        ['VPC_DEFAULT_SECURITY_GROUP_CLOSED', 'VPC_DEFAULT_SECURITY_GROUP_CLOSED'],
        ['my-custom-rule', 'my-custom-rule'],
      ] as const) {
        // Act
        const result = parseSettings({ configRulePlaybooks: { [rule]: { playbook: id, approval: 'auto' } } });

        // Assess
        const rules = PLAYBOOKS[id].routes.configRules;
        const accepted = rules === 'any' || (rules !== undefined && Object.hasOwn(rules, identifier));
        expect(result.ok, `${rule} → ${id}`).toBe(accepted);
        if (!result.ok)
          expect(result.reason).toMatch(new RegExp(`^configRulePlaybooks\\.${rule}\\.playbook: `));
      }
    }
  });

  it('name every refused mapping at once, not only once the others are right', () => {
    // Act
    const reason = reasonOf({
      configRulePlaybooks: {
        'access-keys-rotated': { playbook: 'lockdown', approval: 'auto' },
        'restricted-ssh': { playbook: 'stale-credentials', approval: 'auto' },
      },
      alarmPlaybooks: { RootAccountUsage: 'credential-compromise' },
    });

    // Assess
    expect(reason).toContain('configRulePlaybooks.access-keys-rotated.playbook: must be one of');
    expect(reason).toContain('configRulePlaybooks.restricted-ssh.playbook: stale-credentials cannot act on');
    expect(reason).toContain('alarmPlaybooks.RootAccountUsage: credential-compromise cannot act on');
  });

  it('say in their descriptions which playbooks each mapping accepts', () => {
    expect(settingDescription(settingSchemaAt(['alarmPlaybooks']))).toContain(
      '`root-activity`, `notify-only`',
    );
    expect(settingDescription(settingSchemaAt(['configRulePlaybooks']))).toContain(
      '`stale-credentials` (rules ACCESS_KEYS_ROTATED, IAM_USER_UNUSED_CREDENTIALS_CHECK), `notify-only` (any rule)',
    );
  });
});

describe('the settings schema, each refinement', () => {
  const reason = (input: unknown) => {
    const result = parseSettings(input);
    return result.ok ? '' : result.reason;
  };

  it('takes thresholds that are equal: every band may be empty', () => {
    expect(parseSettings({ severity: { ignoreBelow: 5, approvalAt: 5, autoRemediateAt: 5 } }).ok).toBe(true);
    expect(parseSettings({ severity: { ignoreBelow: 0, approvalAt: 10, autoRemediateAt: 10 } }).ok).toBe(
      true,
    );
  });

  it('names the thresholds as given when the ignore threshold is above the approval one', () => {
    expect(reason({ severity: { ignoreBelow: 4.5, approvalAt: 4, autoRemediateAt: 7 } })).toBe(
      'severity: must satisfy ignoreBelow ≤ approvalAt ≤ autoRemediateAt (got 4.5 ≤ 4 ≤ 7)',
    );
  });

  it("requires the quarantine profile's name only when the profile is to be replaced", () => {
    expect(reason({ instanceProfileQuarantine: 'replace' })).toBe(
      "quarantineInstanceProfileName: is required when instanceProfileQuarantine is 'replace'",
    );
    expect(
      parseSettings({
        instanceProfileQuarantine: 'replace',
        quarantineInstanceProfileName: 'cordon-quarantine',
      }).ok,
    ).toBe(true);
    expect(parseSettings({ instanceProfileQuarantine: 'keep' }).ok).toBe(true);
  });

  it('names a playbook id that is not text as not a playbook id', () => {
    expect(reason({ alarmPlaybooks: { RootAccountUsage: 7 } })).toContain(
      'alarmPlaybooks.RootAccountUsage: must be a playbook id',
    );
  });

  it('names every Config rule mapped twice, and keeps the later keys apart', () => {
    expect(
      reason({
        configRulePlaybooks: {
          INCOMING_SSH_DISABLED: { playbook: 'notify-only', approval: 'auto' },
          'restricted-ssh': { playbook: 'notify-only', approval: 'auto' },
          'my-rule': { playbook: 'notify-only', approval: 'auto' },
        },
      }),
    ).toBe(
      'configRulePlaybooks.restricted-ssh: names the same rule as INCOMING_SSH_DISABLED (INCOMING_SSH_DISABLED): map it once',
    );
  });
});

describe('settingSchemaAt and settingDescription', () => {
  it('find a setting by its path, and nothing where no setting is', () => {
    expect(settingSchemaAt([])).toBe(SettingsSchema);
    expect(settingDescription(settingSchemaAt(['severity', 'approvalAt']))).toMatch(
      /^Findings scoring at least this/,
    );
    expect(settingSchemaAt(['severity', 'nope'])).toBeUndefined();
    expect(settingSchemaAt(['mode', 'deeper'])).toBeUndefined();
    expect(settingSchemaAt(['toString'])).toBeUndefined();
    expect(settingSchemaAt(['__proto__'])).toBeUndefined();
    expect(settingDescription(undefined)).toBeUndefined();
    expect(settingDescription(SettingsSchema)).toBeUndefined();
  });
});

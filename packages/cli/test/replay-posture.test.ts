import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';

const DEMO = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'demo');

interface Report {
  decision: { action: string; playbook: string } | null;
  execution: { status: string };
  calls: Array<{ service: string; command: string; iam?: string }>;
  changes: Array<{ resource: string; attribute: string; before: string; after: string }>;
}

async function replayJson(file: string): Promise<Report> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['replay', join(DEMO, file), '--approve', '--json'], {
    out: (...lines) => out.push(...lines),
    err: (line) => err.push(line),
  });
  expect(code, err.join('\n')).toBe(0);
  return JSON.parse(out[0] ?? '{}') as Report;
}

/** The rules of a security-group fact (`tcp 22 0.0.0.0/0 "ssh"; …`), one per entry. */
function rules(fact: string): string[] {
  return fact === '-' ? [] : fact.split('; ');
}

describe('cordon replay --approve on a Config result for each security-group rule, deployed under a conformance pack or Security Hub name', () => {
  it.each([
    {
      file: 'config-restricted-ssh-conformance-pack-noncompliant.json',
      playbook: 'security-group-ingress',
      removed: {
        'inbound rules': ['tcp 22 0.0.0.0/0 "ssh from anywhere"', 'tcp 22 ::/0 "ssh from anywhere (IPv6)"'],
      },
    },
    {
      file: 'config-restricted-common-ports-conformance-pack-noncompliant.json',
      playbook: 'security-group-ingress',
      removed: {
        'inbound rules': ['tcp 3306 ::/0 "mysql from anywhere"', 'tcp 3389 0.0.0.0/0 "rdp from anywhere"'],
      },
    },
    {
      file: 'config-vpc-sg-open-only-to-authorized-ports-securityhub-noncompliant.json',
      playbook: 'security-group-ingress',
      removed: { 'inbound rules': ['tcp 8080 0.0.0.0/0 "app port"', 'udp 53 0.0.0.0/0 "dns"'] },
    },
    {
      file: 'config-vpc-default-security-group-closed-securityhub-noncompliant.json',
      playbook: 'default-security-group',
      removed: {
        'inbound rules': ['all sg-0d4e5f60718293041', 'tcp 22 0.0.0.0/0 "temporary admin access"'],
        'outbound rules': ['all 0.0.0.0/0', 'all ::/0'],
      },
    },
  ])('$file changes exactly the offending rules of the group', async ({ file, playbook, removed }) => {
    // Act
    const report = await replayJson(file);

    // Assess: the playbook of the rule ran, every call allowed by the deployed policies.
    expect(report.decision).toMatchObject({ action: 'remediate', playbook });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.calls).toContainEqual(expect.objectContaining({ command: 'DescribeConfigRules' }));
    // Only the group's rules changed, and of them only the offending ones went.
    expect(report.changes.map((change) => change.attribute).sort()).toEqual(Object.keys(removed).sort());
    for (const change of report.changes) {
      const before = rules(change.before);
      const after = rules(change.after);
      expect(before.filter((rule) => !after.includes(rule)).sort()).toEqual(
        [...((removed as Record<string, string[]>)[change.attribute] ?? [])].sort(),
      );
      expect(after.every((rule) => before.includes(rule))).toBe(true);
    }
  });
});

// --- S3 ---
describe('cordon replay --approve on a Config result for the account-level Block Public Access rules, under conformance-pack names', () => {
  it.each([
    {
      file: 'config-s3-account-level-public-access-blocks-conformance-pack-noncompliant.json',
      before: 'blockPublicAcls, ignorePublicAcls',
    },
    {
      file: 'config-s3-account-level-public-access-blocks-periodic-conformance-pack-noncompliant.json',
      before: 'none',
    },
  ])("$file changes only the account's Block Public Access, to all four on", async ({ file, before }) => {
    // Act
    const report = await replayJson(file);

    // Assess: the rule's playbook ran, every call allowed, S3 Control's Put the only change to the account.
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 's3-account-public-access' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.calls).toContainEqual(expect.objectContaining({ command: 'DescribeConfigRules' }));
    expect(report.calls.filter((call) => call.service === 'S3Control').map((call) => call.command)).toEqual([
      'GetPublicAccessBlock',
      'PutPublicAccessBlock',
    ]);
    expect(report.changes).toEqual([
      {
        resource: '123456789012',
        attribute: 'S3 Block Public Access',
        before,
        after: 'blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets',
      },
    ]);
  });

  it("config-s3-bucket-level-public-access-prohibited-securityhub-noncompliant.json changes only the bucket's Block Public Access", async () => {
    // Act
    const report = await replayJson(
      'config-s3-bucket-level-public-access-prohibited-securityhub-noncompliant.json',
    );

    // Assess: the policy and encryption of the bucket are facts too, and they did not change.
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 's3-bucket-public-access' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.changes).toEqual([
      {
        resource: 'amzn-s3-demo-bucket-web',
        attribute: 'S3 Block Public Access',
        before: 'blockPublicAcls',
        after: 'blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets',
      },
    ]);
  });

  it('config-s3-bucket-ssl-requests-only-conformance-pack-noncompliant.json adds exactly one statement to the bucket policy', async () => {
    // Act
    const report = await replayJson('config-s3-bucket-ssl-requests-only-conformance-pack-noncompliant.json');

    // Assess
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 's3-bucket-secure-transport' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.changes).toEqual([
      {
        resource: 'amzn-s3-demo-bucket-data',
        attribute: 'bucket policy statements',
        before: 'PartnerRead',
        after: 'PartnerRead, CordonDenyInsecureTransport',
      },
    ]);
  });

  it('config-s3-bucket-server-side-encryption-enabled-conformance-pack-noncompliant.json sets only the default encryption', async () => {
    // Act
    const report = await replayJson(
      'config-s3-bucket-server-side-encryption-enabled-conformance-pack-noncompliant.json',
    );

    // Assess
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 's3-bucket-default-encryption' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.changes).toEqual([
      {
        resource: 'amzn-s3-demo-bucket-archive',
        attribute: 'default encryption',
        before: 'none',
        after: 'AES256',
      },
    ]);
  });
});
// --- end S3 ---

describe('cordon replay --approve on a Config result for each trail-logging rule, deployed under a conformance pack or Security Hub name', () => {
  it.each([
    { file: 'config-cloudtrail-enabled-conformance-pack-noncompliant.json', rule: 'cloudtrail-enabled' },
    {
      file: 'config-multi-region-cloudtrail-enabled-securityhub-noncompliant.json',
      rule: 'multi-region-cloudtrail-enabled',
    },
  ])('$file ($rule) starts exactly the stopped trail, and nothing else changes', async ({ file }) => {
    // Act
    const report = await replayJson(file);

    // Assess: the playbook ran at once, every call allowed, and the one change is the stopped trail's logging.
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 'trail-logging' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.calls).toContainEqual(expect.objectContaining({ command: 'DescribeConfigRules' }));
    expect(report.calls.filter((call) => call.command === 'StartLogging')).toHaveLength(1);
    expect(report.changes).toEqual([
      {
        resource: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events',
        attribute: 'logging',
        before: 'off',
        after: 'on',
      },
    ]);
  });
});

describe('cordon replay --approve on a Config result of cloud-trail-log-file-validation-enabled under a conformance-pack name', () => {
  it('turns on log file validation of the named trail, and nothing else changes', async () => {
    // Act
    const report = await replayJson(
      'config-cloud-trail-log-file-validation-enabled-conformance-pack-noncompliant.json',
    );

    // Assess
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 'trail-log-file-validation' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.calls.filter((call) => call.command === 'UpdateTrail')).toHaveLength(1);
    expect(report.changes).toEqual([
      {
        resource: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events',
        attribute: 'log file validation',
        before: 'off',
        after: 'on',
      },
    ]);
  });
});

describe('cordon replay --approve on a Config result of ec2-ebs-encryption-by-default under a Security Hub name', () => {
  it('turns on EBS encryption by default, and nothing else changes', async () => {
    // Act
    const report = await replayJson('config-ec2-ebs-encryption-by-default-securityhub-noncompliant.json');

    // Assess
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 'ebs-encryption-by-default' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.changes).toEqual([
      {
        resource: '123456789012/us-east-1',
        attribute: 'EBS encryption by default',
        before: 'off',
        after: 'on',
      },
    ]);
  });
});

describe('cordon replay --approve on a Config result of ebs-snapshot-public-restorable-check under a conformance-pack name', () => {
  it('removes only the group all from the public snapshot, keeping its share with the partner account', async () => {
    // Act
    const report = await replayJson(
      'config-ebs-snapshot-public-restorable-check-conformance-pack-noncompliant.json',
    );

    // Assess
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 'public-snapshots' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.changes).toEqual([
      {
        resource: 'snap-0a1b2c3d4e5f60718',
        attribute: 'create volume permission',
        before: '444455556666, all',
        after: '444455556666',
      },
    ]);
  });
});

describe('cordon replay --approve on a Config result of iam-password-policy, under a Security Hub and a conformance-pack name', () => {
  it.each([
    'config-iam-password-policy-securityhub-noncompliant.json',
    'config-iam-password-policy-conformance-pack-noncompliant.json',
  ])('%s raises the weak requirements, keeps the stricter length, and nothing else changes', async (file) => {
    // Act
    const report = await replayJson(file);

    // Assess
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 'password-policy' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.calls.filter((call) => call.command === 'UpdateAccountPasswordPolicy')).toHaveLength(1);
    expect(report.changes).toEqual([
      {
        resource: '123456789012',
        attribute: 'password policy',
        before:
          'minimumPasswordLength=16, requireSymbols=false, requireNumbers=true, requireUppercaseCharacters=false, requireLowercaseCharacters=false, allowUsersToChangePassword=true, maxPasswordAge=0, passwordReusePrevention=5, hardExpiry=false',
        after:
          'minimumPasswordLength=16, requireSymbols=true, requireNumbers=true, requireUppercaseCharacters=true, requireLowercaseCharacters=true, allowUsersToChangePassword=true, maxPasswordAge=90, passwordReusePrevention=24, hardExpiry=false',
      },
    ]);
  });
});

describe('cordon replay --approve on a Config result of cmk-backing-key-rotation-enabled, under a conformance-pack and a Security Hub name', () => {
  it.each([
    'config-cmk-backing-key-rotation-enabled-conformance-pack-noncompliant.json',
    'config-cmk-backing-key-rotation-enabled-securityhub-noncompliant.json',
  ])('%s turns on rotation of the named key only, and nothing else changes', async (file) => {
    // Act
    const report = await replayJson(file);

    // Assess
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 'kms-key-rotation' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.calls.filter((call) => call.command === 'EnableKeyRotation')).toHaveLength(1);
    expect(report.changes).toEqual([
      {
        resource: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        attribute: 'automatic key rotation',
        before: 'off',
        after: 'on (365 days)',
      },
    ]);
  });
});

// --- RDS ---
describe('cordon replay --approve on a Config result of rds-instance-public-access-check, under a Security Hub and a conformance-pack name', () => {
  it.each([
    'config-rds-instance-public-access-check-securityhub-noncompliant.json',
    'config-rds-instance-public-access-check-conformance-pack-noncompliant.json',
  ])('%s makes only the named DB instance private', async (file) => {
    // Act
    const report = await replayJson(file);

    // Assess: `reporting`, also public (its own result), is left as it was.
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 'rds-instance-public-access' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.calls.filter((call) => call.command === 'ModifyDBInstance')).toHaveLength(1);
    expect(report.changes).toEqual([
      {
        resource: 'orders (db-ORDERS7Q2XK4M5N6P7R8S9T0UV)',
        attribute: 'publicly accessible',
        before: 'yes',
        after: 'no',
      },
    ]);
  });
});

describe('cordon replay --approve on a Config result of rds-snapshots-public-prohibited, a DB snapshot under a conformance-pack name and a DB cluster snapshot under a Security Hub name', () => {
  it.each([
    {
      file: 'config-rds-snapshots-public-prohibited-conformance-pack-noncompliant.json',
      resource: 'DB snapshot orders-before-upgrade',
    },
    {
      file: 'config-rds-snapshots-public-prohibited-securityhub-cluster-noncompliant.json',
      resource: 'DB cluster snapshot orders-aurora-before-upgrade',
    },
  ])('$file removes only `all` from the named snapshot', async ({ file, resource }) => {
    // Act
    const report = await replayJson(file);

    // Assess: the partner account keeps it; the public snapshot of the other kind is left as it was.
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 'rds-snapshots-public' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(report.changes).toEqual([
      { resource, attribute: 'restore', before: '444455556666, all', after: '444455556666' },
    ]);
  });
});
// --- end RDS ---

// --- S3 public read/write ---
describe('cordon replay --approve on Config results of s3-bucket-public-read-prohibited (Security Hub name) and s3-bucket-public-write-prohibited (conformance-pack name)', () => {
  it.each([
    {
      file: 'config-s3-bucket-public-read-prohibited-securityhub-noncompliant.json',
      bucket: 'amzn-s3-demo-bucket-downloads',
    },
    {
      file: 'config-s3-bucket-public-write-prohibited-conformance-pack-noncompliant.json',
      bucket: 'amzn-s3-demo-bucket-uploads',
    },
  ])("$file turns on only the bucket's Block Public Access", async ({ file, bucket }) => {
    // Act
    const report = await replayJson(file);

    // Assess: the policy and encryption of the bucket are facts too, and they did not change.
    expect(report.decision).toMatchObject({ action: 'remediate', playbook: 's3-bucket-public-access' });
    expect(report.execution.status).toBe('SUCCEEDED');
    expect(report.calls.filter((call) => call.iam !== 'allowed')).toEqual([]);
    expect(
      report.calls.filter((call) => /Acl|BucketPolicy/.test(call.command) && !call.command.startsWith('Get')),
    ).toEqual([]);
    expect(report.changes).toEqual([
      {
        resource: bucket,
        attribute: 'S3 Block Public Access',
        before: 'none',
        after: 'blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets',
      },
    ]);
  });
});
// --- end S3 public read/write ---

/**
 * Test support for the posture remediations: the hand-made Config events of packages/cli/demo (built from the
 * documented "Config Rules Compliance Change" format: packages/cli/demo/README.md), a security group's rules as
 * they can be compared before and after (ids aside: AWS gives a rule authorized again a new id), the incident's
 * ledger, and the release as a responder starts it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbLedger } from '../../packages/core/src/ledger/dynamodb-ledger.ts';
import type { LedgerEntry } from '../../packages/core/src/ledger/ledger.ts';
import type { ExecutionInput } from '../../packages/core/src/triage/execution-input.ts';
import { sandboxClient } from '../../packages/local/src/clients.ts';
import type { LocalDeployment } from '../../packages/local/src/deployment.ts';
import type { ExecutionReport } from '../../packages/local/src/engine.ts';
import type { Sandbox } from '../../packages/local/src/sandbox/index.ts';

const DEMO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'cli', 'demo');

/** The hand-made Config events, by rule. */
export const POSTURE_EVENTS = {
  INCOMING_SSH_DISABLED: 'config-restricted-ssh-conformance-pack-noncompliant.json',
  RESTRICTED_INCOMING_TRAFFIC: 'config-restricted-common-ports-conformance-pack-noncompliant.json',
  VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS:
    'config-vpc-sg-open-only-to-authorized-ports-securityhub-noncompliant.json',
  VPC_DEFAULT_SECURITY_GROUP_CLOSED: 'config-vpc-default-security-group-closed-securityhub-noncompliant.json',
  // --- S3 ---
  S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS:
    'config-s3-account-level-public-access-blocks-conformance-pack-noncompliant.json',
  S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC:
    'config-s3-account-level-public-access-blocks-periodic-conformance-pack-noncompliant.json',
  S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED:
    'config-s3-bucket-level-public-access-prohibited-securityhub-noncompliant.json',
  S3_BUCKET_SSL_REQUESTS_ONLY: 'config-s3-bucket-ssl-requests-only-conformance-pack-noncompliant.json',
  S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED:
    'config-s3-bucket-server-side-encryption-enabled-conformance-pack-noncompliant.json',
  // --- end S3 ---
  // --- S3 public read/write ---
  S3_BUCKET_PUBLIC_READ_PROHIBITED: 'config-s3-bucket-public-read-prohibited-securityhub-noncompliant.json',
  S3_BUCKET_PUBLIC_WRITE_PROHIBITED:
    'config-s3-bucket-public-write-prohibited-conformance-pack-noncompliant.json',
  // --- end S3 public read/write ---
  CLOUD_TRAIL_ENABLED: 'config-cloudtrail-enabled-conformance-pack-noncompliant.json',
  MULTI_REGION_CLOUD_TRAIL_ENABLED: 'config-multi-region-cloudtrail-enabled-securityhub-noncompliant.json',
  CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED:
    'config-cloud-trail-log-file-validation-enabled-conformance-pack-noncompliant.json',
  EC2_EBS_ENCRYPTION_BY_DEFAULT: 'config-ec2-ebs-encryption-by-default-securityhub-noncompliant.json',
  EBS_SNAPSHOT_PUBLIC_RESTORABLE_CHECK:
    'config-ebs-snapshot-public-restorable-check-conformance-pack-noncompliant.json',
  // --- identity posture ---
  IAM_PASSWORD_POLICY: 'config-iam-password-policy-securityhub-noncompliant.json',
  CMK_BACKING_KEY_ROTATION_ENABLED:
    'config-cmk-backing-key-rotation-enabled-conformance-pack-noncompliant.json',
  // --- end identity posture ---
  // --- RDS ---
  RDS_INSTANCE_PUBLIC_ACCESS_CHECK: 'config-rds-instance-public-access-check-securityhub-noncompliant.json',
  RDS_SNAPSHOTS_PUBLIC_PROHIBITED:
    'config-rds-snapshots-public-prohibited-conformance-pack-noncompliant.json',
  // --- end RDS ---
} as const;

/** A fresh parse of a hand-made event of packages/cli/demo. */
export function loadDemoEvent<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(DEMO_DIR, name), 'utf8')) as T;
}

/** The group id a Config event names. */
export function groupOf(event: unknown): string {
  return (event as { detail: { resourceId: string } }).detail.resourceId;
}

/**
 * A group's rules as they compare: direction, protocol, ports, peer, description and tags — everything but
 * the rule id — sorted.
 */
export function groupRules(sandbox: Sandbox, groupId: string): string[] {
  const group = sandbox.ec2.snapshot().securityGroups[groupId];
  if (group === undefined) throw new Error(`no group ${groupId} in the sandbox`);
  const text = (direction: string) => (rule: (typeof group.ingress)[number]) =>
    JSON.stringify({
      direction,
      protocol: rule.protocol,
      fromPort: rule.fromPort,
      toPort: rule.toPort,
      peer: rule.peer,
      description: rule.description,
      tags: rule.tags,
    });
  return [...group.ingress.map(text('ingress')), ...group.egress.map(text('egress'))].sort();
}

/** Every ledger entry of an incident, as the deployed functions wrote it (the stage's table). */
export async function ledgerEntries(deployment: LocalDeployment, incidentId: string): Promise<LedgerEntry[]> {
  const ledger = new DynamoDbLedger({
    client: sandboxClient(deployment.sandbox, DynamoDBClient),
    tableName: deployment.names.ledgerTable,
    retentionDays: 365,
  });
  return ledger.entries(incidentId);
}

/**
 * `remediation-release` as a responder starts it: StartExecution on the stage's state machine, with the fix's
 * execution input (its incident id is the ledger the release reads) and a name of its own.
 */
export function startRelease(
  deployment: LocalDeployment,
  fix: ExecutionReport | undefined,
  name = 'release',
): Promise<ExecutionReport> {
  if (fix === undefined) throw new Error('no remediation ran');
  const input: ExecutionInput = {
    ...fix.input,
    decision: { ...fix.input.decision, playbook: 'remediation-release' },
  };
  return deployment.start('remediation-release', `${fix.name}-${name}`, input);
}

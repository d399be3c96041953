import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SNSClient } from '@aws-sdk/client-sns';
import type { ActionEnvironment } from '../../packages/core/src/actions/run-action.ts';
import type { ActionLogger, AwsClients } from '../../packages/core/src/actions/types.ts';
import { MemoryLedger } from '../../packages/core/src/ledger/ledger.ts';
import { parseSettings } from '../../packages/core/src/policy/settings.ts';
import type { SandboxAccount } from '../../packages/local/src/sandbox/sandbox-account.ts';

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'us-east-1';
export const TEST_INCIDENT = 'guardduty-123456789012-us-east-1-b4b01b60fc24a199139f8f5f490edd81';
export const TEST_NOW = new Date('2026-11-28T10:00:00.000Z');

/** The fields every step input carries, for a test incident. */
export function envelope(dryRun = false) {
  return { incidentId: TEST_INCIDENT, account: TEST_ACCOUNT, region: TEST_REGION, dryRun };
}

/** Real SDK clients (no credentials needed: aws-sdk-client-mock or the sandbox answer before signing). */
export function realClients(): AwsClients & {
  ec2: EC2Client;
  iam: IAMClient;
  autoScaling: AutoScalingClient;
  elbv2: ElasticLoadBalancingV2Client;
  elb: ElasticLoadBalancingClient;
  sns: SNSClient;
  s3: S3Client;
  s3Control: S3ControlClient;
  cloudTrail: CloudTrailClient;
  kms: KMSClient;
  rds: RDSClient;
} {
  const config = { region: TEST_REGION, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test' } };
  return {
    ec2: new EC2Client(config),
    iam: new IAMClient(config),
    autoScaling: new AutoScalingClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    elb: new ElasticLoadBalancingClient(config),
    sns: new SNSClient(config),
    s3: new S3Client(config),
    s3Control: new S3ControlClient(config),
    cloudTrail: new CloudTrailClient(config),
    kms: new KMSClient(config),
    rds: new RDSClient(config),
  };
}

export interface RecordingLogger extends ActionLogger {
  readonly lines: Array<{ level: string; message: string }>;
}

export function recordingLogger(): RecordingLogger {
  const lines: Array<{ level: string; message: string }> = [];
  return {
    lines,
    info: (message) => void lines.push({ level: 'info', message }),
    warn: (message) => void lines.push({ level: 'warn', message }),
    error: (message) => void lines.push({ level: 'error', message }),
  };
}

/**
 * An action environment on the given clients: default settings (or the overrides), a memory ledger, a fixed
 * clock and a recording logger.
 */
export function actionEnvironment(
  clients: AwsClients,
  settingsOverrides: Record<string, unknown> = {},
): ActionEnvironment & { ledger: MemoryLedger; logger: RecordingLogger } {
  const settings = parseSettings(settingsOverrides);
  if (!settings.ok) throw new Error(settings.reason);
  return {
    settings: settings.settings,
    settingsVersion: settings.version,
    clients,
    ledger: new MemoryLedger(),
    logger: recordingLogger(),
    now: () => TEST_NOW,
  };
}

/** Real SDK clients answered by a sandbox account. */
export function sandboxClients(account: SandboxAccount): ReturnType<typeof realClients> {
  const clients = realClients();
  for (const client of Object.values(clients)) account.attach(client);
  return clients;
}

/**
 * A sleep for the sandbox's injected latency that resolves every call made in the same turn of the event
 * loop together: the number of batches is the number of sequential round trips.
 *
 * @example const counter = roundTripCounter(); const sandbox = createSandbox({ sleep: counter.sleep });
 */
export function roundTripCounter() {
  let batches = 0;
  let waiting: Array<() => void> = [];
  const flush = () => {
    batches += 1;
    const resolve = waiting;
    waiting = [];
    for (const done of resolve) done();
  };
  return {
    sleep: () =>
      new Promise<void>((resolve) => {
        if (waiting.length === 0) setImmediate(flush);
        waiting.push(resolve);
      }),
    count: () => batches,
  };
}

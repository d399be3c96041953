import type { ContainmentPartId, StepId } from '../playbooks/ids.ts';
import { blockAccountPublicAccess } from './block-account-public-access.ts';
import { blockBucketPublicAccess } from './block-bucket-public-access.ts';
import { closeDefaultSecurityGroup } from './close-default-security-group.ts';
import { containInstance } from './contain-instance.ts';
import { deactivateAccessKey } from './deactivate-access-key.ts';
import { deregisterFromLoadBalancers } from './deregister-from-load-balancers.ts';
import { disableConsoleAccess } from './disable-console-access.ts';
import { enableDefaultEncryption } from './enable-default-encryption.ts';
import { enableEbsDefaultEncryption } from './enable-ebs-default-encryption.ts';
import { enableKeyRotation } from './enable-key-rotation.ts';
import { enableLogFileValidation } from './enable-log-file-validation.ts';
import { enforcePasswordPolicy } from './enforce-password-policy.ts';
import { makeDbInstancePrivate } from './make-db-instance-private.ts';
import { makeDbSnapshotPrivate } from './make-db-snapshot-private.ts';
import { makeSnapshotsPrivate } from './make-snapshots-private.ts';
import { notify } from './notify.ts';
import { quarantineInstanceProfile } from './quarantine-instance-profile.ts';
import { releaseCredentials } from './release-credentials.ts';
import { releaseInstance } from './release-instance.ts';
import { releaseRemediation } from './release-remediation.ts';
import { requireSecureTransport } from './require-secure-transport.ts';
import { revokeOpenIngress } from './revoke-open-ingress.ts';
import { revokeSessions } from './revoke-sessions.ts';
import { snapshotVolumes } from './snapshot-volumes.ts';
import { startTrailLogging } from './start-trail-logging.ts';
import type { ActionDefinition, AwsClients } from './types.ts';

/**
 * Steps that are Lambda actions (request-approval is the approvals flow, not an action on the account; the
 * containment parts run inside `contain-instance`).
 */
export type ActionId = Exclude<StepId, 'request-approval' | ContainmentPartId>;

// biome-ignore lint/suspicious/noExplicitAny: the catalog holds actions of different input and output types.
type AnyAction = ActionDefinition<any, unknown>;

/**
 * Every action Cordon can run, by step id. Infra builds one function per entry with exactly its permissions;
 * the conformance test walks it so that no action lacks permissions, schema, docs, handler or tests.
 *
 * @example ACTIONS['contain-instance'].permissions
 */
export const ACTIONS: Readonly<Record<ActionId, AnyAction>> = {
  'contain-instance': containInstance,
  'deregister-from-load-balancers': deregisterFromLoadBalancers,
  'snapshot-volumes': snapshotVolumes,
  'quarantine-instance-profile': quarantineInstanceProfile,
  'deactivate-access-key': deactivateAccessKey,
  'revoke-sessions': revokeSessions,
  'disable-console-access': disableConsoleAccess,
  notify,
  'release-instance': releaseInstance,
  'revoke-open-ingress': revokeOpenIngress,
  'close-default-security-group': closeDefaultSecurityGroup,
  'release-remediation': releaseRemediation,
  'release-credentials': releaseCredentials,
  // --- S3 ---
  'block-account-public-access': blockAccountPublicAccess,
  'block-bucket-public-access': blockBucketPublicAccess,
  'require-secure-transport': requireSecureTransport,
  'enable-default-encryption': enableDefaultEncryption,
  // --- end S3 ---
  'start-trail-logging': startTrailLogging,
  'enable-log-file-validation': enableLogFileValidation,
  'enable-ebs-default-encryption': enableEbsDefaultEncryption,
  'make-snapshots-private': makeSnapshotsPrivate,
  // --- identity posture ---
  'enforce-password-policy': enforcePasswordPolicy,
  'enable-key-rotation': enableKeyRotation,
  // --- end identity posture ---
  // --- RDS ---
  'make-db-instance-private': makeDbInstancePrivate,
  'make-db-snapshot-private': makeDbSnapshotPrivate,
  // --- end RDS ---
};

export const ACTION_IDS = Object.keys(ACTIONS) as ActionId[];

/**
 * IAM service prefix → the clients that speak to it. An action calling a service not here needs its client
 * first (`AwsClients` in types.ts, the adapters' client factories); the conformance test says so.
 */
export const CLIENTS_OF_SERVICE: Readonly<Record<string, readonly (keyof AwsClients)[]>> = {
  ec2: ['ec2'],
  iam: ['iam'],
  autoscaling: ['autoScaling'],
  elasticloadbalancing: ['elbv2', 'elb'],
  sns: ['sns'],
  s3: ['s3'],
  cloudtrail: ['cloudTrail'],
  kms: ['kms'],
  rds: ['rds'],
};

/**
 * IAM actions whose API calls are made by another client, or are named otherwise, than their service prefix
 * says. S3's permissions are not its operations' names: S3 Control's GetPublicAccessBlock / PutPublicAccessBlock /
 * DeletePublicAccessBlock on an account need `s3:GetAccountPublicAccessBlock` / `s3:PutAccountPublicAccessBlock`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html, "Permissions"), and
 * the same operations of S3 on a bucket need `s3:GetBucketPublicAccessBlock` / `s3:PutBucketPublicAccessBlock`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html); a bucket's default encryption is
 * `s3:Get/PutEncryptionConfiguration`.
 *
 * @example CALLS_OF_PERMISSION['s3:PutAccountPublicAccessBlock'] // { client: 's3Control', commands: ['PutPublicAccessBlock', 'DeletePublicAccessBlock'] }
 */
export const CALLS_OF_PERMISSION: Readonly<
  Record<string, { readonly client: keyof AwsClients; readonly commands: readonly string[] }>
> = {
  's3:GetAccountPublicAccessBlock': { client: 's3Control', commands: ['GetPublicAccessBlock'] },
  's3:PutAccountPublicAccessBlock': {
    client: 's3Control',
    commands: ['PutPublicAccessBlock', 'DeletePublicAccessBlock'],
  },
  's3:GetBucketPublicAccessBlock': { client: 's3', commands: ['GetPublicAccessBlock'] },
  's3:PutBucketPublicAccessBlock': {
    client: 's3',
    commands: ['PutPublicAccessBlock', 'DeletePublicAccessBlock'],
  },
  // "you must have permissions to perform the s3:PutEncryptionConfiguration action" for Put and Delete
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html), Get needs
  // s3:GetEncryptionConfiguration (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html).
  's3:GetEncryptionConfiguration': { client: 's3', commands: ['GetBucketEncryption'] },
  's3:PutEncryptionConfiguration': {
    client: 's3',
    commands: ['PutBucketEncryption', 'DeleteBucketEncryption'],
  },
};

/**
 * The AWS clients an action may call, read from its declared permissions: a client without a permission
 * would be refused by IAM anyway. Handlers give exactly these to `createActionHandler`.
 *
 * @example clientsUsedBy(ACTIONS['deregister-from-load-balancers']) // ['ec2', 'elbv2', 'elb']
 */
export function clientsUsedBy(action: Pick<ActionDefinition, 'permissions'>): (keyof AwsClients)[] {
  const clients = new Set<keyof AwsClients>();
  for (const permission of action.permissions) {
    for (const name of permission.actions) {
      const call = Object.hasOwn(CALLS_OF_PERMISSION, name) ? CALLS_OF_PERMISSION[name] : undefined;
      if (call !== undefined) clients.add(call.client);
      else for (const client of CLIENTS_OF_SERVICE[name.split(':')[0] ?? ''] ?? []) clients.add(client);
    }
  }
  return [...clients];
}

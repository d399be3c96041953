/**
 * Bucket ACLs: canned ACLs as grants, what makes an ACL public, and what a bucket whose ACLs are disabled
 * (Object Ownership `BucketOwnerEnforced`) still accepts.
 *
 * - Canned ACLs: https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
 * - "Amazon S3 considers a bucket or object ACL public if it grants any permissions to members of the predefined
 *   AllUsers or AuthenticatedUsers groups":
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#public-acls
 * - With ACLs disabled a bucket accepts only ACLs that give full control to the owner alone; others fail with
 *   `AccessControlListNotSupported` (400):
 *   https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
 */
import { createHash } from 'node:crypto';
import type { AccessControlPolicy, Grant, Permission } from '@aws-sdk/client-s3';
import { S3_MESSAGES, s3Error } from './s3-errors.ts';

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

export type CannedBucketAcl =
  | 'private'
  | 'public-read'
  | 'public-read-write'
  | 'authenticated-read'
  | 'log-delivery-write';

/** One grant as the model stores it: to the owner's canonical id, another canonical id, or a group URI. */
export interface GrantRecord {
  grantee: { kind: 'CanonicalUser'; id: string } | { kind: 'Group'; uri: string };
  permission: Permission;
}

const PERMISSIONS: readonly Permission[] = ['FULL_CONTROL', 'READ', 'WRITE', 'READ_ACP', 'WRITE_ACP'];

/** The 64-hex-digit canonical user id of an account (the sandbox derives a stable one from the account id). */
export function canonicalId(accountId: string): string {
  return createHash('sha256').update(`sandbox-canonical-${accountId}`).digest('hex');
}

/** The grants a canned ACL stands for on a bucket (the owner always keeps full control). */
export function cannedGrants(acl: string, ownerId: string): GrantRecord[] {
  const owner: GrantRecord = { grantee: { kind: 'CanonicalUser', id: ownerId }, permission: 'FULL_CONTROL' };
  const group = (uri: string, permission: Permission): GrantRecord => ({
    grantee: { kind: 'Group', uri },
    permission,
  });
  switch (acl) {
    case 'private':
      return [owner];
    case 'public-read':
      return [owner, group(ALL_USERS, 'READ')];
    case 'public-read-write':
      return [owner, group(ALL_USERS, 'READ'), group(ALL_USERS, 'WRITE')];
    case 'authenticated-read':
      return [owner, group(AUTHENTICATED_USERS, 'READ')];
    case 'log-delivery-write':
      return [owner, group(LOG_DELIVERY, 'WRITE'), group(LOG_DELIVERY, 'READ_ACP')];
    default:
      throw s3Error('InvalidArgument', `The canned ACL ${acl} is not valid for a bucket`);
  }
}

/** The grants of an `AccessControlPolicy` body; a grantee S3 could not place is `MalformedXML`. */
export function policyGrants(policy: AccessControlPolicy): GrantRecord[] {
  return (policy.Grants ?? []).map((grant) => {
    const permission = grant.Permission;
    if (permission === undefined || !PERMISSIONS.includes(permission)) {
      throw s3Error('MalformedXML', S3_MESSAGES.MalformedXML);
    }
    const grantee = grant.Grantee;
    if (grantee?.Type === 'Group' && grantee.URI !== undefined) {
      return { grantee: { kind: 'Group', uri: grantee.URI }, permission };
    }
    if (grantee?.Type === 'CanonicalUser' && grantee.ID !== undefined) {
      return { grantee: { kind: 'CanonicalUser', id: grantee.ID }, permission };
    }
    throw s3Error('MalformedXML', S3_MESSAGES.MalformedXML);
  });
}

export function isPublicAcl(grants: readonly GrantRecord[]): boolean {
  return grants.some(
    (grant) =>
      grant.grantee.kind === 'Group' &&
      (grant.grantee.uri === ALL_USERS || grant.grantee.uri === AUTHENTICATED_USERS),
  );
}

/** Full control to the owner and nothing else: the only ACL a bucket with ACLs disabled accepts. */
export function isOwnerOnly(grants: readonly GrantRecord[], ownerId: string): boolean {
  return grants.every((grant) => grant.grantee.kind === 'CanonicalUser' && grant.grantee.id === ownerId);
}

export function toGrant(grant: GrantRecord): Grant {
  return grant.grantee.kind === 'Group'
    ? { Grantee: { Type: 'Group', URI: grant.grantee.uri }, Permission: grant.permission }
    : { Grantee: { Type: 'CanonicalUser', ID: grant.grantee.id }, Permission: grant.permission };
}

/** Playbook ids (ARCHITECTURE.md, "Contracts"): the names plans, settings and docs use. */
export const PLAYBOOK_IDS = [
  'ec2-compromise',
  'credential-compromise',
  'stale-credentials',
  'root-activity',
  'notify-only',
  'ec2-release',
  'security-group-ingress',
  'default-security-group',
  'remediation-release',
  'credential-release',
  // --- S3 ---
  's3-account-public-access',
  's3-bucket-public-access',
  's3-bucket-secure-transport',
  's3-bucket-default-encryption',
  // --- end S3 ---
  'trail-logging',
  'trail-log-file-validation',
  'ebs-encryption-by-default',
  'public-snapshots',
  // --- identity posture ---
  'password-policy',
  'kms-key-rotation',
  'manual-fix',
  // --- end identity posture ---
  // --- RDS ---
  'rds-instance-public-access',
  'rds-snapshots-public',
  // --- end RDS ---
] as const;
export type PlaybookId = (typeof PLAYBOOK_IDS)[number];

/** Step ids (ARCHITECTURE.md, "Contracts"); ASL state names may be readable sentences, plans use these. */
export const STEP_IDS = [
  'contain-instance',
  'protect-evidence',
  'detach-from-autoscaling',
  'deregister-from-load-balancers',
  'isolate-instance',
  'snapshot-volumes',
  'quarantine-instance-profile',
  'deactivate-access-key',
  'revoke-sessions',
  'disable-console-access',
  'request-approval',
  'notify',
  'release-instance',
  'revoke-open-ingress',
  'close-default-security-group',
  'release-remediation',
  'release-credentials',
  // --- S3 ---
  'block-account-public-access',
  'block-bucket-public-access',
  'require-secure-transport',
  'enable-default-encryption',
  // --- end S3 ---
  'start-trail-logging',
  'enable-log-file-validation',
  'enable-ebs-default-encryption',
  'make-snapshots-private',
  // --- identity posture ---
  'enforce-password-policy',
  'enable-key-rotation',
  // --- end identity posture ---
  // --- RDS ---
  'make-db-instance-private',
  'make-db-snapshot-private',
  // --- end RDS ---
] as const;
export type StepId = (typeof STEP_IDS)[number];

/**
 * The parts `contain-instance` runs in one step (each is an action of its own, tested on its own, and names
 * its part of the restore record); no playbook runs them as separate steps, so no function is deployed for them.
 */
export const CONTAINMENT_PART_IDS = [
  'protect-evidence',
  'detach-from-autoscaling',
  'isolate-instance',
] as const;
export type ContainmentPartId = (typeof CONTAINMENT_PART_IDS)[number];

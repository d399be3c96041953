/**
 * What a person must do for the Config rules Cordon cannot fix safely by machine: each rule's steps, written for the
 * resource the result names, with the AWS documentation that says how. The `manual-fix` playbook tells the
 * responders (its notification carries them), and changes nothing.
 *
 * Why a machine must not do these:
 * - Root MFA: "You can't use the AWS CLI, AWS API, Tools for Windows PowerShell, or any other command line tool to
 *   enable an MFA device for the AWS account root user" — only the console, signed in as root
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_cliapi.html).
 * - An IAM user's MFA: EnableMFADevice needs two consecutive codes from the device
 *   (https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html): only whoever holds the device.
 * - RDS storage encryption: an existing unencrypted DB instance cannot be encrypted in place; a person copies a
 *   snapshot with encryption, restores a new instance and moves the applications to it
 *   (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html, "Limitations").
 * - S3 server access logging: it needs a destination bucket in the same Region and account that lets the logging
 *   service write (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html); which
 *   bucket, and how long its logs are kept, is a person's choice (the rule's `targetBucket` names none by default).
 *
 * Pure data.
 */

/** A link to the AWS page that says how. */
export interface ManualFixLink {
  readonly title: string;
  readonly url: string;
}

/** What a person must do for one rule. */
export interface ManualFix {
  /** Why Cordon does not do it. */
  readonly why: string;
  /** The steps, in order; `{resource}` stands for the resource the result names. */
  readonly steps: readonly string[];
  readonly links: readonly ManualFixLink[];
}

/**
 * The manual fix of each rule, by source identifier.
 *
 * @example MANUAL_FIXES.ROOT_ACCOUNT_MFA_ENABLED.links[0].url
 */
export const MANUAL_FIXES = {
  ROOT_ACCOUNT_MFA_ENABLED: {
    why: "MFA for the root user can be added only in the console, signed in as the root user: no API, CLI or IAM role can (and Cordon never holds the root user's credentials).",
    steps: [
      'Whoever holds the root user credentials of account {resource} signs in to the AWS Management Console as the root user.',
      'Open the account menu, choose Security credentials, and under Multi-factor authentication (MFA) choose Assign MFA device: a passkey or security key, an authenticator app, or a hardware TOTP token.',
      'Keep the device (and a second registered device, for recovery) where the break-glass procedure says, not with one person.',
    ],
    links: [
      {
        title: 'Enable a virtual MFA device for the root user (console)',
        url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-virt-mfa-for-root.html',
      },
      {
        title: 'Root user MFA cannot be assigned by CLI or API',
        url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_cliapi.html',
      },
    ],
  },
  IAM_USER_MFA_ENABLED: {
    why: 'Assigning an MFA device needs two consecutive codes from the device itself: only the person who holds it can finish it.',
    steps: [
      'Ask the owner of IAM user {resource} whether the user is still needed; if not, remove its console password and access keys instead (the rule then has nothing to judge).',
      'Otherwise, the user (or an administrator, with the user holding the device) opens IAM, Users, {resource}, Security credentials, Assign MFA device, and registers a passkey or security key, an authenticator app or a hardware token.',
      'Consider a policy that denies everything but MFA setup until the user signs in with MFA, so the gap cannot come back unnoticed.',
    ],
    links: [
      {
        title: 'AWS MFA for IAM users',
        url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html',
      },
      {
        title: 'Assign a virtual MFA device',
        url: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html',
      },
    ],
  },
  RDS_STORAGE_ENCRYPTED: {
    why: 'An existing unencrypted DB instance cannot be encrypted in place: the fix is a new instance, a switch-over and a maintenance window, which a person plans.',
    steps: [
      'Plan a maintenance window with the owners of DB instance {resource}: writes made after the snapshot are not in the new instance.',
      'Take a snapshot of {resource}, then copy the snapshot with encryption on (choose the KMS key; the copy is encrypted).',
      'Restore a new DB instance from the encrypted copy, with the same parameter group, option group, subnet group and security groups.',
      'Point the applications at the new endpoint, check them, and only then delete {resource} (keeping a final snapshot).',
    ],
    links: [
      {
        title: 'Encrypting Amazon RDS resources (limitations)',
        url: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html',
      },
      {
        title: 'Copying a DB snapshot',
        url: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CopySnapshot.html',
      },
      {
        title: 'Restoring from a DB snapshot',
        url: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_RestoreFromSnapshot.html',
      },
    ],
  },
  S3_BUCKET_LOGGING_ENABLED: {
    why: 'Server access logging needs a destination bucket in the same Region and account that lets the logging service write, and a retention for its logs: a person chooses them.',
    steps: [
      "Choose (or create) a destination bucket for {resource}'s access logs in the same account and Region — not {resource} itself — with a lifecycle rule for how long logs are kept.",
      'Give the destination a bucket policy that allows the principal logging.s3.amazonaws.com to put objects under the chosen prefix, for the source bucket and account only.',
      'Turn on server access logging of {resource} (Properties, Server access logging) with that destination and prefix, or set the rule parameter targetBucket so that it checks this destination.',
    ],
    links: [
      {
        title: 'Enabling Amazon S3 server access logging',
        url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html',
      },
      {
        title: 'Logging requests with server access logging',
        url: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html',
      },
    ],
  },
} as const satisfies Readonly<Record<string, ManualFix>>;

/** A rule whose fix is left to a person. */
export type ManualFixRule = keyof typeof MANUAL_FIXES;

/**
 * The manual fix of a rule, or `undefined` when Cordon declares none for it.
 *
 * @example manualFixOf('IAM_USER_MFA_ENABLED')?.steps.length // 3
 */
export function manualFixOf(identifier: string): ManualFix | undefined {
  return Object.hasOwn(MANUAL_FIXES, identifier) ? MANUAL_FIXES[identifier as ManualFixRule] : undefined;
}

/**
 * What a person must do, in words, for the resource a result names: why Cordon does not, the numbered steps and the
 * AWS pages. `undefined` for a rule without a manual fix.
 *
 * @example manualFixText('ROOT_ACCOUNT_MFA_ENABLED', '123456789012') // 'What to do (Cordon changes nothing: …): 1. …'
 */
export function manualFixText(identifier: string, resource: string): string | undefined {
  const fix = manualFixOf(identifier);
  if (fix === undefined) return undefined;
  const steps = fix.steps.map((step, index) => `${index + 1}. ${step.replaceAll('{resource}', resource)}`);
  const links = fix.links.map((link) => `${link.title}: ${link.url}`);
  return `What to do (Cordon changes nothing: ${fix.why}) ${steps.join(' ')} See ${links.join('; ')}.`;
}

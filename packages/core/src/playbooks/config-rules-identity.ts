/**
 * The identity and key-management Config rules Cordon remediates (`iam-password-policy`,
 * `cmk-backing-key-rotation-enabled`), declared as config-rules.ts declares every rule — by source identifier, with
 * their pages and the controls Security Hub relates to them — in a module of their own so that config-rules.ts stays
 * readable; `CONFIG_RULES` spreads them in.
 *
 * Pure data.
 */
import type { ConfigRuleDeclaration } from './config-rules.ts';
import { control, SECURITY_HUB_CONTROLS } from './controls.ts';

const CONFIG_GUIDE = 'https://docs.aws.amazon.com/config/latest/developerguide';
const IAM = SECURITY_HUB_CONTROLS.iam;
const KMS = SECURITY_HUB_CONTROLS.kms;
/** The RDS and S3 pages as archived at the same commit as the IAM page. */
const RDS = SECURITY_HUB_CONTROLS.rds;
const S3_LOGGING = SECURITY_HUB_CONTROLS.s3Logging;
const { securityHub, cis, pciDss, nist } = control;

/**
 * The identity and key-management rules, by source identifier.
 *
 * @example IDENTITY_CONFIG_RULES.IAM_PASSWORD_POLICY.name // 'iam-password-policy'
 */
export const IDENTITY_CONFIG_RULES = {
  // https://docs.aws.amazon.com/config/latest/developerguide/iam-password-policy.html: "Identifier:
  // IAM_PASSWORD_POLICY", periodic; parameters RequireUppercaseCharacters, RequireLowercaseCharacters, RequireSymbols,
  // RequireNumbers ("Default: true"), MinimumPasswordLength (14), PasswordReusePrevention (24), MaxPasswordAge (90);
  // "NON_COMPLIANT when the default IAM password policy is used". Security Hub backs IAM.7 and IAM.10–IAM.17 with it
  // (IAM.7 and IAM.10 Medium, resource type "AWS account"; IAM.16 and IAM.17 Low), each with the related
  // requirements below as the iam-controls page prints them.
  IAM_PASSWORD_POLICY: {
    identifier: 'IAM_PASSWORD_POLICY',
    name: 'iam-password-policy',
    resourceTypes: ['AWS::::Account'],
    summary:
      "The account's IAM password policy meets the rule's parameters (uppercase, lowercase, symbol and number required; length 14; 24 remembered; 90-day expiry by default).",
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/iam-password-policy.html`,
    parameterDefaults: {
      RequireUppercaseCharacters: 'true',
      RequireLowercaseCharacters: 'true',
      RequireSymbols: 'true',
      RequireNumbers: 'true',
      MinimumPasswordLength: '14',
      PasswordReusePrevention: '24',
      MaxPasswordAge: '90',
    },
    mappings: [
      {
        controls: [
          securityHub('IAM.7'),
          ...['AC-2(1)', 'AC-2(3)', 'AC-3(15)', 'IA-5(1)'].map(nist),
          securityHub('IAM.10'),
          ...['8.1.4', '8.2.3', '8.2.4', '8.2.5'].map((id) => pciDss('3.2.1', id)),
          securityHub('IAM.11'),
          cis('1.2.0', '1.5'),
          securityHub('IAM.12'),
          cis('1.2.0', '1.6'),
          securityHub('IAM.13'),
          cis('1.2.0', '1.7'),
          securityHub('IAM.14'),
          cis('1.2.0', '1.8'),
          securityHub('IAM.15'),
          cis('1.2.0', '1.9'),
          cis('1.4.0', '1.8'),
          securityHub('IAM.16'),
          cis('1.2.0', '1.10'),
          cis('1.4.0', '1.9'),
          securityHub('IAM.17'),
          cis('1.2.0', '1.11'),
        ],
        source: IAM,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html: "Identifier:
  // CMK_BACKING_KEY_ROTATION_ENABLED", "Resource Types: AWS::KMS::Key", periodic, no parameters. Security Hub KMS.4
  // (Medium) is backed by it, with PCI DSS v3.2.1/3.6.4, CIS v1.2.0/2.8, CIS v1.4.0/3.8 and NIST SC-12, SC-12(2),
  // SC-28(3) as its related requirements (kms-controls page).
  CMK_BACKING_KEY_ROTATION_ENABLED: {
    identifier: 'CMK_BACKING_KEY_ROTATION_ENABLED',
    name: 'cmk-backing-key-rotation-enabled',
    resourceTypes: ['AWS::KMS::Key'],
    summary: 'Automatic key rotation is on for each customer managed symmetric KMS key.',
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/cmk-backing-key-rotation-enabled.html`,
    mappings: [
      {
        controls: [
          securityHub('KMS.4'),
          pciDss('3.2.1', '3.6.4'),
          cis('1.2.0', '2.8'),
          cis('1.4.0', '3.8'),
          ...['SC-12', 'SC-12(2)', 'SC-28(3)'].map(nist),
        ],
        source: KMS,
      },
    ],
  },
  // ---- told, not fixed (manual-fixes.ts says what a person does) ----
  // https://docs.aws.amazon.com/config/latest/developerguide/root-account-mfa-enabled.html: "Identifier:
  // ROOT_ACCOUNT_MFA_ENABLED", periodic, no parameters. Security Hub IAM.9 (Critical) is backed by it.
  ROOT_ACCOUNT_MFA_ENABLED: {
    identifier: 'ROOT_ACCOUNT_MFA_ENABLED',
    name: 'root-account-mfa-enabled',
    resourceTypes: ['AWS::::Account'],
    summary: 'The root user of the account requires MFA for console sign-in.',
    severity: 'critical',
    docs: `${CONFIG_GUIDE}/root-account-mfa-enabled.html`,
    mappings: [
      {
        controls: [
          securityHub('IAM.9'),
          pciDss('3.2.1', '8.3.1'),
          cis('1.2.0', '1.13'),
          cis('1.4.0', '1.5'),
          ...['AC-2(1)', 'AC-3(15)', 'IA-2(1)', 'IA-2(2)', 'IA-2(6)', 'IA-2(8)'].map(nist),
        ],
        source: IAM,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/iam-user-mfa-enabled.html: "Identifier:
  // IAM_USER_MFA_ENABLED", periodic, no parameters. Security Hub IAM.19 (Medium, AWS::IAM::User).
  IAM_USER_MFA_ENABLED: {
    identifier: 'IAM_USER_MFA_ENABLED',
    name: 'iam-user-mfa-enabled',
    resourceTypes: ['AWS::IAM::User'],
    summary: 'Every IAM user has MFA enabled.',
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/iam-user-mfa-enabled.html`,
    mappings: [
      {
        controls: [
          securityHub('IAM.19'),
          pciDss('3.2.1', '8.3.1'),
          ...['AC-2(1)', 'AC-3(15)', 'IA-2(1)', 'IA-2(2)', 'IA-2(6)', 'IA-2(8)'].map(nist),
        ],
        source: IAM,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/rds-storage-encrypted.html: "Identifier:
  // RDS_STORAGE_ENCRYPTED", "Resource Types: AWS::RDS::DBInstance", change-triggered, optional kmsKeyId. Security Hub
  // RDS.3 (Medium).
  RDS_STORAGE_ENCRYPTED: {
    identifier: 'RDS_STORAGE_ENCRYPTED',
    name: 'rds-storage-encrypted',
    resourceTypes: ['AWS::RDS::DBInstance'],
    summary: 'RDS DB instances have storage encryption enabled (with the given KMS key, if kmsKeyId is set).',
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/rds-storage-encrypted.html`,
    mappings: [
      {
        controls: [
          securityHub('RDS.3'),
          cis('1.4.0', '2.3.1'),
          ...['CA-9(1)', 'CM-3(6)', 'SC-13', 'SC-28', 'SC-28(1)', 'SC-7(10)', 'SI-7(6)'].map(nist),
        ],
        source: RDS,
      },
    ],
  },
  // https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-logging-enabled.html: "Identifier:
  // S3_BUCKET_LOGGING_ENABLED", "Resource Types: AWS::S3::Bucket", change-triggered, optional targetBucket and
  // targetPrefix. Security Hub S3.9 (Medium).
  S3_BUCKET_LOGGING_ENABLED: {
    identifier: 'S3_BUCKET_LOGGING_ENABLED',
    name: 's3-bucket-logging-enabled',
    resourceTypes: ['AWS::S3::Bucket'],
    summary: 'S3 buckets have server access logging enabled (to targetBucket, if set).',
    severity: 'medium',
    docs: `${CONFIG_GUIDE}/s3-bucket-logging-enabled.html`,
    mappings: [
      {
        controls: [
          securityHub('S3.9'),
          ...['AC-2(4)', 'AC-4(26)', 'AC-6(9)', 'AU-10', 'AU-12', 'AU-2', 'AU-3', 'AU-6(3)', 'AU-6(4)'].map(
            nist,
          ),
          ...['CA-7', 'SC-7(9)', 'SI-3(8)', 'SI-4(20)', 'SI-7(8)'].map(nist),
        ],
        source: S3_LOGGING,
      },
    ],
  },
} as const satisfies Readonly<Record<string, ConfigRuleDeclaration>>;

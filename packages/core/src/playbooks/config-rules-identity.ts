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
} as const satisfies Readonly<Record<string, ConfigRuleDeclaration>>;

/**
 * The identity and key-management posture playbooks (`password-policy`, `kms-key-rotation`): remediations of what
 * an AWS Config rule found non-compliant, declared like the other posture playbooks (posture-playbooks.ts) in a module
 * of their own so that each stays readable; the catalog spreads them in.
 *
 * Pure data, like the catalog.
 */
import type { PlaybookDefinition } from './catalog.ts';
import { postureParameters } from './posture-playbooks.ts';
import { STATE_NAMES } from './states.ts';

const S = STATE_NAMES;

/** Why a rule left to a person runs without asking: the playbook only tells. */
const NOTHING_CHANGES = 'nothing is changed: the responders are told what a person must do';

/** The route of a rule whose fix is left to a person. */
const TOLD = { category: 'noncompliant-resource', approval: 'auto', target: {} } as const;

/**
 * The identity and key-management posture playbooks, by id (spread into `PLAYBOOKS`).
 *
 * @example IDENTITY_POSTURE_PLAYBOOKS['kms-key-rotation'].target // 'kms-key'
 */
export const IDENTITY_POSTURE_PLAYBOOKS: Readonly<
  Record<'password-policy' | 'kms-key-rotation' | 'manual-fix', PlaybookDefinition>
> = {
  'password-policy': {
    id: 'password-policy',
    title: 'Weak account password policy',
    summary:
      "set the account's IAM password policy to the one in the settings (keeping any stricter requirement it has), recording the policy it replaces for a release.",
    steps: ['enforce-password-policy', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 'account',
    routes: {
      configRules: {
        IAM_PASSWORD_POLICY: {
          category: 'noncompliant-resource',
          approval: 'auto',
          approvalBecause:
            'a password policy applies to IAM users’ console passwords at their next password change (an expiry at their next sign-in, where they choose a new one: users may change their own password by default); no workload signs in with a console password, and access keys and roles are not affected',
          target: {},
        },
      },
    },
    linear: {
      'enforce-password-policy': {
        state: S.enforcePasswordPolicy,
        parameters: postureParameters({ 'accountId.$': '$.target.accountId' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        "Triage starts it when AWS Config reports the account (`AWS::::Account`) NON_COMPLIANT with `IAM_PASSWORD_POLICY` (a periodic rule, behind Security Hub IAM.7 and IAM.10–IAM.17), whatever name the rule is deployed under. It sets the policy in `settings.passwordPolicy` (by default the rule's own parameter defaults, which CIS asks for), keeping any requirement the account already has that is stricter. It runs without approval by default: the policy binds console passwords at their next change, not running workloads.",
      release:
        "The account's password policy before the fix (every parameter, or that there was none) is recorded in the incident ledger before anything changes. Start `remediation-release` for the incident: it puts that policy back exactly, or deletes the policy when the account had none — and refuses, changing nothing, when someone changed the policy since the fix.",
      replay: {
        args: 'packages/cli/demo/config-iam-password-policy-securityhub-noncompliant.json --approve',
      },
    },
  },
  'kms-key-rotation': {
    id: 'kms-key-rotation',
    title: 'KMS key rotation off',
    summary:
      'turn on automatic rotation of the customer managed symmetric KMS key an AWS Config rule named, recording that it was off for a release.',
    steps: ['enable-key-rotation', 'notify'],
    approval: 'when-required',
    timeoutDefaultApplies: true,
    finalEvent: 'remediated',
    mutating: true,
    target: 'kms-key',
    routes: {
      configRules: {
        CMK_BACKING_KEY_ROTATION_ENABLED: {
          category: 'noncompliant-resource',
          approval: 'auto',
          approvalBecause:
            'rotation changes only the key material new encryptions use; KMS keeps every earlier key material to decrypt, so nothing that uses the key breaks',
          target: {},
        },
      },
    },
    linear: {
      'enable-key-rotation': {
        state: S.enableKeyRotation,
        parameters: postureParameters({ 'keyId.$': '$.target.keyId' }),
      },
      notify: { state: S.tellRemediated, parameters: { 'results.$': '$.results' } },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports a KMS key (`AWS::KMS::Key`) NON_COMPLIANT with `CMK_BACKING_KEY_ROTATION_ENABLED` (the rule behind Security Hub KMS.4), whatever name the rule is deployed under. It runs without approval by default. It turns rotation on with KMS’s default period (365 days: the rule and CIS ask for rotation, not a period). A key KMS cannot rotate automatically (asymmetric, HMAC, imported key material, a custom key store, a multi-Region replica, a key not enabled), an AWS managed key (AWS rotates it and lets no one change that), a key of another account or one with the exemption tag is refused, named, with nothing changed.',
      release:
        'That rotation was off is recorded in the incident ledger before it is turned on. Start `remediation-release` for the incident: after a person approves, it turns rotation off again on that key, if it is still on, and nothing else (key material KMS made in between stays, as KMS keeps all of it).',
      replay: {
        args: 'packages/cli/demo/config-cmk-backing-key-rotation-enabled-conformance-pack-noncompliant.json --approve',
      },
    },
  },
  'manual-fix': {
    id: 'manual-fix',
    title: 'Fixed by a person',
    summary:
      'tell the responders exactly what a person must do to fix what an AWS Config rule found (the steps and the AWS pages), for rules no machine can fix safely; change nothing.',
    steps: ['notify'],
    approval: 'never',
    timeoutDefaultApplies: false,
    finalEvent: 'decided',
    mutating: false,
    target: 'none',
    routes: {
      configRules: {
        ROOT_ACCOUNT_MFA_ENABLED: {
          ...TOLD,
          approvalBecause: `${NOTHING_CHANGES} (root MFA is set only by the root user, in the console)`,
        },
        IAM_USER_MFA_ENABLED: {
          ...TOLD,
          approvalBecause: `${NOTHING_CHANGES} (the MFA device's codes come from whoever holds it)`,
        },
        RDS_STORAGE_ENCRYPTED: {
          ...TOLD,
          approvalBecause: `${NOTHING_CHANGES} (an instance is encrypted only by restoring a new one: a switch-over a person plans)`,
        },
        S3_BUCKET_LOGGING_ENABLED: {
          ...TOLD,
          approvalBecause: `${NOTHING_CHANGES} (the logs' destination bucket and retention are a person's choice)`,
        },
      },
    },
    linear: {
      // The decision's reason carries the steps (policy/decision.ts, from manual-fixes.ts); the controls go on the
      // ledger entry of the notification, the evidence that the people who fix it were told.
      notify: {
        state: S.tellWhatToDo,
        parameters: { 'message.$': '$.decision.reason', 'controls.$': '$.controls' },
      },
    },
    docs: {
      trigger:
        'Triage starts it when AWS Config reports a resource NON_COMPLIANT with `ROOT_ACCOUNT_MFA_ENABLED`, `IAM_USER_MFA_ENABLED`, `RDS_STORAGE_ENCRYPTED` or `S3_BUCKET_LOGGING_ENABLED`, whatever name the rule is deployed under. None can be fixed safely by a machine, so the notification says exactly what a person must do for the named resource — why Cordon does not, the steps, and the AWS pages (`packages/core/src/playbooks/manual-fixes.ts`) — and the ledger records the notification with the rule’s controls.',
      release: 'Nothing to release: the playbook changes nothing.',
      replay: { args: 'packages/cli/demo/config-root-account-mfa-enabled-securityhub-noncompliant.json' },
    },
  },
};

/**
 * The schema of Cordon's settings: every setting, its default and its description (docs/settings.md is
 * generated from them). Objects are strict, so a misspelt key is an error rather than a silently applied
 * default. Parsing, the fail-closed rule and the reasons are in settings.ts; the SSM layout in settings-ssm.ts.
 *
 * Pure: no environment reads, no AWS SDK.
 */
import { ROLE_PREFIX_MAX_LENGTH } from '../actions/member-roles.ts';
import { DETECTION_ALARM_NAMES } from '../detections/alarms.ts';
import {
  ALARM_PLAYBOOK_IDS,
  alarmMappingRefusal,
  CONFIG_RULE_PLAYBOOK_IDS,
  configRuleMappingRefusal,
  configRulesOf,
  defaultAlarmPlaybooks,
  defaultConfigRulePlaybooks,
} from '../playbooks/catalog.ts';
import { settingsRuleKey } from '../playbooks/config-rules.ts';
import type { PlaybookId } from '../playbooks/ids.ts';
import * as z from '../zod.ts';

/** How much Cordon is allowed to do. */
export const SETTINGS_MODES = ['enforce', 'dry-run', 'notify-only'] as const;
export type SettingsMode = (typeof SETTINGS_MODES)[number];

// IAM name characters (role, user, instance profile): letters, digits and `+=,.@_-`.
const IAM_NAME = /^[\w+=,.@-]+$/;
/** An IAM role ARN, path allowed (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns). */
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
// sts:AssumeRole ExternalId: 2–1224 characters of `[\w+=,.@:/-]`.
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}(\.fifo)?$/;
const NO_SPACES = /^\S+$/;

/**
 * A copy of `schema` with `description`, which docs/settings.md shows ({@link settingDescription} reads it).
 * zod/mini keeps descriptions in zod's global registry; registering a copy rather than the schema itself
 * leaves a schema used in several places (PlaybookIdSchema) described only where the description applies.
 */
function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, { description });
  return copy;
}

function score(description: string, fallback: number) {
  return described(
    z._default(
      z
        .number({ error: 'must be a number' })
        .check(z.gte(0, 'must be between 0 and 10'), z.lte(10, 'must be between 0 and 10')),
      fallback,
    ),
    description,
  );
}

function nameList(description: string, fallback: () => string[]) {
  return described(
    z._default(
      z.array(z.string().check(z.regex(NO_SPACES, 'must be a non-empty name without spaces'))),
      fallback,
    ),
    description,
  );
}

/**
 * A playbook id that a mapping kind accepts, checked against the playbook catalog: an unknown id, or a
 * playbook that cannot act on what the mapping names, is refused with the reason `refusal` gives (which
 * names the playbooks that may).
 */
function playbookIdSchema(refusal: (id: string) => string | undefined) {
  return z.custom<PlaybookId>((value) => typeof value === 'string' && refusal(value) === undefined, {
    error: (issue) => (typeof issue.input === 'string' ? refusal(issue.input) : 'must be a playbook id'),
    // zod's custom schemas abort by default, which would keep the checks around them from naming the rest.
    abort: false,
  });
}

// A playbook that takes only some Config rules is checked against the rule by the record below.
const ConfigRulePlaybookIdSchema = playbookIdSchema((id) =>
  CONFIG_RULE_PLAYBOOK_IDS.includes(id as PlaybookId) ? undefined : configRuleMappingRefusal('', id),
);
const TimeoutDecisionSchema = z.enum(['approve', 'reject']);

const SeveritySchema = z
  .strictObject({
    autoRemediateAt: score(
      'Findings scoring at least this (0–10) are remediated automatically, without asking anyone.',
      7.0,
    ),
    approvalAt: score(
      'Findings scoring at least this (0–10), and below the automatic threshold, wait for an on-call approval; below it, Cordon only notifies.',
      4.0,
    ),
    ignoreBelow: score('Findings scoring below this (0–10) are ignored: no playbook, no notification.', 0),
  })
  .check(
    z.superRefine((severity, ctx) => {
      // Out-of-order thresholds would make a band unreachable or invert it (a low score acting alone).
      if (severity.ignoreBelow > severity.approvalAt || severity.approvalAt > severity.autoRemediateAt) {
        ctx.addIssue({
          code: 'custom',
          message: `must satisfy ignoreBelow ≤ approvalAt ≤ autoRemediateAt (got ${severity.ignoreBelow} ≤ ${severity.approvalAt} ≤ ${severity.autoRemediateAt})`,
        });
      }
    }),
  );

const ApproversSchema = z.strictObject({
  slackUserIds: nameList('Slack user ids (U…) allowed to approve or reject a step.', () => []),
  slackUserGroupIds: nameList(
    'Slack user group ids (S…) whose members may approve or reject a step.',
    () => [],
  ),
  identities: nameList(
    'Other approver identities (e.g. SSO user names or e-mail addresses) accepted by the approval API.',
    () => [],
  ),
});

// Keys are the severity labels of intake (SEVERITY_LABELS); a test keeps the two lists equal.
const TimeoutDefaultSchema = z.strictObject({
  low: described(
    z._default(TimeoutDecisionSchema, 'reject'),
    'Unanswered approvals of low-severity incidents.',
  ),
  medium: described(
    z._default(TimeoutDecisionSchema, 'reject'),
    'Unanswered approvals of medium-severity incidents.',
  ),
  high: described(
    z._default(TimeoutDecisionSchema, 'approve'),
    'Unanswered approvals of high-severity incidents.',
  ),
  critical: described(
    z._default(TimeoutDecisionSchema, 'approve'),
    'Unanswered approvals of critical-severity incidents.',
  ),
});

const ApprovalSchema = z.strictObject({
  timeoutSeconds: described(
    z._default(
      z
        .number({ error: 'must be a number' })
        .check(
          z.int('must be a whole number of seconds'),
          z.gte(60, 'must be between 60 and 86400 seconds'),
          z.lte(86_400, 'must be between 60 and 86400 seconds'),
        ),
      3600,
    ),
    'How long a step waits for an approval before the timeout default applies (60–86400 s).',
  ),
  timeoutDefault: described(
    z.prefault(TimeoutDefaultSchema, {}),
    'What happens when nobody answers in time, per severity label (low, medium, high, critical): `approve` or `reject`.',
  ),
  approvers: described(z.prefault(ApproversSchema, {}), 'Who may approve or reject a step.'),
  groupWindowSeconds: described(
    z._default(
      z
        .number({ error: 'must be a number' })
        .check(
          z.int('must be a whole number of seconds'),
          z.gte(0, 'must be between 0 and 3600 seconds'),
          z.lte(3600, 'must be between 0 and 3600 seconds'),
        ),
      600,
    ),
    'Approval requests of one kind (account, region, playbook, finding type, steps) within this many seconds of the first share one Slack message and one page, decided as a whole or one by one (0–3600 s; 0: every request alone).',
  ),
  escalationSnsTopicArn: described(
    z.optional(z.string().check(z.regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN'))),
    'SNS topic told when an approval times out or is escalated.',
  ),
  slackChannel: described(
    z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
    'Slack channel (id or name) where approval requests are posted.',
  ),
  escalationSlackChannel: described(
    z.optional(z.string().check(z.minLength(1, 'must not be empty'))),
    'Slack channel (id or name) where escalations are posted.',
  ),
});

/**
 * The account password policy `enforce-password-policy` sets (the fix of `iam-password-policy`). Bounds are IAM's
 * own (UpdateAccountPasswordPolicy: MinimumPasswordLength 6–128, MaxPasswordAge 1–1095, PasswordReusePrevention
 * 1–24; 0 here is IAM's default "never expire" / "no limit",
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html). Defaults are the
 * rule's own parameter defaults (uppercase, lowercase, symbols, numbers true; length 14; reuse 24; expiry 90,
 * https://docs.aws.amazon.com/config/latest/developerguide/iam-password-policy.html), which are what CIS asks in
 * the controls Security Hub relates to the rule (IAM.15 "minimum password length of 14 or greater", CIS v1.2.0/1.9
 * and v1.4.0/1.8; IAM.16 "prevents password reuse", CIS v1.2.0/1.10 and v1.4.0/1.9 — the rule's 24; IAM.17
 * "expires passwords within 90 days or less", CIS v1.2.0/1.11; IAM.11–14 one uppercase, lowercase, symbol, number:
 * https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html).
 */
function passwordPolicyNumber(
  description: string,
  min: number,
  max: number,
  fallback: number,
  zero?: string,
) {
  const range = zero === undefined ? `${min}–${max}` : `0 (${zero}) or ${min}–${max}`;
  return described(
    z._default(
      z.number({ error: 'must be a number' }).check(
        z.int('must be a whole number'),
        z.refine(
          (value) => (zero !== undefined && value === 0) || (value >= min && value <= max),
          `must be ${range} (IAM's range)`,
        ),
      ),
      fallback,
    ),
    `${description} (${range}).`,
  );
}

function passwordPolicyFlag(description: string, fallback: boolean) {
  return described(z._default(z.boolean({ error: 'must be true or false' }), fallback), description);
}

const PasswordPolicySchema = z.strictObject({
  minimumPasswordLength: passwordPolicyNumber('Minimum password length', 6, 128, 14),
  requireSymbols: passwordPolicyFlag('Passwords need at least one symbol.', true),
  requireNumbers: passwordPolicyFlag('Passwords need at least one number.', true),
  requireUppercaseCharacters: passwordPolicyFlag('Passwords need at least one uppercase letter.', true),
  requireLowercaseCharacters: passwordPolicyFlag('Passwords need at least one lowercase letter.', true),
  allowUsersToChangePassword: passwordPolicyFlag(
    'IAM users may change their own password (without it, an expired password needs an administrator).',
    true,
  ),
  maxPasswordAge: passwordPolicyNumber('Days a password is valid', 1, 1095, 90, 'never expire'),
  passwordReusePrevention: passwordPolicyNumber(
    'Previous passwords a user may not reuse',
    1,
    24,
    24,
    'no limit',
  ),
  hardExpiry: passwordPolicyFlag(
    'An expired password locks the user out until an administrator resets it (default false: the user changes it at sign-in).',
    false,
  ),
});

const ConfigRulePlaybookSchema = z.strictObject({
  playbook: described(ConfigRulePlaybookIdSchema, 'Playbook started for a NON_COMPLIANT result of the rule.'),
  approval: described(
    z.enum(['auto', 'required']),
    '`auto` runs the playbook at once; `required` waits for an on-call approval first.',
  ),
});

const nonEmptyKey = z.string().check(z.minLength(1, 'must not be empty'));

const AlarmPlaybooksSchema = z.record(nonEmptyKey, playbookIdSchema(alarmMappingRefusal));

/**
 * Config rule → mapping. Keys are source identifiers (`INCOMING_SSH_DISABLED`) for managed rules and names for
 * custom rules; a managed rule's kebab-case name (the key settings used before, `restricted-ssh`) is accepted
 * and migrated to its identifier, so existing mappings keep working. Two keys that name one rule are refused.
 */
const ConfigRulePlaybooksSchema = z.pipe(
  z.record(nonEmptyKey, ConfigRulePlaybookSchema).check(
    z.superRefine(
      (mappings, ctx) => {
        const seen = new Map<string, string>();
        for (const [rule, mapping] of Object.entries(mappings)) {
          const key = settingsRuleKey(rule);
          const earlier = seen.get(key);
          if (earlier !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [rule],
              message: `names the same rule as ${earlier} (${key}): map it once`,
            });
          }
          seen.set(key, rule);
          // Runs even when other mappings are invalid (`when` below), so it sees them as they were given.
          const playbook: unknown = (mapping as { playbook?: unknown } | null)?.playbook;
          // The value's own schema refuses unknown playbooks and those that take no Config result.
          if (typeof playbook !== 'string' || !CONFIG_RULE_PLAYBOOK_IDS.includes(playbook as PlaybookId))
            continue;
          const refusal = configRuleMappingRefusal(key, playbook);
          if (refusal !== undefined)
            ctx.addIssue({ code: 'custom', path: [rule, 'playbook'], message: refusal });
        }
      },
      // Every refused mapping is named at once, not only once the others are right.
      { when: () => true },
    ),
  ),
  z.transform((mappings) =>
    Object.fromEntries(Object.entries(mappings).map(([rule, mapping]) => [settingsRuleKey(rule), mapping])),
  ),
);

function quoted(ids: readonly string[]): string {
  return ids.map((id) => `\`${id}\``).join(', ');
}

/**
 * The schema of Cordon's settings. Every field has a default and a description (the doc generator reads
 * them); objects are strict, so a misspelt key is an error rather than a silently applied default.
 */
export const SettingsSchema = z
  .strictObject({
    mode: described(
      z._default(z.enum(SETTINGS_MODES), 'enforce'),
      '`enforce` acts; `dry-run` runs every playbook and records what it would do, with no mutating call; `notify-only` only notifies.',
    ),
    severity: described(
      z.prefault(SeveritySchema, {}),
      'Severity thresholds (0–10, GuardDuty scale) that choose between acting, asking and notifying.',
    ),
    includeSampleFindings: described(
      z._default(z.boolean({ error: 'must be true or false' }), false),
      'Whether GuardDuty sample findings (CreateSampleFindings) are handled like real ones.',
    ),
    exemptionTag: described(
      z.prefault(
        z.strictObject({
          key: described(
            z._default(
              z
                .string()
                .check(
                  z.minLength(1, 'must be 1–128 characters'),
                  z.maxLength(128, 'must be 1–128 characters'),
                ),
              'cordon:exempt',
            ),
            'Tag key that exempts a resource: Cordon notifies about it and never acts on it.',
          ),
          value: described(
            z._default(z.string().check(z.maxLength(256, 'must be at most 256 characters')), 'true'),
            'Tag value that, with the exemption tag key, exempts a resource.',
          ),
        }),
        {},
      ),
      'The tag that exempts a resource from any action.',
    ),
    breakGlassPrincipals: nameList(
      'IAM user or role names, or ARNs, of break-glass principals: findings about them are notified, never acted on.',
      () => [],
    ),
    ownPrincipals: described(
      z._default(
        z.array(
          z
            .string()
            .check(
              z.regex(
                ROLE_ARN,
                "must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>): Cordon's own principals are roles, recognised by ARN, never by a name glob",
              ),
            ),
        ),
        () => [],
      ),
      "IAM role ARNs of further principals to treat as Cordon's own (a custom responder, say), besides the roles Cordon recognises by itself: its functions' roles (`cordon-<stage>-<function id>` in the home account) and the member-account roles it assumes (`<responder.roleName>-<action id>`, `<responder.roleName>Observer`). GuardDuty findings about an own role are ignored, so Cordon does not react to itself; a principal merely named like Cordon's (an IAM user `cordon-svc`) is handled like any other, and the decision says so. A role is matched by account and name (findings name a role without its path). Name globs are refused: a stage whose parameter still holds the earlier default globs (`cordon-*`, `CordonResponder*`) fails closed, naming this setting, until it holds role ARNs or `[]` (docs/deploy.md).",
    ),
    blastRadius: described(
      z.prefault(
        z.strictObject({
          maxContainmentsPerAccountPerHour: described(
            z._default(
              z
                .number({ error: 'must be a number' })
                .check(z.int('must be a whole number'), z.gte(0, 'must be 0 or more')),
              5,
            ),
            'Automatic containments allowed per account per hour; past it, containments wait for approval (0: always ask).',
          ),
        }),
        {},
      ),
      'Limits on how much Cordon changes on its own.',
    ),
    approval: described(z.prefault(ApprovalSchema, {}), 'Human approval of playbook steps.'),
    alarmPlaybooks: described(
      z._default(AlarmPlaybooksSchema, () => defaultAlarmPlaybooks(DETECTION_ALARM_NAMES)),
      `CloudWatch alarm name → playbook id started when the alarm goes into ALARM: ${quoted(ALARM_PLAYBOOK_IDS)} (an alarm names no resource, so only a playbook that changes nothing can take one). A key matches the alarm of that name, else an alarm whose name has the same words (\`CIS-1.7-RootAccountUsage\` and \`root_usage_alarm\` are \`RootAccountUsage\`; docs/intake.md, "Alarm names"). Every alarm entering ALARM reaches triage; one no key matches is recorded and ignored.`,
    ),
    configRulePlaybooks: described(
      z._default(ConfigRulePlaybooksSchema, defaultConfigRulePlaybooks),
      `AWS Config rule → \`{ playbook, approval: auto | required }\` for NON_COMPLIANT results. A managed rule is keyed by its source identifier (\`INCOMING_SSH_DISABLED\`), whatever name it is deployed under; its kebab-case name (\`restricted-ssh\`) is accepted and read as the identifier. A custom rule is keyed by its name (a conformance pack's suffix removed). A rule not mapped here notifies when Cordon declares its severity (docs/intake.md), and is otherwise low and only recorded, never notified. Playbooks: ${CONFIG_RULE_PLAYBOOK_IDS.map((id) => `\`${id}\` (${configRulesOf(id)})`).join(', ')}; a mapping a playbook cannot act on is refused, naming why.`,
    ),
    instanceProfileQuarantine: described(
      z._default(z.enum(['disassociate', 'replace', 'keep']), 'disassociate'),
      "What containment does to a compromised instance's instance profile: `disassociate` it, `replace` it with the quarantine profile, or `keep` it.",
    ),
    quarantineInstanceProfileName: described(
      z.optional(
        z
          .string()
          .check(
            z.regex(IAM_NAME, 'must be an instance profile name'),
            z.maxLength(128, 'must be at most 128 characters'),
          ),
      ),
      'Instance profile (with no permissions) attached in place of the original; required for `replace`.',
    ),
    responder: described(
      z.prefault(
        z.strictObject({
          roleName: described(
            z._default(
              z.string().check(
                z.regex(IAM_NAME, 'must be an IAM role name'),
                // Each action's role is this prefix + `-<action id>` (at most 30 characters), and IAM role
                // names stop at 64 (actions/member-roles.ts).
                z.maxLength(
                  ROLE_PREFIX_MAX_LENGTH,
                  `must be at most ${ROLE_PREFIX_MAX_LENGTH} characters (Cordon adds -<action id> for each action's role)`,
                ),
              ),
              'CordonResponder',
            ),
            'Prefix of the roles Cordon assumes in the account of a finding (multi-account): each action assumes `<prefix>-<action id>`, triage reads through `<prefix>Observer`.',
          ),
          externalId: described(
            z.optional(
              z
                .string()
                .check(z.regex(EXTERNAL_ID, 'must be 2–1224 characters of letters, digits and +=,.@:/-_')),
            ),
            'External id passed to sts:AssumeRole for the member-account roles; store it as a SecureString.',
          ),
        }),
        {},
      ),
      'The roles actions (and triage) assume in member accounts.',
    ),
    passwordPolicy: described(
      z.prefault(PasswordPolicySchema, {}),
      "The account password policy `enforce-password-policy` sets when AWS Config's `iam-password-policy` finds the account's too weak (a stricter requirement the account already has is kept). Defaults: the rule's own parameter defaults, which CIS asks for.",
    ),
    ledgerRetentionDays: described(
      z._default(
        z
          .number({ error: 'must be a number' })
          .check(z.int('must be a whole number of days'), z.gte(1, 'must be 1 or more')),
        365,
      ),
      'Days incident ledger entries are kept before they expire.',
    ),
  })
  .check(
    z.superRefine((settings, ctx) => {
      if (
        settings.instanceProfileQuarantine === 'replace' &&
        settings.quarantineInstanceProfileName === undefined
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['quarantineInstanceProfileName'],
          message: "is required when instanceProfileQuarantine is 'replace'",
        });
      }
    }),
  );

/** Cordon's effective settings, every default applied. */
export type Settings = z.output<typeof SettingsSchema>;

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The settings Cordon runs with when nothing is configured (the parse of `{}`); frozen. */
export const DEFAULT_SETTINGS: Readonly<Settings> = deepFreeze(SettingsSchema.parse({}));

function unwrapSchema(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  while (
    current instanceof z.ZodMiniDefault ||
    current instanceof z.ZodMiniPrefault ||
    current instanceof z.ZodMiniOptional
  ) {
    current = current.def.innerType;
  }
  return current;
}

/**
 * The schema of the setting at `path` (with its default/optional wrappers), or undefined if no setting
 * lives there. Lets the doc generator and the tests read descriptions without repeating them.
 *
 * @example settingDescription(settingSchemaAt(['severity', 'autoRemediateAt'])) // 'Findings scoring at least …'
 */
export function settingSchemaAt(path: readonly string[]): z.core.$ZodType | undefined {
  let current: z.core.$ZodType = SettingsSchema;
  for (const key of path) {
    const object = unwrapSchema(current);
    if (!(object instanceof z.ZodMiniObject)) return undefined;
    const shape: Readonly<Record<string, z.core.$ZodType>> = object.shape;
    if (!Object.hasOwn(shape, key)) return undefined;
    const child = shape[key];
    if (child === undefined) return undefined;
    current = child;
  }
  return current;
}

/**
 * The description of a setting's schema (zod keeps descriptions in its global registry), or undefined.
 *
 * @example settingDescription(settingSchemaAt(['mode'])) // '`enforce` acts; `dry-run` runs every playbook …'
 */
export function settingDescription(schema: z.core.$ZodType | undefined): string | undefined {
  return schema === undefined ? undefined : z.globalRegistry.get(schema)?.description;
}

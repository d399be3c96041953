/**
 * Cordon's settings: one typed object, validated here, loaded elsewhere (SSM in the Lambda adapter, a local
 * JSON file in the CLI). Invalid or missing settings fail closed: the result still carries usable settings,
 * but in `notify-only` mode, so nothing destructive happens while the security team is alerted
 * (DOMAIN.md item 33).
 *
 * This module is pure: no environment reads, no AWS SDK. The SSM parameter layout lives here too, so the
 * adapter, the infrastructure and the generated docs/settings.md share one list.
 */
import { createHash } from 'node:crypto';
import { ROLE_PREFIX_MAX_LENGTH } from '../actions/member-roles.ts';
import { SettingsStageInvalidError } from '../errors.ts';
import { PLAYBOOK_IDS, type PlaybookId } from '../playbooks/ids.ts';
import * as z from '../zod.ts';

/** How much Cordon is allowed to do. */
export const SETTINGS_MODES = ['enforce', 'dry-run', 'notify-only'] as const;
export type SettingsMode = (typeof SETTINGS_MODES)[number];

/** How long the adapter keeps settings read from SSM before reading them again (seconds). */
export const DEFAULT_SETTINGS_MAX_AGE_SECONDS = 60;

/** The mode a failed settings load falls back to: nothing is changed, people are told. */
export const FAIL_CLOSED_MODE: SettingsMode = 'notify-only';

// IAM name characters (role, user, instance profile): letters, digits and `+=,.@_-`.
const IAM_NAME = /^[\w+=,.@-]+$/;
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

const PlaybookIdSchema = z.enum(PLAYBOOK_IDS);
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

const ConfigRulePlaybookSchema = z.strictObject({
  playbook: described(PlaybookIdSchema, 'Playbook started for a NON_COMPLIANT result of the rule.'),
  approval: described(
    z.enum(['auto', 'required']),
    '`auto` runs the playbook at once; `required` waits for an on-call approval first.',
  ),
});

type ConfigRulePlaybook = z.output<typeof ConfigRulePlaybookSchema>;

const nonEmptyKey = z.string().check(z.minLength(1, 'must not be empty'));

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
    ownPrincipals: nameList(
      "Name globs (`*` matches any run of characters) of Cordon's own principals; findings and alarms they cause are ignored, so Cordon does not react to itself.",
      () => ['cordon-*', 'CordonResponder*'],
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
      z._default(
        z.record(nonEmptyKey, PlaybookIdSchema),
        (): Record<string, PlaybookId> => ({
          RootAccountUsage: 'root-activity',
          UnauthorizedAPICalls: 'notify-only',
          FailedConsoleLogins: 'notify-only',
        }),
      ),
      'CloudWatch alarm name → playbook id started when the alarm goes into ALARM.',
    ),
    configRulePlaybooks: described(
      z._default(
        z.record(nonEmptyKey, ConfigRulePlaybookSchema),
        (): Record<string, ConfigRulePlaybook> => ({
          'access-keys-rotated': { playbook: 'stale-credentials', approval: 'required' },
          'iam-user-unused-credentials-check': { playbook: 'stale-credentials', approval: 'required' },
        }),
      ),
      'AWS Config rule name → `{ playbook, approval: auto | required }` for NON_COMPLIANT results; other rules only notify.',
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

/** Outcome of reading settings. A failure still carries settings: the defaults, in `notify-only` mode. */
export type SettingsResult =
  | { readonly ok: true; readonly settings: Settings; readonly version: string }
  | { readonly ok: false; readonly settings: Settings; readonly version: string; readonly reason: string };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The settings Cordon runs with when nothing is configured (the parse of `{}`); frozen. */
export const DEFAULT_SETTINGS: Readonly<Settings> = deepFreeze(SettingsSchema.parse({}));

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

/**
 * A short, stable fingerprint of effective settings: the first 12 hex digits of the SHA-256 of their
 * canonical JSON (keys sorted). Ledger entries record it so a decision can be traced to its settings.
 *
 * @example settingsVersion(DEFAULT_SETTINGS) // e.g. '3f1c0a9b27de'
 */
export function settingsVersion(settings: Settings): string {
  return createHash('sha256').update(canonicalJson(settings)).digest('hex').slice(0, 12);
}

/**
 * The fail-closed result: defaults in `notify-only` mode, with the reason. Adapters use it when settings
 * cannot even be read (SSM unreachable, file missing).
 *
 * @example failClosedSettings('settings missing: no parameters under /cordon/prod/').settings.mode // 'notify-only'
 */
export function failClosedSettings(reason: string): SettingsResult {
  const settings: Settings = { ...SettingsSchema.parse({}), mode: FAIL_CLOSED_MODE };
  return { ok: false, settings, version: settingsVersion(settings), reason };
}

const PLAIN_KEY = /^[A-Za-z_$][\w$:-]*$/;

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    // Record keys are user data (alarm and rule names): quote those that would not read as a plain key.
    else if (typeof key === 'symbol' || !PLAIN_KEY.test(key)) text += `[${JSON.stringify(String(key))}]`;
    else text += text === '' ? key : `.${key}`;
  }
  return text === '' ? 'settings' : text;
}

function typeOfInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  return typeof input;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = formatPath(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown setting`);
    case 'invalid_type':
      // A number that fails `.int()` is reported as an invalid type; its schema message says it better.
      if (issue.expected === 'int' && typeof issue.input === 'number') return [`${where}: ${issue.message}`];
      // Only the type of the input is named, never the value: settings may hold an external id.
      return [
        issue.input === undefined
          ? `${where}: is required`
          : `${where}: must be ${issue.expected === 'int' ? 'a whole number' : `of type ${issue.expected}`}, got ${typeOfInput(issue.input)}`,
      ];
    case 'invalid_value':
      return [`${where}: must be one of ${issue.values.map((value) => `'${String(value)}'`).join(', ')}`];
    case 'invalid_key':
      return [`${where}: invalid key (${issue.issues.map((inner) => inner.message).join('; ')})`];
    default:
      return [`${where}: ${issue.message}`];
  }
}

/**
 * Validates settings (camelCase object, any subset; missing fields take their defaults).
 * Never throws. Invalid input fails closed: the defaults in `notify-only` mode, and a reason naming every
 * invalid field and why.
 *
 * @example
 * parseSettings({ mode: 'dry-run' }) // { ok: true, settings: { mode: 'dry-run', … }, version: '…' }
 * parseSettings({ severity: { autoRemediateAt: 11 } })
 * // { ok: false, settings: { mode: 'notify-only', … }, reason: 'severity.autoRemediateAt: must be between 0 and 10', … }
 */
export function parseSettings(input: unknown): SettingsResult {
  const parsed = SettingsSchema.safeParse(input, { reportInput: true });
  if (parsed.success) {
    return { ok: true, settings: parsed.data, version: settingsVersion(parsed.data) };
  }
  return failClosedSettings(parsed.error.issues.flatMap(describeIssue).join('; '));
}

/**
 * Validates the text of a local settings file: a JSON object holding any subset of the settings
 * (e.g. `{"mode":"dry-run"}`). Invalid JSON fails closed like invalid settings.
 *
 * @example parseSettingsJson('{"mode":"dry-run"}').settings.mode // 'dry-run'
 */
export function parseSettingsJson(text: string): SettingsResult {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return failClosedSettings(`settings file is not valid JSON: ${(error as Error).message}`);
  }
  return parseSettings(input);
}

// ---------------------------------------------------------------------------------------------------------
// SSM layout: one parameter per leaf scalar, JSON for lists and maps.

/** How a parameter's string value is read. `string-list` is SSM's StringList: comma-separated. */
export type SettingsParameterType = 'string' | 'number' | 'boolean' | 'string-list' | 'json';

export interface SettingsParameter {
  /** Name relative to the settings path, kebab-case, nested with `/` (e.g. `severity/auto-remediate-at`). */
  readonly name: string;
  /** Where the value goes in the settings object. */
  readonly path: readonly string[];
  readonly type: SettingsParameterType;
  /** The default value (undefined for optional settings with no default). */
  readonly default: unknown;
  /** What the setting does (the schema's description). */
  readonly description: string;
}

const PARAMETER_LAYOUT: ReadonlyArray<Pick<SettingsParameter, 'name' | 'path' | 'type'>> = [
  { name: 'mode', path: ['mode'], type: 'string' },
  { name: 'severity/auto-remediate-at', path: ['severity', 'autoRemediateAt'], type: 'number' },
  { name: 'severity/approval-at', path: ['severity', 'approvalAt'], type: 'number' },
  { name: 'severity/ignore-below', path: ['severity', 'ignoreBelow'], type: 'number' },
  { name: 'include-sample-findings', path: ['includeSampleFindings'], type: 'boolean' },
  { name: 'exemption-tag/key', path: ['exemptionTag', 'key'], type: 'string' },
  { name: 'exemption-tag/value', path: ['exemptionTag', 'value'], type: 'string' },
  { name: 'break-glass-principals', path: ['breakGlassPrincipals'], type: 'json' },
  { name: 'own-principals', path: ['ownPrincipals'], type: 'json' },
  {
    name: 'blast-radius/max-containments-per-account-per-hour',
    path: ['blastRadius', 'maxContainmentsPerAccountPerHour'],
    type: 'number',
  },
  { name: 'approval/timeout-seconds', path: ['approval', 'timeoutSeconds'], type: 'number' },
  { name: 'approval/timeout-default', path: ['approval', 'timeoutDefault'], type: 'json' },
  {
    name: 'approval/approvers/slack-user-ids',
    path: ['approval', 'approvers', 'slackUserIds'],
    type: 'json',
  },
  {
    name: 'approval/approvers/slack-user-group-ids',
    path: ['approval', 'approvers', 'slackUserGroupIds'],
    type: 'json',
  },
  { name: 'approval/approvers/identities', path: ['approval', 'approvers', 'identities'], type: 'json' },
  {
    name: 'approval/escalation-sns-topic-arn',
    path: ['approval', 'escalationSnsTopicArn'],
    type: 'string',
  },
  { name: 'approval/slack-channel', path: ['approval', 'slackChannel'], type: 'string' },
  {
    name: 'approval/escalation-slack-channel',
    path: ['approval', 'escalationSlackChannel'],
    type: 'string',
  },
  { name: 'alarm-playbooks', path: ['alarmPlaybooks'], type: 'json' },
  { name: 'config-rule-playbooks', path: ['configRulePlaybooks'], type: 'json' },
  { name: 'instance-profile-quarantine', path: ['instanceProfileQuarantine'], type: 'string' },
  { name: 'quarantine-instance-profile-name', path: ['quarantineInstanceProfileName'], type: 'string' },
  { name: 'responder/role-name', path: ['responder', 'roleName'], type: 'string' },
  { name: 'responder/external-id', path: ['responder', 'externalId'], type: 'string' },
  { name: 'ledger-retention-days', path: ['ledgerRetentionDays'], type: 'number' },
];

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

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Every SSM parameter Cordon reads, relative to {@link settingsPath}; defaults and descriptions from the schema. */
export const SETTINGS_PARAMETERS: readonly SettingsParameter[] = deepFreeze(
  PARAMETER_LAYOUT.map((layout) => ({
    ...layout,
    default: structuredClone(valueAt(DEFAULT_SETTINGS, layout.path)),
    description: settingDescription(settingSchemaAt(layout.path)) ?? '',
  })),
);

const PARAMETERS_BY_NAME: ReadonlyMap<string, SettingsParameter> = new Map(
  SETTINGS_PARAMETERS.map((parameter) => [parameter.name, parameter]),
);

const STAGE = /^[A-Za-z0-9_-]+$/;

/**
 * The SSM path of everything a stage keeps in Parameter Store: `settings/`, `secrets/`, `detections/`.
 *
 * @throws SettingsStageInvalidError when the stage is not `[A-Za-z0-9-_]+` (it would change the path).
 * @example stagePath('prod') // '/cordon/prod/'
 */
export function stagePath(stage: string): string {
  if (!STAGE.test(stage)) {
    throw new SettingsStageInvalidError(
      `stage ${JSON.stringify(stage)} is not a valid settings stage: use letters, digits, '-' and '_'`,
    );
  }
  return `/cordon/${stage}/`;
}

/**
 * The SSM path that holds a stage's settings. Settings have a folder of their own: the loader reads it
 * recursively, so secrets and detection thresholds live beside it, never in it.
 *
 * @example settingsPath('prod') // '/cordon/prod/settings/'
 */
export function settingsPath(stage: string): string {
  return `${stagePath(stage)}settings/`;
}

// Strict on purpose: Number('') is 0 and Number(' 7 ') is 7; a settings typo must not become a number.
const NUMBER = /^-?\d+(\.\d+)?$/;

type ParsedValue = { ok: true; value: unknown } | { ok: false; error: string };

function parseParameterValue(parameter: SettingsParameter, text: string): ParsedValue {
  switch (parameter.type) {
    case 'string':
      return { ok: true, value: text };
    case 'number':
      return NUMBER.test(text)
        ? { ok: true, value: Number(text) }
        : { ok: false, error: `${parameter.name}: ${JSON.stringify(text)} is not a number` };
    case 'boolean':
      if (text === 'true') return { ok: true, value: true };
      if (text === 'false') return { ok: true, value: false };
      return { ok: false, error: `${parameter.name}: ${JSON.stringify(text)} is not 'true' or 'false'` };
    case 'string-list': {
      const items = text.split(',').map((item) => item.trim());
      return items.some((item) => item === '')
        ? { ok: false, error: `${parameter.name}: the comma-separated list has an empty item` }
        : { ok: true, value: items };
    }
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) };
      } catch (error) {
        return { ok: false, error: `${parameter.name}: not valid JSON (${(error as Error).message})` };
      }
  }
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let current = target;
  path.forEach((key, index) => {
    if (index === path.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (typeof next === 'object' && next !== null) {
      current = next as Record<string, unknown>;
    } else {
      const created: Record<string, unknown> = {};
      current[key] = created;
      current = created;
    }
  });
}

/**
 * Turns SSM parameter values (keyed by name relative to the settings path) into the raw settings object
 * for {@link parseSettings}. Values are read strictly; a value that cannot be read, or a parameter Cordon
 * does not know, is an error naming the parameter (the value is left out of `raw`).
 *
 * @example
 * settingsFromParameters({ mode: 'dry-run', 'severity/auto-remediate-at': '8' })
 * // { raw: { mode: 'dry-run', severity: { autoRemediateAt: 8 } }, errors: [] }
 */
export function settingsFromParameters(values: Readonly<Record<string, string>>): {
  raw: unknown;
  errors: string[];
} {
  const raw: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const name of Object.keys(values).sort()) {
    const text = values[name];
    const parameter = PARAMETERS_BY_NAME.get(name);
    if (parameter === undefined) {
      errors.push(`${name}: unknown settings parameter`);
      continue;
    }
    if (text === undefined) continue;
    const parsed = parseParameterValue(parameter, text);
    if (parsed.ok) setAt(raw, parameter.path, parsed.value);
    else errors.push(parsed.error);
  }
  return { raw, errors };
}

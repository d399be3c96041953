/**
 * Every environment variable a Cordon function reads: one list, imported by the deployment
 * (`infra/functions.ts` builds each function's `environment` with `environmentFor`) and by the handlers
 * (each `*DependenciesFromEnvironment` reads its own with `readEnvironment`). A variable renamed here is
 * renamed on both sides; a variable the deployment sets but no handler reads is refused
 * (`EnvironmentVariableUnknownError`) before anything is deployed; a required one left out fails the type
 * check of infra and, at the latest, the function's initialisation (`EnvironmentVariableMissingError`).
 *
 * This module imports nothing from Lambda, Powertools or the AWS SDK: the deployment program loads it too.
 */
import { PLAYBOOK_IDS, type PlaybookId } from '@cordon/core/playbooks/ids';
import {
  EnvironmentVariableInvalidError,
  EnvironmentVariableMissingError,
  EnvironmentVariableUnknownError,
} from '../errors.ts';

/** The CloudWatch namespace of every Cordon metric (the deployment sets it as `POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'Cordon';

/** The shapes of handler Cordon deploys; every action function is of kind `action`. */
export const FUNCTION_KINDS = [
  'action',
  'triage',
  'request-approval',
  'approval-api',
  'poller',
  'threshold-sync',
] as const;
export type FunctionKind = (typeof FUNCTION_KINDS)[number];

/** The playbook → state machine ARN map triage starts executions with. */
export type StateMachineArns = Readonly<Partial<Record<PlaybookId, string>>>;

// arn:<partition>:states:<region>:<account>:stateMachine:<name>, the unqualified state machine ARN that
// StartExecution takes (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html).
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

function text(value: string): string {
  return value;
}

function stateMachineArns(value: string, name: string): StateMachineArns {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new EnvironmentVariableInvalidError(name, 'not JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EnvironmentVariableInvalidError(name, 'not a JSON object of playbook id → state machine ARN');
  }
  const problems: string[] = [];
  for (const [playbook, arn] of Object.entries(parsed)) {
    if (!(PLAYBOOK_IDS as readonly string[]).includes(playbook)) problems.push(`${playbook} is no playbook`);
    else if (typeof arn !== 'string' || !STATE_MACHINE_ARN.test(arn))
      problems.push(`${playbook}: ${JSON.stringify(arn)} is no state machine ARN`);
  }
  if (problems.length > 0) throw new EnvironmentVariableInvalidError(name, problems.join('; '));
  return parsed as StateMachineArns;
}

/**
 * The variables, by the key the code uses: `name` is the environment name, `read` turns its (trimmed,
 * non-empty) value into what the handler works with. What each means is said here, in comments: every
 * bundle carries this object, and a description read by nothing would only make it larger.
 */
export const VARIABLES = {
  /** The deployment stage: settings under `/cordon/<stage>/settings/`, secrets under `/cordon/<stage>/secrets/`. */
  stage: { name: 'CORDON_STAGE', read: text },
  /** The ledger table (steps, claims, blast radius, leases, the poller's cursor). */
  ledgerTable: { name: 'CORDON_LEDGER_TABLE', read: text },
  /** The approvals table. */
  approvalsTable: { name: 'CORDON_APPROVALS_TABLE', read: text },
  /** The approval API's Function URL, the base of the links request-approval sends. */
  approvalUrl: { name: 'CORDON_APPROVAL_URL', read: text },
  /** Cordon's notification topic (notify, approvals, rejected thresholds, the alarms' action). */
  topicArn: { name: 'CORDON_SNS_TOPIC_ARN', read: text },
  /** The SSM SecureString holding the Slack webhook URL notify posts to. */
  slackWebhookParameter: { name: 'CORDON_SLACK_WEBHOOK_PARAMETER', read: text },
  /** JSON: playbook id → state machine ARN, the playbooks triage starts. */
  stateMachines: { name: 'CORDON_STATE_MACHINES', read: stateMachineArns },
  /** The triage function (name or ARN) the poller hands its findings to. */
  triageFunction: { name: 'CORDON_TRIAGE_FUNCTION', read: text },
  /**
   * Only behind a trusted authenticating proxy: the header naming the signed-in user (docs/slack-setup.md),
   * lower-cased as Node gives request headers.
   */
  identityHeader: { name: 'CORDON_IDENTITY_HEADER', read: (value: string) => value.toLowerCase() },
  /** The metrics namespace of the functions that count (default `METRICS_NAMESPACE`). */
  metricsNamespace: { name: 'POWERTOOLS_METRICS_NAMESPACE', read: text },
  /** Set by Lambda itself: the region the function runs in. */
  region: { name: 'AWS_REGION', read: text },
} as const;
export type VariableKey = keyof typeof VARIABLES;
type ValueOf<K extends VariableKey> = ReturnType<(typeof VARIABLES)[K]['read']>;

/**
 * Which variables each kind of function reads: the deployment sets the `required` ones and may set the
 * `optional` ones; Lambda itself sets the `lambda` ones, whose names are reserved: a function configuration
 * cannot set them (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 */
export const FUNCTION_ENVIRONMENT = {
  action: {
    required: ['stage', 'ledgerTable'],
    optional: ['topicArn', 'slackWebhookParameter', 'metricsNamespace'],
    lambda: ['region'],
  },
  triage: {
    required: ['stage', 'ledgerTable', 'stateMachines'],
    optional: ['metricsNamespace'],
    lambda: ['region'],
  },
  // The approval functions count nothing (their log lines and the approvals table say what happened):
  // they have no metrics namespace to read.
  'request-approval': {
    required: ['stage', 'approvalsTable', 'approvalUrl'],
    optional: ['topicArn'],
    lambda: [],
  },
  'approval-api': { required: ['stage', 'approvalsTable'], optional: ['identityHeader'], lambda: [] },
  poller: {
    required: ['stage', 'ledgerTable', 'triageFunction'],
    optional: ['metricsNamespace'],
    lambda: [],
  },
  'threshold-sync': { required: ['stage', 'topicArn'], optional: ['metricsNamespace'], lambda: [] },
} as const satisfies Record<
  FunctionKind,
  {
    readonly required: readonly VariableKey[];
    readonly optional: readonly VariableKey[];
    readonly lambda: readonly VariableKey[];
  }
>;

type RequiredKey<F extends FunctionKind> = (typeof FUNCTION_ENVIRONMENT)[F]['required'][number];
type OptionalKey<F extends FunctionKind> = (typeof FUNCTION_ENVIRONMENT)[F]['optional'][number];
type LambdaKey<F extends FunctionKind> = (typeof FUNCTION_ENVIRONMENT)[F]['lambda'][number];

/** What `readEnvironment(kind)` returns: the kind's variables, typed, optional ones absent when unset. */
export type FunctionEnvironment<F extends FunctionKind> = {
  readonly [K in RequiredKey<F> | LambdaKey<F>]: ValueOf<K>;
} & {
  readonly [K in OptionalKey<F>]?: ValueOf<K>;
};

/** What the deployment gives `environmentFor(kind)`: a value (or `{template}`) per variable, by key. */
export type EnvironmentValues<F extends FunctionKind> = { readonly [K in RequiredKey<F>]: string } & {
  readonly [K in OptionalKey<F>]?: string;
};

type Environment = Readonly<Record<string, string | undefined>>;

function keysOf(kind: FunctionKind): {
  required: readonly VariableKey[];
  optional: readonly VariableKey[];
  lambda: readonly VariableKey[];
} {
  return FUNCTION_ENVIRONMENT[kind];
}

/** The environment names a kind of function reads: the deployment's (required first), then Lambda's. */
export function variableNames(kind: FunctionKind): readonly string[] {
  const { required, optional, lambda } = keysOf(kind);
  return [...required, ...optional, ...lambda].map((key) => VARIABLES[key].name);
}

/**
 * Reads a function's variables once, when it is initialised: every required one missing is named in one
 * `EnvironmentVariableMissingError`; a value its reader refuses raises `EnvironmentVariableInvalidError`.
 * Values are trimmed; an empty value counts as unset.
 *
 * @example
 * const { stage, ledgerTable, topicArn } = readEnvironment('action'); // topicArn: string | undefined
 */
export function readEnvironment<F extends FunctionKind>(
  kind: F,
  environment: Environment = process.env,
): FunctionEnvironment<F> {
  const { required, optional, lambda } = keysOf(kind);
  const missing = [...required, ...lambda].filter(
    (key) => (environment[VARIABLES[key].name]?.trim() ?? '') === '',
  );
  if (missing.length > 0) {
    throw new EnvironmentVariableMissingError(
      kind,
      missing.map((key) => VARIABLES[key].name),
    );
  }
  const values: Record<string, unknown> = {};
  for (const key of [...required, ...optional, ...lambda]) {
    const { name, read } = VARIABLES[key];
    const value = environment[name]?.trim() ?? '';
    if (value !== '') values[key] = read(value, name);
  }
  return values as FunctionEnvironment<F>;
}

/**
 * The `environment` of a deployed function, from values by key: the deployment names no variable itself.
 * A key the kind does not declare, or one Lambda sets itself, raises `EnvironmentVariableUnknownError`; a
 * required one left out `EnvironmentVariableMissingError` (the types catch both first; this check holds
 * for spread objects too).
 *
 * @example
 * environmentFor('poller', { stage: '{stage}', ledgerTable: '{prefix}-ledger', triageFunction: arn })
 * // { CORDON_STAGE: '{stage}', CORDON_LEDGER_TABLE: '{prefix}-ledger', CORDON_TRIAGE_FUNCTION: arn }
 */
export function environmentFor<F extends FunctionKind>(
  kind: F,
  values: EnvironmentValues<F>,
): Readonly<Record<string, string>> {
  const { required, optional } = keysOf(kind);
  const given = values as Readonly<Record<string, string | undefined>>;
  const declared = new Set<string>([...required, ...optional]);
  const unknown = Object.keys(given).filter((key) => !declared.has(key));
  if (unknown.length > 0) throw new EnvironmentVariableUnknownError(kind, unknown);
  const missing = required.filter((key) => given[key] === undefined || given[key] === '');
  if (missing.length > 0) {
    throw new EnvironmentVariableMissingError(
      kind,
      missing.map((key) => VARIABLES[key].name),
    );
  }
  const environment: Record<string, string> = {};
  for (const key of [...required, ...optional]) {
    const value = given[key];
    if (value !== undefined) environment[VARIABLES[key].name] = value;
  }
  return environment;
}

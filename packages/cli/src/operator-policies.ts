/**
 * The IAM a person needs for the operator commands, as data: docs/operations.md prints these documents (generated),
 * and `packages/cli/test/operator-iam.test.ts` evaluates every call each command makes against them with the IAM
 * evaluator of packages/local/src/iam — every call allowed, and every action granted used by some command.
 *
 * - **cordon-operator** (read-only: on-call, security team, auditors): settings and detections pull/diff,
 *   incidents list/show, evidence.
 * - **cordon-settings-admin** (the security team's change role): settings and detections pull/diff/push.
 * - **cordon-responder** (on-call who may start a release): `release` — the incident's reads and StartExecution
 *   on the three release state machines only.
 *
 * `settings check` and `detections check` are offline and need nothing. STS GetCallerIdentity, which the
 * commands send to learn the account and who pushes, needs no permission
 * (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html). SecureString settings are
 * decrypted by SSM with the KMS key's policy (its `kms:ViaService` grant), not with a permission of the caller.
 */
import { APPROVALS_INDEX, DECISIONS_INDEX } from '@cordon/core/ledger/indexes';
import { PLAYBOOK_IDS } from '@cordon/core/playbooks/ids';
import { RELEASE_PLAYBOOKS } from '@cordon/core/playbooks/release-input';
import { PUSHED_AT_TAG, PUSHED_BY_TAG } from './commands/parameters.ts';

export interface OperatorPolicyScope {
  readonly account: string;
  readonly region: string;
  readonly stage: string;
}

export interface PolicyStatementDocument {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface OperatorPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatementDocument[];
}

/** The two roles, by name (the policies are attached to a role or an SSO permission set of that name). */
export const OPERATOR_ROLES = ['cordon-operator', 'cordon-settings-admin', 'cordon-responder'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

function parameterPaths(scope: OperatorPolicyScope): string[] {
  const base = `arn:aws:ssm:${scope.region}:${scope.account}:parameter/cordon/${scope.stage}`;
  // The path itself (how GetParametersByPath names its resource) and every parameter under it.
  return [`${base}/settings`, `${base}/settings/*`, `${base}/detections`, `${base}/detections/*`];
}

function ledgerArn(scope: OperatorPolicyScope): string {
  return `arn:aws:dynamodb:${scope.region}:${scope.account}:table/cordon-${scope.stage}-ledger`;
}

const readParameters = (scope: OperatorPolicyScope): PolicyStatementDocument => ({
  Sid: 'ReadSettingsAndThresholds',
  Effect: 'Allow',
  Action: 'ssm:GetParametersByPath',
  Resource: parameterPaths(scope),
});

/**
 * The read-only operator: settings and thresholds (GetParametersByPath under the stage's two paths), the ledger
 * (Query of the table, its decisions index and the approvals index: no Scan, no write), and the stage's
 * executions (DescribeExecution of its playbooks' state machines only).
 *
 * @example operatorPolicy({ account: '111122223333', region: 'eu-west-1', stage: 'prod' }).Statement.length // 3
 */
export function operatorPolicy(scope: OperatorPolicyScope): OperatorPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      readParameters(scope),
      {
        Sid: 'ReadIncidents',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: [
          ledgerArn(scope),
          `${ledgerArn(scope)}/index/${DECISIONS_INDEX.name}`,
          `arn:aws:dynamodb:${scope.region}:${scope.account}:table/cordon-${scope.stage}-approvals/index/${APPROVALS_INDEX.name}`,
        ],
      },
      {
        Sid: 'ReadExecutions',
        Effect: 'Allow',
        Action: 'states:DescribeExecution',
        Resource: PLAYBOOK_IDS.map(
          (playbook) =>
            `arn:aws:states:${scope.region}:${scope.account}:execution:cordon-${scope.stage}-${playbook}:*`,
        ),
      },
    ],
  };
}

/**
 * The settings admin: read the stage's settings and thresholds, write them (PutParameter, DeleteParameters for
 * `--delete`), tag what it writes with who pushed it and when (those two tag keys only), and record each
 * settings version it pushes in the ledger (PutItem on `settings#…` partitions only: never an incident's).
 *
 * @example settingsAdminPolicy({ account: '111122223333', region: 'eu-west-1', stage: 'prod' }).Statement.length // 4
 */
export function settingsAdminPolicy(scope: OperatorPolicyScope): OperatorPolicyDocument {
  const base = `arn:aws:ssm:${scope.region}:${scope.account}:parameter/cordon/${scope.stage}`;
  const writable = [`${base}/settings/*`, `${base}/detections/*`];
  return {
    Version: '2012-10-17',
    Statement: [
      readParameters(scope),
      {
        Sid: 'WriteSettingsAndThresholds',
        Effect: 'Allow',
        Action: ['ssm:PutParameter', 'ssm:DeleteParameters'],
        Resource: writable,
      },
      {
        Sid: 'RecordWhoPushed',
        Effect: 'Allow',
        Action: 'ssm:AddTagsToResource',
        Resource: writable,
        Condition: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': [PUSHED_BY_TAG, PUSHED_AT_TAG] },
          // ForAllValues is true of a request naming no tag key at all: require one.
          Null: { 'aws:TagKeys': 'false' },
        },
      },
      {
        Sid: 'RecordSettingsVersions',
        Effect: 'Allow',
        Action: 'dynamodb:PutItem',
        Resource: ledgerArn(scope),
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['settings#*'] },
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      },
    ],
  };
}

/**
 * The responder: what `cordon release` reads of an incident (Query of the ledger and the approvals index, as
 * `incidents show`; DescribeExecution of the stage's executions, for the containment's input and the earlier
 * releases) and StartExecution on the three release state machines only — never a containment playbook, never
 * another stage's (StartExecution's resource is the state machine:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html). The release
 * still waits for an approver: the role starts a request, it approves nothing.
 *
 * @example responderPolicy({ account: '111122223333', region: 'eu-west-1', stage: 'prod' }).Statement.length // 3
 */
export function responderPolicy(scope: OperatorPolicyScope): OperatorPolicyDocument {
  const machine = (playbook: string) =>
    `arn:aws:states:${scope.region}:${scope.account}:stateMachine:cordon-${scope.stage}-${playbook}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadTheIncident',
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: [
          ledgerArn(scope),
          `arn:aws:dynamodb:${scope.region}:${scope.account}:table/cordon-${scope.stage}-approvals/index/${APPROVALS_INDEX.name}`,
        ],
      },
      {
        Sid: 'ReadExecutions',
        Effect: 'Allow',
        Action: 'states:DescribeExecution',
        Resource: PLAYBOOK_IDS.map(
          (playbook) =>
            `arn:aws:states:${scope.region}:${scope.account}:execution:cordon-${scope.stage}-${playbook}:*`,
        ),
      },
      {
        Sid: 'StartReleases',
        Effect: 'Allow',
        Action: 'states:StartExecution',
        // The releases only (each always asks for its own approval).
        Resource: RELEASE_PLAYBOOKS.map(machine),
      },
    ],
  };
}

/** Each role's policy. */
export function operatorPolicies(
  scope: OperatorPolicyScope,
): Readonly<Record<OperatorRole, OperatorPolicyDocument>> {
  return {
    'cordon-operator': operatorPolicy(scope),
    'cordon-settings-admin': settingsAdminPolicy(scope),
    'cordon-responder': responderPolicy(scope),
  };
}

/** What each command calls, and so which role it needs (docs/operations.md's table). */
export const COMMAND_PERMISSIONS: readonly {
  readonly command: string;
  readonly actions: readonly string[];
  readonly role: string;
}[] = [
  { command: 'settings check, detections check', actions: [], role: 'none (offline)' },
  { command: 'settings pull, detections pull', actions: ['ssm:GetParametersByPath'], role: 'either' },
  { command: 'settings diff, detections diff', actions: ['ssm:GetParametersByPath'], role: 'either' },
  {
    command: 'settings push',
    actions: [
      'ssm:GetParametersByPath',
      'ssm:PutParameter',
      'ssm:AddTagsToResource',
      'ssm:DeleteParameters (with --delete)',
      'dynamodb:PutItem (settings#<version>)',
      'sts:GetCallerIdentity (no permission)',
    ],
    role: 'cordon-settings-admin',
  },
  {
    command: 'detections push',
    actions: [
      'ssm:GetParametersByPath',
      'ssm:PutParameter',
      'ssm:AddTagsToResource',
      'ssm:DeleteParameters (with --delete)',
      'sts:GetCallerIdentity (no permission)',
    ],
    role: 'cordon-settings-admin',
  },
  {
    command: 'incidents list',
    actions: [
      'dynamodb:Query (decisions index)',
      'states:DescribeExecution',
      'sts:GetCallerIdentity (no permission)',
    ],
    role: 'cordon-operator',
  },
  {
    command: 'incidents show',
    actions: [
      'dynamodb:Query (ledger, approvals index)',
      'states:DescribeExecution',
      'sts:GetCallerIdentity (no permission)',
    ],
    role: 'cordon-operator',
  },
  {
    command: 'evidence',
    actions: [
      'dynamodb:Query (decisions index, ledger, approvals index)',
      'states:DescribeExecution',
      'ssm:GetParametersByPath (settings)',
      'sts:GetCallerIdentity (no permission)',
    ],
    role: 'cordon-operator',
  },
  {
    command: 'release',
    actions: [
      'dynamodb:Query (ledger, approvals index)',
      'states:DescribeExecution',
      'states:StartExecution (the release state machines)',
      'sts:GetCallerIdentity (no permission)',
    ],
    role: 'cordon-responder',
  },
];

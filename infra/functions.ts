/**
 * Cordon's Lambda functions as data: handler, environment and IAM statements, with `{placeholder}` templates.
 * Tests check this list; `lambda.ts` turns it into roles and functions at deploy time.
 */
import { ACTION_IDS, ACTIONS, type ActionId } from '@cordon/core/actions/catalog';
import { DETECTION_ALARM_NAMES } from '@cordon/core/detections/alarms';
import { INCIDENT_PLAYBOOK_IDS } from '@cordon/core/playbooks/catalog';
import { PLAYBOOK_IDS } from '@cordon/core/playbooks/ids';
import { environmentFor, type FunctionKind, METRICS_NAMESPACE } from '@cordon/functions/shared/environment';
import {
  ARN,
  ASSUME_ACTION_ROLE_SID,
  ASSUME_OBSERVER_ROLE,
  assumeActionRole,
  catalogStatements,
  GIVE_BACK_LEASES,
  GUARD_STATEMENTS,
  IDENTIFY_CONFIG_RULE_STATEMENTS,
  OBSERVE_INSTANCE_STATEMENTS,
  type PolicyStatement,
  PUBLISH_TO_TOPIC,
  platformStatements,
  READ_LEDGER,
  READ_SETTINGS,
  readParameters,
  WRITE_LEDGER,
} from './permissions.ts';

// The kinds are the handler shapes of packages/functions, whose environment each kind reads.
export type { FunctionKind };

export interface FunctionSpec {
  /** kebab-case id; the physical name is `cordon-<stage>-<id>`. */
  readonly id: string;
  readonly kind: FunctionKind;
  /** SST handler: file path from the repository root, then `.handler`. */
  readonly handler: string;
  readonly description: string;
  /**
   * Environment variables, as templates, built with `environmentFor(kind, …)`: the names and which kind
   * reads which come from packages/functions/src/shared/environment.ts, the one list.
   */
  readonly environment: Readonly<Record<string, string>>;
  /** Every statement of the function's role. */
  readonly statements: readonly PolicyStatement[];
  /** A public function URL (auth NONE: the approval API checks signatures itself). */
  readonly url: boolean;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

const HANDLERS = 'packages/functions/src/handlers';
const TOPIC_ARN = ARN.topic;

const COMMON_ENV = {
  stage: '{stage}',
  ledgerTable: '{prefix}-ledger',
  metricsNamespace: METRICS_NAMESPACE,
} as const;

/** Parameter names (relative to `/cordon/<stage>/`) of the secrets and of the approval base URL. */
export const PARAMETERS = {
  linkSigningKey: 'secrets/link-signing-key',
  slackSigningSecret: 'secrets/slack-signing-secret',
  slackBotToken: 'secrets/slack-bot-token',
  slackWebhookUrl: 'secrets/slack-webhook-url',
  approvalBaseUrl: 'approval/base-url',
} as const;

function parameterName(relative: string): string {
  return `/cordon/{stage}/${relative}`;
}

/**
 * The actions whose code reads an incident's ledger entries (`Ledger.entries`): release-instance,
 * release-remediation and release-credentials (what to restore), notify (what happened) and contain-instance (an ENI an earlier try left on the allow-all group
 * goes back to its recorded groups). The IAM evaluation of every flow proves the list both ways: a reader
 * missing here is denied its Query, an action listed here that never queries holds an unused grant.
 */
const LEDGER_READERS: ReadonlySet<ActionId> = new Set([
  'contain-instance',
  'release-instance',
  'release-remediation',
  'release-credentials',
  'notify',
]);

/** Actions that change something in an account act through their own role in member accounts. */
function actsInAccounts(id: ActionId): boolean {
  return ACTIONS[id].mutating;
}

function actionFunction(id: ActionId): FunctionSpec {
  const notify = id === 'notify';
  return {
    id,
    kind: 'action',
    handler: `${HANDLERS}/actions/${id}.handler`,
    description: `Cordon action: ${ACTIONS[id].summary}`.slice(0, 256),
    environment: environmentFor('action', {
      ...COMMON_ENV,
      topicArn: TOPIC_ARN,
      ...(notify ? { slackWebhookParameter: parameterName(PARAMETERS.slackWebhookUrl) } : {}),
    }),
    statements: [
      ...catalogStatements(id),
      ...platformStatements(id),
      READ_SETTINGS,
      WRITE_LEDGER,
      ...(LEDGER_READERS.has(id) ? [READ_LEDGER] : []),
      ...(ACTIONS[id].leases === true ? [GIVE_BACK_LEASES] : []),
      ...(notify
        ? [readParameters('ReadSlackWebhook', [PARAMETERS.slackWebhookUrl], 'Post to Slack (SecureString).')]
        : []),
      ...(actsInAccounts(id) ? [assumeActionRole(id), ...GUARD_STATEMENTS] : []),
    ],
    url: false,
    timeoutSeconds: 60,
    memoryMb: 512,
  };
}

const triage: FunctionSpec = {
  id: 'triage',
  kind: 'triage',
  handler: `${HANDLERS}/triage.handler`,
  description: 'Cordon triage: event → incident → decision → playbook execution',
  environment: environmentFor('triage', {
    ...COMMON_ENV,
    stateMachines: JSON.stringify(
      Object.fromEntries(PLAYBOOK_IDS.map((playbook) => [playbook, ARN.stateMachine(playbook)])),
    ),
  }),
  statements: [
    ...platformStatements('triage'),
    READ_SETTINGS,
    {
      sid: 'WriteLedgerAndBlastRadius',
      effect: 'Allow',
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [ARN.ledgerTable],
      why: 'Record decisions, claim each incident for one playbook (conditional PutItem) and count containments per account and hour (blast radius, UpdateItem counters).',
    },
    // Read the instance before the playbook starts (observe-instance): with these at home, through the
    // read-only observer role in a member account. Reads only: triage changes nothing in any account.
    ...OBSERVE_INSTANCE_STATEMENTS,
    // Identify a Config result's rule by its source identifier (DescribeConfigRules): reads only, likewise.
    ...IDENTIFY_CONFIG_RULE_STATEMENTS,
    ASSUME_OBSERVER_ROLE,
    {
      sid: 'StartPlaybooks',
      effect: 'Allow',
      actions: ['states:StartExecution'],
      // Not a release: only a responder starts one (the playbook catalog's routes).
      resources: INCIDENT_PLAYBOOK_IDS.map((playbook) => ARN.stateMachine(playbook)),
      why: "Start Cordon's playbooks that an incident can start, and nothing else.",
    },
  ],
  url: false,
  timeoutSeconds: 120,
  memoryMb: 512,
};

// The approval flow's handlers (packages/functions/src/{request-approval,approval-api}.ts) read the four
// secrets with ssm:GetParameter, and the approval records with the calls of core's DynamoDbApprovalStore.
const APPROVAL_SECRETS = [
  PARAMETERS.linkSigningKey,
  PARAMETERS.slackSigningSecret,
  PARAMETERS.slackBotToken,
  PARAMETERS.slackWebhookUrl,
];

const requestApproval: FunctionSpec = {
  id: 'request-approval',
  kind: 'request-approval',
  handler: `${HANDLERS}/request-approval.handler`,
  description: 'Cordon: ask an on-call engineer to approve a playbook step (Slack + SNS)',
  environment: environmentFor('request-approval', {
    stage: '{stage}',
    approvalsTable: '{prefix}-approvals',
    approvalUrl: '{approvalUrl}',
    topicArn: TOPIC_ARN,
  }),
  statements: [
    ...platformStatements('request-approval'),
    READ_SETTINGS,
    {
      sid: 'WriteApprovals',
      effect: 'Allow',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [ARN.approvalsTable],
      why: 'Record the pending approval with its task token, then the Slack message it was posted as; join the approval group of its kind (read the group, claim a place, post or update its message).',
    },
    readParameters('ReadApprovalSecrets', APPROVAL_SECRETS, 'Sign approval links and post them to Slack.'),
    PUBLISH_TO_TOPIC,
  ],
  url: false,
  // A group member waits for its group's message (up to 20 s) and for its turn to update it (up to 10 s,
  // chat.update's pace), then Slack's own 5 s: packages/core/src/approval/group-request.ts.
  timeoutSeconds: 60,
  memoryMb: 256,
};

const approvalApi: FunctionSpec = {
  id: 'approval-api',
  kind: 'approval-api',
  handler: `${HANDLERS}/approval-api.handler`,
  description: 'Cordon approval API: signed links and Slack interactivity → SendTaskSuccess/Failure',
  environment: environmentFor('approval-api', { stage: '{stage}', approvalsTable: '{prefix}-approvals' }),
  statements: [
    ...platformStatements('approval-api'),
    {
      sid: 'DecideApprovals',
      effect: 'Allow',
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resources: [ARN.approvalsTable],
      why: 'Read the pending approval (or group) and record the decision (conditional update: single use).',
    },
    readParameters(
      'ReadApprovalSecrets',
      APPROVAL_SECRETS,
      'Check link and Slack request signatures; update the Slack message.',
    ),
    {
      sid: 'AnswerPlaybooks',
      effect: 'Allow',
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      // These actions have no resource type (Service Authorization Reference, list_awsstepfunctions.html): a
      // statement naming the state machines never matches them. The task token, which only Cordon's waiting
      // executions hand out and only this function reads from the approvals table, is what limits them.
      resources: ['*'],
      why: 'Resume a waiting playbook with the decision (no resource-level permissions: the task token names the execution).',
    },
  ],
  url: true,
  // A group decision answers every member (up to 500, 16 at once, each callback tried up to 3 times):
  // packages/core/src/approval/group-decide.ts. What a cut-short delivery leaves is finished by Retry delivery.
  timeoutSeconds: 30,
  memoryMb: 256,
};

const poller: FunctionSpec = {
  id: 'poller',
  kind: 'poller',
  handler: `${HANDLERS}/poller.handler`,
  description: 'Cordon poller: GuardDuty findings updated since the last run → triage',
  environment: environmentFor('poller', { ...COMMON_ENV, triageFunction: ARN.function('triage') }),
  statements: [
    ...platformStatements('poller'),
    READ_SETTINGS,
    {
      sid: 'ListDetectors',
      effect: 'Allow',
      actions: ['guardduty:ListDetectors'],
      resources: ['*'],
      why: 'Find the detector of the region (ListDetectors has no resource-level permissions).',
    },
    {
      sid: 'ReadFindings',
      effect: 'Allow',
      actions: ['guardduty:ListFindings', 'guardduty:GetFindings'],
      // No resource type in the Service Authorization Reference (list_amazonguardduty.html): `detector/*`
      // would never match them.
      resources: ['*'],
      why: 'List the findings updated since the cursor and read them (no resource-level permissions).',
    },
    {
      sid: 'Cursor',
      effect: 'Allow',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      resources: [ARN.ledgerTable],
      why: "The poller's cursor is one item of the ledger table (conditional PutItem: it only moves forward).",
    },
    {
      sid: 'HandToTriage',
      effect: 'Allow',
      actions: ['lambda:InvokeFunction'],
      resources: [ARN.function('triage')],
      why: 'Hand the findings to triage (asynchronous invocation).',
    },
  ],
  url: false,
  timeoutSeconds: 300,
  memoryMb: 512,
};

const thresholdSync: FunctionSpec = {
  id: 'threshold-sync',
  kind: 'threshold-sync',
  handler: `${HANDLERS}/threshold-sync.handler`,
  description: 'Cordon: apply the detection alarm thresholds kept in SSM (PutMetricAlarm)',
  environment: environmentFor('threshold-sync', {
    stage: '{stage}',
    topicArn: TOPIC_ARN,
    metricsNamespace: METRICS_NAMESPACE,
  }),
  statements: [
    ...platformStatements('threshold-sync'),
    {
      sid: 'ReadThresholds',
      effect: 'Allow',
      actions: ['ssm:GetParametersByPath'],
      resources: [ARN.parameter('detections'), `${ARN.parameter('detections')}/*`],
      why: 'Read the thresholds under /cordon/<stage>/detections/ only.',
    },
    {
      sid: 'PutAlarms',
      effect: 'Allow',
      actions: ['cloudwatch:PutMetricAlarm'],
      resources: DETECTION_ALARM_NAMES.map((name) => ARN.alarm(name)),
      why: "Re-apply Cordon's three detection alarms, and no other alarm.",
    },
    PUBLISH_TO_TOPIC,
  ],
  url: false,
  timeoutSeconds: 30,
  memoryMb: 256,
};

/** Every function Cordon deploys, actions first (in catalog order). */
export const FUNCTIONS: readonly FunctionSpec[] = [
  ...ACTION_IDS.map(actionFunction),
  // Before request-approval, whose environment holds its URL.
  approvalApi,
  requestApproval,
  triage,
  poller,
  thresholdSync,
];

export function functionSpec(id: string): FunctionSpec {
  const spec = FUNCTIONS.find((candidate) => candidate.id === id);
  if (spec === undefined) throw new Error(`No function ${id}`);
  return spec;
}

function assumers(sid: string): string[] {
  return FUNCTIONS.filter((spec) => spec.statements.some((statement) => statement.sid === sid)).map(
    (spec) => spec.id,
  );
}

/** The functions that act in member accounts, each through its own role there (`<prefix>-<function id>`). */
export const RESPONDER_FUNCTION_IDS: readonly string[] = assumers(ASSUME_ACTION_ROLE_SID);

/** The functions whose roles member accounts' read-only observer role trusts: triage. */
export const OBSERVER_FUNCTION_IDS: readonly string[] = assumers(ASSUME_OBSERVER_ROLE.sid);

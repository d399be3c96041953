/**
 * Test support: Cordon's flows end to end on the sandbox, each call made by its principal (see harness.ts):
 * a real event → the deployed triage's ports (settings from SSM, the DynamoDB ledger, claim and blast radius,
 * the observer's reads, StartExecution) → the playbook in the local engine, its approvals asked by the real
 * request-approval handler and decided through the approval API's store and Step Functions callbacks; and
 * the poller's and threshold-sync's real ports.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { decideApproval } from '@cordon/core/approval/decide';
import { DynamoDbApprovalGroups } from '@cordon/core/approval/groups';
import { DynamoDbApprovalStore } from '@cordon/core/approval/records';
import { intake } from '@cordon/core/intake/intake';
import { DynamoDbLedger } from '@cordon/core/ledger/dynamodb-ledger';
import { PLAYBOOK_IDS, type PlaybookId } from '@cordon/core/playbooks/ids';
import { DynamoDbCursorStore } from '@cordon/core/poller/dynamodb-cursor-store';
import { DynamoDbBlastRadius } from '@cordon/core/triage/blast-radius';
import type { ExecutionInput } from '@cordon/core/triage/execution-input';
import { triageIncident } from '@cordon/core/triage/triage';
import { stepFunctionsCallbacks } from '@cordon/functions/approval-api';
import { ssmApprovalSecrets } from '@cordon/functions/approval-secrets';
import { configRuleReader } from '@cordon/functions/config-rules';
import { createPollerHandler, guardDutyPort, lambdaTriageSender } from '@cordon/functions/poller';
import { createRequestApprovalHandler } from '@cordon/functions/request-approval';
import { createSettingsLoader } from '@cordon/functions/settings';
import type { ActionHandlerDependencies } from '@cordon/functions/shared/action-handler';
import { createThresholdSyncHandler, ssmParameterReader } from '@cordon/functions/threshold-sync';
import { observerFor, stepFunctionsStarter } from '@cordon/functions/triage';
import type { Context } from 'aws-lambda';
import { sandboxAwsClients, sandboxClient, sandboxLedger } from '../../src/clients.ts';
import { type ApprovalResponder, type ExecutionReport, LocalEngine } from '../../src/engine.ts';
import { ApprovalRejectedError } from '../../src/errors.ts';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { SANDBOX_RESOURCES, type SeedOptions, sandboxForIncident, sandboxTopicArn } from '../../src/seed.ts';
import { type IamHarness, iamHarness, putSettings, STAGE } from './harness.ts';

const LAMBDA_CONTEXT = { awsRequestId: 'iam-flow', functionName: 'cordon-local' } as Context;
const SILENT = new Logger({ serviceName: 'cordon-iam-flows', logLevel: 'SILENT' });

export interface FlowOptions {
  readonly settings?: Record<string, unknown>;
  readonly seed?: SeedOptions;
  /** How every approval is decided (through the approval API's code path). */
  readonly approvals?: 'approve' | 'reject';
  readonly member?: boolean;
  /** Changes to the sandbox before triage (extra resources). */
  readonly prepare?: (sandbox: Sandbox) => void;
  /** What GuardDuty answers the poller (see runScheduledFunctions). */
  readonly findings?: readonly unknown[];
}

export interface Flow {
  readonly harness: IamHarness;
  readonly engine: LocalEngine;
  readonly execution: ExecutionReport | undefined;
  /** Runs another playbook on the same incident (ec2-release after a containment, remediation-release after a fix). */
  run(playbook: PlaybookId): Promise<ExecutionReport>;
}

function seedSecrets(sandbox: Sandbox): void {
  const secrets: readonly (readonly [string, string])[] = [
    ['link-signing-key', 'local-link-signing-key-0123456789abcdef'],
    ['slack-bot-token', 'xoxb-local-0000'],
  ];
  for (const [name, value] of secrets) {
    sandbox.ssm.putParameter({ name: `/cordon/${STAGE}/secrets/${name}`, value, type: 'SecureString' });
  }
}

/** Slack's Web API as seen from request-approval: every post accepted (no network in tests). */
const slackAccepts: typeof fetch = async () =>
  new Response(JSON.stringify({ ok: true, channel: 'C0CORDON', ts: '1700000000.000100' }), {
    headers: { 'content-type': 'application/json' },
  });

/** request-approval (the real handler), then the approval API's decision path, as their own principals. */
function approvalResponder(harness: IamHarness, decision: 'approve' | 'reject'): ApprovalResponder {
  const { sandbox } = harness;
  const dynamodb = sandboxClient(sandbox, DynamoDBClient);
  const store = new DynamoDbApprovalStore({ client: dynamodb, tableName: SANDBOX_RESOURCES.approvalsTable });
  const provider = () => new SSMProvider({ awsSdkV3Client: harness.ssmClient() });
  const requestApproval = createRequestApprovalHandler({
    logger: SILENT,
    loadSettings: () => createSettingsLoader({ stage: STAGE, ssmProvider: provider() }).load(),
    store,
    // As deployed: a request joins the approval group of its kind (a group of one here).
    groups: new DynamoDbApprovalGroups({ client: dynamodb, tableName: SANDBOX_RESOURCES.approvalsTable }),
    secrets: ssmApprovalSecrets(STAGE),
    linkBaseUrl: 'https://approval.example/',
    sns: sandboxClient(sandbox, SNSClient),
    topicArn: sandboxTopicArn(sandbox),
    fetch: slackAccepts,
    now: () => new Date(),
  });
  const callbacks = stepFunctionsCallbacks(sandboxClient(sandbox, SFNClient));
  return async (request) => {
    // The engine entered request-approval's context for this step.
    const asked = await requestApproval({ ...request.payload, taskToken: request.taskToken }, LAMBDA_CONTEXT);
    let output: unknown;
    let rejected: string | undefined;
    await harness.as('approval-api', async () => {
      await ssmApprovalSecrets(STAGE)(); // the API checks the link's signature with the signing key
      const decided = await decideApproval(
        {
          approvalId: asked.approvalId,
          decision,
          decidedBy: { kind: 'web', id: 'oncall@example.com' },
          now: new Date(),
        },
        {
          store,
          isApprover: async () => true,
          callbacks: {
            // The real callbacks (SFN SendTaskSuccess/Failure through the sandbox); the engine is told too.
            sendTaskSuccess: async (token, result) => {
              await callbacks.sendTaskSuccess(token, result);
              output = result;
            },
            sendTaskFailure: async (token, error, cause) => {
              await callbacks.sendTaskFailure(token, error, cause);
              rejected = cause;
            },
          },
        },
      );
      if (decided.code !== 'decided') throw new Error(`approval not decided: ${decided.code}`);
    });
    if (rejected !== undefined) throw new ApprovalRejectedError(rejected);
    return output as never;
  };
}

/**
 * A real event through triage and its playbook, every call authorized as in AWS.
 *
 * @example const flow = await runFlow(loadEvent('guardduty/…'), { settings: { includeSampleFindings: true } });
 */
export async function runFlow(event: unknown, options: FlowOptions = {}): Promise<Flow> {
  const received = intake(event);
  if (!received.accepted) throw new Error(`not an incident: ${received.reason}`);
  const { sandbox, incident } = sandboxForIncident(received.incident, options.seed);
  options.prepare?.(sandbox);
  seedSecrets(sandbox);
  // Approvals are posted to a Slack channel (request-approval then records where, an UpdateItem).
  const settings = putSettings(sandbox, STAGE, {
    ...options.settings,
    approval: { slackChannel: 'C0CORDON', ...(options.settings?.approval as object | undefined) },
  });
  const harness = iamHarness(sandbox, { member: options.member ?? false, findings: options.findings ?? [] });
  const { region } = sandbox.account;
  // The action functions on settings held in process, with sandbox clients that the harness attributes.
  const ledger = sandboxLedger(sandbox, settings.settings.ledgerRetentionDays);
  const actionDependencies: ActionHandlerDependencies = {
    logger: SILENT,
    metrics: new Metrics({ namespace: 'CordonIamFlows', serviceName: 'cordon-local' }),
    loadSettings: async () => settings,
    clientsFor: () => sandboxAwsClients(sandbox),
    ledgerFor: () => ledger,
    notifications: async () => ({ snsTopicArn: sandboxTopicArn(sandbox) }),
    now: () => new Date(),
  };
  const engine = new LocalEngine({
    approvals: approvalResponder(harness, options.approvals ?? 'approve'),
    actionDependencies: () => actionDependencies,
    functionArn: (id) =>
      `arn:aws:lambda:${region}:${harness.deployment.homeAccount}:function:cordon-${STAGE}-${id}`,
    onStep: harness.onStep,
  });
  const machines = Object.fromEntries(
    PLAYBOOK_IDS.map((playbook) => [
      playbook,
      `arn:aws:states:${region}:${harness.deployment.homeAccount}:stateMachine:cordon-${STAGE}-${playbook}`,
    ]),
  );
  const starter = stepFunctionsStarter(sandboxClient(sandbox, SFNClient), machines);
  const dynamodb = sandboxClient(sandbox, DynamoDBClient);
  let lastInput: ExecutionInput | undefined;
  await harness.as('triage', async () => {
    const loaded = await createSettingsLoader({
      stage: STAGE,
      ssmProvider: new SSMProvider({ awsSdkV3Client: harness.ssmClient() }),
    }).load();
    const ledger = new DynamoDbLedger({
      client: dynamodb,
      tableName: SANDBOX_RESOURCES.ledgerTable,
      retentionDays: loaded.settings.ledgerRetentionDays,
    });
    const observerClients = {
      ec2: sandboxClient(sandbox, EC2Client),
      autoScaling: sandboxClient(sandbox, AutoScalingClient),
    };
    await triageIncident(incident, {
      settings: loaded,
      ledger,
      claims: ledger.claims,
      blastRadius: new DynamoDbBlastRadius(dynamodb, SANDBOX_RESOURCES.ledgerTable),
      startExecution: async (start) => {
        lastInput = start.input;
        const started = await starter(start);
        if (started === 'started') await engine.startExecution(start);
        return started;
      },
      observeInstance: observerFor(() => observerClients),
      // Config results: the rule is read by its name (through the observer role in a member account).
      describeConfigRule: configRuleReader(() => sandboxClient(sandbox, ConfigServiceClient)),
      now: () => new Date(),
    });
  });
  const execution = engine.executions.get(incident.id);
  return {
    harness,
    engine,
    execution,
    run: async (playbook) => {
      if (lastInput === undefined) throw new Error('no execution ran to take the input from');
      const input = { ...lastInput, decision: { ...lastInput.decision, playbook } };
      return harness.as('triage', () => engine.run(`${incident.id}-${playbook}`, playbook, input));
    },
  };
}

/** The poller and threshold-sync, their real handlers on the sandbox, each as itself. */
export async function runScheduledFunctions(harness: IamHarness): Promise<void> {
  const { sandbox } = harness;
  const { region } = sandbox.account;
  const metrics = () => new Metrics({ namespace: 'CordonIamFlows', serviceName: 'cordon-local' });
  const provider = () => new SSMProvider({ awsSdkV3Client: harness.ssmClient() });
  await harness.as('poller', async () => {
    const triage = `arn:aws:lambda:${region}:${harness.deployment.homeAccount}:function:cordon-${STAGE}-triage`;
    const poller = createPollerHandler({
      logger: SILENT,
      metrics: metrics(),
      loadSettings: () => createSettingsLoader({ stage: STAGE, ssmProvider: provider() }).load(),
      ports: {
        guardDuty: guardDutyPort(sandboxClient(sandbox, GuardDutyClient)),
        cursors: new DynamoDbCursorStore({
          client: sandboxClient(sandbox, DynamoDBClient),
          tableName: SANDBOX_RESOURCES.ledgerTable,
        }),
        sendToTriage: lambdaTriageSender(sandboxClient(sandbox, LambdaClient), triage),
        now: () => new Date(),
      },
    });
    await poller({}, LAMBDA_CONTEXT);
  });
  await harness.as('threshold-sync', async () => {
    const topic = sandboxTopicArn(sandbox);
    const cloudwatch = sandboxClient(sandbox, CloudWatchClient);
    const sns = sandboxClient(sandbox, SNSClient);
    // One alarm's values are wrong (threshold-sync then tells the team), the others take their defaults.
    sandbox.ssm.putParameter({
      name: `/cordon/${STAGE}/detections/RootAccountUsage/threshold`,
      value: 'many',
    });
    const sync = createThresholdSyncHandler({
      logger: SILENT,
      metrics: metrics(),
      ports: {
        stage: STAGE,
        alarmActions: [topic],
        readParameters: ssmParameterReader(harness.ssmClient()),
        putMetricAlarm: async (input) => {
          await cloudwatch.send(new PutMetricAlarmCommand(input));
        },
        notify: async (subject, message) => {
          await sns.send(
            new PublishCommand({ TopicArn: topic, Subject: subject.slice(0, 100), Message: message }),
          );
        },
      },
    });
    await sync({}, LAMBDA_CONTEXT);
  });
}

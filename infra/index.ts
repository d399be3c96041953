/**
 * Cordon's infrastructure, in dependency order. `sst.config.ts` calls {@link deployCordon} with the SST
 * function factory; the tests call it under Pulumi mocks with a stand-in factory.
 */
import { createApprovalBaseUrl } from './approval.ts';
import { createIntakeBus, type IntakeBus } from './bus.ts';
import type { DeployConfig } from './config.ts';
import { createDashboard } from './dashboard.ts';
import { createDetections, createThresholdParameters, type Detections } from './detections.ts';
import { createDeadLetterQueue, createEvents, type Events, triageRules } from './events.ts';
import { FUNCTIONS } from './functions.ts';
import { type DeployedFunction, deployFunctions, type FunctionFactory, type FunctionRole } from './lambda.ts';
import { alarmSpecs, createAlarms, createOnFailure, type OnFailure } from './monitoring.ts';
import { createNotifications, type Notifications } from './notifications.ts';
import type { TemplateValues } from './permissions.ts';
import { createPlaybooks, type Playbooks } from './playbooks.ts';
import { createPollerSchedule, type PollerSchedule } from './poller.ts';
import { createSettings } from './settings.ts';
import { createStorage, type Storage } from './storage.ts';

export interface Cordon {
  readonly storage: Storage;
  readonly notifications: Notifications;
  readonly settings: Record<string, aws.ssm.Parameter>;
  readonly functions: Record<string, DeployedFunction>;
  readonly roles: Record<string, FunctionRole>;
  readonly playbooks: Playbooks;
  readonly intake: IntakeBus;
  readonly events: Events;
  readonly onFailure: OnFailure;
  readonly alarms: aws.cloudwatch.MetricAlarm[];
  readonly dashboard: aws.cloudwatch.Dashboard;
  readonly detections?: Detections;
  readonly thresholds: aws.ssm.Parameter[];
  readonly poller: PollerSchedule;
  readonly approvalBaseUrl: aws.ssm.Parameter;
  readonly outputs: Record<string, $util.Input<unknown>>;
}

/** The account and region of the deploy, and the names the templates use. */
export function templateValues(config: DeployConfig): $util.Output<TemplateValues> {
  return $util
    .all([aws.getCallerIdentityOutput({}).accountId, aws.getRegionOutput({}).region])
    .apply(([account, region]) => ({
      account,
      region,
      stage: config.stage,
      prefix: config.prefix,
      responderRole: config.responderRoleName,
      observerRole: config.observerRoleName,
      quarantineRole: config.quarantineRoleName,
      exemptionTagKey: config.exemptionTagKey,
    }));
}

export function deployCordon(config: DeployConfig, factory: FunctionFactory): Cordon {
  const values = templateValues(config);
  const storage = createStorage(config, values);
  const notifications = createNotifications(config, storage);
  const settings = createSettings(config);
  const { functions, roles } = deployFunctions(FUNCTIONS, config, values, factory);
  const playbooks = createPlaybooks(config, values, functions);
  const deadLetterQueue = createDeadLetterQueue(config);
  const intake = createIntakeBus(config, values, triageRules());
  // The rules exist before the threshold parameters, so that their creation already reaches threshold-sync.
  const events = createEvents(config, functions, notifications.topic, deadLetterQueue, intake);
  const thresholds = createThresholdParameters(config);
  const detections = config.detections
    ? createDetections(config, notifications.topic, thresholds)
    : undefined;
  const pollerFunction = functions.poller;
  const approvalApi = functions['approval-api'];
  if (pollerFunction === undefined || approvalApi === undefined)
    throw new Error('poller and approval-api are functions');
  const poller = createPollerSchedule(config, values, pollerFunction, deadLetterQueue);
  const approvalBaseUrl = createApprovalBaseUrl(config, approvalApi);
  const onFailure = createOnFailure(config, functions, roles);
  const alarms = createAlarms(
    alarmSpecs(config, {
      functions,
      stateMachines: playbooks.stateMachines,
      rules: events.deployed,
      onFailureQueue: onFailure.queue,
    }),
    notifications.topic,
  );
  const triage = functions.triage;
  if (triage === undefined) throw new Error('triage is a function');
  const dashboard = createDashboard(
    config,
    values.apply((resolved) => resolved.region),
    {
      rules: events.deployed.map((deployed) => ({
        name: deployed.rule.name,
        ...(deployed.busName === undefined ? {} : { busName: deployed.busName }),
      })),
      triageFunction: triage.name,
      functionNames: Object.values(functions).map((deployed) => deployed.name),
      stateMachines: Object.entries(playbooks.stateMachines).map(([id, machine]) => ({
        id,
        arn: machine.arn,
      })),
      queues: [
        { label: 'events dead-letter queue', name: deadLetterQueue.name },
        { label: 'on-failure queue', name: onFailure.queue.name },
      ],
      alarmArns: [events.deadLetterAlarm, ...alarms].map((alarm) => alarm.arn),
    },
  );

  const outputs = {
    approvalUrl: approvalApi.url,
    topicArn: notifications.topic.arn,
    stateMachineArns: $util.all(
      Object.fromEntries(Object.entries(playbooks.stateMachines).map(([id, machine]) => [id, machine.arn])),
    ),
    settingsPath: config.settingsPath,
    parametersRoot: config.stageRoot,
    ledgerTable: storage.ledger.name,
    deadLetterQueueUrl: deadLetterQueue.url,
    intakeBusArn: intake.bus.arn,
    onFailureQueueUrl: onFailure.queue.url,
    dashboard: dashboard.dashboardName,
  };
  return {
    storage,
    notifications,
    settings,
    functions,
    roles,
    playbooks,
    intake,
    events,
    onFailure,
    alarms,
    dashboard,
    ...(detections === undefined ? {} : { detections }),
    thresholds,
    poller,
    approvalBaseUrl,
    outputs,
  };
}

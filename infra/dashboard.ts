/**
 * The CloudWatch dashboard of the incident flow, `cordon-<stage>-incident-flow`, read top to bottom the way an
 * incident travels: events matched by the rules (default and intake bus) → triage → playbook executions by
 * outcome → every function's errors → the queues where failures wait → the state of every alarm.
 *
 * The body follows CloudWatch's "Dashboard Body Structure and Syntax"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html):
 * `metric` widgets whose metrics are `[namespace, metricName, dimensionName, dimensionValue, …]` arrays with
 * a `region`, a `text` widget in Markdown and `alarm` status widgets listing alarm ARNs (at most 100 each, so the
 * alarms are split over as many widgets as they need, one full-width row each).
 */
import type { DeployConfig } from './config.ts';

export interface DashboardInput {
  readonly region: string;
  readonly stage: string;
  /** Rules by name, with their bus when not the default one. */
  readonly rules: readonly { readonly name: string; readonly busName?: string }[];
  readonly triageFunction: string;
  /** Every function name (for the errors widget). */
  readonly functionNames: readonly string[];
  readonly stateMachines: readonly { readonly id: string; readonly arn: string }[];
  readonly queues: readonly { readonly label: string; readonly name: string }[];
  readonly alarmArns: readonly string[];
}

/** CloudWatch's limit on an alarm status widget (Dashboard Body Structure and Syntax, cited above). */
export const MAX_ALARMS_PER_WIDGET = 100;

type Metric = (string | Record<string, unknown>)[];

interface Widget {
  readonly type: 'metric' | 'text' | 'alarm';
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

const FULL = 24;
const HALF = 12;
const ROW = 6;

/** The dashboard body, as an object (JSON.stringify it for `dashboardBody`). */
export function incidentFlowDashboard(input: DashboardInput): { widgets: Widget[] } {
  const graph = (
    title: string,
    metrics: Metric[],
    stat: 'Sum' | 'Maximum',
    x: number,
    y: number,
    width = HALF,
  ): Widget => ({
    type: 'metric',
    x,
    y,
    width,
    height: ROW,
    properties: {
      title,
      metrics,
      stat,
      period: 300,
      region: input.region,
      view: 'timeSeries',
      stacked: false,
    },
  });
  const ruleMetric = (metricName: string) =>
    input.rules.map(
      (rule): Metric => [
        'AWS/Events',
        metricName,
        'RuleName',
        rule.name,
        ...(rule.busName === undefined ? [] : ['EventBusName', rule.busName]),
        { label: `${rule.name}${rule.busName === undefined ? '' : ' (forwarded)'}` },
      ],
    );
  const triage = (metricName: string): Metric => [
    'AWS/Lambda',
    metricName,
    'FunctionName',
    input.triageFunction,
    { label: metricName },
  ];
  const executions = (metricName: string) =>
    input.stateMachines.map(
      (machine): Metric => ['AWS/States', metricName, 'StateMachineArn', machine.arn, { label: machine.id }],
    );
  const widgets: Widget[] = [
    {
      type: 'text',
      x: 0,
      y: 0,
      width: FULL,
      height: 2,
      properties: {
        markdown: [
          `# Cordon ${input.stage}: incident flow`,
          'Events matched → triage → playbooks → failures. A failed event waits in a queue: re-drive it after fixing the cause (docs/deploy.md, "Re-driving failed events").',
        ].join('\n'),
      },
    },
    graph('Events matched by the rules', ruleMetric('TriggeredRules'), 'Sum', 0, 2),
    graph(
      'Events the rules could not deliver (dead-lettered, lost)',
      [...ruleMetric('InvocationsSentToDlq'), ...ruleMetric('InvocationsFailedToBeSentToDlq')],
      'Sum',
      HALF,
      2,
    ),
    graph(
      'Triage',
      [
        triage('Invocations'),
        triage('Errors'),
        triage('Throttles'),
        triage('AsyncEventsDropped'),
        triage('DestinationDeliveryFailures'),
      ],
      'Sum',
      0,
      8,
    ),
    graph('Playbook executions started', executions('ExecutionsStarted'), 'Sum', HALF, 8),
    graph('Playbook executions succeeded', executions('ExecutionsSucceeded'), 'Sum', 0, 14),
    graph(
      'Playbook executions failed, timed out or aborted',
      [
        ...executions('ExecutionsFailed'),
        ...executions('ExecutionsTimedOut'),
        ...executions('ExecutionsAborted'),
      ],
      'Sum',
      HALF,
      14,
    ),
    graph(
      'Function errors',
      input.functionNames.map((name): Metric => ['AWS/Lambda', 'Errors', 'FunctionName', name]),
      'Sum',
      0,
      20,
    ),
    graph(
      'Failed events waiting (queue depth)',
      input.queues.map(
        (queue): Metric => [
          'AWS/SQS',
          'ApproximateNumberOfMessagesVisible',
          'QueueName',
          queue.name,
          { label: queue.label },
        ],
      ),
      'Maximum',
      HALF,
      20,
    ),
    ...alarmWidgets(input.alarmArns, 26),
  ];
  return { widgets };
}

/**
 * The alarm status widgets: the alarms in order, at most `MAX_ALARMS_PER_WIDGET` per widget, one full-width row
 * each from `y` down (a stage has more alarms than one widget holds once every function and playbook has its own).
 */
function alarmWidgets(alarmArns: readonly string[], y: number): Widget[] {
  const count = Math.max(1, Math.ceil(alarmArns.length / MAX_ALARMS_PER_WIDGET));
  return Array.from({ length: count }, (_, index) => ({
    type: 'alarm',
    x: 0,
    y: y + index * ROW,
    width: FULL,
    height: ROW,
    properties: {
      title: count === 1 ? 'Alarms' : `Alarms (${index + 1} of ${count})`,
      alarms: alarmArns.slice(index * MAX_ALARMS_PER_WIDGET, (index + 1) * MAX_ALARMS_PER_WIDGET),
    },
  }));
}

export interface DashboardResources {
  readonly rules: readonly { readonly name: $util.Output<string>; readonly busName?: $util.Output<string> }[];
  readonly triageFunction: $util.Output<string>;
  readonly functionNames: readonly $util.Output<string>[];
  readonly stateMachines: readonly { readonly id: string; readonly arn: $util.Output<string> }[];
  readonly queues: readonly { readonly label: string; readonly name: $util.Output<string> }[];
  readonly alarmArns: readonly $util.Output<string>[];
}

export function dashboardName(prefix: string): string {
  return `${prefix}-incident-flow`;
}

export function createDashboard(
  config: DeployConfig,
  region: $util.Output<string>,
  resources: DashboardResources,
): aws.cloudwatch.Dashboard {
  const body = $util
    .all([
      region,
      $util.all(resources.rules.map((rule) => $util.all([rule.name, rule.busName]))),
      resources.triageFunction,
      $util.all([...resources.functionNames]),
      $util.all(resources.stateMachines.map((machine) => machine.arn)),
      $util.all(resources.queues.map((queue) => queue.name)),
      $util.all([...resources.alarmArns]),
    ])
    .apply(([resolvedRegion, rules, triageFunction, functionNames, machineArns, queueNames, alarmArns]) =>
      JSON.stringify(
        incidentFlowDashboard({
          region: resolvedRegion,
          stage: config.stage,
          rules: rules.map(([name, busName]) => ({ name, ...(busName === undefined ? {} : { busName }) })),
          triageFunction,
          functionNames,
          stateMachines: resources.stateMachines.map((machine, index) => ({
            id: machine.id,
            arn: machineArns[index] ?? '',
          })),
          queues: resources.queues.map((queue, index) => ({
            label: queue.label,
            name: queueNames[index] ?? '',
          })),
          alarmArns,
        }),
      ),
    );
  return new aws.cloudwatch.Dashboard('IncidentFlowDashboard', {
    dashboardName: dashboardName(config.prefix),
    dashboardBody: body,
  });
}

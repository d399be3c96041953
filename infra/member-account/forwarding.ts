// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a JS template.
/**
 * The forwarding template, `forwarding.yaml`: deployed by a StackSet to every account of the organization
 * (Cordon's included) in every enabled region, it forwards what Cordon answers to the stage's intake bus in
 * Cordon's home region (infra/bus.ts). One stack per account and region: the IAM role it creates is regional
 * (named after the region), unlike the responder and observer roles (template.ts), which are global and
 * deployed in one region.
 *
 * What it forwards — core's triage rules, the same patterns Cordon's own rules use (events.ts):
 * - AWS Config compliance changes and CloudWatch alarms entering ALARM (every alarm: `settings.alarmPlaybooks`
 *   decides which ones Cordon answers, and triage records and ignores the rest), from every account and region:
 *   only the account whose rule or alarm it is emits them, and a Config aggregator replicates data but emits no
 *   events;
 * - GuardDuty findings only from Cordon's own account (the GuardDuty delegated administrator, which receives its
 *   members' findings in each region) or wherever `ForwardGuardDutyFindings` is `true` (an organization whose
 *   GuardDuty administrator is not Cordon's account). Triage claims each finding once (account + region + id),
 *   so a finding that arrives twice starts one playbook.
 * In Cordon's own account and home region nothing is forwarded (Cordon's rules read that default bus); the
 * stack there holds only a placeholder.
 *
 * AWS facts relied on (EventBridge User Guide): a rule sends events to an event bus in another account or
 * region when that bus's policy allows it; when the permission comes from AWS Organizations the sending rule
 * needs an IAM role, and "we recommend always using IAM roles when the target of a rule is an event bus"
 * ("Sending and receiving events between AWS accounts",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html; "Permissions for event
 * buses", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html). The role must be
 * in the sending account and service control policies apply to it. GovCloud and China regions are not
 * cross-region destinations ("Sending and receiving events between AWS Regions",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html). Delivery to the bus is retried
 * for 24 hours (EventBridge's default), then the event goes to this account's dead-letter queue, which must be
 * in the rule's region ("Event retry policy and using dead-letter queues",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html); an alarm watches it.
 */
import { EVENT_RULE_IDS, type EventRuleId } from '@cordon/core/events/rules';
import { INTAKE_BUS_SUFFIX } from '../bus.ts';
import { triageRules } from '../events.ts';
import { toYaml } from './template.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export const FORWARDING_TEMPLATE_PATH = 'infra/member-account/forwarding.yaml';

/** A stage name as Cordon accepts it: letters, digits, `-`, `_`, at most 26 (config.ts: role names fit 64). */
const STAGE_MAX_LENGTH = 26;

/** Logical ids and name suffixes of the forwarding rules, by core rule id. */
const RULES: Readonly<Record<EventRuleId, { logical: string; condition: string; description: string }>> = {
  'guardduty-findings': {
    logical: 'GuardDutyFindingsRule',
    condition: 'ForwardsGuardDuty',
    description: 'GuardDuty findings at or above the severity floor',
  },
  'cloudwatch-alarms': {
    logical: 'CloudWatchAlarmsRule',
    condition: 'Forwards',
    description: 'CloudWatch alarms entering ALARM',
  },
  'config-compliance': {
    logical: 'ConfigComplianceRule',
    condition: 'Forwards',
    description: 'AWS Config rule evaluations that became NON_COMPLIANT',
  },
};

/** The stage's intake bus in Cordon's account and home region (infra/bus.ts names it the same way). */
const INTAKE_BUS_ARN = {
  'Fn::Sub': `arn:\${AWS::Partition}:events:\${CordonRegion}:\${CordonAccountId}:event-bus/cordon-\${CordonStage}-${INTAKE_BUS_SUFFIX}`,
};

/** Core's triage rules as Cordon deploys them (the same for every stage). */
function coreRules() {
  const rules = triageRules();
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  for (const id of EVENT_RULE_IDS) if (!byId.has(id)) throw new Error(`Core has no ${id} rule to forward`);
  return byId;
}

/** The rule's pattern as CloudFormation JSON, unchanged: no parameter narrows what is forwarded. */
function patternJson(pattern: unknown): Json {
  return JSON.parse(JSON.stringify(pattern)) as Json;
}

function forwardingRule(id: EventRuleId, pattern: unknown): Json {
  const { condition, description } = RULES[id];
  return {
    Type: 'AWS::Events::Rule',
    Condition: condition,
    Properties: {
      Name: { 'Fn::Sub': `cordon-\${CordonStage}-forward-${id}` },
      Description: `Cordon: forward ${description} to the intake bus`,
      EventBusName: 'default',
      EventPattern: patternJson(pattern),
      State: 'ENABLED',
      Targets: [
        {
          Id: 'cordon-intake-bus',
          Arn: INTAKE_BUS_ARN,
          RoleArn: { 'Fn::GetAtt': ['ForwardingRole', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ForwardingDeadLetterQueue', 'Arn'] } },
        },
      ],
    },
  };
}

export function forwardingTemplate(): Json {
  const rules = coreRules();
  const ruleResources = Object.fromEntries(
    EVENT_RULE_IDS.map((id) => {
      const rule = rules.get(id);
      if (rule === undefined) throw new Error(`Core has no ${id} rule to forward`);
      return [RULES[id].logical, forwardingRule(id, rule.pattern)];
    }),
  );
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      "Cordon: forward GuardDuty findings, CloudWatch alarm state changes and Config compliance changes of this account and region to the stage's intake bus. Deploy to every account and region with a StackSet. Generated by infra/member-account/generate.ts; do not edit.",
    Parameters: {
      CordonAccountId: {
        Type: 'String',
        AllowedPattern: '^\\d{12}$',
        Description: 'The AWS account Cordon is deployed in.',
      },
      CordonRegion: {
        Type: 'String',
        AllowedPattern: '^[a-z]{2}(-[a-z]+)+-\\d+$',
        Description: "Cordon's home region: where the stage and its intake bus are deployed.",
      },
      CordonStage: {
        Type: 'String',
        AllowedPattern: '^[A-Za-z0-9_-]+$',
        MaxLength: STAGE_MAX_LENGTH,
        Description: 'The Cordon stage (its intake bus is cordon-<stage>-intake).',
      },
      ForwardGuardDutyFindings: {
        Type: 'String',
        AllowedValues: ['false', 'true'],
        Default: 'false',
        Description:
          "Forward GuardDuty findings from this account too. Cordon's own account always does (it should be the GuardDuty delegated administrator); set true only when it is not.",
      },
      DeadLetterAlarmTopicArn: {
        Type: 'String',
        Default: '',
        AllowedPattern: '^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[\\w-]+)?$',
        Description:
          'Optional SNS topic (this account and region) told when an event could not be forwarded and waits in the dead-letter queue.',
      },
    },
    Conditions: {
      IsCordonAccount: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, { Ref: 'CordonAccountId' }] },
      IsCordonHome: {
        'Fn::And': [
          { Condition: 'IsCordonAccount' },
          { 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'CordonRegion' }] },
        ],
      },
      Forwards: { 'Fn::Not': [{ Condition: 'IsCordonHome' }] },
      ForwardsGuardDuty: {
        'Fn::And': [
          { Condition: 'Forwards' },
          {
            'Fn::Or': [
              { Condition: 'IsCordonAccount' },
              { 'Fn::Equals': [{ Ref: 'ForwardGuardDutyFindings' }, 'true'] },
            ],
          },
        ],
      },
      HasAlarmTopic: {
        'Fn::And': [
          { Condition: 'Forwards' },
          { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'DeadLetterAlarmTopicArn' }, ''] }] },
        ],
      },
    },
    Resources: {
      // CloudFormation refuses a stack with no resources: Cordon's home stack keeps this no-op handle.
      NothingToForwardInCordonsHomeRegion: {
        Type: 'AWS::CloudFormation::WaitConditionHandle',
        Condition: 'IsCordonHome',
      },
      ForwardingRole: {
        Type: 'AWS::IAM::Role',
        Condition: 'Forwards',
        Properties: {
          RoleName: { 'Fn::Sub': 'cordon-${CordonStage}-forward-${AWS::Region}' },
          Description:
            "Lets this region's Cordon forwarding rules put events on the stage's intake bus, and nothing else.",
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'EventBridgeOfThisAccountOnly',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'cordon-forward',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: 'PutOnTheIntakeBus',
                    Effect: 'Allow',
                    Action: 'events:PutEvents',
                    Resource: INTAKE_BUS_ARN,
                  },
                ],
              },
            },
          ],
        },
      },
      ForwardingDeadLetterQueue: {
        Type: 'AWS::SQS::Queue',
        Condition: 'Forwards',
        Properties: {
          QueueName: { 'Fn::Sub': 'cordon-${CordonStage}-forwarding-dlq' },
          MessageRetentionPeriod: 1_209_600,
          SqsManagedSseEnabled: true,
        },
      },
      ForwardingDeadLetterQueuePolicy: {
        Type: 'AWS::SQS::QueuePolicy',
        Condition: 'Forwards',
        Properties: {
          Queues: [{ Ref: 'ForwardingDeadLetterQueue' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'ForwardingRulesDeliverFailedEvents',
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: { 'Fn::GetAtt': ['ForwardingDeadLetterQueue', 'Arn'] },
                Condition: {
                  ArnLike: {
                    'aws:SourceArn': {
                      'Fn::Sub':
                        'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/cordon-${CordonStage}-forward-*',
                    },
                  },
                },
              },
            ],
          },
        },
      },
      ForwardingDeadLetterAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Condition: 'Forwards',
        Properties: {
          AlarmName: { 'Fn::Sub': 'cordon-${CordonStage}-forwarding-dead-letters' },
          AlarmDescription:
            "Cordon could not forward an event of this account and region to the intake bus for 24 hours: it waits in the dead-letter queue. Fix the cause (the intake bus's policy, an SCP), then re-drive it (Cordon's docs/deploy.md).",
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [
            { Name: 'QueueName', Value: { 'Fn::GetAtt': ['ForwardingDeadLetterQueue', 'QueueName'] } },
          ],
          Statistic: 'Maximum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: {
            'Fn::If': ['HasAlarmTopic', [{ Ref: 'DeadLetterAlarmTopicArn' }], { Ref: 'AWS::NoValue' }],
          },
        },
      },
      ...ruleResources,
    },
    Outputs: {
      ForwardingRoleArn: { Condition: 'Forwards', Value: { 'Fn::GetAtt': ['ForwardingRole', 'Arn'] } },
      DeadLetterQueueUrl: { Condition: 'Forwards', Value: { Ref: 'ForwardingDeadLetterQueue' } },
    },
  };
}

export function forwardingYaml(): string {
  return `# Generated by infra/member-account/generate.ts from Cordon's event rules. Do not edit by hand.\n${toYaml(forwardingTemplate())}`;
}

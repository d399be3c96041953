// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a JS template.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { intakeBusName } from '../bus.ts';
import { triageRules } from '../events.ts';
import {
  FORWARDING_TEMPLATE_PATH,
  forwardingTemplate,
  forwardingYaml,
} from '../member-account/forwarding.ts';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

interface Resource {
  Type: string;
  Condition?: string;
  Properties?: Record<string, Json>;
}

interface Template {
  Parameters: Record<string, { Type: string; Default?: string; MaxLength?: number; AllowedPattern?: string }>;
  Conditions: Record<string, Json>;
  Resources: Record<string, Resource>;
}

const template = forwardingTemplate() as unknown as Template;

const CORDON_ACCOUNT = '111111111111';
const MEMBER_ACCOUNT = '222222222222';
const HOME = 'eu-west-1';

interface Stack {
  readonly account: string;
  readonly region: string;
  readonly parameters?: Readonly<Record<string, string>>;
}

/** Evaluates the template's conditions for one stack instance (the subset of intrinsics the template uses). */
function conditionsFor(stack: Stack): (name: string) => boolean {
  const parameters: Record<string, string> = {
    'AWS::AccountId': stack.account,
    'AWS::Region': stack.region,
    CordonAccountId: CORDON_ACCOUNT,
    CordonRegion: HOME,
    CordonStage: 'prod',
    ForwardGuardDutyFindings: template.Parameters.ForwardGuardDutyFindings?.Default ?? '',
    DeadLetterAlarmTopicArn: template.Parameters.DeadLetterAlarmTopicArn?.Default ?? '',
    ...stack.parameters,
  };
  const value = (node: Json): string => {
    if (typeof node === 'string') return node;
    const ref = (node as { Ref?: string }).Ref;
    if (ref !== undefined && ref in parameters) return parameters[ref] as string;
    throw new Error(`Cannot evaluate ${JSON.stringify(node)}`);
  };
  const evaluate = (node: Json): boolean => {
    const [operator, operands] = Object.entries(node as Record<string, Json>)[0] as [string, Json];
    const list = operands as Json[];
    switch (operator) {
      case 'Condition':
        return condition(operands as string);
      case 'Fn::Equals':
        return value(list[0] as Json) === value(list[1] as Json);
      case 'Fn::And':
        return list.every(evaluate);
      case 'Fn::Or':
        return list.some(evaluate);
      case 'Fn::Not':
        return !evaluate(list[0] as Json);
      default:
        throw new Error(`Unknown condition operator ${operator}`);
    }
  };
  const condition = (name: string): boolean => {
    const definition = template.Conditions[name];
    if (definition === undefined) throw new Error(`No condition ${name}`);
    return evaluate(definition);
  };
  return condition;
}

/** The logical ids of the resources a stack instance creates. */
function createdResources(stack: Stack): string[] {
  const condition = conditionsFor(stack);
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Condition === undefined || condition(resource.Condition))
    .map(([logical]) => logical)
    .sort();
}

const RULES = ['CloudWatchAlarmsRule', 'ConfigComplianceRule', 'GuardDutyFindingsRule'];
const PLUMBING = [
  'ForwardingDeadLetterAlarm',
  'ForwardingDeadLetterQueue',
  'ForwardingDeadLetterQueuePolicy',
  'ForwardingRole',
];

function rule(logical: string): Record<string, Json> {
  const properties = template.Resources[logical]?.Properties;
  if (properties === undefined) throw new Error(`No rule ${logical}`);
  return properties;
}

/** `Fn::Sub` with the stage and accounts of one instance. */
function sub(
  node: Json | undefined,
  stack: Stack = { account: MEMBER_ACCOUNT, region: 'us-east-1' },
): string {
  const text = (node as { 'Fn::Sub': string })['Fn::Sub'];
  return text
    .replaceAll('${AWS::Partition}', 'aws')
    .replaceAll('${AWS::Region}', stack.region)
    .replaceAll('${AWS::AccountId}', stack.account)
    .replaceAll('${CordonRegion}', HOME)
    .replaceAll('${CordonAccountId}', CORDON_ACCOUNT)
    .replaceAll('${CordonStage}', 'prod');
}

describe('the forwarding template (every account, every region, by StackSet)', () => {
  it('is the generated file (run `npm run infra:member-template` after changing the rules)', () => {
    expect(readFileSync(FORWARDING_TEMPLATE_PATH, 'utf8')).toBe(forwardingYaml());
  });

  it('in a member account, in any region, forwards Config and alarm changes but not GuardDuty findings', () => {
    for (const region of [HOME, 'us-east-1', 'ap-southeast-2']) {
      expect(createdResources({ account: MEMBER_ACCOUNT, region }), region).toEqual(
        [...PLUMBING, 'CloudWatchAlarmsRule', 'ConfigComplianceRule'].sort(),
      );
    }
  });

  it('in Cordon’s account, in every other region, also forwards GuardDuty findings (the delegated administrator’s)', () => {
    expect(createdResources({ account: CORDON_ACCOUNT, region: 'us-east-1' })).toEqual(
      [...PLUMBING, ...RULES].sort(),
    );
  });

  it('in Cordon’s account and home region, forwards nothing (Cordon’s own rules read that bus): a placeholder only', () => {
    expect(createdResources({ account: CORDON_ACCOUNT, region: HOME })).toEqual([
      'NothingToForwardInCordonsHomeRegion',
    ]);
  });

  it('forwards GuardDuty findings from a member account when told to (Cordon’s account is not the GuardDuty administrator)', () => {
    expect(
      createdResources({
        account: MEMBER_ACCOUNT,
        region: 'us-east-1',
        parameters: { ForwardGuardDutyFindings: 'true' },
      }),
    ).toEqual([...PLUMBING, ...RULES].sort());
  });

  it('uses core’s triage patterns unchanged: every alarm entering ALARM is forwarded, whatever its name', () => {
    const core = new Map(triageRules().map((coreRule) => [coreRule.id, coreRule.pattern]));

    expect(rule('GuardDutyFindingsRule').EventPattern).toEqual(core.get('guardduty-findings'));
    expect(rule('ConfigComplianceRule').EventPattern).toEqual(core.get('config-compliance'));
    expect(rule('CloudWatchAlarmsRule').EventPattern).toEqual(core.get('cloudwatch-alarms'));
    // No alarm list to keep in step with the settings: the parameter is gone.
    expect(template.Parameters).not.toHaveProperty('AlarmNames');
    expect(JSON.stringify(template)).not.toContain('alarmName');
  });

  it("targets the stage's intake bus in Cordon's account and home region, through the role, dead-lettering failures", () => {
    for (const logical of RULES) {
      const [target] = rule(logical).Targets as Record<string, Json>[];

      expect(sub(target?.Arn), logical).toBe(
        `arn:aws:events:${HOME}:${CORDON_ACCOUNT}:event-bus/${intakeBusName('cordon-prod')}`,
      );
      expect(target?.RoleArn).toEqual({ 'Fn::GetAtt': ['ForwardingRole', 'Arn'] });
      expect(target?.DeadLetterConfig).toEqual({
        Arn: { 'Fn::GetAtt': ['ForwardingDeadLetterQueue', 'Arn'] },
      });
      expect(rule(logical).EventBusName).toBe('default');
    }
  });

  it('gives the role nothing but PutEvents on the intake bus, assumable by EventBridge of this account only', () => {
    const role = template.Resources.ForwardingRole?.Properties as {
      RoleName: Json;
      AssumeRolePolicyDocument: { Statement: Record<string, Json>[] };
      Policies: { PolicyDocument: { Statement: Record<string, Json>[] } }[];
    };
    const [trust] = role.AssumeRolePolicyDocument.Statement;
    const statements = role.Policies.flatMap((policy) => policy.PolicyDocument.Statement);

    expect(trust).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('events:PutEvents');
    expect(sub(statements[0]?.Resource)).toBe(
      `arn:aws:events:${HOME}:${CORDON_ACCOUNT}:event-bus/cordon-prod-intake`,
    );
  });

  it('names the role per region, so that one stack per region never collides, within IAM’s 64 characters', () => {
    const role = template.Resources.ForwardingRole?.Properties as { RoleName: Json };
    const longestStage = 'S'.repeat(template.Parameters.CordonStage?.MaxLength ?? 0);
    const name = sub(role.RoleName, { account: MEMBER_ACCOUNT, region: 'ap-southeast-4' }).replace(
      'prod',
      longestStage,
    );

    expect(sub(role.RoleName, { account: MEMBER_ACCOUNT, region: 'us-east-1' })).toBe(
      'cordon-prod-forward-us-east-1',
    );
    expect(name.length).toBeLessThanOrEqual(64);
    expect(template.Parameters.CordonStage?.MaxLength).toBe(26);
  });

  it('lets only the forwarding rules of this account and region fill the dead-letter queue', () => {
    const policy = template.Resources.ForwardingDeadLetterQueuePolicy?.Properties as {
      PolicyDocument: {
        Statement: { Principal: Json; Action: Json; Condition: { ArnLike: Record<string, Json> } }[];
      };
    };
    const [statement] = policy.PolicyDocument.Statement;
    const stack = { account: MEMBER_ACCOUNT, region: 'us-east-1' };
    const allowed = new RegExp(
      `^${sub(statement?.Condition.ArnLike['aws:SourceArn'], stack).replaceAll('*', '.*')}$`.replaceAll(
        '/',
        '\\/',
      ),
    );

    expect(statement?.Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(statement?.Action).toBe('sqs:SendMessage');
    for (const logical of RULES) {
      const arn = `arn:aws:events:us-east-1:${MEMBER_ACCOUNT}:rule/${sub(rule(logical).Name, stack)}`;
      expect(allowed.test(arn), arn).toBe(true);
    }
    expect(allowed.test(`arn:aws:events:us-east-1:${MEMBER_ACCOUNT}:rule/someone-elses-rule`)).toBe(false);
  });

  it('alarms on anything in the dead-letter queue, telling the optional topic', () => {
    const alarm = template.Resources.ForwardingDeadLetterAlarm?.Properties;

    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: {
        'Fn::If': ['HasAlarmTopic', [{ Ref: 'DeadLetterAlarmTopicArn' }], { Ref: 'AWS::NoValue' }],
      },
    });
    expect(conditionsFor({ account: MEMBER_ACCOUNT, region: 'us-east-1' })('HasAlarmTopic')).toBe(false);
    expect(
      conditionsFor({
        account: MEMBER_ACCOUNT,
        region: 'us-east-1',
        parameters: { DeadLetterAlarmTopicArn: `arn:aws:sns:us-east-1:${MEMBER_ACCOUNT}:secops` },
      })('HasAlarmTopic'),
    ).toBe(true);
  });
});

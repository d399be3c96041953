import { describe, expect, it } from 'vitest';
import { listEvents, loadEvent, loadFixture } from '../../../../test/support/events.ts';
import { DETECTION_ALARM_NAMES } from '../../src/detections/alarms.ts';
import { InvalidEventRuleOptionsError } from '../../src/errors.ts';
import { validatePattern } from '../../src/events/pattern-validate.ts';
import {
  buildEventRules,
  deployedRuleOptions,
  deployedRules,
  EVENT_RULE_IDS,
  type EventRule,
  explainNoMatch,
  matchingRules,
} from '../../src/events/rules.ts';
import { DEFAULT_SETTINGS } from '../../src/policy/settings.ts';

/** The alarm names of the real CloudWatch "Alarm State Change" events, all of them in state ALARM. */
const STATE_CHANGE_ALARMS = {
  'cloudwatch/eb-alarm-anomaly-detection-docs.json': 'EC2 CPU Utilization Anomaly',
  'cloudwatch/eb-alarm-composite-with-suppressor-docs.json': 'ServiceAggregatedAlarm',
  'cloudwatch/eb-alarm-metric-math-insufficient-to-alarm-docs.json': 'TotalNetworkTrafficTooHigh',
  'cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json': 'ServerCpuTooHigh',
} as const;
// The "Alarm Configuration Change" samples name three of these alarms too: a configuration change is never routed.

/** GuardDuty EventBridge events as EventBridge delivers them (camelCase detail); both have severity 5. */
const CAMEL_CASE_GUARDDUTY = [
  'guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json',
  'guardduty/eb-iam-toripcaller-custodian.json',
];

function idsOf(rules: readonly EventRule[]): string[] {
  return rules.map((rule) => rule.id);
}

function rulesFor(options: { guardDutyMinSeverity?: number } = {}) {
  return buildEventRules({ guardDutyMinSeverity: 4, ...options });
}

interface AlarmEvent {
  detail: { alarmName: string; state: { value: string } };
}

describe('buildEventRules', () => {
  it('builds the three rules, in a stable order', () => {
    const rules = rulesFor();

    const ids = idsOf(rules);

    expect(ids).toEqual([...EVENT_RULE_IDS]);
    expect(ids).toEqual(['guardduty-findings', 'cloudwatch-alarms', 'config-compliance']);
  });

  it('builds patterns that pass validation, as EventBridge would require at deploy time', () => {
    const rules = rulesFor();

    const revalidated = rules.map((rule) => validatePattern(rule.pattern));

    expect(revalidated).toEqual(rules.map((rule) => rule.pattern));
  });

  it('writes the severity floor into the GuardDuty pattern, and no alarm name into the alarm pattern', () => {
    const rules = buildEventRules({ guardDutyMinSeverity: 7 });

    const [guardDuty, alarms, config] = rules;

    expect(guardDuty?.pattern).toEqual({
      source: ['aws.guardduty'],
      'detail-type': ['GuardDuty Finding'],
      detail: { severity: [{ numeric: ['>=', 7] }] },
    });
    expect(alarms?.pattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { state: { value: ['ALARM'] } },
    });
    expect(config?.pattern).toEqual({
      source: ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
      detail: {
        messageType: ['ComplianceChangeNotification'],
        newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
      },
    });
  });

  it('gives every rule a description that says what it lets through', () => {
    const rules = buildEventRules({ guardDutyMinSeverity: 7 });

    const descriptions = rules.map((rule) => rule.description);

    expect(descriptions).toEqual([
      'GuardDuty findings with severity 7 or more',
      'CloudWatch alarms entering ALARM (settings.alarmPlaybooks decides which ones Cordon answers)',
      'AWS Config rule evaluations that became NON_COMPLIANT',
    ]);
  });

  it.each([0, 10, 4.5])('accepts the severity floor %s', (guardDutyMinSeverity) => {
    const build = () => buildEventRules({ guardDutyMinSeverity });

    expect(build).not.toThrow();
  });

  // The string '7' is cast on purpose: settings arrive untyped at run time, and the check must not trust the type.
  it.each([-0.1, 10.1, Number.NaN, Number.POSITIVE_INFINITY, '7' as unknown as number])(
    'refuses the severity floor %s with InvalidEventRuleOptionsError',
    (guardDutyMinSeverity) => {
      const build = () => buildEventRules({ guardDutyMinSeverity });

      expect(build).toThrow(InvalidEventRuleOptionsError);
      expect(build).toThrow('guardDutyMinSeverity must be a number from 0 to 10');
    },
  );

  it('names its error so that callers and Step Functions can tell it apart', () => {
    let caught: unknown;

    try {
      buildEventRules({ guardDutyMinSeverity: 11 });
    } catch (error) {
      caught = error;
    }

    expect(caught).toMatchObject({ name: 'InvalidEventRuleOptionsError' });
  });
});

describe('matchingRules: GuardDuty findings', () => {
  it.each(CAMEL_CASE_GUARDDUTY)(
    'routes %s to guardduty-findings when its severity 5 is at the floor',
    (name) => {
      const rules = rulesFor({ guardDutyMinSeverity: 5 });
      const event = loadEvent(name);

      const matched = matchingRules(rules, event);

      expect(idsOf(matched)).toEqual(['guardduty-findings']);
    },
  );

  it.each(CAMEL_CASE_GUARDDUTY)('routes %s when the floor is below its severity', (name) => {
    const rules = rulesFor({ guardDutyMinSeverity: 0 });
    const event = loadEvent(name);

    const matched = matchingRules(rules, event);

    expect(idsOf(matched)).toEqual(['guardduty-findings']);
  });

  it.each(CAMEL_CASE_GUARDDUTY)('drops %s when the floor is above its severity 5', (name) => {
    const rules = rulesFor({ guardDutyMinSeverity: 5.1 });
    const event = loadEvent(name);

    const matched = matchingRules(rules, event);

    expect(matched).toEqual([]);
  });

  it('routes a finding whose severity is a decimal score at or above the floor', () => {
    const rules = rulesFor({ guardDutyMinSeverity: 7 });
    const event = loadEvent<{ detail: { severity: number } }>(CAMEL_CASE_GUARDDUTY[0] ?? '');
    event.detail.severity = 8.9;

    const matched = matchingRules(rules, event);

    expect(idsOf(matched)).toEqual(['guardduty-findings']);
  });

  it('drops a finding whose severity is a string, as EventBridge compares only JSON numbers', () => {
    const rules = rulesFor({ guardDutyMinSeverity: 0 });
    const event = loadEvent<{ detail: { severity: unknown } }>(CAMEL_CASE_GUARDDUTY[0] ?? '');
    event.detail.severity = '8';

    const matched = matchingRules(rules, event);

    expect(matched).toEqual([]);
  });

  // These envelopes carry the GetFindings PascalCase detail (`Severity`), which EventBridge never delivers.
  it.each(listEvents().filter((name) => name.startsWith('guardduty/eb-pascalcase-')))(
    'never routes the PascalCase envelope %s: it has no detail.severity',
    (name) => {
      const rules = rulesFor({ guardDutyMinSeverity: 0 });
      const event = loadEvent(name);

      const matched = matchingRules(rules, event);

      expect(matched).toEqual([]);
    },
  );

  it.each(listEvents().filter((name) => name.startsWith('guardduty/raw-')))(
    'never routes the bare finding %s: it has no EventBridge envelope',
    (name) => {
      const rules = rulesFor({ guardDutyMinSeverity: 0 });
      const event = loadEvent(name);

      const matched = matchingRules(rules, event);

      expect(matched).toEqual([]);
    },
  );
});

describe('matchingRules: CloudWatch alarms', () => {
  it.each(Object.entries(STATE_CHANGE_ALARMS))(
    'routes the state change %s to cloudwatch-alarms, whatever its alarm (%s) is called',
    (name, alarmName) => {
      const rules = rulesFor();
      const event = loadEvent<AlarmEvent>(name);

      const matched = matchingRules(rules, event);

      expect(event.detail.alarmName).toBe(alarmName);
      expect(idsOf(matched)).toEqual(['cloudwatch-alarms']);
    },
  );

  it.each(['OK', 'INSUFFICIENT_DATA'])('drops an alarm whose new state is %s', (state) => {
    const rules = rulesFor();
    const event = loadEvent<AlarmEvent>('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
    event.detail.state.value = state;

    const matched = matchingRules(rules, event);

    expect(matched).toEqual([]);
  });

  it.each(['CIS-1.7-RootAccountUsage', 'root_usage_alarm', 'servercputoohigh', 'constructor'])(
    'routes an alarm named %s: which names Cordon answers is the settings’ to say, after delivery',
    (alarmName) => {
      const rules = rulesFor();
      const event = loadEvent<AlarmEvent>('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
      event.detail.alarmName = alarmName;

      const matched = matchingRules(rules, event);

      expect(idsOf(matched)).toEqual(['cloudwatch-alarms']);
    },
  );

  it.each(listEvents().filter((name) => name.startsWith('cloudwatch/eb-alarm-config-change-')))(
    'never routes the "Alarm Configuration Change" event %s',
    (name) => {
      const rules = rulesFor();
      const event = loadEvent<AlarmEvent>(name);
      // Even in state ALARM: a configuration change is not a state change.
      event.detail.state.value = 'ALARM';

      const matched = matchingRules(rules, event);

      expect(matched).toEqual([]);
    },
  );
});

describe('matchingRules: AWS Config compliance', () => {
  it('routes a Config Rules Compliance Change to NON_COMPLIANT to config-compliance', () => {
    const rules = rulesFor();
    const event = loadFixture('config-access-keys-rotated-noncompliant.json');

    const matched = matchingRules(rules, event);

    expect(idsOf(matched)).toEqual(['config-compliance']);
  });

  it.each(['COMPLIANT', 'NOT_APPLICABLE', 'INSUFFICIENT_DATA'])('drops a change to %s', (complianceType) => {
    const rules = rulesFor();
    const event = loadFixture<{ detail: { newEvaluationResult: { complianceType: string } } }>(
      'config-access-keys-rotated-noncompliant.json',
    );
    event.detail.newEvaluationResult.complianceType = complianceType;

    const matched = matchingRules(rules, event);

    expect(matched).toEqual([]);
  });

  it('drops a compliance event of another message type', () => {
    const rules = rulesFor();
    const event = loadFixture<{ detail: { messageType: string } }>(
      'config-access-keys-rotated-noncompliant.json',
    );
    event.detail.messageType = 'ConfigurationItemChangeNotification';

    const matched = matchingRules(rules, event);

    expect(matched).toEqual([]);
  });
});

describe('matchingRules: other delivery shapes', () => {
  const otherShapes = listEvents().filter((name) =>
    /^(cloudwatch\/(lambda-action|sns)-|config\/|edge-cases\/|securityhub\/)/.test(name),
  );

  it('has the Lambda-action, SNS, custom-rule, edge-case and Security Hub samples to check', () => {
    const kinds = new Set(otherShapes.map((name) => name.split('/')[0]));

    expect(otherShapes.length).toBeGreaterThanOrEqual(10);
    expect(kinds).toEqual(new Set(['cloudwatch', 'config', 'edge-cases', 'securityhub']));
  });

  it.each(otherShapes)('never routes %s, whatever the options', (name) => {
    const rules = buildEventRules({ guardDutyMinSeverity: 0 });
    const event = loadEvent(name);

    const matched = matchingRules(rules, event);

    expect(matched).toEqual([]);
  });

  it('routes every real event to at most one rule', () => {
    const rules = buildEventRules({ guardDutyMinSeverity: 0 });

    const counts = listEvents().map((name) => matchingRules(rules, loadEvent(name)).length);

    expect(Math.max(...counts)).toBeLessThanOrEqual(1);
  });
});

describe('deployedRuleOptions', () => {
  it('takes the default settings’ floor, and nothing about alarms', () => {
    expect(deployedRuleOptions()).toEqual({ guardDutyMinSeverity: DEFAULT_SETTINGS.severity.ignoreBelow });
  });

  it('builds the rules infra deploys (deployedRules): what the local deployment routes with', () => {
    const rules = deployedRules();

    expect(idsOf(rules)).toEqual([...EVENT_RULE_IDS]);
    expect(rules).toEqual(buildEventRules(deployedRuleOptions()));
  });

  it('delivers every alarm a settings key could map, mapped or not yet: agreement by construction', () => {
    const rules = deployedRules();
    // Any name a team could write in settings.alarmPlaybooks, later, in SSM.
    for (const alarmName of [
      // Every CIS detection Cordon deploys (CloudWatch.1–14), by its own name.
      ...DETECTION_ALARM_NAMES,
      'CIS-1.7-RootAccountUsage',
      'ServerCpuTooHigh',
      'x'.repeat(255),
    ]) {
      const event = loadEvent<AlarmEvent>('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
      event.detail.alarmName = alarmName;
      expect(idsOf(matchingRules(rules, event)), alarmName).toEqual(['cloudwatch-alarms']);
    }
  });
});

describe('explainNoMatch', () => {
  const rules = deployedRules();

  it('names the field of the rule that a PascalCase GuardDuty envelope fails', () => {
    const reason = explainNoMatch(rules, loadEvent('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json'));

    expect(reason).toMatch(
      /^rule guardduty-findings: detail\.severity does not match \[\{"numeric":\[">=",\d+\]\}\] \(the event has none\)$/,
    );
  });

  it('names the state an alarm that recovered carries', () => {
    const event = loadEvent<AlarmEvent>('cloudwatch/eb-alarm-single-metric-ok-to-alarm-docs.json');
    event.detail.state.value = 'OK';

    const reason = explainNoMatch(rules, event);

    expect(reason).toBe(
      'rule cloudwatch-alarms: detail.state.value does not match ["ALARM"] (the event has "OK")',
    );
  });

  it('says when no rule takes the source and detail-type at all', () => {
    const reason = explainNoMatch(
      rules,
      loadEvent('cloudwatch/eb-alarm-config-change-create-composite-docs.json'),
    );

    expect(reason).toBe(
      'no rule takes source "aws.cloudwatch" with detail-type "CloudWatch Alarm Configuration Change"',
    );
  });

  it('says which of source and detail-type an event lacks (a Lambda alarm-action payload has no detail-type)', () => {
    expect(
      explainNoMatch(rules, loadEvent('cloudwatch/lambda-action-composite-alarm-powertools.json')),
    ).toMatch(/^the event has no `detail-type`: it is not an EventBridge event/);
    expect(explainNoMatch(rules, [])).toMatch(/not a JSON object/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  DETECTION_ALARM_NAMES,
  DETECTIONS,
  type DetectionDefinition,
  detectionFor,
} from '../../src/detections/alarms.ts';
import {
  alarmOfParameter,
  detectionsPath,
  putMetricAlarmInput,
  thresholdParameterName,
  validateThresholds,
} from '../../src/detections/thresholds.ts';
import { DEFAULT_SETTINGS } from '../../src/policy/settings.ts';

function rootUsage(): DetectionDefinition {
  const detection = detectionFor('RootAccountUsage');
  if (detection === undefined) throw new Error('RootAccountUsage is a detection');
  return detection;
}

describe('detections', () => {
  it('are the alarms that settings.alarmPlaybooks maps by default', () => {
    expect(DETECTIONS.map((detection) => detection.alarmName)).toEqual([...DETECTION_ALARM_NAMES]);
    expect(Object.keys(DEFAULT_SETTINGS.alarmPlaybooks).sort()).toEqual([...DETECTION_ALARM_NAMES].sort());
  });

  it('have defaults that their own validation accepts', () => {
    for (const detection of DETECTIONS) {
      expect(validateThresholds(detection, {})).toEqual({ ok: true, values: detection.defaults });
    }
  });

  it('know nothing of other alarms', () => {
    expect(detectionFor('SomeoneElsesAlarm')).toBeUndefined();
  });
});

describe('parameter names', () => {
  it('live under the stage settings path', () => {
    expect(detectionsPath('prod')).toBe('/cordon/prod/detections/');
    expect(thresholdParameterName('prod', 'RootAccountUsage', 'threshold')).toBe(
      '/cordon/prod/detections/RootAccountUsage/threshold',
    );
    expect(thresholdParameterName('prod', 'RootAccountUsage', 'evaluationPeriods')).toBe(
      '/cordon/prod/detections/RootAccountUsage/evaluation-periods',
    );
    expect(thresholdParameterName('prod', 'RootAccountUsage', 'periodSeconds')).toBe(
      '/cordon/prod/detections/RootAccountUsage/period-seconds',
    );
  });

  it('name their alarm, and only detection parameters do', () => {
    expect(alarmOfParameter('prod', '/cordon/prod/detections/FailedConsoleLogins/threshold')).toBe(
      'FailedConsoleLogins',
    );
    expect(alarmOfParameter('prod', '/cordon/prod/mode')).toBeUndefined();
    expect(alarmOfParameter('prod', '/cordon/dev/detections/FailedConsoleLogins/threshold')).toBeUndefined();
    expect(alarmOfParameter('prod', '/cordon/prod/detections/FailedConsoleLogins')).toBeUndefined();
    expect(alarmOfParameter('prod', '/cordon/prod/detections/A/b/c')).toBeUndefined();
  });
});

describe('validateThresholds', () => {
  it('reads the team values over the defaults', () => {
    const result = validateThresholds(rootUsage(), {
      threshold: '2.5',
      'evaluation-periods': '3',
      'period-seconds': '60',
    });

    expect(result).toEqual({ ok: true, values: { threshold: 2.5, evaluationPeriods: 3, periodSeconds: 60 } });
  });

  it('rejects values that are not numbers, naming each', () => {
    const result = validateThresholds(rootUsage(), {
      threshold: 'one',
      'evaluation-periods': '1.5',
      'period-seconds': '',
    });

    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      'RootAccountUsage/threshold: "one" is not a number ≥ 0',
      'RootAccountUsage/evaluation-periods: "1.5" is not a whole number ≥ 1',
      'RootAccountUsage/period-seconds: "" is not a whole number of seconds',
    ]);
  });

  it('rejects a negative threshold and zero evaluation periods', () => {
    const result = validateThresholds(rootUsage(), { threshold: '-1', 'evaluation-periods': '0' });

    expect(result.ok ? [] : result.problems).toEqual([
      'RootAccountUsage/threshold: "-1" is not a number ≥ 0',
      'RootAccountUsage/evaluation-periods: must be at least 1',
    ]);
  });

  it('rejects a period that is not a whole number of minutes', () => {
    for (const period of ['30', '90', '0']) {
      const result = validateThresholds(rootUsage(), { 'period-seconds': period });

      expect(result.ok, period).toBe(false);
    }
  });

  it('rejects periods that add up to more than a day', () => {
    const result = validateThresholds(rootUsage(), { 'period-seconds': '3600', 'evaluation-periods': '25' });

    expect(result.ok ? [] : result.problems).toEqual([
      'RootAccountUsage: period-seconds × evaluation-periods is 90000 s, more than one day (86400 s)',
    ]);
  });

  it('accepts exactly one day', () => {
    expect(validateThresholds(rootUsage(), { 'period-seconds': '3600', 'evaluation-periods': '24' }).ok).toBe(
      true,
    );
  });
});

describe('putMetricAlarmInput', () => {
  it('carries the whole alarm, so that a sync keeps its actions', () => {
    const input = putMetricAlarmInput(
      rootUsage(),
      { threshold: 3, evaluationPeriods: 2, periodSeconds: 60 },
      { alarmActions: ['arn:aws:sns:us-east-1:123456789012:cordon'] },
    );

    expect(input).toEqual({
      AlarmName: 'RootAccountUsage',
      AlarmDescription: rootUsage().description,
      MetricName: 'RootAccountUsageCount',
      Namespace: 'Cordon/CloudTrail',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      ActionsEnabled: true,
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:cordon'],
    });
  });
});

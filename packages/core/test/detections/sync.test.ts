import { describe, expect, it, vi } from 'vitest';
import { DETECTIONS } from '../../src/detections/alarms.ts';
import { alarmsToSync, syncThresholds, type ThresholdSyncPorts } from '../../src/detections/sync.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:cordon-prod';

function ports(values: Record<string, Record<string, string>> = {}) {
  const putMetricAlarm = vi.fn(async () => {});
  const notify = vi.fn(async () => {});
  const readParameters = vi.fn(async (path: string) => values[path] ?? {});
  const result: ThresholdSyncPorts = {
    stage: 'prod',
    alarmActions: [TOPIC],
    readParameters,
    putMetricAlarm,
    notify,
  };
  return { ports: result, putMetricAlarm, notify, readParameters };
}

function change(name: string) {
  return {
    source: 'aws.ssm',
    'detail-type': 'Parameter Store Change',
    detail: { name, operation: 'Update' },
  };
}

describe('alarmsToSync', () => {
  it('picks the alarm whose parameter changed', () => {
    const alarms = alarmsToSync('prod', change('/cordon/prod/detections/UnauthorizedAPICalls/threshold'));

    expect(alarms.map((alarm) => alarm.alarmName)).toEqual(['UnauthorizedAPICalls']);
  });

  it('ignores changes of settings and of unknown alarms', () => {
    expect(alarmsToSync('prod', change('/cordon/prod/mode'))).toEqual([]);
    expect(alarmsToSync('prod', change('/cordon/prod/detections/Unknown/threshold'))).toEqual([]);
  });

  it('syncs every alarm when invoked by hand', () => {
    expect(alarmsToSync('prod', {})).toEqual(DETECTIONS);
  });
});

describe('syncThresholds', () => {
  it('applies valid values with the alarm actions', async () => {
    const {
      ports: given,
      putMetricAlarm,
      notify,
      readParameters,
    } = ports({
      '/cordon/prod/detections/RootAccountUsage/': { threshold: '2', 'evaluation-periods': '3' },
    });

    const results = await syncThresholds(
      alarmsToSync('prod', change('/cordon/prod/detections/RootAccountUsage/threshold')),
      given,
    );

    expect(readParameters).toHaveBeenCalledWith('/cordon/prod/detections/RootAccountUsage/');
    expect(results).toEqual([
      {
        alarmName: 'RootAccountUsage',
        outcome: 'applied',
        values: { threshold: 2, evaluationPeriods: 3, periodSeconds: 300 },
      },
    ]);
    expect(putMetricAlarm).toHaveBeenCalledWith(
      expect.objectContaining({
        AlarmName: 'RootAccountUsage',
        Threshold: 2,
        EvaluationPeriods: 3,
        AlarmActions: [TOPIC],
      }),
    );
    expect(notify).not.toHaveBeenCalled();
  });

  it('rejects invalid values with a notification and leaves the alarm alone', async () => {
    const {
      ports: given,
      putMetricAlarm,
      notify,
    } = ports({
      '/cordon/prod/detections/FailedConsoleLogins/': { 'period-seconds': '45' },
    });

    const [result] = await syncThresholds(
      alarmsToSync('prod', change('/cordon/prod/detections/FailedConsoleLogins/period-seconds')),
      given,
    );

    expect(result?.outcome).toBe('rejected');
    expect(putMetricAlarm).not.toHaveBeenCalled();
    expect(notify).toHaveBeenCalledWith(
      'Cordon: alarm thresholds for FailedConsoleLogins rejected',
      expect.stringContaining('FailedConsoleLogins/period-seconds: 45 is not a multiple of 60 seconds'),
    );
  });

  it('treats a misspelt parameter as a problem, not as a default', async () => {
    const {
      ports: given,
      putMetricAlarm,
      notify,
    } = ports({
      '/cordon/prod/detections/RootAccountUsage/': { treshold: '5' },
    });

    const [result] = await syncThresholds(
      alarmsToSync('prod', change('/cordon/prod/detections/RootAccountUsage/treshold')),
      given,
    );

    expect(result).toMatchObject({
      outcome: 'rejected',
      problems: [expect.stringContaining('treshold: unknown parameter')],
    });
    expect(putMetricAlarm).not.toHaveBeenCalled();
    expect(notify).toHaveBeenCalledOnce();
  });

  it('applies the defaults when the team deleted the parameters', async () => {
    const { ports: given, putMetricAlarm } = ports();

    const results = await syncThresholds(alarmsToSync('prod', {}), given);

    expect(results.map((result) => result.outcome)).toEqual(DETECTIONS.map(() => 'applied'));
    expect(putMetricAlarm).toHaveBeenCalledTimes(DETECTIONS.length);
    expect(DETECTIONS).toHaveLength(14);
  });
});

/**
 * What the threshold-sync function does, without the SDK: pick the alarms a Parameter Store change touches,
 * read their values, validate them, and either apply them with PutMetricAlarm or tell the team why not.
 */
import { type AlarmThresholds, DETECTIONS, type DetectionDefinition, detectionFor } from './alarms.ts';
import {
  alarmOfParameter,
  detectionsPath,
  type PutMetricAlarmInput,
  putMetricAlarmInput,
  type RawThresholds,
  THRESHOLD_PARAMETERS,
  type ThresholdParameter,
  validateThresholds,
} from './thresholds.ts';

/** The outside world of a sync, made by the adapter (SSM, CloudWatch, SNS). */
export interface ThresholdSyncPorts {
  readonly stage: string;
  /** What the alarms notify (Cordon's SNS topic); PutMetricAlarm replaces them, so they are re-sent. */
  readonly alarmActions: readonly string[];
  /** The parameters under a path, by name relative to it (`threshold`, `evaluation-periods`, …). */
  readParameters(path: string): Promise<Readonly<Record<string, string>>>;
  putMetricAlarm(input: PutMetricAlarmInput): Promise<void>;
  /** Tells the security team (SNS); used when values are rejected. */
  notify(subject: string, message: string): Promise<void>;
}

export type AlarmSyncResult =
  | { readonly alarmName: string; readonly outcome: 'applied'; readonly values: AlarmThresholds }
  | { readonly alarmName: string; readonly outcome: 'rejected'; readonly problems: readonly string[] };

interface ParameterChange {
  readonly source: 'aws.ssm';
  readonly detail: { readonly name: string };
}

function isParameterChange(event: unknown): event is ParameterChange {
  if (typeof event !== 'object' || event === null) return false;
  const { source, detail } = event as { source?: unknown; detail?: unknown };
  return (
    source === 'aws.ssm' &&
    typeof detail === 'object' &&
    detail !== null &&
    typeof (detail as { name?: unknown }).name === 'string'
  );
}

/**
 * The detections an event asks to sync: a Parameter Store change of one alarm's parameter → that alarm; a
 * change of any other parameter (settings share the `/cordon/<stage>/` prefix) → none; anything else (a manual
 * invocation, a deploy hook) → all of them.
 *
 * @example
 * alarmsToSync('prod', { source: 'aws.ssm', detail: { name: '/cordon/prod/detections/RootAccountUsage/threshold' } })
 * // [the RootAccountUsage detection]
 */
export function alarmsToSync(stage: string, event: unknown): readonly DetectionDefinition[] {
  if (!isParameterChange(event)) return DETECTIONS;
  const alarmName = alarmOfParameter(stage, event.detail.name);
  const detection = alarmName === undefined ? undefined : detectionFor(alarmName);
  return detection === undefined ? [] : [detection];
}

const KNOWN_PARAMETERS: ReadonlySet<string> = new Set(Object.values(THRESHOLD_PARAMETERS));

function rawThresholds(values: Readonly<Record<string, string>>): { raw: RawThresholds; unknown: string[] } {
  const raw: Partial<Record<ThresholdParameter, string>> = {};
  const unknown: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (KNOWN_PARAMETERS.has(name)) raw[name as ThresholdParameter] = value;
    else unknown.push(name);
  }
  return { raw, unknown };
}

/**
 * Applies each alarm's values from SSM, one alarm at a time: valid values go out with PutMetricAlarm; invalid
 * ones are not applied (the alarm keeps its current configuration) and the team is notified with every
 * problem. An unknown parameter under an alarm's path is a problem too: it is most likely a misspelt name.
 *
 * @example
 * await syncThresholds(alarmsToSync('prod', event), ports)
 * // [{ alarmName: 'RootAccountUsage', outcome: 'applied', values: { threshold: 3, … } }]
 */
export async function syncThresholds(
  detections: readonly DetectionDefinition[],
  ports: ThresholdSyncPorts,
): Promise<AlarmSyncResult[]> {
  const results: AlarmSyncResult[] = [];
  for (const detection of detections) {
    const path = `${detectionsPath(ports.stage)}${detection.alarmName}/`;
    const { raw, unknown } = rawThresholds(await ports.readParameters(path));
    const validation = validateThresholds(detection, raw);
    const problems = [
      ...unknown.map(
        (name) =>
          `${detection.alarmName}/${name}: unknown parameter (expected ${[...KNOWN_PARAMETERS].join(', ')})`,
      ),
      ...(validation.ok ? [] : validation.problems),
    ];
    if (problems.length > 0 || !validation.ok) {
      await ports.notify(
        `Cordon: alarm thresholds for ${detection.alarmName} rejected`,
        [
          `The values under ${path} were not applied; the alarm keeps its current configuration.`,
          ...problems.map((problem) => `- ${problem}`),
        ].join('\n'),
      );
      results.push({ alarmName: detection.alarmName, outcome: 'rejected', problems });
      continue;
    }
    await ports.putMetricAlarm(
      putMetricAlarmInput(detection, validation.values, { alarmActions: ports.alarmActions }),
    );
    results.push({ alarmName: detection.alarmName, outcome: 'applied', values: validation.values });
  }
  return results;
}

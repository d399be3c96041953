import * as z from '../zod.ts';
import {
  type CloudWatchFacts,
  type Incident,
  type IncidentCategory,
  makeIncidentId,
  severityOf,
} from './incident.ts';
import { accepted, type IntakeResult, rejected } from './result.ts';
import { toIsoTime } from './timestamps.ts';

/**
 * The CIS alarms Cordon deploys (on CloudTrail metric filters) and what each means. Other alarm names are
 * `suspicious-activity`; settings decide which playbook any alarm name runs.
 */
export const KNOWN_ALARMS: Readonly<Record<string, { category: IncidentCategory; score: number }>> = {
  RootAccountUsage: { category: 'root-activity', score: 9 },
  UnauthorizedAPICalls: { category: 'suspicious-activity', score: 5 },
  FailedConsoleLogins: { category: 'suspicious-activity', score: 5 },
};
const DEFAULT_ALARM = { category: 'suspicious-activity', score: 5 } as const;
/** Alarms that recovered (OK) or lost data (INSUFFICIENT_DATA) are low and ignored by the policy. */
const RECOVERED_SCORE = 1;

const StateSchema = z.looseObject({
  value: z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']),
  reason: z.catch(z.optional(z.string()), undefined),
  timestamp: z.string().check(z.minLength(1)),
});

const AlarmStateChangeSchema = z.looseObject({
  account: z.string().check(z.minLength(1)),
  region: z.string().check(z.minLength(1)),
  time: z.optional(z.string()),
  resources: z.catch(z.optional(z.array(z.string())), undefined),
  detail: z.looseObject({
    alarmName: z.string().check(z.minLength(1)),
    state: StateSchema,
    previousState: z.catch(z.optional(z.looseObject({ value: z.string() })), undefined),
  }),
});

/**
 * Normalizes an EventBridge "CloudWatch Alarm State Change" event. The incident id is the alarm ARN plus
 * the state's timestamp: one transition, one incident, however often EventBridge delivers it.
 *
 * @example normalizeAlarmStateChange(JSON.parse(fs.readFileSync('eb-alarm-single-metric-ok-to-alarm-docs.json', 'utf8')))
 */
export function normalizeAlarmStateChange(event: unknown): IntakeResult {
  const parsed = AlarmStateChangeSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return rejected(
      'cloudwatch-alarm-state-change',
      `The CloudWatch Alarm State Change event is missing required fields: ${problems.join('; ')}.`,
    );
  }
  const { account, region, detail } = parsed.data;
  const stateTime = toIsoTime(detail.state.timestamp);
  if (stateTime === undefined) {
    return rejected(
      'cloudwatch-alarm-state-change',
      `The alarm state timestamp "${detail.state.timestamp}" is not a time.`,
    );
  }
  const alarmArn =
    parsed.data.resources?.find((arn) => arn.startsWith('arn:')) ??
    `arn:aws:cloudwatch:${region}:${account}:alarm:${detail.alarmName}`;
  const known = KNOWN_ALARMS[detail.alarmName] ?? DEFAULT_ALARM;
  const inAlarm = detail.state.value === 'ALARM';
  const facts: CloudWatchFacts = {
    source: 'cloudwatch',
    alarmName: detail.alarmName,
    state: detail.state.value,
    previousState: detail.previousState?.value,
    reason: detail.state.reason,
  };
  const nativeId = `${alarmArn}@${detail.state.timestamp}`;
  const incident: Incident = {
    id: makeIncidentId('cloudwatch', account, region, nativeId),
    source: 'cloudwatch',
    account,
    region,
    type: `CloudWatchAlarm/${detail.state.value}`,
    title: `Alarm ${detail.alarmName} is ${detail.state.value}${facts.previousState ? ` (was ${facts.previousState})` : ''}`,
    description: detail.state.reason,
    severity: severityOf(inAlarm ? known.score : RECOVERED_SCORE),
    category: known.category,
    resources: [
      { kind: 'cloudwatch-alarm', role: 'related', alarmName: detail.alarmName, alarmArn },
      { kind: 'account', role: 'affected', accountId: account },
    ],
    observedAt: stateTime,
    sample: false,
    nativeId,
    count: 1,
    updatedAt: stateTime,
    facts,
    notes: [],
  };
  return accepted(incident, 'cloudwatch-alarm-state-change');
}

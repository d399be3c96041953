import * as z from '../zod.ts';
import { accountIdProblem } from './account-id.ts';
import { knownAlarmOf } from './alarm-names.ts';
import { type CloudWatchFacts, type Incident, makeIncidentId, severityOf } from './incident.ts';
import { accepted, type IntakeResult, rejected } from './result.ts';
import { toIsoTime } from './timestamps.ts';

/** An alarm that is none of Cordon's detections (alarm-names.ts): suspicious activity, medium while in ALARM. */
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
  const badAccount = accountIdProblem('account', account);
  if (badAccount !== undefined) return rejected('cloudwatch-alarm-state-change', `${badAccount}.`);
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
  // A CIS alarm by any of its usual names (`CIS-1.7-RootAccountUsage`) is the detection it stands for.
  const detection = knownAlarmOf(detail.alarmName);
  const known = detection ?? DEFAULT_ALARM;
  const inAlarm = detail.state.value === 'ALARM';
  const facts: CloudWatchFacts = {
    source: 'cloudwatch',
    alarmName: detail.alarmName,
    state: detail.state.value,
    previousState: detail.previousState?.value,
    reason: detail.state.reason,
    ...(detection === undefined ? {} : { knownAlarm: detection.name }),
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
    notes:
      detection === undefined || detection.name === detail.alarmName
        ? []
        : [
            `Alarm ${detail.alarmName} is read as Cordon's ${detection.name} detection by its name (docs/intake.md, "Alarm names").`,
          ],
  };
  return accepted(incident, 'cloudwatch-alarm-state-change');
}

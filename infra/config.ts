/**
 * Deploy-time configuration: the stage and a few `CORDON_*` environment variables read once, here, when
 * `sst deploy` runs. Everything Cordon decides at run time lives in SSM settings instead.
 */

import { ROLE_PREFIX_MAX_LENGTH } from '@cordon/core/actions/member-roles';
import { observerRoleName } from '@cordon/core/actions/observe-instance';
import { DEFAULT_SETTINGS, settingsPath } from '@cordon/core/policy/settings';

export interface DeployConfig {
  readonly stage: string;
  /** Prefix of every physical name: `cordon-<stage>`. */
  readonly prefix: string;
  /** `/cordon/<stage>/`: the settings, detection thresholds, secrets and the approval base URL live under it. */
  readonly stageRoot: string;
  /** `/cordon/<stage>/settings/`: what the settings loader reads (core's `settingsPath`). */
  readonly settingsPath: string;
  /** CloudWatch Logs group the CloudTrail trail delivers to (the CIS metric filters read it). */
  readonly trailLogGroupName: string;
  /** Whether to create the CIS metric filters and alarms (one stage per account and region may). */
  readonly detections: boolean;
  /** An e-mail address subscribed to the SNS topic (the subscription must be confirmed from the mail). */
  readonly notificationEmail?: string;
  /** The prefix of the roles actions assume in member accounts (`<prefix>-<action id>`); also written to the settings parameter. */
  readonly responderRoleName: string;
  /** The read-only role triage assumes in member accounts: triage's own naming rule applied to the prefix. */
  readonly observerRoleName: string;
  /** The role of the quarantine instance profile: the one role quarantine-instance-profile may pass to EC2. */
  readonly quarantineRoleName: string;
  /** The exemption tag key the action roles may never add, change or remove. */
  readonly exemptionTagKey: string;
  /** EventBridge Scheduler expression of the GuardDuty poller. */
  readonly pollSchedule: string;
  /** Tables and the key are kept on removal and protected from deletion. */
  readonly protect: boolean;
  /**
   * The AWS Organizations organization whose accounts may forward events to the stage's intake bus (its
   * policy's `aws:PrincipalOrgID`); without it, only this account's other regions may (docs/deploy.md).
   */
  readonly organizationId?: string;
}

export type DeployEnvironment = Readonly<Record<string, string | undefined>>;

/** The longest function id (`deregister-from-load-balancers`) must still fit a 64-character role name. */
const LONGEST_ID = 30;
const ROLE_NAME_LIMIT = 64;
const IAM_NAME = /^[\w+=,.@-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SCHEDULE = /^(rate|cron|at)\(.+\)$/;
/** An organization id as AWS Organizations writes it (API reference, Organization.Id: `^o-[a-z0-9]{10,32}$`). */
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

export class DeployConfigError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'DeployConfigError';
  }
}

/**
 * Reads the deploy configuration.
 *
 * | Variable | Default | |
 * |---|---|---|
 * | `CORDON_TRAIL_LOG_GROUP` | `aws-cloudtrail-logs` | the trail's log group |
 * | `CORDON_DETECTIONS` | `on` | `off` skips the CIS filters and alarms |
 * | `CORDON_NOTIFY_EMAIL` | none | e-mail subscription to the topic |
 * | `CORDON_RESPONDER_ROLE_NAME` | `CordonResponder` | member-account role prefix |
 * | `CORDON_QUARANTINE_ROLE_NAME` | `CordonQuarantine` | the quarantine profile's role |
 * | `CORDON_EXEMPTION_TAG_KEY` | `cordon:exempt` | protected tag key |
 * | `CORDON_POLL_SCHEDULE` | `rate(5 minutes)` | poller schedule |
 * | `CORDON_PROTECT` | `true` for stage `production` | retain and protect data |
 * | `CORDON_ORGANIZATION_ID` | none | the organization (`o-…`) whose accounts may forward events |
 *
 * `CORDON_EXTRA_ALARMS` is refused: the CloudWatch rule delivers every alarm entering ALARM and
 * `settings.alarmPlaybooks` (SSM) decides which ones Cordon answers, so an alarm list fixed at deploy time would
 * only mislead (docs/event-rules.md).
 *
 * @example deployConfig('prod', process.env).prefix // 'cordon-prod'
 */
export function deployConfig(stage: string, env: DeployEnvironment): DeployConfig {
  const path = settingsPath(stage);
  const prefix = `cordon-${stage}`;
  if (prefix.length + 1 + LONGEST_ID > ROLE_NAME_LIMIT) {
    throw new DeployConfigError(
      `stage ${JSON.stringify(stage)} is too long: role names (${prefix}-<function>) must fit in ${ROLE_NAME_LIMIT} characters`,
    );
  }
  if (env.CORDON_EXTRA_ALARMS !== undefined) {
    throw new DeployConfigError(
      'CORDON_EXTRA_ALARMS is no longer read: the CloudWatch rule delivers every alarm entering ALARM, and settings.alarmPlaybooks (in SSM) decides which ones Cordon answers. Unset it, and map the alarms in the settings.',
    );
  }
  const email = env.CORDON_NOTIFY_EMAIL?.trim();
  if (email && !EMAIL.test(email))
    throw new DeployConfigError('CORDON_NOTIFY_EMAIL is not an e-mail address');
  const pollSchedule = env.CORDON_POLL_SCHEDULE?.trim() || 'rate(5 minutes)';
  if (!SCHEDULE.test(pollSchedule)) {
    throw new DeployConfigError('CORDON_POLL_SCHEDULE must be a rate(…), cron(…) or at(…) expression');
  }
  const detections = (env.CORDON_DETECTIONS ?? 'on').trim().toLowerCase();
  if (detections !== 'on' && detections !== 'off')
    throw new DeployConfigError('CORDON_DETECTIONS must be on or off');
  const organizationId = env.CORDON_ORGANIZATION_ID?.trim();
  if (organizationId && !ORGANIZATION_ID.test(organizationId)) {
    throw new DeployConfigError(
      'CORDON_ORGANIZATION_ID must be an AWS Organizations organization id (o- and 10 to 32 lowercase letters or digits)',
    );
  }
  const responderRoleName = env.CORDON_RESPONDER_ROLE_NAME?.trim() || DEFAULT_SETTINGS.responder.roleName;
  if (!IAM_NAME.test(responderRoleName) || responderRoleName.length > ROLE_PREFIX_MAX_LENGTH) {
    throw new DeployConfigError(
      `CORDON_RESPONDER_ROLE_NAME must be an IAM role name of at most ${ROLE_PREFIX_MAX_LENGTH} characters (Cordon adds -<action id> for each action's role)`,
    );
  }
  const quarantineRoleName = env.CORDON_QUARANTINE_ROLE_NAME?.trim() || 'CordonQuarantine';
  if (!IAM_NAME.test(quarantineRoleName) || quarantineRoleName.length > ROLE_NAME_LIMIT) {
    throw new DeployConfigError(
      `CORDON_QUARANTINE_ROLE_NAME must be an IAM role name of at most ${ROLE_NAME_LIMIT} characters`,
    );
  }
  return {
    stage,
    prefix,
    stageRoot: `/cordon/${stage}/`,
    settingsPath: path,
    trailLogGroupName: env.CORDON_TRAIL_LOG_GROUP?.trim() || 'aws-cloudtrail-logs',
    detections: detections === 'on',
    ...(email ? { notificationEmail: email } : {}),
    responderRoleName,
    // The name triage assumes is computed from the settings at run time; this deploy writes the responder
    // name into the settings, so the same rule on the same name gives the role triage will ask for.
    observerRoleName: observerRoleName({
      ...DEFAULT_SETTINGS,
      responder: { ...DEFAULT_SETTINGS.responder, roleName: responderRoleName },
    }),
    quarantineRoleName,
    exemptionTagKey: env.CORDON_EXEMPTION_TAG_KEY?.trim() || DEFAULT_SETTINGS.exemptionTag.key,
    pollSchedule,
    protect: env.CORDON_PROTECT === undefined ? stage === 'production' : env.CORDON_PROTECT === 'true',
    ...(organizationId ? { organizationId } : {}),
  };
}

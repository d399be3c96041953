/**
 * `start-trail-logging`: the fix of `cloudtrail-enabled` and `multi-region-cloudtrail-enabled` for a trail that
 * exists but was stopped — the first thing an attacker does is stop logging, and starting it again breaks no
 * workload, so the fix runs without approval by default. A trail that does not exist is not created: that needs a
 * bucket whose policy lets CloudTrail write, which is a decision for a person (named refusal).
 *
 * AWS facts relied on (CloudTrail API Reference):
 * - DescribeTrails "Retrieves settings for one or more trails associated with the current Region for your
 *   account"; with `includeShadowTrails` (default true) it also returns the multi-Region trails homed elsewhere,
 *   each with its `HomeRegion` (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html).
 * - GetTrailStatus returns `IsLogging`; a shadow trail's status needs its ARN
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
 * - StartLogging / StopLogging "must be called from the Region in which the trail was created" — otherwise
 *   `InvalidHomeRegionException` (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartLogging.html,
 *   https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html); starting a trail that
 *   logs already succeeds and changes nothing.
 * IAM (Service Authorization Reference, CloudTrail: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html):
 * DescribeTrails has no resource type; GetTrailStatus, ListTags, StartLogging and StopLogging act on `trail`
 * (arn:${Partition}:cloudtrail:${Region}:${Account}:trail/${TrailName}).
 */
import {
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { ActionFailedError, awsErrorCode, classifyAwsError, ExemptResourceError } from '../errors.ts';
import type { Change } from '../ledger/ledger.ts';
import * as z from '../zod.ts';
import { assertNotExempt } from './guardrails.ts';
import { TargetRuleSchema } from './revoke-open-ingress.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type ActionRelease,
  StepEnvelopeSchema,
} from './types.ts';

const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9._-]{3,128}$/;

export const StartTrailLoggingInput = z.extend(StepEnvelopeSchema, {
  /** The account AWS Config named (`AWS::::Account`): the account whose trails are started. */
  accountId: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
  rule: TargetRuleSchema,
});
export type StartTrailLoggingInput = z.output<typeof StartTrailLoggingInput>;

export interface StartTrailLoggingOutput {
  readonly accountId: string;
  /** Trails started (or that a dry run would start), by ARN. */
  readonly started: readonly string[];
  /** Trails the rule counts that were logging already. */
  readonly alreadyLogging: readonly string[];
  /** Stopped trails left alone because they carry the exemption tag. */
  readonly exempt: readonly string[];
  /** Stopped multi-Region trails homed in another Region (only a run there can start them). */
  readonly homedElsewhere: readonly string[];
}

/** What the release needs: the trails this fix started, each of which was stopped before. */
export const TrailLoggingRestoreSchema = z.object({
  trails: z.array(
    z.object({ arn: z.string().check(z.regex(TRAIL_ARN, 'must be a trail ARN')), name: z.string() }),
  ),
});
export type TrailLoggingRestore = z.output<typeof TrailLoggingRestoreSchema>;

/** The rules this fix answers, and which trails each counts. */
const TRAIL_RULES: Readonly<
  Record<string, { readonly counts: (trail: Trail) => boolean; readonly what: string }>
> = {
  // "Checks if an AWS CloudTrail trail is enabled in your AWS account."
  CLOUD_TRAIL_ENABLED: { counts: () => true, what: 'a trail that logs' },
  // "Checks if there is at least one multi-region AWS CloudTrail."
  MULTI_REGION_CLOUD_TRAIL_ENABLED: {
    counts: (trail) => trail.IsMultiRegionTrail === true,
    what: 'a multi-Region trail that logs',
  },
};

/** The optional parameters both rules share, and the trail field each one names. */
const PARAMETER_FIELDS = {
  s3BucketName: 'S3BucketName',
  snsTopicArn: 'SnsTopicARN',
  cloudWatchLogsLogGroupArn: 'CloudWatchLogsLogGroupArn',
} as const satisfies Readonly<Record<string, keyof Trail>>;

/** Whether a trail matches the destinations the rule's parameters name (a parameter not set matches anything). */
function matchesParameters(trail: Trail, parameters: Readonly<Record<string, string>>): boolean {
  return Object.entries(PARAMETER_FIELDS).every(([parameter, field]) => {
    const wanted = parameters[parameter];
    return wanted === undefined || wanted === '' || trail[field] === wanted;
  });
}

async function describeTrails(context: ActionContext): Promise<Trail[]> {
  try {
    const answer = await context.clients.cloudTrail.send(
      new DescribeTrailsCommand({ includeShadowTrails: true }),
    );
    return answer.trailList ?? [];
  } catch (error) {
    throw classifyAwsError(error, 'DescribeTrails');
  }
}

/** `IsLogging` of a trail, by ARN (which also works for a shadow trail). */
async function isLogging(context: ActionContext, arn: string): Promise<boolean> {
  try {
    const status = await context.clients.cloudTrail.send(new GetTrailStatusCommand({ Name: arn }));
    return status.IsLogging === true;
  } catch (error) {
    throw classifyAwsError(error, `GetTrailStatus ${arn}`);
  }
}

async function trailTags(context: ActionContext, arn: string): Promise<{ Key?: string; Value?: string }[]> {
  try {
    const answer = await context.clients.cloudTrail.send(new ListTagsCommand({ ResourceIdList: [arn] }));
    return answer.ResourceTagList?.[0]?.TagsList ?? [];
  } catch (error) {
    throw classifyAwsError(error, `ListTags ${arn}`);
  }
}

function loggingChange(arn: string, before: boolean, after: boolean): Change {
  return { resource: arn, attribute: 'logging', before: before ? 'on' : 'off', after: after ? 'on' : 'off' };
}

/**
 * The release: stops again exactly the trails the fix started (each was stopped before the fix), and only those
 * still logging. It runs only in `remediation-release`, which always asks a person first and never releases on a
 * timeout: stopping logging is the change an attacker wants, so it is never automatic, but a team that stopped a
 * trail on purpose (a retired trail, a cost decision) gets its choice back. Note that GuardDuty reports the
 * release's StopLogging as `Stealth:IAMUser/CloudTrailLoggingDisabled` by Cordon's release role.
 */
export const trailLoggingRelease: ActionRelease<TrailLoggingRestore> = {
  summary:
    'Stops again exactly the trails the fix started (each was stopped before it), after a person approved.',
  restore: TrailLoggingRestoreSchema,
  permissions: [
    {
      actions: ['cloudtrail:GetTrailStatus', 'cloudtrail:StopLogging'],
      resources: ['arn:aws:cloudtrail:{region}:{account}:trail/*'],
      why: 'Read whether each trail the fix started still logs, and stop it again (it was stopped before the fix); only in a release a person approved.',
    },
  ],
  async plan(restore, context): Promise<ActionPlan<unknown>> {
    const toStop: { arn: string; name: string }[] = [];
    const notes: string[] = [];
    for (const trail of restore.trails) {
      try {
        if (await isLogging(context, trail.arn)) toStop.push(trail);
        else notes.push(`${trail.arn} is stopped already.`);
      } catch (error) {
        if (awsErrorCode(error) !== 'TrailNotFoundException' && !isGone(error)) throw error;
        notes.push(`${trail.arn} no longer exists: nothing to stop.`);
      }
    }
    const output = { stopped: toStop.map((trail) => trail.arn) };
    return {
      changes: toStop.map((trail) => loggingChange(trail.arn, true, false)),
      notes,
      output,
      async apply() {
        for (const trail of toStop) {
          try {
            await context.clients.cloudTrail.send(new StopLoggingCommand({ Name: trail.arn }));
          } catch (error) {
            throw classifyAwsError(error, `StopLogging ${trail.arn}`);
          }
        }
        return output;
      },
    };
  },
};

/** A classified "trail not found" (GetTrailStatus wraps its errors). */
function isGone(error: unknown): boolean {
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && awsErrorCode(cause) === 'TrailNotFoundException';
}

/**
 * `start-trail-logging`: starts every stopped trail, homed in this Region, that the AWS Config rule counts
 * (`cloudtrail-enabled`: any trail; `multi-region-cloudtrail-enabled`: multi-Region trails; either rule's
 * `s3BucketName`, `snsTopicArn` and `cloudWatchLogsLogGroupArn` parameters narrow it to the trails with those
 * destinations). Trails that log already, trails of other kinds, and stopped trails carrying the exemption tag
 * are left alone; a stopped multi-Region trail homed in another Region is reported (only a run in its home Region
 * can start it). The trails started are recorded before anything changes, so that `remediation-release` stops
 * exactly those again.
 *
 * Refusals, named, with nothing changed: a rule it does not answer, an account other than the incident's, no trail
 * the rule counts (creating one is a person's decision), every stopped trail exempt, or homed elsewhere.
 *
 * @example
 * await runAction(startTrailLogging, { ...envelope, accountId: '123456789012', rule: { identifier: 'CLOUD_TRAIL_ENABLED', name: 'cloudtrail-enabled-conformance-pack-x1', parameters: {}, parametersKnown: true } }, environment)
 * // changes: arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events logging: off → on
 */
export const startTrailLogging: ActionDefinition<StartTrailLoggingInput, StartTrailLoggingOutput> = {
  id: 'start-trail-logging',
  summary:
    'Starts logging again on every stopped CloudTrail trail of the Region that the AWS Config rule counts (any trail, or multi-Region trails), leaving every other trail as it is.',
  undo: 'Released from the ledger by `remediation-release` (always approved by a person): the trails it started are stopped again, and only those.',
  dryRunBehaviour:
    'Reads the trails, their status and tags, and records which it would start; no call changes anything.',
  mutating: true,
  input: StartTrailLoggingInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['cloudtrail:DescribeTrails'],
      resources: ['*'],
      why: "List the Region's trails and the multi-Region trails homed elsewhere (DescribeTrails has no resource type).",
    },
    {
      actions: ['cloudtrail:GetTrailStatus', 'cloudtrail:ListTags'],
      resources: ['arn:aws:cloudtrail:*:{account}:trail/*'],
      why: 'Read whether each trail logs, and its exemption tag (by ARN, which a multi-Region trail homed in another Region is read by).',
    },
    {
      actions: ['cloudtrail:StartLogging'],
      resources: ['arn:aws:cloudtrail:{region}:{account}:trail/*'],
      why: 'Start a stopped trail again; only in its home Region, where StartLogging must be called.',
    },
  ],
  release: trailLoggingRelease,
  async plan(input, context): Promise<ActionPlan<StartTrailLoggingOutput>> {
    const criteria = Object.hasOwn(TRAIL_RULES, input.rule.identifier)
      ? TRAIL_RULES[input.rule.identifier]
      : undefined;
    if (criteria === undefined) {
      throw new ActionFailedError(
        `start-trail-logging answers ${Object.keys(TRAIL_RULES).join(' and ')}, not ${input.rule.identifier} (${input.rule.name}): nothing was changed.`,
      );
    }
    if (input.accountId !== input.account) {
      throw new ActionFailedError(
        `AWS Config named account ${input.accountId}, but the incident is in ${input.account}: nothing was changed.`,
      );
    }
    const counted = (await describeTrails(context)).filter(
      (trail) => criteria.counts(trail) && matchesParameters(trail, input.rule.parameters),
    );
    if (counted.length === 0) {
      throw new ActionFailedError(
        `${input.rule.name} asks for ${criteria.what}, and account ${input.accountId} has no trail it counts in ${context.region}: Cordon starts stopped trails but does not create one (that needs an S3 bucket whose policy lets CloudTrail write). Create the trail; nothing was changed.`,
      );
    }
    const alreadyLogging: string[] = [];
    const stoppedHere: Trail[] = [];
    const homedElsewhere: string[] = [];
    for (const trail of counted) {
      const arn = trail.TrailARN ?? '';
      if (await isLogging(context, arn)) alreadyLogging.push(arn);
      else if (trail.HomeRegion !== undefined && trail.HomeRegion !== context.region)
        homedElsewhere.push(arn);
      else stoppedHere.push(trail);
    }
    const exempt: string[] = [];
    const toStart: { arn: string; name: string }[] = [];
    for (const trail of stoppedHere) {
      const arn = trail.TrailARN ?? '';
      try {
        assertNotExempt(await trailTags(context, arn), context.settings, arn);
        toStart.push({ arn, name: trail.Name ?? arn });
      } catch (error) {
        if (!(error instanceof ExemptResourceError)) throw error;
        exempt.push(arn);
      }
    }
    const notes = [
      ...exempt.map((arn) => `${arn} is stopped and carries the exemption tag: left stopped.`),
      ...homedElsewhere.map(
        (arn) =>
          `${arn} is stopped and homed in another Region: only a run there (StartLogging in its home Region) can start it.`,
      ),
      ...(input.rule.parametersKnown
        ? []
        : [
            `The parameters of ${input.rule.name} could not be read: every trail it may count was considered.`,
          ]),
    ];
    if (toStart.length === 0 && alreadyLogging.length === 0) {
      if (exempt.length > 0 && homedElsewhere.length === 0) {
        throw new ExemptResourceError(
          `Every stopped trail ${input.rule.name} counts carries the exemption tag (${exempt.join(', ')}): Cordon notifies and never acts on them.`,
        );
      }
      throw new ActionFailedError(
        `No trail ${input.rule.name} counts can be started in ${context.region}: ${[...homedElsewhere, ...exempt].join(', ')} (${notes.join(' ')}) Nothing was changed.`,
      );
    }
    const output: StartTrailLoggingOutput = {
      accountId: input.accountId,
      started: toStart.map((trail) => trail.arn),
      alreadyLogging,
      exempt,
      homedElsewhere,
    };
    const restore: TrailLoggingRestore = { trails: toStart };
    return {
      changes: toStart.map((trail) => loggingChange(trail.arn, false, true)),
      restore,
      notes,
      output,
      async apply() {
        for (const trail of toStart) {
          try {
            await context.clients.cloudTrail.send(new StartLoggingCommand({ Name: trail.arn }));
          } catch (error) {
            throw classifyAwsError(error, `StartLogging ${trail.arn}`);
          }
        }
        return output;
      },
    };
  },
};

/**
 * `enable-log-file-validation`: the fix of `cloud-trail-log-file-validation-enabled` ("Checks if AWS CloudTrail
 * creates a signed digest file with logs … NON_COMPLIANT if the validation is not enabled", resource type
 * `AWS::CloudTrail::Trail`: https://docs.aws.amazon.com/config/latest/developerguide/cloud-trail-log-file-validation-enabled.html).
 * Turning validation on makes CloudTrail also deliver a signed digest file every hour beside the logs; it changes
 * no log, no destination and nothing a workload uses, so the fix runs without approval by default.
 *
 * AWS facts relied on (CloudTrail API Reference):
 * - DescribeTrails takes names or ARNs in `trailNameList` and answers each trail with `LogFileValidationEnabled`
 *   and `HomeRegion` (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html).
 * - UpdateTrail `EnableLogFileValidation` "Specifies whether log file validation is enabled"; UpdateTrail "must be
 *   called from the Region in which the trail was created; otherwise, an InvalidHomeRegionException is thrown";
 *   parameters not given are left as they are
 *   (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html).
 * IAM: DescribeTrails has no resource type; ListTags and UpdateTrail act on `trail`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html).
 *
 * Which id AWS Config gives a trail (its name or its ARN) is not stated on the rule's page: the target takes
 * either, and the trail is resolved by DescribeTrails, which accepts both.
 */
import {
  DescribeTrailsCommand,
  ListTagsCommand,
  type Trail,
  UpdateTrailCommand,
} from '@aws-sdk/client-cloudtrail';
import { ActionFailedError, classifyAwsError, ResourceGoneError } from '../errors.ts';
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

/** A trail name ("3 to 128 characters", letters, digits, periods, underscores, dashes) or a trail ARN. */
const TRAIL =
  /^([A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]|arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9._-]{3,128})$/;

export const EnableLogFileValidationInput = z.extend(StepEnvelopeSchema, {
  /** The trail AWS Config named (`AWS::CloudTrail::Trail`): its name or its ARN. */
  trail: z.string().check(z.regex(TRAIL, 'must be a trail name or a trail ARN')),
  rule: z.optional(TargetRuleSchema),
});
export type EnableLogFileValidationInput = z.output<typeof EnableLogFileValidationInput>;

export interface EnableLogFileValidationOutput {
  /** The trail's ARN. */
  readonly trail: string;
  /** Whether validation was turned on by this run (or would be, in a dry run). */
  readonly enabled: boolean;
}

/** What the release needs: the trail whose validation the fix turned on (it was off before). */
export const LogFileValidationRestoreSchema = z.object({
  arn: z.string().check(z.regex(TRAIL, 'must be a trail ARN')),
});
export type LogFileValidationRestore = z.output<typeof LogFileValidationRestoreSchema>;

/** The trail a name or ARN stands for, as DescribeTrails answers it; `ResourceGoneError` when there is none. */
async function describeTrail(context: ActionContext, trail: string): Promise<Trail> {
  let found: Trail | undefined;
  try {
    const answer = await context.clients.cloudTrail.send(
      new DescribeTrailsCommand({ trailNameList: [trail], includeShadowTrails: true }),
    );
    found = answer.trailList?.[0];
  } catch (error) {
    throw classifyAwsError(error, `DescribeTrails ${trail}`);
  }
  if (found?.TrailARN === undefined) {
    throw new ResourceGoneError(
      `Trail ${trail} does not exist (any more) in ${context.region}: nothing was changed.`,
    );
  }
  return found;
}

/** UpdateTrail is refused outside the trail's home Region: say so, by name, before any call. */
function assertHome(trail: Trail, context: ActionContext): void {
  if (trail.HomeRegion !== undefined && trail.HomeRegion !== context.region) {
    throw new ActionFailedError(
      `${trail.TrailARN} is homed in ${trail.HomeRegion}: UpdateTrail must be called there, not in ${context.region}; nothing was changed.`,
    );
  }
}

async function setValidation(context: ActionContext, arn: string, enabled: boolean): Promise<void> {
  try {
    await context.clients.cloudTrail.send(
      new UpdateTrailCommand({ Name: arn, EnableLogFileValidation: enabled }),
    );
  } catch (error) {
    throw classifyAwsError(error, `UpdateTrail ${arn} EnableLogFileValidation=${enabled}`);
  }
}

function validationChange(arn: string, before: boolean, after: boolean): Change {
  return {
    resource: arn,
    attribute: 'log file validation',
    before: before ? 'on' : 'off',
    after: after ? 'on' : 'off',
  };
}

/**
 * The release: turns log file validation off again on the trail the fix turned it on, if it is still on. Run
 * only by `remediation-release`, which always asks a person first.
 */
export const logFileValidationRelease: ActionRelease<LogFileValidationRestore> = {
  summary: 'Turns log file validation off again on the trail the fix turned it on (it was off before).',
  restore: LogFileValidationRestoreSchema,
  permissions: [
    {
      actions: ['cloudtrail:DescribeTrails'],
      resources: ['*'],
      why: 'Read whether the trail still validates its log files (DescribeTrails has no resource type).',
    },
    {
      actions: ['cloudtrail:UpdateTrail'],
      resources: ['arn:aws:cloudtrail:{region}:{account}:trail/*'],
      why: 'Turn log file validation off again on the trail the fix turned it on (EnableLogFileValidation only); only in a release a person approved.',
    },
  ],
  async plan(restore, context): Promise<ActionPlan<unknown>> {
    let trail: Trail;
    try {
      trail = await describeTrail(context, restore.arn);
    } catch (error) {
      if (!(error instanceof ResourceGoneError)) throw error;
      return {
        changes: [],
        notes: [`${restore.arn} no longer exists: nothing to put back.`],
        output: { disabled: false },
        apply: async () => ({ disabled: false }),
      };
    }
    assertHome(trail, context);
    const on = trail.LogFileValidationEnabled === true;
    const output = { trail: restore.arn, disabled: on };
    return {
      changes: on ? [validationChange(restore.arn, true, false)] : [],
      notes: on ? [] : [`${restore.arn} does not validate its log files already.`],
      output,
      async apply() {
        await setValidation(context, restore.arn, false);
        return output;
      },
    };
  },
};

/**
 * `enable-log-file-validation`: turns on log file validation of the trail AWS Config named, with UpdateTrail
 * `EnableLogFileValidation: true` and nothing else, after recording that it was off. A trail with validation on
 * already is `already-done`; an exempt trail, one homed in another Region, or one that no longer exists is
 * refused, named, with nothing changed.
 *
 * @example
 * await runAction(enableLogFileValidation, { ...envelope, trail: 'management-events' }, environment)
 * // changes: arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events log file validation: off → on
 */
export const enableLogFileValidation: ActionDefinition<
  EnableLogFileValidationInput,
  EnableLogFileValidationOutput
> = {
  id: 'enable-log-file-validation',
  summary:
    'Turns on log file validation (signed digest files) of the CloudTrail trail an AWS Config rule named, changing nothing else of it.',
  undo: 'Released from the ledger by `remediation-release` (always approved by a person): validation is turned off again on that trail.',
  dryRunBehaviour:
    'Reads the trail and its tags and records whether it would turn validation on; no call changes anything.',
  mutating: true,
  input: EnableLogFileValidationInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['cloudtrail:DescribeTrails'],
      resources: ['*'],
      why: 'Read the trail: whether it validates its log files, and its home Region (DescribeTrails has no resource type).',
    },
    {
      actions: ['cloudtrail:ListTags'],
      resources: ['arn:aws:cloudtrail:{region}:{account}:trail/*'],
      why: "Read the trail's exemption tag.",
    },
    {
      actions: ['cloudtrail:UpdateTrail'],
      resources: ['arn:aws:cloudtrail:{region}:{account}:trail/*'],
      why: 'Turn log file validation on (EnableLogFileValidation only: every other setting is left as it is).',
    },
  ],
  release: logFileValidationRelease,
  async plan(input, context): Promise<ActionPlan<EnableLogFileValidationOutput>> {
    const trail = await describeTrail(context, input.trail);
    const arn = trail.TrailARN ?? input.trail;
    assertHome(trail, context);
    let tags: { Key?: string; Value?: string }[];
    try {
      const answer = await context.clients.cloudTrail.send(new ListTagsCommand({ ResourceIdList: [arn] }));
      tags = answer.ResourceTagList?.[0]?.TagsList ?? [];
    } catch (error) {
      throw classifyAwsError(error, `ListTags ${arn}`);
    }
    assertNotExempt(tags, context.settings, arn);
    const on = trail.LogFileValidationEnabled === true;
    const output: EnableLogFileValidationOutput = { trail: arn, enabled: !on };
    const restore: LogFileValidationRestore = { arn };
    return {
      changes: on ? [] : [validationChange(arn, false, true)],
      restore,
      notes: on ? [`${arn} validates its log files already.`] : [],
      output,
      async apply() {
        await setValidation(context, arn, true);
        return output;
      },
    };
  },
};

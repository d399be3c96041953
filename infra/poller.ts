/** The GuardDuty poller's schedule: EventBridge Scheduler invokes the poller function (every 5 minutes by default). */
import type { DeployConfig } from './config.ts';
import { type DeployedFunction, serviceTrustPolicy } from './lambda.ts';
import type { TemplateValues } from './permissions.ts';

export interface PollerSchedule {
  readonly role: aws.iam.Role;
  readonly schedule: aws.scheduler.Schedule;
}

export function createPollerSchedule(
  config: DeployConfig,
  values: $util.Output<TemplateValues>,
  poller: DeployedFunction,
  deadLetterQueue: aws.sqs.Queue,
): PollerSchedule {
  const role = new aws.iam.Role('PollerScheduleRole', {
    name: `${config.prefix}-poller-schedule`,
    assumeRolePolicy: values.apply((resolved) =>
      serviceTrustPolicy('scheduler.amazonaws.com', resolved.account),
    ),
  });
  const policy = new aws.iam.RolePolicy('PollerSchedulePolicy', {
    name: 'cordon',
    role: role.name,
    policy: $util.all([poller.arn, deadLetterQueue.arn]).apply(([pollerArn, queueArn]) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'InvokePoller', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [pollerArn] },
          { Sid: 'DeadLetters', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn] },
        ],
      }),
    ),
  });
  const schedule = new aws.scheduler.Schedule(
    'PollerSchedule',
    {
      name: `${config.prefix}-poller`,
      description: 'Cordon: poll GuardDuty for findings updated since the last run',
      scheduleExpression: config.pollSchedule,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: poller.arn,
        roleArn: role.arn,
        // A missed run is covered by the next one (the cursor window overlaps): retry briefly, then dead-letter.
        retryPolicy: { maximumEventAgeInSeconds: 300, maximumRetryAttempts: 2 },
        deadLetterConfig: { arn: deadLetterQueue.arn },
      },
    },
    { dependsOn: [policy] },
  );
  return { role, schedule };
}

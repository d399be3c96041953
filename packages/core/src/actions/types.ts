import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { RetryableErrorName } from '../errors.ts';
import type { Change, Ledger } from '../ledger/ledger.ts';
import type { StepId } from '../playbooks/ids.ts';
import type { Settings } from '../policy/settings.ts';
import * as z from '../zod.ts';

/**
 * The AWS clients an action may use, for the incident's account and region, made once by the adapter
 * (the Lambda handler, or the local engine on the sandbox account) and handed in as narrow types.
 */
export interface AwsClients {
  readonly ec2: Pick<EC2Client, 'send'>;
  readonly iam: Pick<IAMClient, 'send'>;
  readonly autoScaling: Pick<AutoScalingClient, 'send'>;
  readonly elbv2: Pick<ElasticLoadBalancingV2Client, 'send'>;
  readonly elb: Pick<ElasticLoadBalancingClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
  /** S3's bucket-level API (a bucket's Block Public Access, policy, default encryption). */
  readonly s3: Pick<S3Client, 'send'>;
  /** S3 Control: the account's Block Public Access (PutPublicAccessBlock with an `AccountId`). */
  readonly s3Control: Pick<S3ControlClient, 'send'>;
  readonly cloudTrail: Pick<CloudTrailClient, 'send'>;
  readonly kms: Pick<KMSClient, 'send'>;
  /** RDS: a DB instance's public accessibility, the `restore` attribute of DB (cluster) snapshots. */
  readonly rds: Pick<RDSClient, 'send'>;
}

export interface ActionLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** Where notifications go; the adapter fills it from its configuration and SSM secrets. */
export interface NotificationTargets {
  readonly snsTopicArn?: string;
  /** A Slack incoming-webhook URL (a secret: never logged). */
  readonly slackWebhookUrl?: string;
  /** HTTP client for Slack; `globalThis.fetch` unless a test or the local engine gives another. */
  readonly fetch?: typeof fetch;
  /** Waits for Slack's `Retry-After` (tests pass a fake clock); a timer unless given. */
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

/** Everything an action needs besides its input. Nothing here reads the environment. */
export interface ActionContext {
  readonly step: StepId;
  readonly incidentId: string;
  readonly account: string;
  readonly region: string;
  /** In dry-run an action reads live state and reports what it would do; it makes no mutating call. */
  readonly dryRun: boolean;
  readonly settings: Settings;
  readonly settingsVersion: string;
  readonly clients: AwsClients;
  readonly ledger: Ledger;
  readonly logger: ActionLogger;
  readonly notifications?: NotificationTargets;
  now(): Date;
}

/**
 * The fields every step input carries (the playbook passes them from the incident and the decision);
 * each action's input schema extends them.
 */
export const StepEnvelopeSchema = z.object({
  incidentId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be an incident id')),
  account: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region')),
  dryRun: z._default(z.boolean(), false),
  /**
   * The compliance controls the step's fix serves (`SecurityHub/EC2.13`, `CIS-1.2.0/4.1`, …; playbooks/controls.ts):
   * a posture playbook passes the controls of the rule that found the resource non-compliant, and every ledger
   * entry of the step carries them (evidence of each fix). Absent for steps that fix no control.
   */
  controls: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(64))),
});
export type StepEnvelope = z.output<typeof StepEnvelopeSchema>;

/** How a step ended when it did not throw. */
export type ActionStatus = 'done' | 'already-done' | 'dry-run';

/**
 * What an action found and means to do, computed from live state before any change (DOMAIN.md item 11).
 * `runAction` records it, then calls `apply` — unless there is nothing to change, or the run is a dry run.
 */
export interface ActionPlan<O = unknown> {
  /** What `apply` will change; empty when everything is already as it should be. */
  readonly changes: readonly Change[];
  /** What a release needs to undo the change (recorded in the ledger before `apply` runs). */
  readonly restore?: unknown;
  readonly notes: readonly string[];
  /** The result when nothing is applied (already done, or dry-run). */
  readonly output: O;
  /** Makes the changes; idempotent, so a retry after a fault mid-way finishes the job. */
  apply(): Promise<O>;
}

/** The result of a step, passed on to the playbook. */
export interface ActionOutcome<O = unknown> {
  readonly step: StepId;
  readonly status: ActionStatus;
  readonly dryRun: boolean;
  readonly changes: readonly Change[];
  readonly output: O;
  readonly notes: readonly string[];
}

/** One IAM statement an action's function needs; infra builds each function's policy from these. */
export interface Permission {
  readonly actions: readonly string[];
  /**
   * ARNs or patterns with `{account}`/`{region}` placeholders (and, for Cordon's own resources, `{prefix}`:
   * `cordon-<stage>`; `{quarantineRole}`: the quarantine profile's role); `*` where the action has no resource
   * type in the Service Authorization Reference.
   */
  readonly resources: readonly string[];
  readonly condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
  /** Why the action needs it: shown in docs/actions.md. */
  readonly why: string;
}

/**
 * What makes two statements the same grant (actions, resources, condition): one key, so that a union of
 * permissions (contain-instance's, made of its parts') keeps each grant once.
 */
export function permissionKey(permission: Pick<Permission, 'actions' | 'resources' | 'condition'>): string {
  return JSON.stringify([permission.actions, permission.resources, permission.condition ?? null]);
}

/**
 * How a remediation is undone from what its plan recorded: the release action (`release-remediation`) reads an
 * incident's ledger, and for each step whose action declares a release, validates the step's first `planned`
 * restore record with `restore` and runs `plan` on it — under the same rules as any action (`runAction`:
 * dry-run, already done, the ledger, error names). Its function and member-account role hold the union of
 * every release's `permissions`.
 */
export interface ActionRelease<R = unknown> {
  /** One sentence: what the release puts back. */
  readonly summary: string;
  /** The schema of the restore record the action's plan writes (ledger data is validated before it is trusted). */
  readonly restore: z.ZodMiniType<R>;
  /** What the release calls, each with why (the release function holds them, not the action's function). */
  readonly permissions: readonly Permission[];
  /**
   * Reads live state and returns what putting back exactly what the fix removed changes: idempotent (what is
   * already back is not changed again), so a second release, or a retry after a fault mid-way, finishes the job.
   */
  plan(restore: R, context: ActionContext): Promise<ActionPlan<unknown>>;
}

/**
 * A declared unit of remediation: id, input schema, IAM permissions, the errors Step Functions retries,
 * and the code. A conformance test walks the catalog so that nothing is missing.
 */
export interface ActionDefinition<I extends StepEnvelope = StepEnvelope, O = unknown> {
  readonly id: StepId;
  /** One sentence: what the action changes. */
  readonly summary: string;
  /** How the change is undone (or why there is nothing to undo). */
  readonly undo: string;
  /** What dry-run does. */
  readonly dryRunBehaviour: string;
  /**
   * `false` for actions that change nothing in the account (notify): they run in dry-run too, so that a
   * team trying Cordon out is told what would have happened.
   */
  readonly mutating: boolean;
  /**
   * `true` for an action that takes a lease in the ledger table on what it changes (`Ledger.acquireLease`),
   * so that two incidents never change one resource at once; its function may then give leases back.
   */
  readonly leases?: boolean;
  readonly input: z.ZodMiniType<I>;
  readonly permissions: readonly Permission[];
  readonly retryableErrors: readonly RetryableErrorName[];
  /** Reads live state and returns what it would change; never changes anything itself. */
  plan(input: I, context: ActionContext): Promise<ActionPlan<O>>;
  /**
   * How a release undoes what `plan` recorded in `restore` (a remediation that declares one can be released
   * from the ledger by `remediation-release`); absent for actions released otherwise (`ec2-release`) or never.
   */
  // biome-ignore lint/suspicious/noExplicitAny: each action's restore record has its own type.
  readonly release?: ActionRelease<any>;
}

import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { ActionFailedError } from '../errors.ts';
import * as z from '../zod.ts';
import { TargetRuleSchema } from './revoke-open-ingress.ts';
import { assertBucketNotExempt, BucketNameSchema, READ_BUCKET_TAGS, sendToOwnBucket } from './s3-buckets.ts';
import {
  type ActionContext,
  type ActionDefinition,
  type ActionPlan,
  type ActionRelease,
  StepEnvelopeSchema,
} from './types.ts';

/** The rule this action answers (config-rules.ts). */
export const SECURE_TRANSPORT_RULES = ['S3_BUCKET_SSL_REQUESTS_ONLY'] as const;

/**
 * The Sid of the one statement Cordon adds, and the only one its release removes. Letters only: the IAM policy
 * grammar's `Sid` takes "ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
 */
export const SECURE_TRANSPORT_SID = 'CordonDenyInsecureTransport';

/** GetBucketPolicy on a bucket without a policy (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html). */
const NO_POLICY = 'NoSuchBucketPolicy';

const ATTRIBUTE = 's3:bucketPolicy';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Statement = { [key: string]: Json };

export const RequireSecureTransportInput = z.extend(StepEnvelopeSchema, {
  bucketName: BucketNameSchema,
  rule: z.optional(TargetRuleSchema),
});
export type RequireSecureTransportInput = z.output<typeof RequireSecureTransportInput>;

export interface RequireSecureTransportOutput {
  readonly bucketName: string;
  /** The statement's Sid when it was added (or a dry run would add it); absent when the policy denied HTTP already. */
  readonly added?: string;
  /** How many statements of the policy were kept as they were. */
  readonly keptStatements: number;
}

/** What a release needs: the policy before the fix, verbatim (`null`: none), and the policy the fix wrote. */
export const SecureTransportRestoreSchema = z.object({
  bucketName: BucketNameSchema,
  previousPolicy: z.nullable(z.string()),
  appliedPolicy: z.string(),
});
export type SecureTransportRestore = z.output<typeof SecureTransportRestoreSchema>;

/**
 * The statement: deny every S3 action on the bucket and its objects to anyone when the request is not sent over
 * TLS — the statement Security Hub's S3.5 remediation shows ("Effect": "Deny", "Principal": "*", "Action": "s3:*",
 * "Condition": {"Bool": {"aws:SecureTransport": "false"}},
 * https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5); `aws:SecureTransport` is "false"
 * for a request not sent over TLS
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport).
 */
export function secureTransportStatement(bucket: string): Statement {
  return {
    Sid: SECURE_TRANSPORT_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

function list(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The policy document, or a named refusal when S3 answers something that is not a JSON object. */
function parsePolicy(text: string, bucket: string): { [key: string]: Json } {
  try {
    const parsed = JSON.parse(text) as Json;
    if (isObject(parsed)) return parsed;
  } catch {
    // fall through to the refusal below
  }
  throw new ActionFailedError(`The policy of bucket ${bucket} is not a JSON object; nothing was changed.`);
}

/** Whether a statement denies everyone every S3 action over plain HTTP on the bucket and its objects. */
function deniesInsecureTransport(statement: Json, bucket: string): boolean {
  if (!isObject(statement) || statement.Effect !== 'Deny') return false;
  const principal = statement.Principal;
  const everyone = principal === '*' || (isObject(principal) && list(principal.AWS).includes('*'));
  const actions = list(statement.Action);
  const allActions = actions.includes('s3:*') || actions.includes('*');
  const resources = list(statement.Resource);
  const covers =
    resources.includes('*') ||
    (resources.includes(`arn:aws:s3:::${bucket}`) &&
      (resources.includes(`arn:aws:s3:::${bucket}/*`) || resources.includes(`arn:aws:s3:::${bucket}*`)));
  const bool = isObject(statement.Condition) ? statement.Condition.Bool : undefined;
  const secure = isObject(bool) ? list(bool['aws:SecureTransport']) : [];
  const onHttp = secure.some((value) => value === 'false' || value === false);
  return everyone && allActions && covers && onHttp;
}

async function readPolicy(context: ActionContext, bucket: string): Promise<string | null> {
  const answer = await sendToOwnBucket(
    context,
    'GetBucketPolicy',
    bucket,
    (owned) => context.clients.s3.send(new GetBucketPolicyCommand(owned)),
    NO_POLICY,
  );
  return answer?.Policy ?? null;
}

async function putPolicy(context: ActionContext, bucket: string, policy: string): Promise<void> {
  await sendToOwnBucket(context, 'PutBucketPolicy', bucket, (owned) =>
    context.clients.s3.send(new PutBucketPolicyCommand({ ...owned, Policy: policy })),
  );
}

/**
 * The release of `require-secure-transport`: removes exactly the statement Cordon added. A policy still as the fix
 * wrote it is put back verbatim as it was before (its text, statement order and formatting), or deleted when the
 * bucket had no policy; a policy edited since keeps every edit, and only Cordon's statement (by its Sid) leaves it —
 * the policy is deleted only when nothing else is left in it.
 */
export const secureTransportRelease: ActionRelease<SecureTransportRestore> = {
  summary:
    'Removes exactly the statement Cordon added to the bucket policy: the policy from before the fix verbatim, or no policy when the bucket had none.',
  restore: SecureTransportRestoreSchema,
  permissions: [
    {
      actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
      resources: ['arn:aws:s3:::*'],
      why: 'Read the bucket policy and put back the one from before the fix, or delete the policy the fix created when the bucket had none.',
    },
  ],
  async plan(restore, context): Promise<ActionPlan<RequireSecureTransportOutput>> {
    const { bucketName, previousPolicy, appliedPolicy } = restore;
    const live = await readPolicy(context, bucketName);
    const statements = live === null ? [] : list(parsePolicy(live, bucketName).Statement);
    // Only a statement that is still the fix's — its Sid *and* the deny of insecure transport — is removed: a
    // person who reused the Sid for something else keeps it.
    const ours = statements.filter(
      (statement) =>
        isObject(statement) &&
        statement.Sid === SECURE_TRANSPORT_SID &&
        deniesInsecureTransport(statement, bucketName),
    );
    const others = statements.filter((statement) => !ours.includes(statement));
    const output: RequireSecureTransportOutput = { bucketName, keptStatements: others.length };
    if (live === null || ours.length === 0) {
      return { changes: [], notes: [], output, apply: async () => output };
    }
    // As the fix left it: the policy from before, verbatim. Edited since: every edit kept, only ours removed.
    const next =
      live === appliedPolicy
        ? previousPolicy
        : others.length === 0
          ? null
          : JSON.stringify({ ...parsePolicy(live, bucketName), Statement: others });
    return {
      changes: [
        {
          resource: bucketName,
          attribute: `${ATTRIBUTE}:${SECURE_TRANSPORT_SID}`,
          before: ours[0],
          after: null,
        },
      ],
      notes:
        live === appliedPolicy
          ? []
          : [
              'The policy was edited since the fix: every edit is kept, and only the statement Cordon added is removed.',
            ],
      output,
      async apply() {
        if (next !== null) {
          await putPolicy(context, bucketName, next);
          return output;
        }
        await sendToOwnBucket(context, 'DeleteBucketPolicy', bucketName, (owned) =>
          context.clients.s3.send(new DeleteBucketPolicyCommand(owned)),
        );
        return output;
      },
    };
  },
};

/**
 * `require-secure-transport`: adds one statement to a bucket's policy that denies every request not sent over TLS,
 * which `s3-bucket-ssl-requests-only` requires ("COMPLIANT if buckets explicitly deny access to HTTP requests",
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html). Every other
 * statement of the policy is kept as it is; the policy from before (verbatim, or its absence) is recorded first,
 * for `remediation-release`. A policy that already denies HTTP to everyone on the bucket and its objects is left
 * alone (`already-done`), so is one that holds Cordon's statement.
 *
 * A client still sending plain HTTP is refused from then on, so the playbook asks for approval by default.
 * Refuses, named and before any change, an exempt bucket and a policy that is not JSON.
 *
 * @example
 * await runAction(requireSecureTransport, { ...envelope, bucketName: 'amzn-s3-demo-bucket' }, environment)
 * // changes: amzn-s3-demo-bucket s3:bucketPolicy:CordonDenyInsecureTransport null → { Effect: 'Deny', … }
 */
export const requireSecureTransport: ActionDefinition<
  RequireSecureTransportInput,
  RequireSecureTransportOutput
> = {
  id: 'require-secure-transport',
  summary:
    "Adds one statement to a bucket's policy denying every request not sent over TLS, keeping every other statement.",
  undo: 'Released from the ledger by `remediation-release`: exactly the added statement is removed (the policy from before put back verbatim, or deleted when the bucket had none).',
  dryRunBehaviour:
    "Reads the bucket's tags and policy and records the statement it would add; no call changes anything.",
  mutating: true,
  input: RequireSecureTransportInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    READ_BUCKET_TAGS,
    {
      actions: ['s3:GetBucketPolicy'],
      resources: ['arn:aws:s3:::*'],
      why: 'Read the bucket policy, to keep every statement and record the policy for a release.',
    },
    {
      actions: ['s3:PutBucketPolicy'],
      resources: ['arn:aws:s3:::*'],
      why: 'Write the policy with the one added Deny statement; any bucket, since any bucket may be found accepting HTTP.',
    },
  ],
  release: secureTransportRelease,
  async plan(input, context): Promise<ActionPlan<RequireSecureTransportOutput>> {
    const { bucketName, rule } = input;
    if (rule !== undefined && !(SECURE_TRANSPORT_RULES as readonly string[]).includes(rule.identifier)) {
      throw new ActionFailedError(
        `require-secure-transport does not know the Config rule ${rule.identifier} (${rule.name}): it answers ${SECURE_TRANSPORT_RULES.join(', ')}; nothing was changed.`,
      );
    }
    await assertBucketNotExempt(context, bucketName);
    const previousPolicy = await readPolicy(context, bucketName);
    const document =
      previousPolicy === null ? { Version: '2012-10-17' } : parsePolicy(previousPolicy, bucketName);
    const statements = list(document.Statement);
    // Done already only when a statement truly denies plain HTTP on the bucket and its objects (Cordon's, or the
    // owner's own under any Sid): a statement that merely carries Cordon's Sid proves nothing.
    const already = statements.some((statement) => deniesInsecureTransport(statement, bucketName));
    const impostor = statements.find(
      (statement) =>
        isObject(statement) &&
        statement.Sid === SECURE_TRANSPORT_SID &&
        !deniesInsecureTransport(statement, bucketName),
    );
    if (!already && impostor !== undefined) {
      // Adding the fix would give the policy two statements with one Sid, and the release removes by that Sid.
      throw new ActionFailedError(
        `The policy of ${bucketName} has a statement with Sid ${SECURE_TRANSPORT_SID} that does not deny requests not sent over TLS: Cordon cannot add its own beside it; rename that statement. Nothing was changed.`,
      );
    }
    const statement = secureTransportStatement(bucketName);
    const appliedPolicy = JSON.stringify({ ...document, Statement: [...statements, statement] });
    const output: RequireSecureTransportOutput = {
      bucketName,
      ...(already ? {} : { added: SECURE_TRANSPORT_SID }),
      keptStatements: statements.length,
    };
    const restore: SecureTransportRestore = { bucketName, previousPolicy, appliedPolicy };
    return {
      changes: already
        ? []
        : [
            {
              resource: bucketName,
              attribute: `${ATTRIBUTE}:${SECURE_TRANSPORT_SID}`,
              before: null,
              after: statement,
            },
          ],
      restore,
      notes: already
        ? ['The policy already denies requests not sent over TLS: nothing to add.']
        : [`Clients of ${bucketName} that still send plain HTTP are refused from now on.`],
      output,
      async apply() {
        await putPolicy(context, bucketName, appliedPolicy);
        return output;
      },
    };
  },
};

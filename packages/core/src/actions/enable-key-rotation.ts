/**
 * `enable-key-rotation`: the fix of `cmk-backing-key-rotation-enabled` ("Checks if automatic key rotation is enabled
 * for each key and matches to the key ID of the customer created AWS KMS key", identifier
 * CMK_BACKING_KEY_ROTATION_ENABLED, resource type AWS::KMS::Key, periodic, no parameters:
 * https://docs.aws.amazon.com/config/latest/developerguide/cmk-backing-key-rotation-enabled.html). Security Hub KMS.4
 * is backed by it.
 *
 * AWS facts relied on (KMS API Reference, EnableKeyRotation,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html):
 * - "Automatic key rotation is supported only on symmetric encryption KMS keys. You cannot enable automatic rotation
 *   of asymmetric KMS keys, HMAC KMS keys, KMS keys with imported key material, or KMS keys in a custom key store. To
 *   enable or disable automatic rotation of a set of related multi-Region keys, set the property on the primary key."
 *   Cordon refuses each of those, named, before any change (DescribeKey answers KeySpec, Origin, MultiRegionConfiguration).
 * - "You cannot enable or disable automatic rotation of AWS managed KMS keys. AWS KMS always rotates the key material
 *   of AWS managed keys every year": an AWS managed key (KeyManager AWS) is not Cordon's to change, and is refused.
 * - RotationPeriodInDays: "If no value is specified, the default value is 365 days" (valid 90–2560). The rule checks
 *   only that rotation is on, and CIS (v1.2.0/2.8, v1.4.0/3.8 through Security Hub KMS.4) asks for rotation, not a
 *   period: the fix sends no period, so KMS's yearly default applies — the same yearly rotation AWS gives its own keys.
 * - Rotation changes only the key material used to encrypt; "all previous versions … remain available for use in
 *   perpetuity to decrypt" (https://docs.aws.amazon.com/kms/latest/cryptographic-details/rotate-customer-master-key.html),
 *   so nothing that uses the key breaks: the fix runs without approval by default.
 * - GetKeyRotationStatus answers KeyRotationEnabled; DisableKeyRotation turns it off
 *   (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html,
 *   https://docs.aws.amazon.com/kms/latest/APIReference/API_DisableKeyRotation.html).
 * IAM: every call acts on the `key` resource type
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html). KMS also
 * asks the key policy: a key whose policy does not let the account's IAM policies in refuses Cordon whatever its role
 * holds (AccessDeniedError, named).
 */
import {
  DescribeKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyRotationCommand,
  GetKeyRotationStatusCommand,
  type KeyMetadata,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { ActionFailedError, awsErrorCode, classifyAwsError, ResourceGoneError } from '../errors.ts';
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

/** A key id (UUID, or `mrk-` and 32 hex digits for a multi-Region key) or a key ARN. */
const KEY =
  /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/.+$/;

export const EnableKeyRotationInput = z.extend(StepEnvelopeSchema, {
  /** The key AWS Config named (`AWS::KMS::Key`): its key id, or its ARN. */
  keyId: z.string().check(z.regex(KEY, 'must be a KMS key id or key ARN')),
  rule: z.optional(TargetRuleSchema),
});
export type EnableKeyRotationInput = z.output<typeof EnableKeyRotationInput>;

export interface EnableKeyRotationOutput {
  /** The key's ARN. */
  readonly key: string;
  /** Whether this run turned rotation on (or would, in a dry run). */
  readonly enabled: boolean;
}

/** What the release needs: the key whose rotation the fix turned on (it was off before). */
export const KeyRotationRestoreSchema = z.object({
  arn: z.string().check(z.regex(KEY_ARN, 'must be a KMS key ARN')),
  wasEnabled: z.literal(false),
});
export type KeyRotationRestore = z.output<typeof KeyRotationRestoreSchema>;

/** NotFoundException: the key does not exist (any more). */
function isNotFound(error: unknown): boolean {
  return awsErrorCode(error) === 'NotFoundException';
}

async function describeKey(context: ActionContext, keyId: string): Promise<KeyMetadata> {
  let metadata: KeyMetadata | undefined;
  try {
    metadata = (await context.clients.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
  } catch (error) {
    if (isNotFound(error)) {
      throw new ResourceGoneError(
        `KMS key ${keyId} does not exist (any more) in ${context.region}: nothing was changed.`,
        { cause: error },
      );
    }
    throw classifyAwsError(error, `DescribeKey ${keyId}`);
  }
  if (metadata?.Arn === undefined) {
    throw new ResourceGoneError(
      `KMS key ${keyId} does not exist (any more) in ${context.region}: nothing was changed.`,
    );
  }
  return metadata;
}

/**
 * Why automatic rotation cannot or must not be turned on for this key, or `undefined` when it can: an AWS managed
 * key, a key of another account, a key that is not a symmetric encryption key with KMS key material, a multi-Region
 * replica, a key that is not enabled.
 */
export function rotationRefusal(key: KeyMetadata, account: string): string | undefined {
  const arn = key.Arn ?? key.KeyId ?? 'the key';
  if (key.KeyManager === 'AWS') {
    return `${arn} is an AWS managed key: AWS rotates it every year and lets no one change that, so it is not Cordon's to change`;
  }
  if (key.AWSAccountId !== undefined && key.AWSAccountId !== account) {
    return `${arn} belongs to account ${key.AWSAccountId}, not the incident's ${account}`;
  }
  if (key.KeySpec !== 'SYMMETRIC_DEFAULT') {
    return `${arn} is a ${key.KeySpec ?? 'non-symmetric'} key: KMS rotates only symmetric encryption keys automatically (asymmetric and HMAC keys are rotated by replacing them)`;
  }
  if (key.Origin !== 'AWS_KMS') {
    return `${arn} has key material of origin ${key.Origin ?? 'unknown'}: KMS cannot rotate imported key material or keys in a custom key store automatically`;
  }
  if (key.MultiRegionConfiguration?.MultiRegionKeyType === 'REPLICA') {
    return `${arn} is a multi-Region replica: rotation is set on its primary key (${key.MultiRegionConfiguration.PrimaryKey?.Arn ?? 'in its primary Region'})`;
  }
  if (key.KeyState !== 'Enabled') {
    return `${arn} is ${key.KeyState ?? 'not enabled'}: KMS turns rotation on only for an enabled key`;
  }
  return undefined;
}

async function rotationEnabled(context: ActionContext, arn: string): Promise<boolean> {
  try {
    const answer = await context.clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: arn }));
    return answer.KeyRotationEnabled === true;
  } catch (error) {
    throw classifyAwsError(error, `GetKeyRotationStatus ${arn}`);
  }
}

function rotationChange(arn: string, before: boolean, after: boolean): Change {
  return {
    resource: arn,
    attribute: 'automatic key rotation',
    before: before ? 'on' : 'off',
    after: after ? 'on' : 'off',
  };
}

/**
 * The release: turns automatic rotation off again on the key the fix turned it on (it was off before), if it is
 * still on. A key that no longer exists, or whose rotation is off already, is left as it is.
 */
export const keyRotationRelease: ActionRelease<KeyRotationRestore> = {
  summary: 'Turns automatic rotation off again on the KMS key the fix turned it on (it was off before).',
  restore: KeyRotationRestoreSchema,
  permissions: [
    {
      actions: ['kms:GetKeyRotationStatus', 'kms:DisableKeyRotation'],
      resources: ['arn:aws:kms:{region}:{account}:key/*'],
      why: 'Read whether the key still rotates, and turn rotation off again on the key the fix turned it on; only in a release a person approved.',
    },
  ],
  async plan(restore, context): Promise<ActionPlan<unknown>> {
    const [, region, account] = KEY_ARN.exec(restore.arn) ?? [];
    if (region !== context.region || account !== context.account) {
      throw new ActionFailedError(
        `The fix changed ${restore.arn}, but the release runs in ${context.account} ${context.region}: nothing was changed.`,
      );
    }
    let on: boolean;
    try {
      const answer = await context.clients.kms.send(new GetKeyRotationStatusCommand({ KeyId: restore.arn }));
      on = answer.KeyRotationEnabled === true;
    } catch (error) {
      if (!isNotFound(error)) throw classifyAwsError(error, `GetKeyRotationStatus ${restore.arn}`);
      return {
        changes: [],
        notes: [`${restore.arn} no longer exists: nothing to put back.`],
        output: { key: restore.arn, disabled: false },
        apply: async () => ({ key: restore.arn, disabled: false }),
      };
    }
    const output = { key: restore.arn, disabled: on };
    return {
      changes: on ? [rotationChange(restore.arn, true, false)] : [],
      notes: on ? [] : [`${restore.arn} does not rotate already.`],
      output,
      async apply() {
        try {
          await context.clients.kms.send(new DisableKeyRotationCommand({ KeyId: restore.arn }));
        } catch (error) {
          throw classifyAwsError(error, `DisableKeyRotation ${restore.arn}`);
        }
        return output;
      },
    };
  },
};

/**
 * `enable-key-rotation`: turns on automatic rotation (KMS's yearly default) of the customer managed symmetric key
 * AWS Config named, after recording that it was off. Rotation on already is `already-done`; an exempt key is refused;
 * a key KMS cannot rotate, or that is not Cordon's to change (an AWS managed key, another account's), is refused,
 * named, before any change.
 *
 * @example
 * await runAction(enableKeyRotation, { ...envelope, keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }, environment)
 * // changes: arn:aws:kms:us-east-1:123456789012:key/1234abcd-… automatic key rotation: off → on
 */
export const enableKeyRotation: ActionDefinition<EnableKeyRotationInput, EnableKeyRotationOutput> = {
  id: 'enable-key-rotation',
  summary:
    'Turns on automatic rotation (yearly, KMS’s default period) of the customer managed symmetric KMS key an AWS Config rule named.',
  undo: 'Released from the ledger by `remediation-release` (always approved by a person): rotation is turned off again on that key, only if the fix turned it on.',
  dryRunBehaviour:
    'Reads the key, its tags and its rotation status and records whether it would turn rotation on; no call changes anything.',
  mutating: true,
  input: EnableKeyRotationInput,
  retryableErrors: ['ThrottledError', 'TransientServiceError'],
  permissions: [
    {
      actions: ['kms:DescribeKey', 'kms:ListResourceTags', 'kms:GetKeyRotationStatus'],
      resources: ['arn:aws:kms:{region}:{account}:key/*'],
      why: 'Read the key (who manages it, its spec, origin, state, multi-Region type), its exemption tag, and whether it rotates.',
    },
    {
      actions: ['kms:EnableKeyRotation'],
      resources: ['arn:aws:kms:{region}:{account}:key/*'],
      why: 'Turn automatic rotation on (no rotation period: KMS’s yearly default).',
    },
  ],
  release: keyRotationRelease,
  async plan(input, context): Promise<ActionPlan<EnableKeyRotationOutput>> {
    const key = await describeKey(context, input.keyId);
    const arn = key.Arn ?? input.keyId;
    const refusal = rotationRefusal(key, input.account);
    if (refusal !== undefined) throw new ActionFailedError(`${refusal}; nothing was changed.`);
    let tags: { Key?: string; Value?: string }[];
    try {
      const answer = await context.clients.kms.send(new ListResourceTagsCommand({ KeyId: arn }));
      tags = (answer.Tags ?? []).map((tag) => ({ Key: tag.TagKey, Value: tag.TagValue }));
    } catch (error) {
      throw classifyAwsError(error, `ListResourceTags ${arn}`);
    }
    assertNotExempt(tags, context.settings, arn);
    const on = await rotationEnabled(context, arn);
    const output: EnableKeyRotationOutput = { key: arn, enabled: !on };
    const restore: KeyRotationRestore = { arn, wasEnabled: false };
    return {
      changes: on ? [] : [rotationChange(arn, false, true)],
      restore,
      notes: on
        ? [`${arn} rotates already.`]
        : [
            'KMS makes new key material a year from now and every year after; earlier key material stays available to decrypt, so nothing that uses the key changes.',
          ],
      output,
      async apply() {
        try {
          await context.clients.kms.send(new EnableKeyRotationCommand({ KeyId: arn }));
        } catch (error) {
          throw classifyAwsError(error, `EnableKeyRotation ${arn}`);
        }
        return output;
      },
    };
  },
};

/**
 * KMS calls → IAM requests (SAR: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html).
 * Each acts on the `key` it names — by key id or ARN, or for DescribeKey also by alias, which KMS resolves to its key
 * ("kms:RequestAlias … when an alias is used in the request",
 * https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-request-alias). The key's
 * own keys come from DescribeKey and ListResourceTags: `aws:ResourceTag/…`, `kms:KeySpec`, `kms:KeyOrigin`,
 * `kms:KeyUsage`, `kms:MultiRegion`. The request carries `kms:CallerAccount`, and EnableKeyRotation
 * `kms:RotationPeriodInDays` when it names one.
 *
 * Not modelled: the key policy. KMS authorizes with the key policy too (a key policy that does not let the account
 * delegate to IAM refuses whatever the identity policy says): the IAM evaluation here cannot prove such a key lets
 * Cordon in (see docs/iam.md, Limits).
 */
import type { ContextValue, RequestContext } from '../conditions.ts';
import type { ResourceRequest } from '../evaluate.ts';
import { type CallScope, type RequestBuilder, request, resourceTags, text } from './scope.ts';

interface KeyMetadata {
  readonly Arn?: string;
  readonly KeySpec?: string;
  readonly Origin?: string;
  readonly KeyUsage?: string;
  readonly MultiRegion?: boolean;
}

async function keyResource(scope: CallScope, keyId: string): Promise<ResourceRequest> {
  const described = (await scope.read('KMS', 'DescribeKey', { KeyId: keyId })) as
    | { KeyMetadata?: KeyMetadata }
    | undefined;
  const key = described?.KeyMetadata;
  const arn =
    key?.Arn ??
    (keyId.startsWith('arn:') && keyId.includes(':key/')
      ? keyId
      : `arn:aws:kms:${scope.region}:${scope.account}:key/${keyId.startsWith('alias/') ? '*' : keyId}`);
  const tags = (await scope.read('KMS', 'ListResourceTags', { KeyId: arn })) as
    | { Tags?: { TagKey?: string; TagValue?: string }[] }
    | undefined;
  const context: Record<string, ContextValue> = {
    ...resourceTags(tags?.Tags?.map((tag) => ({ Key: tag.TagKey, Value: tag.TagValue }))),
  };
  if (key?.KeySpec !== undefined) context['kms:KeySpec'] = key.KeySpec;
  if (key?.Origin !== undefined) context['kms:KeyOrigin'] = key.Origin;
  if (key?.KeyUsage !== undefined) context['kms:KeyUsage'] = key.KeyUsage;
  if (key?.MultiRegion !== undefined) context['kms:MultiRegion'] = String(key.MultiRegion);
  return { arn, type: 'key', context };
}

const onKey =
  (
    action: string,
    requestContext?: (input: Readonly<Record<string, unknown>>) => RequestContext,
  ): RequestBuilder =>
  async (input, scope) => {
    const keyId = text(input, 'KeyId');
    if (keyId === undefined) throw new TypeError(`${action} without KeyId`);
    return [
      request(action, [await keyResource(scope, keyId)], {
        'kms:CallerAccount': scope.account,
        ...requestContext?.(input),
      }),
    ];
  };

export const KMS_REQUESTS: Readonly<Record<string, RequestBuilder>> = {
  DescribeKey: onKey('kms:DescribeKey', (input): RequestContext => {
    const keyId = text(input, 'KeyId') ?? '';
    const alias = keyId.startsWith('alias/') ? keyId : /:(alias\/.+)$/.exec(keyId)?.[1];
    return alias === undefined ? {} : { 'kms:RequestAlias': alias };
  }),
  GetKeyRotationStatus: onKey('kms:GetKeyRotationStatus'),
  EnableKeyRotation: onKey(
    'kms:EnableKeyRotation',
    (input): RequestContext =>
      typeof input.RotationPeriodInDays === 'number'
        ? { 'kms:RotationPeriodInDays': String(input.RotationPeriodInDays) }
        : {},
  ),
  DisableKeyRotation: onKey('kms:DisableKeyRotation'),
  ListResourceTags: onKey('kms:ListResourceTags'),
};

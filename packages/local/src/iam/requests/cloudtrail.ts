/**
 * CloudTrail calls → IAM requests (SAR: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html).
 * DescribeTrails has no resource type (`*`); the others act on the `trail` they name, by name or ARN. A name means
 * the trail of the caller's Region ("information is returned only if the names match the names of trails belonging
 * only to the current Region", DescribeTrails). The trail's tags are read with ListTags and given as
 * `aws:ResourceTag/…`, which the SAR lists for the `trail` resource type.
 */
import type { ResourceRequest } from '../evaluate.ts';
import { type CallScope, type RequestBuilder, request, resourceTags, text, unscoped } from './scope.ts';

function trailArn(scope: CallScope, nameOrArn: string): string {
  return nameOrArn.startsWith('arn:')
    ? nameOrArn
    : `arn:aws:cloudtrail:${scope.region}:${scope.account}:trail/${nameOrArn}`;
}

async function trailResource(scope: CallScope, nameOrArn: string): Promise<ResourceRequest> {
  const arn = trailArn(scope, nameOrArn);
  const answer = (await scope.read('CloudTrail', 'ListTags', { ResourceIdList: [arn] })) as
    | { ResourceTagList?: { TagsList?: { Key?: string; Value?: string }[] }[] }
    | undefined;
  return { arn, type: 'trail', context: resourceTags(answer?.ResourceTagList?.[0]?.TagsList) };
}

const onTrail =
  (action: string): RequestBuilder =>
  async (input, scope) => {
    const name = text(input, 'Name');
    if (name === undefined) throw new TypeError(`${action} without Name`);
    return [request(action, [await trailResource(scope, name)])];
  };

export const CLOUDTRAIL_REQUESTS: Readonly<Record<string, RequestBuilder>> = {
  DescribeTrails: unscoped('cloudtrail:DescribeTrails'),
  GetTrail: onTrail('cloudtrail:GetTrail'),
  GetTrailStatus: onTrail('cloudtrail:GetTrailStatus'),
  StartLogging: onTrail('cloudtrail:StartLogging'),
  StopLogging: onTrail('cloudtrail:StopLogging'),
  UpdateTrail: onTrail('cloudtrail:UpdateTrail'),
  async ListTags(input, scope) {
    const arns = Array.isArray(input.ResourceIdList)
      ? input.ResourceIdList.filter((arn): arn is string => typeof arn === 'string')
      : [];
    if (arns.length === 0) throw new TypeError('ListTags without ResourceIdList');
    return [request('cloudtrail:ListTags', await Promise.all(arns.map((arn) => trailResource(scope, arn))))];
  },
};

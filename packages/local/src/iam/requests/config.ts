/**
 * AWS Config calls → IAM requests, from the Service Authorization Reference's AWS Config page
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsconfig.html):
 * `config:DescribeConfigRules` has no resource type ("you must specify all resources") and no condition key of
 * its own. The SDK client is `ConfigServiceClient`, so the service is `ConfigService`.
 */
import { type RequestBuilder, unscoped } from './scope.ts';

export const CONFIG_REQUESTS: Readonly<Record<string, RequestBuilder>> = {
  DescribeConfigRules: unscoped('config:DescribeConfigRules'),
};

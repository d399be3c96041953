/**
 * The request model: every AWS call Cordon makes → the IAM request(s) it needs (action, resources with their
 * context, request context). A call the model does not know is an {@link IamRequestUnknownError}: it is never
 * taken as allowed.
 */
import { IamRequestUnknownError } from '../errors.ts';
import type { IamRequest } from '../evaluate.ts';
import { CLOUDTRAIL_REQUESTS } from './cloudtrail.ts';
import { EC2_REQUESTS } from './ec2.ts';
import { IAM_REQUESTS, STS_REQUESTS } from './iam.ts';
import { KMS_REQUESTS } from './kms.ts';
import { RDS_REQUESTS } from './rds.ts';
import { S3_CONTROL_REQUESTS, S3_REQUESTS } from './s3.ts';
import type { CallScope, RequestBuilder } from './scope.ts';
import { SERVICE_REQUESTS } from './services.ts';

export type { CallScope, StateReader } from './scope.ts';

/** Service (as the SDK client names it: `EC2`, `ElasticLoadBalancingV2`…) → command → builder. */
export const REQUEST_MODEL: Readonly<Record<string, Readonly<Record<string, RequestBuilder>>>> = {
  EC2: EC2_REQUESTS,
  IAM: IAM_REQUESTS,
  STS: STS_REQUESTS,
  ...SERVICE_REQUESTS,
  S3: S3_REQUESTS,
  S3Control: S3_CONTROL_REQUESTS,
  CloudTrail: CLOUDTRAIL_REQUESTS,
  KMS: KMS_REQUESTS,
  RDS: RDS_REQUESTS,
};

/** One call as the sandbox records it (service and command without the SDK's suffixes). */
export interface ModelledCall {
  readonly service: string;
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
}

/**
 * The IAM requests of one call, with the principal's keys (`aws:PrincipalArn`, `aws:PrincipalAccount`,
 * `aws:RequestedRegion`: global keys every signed request carries) added to each.
 *
 * @example await iamRequestsFor({ service: 'SFN', command: 'SendTaskSuccess', input }, scope)
 * // [{ action: 'states:SendTaskSuccess', resources: [{ arn: '*' }], context: { 'aws:PrincipalArn': … } }]
 */
export async function iamRequestsFor(call: ModelledCall, scope: CallScope): Promise<IamRequest[]> {
  const builder = REQUEST_MODEL[call.service]?.[call.command];
  if (builder === undefined) {
    throw new IamRequestUnknownError(
      `The IAM request model does not know ${call.service}.${call.command}: add it to packages/local/src/iam/requests/`,
    );
  }
  let requests: readonly IamRequest[];
  try {
    requests = await builder(call.input, scope);
  } catch (error) {
    throw new IamRequestUnknownError(`${call.service}.${call.command}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const principal = {
    'aws:PrincipalArn': scope.principalArn,
    'aws:PrincipalAccount': scope.account,
    'aws:RequestedRegion': scope.region,
  };
  return requests.map((each) => ({ ...each, context: { ...principal, ...each.context } }));
}

/** The IAM actions a command may need, without its input (for the least-privilege report). */
export function modelledCommands(): { service: string; command: string }[] {
  return Object.entries(REQUEST_MODEL).flatMap(([service, commands]) =>
    Object.keys(commands).map((command) => ({ service, command })),
  );
}

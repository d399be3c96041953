/**
 * IAM and STS calls → IAM requests (SAR: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html).
 * IAM resources are global: their ARNs have no region, and carry the entity's path
 * (`arn:aws:iam::<account>:role/<path>/<name>`), read from the account's state.
 *
 * Giving an instance a profile passes the profile's role to EC2: `iam:PassRole` on that role, with
 * `iam:PassedToService` = `ec2.amazonaws.com` and `iam:AssociatedResourceArn` = the instance
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html,
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/permission-to-pass-iam-roles.html).
 */
import type { IamRequest, ResourceRequest } from '../evaluate.ts';
import { type CallScope, type RequestBuilder, request, text, unscoped } from './scope.ts';

function iamArn(scope: Pick<CallScope, 'account'>, type: string, name: string): string {
  return `arn:aws:iam::${scope.account}:${type}/${name}`;
}

async function userResource(scope: CallScope, userName: string): Promise<ResourceRequest> {
  const answer = (await scope.read('IAM', 'GetUser', { UserName: userName })) as
    | { User?: { Arn?: string } }
    | undefined;
  return { arn: answer?.User?.Arn ?? iamArn(scope, 'user', userName), type: 'user' };
}

async function roleResource(scope: CallScope, roleName: string): Promise<ResourceRequest> {
  const answer = (await scope.read('IAM', 'GetRole', { RoleName: roleName })) as
    | { Role?: { Arn?: string } }
    | undefined;
  return { arn: answer?.Role?.Arn ?? iamArn(scope, 'role', roleName), type: 'role' };
}

interface InstanceProfile {
  readonly Arn?: string;
  readonly Roles?: readonly { readonly Arn?: string }[];
}

async function instanceProfile(scope: CallScope, name: string): Promise<InstanceProfile | undefined> {
  const answer = (await scope.read('IAM', 'GetInstanceProfile', { InstanceProfileName: name })) as
    | { InstanceProfile?: InstanceProfile }
    | undefined;
  return answer?.InstanceProfile;
}

function userName(input: Readonly<Record<string, unknown>>, command: string): string {
  const name = text(input, 'UserName');
  // Without UserName IAM acts on the caller itself, which is a role here: Cordon always names the user.
  if (name === undefined) throw new TypeError(`${command} without UserName`);
  return name;
}

const onUser =
  (action: string): RequestBuilder =>
  async (input, scope) => [request(action, [await userResource(scope, userName(input, action))])];

const onRole =
  (action: string): RequestBuilder =>
  async (input, scope) => {
    const name = text(input, 'RoleName');
    if (name === undefined) throw new TypeError(`${action} without RoleName`);
    return [request(action, [await roleResource(scope, name)])];
  };

/** The `iam:PassRole` that associating `profile` with an instance needs (none for a profile without a role). */
export async function passRoleToEc2(
  profile: unknown,
  instanceArn: string,
  scope: CallScope,
): Promise<IamRequest[]> {
  const spec = (profile ?? {}) as { Arn?: string; Name?: string };
  const name = spec.Name ?? spec.Arn?.split('/').at(-1);
  if (name === undefined) return [];
  const roleArn = (await instanceProfile(scope, name))?.Roles?.[0]?.Arn;
  if (roleArn === undefined) return [];
  return [
    request('iam:PassRole', [{ arn: roleArn, type: 'role' }], {
      'iam:PassedToService': 'ec2.amazonaws.com',
      'iam:AssociatedResourceArn': instanceArn,
    }),
  ];
}

export const IAM_REQUESTS: Readonly<Record<string, RequestBuilder>> = {
  ListUsers: unscoped('iam:ListUsers'),
  // The account password policy is no resource: the three actions have no resource type (`*`).
  GetAccountPasswordPolicy: unscoped('iam:GetAccountPasswordPolicy'),
  UpdateAccountPasswordPolicy: unscoped('iam:UpdateAccountPasswordPolicy'),
  DeleteAccountPasswordPolicy: unscoped('iam:DeleteAccountPasswordPolicy'),
  ListAccessKeys: onUser('iam:ListAccessKeys'),
  GetUser: onUser('iam:GetUser'),
  ListUserTags: onUser('iam:ListUserTags'),
  GetLoginProfile: onUser('iam:GetLoginProfile'),
  DeleteLoginProfile: onUser('iam:DeleteLoginProfile'),
  UpdateAccessKey: onUser('iam:UpdateAccessKey'),
  GetUserPolicy: onUser('iam:GetUserPolicy'),
  PutUserPolicy: onUser('iam:PutUserPolicy'),
  DeleteUserPolicy: onUser('iam:DeleteUserPolicy'),
  GetRole: onRole('iam:GetRole'),
  ListRoleTags: onRole('iam:ListRoleTags'),
  GetRolePolicy: onRole('iam:GetRolePolicy'),
  PutRolePolicy: onRole('iam:PutRolePolicy'),
  DeleteRolePolicy: onRole('iam:DeleteRolePolicy'),

  async GetAccessKeyLastUsed(input, scope) {
    // Authorized on the user the key belongs to.
    const keyId = text(input, 'AccessKeyId');
    if (keyId === undefined) throw new TypeError('GetAccessKeyLastUsed without AccessKeyId');
    const answer = (await scope.read('IAM', 'GetAccessKeyLastUsed', { AccessKeyId: keyId })) as
      | { UserName?: string }
      | undefined;
    const owner = answer?.UserName;
    const resource: ResourceRequest =
      owner === undefined
        ? { arn: iamArn(scope, 'user', '*'), type: 'user' }
        : await userResource(scope, owner);
    return [request('iam:GetAccessKeyLastUsed', [resource])];
  },

  async GetInstanceProfile(input, scope) {
    const name = text(input, 'InstanceProfileName');
    if (name === undefined) throw new TypeError('GetInstanceProfile without InstanceProfileName');
    const arn = (await instanceProfile(scope, name))?.Arn ?? iamArn(scope, 'instance-profile', name);
    return [request('iam:GetInstanceProfile', [{ arn, type: 'instance-profile' }])];
  },
};

export const STS_REQUESTS: Readonly<Record<string, RequestBuilder>> = {
  AssumeRole(input) {
    const roleArn = text(input, 'RoleArn');
    if (roleArn === undefined) throw new TypeError('AssumeRole without RoleArn');
    return [request('sts:AssumeRole', [{ arn: roleArn, type: 'role' }])];
  },
  // "No permissions are required to perform this operation."
  // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
  GetCallerIdentity: () => [],
};

import type {
  AccessKeyMetadata,
  DeleteLoginProfileCommandInput,
  DeleteRolePolicyCommandInput,
  DeleteUserPolicyCommandInput,
  GetAccessKeyLastUsedCommandInput,
  GetAccessKeyLastUsedCommandOutput,
  GetInstanceProfileCommandInput,
  GetInstanceProfileCommandOutput,
  GetLoginProfileCommandInput,
  GetLoginProfileCommandOutput,
  GetRoleCommandInput,
  GetRoleCommandOutput,
  GetRolePolicyCommandInput,
  GetRolePolicyCommandOutput,
  GetUserCommandInput,
  GetUserCommandOutput,
  GetUserPolicyCommandInput,
  GetUserPolicyCommandOutput,
  InstanceProfile,
  ListAccessKeysCommandInput,
  ListAccessKeysCommandOutput,
  ListRoleTagsCommandInput,
  ListRoleTagsCommandOutput,
  ListUsersCommandInput,
  ListUsersCommandOutput,
  ListUserTagsCommandInput,
  ListUserTagsCommandOutput,
  PutRolePolicyCommandInput,
  PutUserPolicyCommandInput,
  Role,
  Tag,
  UpdateAccessKeyCommandInput,
  UpdateAccountPasswordPolicyCommandInput,
  User,
} from '@aws-sdk/client-iam';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import {
  noPasswordPolicy,
  type PasswordPolicyRecord,
  passwordPolicyFrom,
  toPasswordPolicy,
} from './iam-password-policy.ts';
import { getInlinePolicy, iamError, noSuchPolicy, putInlinePolicy } from './iam-policies.ts';
import { replaceState, reviveDate } from './restore-state.ts';

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeySeed {
  readonly accessKeyId: string;
  readonly status?: AccessKeyStatus;
  readonly createDate?: Date;
  readonly lastUsed?: { readonly date: Date; readonly serviceName: string; readonly region: string };
}

export interface UserSeed {
  readonly userName: string;
  readonly userId?: string;
  readonly path?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly accessKeys?: readonly AccessKeySeed[];
  /** Whether the user has a console password. */
  readonly loginProfile?: boolean;
  /** Policy name → policy document (JSON). */
  readonly inlinePolicies?: Readonly<Record<string, string>>;
}

export interface RoleSeed {
  readonly roleName: string;
  readonly roleId?: string;
  /** Defaults to `/`; `/aws-service-role/<service>/` when `serviceLinked`. */
  readonly path?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** A service-linked role (`AWSServiceRoleFor…`): only AWS may change it. */
  readonly serviceLinked?: boolean | { readonly service: string };
  /** The external id the role's trust policy demands of `sts:AssumeRole` callers, if any. */
  readonly externalId?: string;
  readonly maxSessionDuration?: number;
  readonly description?: string;
  readonly inlinePolicies?: Readonly<Record<string, string>>;
}

export interface InstanceProfileSeed {
  readonly name: string;
  readonly roleName?: string;
  readonly path?: string;
}

interface AccessKeyState {
  accessKeyId: string;
  status: AccessKeyStatus;
  createDate: Date;
  lastUsed?: { date: Date; serviceName: string; region: string };
}

interface UserState {
  userName: string;
  userId: string;
  path: string;
  arn: string;
  createDate: Date;
  tags: Tag[];
  accessKeys: AccessKeyState[];
  loginProfile?: { createDate: Date; passwordResetRequired: boolean };
  inlinePolicies: Record<string, string>;
}

interface RoleState {
  roleName: string;
  roleId: string;
  path: string;
  arn: string;
  createDate: Date;
  tags: Tag[];
  assumeRolePolicyDocument: string;
  externalId?: string;
  maxSessionDuration: number;
  description?: string;
  inlinePolicies: Record<string, string>;
}

interface InstanceProfileState {
  name: string;
  instanceProfileId: string;
  path: string;
  arn: string;
  createDate: Date;
  roleNames: string[];
}

export interface IamState {
  users: Record<string, UserState>;
  roles: Record<string, RoleState>;
  instanceProfiles: Record<string, InstanceProfileState>;
  /** The account password policy; absent until one is set. */
  passwordPolicy?: PasswordPolicyRecord;
}

export interface IamModelOptions {
  /**
   * The IAM user the sandbox's callers act as, if they are a user. Left unset the caller is a role (as
   * Cordon's responder is), and commands whose `UserName` AWS would default to the caller's user answer
   * `ValidationError` as AWS does for non-user credentials.
   */
  readonly callerUserName?: string;
}

/** Whether a role is one only AWS may change: service-linked and IAM Identity Center (SSO) roles. */
export function isProtectedRole(role: { readonly path: string; readonly roleName: string }): boolean {
  return (
    role.path.startsWith('/aws-service-role/') ||
    (role.path.startsWith('/aws-reserved/sso.amazonaws.com/') && role.roleName.startsWith('AWSReservedSSO_'))
  );
}

/**
 * The IAM model: users with access keys, login profiles, inline policies and tags; roles with inline
 * policies, tags and a trust policy's external id; instance profiles.
 *
 * @example
 * const iam = new IamModel(sandbox.context);
 * iam.addUser({ userName: 'alice', accessKeys: [{ accessKeyId: 'AKIAEXAMPLE000000001' }] });
 * sandbox.register(iam);
 */
export class IamModel implements ServiceModel {
  public readonly service = 'IAM';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: IamState = { users: {}, roles: {}, instanceProfiles: {} };

  public constructor(
    private readonly context: SandboxContext,
    private readonly options: IamModelOptions = {},
  ) {
    this.commands = {
      GetUser: typed((input: GetUserCommandInput) => this.getUser(input)),
      ListUsers: typed((input: ListUsersCommandInput) => this.listUsers(input)),
      ListAccessKeys: typed((input: ListAccessKeysCommandInput) => this.listAccessKeys(input)),
      UpdateAccessKey: typed((input: UpdateAccessKeyCommandInput) => this.updateAccessKey(input)),
      GetAccessKeyLastUsed: typed((input: GetAccessKeyLastUsedCommandInput) =>
        this.getAccessKeyLastUsed(input),
      ),
      PutUserPolicy: typed((input: PutUserPolicyCommandInput) =>
        putInlinePolicy(this.user(input.UserName), input),
      ),
      GetUserPolicy: typed((input: GetUserPolicyCommandInput) => this.getUserPolicy(input)),
      PutRolePolicy: typed((input: PutRolePolicyCommandInput) =>
        putInlinePolicy(this.modifiableRole(input.RoleName), input),
      ),
      GetRolePolicy: typed((input: GetRolePolicyCommandInput) => this.getRolePolicy(input)),
      DeleteRolePolicy: typed((input: DeleteRolePolicyCommandInput) => this.deleteRolePolicy(input)),
      DeleteUserPolicy: typed((input: DeleteUserPolicyCommandInput) => this.deleteUserPolicy(input)),
      GetLoginProfile: typed((input: GetLoginProfileCommandInput) => this.getLoginProfile(input)),
      DeleteLoginProfile: typed((input: DeleteLoginProfileCommandInput) => this.deleteLoginProfile(input)),
      GetRole: typed((input: GetRoleCommandInput) => this.getRole(input)),
      ListRoleTags: typed((input: ListRoleTagsCommandInput) => this.listRoleTags(input)),
      ListUserTags: typed((input: ListUserTagsCommandInput) => this.listUserTags(input)),
      GetInstanceProfile: typed((input: GetInstanceProfileCommandInput) => this.getInstanceProfile(input)),
      GetAccountPasswordPolicy: typed(() =>
        toPasswordPolicy(this.state.passwordPolicy, this.context.accountId),
      ),
      UpdateAccountPasswordPolicy: typed((input: UpdateAccountPasswordPolicyCommandInput) => {
        this.state.passwordPolicy = passwordPolicyFrom(input);
        return {};
      }),
      DeleteAccountPasswordPolicy: typed(() => {
        if (this.state.passwordPolicy === undefined) throw noPasswordPolicy(this.context.accountId);
        delete this.state.passwordPolicy;
        return {};
      }),
    };
  }

  // ---- seeding -------------------------------------------------------------------------------------

  /** Adds an IAM user with its access keys, console password and inline policies. */
  public addUser(seed: UserSeed): this {
    this.state.users[seed.userName] = {
      userName: seed.userName,
      userId: seed.userId ?? this.awsId('AIDA'),
      ...this.identity('user', seed.userName, seed.path ?? '/', seed.tags),
      accessKeys: (seed.accessKeys ?? []).map((key) => ({
        accessKeyId: key.accessKeyId,
        status: key.status ?? 'Active',
        createDate: key.createDate ?? this.context.now(),
        ...(key.lastUsed === undefined ? {} : { lastUsed: { ...key.lastUsed } }),
      })),
      ...(seed.loginProfile === true
        ? { loginProfile: { createDate: this.context.now(), passwordResetRequired: false } }
        : {}),
      inlinePolicies: { ...seed.inlinePolicies },
    };
    return this;
  }

  /** Adds an IAM role; `serviceLinked` puts it under `/aws-service-role/`, where only AWS may change it. */
  public addRole(seed: RoleSeed): this {
    const service =
      typeof seed.serviceLinked === 'object' ? seed.serviceLinked.service : 'sandbox.amazonaws.com';
    const path = seed.path ?? (seed.serviceLinked ? `/aws-service-role/${service}/` : '/');
    const trust: Record<string, unknown> = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: seed.serviceLinked
            ? { Service: service }
            : { AWS: `arn:aws:iam::${this.context.accountId}:root` },
          Action: 'sts:AssumeRole',
          ...(seed.externalId === undefined
            ? {}
            : { Condition: { StringEquals: { 'sts:ExternalId': seed.externalId } } }),
        },
      ],
    };
    this.state.roles[seed.roleName] = {
      roleName: seed.roleName,
      roleId: seed.roleId ?? this.awsId('AROA'),
      ...this.identity('role', seed.roleName, path, seed.tags),
      // AWS returns trust policies URL-encoded, like every policy document.
      assumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
      ...(seed.externalId === undefined ? {} : { externalId: seed.externalId }),
      maxSessionDuration: seed.maxSessionDuration ?? 3600,
      ...(seed.description === undefined ? {} : { description: seed.description }),
      inlinePolicies: { ...seed.inlinePolicies },
    };
    return this;
  }

  /** Adds an instance profile, optionally holding one role (an instance profile holds at most one). */
  public addInstanceProfile(seed: InstanceProfileSeed): this {
    const path = seed.path ?? '/';
    this.state.instanceProfiles[seed.name] = {
      name: seed.name,
      instanceProfileId: this.awsId('AIPA'),
      path,
      arn: `arn:aws:iam::${this.context.accountId}:instance-profile${path}${seed.name}`,
      createDate: this.context.now(),
      roleNames: seed.roleName === undefined ? [] : [seed.roleName],
    };
    return this;
  }

  /** Sets the account password policy as UpdateAccountPasswordPolicy would (parameters left out take defaults). */
  public setPasswordPolicy(policy: UpdateAccountPasswordPolicyCommandInput): this {
    this.state.passwordPolicy = passwordPolicyFrom(policy);
    return this;
  }

  /** The role named `roleName`, for the STS model's `AssumeRole` (a copy). */
  public findRole(roleName: string):
    | Readonly<{
        roleName: string;
        roleId: string;
        arn: string;
        externalId?: string;
        maxSessionDuration: number;
      }>
    | undefined {
    const role = this.state.roles[roleName];
    return role === undefined ? undefined : structuredClone(role);
  }

  /** A user's access keys as stored (a copy), for assertions. */
  public accessKeys(userName: string): AccessKeyState[] {
    return structuredClone(this.state.users[userName]?.accessKeys ?? []);
  }

  public snapshot(): IamState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: IamState): void {
    replaceState(this.state, state);
    // Its dates went through JSON as text: IAM answers them as Dates.
    for (const user of Object.values(this.state.users)) {
      user.createDate = reviveDate(user.createDate);
      if (user.loginProfile !== undefined)
        user.loginProfile.createDate = reviveDate(user.loginProfile.createDate);
      for (const key of user.accessKeys) {
        key.createDate = reviveDate(key.createDate);
        if (key.lastUsed !== undefined) key.lastUsed.date = reviveDate(key.lastUsed.date);
      }
    }
    for (const role of Object.values(this.state.roles)) role.createDate = reviveDate(role.createDate);
    for (const profile of Object.values(this.state.instanceProfiles))
      profile.createDate = reviveDate(profile.createDate);
  }

  // ---- users and access keys ------------------------------------------------------------------------

  private getUser(input: GetUserCommandInput): Out<GetUserCommandOutput> {
    return { User: toUser(this.user(this.userNameOrCaller(input.UserName))) };
  }

  private listUsers(input: ListUsersCommandInput): Out<ListUsersCommandOutput> {
    const prefix = input.PathPrefix ?? '/';
    const users = Object.values(this.state.users)
      .filter((user) => user.path.startsWith(prefix))
      .sort((a, b) => a.userName.localeCompare(b.userName))
      // ListUsers leaves tags out; GetUser and ListUserTags return them.
      .map((user) => ({ ...toUser(user), Tags: undefined }));
    return { Users: users, IsTruncated: false };
  }

  private listAccessKeys(input: ListAccessKeysCommandInput): Out<ListAccessKeysCommandOutput> {
    const user = this.user(this.userNameOrCaller(input.UserName));
    const metadata: AccessKeyMetadata[] = user.accessKeys.map((key) => ({
      UserName: user.userName,
      AccessKeyId: key.accessKeyId,
      Status: key.status,
      CreateDate: key.createDate,
    }));
    return { AccessKeyMetadata: metadata, IsTruncated: false };
  }

  private updateAccessKey(input: UpdateAccessKeyCommandInput): Record<string, never> {
    if (input.Status !== 'Active' && input.Status !== 'Inactive') {
      throw iamError(
        'ValidationError',
        `1 validation error detected: Value '${String(input.Status)}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`,
      );
    }
    const key = this.accessKey(this.user(this.userNameOrCaller(input.UserName)), input.AccessKeyId);
    key.status = input.Status;
    return {};
  }

  private getAccessKeyLastUsed(
    input: GetAccessKeyLastUsedCommandInput,
  ): Out<GetAccessKeyLastUsedCommandOutput> {
    for (const user of Object.values(this.state.users)) {
      const key = user.accessKeys.find((candidate) => candidate.accessKeyId === input.AccessKeyId);
      if (key === undefined) continue;
      return {
        UserName: user.userName,
        AccessKeyLastUsed:
          key.lastUsed === undefined
            ? // A key never used (since April 2015) answers N/A and no date, as AWS does.
              { ServiceName: 'N/A', Region: 'N/A' }
            : {
                LastUsedDate: key.lastUsed.date,
                ServiceName: key.lastUsed.serviceName,
                Region: key.lastUsed.region,
              },
      };
    }
    // The API lists no NoSuchEntity here: a key IAM cannot place in this account is refused as access denied.
    throw iamError(
      'AccessDenied',
      `User: ${this.callerArn()} is not authorized to perform: iam:GetAccessKeyLastUsed on resource: access key ${String(input.AccessKeyId)}`,
    );
  }

  // ---- inline policies ------------------------------------------------------------------------------

  private getUserPolicy(input: GetUserPolicyCommandInput): Out<GetUserPolicyCommandOutput> {
    const user = this.user(input.UserName);
    return { UserName: user.userName, ...getInlinePolicy(user, input.PolicyName) };
  }

  private getRolePolicy(input: GetRolePolicyCommandInput): Out<GetRolePolicyCommandOutput> {
    const role = this.role(input.RoleName);
    return { RoleName: role.roleName, ...getInlinePolicy(role, input.PolicyName) };
  }

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUserPolicy.html: NoSuchEntity when there is none. */
  private deleteUserPolicy(input: DeleteUserPolicyCommandInput): Record<string, never> {
    const user = this.user(input.UserName);
    const name = String(input.PolicyName);
    if (user.inlinePolicies[name] === undefined) throw noSuchPolicy(user, name);
    delete user.inlinePolicies[name];
    return {};
  }

  private deleteRolePolicy(input: DeleteRolePolicyCommandInput): Record<string, never> {
    const role = this.modifiableRole(input.RoleName);
    const name = String(input.PolicyName);
    if (role.inlinePolicies[name] === undefined) throw noSuchPolicy(role, name);
    delete role.inlinePolicies[name];
    return {};
  }

  // ---- console access --------------------------------------------------------------------------------

  private getLoginProfile(input: GetLoginProfileCommandInput): Out<GetLoginProfileCommandOutput> {
    const user = this.user(this.userNameOrCaller(input.UserName));
    if (user.loginProfile === undefined) {
      throw iamError('NoSuchEntity', `Login Profile for User ${user.userName} cannot be found.`);
    }
    return {
      LoginProfile: {
        UserName: user.userName,
        CreateDate: user.loginProfile.createDate,
        PasswordResetRequired: user.loginProfile.passwordResetRequired,
      },
    };
  }

  private deleteLoginProfile(input: DeleteLoginProfileCommandInput): Record<string, never> {
    const user = this.user(this.userNameOrCaller(input.UserName));
    if (user.loginProfile === undefined) {
      throw iamError('NoSuchEntity', `Login Profile for User ${user.userName} cannot be found.`);
    }
    delete user.loginProfile;
    return {};
  }

  // ---- roles, tags, instance profiles -----------------------------------------------------------------

  private getRole(input: GetRoleCommandInput): Out<GetRoleCommandOutput> {
    return { Role: toRole(this.role(input.RoleName)) };
  }

  private listRoleTags(input: ListRoleTagsCommandInput): Out<ListRoleTagsCommandOutput> {
    return { Tags: structuredClone(this.role(input.RoleName).tags), IsTruncated: false };
  }

  private listUserTags(input: ListUserTagsCommandInput): Out<ListUserTagsCommandOutput> {
    return { Tags: structuredClone(this.user(input.UserName).tags), IsTruncated: false };
  }

  private getInstanceProfile(input: GetInstanceProfileCommandInput): Out<GetInstanceProfileCommandOutput> {
    const profile = this.state.instanceProfiles[String(input.InstanceProfileName)];
    if (profile === undefined) {
      throw iamError(
        'NoSuchEntity',
        `Instance Profile ${String(input.InstanceProfileName)} cannot be found.`,
      );
    }
    return { InstanceProfile: this.toInstanceProfile(profile) };
  }

  // ---- lookups ----------------------------------------------------------------------------------------

  private user(userName: string | undefined): UserState {
    const user = this.state.users[String(userName)];
    if (user === undefined) {
      throw iamError('NoSuchEntity', `The user with name ${String(userName)} cannot be found.`);
    }
    return user;
  }

  private role(roleName: string | undefined): RoleState {
    const role = this.state.roles[String(roleName)];
    if (role === undefined) {
      throw iamError('NoSuchEntity', `The role with name ${String(roleName)} cannot be found.`);
    }
    return role;
  }

  private modifiableRole(roleName: string | undefined): RoleState {
    const role = this.role(roleName);
    if (isProtectedRole(role)) {
      throw iamError(
        'UnmodifiableEntity',
        `Cannot perform the operation on the protected role '${role.roleName}' - this role is only modifiable by AWS`,
      );
    }
    return role;
  }

  private accessKey(user: UserState, accessKeyId: string | undefined): AccessKeyState {
    const key = user.accessKeys.find((candidate) => candidate.accessKeyId === accessKeyId);
    if (key === undefined) {
      throw iamError('NoSuchEntity', `The Access Key with id ${String(accessKeyId)} cannot be found.`);
    }
    return key;
  }

  /** `UserName` when given; otherwise the calling user, which a role caller does not have. */
  private userNameOrCaller(userName: string | undefined): string {
    if (userName !== undefined) return userName;
    if (this.options.callerUserName !== undefined) return this.options.callerUserName;
    throw iamError('ValidationError', 'Must specify userName when calling with non-User credentials');
  }

  private callerArn(): string {
    return this.options.callerUserName === undefined
      ? `arn:aws:sts::${this.context.accountId}:assumed-role/sandbox-caller/sandbox`
      : `arn:aws:iam::${this.context.accountId}:user/${this.options.callerUserName}`;
  }

  private toInstanceProfile(profile: InstanceProfileState): InstanceProfile {
    return {
      Path: profile.path,
      InstanceProfileName: profile.name,
      InstanceProfileId: profile.instanceProfileId,
      Arn: profile.arn,
      CreateDate: profile.createDate,
      Roles: profile.roleNames.flatMap((name) => {
        const role = this.state.roles[name];
        return role === undefined ? [] : [{ ...toRole(role), Tags: undefined }];
      }),
    };
  }

  /** What users and roles both carry: path, ARN, creation date and tags. */
  private identity(
    kind: 'user' | 'role',
    name: string,
    path: string,
    tags: Readonly<Record<string, string>> | undefined,
  ): { path: string; arn: string; createDate: Date; tags: Tag[] } {
    return {
      path,
      arn: `arn:aws:iam::${this.context.accountId}:${kind}${path}${name}`,
      createDate: this.context.now(),
      tags: toTags(tags),
    };
  }

  /** IAM unique ids: a four-letter prefix and 17 upper-case alphanumerics (`AIDA…`, `AROA…`). */
  private awsId(prefix: string): string {
    return this.context.nextId(prefix, 17).replace('-', '').toUpperCase();
  }
}

function toTags(tags: Readonly<Record<string, string>> | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

function toUser(user: UserState): User {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: user.createDate,
    ...(user.tags.length > 0 ? { Tags: structuredClone(user.tags) } : {}),
  };
}

function toRole(role: RoleState): Role {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: role.assumeRolePolicyDocument,
    MaxSessionDuration: role.maxSessionDuration,
    ...(role.description === undefined ? {} : { Description: role.description }),
    ...(role.tags.length > 0 ? { Tags: structuredClone(role.tags) } : {}),
  };
}

import type {
  AccessKeyMetadata,
  CreateLoginProfileCommandInput,
  CreateLoginProfileCommandOutput,
  DeleteAccessKeyCommandInput,
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
  ListInstanceProfilesForRoleCommandInput,
  ListInstanceProfilesForRoleCommandOutput,
  ListRolePoliciesCommandInput,
  ListRolePoliciesCommandOutput,
  ListRoleTagsCommandInput,
  ListRoleTagsCommandOutput,
  ListUserPoliciesCommandInput,
  ListUserPoliciesCommandOutput,
  ListUsersCommandInput,
  ListUsersCommandOutput,
  ListUserTagsCommandInput,
  ListUserTagsCommandOutput,
  PutRolePolicyCommandInput,
  PutUserPolicyCommandInput,
  Role,
  Tag,
  UpdateAccessKeyCommandInput,
  User,
} from '@aws-sdk/client-iam';
import { awsError, type SandboxServiceError } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';

/**
 * IAM error codes the model throws → the SDK v3 exception name and HTTP status. The SDK names modelled
 * IAM exceptions `<Code>Exception` (`NoSuchEntity` → `NoSuchEntityException`) while `Code` keeps the wire
 * code; action code matches on `name`, so the sandbox must give the same one.
 */
const IAM_ERRORS: Readonly<Record<string, readonly [name: string, status: number]>> = {
  NoSuchEntity: ['NoSuchEntityException', 404],
  EntityAlreadyExists: ['EntityAlreadyExistsException', 409],
  MalformedPolicyDocument: ['MalformedPolicyDocumentException', 400],
  UnmodifiableEntity: ['UnmodifiableEntityException', 400],
  LimitExceeded: ['LimitExceededException', 409],
  InvalidInput: ['InvalidInputException', 400],
  // Not modelled by the SDK: the name stays the wire code.
  AccessDenied: ['AccessDenied', 403],
  ValidationError: ['ValidationError', 400],
};

function iamError(code: string, message: string): SandboxServiceError {
  const error = awsError('IAM', code, message);
  const known = IAM_ERRORS[code];
  if (known !== undefined) {
    error.name = known[0];
    error.$metadata.httpStatusCode = known[1];
  }
  return error;
}

/** Adapts a typed handler to the sandbox's handler signature. */
function typed<I>(handler: (input: I) => unknown): CommandHandler {
  // The sandbox passes the SDK client's own input object, so its shape is the command's input type.
  return (input) => handler(input as unknown as I);
}

/** Inline policies may total this many non-whitespace characters per user / per role (IAM quotas). */
const USER_INLINE_POLICY_QUOTA = 2048;
const ROLE_INLINE_POLICY_QUOTA = 10240;

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
      DeleteAccessKey: typed((input: DeleteAccessKeyCommandInput) => this.deleteAccessKey(input)),
      GetAccessKeyLastUsed: typed((input: GetAccessKeyLastUsedCommandInput) =>
        this.getAccessKeyLastUsed(input),
      ),
      PutUserPolicy: typed((input: PutUserPolicyCommandInput) => this.putUserPolicy(input)),
      GetUserPolicy: typed((input: GetUserPolicyCommandInput) => this.getUserPolicy(input)),
      DeleteUserPolicy: typed((input: DeleteUserPolicyCommandInput) => this.deleteUserPolicy(input)),
      ListUserPolicies: typed((input: ListUserPoliciesCommandInput) => this.listUserPolicies(input)),
      PutRolePolicy: typed((input: PutRolePolicyCommandInput) => this.putRolePolicy(input)),
      GetRolePolicy: typed((input: GetRolePolicyCommandInput) => this.getRolePolicy(input)),
      DeleteRolePolicy: typed((input: DeleteRolePolicyCommandInput) => this.deleteRolePolicy(input)),
      ListRolePolicies: typed((input: ListRolePoliciesCommandInput) => this.listRolePolicies(input)),
      GetLoginProfile: typed((input: GetLoginProfileCommandInput) => this.getLoginProfile(input)),
      CreateLoginProfile: typed((input: CreateLoginProfileCommandInput) => this.createLoginProfile(input)),
      DeleteLoginProfile: typed((input: DeleteLoginProfileCommandInput) => this.deleteLoginProfile(input)),
      GetRole: typed((input: GetRoleCommandInput) => this.getRole(input)),
      ListRoleTags: typed((input: ListRoleTagsCommandInput) => this.listRoleTags(input)),
      ListUserTags: typed((input: ListUserTagsCommandInput) => this.listUserTags(input)),
      GetInstanceProfile: typed((input: GetInstanceProfileCommandInput) => this.getInstanceProfile(input)),
      ListInstanceProfilesForRole: typed((input: ListInstanceProfilesForRoleCommandInput) =>
        this.listInstanceProfilesForRole(input),
      ),
    };
  }

  // ---- seeding -------------------------------------------------------------------------------------

  /** Adds an IAM user with its access keys, console password and inline policies. */
  public addUser(seed: UserSeed): this {
    const path = seed.path ?? '/';
    this.state.users[seed.userName] = {
      userName: seed.userName,
      userId: seed.userId ?? this.awsId('AIDA'),
      path,
      arn: `arn:aws:iam::${this.context.accountId}:user${path}${seed.userName}`,
      createDate: this.context.now(),
      tags: toTags(seed.tags),
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
      path,
      arn: `arn:aws:iam::${this.context.accountId}:role${path}${seed.roleName}`,
      createDate: this.context.now(),
      tags: toTags(seed.tags),
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

  // ---- users and access keys ------------------------------------------------------------------------

  private getUser(input: GetUserCommandInput): Omit<GetUserCommandOutput, '$metadata'> {
    return { User: toUser(this.user(this.userNameOrCaller(input.UserName))) };
  }

  private listUsers(input: ListUsersCommandInput): Omit<ListUsersCommandOutput, '$metadata'> {
    const prefix = input.PathPrefix ?? '/';
    const users = Object.values(this.state.users)
      .filter((user) => user.path.startsWith(prefix))
      .sort((a, b) => a.userName.localeCompare(b.userName))
      // ListUsers leaves tags out; GetUser and ListUserTags return them.
      .map((user) => ({ ...toUser(user), Tags: undefined }));
    return { Users: users, IsTruncated: false };
  }

  private listAccessKeys(input: ListAccessKeysCommandInput): Omit<ListAccessKeysCommandOutput, '$metadata'> {
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

  private deleteAccessKey(input: DeleteAccessKeyCommandInput): Record<string, never> {
    const user = this.user(this.userNameOrCaller(input.UserName));
    const key = this.accessKey(user, input.AccessKeyId);
    user.accessKeys = user.accessKeys.filter((candidate) => candidate !== key);
    return {};
  }

  private getAccessKeyLastUsed(
    input: GetAccessKeyLastUsedCommandInput,
  ): Omit<GetAccessKeyLastUsedCommandOutput, '$metadata'> {
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

  private putUserPolicy(input: PutUserPolicyCommandInput): Record<string, never> {
    const user = this.user(input.UserName);
    const document = validPolicyDocument(input.PolicyDocument);
    const policies = { ...user.inlinePolicies, [String(input.PolicyName)]: document };
    assertWithinQuota(policies, USER_INLINE_POLICY_QUOTA, `user ${user.userName}`);
    user.inlinePolicies = policies;
    return {};
  }

  private getUserPolicy(input: GetUserPolicyCommandInput): Omit<GetUserPolicyCommandOutput, '$metadata'> {
    const user = this.user(input.UserName);
    const document = user.inlinePolicies[String(input.PolicyName)];
    if (document === undefined) {
      throw iamError(
        'NoSuchEntity',
        `The user policy with name ${String(input.PolicyName)} cannot be found.`,
      );
    }
    return { UserName: user.userName, PolicyName: input.PolicyName, PolicyDocument: urlEncoded(document) };
  }

  private deleteUserPolicy(input: DeleteUserPolicyCommandInput): Record<string, never> {
    const user = this.user(input.UserName);
    const name = String(input.PolicyName);
    if (user.inlinePolicies[name] === undefined) {
      throw iamError('NoSuchEntity', `The user policy with name ${name} cannot be found.`);
    }
    delete user.inlinePolicies[name];
    return {};
  }

  private listUserPolicies(
    input: ListUserPoliciesCommandInput,
  ): Omit<ListUserPoliciesCommandOutput, '$metadata'> {
    const user = this.user(input.UserName);
    return { PolicyNames: Object.keys(user.inlinePolicies).sort(), IsTruncated: false };
  }

  private putRolePolicy(input: PutRolePolicyCommandInput): Record<string, never> {
    const role = this.modifiableRole(input.RoleName);
    const document = validPolicyDocument(input.PolicyDocument);
    const policies = { ...role.inlinePolicies, [String(input.PolicyName)]: document };
    assertWithinQuota(policies, ROLE_INLINE_POLICY_QUOTA, `role ${role.roleName}`);
    role.inlinePolicies = policies;
    return {};
  }

  private getRolePolicy(input: GetRolePolicyCommandInput): Omit<GetRolePolicyCommandOutput, '$metadata'> {
    const role = this.role(input.RoleName);
    const document = role.inlinePolicies[String(input.PolicyName)];
    if (document === undefined) {
      throw iamError(
        'NoSuchEntity',
        `The role policy with name ${String(input.PolicyName)} cannot be found.`,
      );
    }
    return { RoleName: role.roleName, PolicyName: input.PolicyName, PolicyDocument: urlEncoded(document) };
  }

  private deleteRolePolicy(input: DeleteRolePolicyCommandInput): Record<string, never> {
    const role = this.modifiableRole(input.RoleName);
    const name = String(input.PolicyName);
    if (role.inlinePolicies[name] === undefined) {
      throw iamError('NoSuchEntity', `The role policy with name ${name} cannot be found.`);
    }
    delete role.inlinePolicies[name];
    return {};
  }

  private listRolePolicies(
    input: ListRolePoliciesCommandInput,
  ): Omit<ListRolePoliciesCommandOutput, '$metadata'> {
    const role = this.role(input.RoleName);
    return { PolicyNames: Object.keys(role.inlinePolicies).sort(), IsTruncated: false };
  }

  // ---- console access --------------------------------------------------------------------------------

  private getLoginProfile(
    input: GetLoginProfileCommandInput,
  ): Omit<GetLoginProfileCommandOutput, '$metadata'> {
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

  private createLoginProfile(
    input: CreateLoginProfileCommandInput,
  ): Omit<CreateLoginProfileCommandOutput, '$metadata'> {
    const user = this.user(this.userNameOrCaller(input.UserName));
    if (user.loginProfile !== undefined) {
      throw iamError('EntityAlreadyExists', `Login Profile for user ${user.userName} already exists.`);
    }
    user.loginProfile = {
      createDate: this.context.now(),
      passwordResetRequired: input.PasswordResetRequired ?? false,
    };
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

  private getRole(input: GetRoleCommandInput): Omit<GetRoleCommandOutput, '$metadata'> {
    return { Role: toRole(this.role(input.RoleName)) };
  }

  private listRoleTags(input: ListRoleTagsCommandInput): Omit<ListRoleTagsCommandOutput, '$metadata'> {
    return { Tags: structuredClone(this.role(input.RoleName).tags), IsTruncated: false };
  }

  private listUserTags(input: ListUserTagsCommandInput): Omit<ListUserTagsCommandOutput, '$metadata'> {
    return { Tags: structuredClone(this.user(input.UserName).tags), IsTruncated: false };
  }

  private getInstanceProfile(
    input: GetInstanceProfileCommandInput,
  ): Omit<GetInstanceProfileCommandOutput, '$metadata'> {
    const profile = this.state.instanceProfiles[String(input.InstanceProfileName)];
    if (profile === undefined) {
      throw iamError(
        'NoSuchEntity',
        `Instance Profile ${String(input.InstanceProfileName)} cannot be found.`,
      );
    }
    return { InstanceProfile: this.toInstanceProfile(profile) };
  }

  private listInstanceProfilesForRole(
    input: ListInstanceProfilesForRoleCommandInput,
  ): Omit<ListInstanceProfilesForRoleCommandOutput, '$metadata'> {
    const role = this.role(input.RoleName);
    const profiles = Object.values(this.state.instanceProfiles)
      .filter((profile) => profile.roleNames.includes(role.roleName))
      .map((profile) => this.toInstanceProfile(profile));
    return { InstanceProfiles: profiles, IsTruncated: false };
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

/**
 * The document as given, once it is known to be a JSON policy (plain or URL-encoded JSON are both
 * accepted, as callers send either). IAM validates much more (grammar, actions, ARNs); the sandbox checks
 * only that it is a JSON object with a `Statement`.
 */
function validPolicyDocument(document: string | undefined): string {
  const malformed = () => iamError('MalformedPolicyDocument', 'Syntax errors in policy.');
  if (document === undefined || document.trim() === '') throw malformed();
  const parsed = parseJson(document) ?? parseJson(safeDecode(document));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('Statement' in parsed)) {
    throw malformed();
  }
  return document;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** IAM answers policy documents URL-encoded (RFC 3986); a document stored encoded is not encoded twice. */
function urlEncoded(document: string): string {
  return parseJson(document) === undefined ? document : encodeURIComponent(document);
}

/** IAM counts inline-policy size without whitespace, summed over all of a principal's inline policies. */
function assertWithinQuota(policies: Record<string, string>, quota: number, principal: string): void {
  const size = Object.values(policies)
    .map((document) => (safeDecode(document) ?? document).replace(/\s/g, '').length)
    .reduce((total, length) => total + length, 0);
  if (size > quota) {
    throw iamError('LimitExceeded', `Maximum policy size of ${quota} bytes exceeded for ${principal}`);
  }
}

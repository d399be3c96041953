import {
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteRolePolicyCommand,
  GetAccessKeyLastUsedCommand,
  GetInstanceProfileCommand,
  GetLoginProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListRoleTagsCommand,
  ListUserTagsCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { IamModel, type IamModelOptions } from '../../../src/sandbox/models/iam.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const KEY_1 = 'AKIAEXAMPLE000000001';
const KEY_2 = 'AKIAEXAMPLE000000002';
const DENY_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }],
});

function setup(options: IamModelOptions = {}) {
  const sandbox = new SandboxAccount({ accountId: '111122223333', now: () => NOW });
  const iam = new IamModel(sandbox.context, options)
    .addUser({
      userName: 'alice',
      tags: { team: 'payments' },
      accessKeys: [
        {
          accessKeyId: KEY_1,
          lastUsed: { date: new Date('2026-02-28T08:00:00Z'), serviceName: 's3', region: 'eu-west-1' },
        },
        { accessKeyId: KEY_2 },
      ],
      loginProfile: true,
    })
    .addUser({ userName: 'bob' })
    .addRole({ roleName: 'app-role', tags: { 'cordon:exempt': 'false' } })
    .addRole({ roleName: 'AWSServiceRoleForECS', serviceLinked: { service: 'ecs.amazonaws.com' } })
    .addRole({
      roleName: 'AWSReservedSSO_Admin_0123456789abcdef',
      path: '/aws-reserved/sso.amazonaws.com/',
    })
    .addInstanceProfile({ name: 'app-profile', roleName: 'app-role' });
  sandbox.register(iam);
  const client = sandbox.attach(new IAMClient({ region: 'us-east-1' }));
  return { sandbox, iam, client };
}

describe('IamModel', () => {
  describe('access keys', () => {
    it('UpdateAccessKey deactivates only the named key', async () => {
      // Prepare
      const { iam, client } = setup();

      // Act
      await client.send(
        new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: KEY_1, Status: 'Inactive' }),
      );

      // Assess
      expect(iam.accessKeys('alice').map((key) => [key.accessKeyId, key.status])).toEqual([
        [KEY_1, 'Inactive'],
        [KEY_2, 'Active'],
      ]);
      const listed = await client.send(new ListAccessKeysCommand({ UserName: 'alice' }));
      expect(listed.AccessKeyMetadata).toEqual([
        { UserName: 'alice', AccessKeyId: KEY_1, Status: 'Inactive', CreateDate: NOW },
        { UserName: 'alice', AccessKeyId: KEY_2, Status: 'Active', CreateDate: NOW },
      ]);
    });

    it('UpdateAccessKey on a key the user does not have answers NoSuchEntity and changes nothing', async () => {
      // Prepare
      const { iam, client } = setup();
      const before = iam.snapshot();

      // Act
      const attempt = client.send(
        new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: KEY_1, Status: 'Inactive' }),
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'NoSuchEntityException',
        Code: 'NoSuchEntity',
        $metadata: { httpStatusCode: 404 },
      });
      expect(iam.snapshot()).toEqual(before);
    });

    it('UpdateAccessKey without UserName is refused for a role caller, as AWS refuses non-user credentials', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const attempt = client.send(new UpdateAccessKeyCommand({ AccessKeyId: KEY_1, Status: 'Inactive' }));

      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'ValidationError' });
    });

    it("UpdateAccessKey without UserName acts on the calling user's own key when the caller is a user", async () => {
      // Prepare
      const { iam, client } = setup({ callerUserName: 'alice' });

      // Act
      await client.send(new UpdateAccessKeyCommand({ AccessKeyId: KEY_2, Status: 'Inactive' }));

      // Assess
      expect(iam.accessKeys('alice').find((key) => key.accessKeyId === KEY_2)?.status).toBe('Inactive');
    });

    it('DeleteAccessKey is not modelled: it is refused, changes nothing and is recorded, so tests can prove it never happens', async () => {
      // Prepare
      const { sandbox, iam, client } = setup();

      // Act
      const attempt = client.send(new DeleteAccessKeyCommand({ UserName: 'alice', AccessKeyId: KEY_2 }));

      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'UnsupportedOperation' });
      expect(iam.accessKeys('alice').map((key) => key.accessKeyId)).toEqual([KEY_1, KEY_2]);
      expect(sandbox.mutatingCalls().map((call) => call.command)).toEqual(['DeleteAccessKey']);
    });

    it('GetAccessKeyLastUsed resolves a key to its user and its last use', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const used = await client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: KEY_1 }));
      const neverUsed = await client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: KEY_2 }));

      // Assess
      expect(used.UserName).toBe('alice');
      expect(used.AccessKeyLastUsed).toEqual({
        LastUsedDate: new Date('2026-02-28T08:00:00Z'),
        ServiceName: 's3',
        Region: 'eu-west-1',
      });
      expect(neverUsed.AccessKeyLastUsed).toEqual({ ServiceName: 'N/A', Region: 'N/A' });
    });

    it('GetAccessKeyLastUsed on a key not in the account is denied', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const attempt = client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAOTHERACCOUNT0001' }));

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
    });
  });

  describe('inline policies', () => {
    it('PutRolePolicy stores the document, and GetRolePolicy answers it URL-encoded as IAM does', async () => {
      // Prepare
      const { iam, client } = setup();

      // Act
      await client.send(
        new PutRolePolicyCommand({
          RoleName: 'app-role',
          PolicyName: 'cordon-deny',
          PolicyDocument: DENY_ALL,
        }),
      );
      const stored = await client.send(
        new GetRolePolicyCommand({ RoleName: 'app-role', PolicyName: 'cordon-deny' }),
      );

      // Assess
      expect(stored.PolicyDocument).toBe(encodeURIComponent(DENY_ALL));
      expect(JSON.parse(decodeURIComponent(stored.PolicyDocument ?? ''))).toEqual(JSON.parse(DENY_ALL));
      expect(Object.keys(iam.snapshot().roles['app-role']?.inlinePolicies ?? {})).toEqual(['cordon-deny']);
    });

    it('PutRolePolicy with a URL-encoded document stores it as given and answers it without encoding it twice', async () => {
      // Prepare
      const { iam, client } = setup();
      const encoded = encodeURIComponent(DENY_ALL);

      // Act
      await client.send(
        new PutRolePolicyCommand({ RoleName: 'app-role', PolicyName: 'p', PolicyDocument: encoded }),
      );
      const stored = await client.send(new GetRolePolicyCommand({ RoleName: 'app-role', PolicyName: 'p' }));

      // Assess
      expect(iam.snapshot().roles['app-role']?.inlinePolicies).toEqual({ p: encoded });
      expect(stored.PolicyDocument).toBe(encoded);
    });

    it('a policy document that is not JSON is refused as MalformedPolicyDocument', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const attempt = client.send(
        new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'p', PolicyDocument: '{"Statement": [' }),
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'MalformedPolicyDocumentException',
        Code: 'MalformedPolicyDocument',
      });
    });

    it("a service-linked role's policies cannot be modified", async () => {
      // Prepare
      const { iam, client } = setup();
      const before = iam.snapshot();

      // Act
      const put = client.send(
        new PutRolePolicyCommand({
          RoleName: 'AWSServiceRoleForECS',
          PolicyName: 'deny',
          PolicyDocument: DENY_ALL,
        }),
      );

      // Assess
      await expect(put).rejects.toMatchObject({
        name: 'UnmodifiableEntityException',
        Code: 'UnmodifiableEntity',
      });
      expect(iam.snapshot()).toEqual(before);
      const role = await client.send(new GetRoleCommand({ RoleName: 'AWSServiceRoleForECS' }));
      expect(role.Role?.Path).toBe('/aws-service-role/ecs.amazonaws.com/');
    });

    it("an Identity Center role's policies cannot be modified either", async () => {
      // Prepare
      const { client } = setup();
      const roleName = 'AWSReservedSSO_Admin_0123456789abcdef';

      // Act
      const put = client.send(
        new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'deny', PolicyDocument: DENY_ALL }),
      );
      const remove = client.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: 'deny' }));

      // Assess
      await expect(put).rejects.toMatchObject({ name: 'UnmodifiableEntityException' });
      await expect(remove).rejects.toMatchObject({ name: 'UnmodifiableEntityException' });
    });

    it("inline policies beyond a user's 2,048-character quota are refused with LimitExceeded", async () => {
      // Prepare
      const { client } = setup();
      const large = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: '*', Resource: 'x'.repeat(2100) }],
      });

      // Act
      const attempt = client.send(
        new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'big', PolicyDocument: large }),
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'LimitExceededException',
        $metadata: { httpStatusCode: 409 },
      });
    });

    it('DeleteRolePolicy removes the policy; deleting it again answers NoSuchEntity', async () => {
      // Prepare
      const { iam, client } = setup();
      await client.send(
        new PutRolePolicyCommand({ RoleName: 'app-role', PolicyName: 'p', PolicyDocument: DENY_ALL }),
      );

      // Act
      await client.send(new DeleteRolePolicyCommand({ RoleName: 'app-role', PolicyName: 'p' }));
      const again = client.send(new DeleteRolePolicyCommand({ RoleName: 'app-role', PolicyName: 'p' }));

      // Assess
      await expect(again).rejects.toMatchObject({ name: 'NoSuchEntityException' });
      expect(iam.snapshot().roles['app-role']?.inlinePolicies).toEqual({});
    });
  });

  describe('console access, tags, roles and instance profiles', () => {
    it('DeleteLoginProfile removes console access; a user without one answers NoSuchEntity', async () => {
      // Prepare
      const { client } = setup();

      // Act
      await client.send(new DeleteLoginProfileCommand({ UserName: 'alice' }));
      const gone = client.send(new GetLoginProfileCommand({ UserName: 'alice' }));
      const never = client.send(new DeleteLoginProfileCommand({ UserName: 'bob' }));

      // Assess
      await expect(gone).rejects.toMatchObject({ name: 'NoSuchEntityException' });
      await expect(never).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    });

    it('GetUser, ListUserTags and ListRoleTags answer the seeded identity and tags', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const user = await client.send(new GetUserCommand({ UserName: 'alice' }));
      const userTags = await client.send(new ListUserTagsCommand({ UserName: 'alice' }));
      const roleTags = await client.send(new ListRoleTagsCommand({ RoleName: 'app-role' }));

      // Assess
      expect(user.User).toMatchObject({
        UserName: 'alice',
        Arn: 'arn:aws:iam::111122223333:user/alice',
        Path: '/',
      });
      expect(user.User?.UserId).toMatch(/^AIDA[0-9A-F]{17}$/);
      expect(userTags.Tags).toEqual([{ Key: 'team', Value: 'payments' }]);
      expect(roleTags.Tags).toEqual([{ Key: 'cordon:exempt', Value: 'false' }]);
    });

    it('GetRole on an unknown role answers NoSuchEntity', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const attempt = client.send(new GetRoleCommand({ RoleName: 'nope' }));

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'NoSuchEntityException',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('GetInstanceProfile links the profile and its role', async () => {
      // Prepare
      const { client } = setup();

      // Act
      const profile = await client.send(
        new GetInstanceProfileCommand({ InstanceProfileName: 'app-profile' }),
      );

      // Assess
      expect(profile.InstanceProfile?.Arn).toBe('arn:aws:iam::111122223333:instance-profile/app-profile');
      expect(profile.InstanceProfile?.Roles?.map((role) => role.RoleName)).toEqual(['app-role']);
    });
  });

  it('snapshot() is a deep copy', async () => {
    // Prepare
    const { iam, client } = setup();
    const snapshot = iam.snapshot();

    // Act
    await client.send(
      new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: KEY_1, Status: 'Inactive' }),
    );
    const alice = snapshot.users.alice;
    if (alice !== undefined) alice.userName = 'mallory';

    // Assess
    expect(snapshot.users.alice?.accessKeys[0]?.status).toBe('Active');
    expect(iam.snapshot().users.alice?.userName).toBe('alice');
  });
});

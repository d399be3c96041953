import {
  DescribeIamInstanceProfileAssociationsCommand,
  DescribeInstancesCommand,
  DisassociateIamInstanceProfileCommand,
  type Instance,
  ReplaceIamInstanceProfileAssociationCommand,
} from '@aws-sdk/client-ec2';
import {
  GetInstanceProfileCommand,
  GetRolePolicyCommand,
  type InstanceProfile,
  PutRolePolicyCommand,
  type Role,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  actionEnvironment,
  envelope,
  realClients,
  TEST_INCIDENT,
  TEST_NOW,
} from '../../../../test/support/actions.ts';
import {
  type DenyPolicyDocument,
  quarantineInstanceStatement,
  revokeOlderSessionsStatement,
} from '../../src/actions/deny-policy.ts';
import {
  instanceArn,
  isNoSuchEntity,
  isUnmodifiableRole,
  profileNameFromArn,
  quarantineInstanceProfile,
} from '../../src/actions/quarantine-instance-profile.ts';
import { runAction } from '../../src/actions/run-action.ts';

const INSTANCE_ID = 'i-0abc1234def567890';
const INSTANCE_ARN = `arn:aws:ec2:us-east-1:123456789012:instance/${INSTANCE_ID}`;
const PROFILE_ARN = 'arn:aws:iam::123456789012:instance-profile/web';
const QUARANTINE_ARN = 'arn:aws:iam::123456789012:instance-profile/cordon-quarantine';
const ASSOCIATION_ID = 'iip-assoc-0123456789abcdef0';
const REPLACE = { instanceProfileQuarantine: 'replace', quarantineInstanceProfileName: 'cordon-quarantine' };

function instance(overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: INSTANCE_ID,
    State: { Name: 'running', Code: 16 },
    IamInstanceProfile: { Arn: PROFILE_ARN },
    Tags: [{ Key: 'Name', Value: 'web-1' }],
    ...overrides,
  };
}

function role(overrides: Partial<Role> = {}): Role {
  return {
    RoleName: 'web-role',
    Path: '/',
    RoleId: 'AROA00000000000000001',
    Arn: 'arn:aws:iam::123456789012:role/web-role',
    CreateDate: TEST_NOW,
    ...overrides,
  };
}

function profile(name: string, arn: string, roles: Role[]): InstanceProfile {
  return {
    InstanceProfileName: name,
    Arn: arn,
    Path: '/',
    InstanceProfileId: `AIPA-${name}`,
    CreateDate: TEST_NOW,
    Roles: roles,
  };
}

function awsError(name: string, message: string, Code = name): Error {
  return Object.assign(new Error(message), { name, Code });
}

const noSuchEntity = () =>
  awsError('NoSuchEntityException', 'The role policy cannot be found.', 'NoSuchEntity');

const input = { ...envelope(), instanceId: INSTANCE_ID };

describe('quarantine-instance-profile (commands sent)', () => {
  const clients = realClients();
  const ec2 = mockClient(clients.ec2);
  const iam = mockClient(clients.iam);

  /** The documents Cordon wrote, parsed. */
  function writtenPolicies(): DenyPolicyDocument[] {
    return iam
      .commandCalls(PutRolePolicyCommand)
      .map((call) => JSON.parse(call.args[0].input.PolicyDocument ?? '{}') as DenyPolicyDocument);
  }

  beforeEach(() => {
    ec2.reset();
    iam.reset();
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [instance()] }] });
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
      IamInstanceProfileAssociations: [
        {
          AssociationId: ASSOCIATION_ID,
          InstanceId: INSTANCE_ID,
          IamInstanceProfile: { Arn: PROFILE_ARN, Id: 'AIPA00000000000000001' },
          State: 'associated',
        },
      ],
    });
    ec2.on(DisassociateIamInstanceProfileCommand).resolves({});
    ec2.on(ReplaceIamInstanceProfileAssociationCommand).resolves({});
    iam
      .on(GetInstanceProfileCommand, { InstanceProfileName: 'web' })
      .resolves({ InstanceProfile: profile('web', PROFILE_ARN, [role()]) });
    iam
      .on(GetInstanceProfileCommand, { InstanceProfileName: 'cordon-quarantine' })
      .resolves({ InstanceProfile: profile('cordon-quarantine', QUARANTINE_ARN, []) });
    iam.on(GetRolePolicyCommand).rejects(noSuchEntity());
    iam.on(PutRolePolicyCommand).resolves({});
  });

  it("denies the role's sessions for this instance only (ec2:SourceInstanceARN)", async () => {
    const order: string[] = [];
    iam.on(PutRolePolicyCommand).callsFake(() => {
      order.push('PutRolePolicy');
      return {};
    });
    ec2.on(DisassociateIamInstanceProfileCommand).callsFake(() => {
      order.push('DisassociateIamInstanceProfile');
      return {};
    });

    const outcome = await runAction(quarantineInstanceProfile, input, actionEnvironment(clients));

    expect(outcome.status).toBe('done');
    expect(iam).toHaveReceivedCommandWith(GetInstanceProfileCommand, { InstanceProfileName: 'web' });
    expect(iam).toHaveReceivedCommandWith(PutRolePolicyCommand, {
      RoleName: 'web-role',
      PolicyName: 'cordon-deny',
    });
    expect(writtenPolicies()).toEqual([
      {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CordonQuarantineInstances',
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { ArnEquals: { 'ec2:SourceInstanceARN': [INSTANCE_ARN] } },
          },
        ],
      },
    ]);
    // Default setting: the profile is then disassociated — after the deny, since that alone revokes nothing.
    expect(ec2).toHaveReceivedCommandWith(DisassociateIamInstanceProfileCommand, {
      AssociationId: ASSOCIATION_ID,
    });
    expect(order).toEqual(['PutRolePolicy', 'DisassociateIamInstanceProfile']);
  });

  it('never revokes every session of a role the fleet shares', async () => {
    await runAction(quarantineInstanceProfile, input, actionEnvironment(clients));

    const statements = writtenPolicies().flatMap((policy) => policy.Statement);
    expect(statements).toHaveLength(1);
    for (const statement of statements) {
      expect(Object.keys(statement.Condition)).toEqual(['ArnEquals']);
      expect(Object.keys(statement.Condition.ArnEquals ?? {})).toEqual(['ec2:SourceInstanceARN']);
      expect(JSON.stringify(statement)).not.toContain('aws:TokenIssueTime');
    }
    // Reads and the one PutRolePolicy: nothing that touches the role's other sessions or policies.
    const iamCommands = iam.calls().map((call) => call.args[0].constructor.name);
    expect(new Set(iamCommands)).toEqual(
      new Set(['GetInstanceProfileCommand', 'GetRolePolicyCommand', 'PutRolePolicyCommand']),
    );
  });

  it("keeps other statements of Cordon's deny policy", async () => {
    const revoke = revokeOlderSessionsStatement('another-incident', TEST_NOW);
    const otherInstance = quarantineInstanceStatement(
      'arn:aws:ec2:us-east-1:123456789012:instance/i-0fff1234def567890',
    );
    iam.on(GetRolePolicyCommand).resolves({
      RoleName: 'web-role',
      PolicyName: 'cordon-deny',
      // IAM answers policy documents URL-encoded.
      PolicyDocument: encodeURIComponent(
        JSON.stringify({ Version: '2012-10-17', Statement: [revoke, otherInstance] }),
      ),
    });

    await runAction(quarantineInstanceProfile, input, actionEnvironment(clients));

    const [written] = writtenPolicies();
    // The other instance's statement (written one per instance, before the list) is folded into the list.
    expect(written?.Statement.map((statement) => statement.Sid)).toEqual([
      revoke.Sid,
      'CordonQuarantineInstances',
    ]);
    expect(written?.Statement[0]).toEqual(revoke);
    expect(written?.Statement[1]?.Condition.ArnEquals?.['ec2:SourceInstanceARN']).toEqual([
      'arn:aws:ec2:us-east-1:123456789012:instance/i-0fff1234def567890',
      INSTANCE_ARN,
    ]);
  });

  it("only ever writes Cordon's own policy name", async () => {
    for (const settings of [{}, { instanceProfileQuarantine: 'keep' }, REPLACE]) {
      ec2.resetHistory();
      iam.resetHistory();
      await runAction(quarantineInstanceProfile, input, actionEnvironment(clients, settings));
      const names = iam.commandCalls(PutRolePolicyCommand).map((call) => call.args[0].input.PolicyName);
      expect(names).toEqual(['cordon-deny']);
    }
  });

  it('refuses to overwrite a cordon-deny policy Cordon did not write (ActionFailedError, no change)', async () => {
    iam.on(GetRolePolicyCommand).resolves({
      PolicyName: 'cordon-deny',
      PolicyDocument: encodeURIComponent(
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      ),
    });

    await expect(
      runAction(quarantineInstanceProfile, input, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'ActionFailedError',
    });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(ec2).not.toHaveReceivedCommand(DisassociateIamInstanceProfileCommand);
  });

  it('replaces the profile with the quarantine profile when the settings say replace', async () => {
    const outcome = await runAction(quarantineInstanceProfile, input, actionEnvironment(clients, REPLACE));

    expect(outcome.status).toBe('done');
    expect(ec2).toHaveReceivedCommandWith(ReplaceIamInstanceProfileAssociationCommand, {
      AssociationId: ASSOCIATION_ID,
      IamInstanceProfile: { Arn: QUARANTINE_ARN },
    });
    expect(ec2).not.toHaveReceivedCommand(DisassociateIamInstanceProfileCommand);
  });

  it('changes nothing once the quarantine profile is in place (the deny went on the original role then)', async () => {
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({
      IamInstanceProfileAssociations: [
        {
          AssociationId: ASSOCIATION_ID,
          InstanceId: INSTANCE_ID,
          IamInstanceProfile: { Arn: QUARANTINE_ARN },
        },
      ],
    });

    const outcome = await runAction(quarantineInstanceProfile, input, actionEnvironment(clients, REPLACE));

    expect(outcome.status).toBe('already-done');
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(ec2).not.toHaveReceivedCommand(ReplaceIamInstanceProfileAssociationCommand);
  });

  it('fails before any change when the quarantine profile does not exist', async () => {
    iam.on(GetInstanceProfileCommand, { InstanceProfileName: 'cordon-quarantine' }).rejects(noSuchEntity());

    await expect(
      runAction(quarantineInstanceProfile, input, actionEnvironment(clients, REPLACE)),
    ).rejects.toMatchObject({
      name: 'ActionFailedError',
      message: expect.stringContaining('cordon-quarantine'),
    });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it('keeps the profile when the settings say keep, and still denies its sessions on this instance', async () => {
    const outcome = await runAction(
      quarantineInstanceProfile,
      input,
      actionEnvironment(clients, { instanceProfileQuarantine: 'keep' }),
    );

    expect(outcome.changes.map((change) => change.attribute)).toEqual(['inlinePolicy:cordon-deny']);
    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 1);
    expect(ec2).not.toHaveReceivedCommand(DisassociateIamInstanceProfileCommand);
    expect(ec2).not.toHaveReceivedCommand(ReplaceIamInstanceProfileAssociationCommand);
  });

  it('has nothing to do for an instance without a profile', async () => {
    ec2.on(DescribeIamInstanceProfileAssociationsCommand).resolves({ IamInstanceProfileAssociations: [] });

    const outcome = await runAction(quarantineInstanceProfile, input, actionEnvironment(clients));

    expect(outcome.status).toBe('already-done');
    expect(outcome.notes.join(' ')).toContain('no instance profile');
    expect(ec2).toHaveReceivedCommandWith(DescribeIamInstanceProfileAssociationsCommand, {
      Filters: [
        { Name: 'instance-id', Values: [INSTANCE_ID] },
        { Name: 'state', Values: ['associated'] },
      ],
    });
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it.each([
    [
      'a service-linked role',
      role({ RoleName: 'AWSServiceRoleForEC2', Path: '/aws-service-role/ec2.amazonaws.com/' }),
    ],
    [
      'an IAM Identity Center role',
      role({ RoleName: 'AWSReservedSSO_Admin_0123456789abcdef', Path: '/aws-reserved/sso.amazonaws.com/' }),
    ],
  ])('refuses %s with UnmodifiableRoleError, before any change', async (_, protectedRole) => {
    iam
      .on(GetInstanceProfileCommand, { InstanceProfileName: 'web' })
      .resolves({ InstanceProfile: profile('web', PROFILE_ARN, [protectedRole]) });

    await expect(
      runAction(quarantineInstanceProfile, input, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'UnmodifiableRoleError',
      retryable: false,
    });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(ec2).not.toHaveReceivedCommand(DisassociateIamInstanceProfileCommand);
  });

  it('makes no mutating call in dry-run', async () => {
    const outcome = await runAction(
      quarantineInstanceProfile,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    expect(outcome.status).toBe('dry-run');
    expect(outcome.changes).toEqual([
      {
        resource: 'web-role',
        attribute: 'inlinePolicy:cordon-deny',
        before: null,
        after: [INSTANCE_ARN],
      },
      { resource: INSTANCE_ID, attribute: 'iamInstanceProfile', before: PROFILE_ARN, after: null },
    ]);
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(ec2).not.toHaveReceivedCommand(DisassociateIamInstanceProfileCommand);
  });

  it('refuses an exempt instance with ExemptResourceError, before any change', async () => {
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance({ Tags: [{ Key: 'cordon:exempt', Value: 'true' }] })] }],
    });

    await expect(
      runAction(quarantineInstanceProfile, input, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'ExemptResourceError',
    });
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });

  it('records what release needs before changing anything', async () => {
    const environment = actionEnvironment(clients);

    await runAction(quarantineInstanceProfile, input, environment);

    const [planned] = await environment.ledger.entries(TEST_INCIDENT);
    expect(planned).toMatchObject({
      outcome: 'planned',
      restore: {
        instanceId: INSTANCE_ID,
        instanceArn: INSTANCE_ARN,
        roleName: 'web-role',
        profileArn: PROFILE_ARN,
        statementSid: 'CordonQuarantineInstances',
        profileAction: 'disassociate',
      },
    });
  });

  it('reports the deny as done when the disassociation is throttled (ThrottledError, retryable)', async () => {
    ec2
      .on(DisassociateIamInstanceProfileCommand)
      .rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));

    await expect(
      runAction(quarantineInstanceProfile, input, actionEnvironment(clients)),
    ).rejects.toMatchObject({
      name: 'ThrottledError',
      partial: { done: ['deny on role web-role'], notDone: ['disassociate profile web'] },
    });
  });
});

// Issue 18: the helpers release-instance and this action share.
describe('quarantine-instance-profile helpers', () => {
  it('builds the instance ARN the deny statement matches (ec2:SourceInstanceARN)', () => {
    expect(instanceArn({ region: 'eu-west-1', account: '123456789012' }, 'i-0abc')).toBe(
      'arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc',
    );
  });

  it('reads the profile name from its ARN, path included or not', () => {
    expect(profileNameFromArn('arn:aws:iam::123456789012:instance-profile/web')).toBe('web');
    expect(profileNameFromArn('arn:aws:iam::123456789012:instance-profile/team/a/web')).toBe('web');
  });

  it('tells service-linked and Identity Center roles, which IAM will not let Cordon change', () => {
    expect(
      isUnmodifiableRole({ Path: '/aws-service-role/ec2.amazonaws.com/', RoleName: 'AWSServiceRoleForEC2' }),
    ).toBe(true);
    expect(
      isUnmodifiableRole({ Path: '/aws-reserved/sso.amazonaws.com/', RoleName: 'AWSReservedSSO_Admin_1' }),
    ).toBe(true);
    expect(isUnmodifiableRole({ Path: '/', RoleName: 'AWSReservedSSO_Admin_1' })).toBe(true);
    // IAM always sends both; the code still reads a missing path as the root path.
    expect(isUnmodifiableRole({ RoleName: 'app' } as never)).toBe(false);
    expect(isUnmodifiableRole({ Path: '/team/aws-service-role/', RoleName: 'app' })).toBe(false);
    expect(isUnmodifiableRole({ Path: '/' } as never)).toBe(false);
  });

  it('takes both spellings of "no such entity" as gone, and nothing else', () => {
    const error = (name: string) => Object.assign(new Error(name), { name, Code: name });
    expect(isNoSuchEntity(error('NoSuchEntity'))).toBe(true);
    expect(isNoSuchEntity(error('NoSuchEntityException'))).toBe(true);
    expect(isNoSuchEntity(error('AccessDenied'))).toBe(false);
  });
});

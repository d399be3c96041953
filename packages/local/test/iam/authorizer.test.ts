import { EC2Client, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { cordonAuthorizer } from '../../src/iam/authorizer.ts';
import { IamPrincipalUnknownError, IamRequestUnknownError } from '../../src/iam/errors.ts';
import { type CordonDeployment, functionRoleArn, memberActionRoleArn } from '../../src/iam/principals.ts';
import { createSandbox } from '../../src/sandbox/index.ts';

const HOME = '111111111111';
const MEMBER = '222222222222';
const REGION = 'us-east-1';
const DEPLOYMENT: CordonDeployment = { stage: 'test', homeAccount: HOME, region: REGION };
const CREDENTIALS = { accessKeyId: 'AKIATEST', secretAccessKey: 'x' };

function setup(accountId = HOME) {
  const sandbox = createSandbox({ accountId, region: REGION });
  sandbox.ec2.addVpc({ vpcId: 'vpc-0aaaaaaaaaaaaaaa1' });
  const group = sandbox.ec2.addSecurityGroup({ groupName: 'app', vpcId: 'vpc-0aaaaaaaaaaaaaaa1' });
  sandbox.ec2.addInstance({
    instanceId: 'i-0123456789abcdef0',
    vpcId: 'vpc-0aaaaaaaaaaaaaaa1',
    subnetId: 'subnet-0aaaaaaaaaaaaaaa1',
    networkInterfaces: [{ networkInterfaceId: 'eni-0aaaaaaaaaaaaaaa1', groupIds: [group] }],
  });
  const authorizer = cordonAuthorizer({ deployment: DEPLOYMENT, sandbox, externalId: 'ext-1' });
  sandbox.account.authorizeWith(authorizer);
  const as = (arn: string, account = HOME) => ({ principal: { arn, account } });
  return { sandbox, authorizer, as };
}

const protect = new ModifyInstanceAttributeCommand({
  InstanceId: 'i-0123456789abcdef0',
  DisableApiTermination: { Value: true },
});

describe('cordonAuthorizer on the sandbox', () => {
  it('lets a function do what its deployed policy allows, and records it allowed', async () => {
    const { sandbox, as } = setup();
    const ec2 = sandbox.account.attach(
      new EC2Client({ region: REGION, credentials: CREDENTIALS }),
      as(functionRoleArn(DEPLOYMENT, 'contain-instance')),
    );

    await ec2.send(protect);

    expect(sandbox.account.calls.at(-1)).toMatchObject({
      command: 'ModifyInstanceAttribute',
      iam: 'allowed',
      outcome: 'ok',
    });
  });

  it('answers a call the policy denies with EC2’s UnauthorizedOperation, and changes nothing', async () => {
    const { sandbox, as } = setup();
    const before = sandbox.account.snapshot();
    const ec2 = sandbox.account.attach(
      new EC2Client({ region: REGION, credentials: CREDENTIALS }),
      as(functionRoleArn(DEPLOYMENT, 'triage')),
    );

    await expect(ec2.send(protect)).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
    expect(sandbox.account.snapshot()).toEqual(before);
    expect(sandbox.account.calls.at(-1)).toMatchObject({ iam: 'denied', outcome: 'UnauthorizedOperation' });
  });

  it('refuses, with a named error, a principal Cordon does not deploy and a command the model does not know', async () => {
    const { sandbox, as } = setup();
    const stranger = sandbox.account.attach(
      new EC2Client({ region: REGION, credentials: CREDENTIALS }),
      as(`arn:aws:iam::${HOME}:role/admin`),
    );
    await expect(stranger.send(protect)).rejects.toThrow(IamPrincipalUnknownError);

    const known = as(functionRoleArn(DEPLOYMENT, 'contain-instance'));
    await expect(
      sandbox.account.dispatch('EC2', 'TerminateInstances', { InstanceIds: ['i-0123456789abcdef0'] }, known),
    ).rejects.toThrow(IamRequestUnknownError);
    expect(sandbox.account.calls.at(-1)?.iam).toBeUndefined();
  });

  it('evaluates sts:AssumeRole against the caller’s policy and the member role’s trust policy', async () => {
    const { sandbox, authorizer, as } = setup();
    const sts = sandbox.account.attach(
      new STSClient({ region: REGION, credentials: CREDENTIALS }),
      as(functionRoleArn(DEPLOYMENT, 'contain-instance')),
    );
    const assume = (actionId: string, externalId = 'ext-1') =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: memberActionRoleArn(DEPLOYMENT, MEMBER, actionId),
          RoleSessionName: 's',
          ExternalId: externalId,
        }),
      );

    await assume('contain-instance').catch(() => undefined); // the sandbox's STS does not know the member role
    expect(sandbox.account.calls.at(-1)?.iam).toBe('allowed');
    await expect(assume('contain-instance', 'guessed')).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(sandbox.account.calls.at(-1)?.iam).toBe('denied');
    expect(authorizer.evaluations.at(-1)?.requests[0]?.evaluation.reason).toMatch(
      /trust policy does not trust/,
    );
    await expect(assume('release-instance')).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(sandbox.account.calls.at(-1)?.iam).toBe('denied');
    expect(authorizer.evaluations.at(-1)?.requests[0]?.evaluation.reason).toMatch(
      /no statement allows sts:AssumeRole/,
    );
  });

  it('acts for a member role with that account’s resources and that role’s policy', async () => {
    const { sandbox, as } = setup(MEMBER);
    const role = memberActionRoleArn(DEPLOYMENT, MEMBER, 'contain-instance');
    const ec2 = sandbox.account.attach(
      new EC2Client({ region: REGION, credentials: CREDENTIALS }),
      as(role, MEMBER),
    );
    await ec2.send(protect);
    expect(sandbox.account.calls.at(-1)).toMatchObject({ principal: role, iam: 'allowed' });

    const snapshotRole = memberActionRoleArn(DEPLOYMENT, MEMBER, 'snapshot-volumes');
    const other = sandbox.account.attach(
      new EC2Client({ region: REGION, credentials: CREDENTIALS }),
      as(snapshotRole, MEMBER),
    );
    await expect(other.send(protect)).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
  });

  it('reports the denied calls and the unused grants of its callers in one call (for the local deployment)', async () => {
    const { sandbox, authorizer, as } = setup();
    const allowed = sandbox.account.attach(
      new EC2Client({ region: REGION, credentials: CREDENTIALS }),
      as(functionRoleArn(DEPLOYMENT, 'contain-instance')),
    );
    const denied = sandbox.account.attach(
      new EC2Client({ region: REGION, credentials: CREDENTIALS }),
      as(functionRoleArn(DEPLOYMENT, 'triage')),
    );
    await allowed.send(protect);
    await denied.send(protect).catch(() => undefined);

    const report = await authorizer.report(sandbox.account.calls);

    expect(report.denied.map((call) => call.principal)).toEqual([functionRoleArn(DEPLOYMENT, 'triage')]);
    expect(report.unused.map((grants) => grants.role).sort()).toEqual([
      'cordon-test-contain-instance',
      'cordon-test-triage',
    ]);
    expect(
      report.unused.find((grants) => grants.role === 'cordon-test-contain-instance')?.actions,
    ).not.toContain('ec2:ModifyInstanceAttribute');
  });
});

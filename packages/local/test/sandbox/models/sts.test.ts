import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { IamModel } from '../../../src/sandbox/models/iam.ts';
import { StsModel } from '../../../src/sandbox/models/sts.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const ADMIN = '111122223333';
const MEMBER = '444455556666';

function setup() {
  const sandbox = new SandboxAccount({ accountId: ADMIN, now: () => NOW });
  const iam = new IamModel(sandbox.context).addRole({ roleName: 'cordon-local', maxSessionDuration: 7200 });
  // A member account's IAM is a second model: its ARNs carry the member's account id.
  const memberContext = { ...sandbox.context, accountId: MEMBER };
  const memberIam = new IamModel(memberContext).addRole({
    roleName: 'cordon-responder',
    path: '/cordon/',
    externalId: 'cordon-external-id',
  });
  const sts = new StsModel(sandbox.context, { iam, memberAccounts: { [MEMBER]: memberIam } });
  sandbox.register(iam).register(sts);
  const client = sandbox.attach(new STSClient({ region: 'us-east-1' }));
  return { sandbox, sts, client };
}

const RESPONDER_ARN = `arn:aws:iam::${MEMBER}:role/cordon/cordon-responder`;

describe('StsModel', () => {
  it('AssumeRole into a member account with the right external id answers temporary ASIA credentials', async () => {
    // Prepare
    const { sts, client } = setup();

    // Act
    const output = await client.send(
      new AssumeRoleCommand({
        RoleArn: RESPONDER_ARN,
        RoleSessionName: 'cordon-incident-42',
        ExternalId: 'cordon-external-id',
        DurationSeconds: 900,
      }),
    );

    // Assess
    expect(output.Credentials?.AccessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
    expect(output.Credentials?.Expiration).toEqual(new Date(NOW.getTime() + 900_000));
    expect(output.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/cordon-responder/cordon-incident-42`,
    );
    expect(sts.sessions()).toMatchObject([{ roleArn: RESPONDER_ARN, externalId: 'cordon-external-id' }]);
  });

  it('AssumeRole with a wrong external id is denied', async () => {
    // Prepare
    const { sts, client } = setup();

    // Act
    const wrong = client.send(
      new AssumeRoleCommand({ RoleArn: RESPONDER_ARN, RoleSessionName: 'cordon', ExternalId: 'guess' }),
    );
    const missing = client.send(new AssumeRoleCommand({ RoleArn: RESPONDER_ARN, RoleSessionName: 'cordon' }));

    // Assess
    await expect(wrong).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(missing).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(sts.sessions()).toEqual([]);
  });

  it('AssumeRole of a role that does not exist, or of an account the sandbox does not hold, is denied', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const unknownRole = client.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ADMIN}:role/nope`, RoleSessionName: 'cordon' }),
    );
    const unknownAccount = client.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::999999999999:role/cordon-responder',
        RoleSessionName: 'cordon',
      }),
    );

    // Assess
    await expect(unknownRole).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(unknownAccount).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it("AssumeRole for longer than the role's maximum session duration is refused", async () => {
    // Prepare
    const { client } = setup();

    // Act
    const attempt = client.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ADMIN}:role/cordon-local`,
        RoleSessionName: 'cordon',
        DurationSeconds: 7201,
      }),
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('snapshot() is a deep copy', async () => {
    // Prepare
    const { sts, client } = setup();
    await client.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ADMIN}:role/cordon-local`,
        RoleSessionName: 'cordon',
      }),
    );
    const snapshot = sts.snapshot();

    // Act
    snapshot.sessions.length = 0;

    // Assess
    expect(sts.snapshot().sessions).toHaveLength(1);
  });

  it('GetCallerIdentity answers the principal a client was attached with: a role as its assumed-role session, a user as itself', async () => {
    // Prepare
    const { sandbox } = setup();
    const allowAll = async () => ({ decision: 'allowed' as const, reason: 'test' });
    sandbox.authorizeWith(allowAll);
    const asRole = sandbox.attach(new STSClient({ region: 'us-east-1' }), {
      principal: { arn: `arn:aws:iam::${ADMIN}:role/ops/cordon-operator`, account: ADMIN },
    });
    const asUser = sandbox.attach(new STSClient({ region: 'us-east-1' }), {
      principal: { arn: `arn:aws:iam::${ADMIN}:user/jane`, account: ADMIN },
    });

    // Act
    const role = await asRole.send(new GetCallerIdentityCommand({}));
    const user = await asUser.send(new GetCallerIdentityCommand({}));

    // Assess
    expect(role).toMatchObject({
      Account: ADMIN,
      Arn: `arn:aws:sts::${ADMIN}:assumed-role/cordon-operator/sandbox`,
    });
    expect(role.UserId).toMatch(/^AROA[0-9A-F]{16}:sandbox$/);
    expect(user).toMatchObject({ Account: ADMIN, Arn: `arn:aws:iam::${ADMIN}:user/jane` });
    expect(user.UserId).toMatch(/^AIDA[0-9A-F]{16}$/);
  });
});

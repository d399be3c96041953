import {
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  IAMClient,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { IamModel } from '../../../src/sandbox/models/iam.ts';
import { SandboxAccount } from '../../../src/sandbox/sandbox-account.ts';

const ACCOUNT = '111122223333';

function setup() {
  const sandbox = new SandboxAccount({ accountId: ACCOUNT });
  const iam = new IamModel(sandbox.context);
  sandbox.register(iam);
  const client = sandbox.attach(new IAMClient({ region: 'us-east-1' }));
  return { iam, client };
}

const CIS_POLICY = {
  MinimumPasswordLength: 14,
  RequireSymbols: true,
  RequireNumbers: true,
  RequireUppercaseCharacters: true,
  RequireLowercaseCharacters: true,
  AllowUsersToChangePassword: true,
  MaxPasswordAge: 90,
  PasswordReusePrevention: 24,
};

describe('IamModel: account password policy', () => {
  it('an account without a policy answers NoSuchEntityException (404) in IAM’s words, to Get and Delete', async () => {
    // Prepare
    const { client } = setup();

    // Act
    const get = client.send(new GetAccountPasswordPolicyCommand({}));
    const del = client.send(new DeleteAccountPasswordPolicyCommand({}));

    // Assess
    for (const attempt of [get, del]) {
      await expect(attempt).rejects.toMatchObject({
        name: 'NoSuchEntityException',
        Code: 'NoSuchEntity',
        message: `The Password Policy with domain name ${ACCOUNT} cannot be found.`,
        $metadata: { httpStatusCode: 404 },
      });
    }
  });

  it('UpdateAccountPasswordPolicy sets the whole policy; Get answers it with ExpirePasswords', async () => {
    // Prepare
    const { client } = setup();

    // Act
    await client.send(new UpdateAccountPasswordPolicyCommand(CIS_POLICY));
    const output = await client.send(new GetAccountPasswordPolicyCommand({}));

    // Assess
    expect(output.PasswordPolicy).toEqual({ ...CIS_POLICY, ExpirePasswords: true });
  });

  it('does not update partially: a parameter left out goes back to its default', async () => {
    // Prepare
    const { iam, client } = setup();
    iam.setPasswordPolicy(CIS_POLICY);

    // Act
    await client.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 16 }));
    const output = await client.send(new GetAccountPasswordPolicyCommand({}));

    // Assess
    expect(output.PasswordPolicy).toEqual({
      MinimumPasswordLength: 16,
      RequireSymbols: false,
      RequireNumbers: false,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
    });
  });

  it.each([
    [{ MinimumPasswordLength: 5 }, /minimumPasswordLength.*greater than or equal to 6/],
    [{ MinimumPasswordLength: 129 }, /minimumPasswordLength.*less than or equal to 128/],
    [{ MaxPasswordAge: 0 }, /maxPasswordAge.*greater than or equal to 1/],
    [{ MaxPasswordAge: 1096 }, /maxPasswordAge.*less than or equal to 1095/],
    [{ PasswordReusePrevention: 25 }, /passwordReusePrevention.*less than or equal to 24/],
  ])('refuses %o with ValidationError and keeps the policy', async (input, message) => {
    // Prepare
    const { iam, client } = setup();
    iam.setPasswordPolicy(CIS_POLICY);

    // Act
    const attempt = client.send(new UpdateAccountPasswordPolicyCommand(input));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ValidationError', message });
    expect(iam.snapshot().passwordPolicy).toMatchObject({ minimumPasswordLength: 14, maxPasswordAge: 90 });
  });

  it('DeleteAccountPasswordPolicy removes the policy', async () => {
    // Prepare
    const { iam, client } = setup();
    iam.setPasswordPolicy(CIS_POLICY);

    // Act
    await client.send(new DeleteAccountPasswordPolicyCommand({}));

    // Assess
    expect(iam.snapshot().passwordPolicy).toBeUndefined();
    await expect(client.send(new GetAccountPasswordPolicyCommand({}))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });
});

import {
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  NoSuchEntityException,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import { enforcePasswordPolicy, targetPolicy } from '../../src/actions/enforce-password-policy.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';
import { DEFAULT_SETTINGS } from '../../src/policy/settings-schema.ts';

const noPolicy = () =>
  new NoSuchEntityException({
    message: `The Password Policy with domain name ${TEST_ACCOUNT} cannot be found.`,
    $metadata: {},
  });

/** A weak policy as IAM answers it (members unset are left out). */
const WEAK = {
  MinimumPasswordLength: 16,
  RequireSymbols: false,
  RequireNumbers: true,
  RequireUppercaseCharacters: false,
  RequireLowercaseCharacters: false,
  AllowUsersToChangePassword: true,
  ExpirePasswords: false,
  PasswordReusePrevention: 5,
};

/** The settings' default policy sent in full: IAM resets every parameter left out. */
const DEFAULT_SENT = {
  MinimumPasswordLength: 14,
  RequireSymbols: true,
  RequireNumbers: true,
  RequireUppercaseCharacters: true,
  RequireLowercaseCharacters: true,
  AllowUsersToChangePassword: true,
  MaxPasswordAge: 90,
  PasswordReusePrevention: 24,
  HardExpiry: false,
};

describe('enforce-password-policy (commands sent)', () => {
  const clients = realClients();
  const iam = mockClient(clients.iam);
  const input = { ...envelope(), accountId: TEST_ACCOUNT };

  beforeEach(() => {
    iam.reset();
    iam.on(UpdateAccountPasswordPolicyCommand).resolves({});
    iam.on(DeleteAccountPasswordPolicyCommand).resolves({});
  });

  it('sets the settings’ policy in full on an account with none, recording that there was none, with the controls', async () => {
    // Prepare
    iam.on(GetAccountPasswordPolicyCommand).rejects(noPolicy());
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(
      enforcePasswordPolicy,
      { ...input, controls: ['SecurityHub/IAM.7', 'CIS-1.4.0/1.8'] },
      environment,
    );

    // Assess
    expect(outcome.status).toBe('done');
    expect(iam).toHaveReceivedCommandTimes(UpdateAccountPasswordPolicyCommand, 1);
    expect(iam).toHaveReceivedCommandWith(UpdateAccountPasswordPolicyCommand, DEFAULT_SENT);
    const [planned] = environment.ledger.all();
    expect(planned).toMatchObject({
      outcome: 'planned',
      controls: ['SecurityHub/IAM.7', 'CIS-1.4.0/1.8'],
      restore: { accountId: TEST_ACCOUNT, previous: null, applied: { minimumPasswordLength: 14 } },
    });
    expect(planned?.changes).toHaveLength(9);
  });

  it('keeps a stricter live requirement and records the policy it replaces exactly', async () => {
    // Prepare
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: WEAK });
    const environment = actionEnvironment(clients);

    // Act
    await runAction(enforcePasswordPolicy, input, environment);

    // Assess
    expect(iam).toHaveReceivedCommandWith(UpdateAccountPasswordPolicyCommand, {
      ...DEFAULT_SENT,
      MinimumPasswordLength: 16,
    });
    const [planned] = environment.ledger.all();
    expect(planned?.restore).toEqual({
      accountId: TEST_ACCOUNT,
      previous: {
        minimumPasswordLength: 16,
        requireSymbols: false,
        requireNumbers: true,
        requireUppercaseCharacters: false,
        requireLowercaseCharacters: false,
        allowUsersToChangePassword: true,
        maxPasswordAge: 0,
        passwordReusePrevention: 5,
        hardExpiry: false,
      },
      applied: expect.objectContaining({ minimumPasswordLength: 16, passwordReusePrevention: 24 }),
    });
    // Only what differs is a change: the length and the numbers requirement were already right.
    expect(planned?.changes?.map((change) => change.attribute)).toEqual([
      'requireSymbols',
      'requireUppercaseCharacters',
      'requireLowercaseCharacters',
      'maxPasswordAge',
      'passwordReusePrevention',
    ]);
  });

  it('sends the settings’ own policy, leaving out the 0s IAM refuses to be sent', async () => {
    // Prepare
    iam.on(GetAccountPasswordPolicyCommand).rejects(noPolicy());
    const environment = actionEnvironment(clients, {
      passwordPolicy: { minimumPasswordLength: 20, maxPasswordAge: 0, passwordReusePrevention: 0 },
    });

    // Act
    await runAction(enforcePasswordPolicy, input, environment);

    // Assess
    const sent = iam.commandCalls(UpdateAccountPasswordPolicyCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ MinimumPasswordLength: 20 });
    expect(sent).not.toHaveProperty('MaxPasswordAge');
    expect(sent).not.toHaveProperty('PasswordReusePrevention');
  });

  it('is already done, with nothing changed, when the policy is at least as strict', async () => {
    // Prepare
    iam.on(GetAccountPasswordPolicyCommand).resolves({
      PasswordPolicy: {
        ...DEFAULT_SENT,
        MinimumPasswordLength: 20,
        ExpirePasswords: true,
        MaxPasswordAge: 30,
      },
    });

    // Act
    const outcome = await runAction(enforcePasswordPolicy, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(iam).toHaveReceivedCommandTimes(UpdateAccountPasswordPolicyCommand, 0);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    iam.on(GetAccountPasswordPolicyCommand).resolves({ PasswordPolicy: WEAK });

    // Act
    const outcome = await runAction(
      enforcePasswordPolicy,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(iam).toHaveReceivedCommandTimes(UpdateAccountPasswordPolicyCommand, 0);
  });

  it('refuses another account than the incident’s before any call, and a malformed one by its schema', async () => {
    // Act
    const other = runAction(
      enforcePasswordPolicy,
      { ...input, accountId: '210987654321' },
      actionEnvironment(clients),
    );
    const malformed = runAction(
      enforcePasswordPolicy,
      { ...input, accountId: 'me' },
      actionEnvironment(clients),
    );

    // Assess
    await expect(other).rejects.toThrow(/names account 210987654321/);
    await expect(malformed).rejects.toMatchObject({ name: 'InvalidActionInputError' });
    expect(iam).toHaveReceivedCommandTimes(GetAccountPasswordPolicyCommand, 0);
  });

  it('is released by putting the recorded policy back in full', async () => {
    // Prepare
    const applied = { ...DEFAULT_SENT, MinimumPasswordLength: 16, ExpirePasswords: true };
    iam
      .on(GetAccountPasswordPolicyCommand)
      .resolvesOnce({ PasswordPolicy: WEAK })
      .resolves({ PasswordPolicy: applied });
    const environment = actionEnvironment(clients);
    await runAction(enforcePasswordPolicy, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(iam).toHaveReceivedNthCommandWith(UpdateAccountPasswordPolicyCommand, 2, {
      MinimumPasswordLength: 16,
      RequireSymbols: false,
      RequireNumbers: true,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: true,
      PasswordReusePrevention: 5,
      HardExpiry: false,
    });
    expect(iam).toHaveReceivedCommandTimes(DeleteAccountPasswordPolicyCommand, 0);
  });

  it('is released by deleting the policy when the account had none', async () => {
    // Prepare
    iam
      .on(GetAccountPasswordPolicyCommand)
      .rejectsOnce(noPolicy())
      .resolves({ PasswordPolicy: { ...DEFAULT_SENT, ExpirePasswords: true } });
    const environment = actionEnvironment(clients);
    await runAction(enforcePasswordPolicy, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(iam).toHaveReceivedCommandTimes(DeleteAccountPasswordPolicyCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(UpdateAccountPasswordPolicyCommand, 1);
  });

  it('refuses a release when someone changed the policy since the fix, changing nothing', async () => {
    // Prepare
    iam
      .on(GetAccountPasswordPolicyCommand)
      .rejectsOnce(noPolicy())
      .resolves({ PasswordPolicy: { ...DEFAULT_SENT, MinimumPasswordLength: 30, ExpirePasswords: true } });
    const environment = actionEnvironment(clients);
    await runAction(enforcePasswordPolicy, input, environment);

    // Act
    const release = runAction(releaseRemediation, envelope(), environment);

    // Assess
    await expect(release).rejects.toThrow(/Someone changed it since/);
    expect(iam).toHaveReceivedCommandTimes(DeleteAccountPasswordPolicyCommand, 0);
    expect(iam).toHaveReceivedCommandTimes(UpdateAccountPasswordPolicyCommand, 1);
  });
});

describe('targetPolicy', () => {
  it('takes the shorter of two expiries, 0 being never', () => {
    // Act
    const fromNever = targetPolicy(DEFAULT_SETTINGS.passwordPolicy, {
      ...DEFAULT_SETTINGS.passwordPolicy,
      maxPasswordAge: 0,
    });
    const fromShorter = targetPolicy(
      { ...DEFAULT_SETTINGS.passwordPolicy, maxPasswordAge: 0 },
      { ...DEFAULT_SETTINGS.passwordPolicy, maxPasswordAge: 45 },
    );

    // Assess
    expect(fromNever.maxPasswordAge).toBe(90);
    expect(fromShorter.maxPasswordAge).toBe(45);
  });
});

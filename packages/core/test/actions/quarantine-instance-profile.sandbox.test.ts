import { describe, expect, it } from 'vitest';
import { envelope, TEST_INCIDENT, TEST_NOW } from '../../../../test/support/actions.ts';
import {
  aFleetSharingAProfile,
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
  WEB,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import {
  type DenyPolicyDocument,
  quarantinedInstances,
  quarantineInstanceStatement,
  revokeOlderSessionsStatement,
  withQuarantinedInstance,
} from '../../src/actions/deny-policy.ts';
import { quarantineInstanceProfile } from '../../src/actions/quarantine-instance-profile.ts';
import { releaseInstance } from '../../src/actions/release-instance.ts';
import { runAction } from '../../src/actions/run-action.ts';

const { instanceId: INSTANCE_ID, otherInstanceId: FLEET_ID, profileArn: PROFILE_ARN } = WEB;
const INSTANCE_ARN = `arn:aws:ec2:us-east-1:123456789012:instance/${INSTANCE_ID}`;
const FLEET_ARN = `arn:aws:ec2:us-east-1:123456789012:instance/${FLEET_ID}`;
const QUARANTINE_ARN = 'arn:aws:iam::123456789012:instance-profile/cordon-quarantine';
const REPLACE = { instanceProfileQuarantine: 'replace', quarantineInstanceProfileName: 'cordon-quarantine' };

/** Two instances of one fleet share the profile `web` and its role. */
function seededSandbox(
  options: { roleName?: string; rolePath?: string; inlinePolicies?: Record<string, string> } = {},
) {
  const sandbox = testSandbox();
  aFleetSharingAProfile(sandbox, {
    ...(options.roleName === undefined ? {} : { roleName: options.roleName }),
    ...(options.rolePath === undefined ? {} : { path: options.rolePath }),
    ...(options.inlinePolicies === undefined ? {} : { inlinePolicies: options.inlinePolicies }),
  });
  return sandbox;
}

function profileOf(sandbox: Sandbox, instanceId: string): string | undefined {
  return Object.values(sandbox.ec2.snapshot().profileAssociations).find((a) => a.instanceId === instanceId)
    ?.arn;
}

function denyPolicy(sandbox: Sandbox, roleName = 'web-role'): DenyPolicyDocument | undefined {
  const document = sandbox.iam.snapshot().roles[roleName]?.inlinePolicies['cordon-deny'];
  return document === undefined ? undefined : (JSON.parse(document) as DenyPolicyDocument);
}

const input = { ...envelope(), instanceId: INSTANCE_ID };

describe('quarantine-instance-profile (against the sandbox account)', () => {
  it("denies the shared role's sessions on this instance only, and removes this instance's profile only", async () => {
    const sandbox = seededSandbox();

    await runAction(quarantineInstanceProfile, input, environmentOn(sandbox));

    expect(denyPolicy(sandbox)).toEqual({
      Version: '2012-10-17',
      Statement: [withQuarantinedInstance(undefined, INSTANCE_ARN).Statement[0]],
    });
    expect(Object.keys(sandbox.iam.snapshot().roles['web-role']?.inlinePolicies ?? {})).toEqual([
      'cordon-deny',
    ]);
    expect(profileOf(sandbox, INSTANCE_ID)).toBeUndefined();
    expect(profileOf(sandbox, FLEET_ID)).toBe(PROFILE_ARN);
  });

  it('puts the quarantine profile in place when the settings say replace', async () => {
    const sandbox = seededSandbox();

    await runAction(quarantineInstanceProfile, input, environmentOn(sandbox, REPLACE));

    expect(profileOf(sandbox, INSTANCE_ID)).toBe(QUARANTINE_ARN);
    expect(denyPolicy(sandbox)?.Statement).toHaveLength(1);
  });

  it.each([
    ['disassociate', {}],
    ['replace', REPLACE],
  ])('changes nothing the second time (%s)', async (_, settings) => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox, settings);

    await expectSecondRunChangesNothing(sandbox, () =>
      runAction(quarantineInstanceProfile, input, environment),
    );
  });

  it('changes nothing at all in dry-run', async () => {
    const sandbox = seededSandbox();
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(quarantineInstanceProfile, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    expect(outcome.status).toBe('dry-run');
  });

  it.each([
    ['disassociate', {}],
    ['replace', REPLACE],
  ])('gives the profile back and leaves the role as it was after release (%s)', async (_, settings) => {
    const revoke = JSON.stringify({
      Version: '2012-10-17',
      Statement: [revokeOlderSessionsStatement('another-incident', TEST_NOW)],
    });
    const sandbox = seededSandbox({ inlinePolicies: { 'cordon-deny': revoke } });
    const environment = environmentOn(sandbox, settings);
    const rolesBefore = sandbox.iam.snapshot().roles;
    await runAction(quarantineInstanceProfile, input, environment);
    expect(denyPolicy(sandbox)?.Statement).toHaveLength(2);

    await runAction(releaseInstance, input, environment);

    // The other incident's statement stays; this instance's statement is gone.
    expect(sandbox.iam.snapshot().roles).toEqual(rolesBefore);
    // Legitimately different: the association id and time are new; the profile is the same.
    expect(profileOf(sandbox, INSTANCE_ID)).toBe(PROFILE_ARN);
    expect(profileOf(sandbox, FLEET_ID)).toBe(PROFILE_ARN);
  });

  it("deletes Cordon's policy on release when this instance's statement was its only one", async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);
    await runAction(quarantineInstanceProfile, input, environment);

    await runAction(releaseInstance, input, environment);

    expect(sandbox.iam.snapshot().roles['web-role']?.inlinePolicies).toEqual({});
    expect(sandbox.account.mutatingCalls().map((call) => call.command)).toContain('DeleteRolePolicy');
  });

  it('surfaces a throttled PutRolePolicy as ThrottledError with nothing changed, and finishes on retry', async () => {
    const sandbox = seededSandbox();
    sandbox.account.injectFault({ service: 'IAM', command: 'PutRolePolicy', error: 'Throttling', times: 1 });
    const environment = environmentOn(sandbox);

    await expect(runAction(quarantineInstanceProfile, input, environment)).rejects.toMatchObject({
      name: 'ThrottledError',
      partial: { done: [], notDone: ['deny on role web-role', 'disassociate profile web'] },
    });
    expect(denyPolicy(sandbox)).toBeUndefined();
    expect(profileOf(sandbox, INSTANCE_ID)).toBe(PROFILE_ARN);

    await runAction(quarantineInstanceProfile, input, environment);
    expect(denyPolicy(sandbox)?.Statement).toHaveLength(1);
    expect(profileOf(sandbox, INSTANCE_ID)).toBeUndefined();
  });

  it('reports the deny as done when the disassociation fails, and only disassociates on retry', async () => {
    const sandbox = seededSandbox();
    sandbox.account.injectFault({
      service: 'EC2',
      command: 'DisassociateIamInstanceProfile',
      error: 'RequestLimitExceeded',
      times: 1,
    });
    const environment = environmentOn(sandbox);

    await expect(runAction(quarantineInstanceProfile, input, environment)).rejects.toMatchObject({
      name: 'ThrottledError',
      partial: { done: ['deny on role web-role'], notDone: ['disassociate profile web'] },
    });
    const failed = (await environment.ledger.entries(TEST_INCIDENT)).at(-1);
    expect(failed?.notes).toEqual([
      'done before the failure: deny on role web-role',
      'not done: disassociate profile web',
    ]);
    const callsBefore = sandbox.account.mutatingCalls().length;

    const retried = await runAction(quarantineInstanceProfile, input, environment);

    expect(retried.status).toBe('done');
    expect(
      sandbox.account
        .mutatingCalls()
        .slice(callsBefore)
        .map((call) => call.command),
    ).toEqual(['DisassociateIamInstanceProfile']);
  });

  it.each([
    [
      'a service-linked role',
      { roleName: 'AWSServiceRoleForEC2', rolePath: '/aws-service-role/ec2.amazonaws.com/' },
    ],
    [
      'an IAM Identity Center role',
      { roleName: 'AWSReservedSSO_Admin_0123456789abcdef', rolePath: '/aws-reserved/sso.amazonaws.com/' },
    ],
  ])('refuses %s with UnmodifiableRoleError and changes nothing', async (_, seed) => {
    const sandbox = seededSandbox(seed);
    await expectUnchanged(sandbox, () =>
      expect(runAction(quarantineInstanceProfile, input, environmentOn(sandbox))).rejects.toMatchObject({
        name: 'UnmodifiableRoleError',
        retryable: false,
      }),
    );
  });

  it("maps IAM's UnmodifiableEntity to UnmodifiableRoleError (terminal)", async () => {
    const sandbox = seededSandbox();
    sandbox.account.injectFault({ service: 'IAM', command: 'PutRolePolicy', error: 'UnmodifiableEntity' });

    await expect(runAction(quarantineInstanceProfile, input, environmentOn(sandbox))).rejects.toMatchObject({
      name: 'UnmodifiableRoleError',
      awsError: 'UnmodifiableEntity',
    });
    expect(profileOf(sandbox, INSTANCE_ID)).toBe(PROFILE_ARN);
  });
});

describe('quarantine-instance-profile on a role a fleet shares', () => {
  const second = {
    ...envelope(),
    incidentId: 'guardduty-123456789012-us-east-1-second',
    instanceId: FLEET_ID,
  };

  it('keeps every instance in the deny when two instances of the fleet are quarantined at once', async () => {
    const sandbox = seededSandbox();
    // One ledger for both, as the deployed functions share the ledger table (where the role's lease is kept).
    const environment = environmentOn(sandbox);

    await Promise.all([
      runAction(quarantineInstanceProfile, input, environment),
      runAction(quarantineInstanceProfile, second, environment),
    ]);

    expect(quarantinedInstances(denyPolicy(sandbox)).sort()).toEqual([INSTANCE_ARN, FLEET_ARN].sort());
    expect(denyPolicy(sandbox)?.Statement).toHaveLength(1);
  });

  it('loses a deny without the lease (a ledger that keeps none): the race the lease closes', async () => {
    const sandbox = seededSandbox();
    const base = environmentOn(sandbox);
    const environment = {
      ...base,
      ledger: {
        append: (entry: Parameters<typeof base.ledger.append>[0]) => base.ledger.append(entry),
        entries: (incidentId: string) => base.ledger.entries(incidentId),
      },
    };

    await Promise.all([
      runAction(quarantineInstanceProfile, input, environment),
      runAction(quarantineInstanceProfile, second, environment),
    ]);

    expect(quarantinedInstances(denyPolicy(sandbox))).toHaveLength(1);
  });

  it('releases one instance and keeps the other in the deny', async () => {
    const sandbox = seededSandbox();
    const environment = environmentOn(sandbox);
    await runAction(quarantineInstanceProfile, input, environment);
    await runAction(quarantineInstanceProfile, second, environment);

    await runAction(releaseInstance, input, environment);

    expect(quarantinedInstances(denyPolicy(sandbox))).toEqual([FLEET_ARN]);
    expect(profileOf(sandbox, INSTANCE_ID)).toBe(PROFILE_ARN);
    expect(profileOf(sandbox, FLEET_ID)).toBeUndefined();
  });

  it('folds statements written one per instance into the one list, and releases an instance denied that way', async () => {
    const legacy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [quarantineInstanceStatement(INSTANCE_ARN)],
    });
    const sandbox = seededSandbox({ inlinePolicies: { 'cordon-deny': legacy } });
    const environment = environmentOn(sandbox);

    await runAction(quarantineInstanceProfile, second, environment);
    expect(denyPolicy(sandbox)).toEqual(
      withQuarantinedInstance(withQuarantinedInstance(undefined, INSTANCE_ARN), FLEET_ARN),
    );
    // The first instance's containment predates the list: its restore record names its own statement.
    await environment.ledger.append({
      incidentId: TEST_INCIDENT,
      step: 'quarantine-instance-profile',
      at: TEST_NOW.toISOString(),
      outcome: 'planned',
      dryRun: false,
      settingsVersion: 'v0',
      input,
      changes: [],
      notes: [],
      restore: {
        instanceId: INSTANCE_ID,
        instanceArn: INSTANCE_ARN,
        roleName: 'web-role',
        profileArn: PROFILE_ARN,
        statementSid: quarantineInstanceStatement(INSTANCE_ARN).Sid,
        profileAction: 'keep',
      },
    });
    await runAction(releaseInstance, input, environment);

    expect(quarantinedInstances(denyPolicy(sandbox))).toEqual([FLEET_ARN]);
  });

  it("past IAM's quota for the role's inline policies: DenyPolicyFullError, nothing written to the policy, the profile still removed", async () => {
    // Another inline policy of the role leaves too little room (IAM counts all of a role's inline policies).
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(10_100)}` },
      ],
    });
    const sandbox = seededSandbox({ inlinePolicies: { app: big } });
    const environment = environmentOn(sandbox);

    await expect(runAction(quarantineInstanceProfile, input, environment)).rejects.toMatchObject({
      name: 'DenyPolicyFullError',
      retryable: false,
      awsError: 'LimitExceeded',
      partial: { done: ['disassociate profile web'], notDone: ['deny on role web-role'] },
      message: expect.stringContaining('approve revoking every session of role web-role'),
    });
    expect(denyPolicy(sandbox)).toBeUndefined();
    expect(profileOf(sandbox, INSTANCE_ID)).toBeUndefined();
  });

  it('refuses before writing when cordon-deny alone would pass 10,240 characters', async () => {
    const fleet = Array.from(
      { length: 160 },
      (_, index) => `arn:aws:ec2:us-east-1:123456789012:instance/i-${index.toString(16).padStart(17, '0')}`,
    );
    const full = fleet.reduce<DenyPolicyDocument | undefined>(
      (policy, arn) => withQuarantinedInstance(policy, arn),
      undefined,
    );
    const sandbox = seededSandbox({ inlinePolicies: { 'cordon-deny': JSON.stringify(full) } });
    const environment = environmentOn(sandbox);

    await expect(runAction(quarantineInstanceProfile, input, environment)).rejects.toMatchObject({
      name: 'DenyPolicyFullError',
      awsError: 'PolicySizeQuota',
    });
    expect(sandbox.account.calls.filter((call) => call.command === 'PutRolePolicy')).toEqual([]);
    expect(quarantinedInstances(denyPolicy(sandbox))).toHaveLength(160);
  });
});

import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import type { Incident } from '@cordon/core/intake/incident';
import { intake } from '@cordon/core/intake/intake';
import { describe, expect, it } from 'vitest';
import { loadEvent, loadEventWithAccount, loadFixture } from '../../../test/support/events.ts';
import { createSandbox } from '../src/sandbox/index.ts';
import { SANDBOX_RESOURCES, sandboxForIncident, seedFromIncident } from '../src/seed.ts';

/**
 * The incident of a bundled event. A sample whose account is the 13-digit placeholder (which intake refuses)
 * is read with `account`, a real one (sandboxForEvent replaces such placeholders itself: seed-event.test.ts).
 */
function incidentOf(name: string, fixture = false, account?: string): Incident {
  const result = intake(
    fixture
      ? loadFixture(name)
      : account === undefined
        ? loadEvent(name)
        : loadEventWithAccount(name, account),
  );
  if (!result.accepted) throw new Error(result.reason);
  return result.incident;
}

describe('seedFromIncident', () => {
  it('seeds the instance of a finding with every ENI, in its VPC, with its groups, ASG and target group', async () => {
    const sandbox = createSandbox();
    const { incident } = seedFromIncident(
      sandbox,
      incidentOf('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json', false, '123456789012'),
    );
    const ec2 = sandbox.account.attach(new EC2Client({ region: 'us-east-1' }));

    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-99999999'] }));
    const instance = described.Reservations?.[0]?.Instances?.[0];
    expect(instance?.NetworkInterfaces).toHaveLength(4);
    expect(instance?.NetworkInterfaces?.every((eni) => (eni.Groups ?? []).length === 4)).toBe(true);
    const seeded = incident.resources.find((resource) => resource.kind === 'ec2-instance');
    expect(
      seeded?.kind === 'ec2-instance' && seeded.networkInterfaces.map((eni) => eni.networkInterfaceId),
    ).toEqual(instance?.NetworkInterfaces?.map((eni) => eni.NetworkInterfaceId));
    expect(sandbox.autoScaling.snapshot()).toMatchObject({ groups: { 'asg-i-99999999': expect.anything() } });
    expect(Object.keys(sandbox.elbv2.snapshot().targetGroups)).toHaveLength(1);
  });

  it('replaces the placeholder ids of sample findings with valid ones, consistently, and lists them', () => {
    const sandbox = createSandbox();
    // From another account than the sandbox's: the incident is replayed in the sandbox's account.
    const { incident, substitutions } = seedFromIncident(
      sandbox,
      incidentOf('guardduty/eb-pascalcase-ec2-ssh-bruteforce-4-enis.json', false, '210987654321'),
    );
    expect(substitutions).toContainEqual({
      kind: 'sg',
      from: 'GeneratedFindingSecurityId1',
      to: expect.stringMatching(/^sg-[0-9a-f]{17}$/),
    });
    expect(substitutions).toContainEqual({
      kind: 'account',
      from: '210987654321',
      to: sandbox.account.accountId,
    });
    expect(incident.account).toBe(sandbox.account.accountId);
    // The real ids stay as they are.
    expect(substitutions.map((substitution) => substitution.from)).not.toContain('i-99999999');
    expect(substitutions.map((substitution) => substitution.from)).not.toContain('eni-abcdef00');
  });

  it('seeds the user of an access-key finding with the key, another key and a console password', async () => {
    const sandbox = createSandbox();
    const { incident } = seedFromIncident(sandbox, incidentOf('guardduty/eb-iam-toripcaller-custodian.json'));
    const key = incident.resources.find((resource) => resource.kind === 'access-key');
    expect(key).toMatchObject({
      userName: 'GeneratedFindingUserName',
      accessKeyId: expect.stringMatching(/^AKIA[A-Z0-9]{16}$/),
    });
    const iam = sandbox.account.attach(new IAMClient({ region: 'us-east-1' }));
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'GeneratedFindingUserName' }));
    expect(keys.AccessKeyMetadata?.map((metadata) => metadata.Status)).toEqual(['Active', 'Active']);
    expect(keys.AccessKeyMetadata?.map((metadata) => metadata.AccessKeyId)).toContain(
      key?.kind === 'access-key' ? key.accessKeyId : '',
    );
  });

  it('seeds a Config-named IAM user by its user id, with one stale and one fresh key', async () => {
    const sandbox = createSandbox({ now: () => new Date('2026-11-28T10:00:00Z') });
    seedFromIncident(sandbox, incidentOf('config-access-keys-rotated-noncompliant.json', true));
    const users = Object.values(
      (sandbox.iam.snapshot() as { users: Record<string, { userId: string }> }).users,
    );
    expect(users.map((user) => user.userId)).toEqual(['AIDAJQABLZS4A3QDU576Q']);
  });

  it("replays an incident in a sandbox of the incident's own account", () => {
    const { sandbox, incident, substitutions } = sandboxForIncident(
      incidentOf('guardduty/eb-iam-toripcaller-custodian.json'),
    );
    expect(sandbox.account.accountId).toBe('883606788610');
    expect(incident.account).toBe('883606788610');
    expect(substitutions.map((substitution) => substitution.kind)).not.toContain('account');
  });

  it("creates Cordon's own tables and topic once", () => {
    const sandbox = createSandbox();
    const first = seedFromIncident(
      sandbox,
      incidentOf('guardduty/eb-ec2-backdoor-cc-activity-b-dns-custodian.json'),
    );
    expect(first.topicArn).toBe(`arn:aws:sns:us-east-1:123456789012:${SANDBOX_RESOURCES.topicName}`);
    expect(
      Object.keys((sandbox.dynamodb.snapshot() as { tables: Record<string, unknown> }).tables).sort(),
    ).toEqual([SANDBOX_RESOURCES.approvalsTable, SANDBOX_RESOURCES.ledgerTable].sort());
  });
});

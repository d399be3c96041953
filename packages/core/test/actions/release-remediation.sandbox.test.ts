import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import { environmentOn, expectUnchanged, testSandbox, WEB } from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { closeDefaultSecurityGroup } from '../../src/actions/close-default-security-group.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { revokeOpenIngress } from '../../src/actions/revoke-open-ingress.ts';
import { runAction } from '../../src/actions/run-action.ts';

const DEFAULT_GROUP = 'sg-0d4e5f60718293041';
const WEB_GROUP = 'sg-0a1b2c3d4e5f60718';
const SSH = {
  identifier: 'INCOMING_SSH_DISABLED',
  name: 'restricted-ssh',
  parameters: {},
  parametersKnown: true,
};

/** A VPC whose default group has its rules, and a web group open to SSH from anywhere. */
function twoGroups(sandbox: Sandbox): void {
  sandbox.ec2.addVpc({ vpcId: WEB.vpcId, defaultGroupId: DEFAULT_GROUP });
  sandbox.ec2.addSecurityGroup({
    groupId: WEB_GROUP,
    groupName: 'web',
    vpcId: WEB.vpcId,
    ingress: [
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }],
      },
    ],
  });
}

function groups(sandbox: Sandbox) {
  const strip = ({ ruleId: _id, ...rule }: { ruleId: string }) => JSON.stringify(rule);
  return Object.fromEntries(
    Object.values(sandbox.ec2.snapshot().securityGroups).map((group) => [
      group.groupId,
      [...group.ingress.map(strip), ...group.egress.map((rule) => `out ${strip(rule)}`)].sort(),
    ]),
  );
}

describe('release-remediation (against the sandbox account)', () => {
  it('undoes every releasable step of the incident, each to what it recorded', async () => {
    // Prepare: one incident ran both fixes.
    const sandbox = testSandbox();
    twoGroups(sandbox);
    const before = groups(sandbox);
    const environment = environmentOn(sandbox);
    await runAction(revokeOpenIngress, { ...envelope(), groupId: WEB_GROUP, rule: SSH }, environment);
    await runAction(closeDefaultSecurityGroup, { ...envelope(), groupId: DEFAULT_GROUP }, environment);

    // Act
    const outcome = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(outcome.output.releasedSteps).toEqual(['revoke-open-ingress', 'close-default-security-group']);
    expect(groups(sandbox)).toEqual(before);
  });

  it('finds everything back the second time, and changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoGroups(sandbox);
    const environment = environmentOn(sandbox);
    await runAction(closeDefaultSecurityGroup, { ...envelope(), groupId: DEFAULT_GROUP }, environment);
    const dry = await expectUnchanged(sandbox, () =>
      runAction(releaseRemediation, { ...envelope(), dryRun: true }, environment),
    );
    await runAction(releaseRemediation, envelope(), environment);

    // Act
    const second = await expectUnchanged(sandbox, () =>
      runAction(releaseRemediation, envelope(), environment),
    );

    // Assess
    expect(dry.status).toBe('dry-run');
    expect(second.status).toBe('already-done');
  });

  it('reports a fault mid-way with what was put back, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    twoGroups(sandbox);
    const before = groups(sandbox);
    const environment = environmentOn(sandbox);
    await runAction(revokeOpenIngress, { ...envelope(), groupId: WEB_GROUP, rule: SSH }, environment);
    await runAction(closeDefaultSecurityGroup, { ...envelope(), groupId: DEFAULT_GROUP }, environment);
    sandbox.account.injectFault({
      command: 'AuthorizeSecurityGroupEgress',
      error: 'InternalError',
      times: 1,
    });

    // Act
    const failed = runAction(releaseRemediation, envelope(), environment);

    // Assess
    await expect(failed).rejects.toMatchObject({
      name: 'TransientServiceError',
      partial: { done: ['revoke-open-ingress'], notDone: ['close-default-security-group'] },
    });
    const failure = environment.ledger.all().at(-1);
    expect(failure?.outcome).toBe('failed');
    expect(failure?.notes).toContain('done before the failure: revoke-open-ingress');
    await runAction(releaseRemediation, envelope(), environment);
    expect(groups(sandbox)).toEqual(before);
  });
});

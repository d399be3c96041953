import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
  WEB,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { closeDefaultSecurityGroup } from '../../src/actions/close-default-security-group.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const DEFAULT_GROUP = 'sg-0d4e5f60718293041';

/** A VPC with IPv6, whose default group has AWS's rules (from itself in; all out, IPv4 and IPv6). */
function aVpc(sandbox: Sandbox): void {
  sandbox.ec2.addVpc({ vpcId: WEB.vpcId, defaultGroupId: DEFAULT_GROUP, ipv6CidrBlock: '2600:1f18::/56' });
}

function rulesOf(sandbox: Sandbox) {
  const group = sandbox.ec2.snapshot().securityGroups[DEFAULT_GROUP];
  const strip = ({ ruleId: _id, ...rule }: { ruleId: string }) => JSON.stringify(rule);
  return [
    ...(group?.ingress ?? []).map(strip),
    ...(group?.egress ?? []).map((rule) => `out ${strip(rule)}`),
  ].sort();
}

const input = { ...envelope(), groupId: DEFAULT_GROUP };

describe('close-default-security-group (against the sandbox account)', () => {
  it('leaves the default group with no rule at all, and the release puts each back', async () => {
    // Prepare
    const sandbox = testSandbox();
    aVpc(sandbox);
    const before = rulesOf(sandbox);
    const environment = environmentOn(sandbox);

    // Act
    const outcome = await runAction(closeDefaultSecurityGroup, input, environment);

    // Assess
    expect(before).toHaveLength(3);
    expect(outcome.status).toBe('done');
    expect(rulesOf(sandbox)).toEqual([]);
    await runAction(releaseRemediation, envelope(), environment);
    expect(rulesOf(sandbox)).toEqual(before);
  });

  it('runs a second time without changing anything, and changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    aVpc(sandbox);
    const dry = await expectUnchanged(sandbox, () =>
      runAction(closeDefaultSecurityGroup, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Act + Assess
    expect(dry.status).toBe('dry-run');
    await expectSecondRunChangesNothing(sandbox, () =>
      runAction(closeDefaultSecurityGroup, input, environmentOn(sandbox)),
    );
  });

  it('refuses another group of the VPC, changing nothing', async () => {
    // Prepare
    const sandbox = testSandbox();
    aVpc(sandbox);
    const web = sandbox.ec2.addSecurityGroup({
      groupId: 'sg-0a1b2c3d4e5f60718',
      groupName: 'web',
      vpcId: WEB.vpcId,
    });

    // Act + Assess
    await expectUnchanged(sandbox, () =>
      expect(
        runAction(closeDefaultSecurityGroup, { ...input, groupId: web }, environmentOn(sandbox)),
      ).rejects.toMatchObject({ name: 'ActionFailedError' }),
    );
  });
});

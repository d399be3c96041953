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
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { revokeOpenIngress } from '../../src/actions/revoke-open-ingress.ts';
import { runAction } from '../../src/actions/run-action.ts';

const GROUP = 'sg-0a1b2c3d4e5f60718';
const SSH = {
  identifier: 'INCOMING_SSH_DISABLED',
  name: 'restricted-ssh',
  parameters: {},
  parametersKnown: true,
};

/** A group with SSH open to the world (one rule tagged) beside office SSH, world HTTPS and all egress. */
function aBastion(sandbox: Sandbox): void {
  sandbox.ec2.addVpc({ vpcId: WEB.vpcId });
  sandbox.ec2.addSecurityGroup({
    groupId: GROUP,
    groupName: 'bastion',
    vpcId: WEB.vpcId,
    ingress: [
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'v6 ssh' }],
      },
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'office' }],
      },
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }],
      },
    ],
  });
  void sandbox.ec2.commands.AuthorizeSecurityGroupIngress?.(
    {
      GroupId: GROUP,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'ssh' }],
        },
      ],
      TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'team', Value: 'ops' }] }],
    },
    sandbox.account.context,
  );
}

/** The group's rules without their ids (a rule authorized again gets a new id, nothing else differs). */
function rulesOf(sandbox: Sandbox) {
  const group = sandbox.ec2.snapshot().securityGroups[GROUP];
  const strip = ({ ruleId: _id, ...rule }: { ruleId: string }) => JSON.stringify(rule);
  return {
    ingress: (group?.ingress ?? []).map(strip).sort(),
    egress: (group?.egress ?? []).map(strip).sort(),
  };
}

const input = { ...envelope(), groupId: GROUP, rule: SSH };

describe('revoke-open-ingress (against the sandbox account)', () => {
  it('revokes SSH from 0.0.0.0/0 and ::/0, and leaves office SSH, HTTPS and egress as they were', async () => {
    // Prepare
    const sandbox = testSandbox();
    aBastion(sandbox);
    const before = rulesOf(sandbox);

    // Act
    const outcome = await runAction(revokeOpenIngress, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    const after = rulesOf(sandbox);
    expect(after.egress).toEqual(before.egress);
    expect(after.ingress).toEqual(before.ingress.filter((rule) => !/"(ssh|v6 ssh)"/.test(rule)));
    expect(after.ingress).toHaveLength(2);
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    aBastion(sandbox);
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () => runAction(revokeOpenIngress, input, environment));
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    aBastion(sandbox);

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(revokeOpenIngress, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.revoked).toHaveLength(2);
  });

  it('is released exactly: the revoked rules come back with their descriptions and tags, the others untouched', async () => {
    // Prepare
    const sandbox = testSandbox();
    aBastion(sandbox);
    const before = rulesOf(sandbox);
    const environment = environmentOn(sandbox);
    await runAction(revokeOpenIngress, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(release.output.releasedSteps).toEqual(['revoke-open-ingress']);
    expect(rulesOf(sandbox)).toEqual(before);
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    aBastion(sandbox);
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({
      command: 'RevokeSecurityGroupIngress',
      error: 'RequestLimitExceeded',
      times: 1,
    });

    // Act
    const failed = runAction(revokeOpenIngress, input, environment);

    // Assess: retryable, recorded, the restore record written before the call.
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(revokeOpenIngress, input, environment);
    expect(retry.status).toBe('done');
    expect(rulesOf(sandbox).ingress).toHaveLength(2);
  });
});

import { describe, expect, it } from 'vitest';
import { envelope, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { blockAccountPublicAccess } from '../../src/actions/block-account-public-access.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { runAction } from '../../src/actions/run-action.ts';

const RULE = {
  identifier: 'S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS',
  name: 's3-account-level-public-access-blocks-conformance-pack-p4xq2m7ta',
  parameters: {},
  parametersKnown: true,
};
const ALL_ON = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};
const input = { ...envelope(), accountId: TEST_ACCOUNT, rule: RULE };

/** An account whose public ACLs are blocked and ignored, and whose public policies are allowed. */
function halfBlocked(sandbox: Sandbox): void {
  sandbox.s3Control.setPublicAccessBlock({ blockPublicAcls: true, ignorePublicAcls: true });
}

describe('block-account-public-access (against the sandbox account)', () => {
  it('turns on the two settings that were off and leaves the account with all four on', async () => {
    // Prepare
    const sandbox = testSandbox();
    halfBlocked(sandbox);

    // Act
    const outcome = await runAction(blockAccountPublicAccess, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    expect(sandbox.s3Control.publicAccessBlock()).toEqual(ALL_ON);
    expect(outcome.changes.map((change) => change.attribute).sort()).toEqual([
      's3:accountPublicAccessBlock:blockPublicPolicy',
      's3:accountPublicAccessBlock:restrictPublicBuckets',
    ]);
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    halfBlocked(sandbox);
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () =>
      runAction(blockAccountPublicAccess, input, environment),
    );
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(blockAccountPublicAccess, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.before).toBe('none');
    expect(sandbox.s3Control.publicAccessBlock()).toBeUndefined();
  });

  it('is released exactly: the two settings that were on stay on, the two that were off are off again', async () => {
    // Prepare
    const sandbox = testSandbox();
    halfBlocked(sandbox);
    const before = sandbox.s3Control.publicAccessBlock();
    const environment = environmentOn(sandbox);
    await runAction(blockAccountPublicAccess, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.status).toBe('done');
    expect(release.output.releasedSteps).toEqual(['block-account-public-access']);
    expect(sandbox.s3Control.publicAccessBlock()).toEqual(before);
  });

  it('is released to no configuration at all when the account had none', async () => {
    // Prepare
    const sandbox = testSandbox();
    const environment = environmentOn(sandbox);
    await runAction(blockAccountPublicAccess, input, environment);
    expect(sandbox.s3Control.publicAccessBlock()).toEqual(ALL_ON);

    // Act
    await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(sandbox.s3Control.publicAccessBlock()).toBeUndefined();
    const again = await runAction(releaseRemediation, envelope(), environment);
    expect(again.status).toBe('already-done');
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    halfBlocked(sandbox);
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({
      service: 'S3Control',
      command: 'PutPublicAccessBlock',
      error: 'SlowDown',
      times: 1,
    });

    // Act
    const failed = runAction(blockAccountPublicAccess, input, environment);

    // Assess: retryable, recorded, the restore record written before the call.
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    const retry = await runAction(blockAccountPublicAccess, input, environment);
    expect(retry.status).toBe('done');
    expect(sandbox.s3Control.publicAccessBlock()).toEqual(ALL_ON);
    // The release still puts back the state from before the first try.
    await runAction(releaseRemediation, envelope(), environment);
    expect(sandbox.s3Control.publicAccessBlock()).toEqual({
      ...ALL_ON,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    });
  });
});

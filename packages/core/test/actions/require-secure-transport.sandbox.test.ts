import { describe, expect, it } from 'vitest';
import { envelope } from '../../../../test/support/actions.ts';
import {
  environmentOn,
  expectSecondRunChangesNothing,
  expectUnchanged,
  testSandbox,
} from '../../../../test/support/sandbox.ts';
import type { Sandbox } from '../../../local/src/sandbox/index.ts';
import { releaseRemediation } from '../../src/actions/release-remediation.ts';
import { requireSecureTransport, SECURE_TRANSPORT_SID } from '../../src/actions/require-secure-transport.ts';
import { runAction } from '../../src/actions/run-action.ts';

const BUCKET = 'amzn-s3-demo-bucket-data';
const RULE = {
  identifier: 'S3_BUCKET_SSL_REQUESTS_ONLY',
  name: 's3-bucket-ssl-requests-only',
  parameters: {},
  parametersKnown: true,
};
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'PartnerRead',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::210987654321:root' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    },
  ],
});
const input = { ...envelope(), bucketName: BUCKET, rule: RULE };

/** A bucket with the partner's policy, or (`null`) with no policy. */
function aPartnerBucket(sandbox: Sandbox, policy: string | null = POLICY): void {
  sandbox.s3.addBucket({ name: BUCKET, ...(policy === null ? {} : { policy }) });
}

function sids(sandbox: Sandbox): string[] {
  const policy = sandbox.s3.findBucket(BUCKET)?.policy;
  return policy === undefined
    ? []
    : (JSON.parse(policy) as { Statement: { Sid: string }[] }).Statement.map((each) => each.Sid);
}

describe('require-secure-transport (against the sandbox account)', () => {
  it("adds its statement beside the partner's", async () => {
    // Prepare
    const sandbox = testSandbox();
    aPartnerBucket(sandbox);

    // Act
    const outcome = await runAction(requireSecureTransport, input, environmentOn(sandbox));

    // Assess
    expect(outcome.status).toBe('done');
    expect(sids(sandbox)).toEqual(['PartnerRead', SECURE_TRANSPORT_SID]);
  });

  it('runs a second time without changing anything', async () => {
    // Prepare
    const sandbox = testSandbox();
    aPartnerBucket(sandbox);
    const environment = environmentOn(sandbox);

    // Act + Assess
    await expectSecondRunChangesNothing(sandbox, () => runAction(requireSecureTransport, input, environment));
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    const sandbox = testSandbox();
    aPartnerBucket(sandbox);

    // Act
    const outcome = await expectUnchanged(sandbox, () =>
      runAction(requireSecureTransport, { ...input, dryRun: true }, environmentOn(sandbox)),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
  });

  it('is released exactly: the policy text from before, byte for byte', async () => {
    // Prepare
    const sandbox = testSandbox();
    aPartnerBucket(sandbox);
    const environment = environmentOn(sandbox);
    await runAction(requireSecureTransport, input, environment);

    // Act
    const release = await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(release.output.releasedSteps).toEqual(['require-secure-transport']);
    expect(sandbox.s3.findBucket(BUCKET)?.policy).toBe(POLICY);
  });

  it('is released to no policy when the bucket had none', async () => {
    // Prepare
    const sandbox = testSandbox();
    aPartnerBucket(sandbox, null);
    const environment = environmentOn(sandbox);
    await runAction(requireSecureTransport, input, environment);
    expect(sids(sandbox)).toEqual([SECURE_TRANSPORT_SID]);

    // Act
    await runAction(releaseRemediation, envelope(), environment);

    // Assess
    expect(sandbox.s3.findBucket(BUCKET)?.policy).toBeUndefined();
  });

  it('reports a fault mid-way, records it, and a retry finishes the job', async () => {
    // Prepare
    const sandbox = testSandbox();
    aPartnerBucket(sandbox);
    const environment = environmentOn(sandbox);
    sandbox.account.injectFault({ service: 'S3', command: 'PutBucketPolicy', error: 'SlowDown', times: 1 });

    // Act
    const failed = runAction(requireSecureTransport, input, environment);

    // Assess
    await expect(failed).rejects.toMatchObject({ name: 'ThrottledError' });
    expect(environment.ledger.all().map((entry) => entry.outcome)).toEqual(['planned', 'failed']);
    expect((await runAction(requireSecureTransport, input, environment)).status).toBe('done');
    expect(sids(sandbox)).toEqual(['PartnerRead', SECURE_TRANSPORT_SID]);
  });
});

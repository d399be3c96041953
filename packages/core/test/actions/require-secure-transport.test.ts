import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  PutBucketPolicyCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { actionEnvironment, envelope, realClients, TEST_ACCOUNT } from '../../../../test/support/actions.ts';
import {
  requireSecureTransport,
  SECURE_TRANSPORT_SID,
  secureTransportRelease,
  secureTransportStatement,
} from '../../src/actions/require-secure-transport.ts';
import { runAction } from '../../src/actions/run-action.ts';

const BUCKET = 'amzn-s3-demo-bucket-data';
const RULE = {
  identifier: 'S3_BUCKET_SSL_REQUESTS_ONLY',
  name: 's3-bucket-ssl-requests-only-conformance-pack-v8r3n0q2d',
  parameters: {},
  parametersKnown: true,
};
const PARTNER = {
  Sid: 'PartnerRead',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::210987654321:root' },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};
/** The partner's policy as its owner wrote it: one statement, not a list, and formatted. */
const PARTNER_POLICY = JSON.stringify({ Version: '2012-10-17', Id: 'partner', Statement: PARTNER }, null, 2);

function notFound(name: string) {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });
}

function sentPolicy(s3: ReturnType<typeof mockClient>) {
  const call = s3.commandCalls(PutBucketPolicyCommand)[0];
  return JSON.parse(String(call?.args[0].input.Policy)) as { Id?: string; Statement: unknown[] };
}

describe('require-secure-transport (commands sent)', () => {
  const clients = realClients();
  const s3 = mockClient(clients.s3);
  const input = { ...envelope(), bucketName: BUCKET, rule: RULE };

  beforeEach(() => {
    s3.reset();
    s3.on(GetBucketTaggingCommand).rejects(notFound('NoSuchTagSet'));
    s3.on(PutBucketPolicyCommand).resolves({});
  });

  it('adds exactly one Deny statement and keeps every other statement and field of the policy', async () => {
    // Prepare
    s3.on(GetBucketPolicyCommand).resolves({ Policy: PARTNER_POLICY });
    const environment = actionEnvironment(clients);

    // Act
    const outcome = await runAction(requireSecureTransport, input, environment);

    // Assess
    expect(outcome.status).toBe('done');
    expect(s3).toHaveReceivedCommandWith(PutBucketPolicyCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: TEST_ACCOUNT,
    });
    const policy = sentPolicy(s3);
    expect(policy.Id).toBe('partner');
    expect(policy.Statement).toEqual([PARTNER, secureTransportStatement(BUCKET)]);
    expect(environment.ledger.all()[0]?.restore).toMatchObject({
      bucketName: BUCKET,
      previousPolicy: PARTNER_POLICY,
    });
  });

  it('writes a policy of that one statement when the bucket had none, and records that it had none', async () => {
    // Prepare
    s3.on(GetBucketPolicyCommand).rejects(notFound('NoSuchBucketPolicy'));
    const environment = actionEnvironment(clients);

    // Act
    await runAction(requireSecureTransport, input, environment);

    // Assess
    expect(sentPolicy(s3).Statement).toEqual([secureTransportStatement(BUCKET)]);
    expect(environment.ledger.all()[0]?.restore).toMatchObject({ previousPolicy: null });
  });

  it('denies over aws:SecureTransport false, to everyone, every S3 action, on the bucket and its objects', () => {
    // Act
    const statement = secureTransportStatement(BUCKET);

    // Assess
    expect(statement).toEqual({
      Sid: SECURE_TRANSPORT_SID,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  it("is already done when the owner's own statement denies HTTP already", async () => {
    // Prepare
    const own = { ...secureTransportStatement(BUCKET), Sid: 'AllowSSLRequestsOnly', Principal: { AWS: '*' } };
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [PARTNER, own] }),
    });

    // Act
    const outcome = await runAction(requireSecureTransport, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('is not fooled by a Deny that covers only the objects', async () => {
    // Prepare
    const partial = {
      ...secureTransportStatement(BUCKET),
      Sid: 'ObjectsOnly',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    };
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [partial] }),
    });

    // Act
    const outcome = await runAction(requireSecureTransport, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('done');
    expect(sentPolicy(s3).Statement).toHaveLength(2);
  });

  it('is not fooled by a statement that only carries its Sid: it refuses, named, changing nothing', async () => {
    // Prepare: Cordon's Sid on an Allow (a person reused the name), and no deny of HTTP anywhere.
    const impostor = { ...PARTNER, Sid: SECURE_TRANSPORT_SID };
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [impostor] }),
    });

    // Act
    const run = runAction(requireSecureTransport, input, actionEnvironment(clients));

    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ActionFailedError' });
    await expect(run).rejects.toThrow(
      /does not deny requests not sent over TLS: Cordon cannot add its own beside it/,
    );
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('is already done when its own statement is there and truly the fix', async () => {
    // Prepare
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [PARTNER, secureTransportStatement(BUCKET)],
      }),
    });

    // Act
    const outcome = await runAction(requireSecureTransport, input, actionEnvironment(clients));

    // Assess
    expect(outcome.status).toBe('already-done');
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('changes nothing in dry-run', async () => {
    // Prepare
    s3.on(GetBucketPolicyCommand).resolves({ Policy: PARTNER_POLICY });

    // Act
    const outcome = await runAction(
      requireSecureTransport,
      { ...input, dryRun: true },
      actionEnvironment(clients),
    );

    // Assess
    expect(outcome.status).toBe('dry-run');
    expect(outcome.output.added).toBe(SECURE_TRANSPORT_SID);
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('refuses, named, a policy that is not JSON, and an exempt bucket', async () => {
    // Prepare
    s3.on(GetBucketPolicyCommand).resolves({ Policy: 'not json' });

    // Act
    const broken = runAction(requireSecureTransport, input, actionEnvironment(clients));
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'cordon:exempt', Value: 'true' }] });
    const exempt = runAction(requireSecureTransport, input, actionEnvironment(clients));

    // Assess
    await expect(broken).rejects.toThrow(/is not a JSON object; nothing was changed/);
    await expect(exempt).rejects.toMatchObject({ name: 'ExemptResourceError' });
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });
});

describe('require-secure-transport release (commands sent)', () => {
  const clients = realClients();
  const s3 = mockClient(clients.s3);
  const applied = JSON.stringify({
    Version: '2012-10-17',
    Id: 'partner',
    Statement: [PARTNER, secureTransportStatement(BUCKET)],
  });
  const context = () => ({
    ...actionEnvironment(clients),
    step: 'release-remediation' as const,
    incidentId: envelope().incidentId,
    account: TEST_ACCOUNT,
    region: envelope().region,
    dryRun: false,
  });

  beforeEach(() => {
    s3.reset();
    s3.on(PutBucketPolicyCommand).resolves({});
    s3.on(DeleteBucketPolicyCommand).resolves({});
  });

  it('puts the policy from before back verbatim when nobody edited it since', async () => {
    // Prepare
    s3.on(GetBucketPolicyCommand).resolves({ Policy: applied });

    // Act
    const plan = await secureTransportRelease.plan(
      { bucketName: BUCKET, previousPolicy: PARTNER_POLICY, appliedPolicy: applied },
      context(),
    );
    await plan.apply();

    // Assess
    expect(s3).toHaveReceivedCommandWith(PutBucketPolicyCommand, { Bucket: BUCKET, Policy: PARTNER_POLICY });
  });

  it('keeps a later edit and removes only its own statement', async () => {
    // Prepare
    const later = { ...PARTNER, Sid: 'AuditorRead', Principal: { AWS: 'arn:aws:iam::333333333333:root' } };
    s3.on(GetBucketPolicyCommand).resolves({
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Id: 'partner',
        Statement: [PARTNER, secureTransportStatement(BUCKET), later],
      }),
    });

    // Act
    const plan = await secureTransportRelease.plan(
      { bucketName: BUCKET, previousPolicy: PARTNER_POLICY, appliedPolicy: applied },
      context(),
    );
    await plan.apply();

    // Assess
    expect(sentPolicy(s3).Statement).toEqual([PARTNER, later]);
    expect(plan.notes.join(' ')).toMatch(/every edit is kept/);
  });

  it('deletes the policy when the bucket had none', async () => {
    // Prepare
    const only = JSON.stringify({ Version: '2012-10-17', Statement: [secureTransportStatement(BUCKET)] });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: only });

    // Act
    const plan = await secureTransportRelease.plan(
      { bucketName: BUCKET, previousPolicy: null, appliedPolicy: only },
      context(),
    );
    await plan.apply();

    // Assess
    expect(s3).toHaveReceivedCommandWith(DeleteBucketPolicyCommand, {
      Bucket: BUCKET,
      ExpectedBucketOwner: TEST_ACCOUNT,
    });
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
  });

  it('changes nothing when the statement is gone already', async () => {
    // Prepare
    s3.on(GetBucketPolicyCommand).resolves({ Policy: PARTNER_POLICY });

    // Act
    const plan = await secureTransportRelease.plan(
      { bucketName: BUCKET, previousPolicy: PARTNER_POLICY, appliedPolicy: applied },
      context(),
    );

    // Assess
    expect(plan.changes).toEqual([]);
  });

  it('keeps a statement a person put under its Sid that no longer denies insecure transport', async () => {
    // Prepare: someone reused CordonDenyInsecureTransport for an Allow after the fix.
    const reused = { ...PARTNER, Sid: secureTransportStatement(BUCKET).Sid };
    const edited = JSON.stringify({ Version: '2012-10-17', Id: 'partner', Statement: [PARTNER, reused] });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: edited });

    // Act
    const plan = await secureTransportRelease.plan(
      { bucketName: BUCKET, previousPolicy: PARTNER_POLICY, appliedPolicy: applied },
      context(),
    );
    await plan.apply();

    // Assess
    expect(plan.changes).toEqual([]);
    expect(s3).not.toHaveReceivedCommand(PutBucketPolicyCommand);
    expect(s3).not.toHaveReceivedCommand(DeleteBucketPolicyCommand);
  });
});

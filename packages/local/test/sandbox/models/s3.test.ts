import {
  DeleteBucketEncryptionCommand,
  DeleteBucketOwnershipControlsCommand,
  DeleteBucketPolicyCommand,
  DeletePublicAccessBlockCommand,
  GetBucketAbacCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  PutBucketAclCommand,
  PutBucketEncryptionCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  PutPublicAccessBlockCommand as PutAccountPublicAccessBlockCommand,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { describe, expect, it } from 'vitest';
import { createSandbox } from '../../../src/sandbox/index.ts';
import { ALL_USERS } from '../../../src/sandbox/models/s3-acl.ts';

const ACCOUNT = '111122223333';
const BUCKET = 'reports-111122223333';
const OTHER_STATEMENT = {
  Sid: 'AllowAnalytics',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/analytics` },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};
const TLS_ONLY = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};
const PUBLIC_READ = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

function setup(region = 'eu-west-1') {
  const sandbox = createSandbox({ accountId: ACCOUNT, region, now: () => new Date('2026-03-01T12:00:00Z') });
  const s3 = sandbox.account.attach(new S3Client({ region }));
  const s3Control = sandbox.account.attach(new S3ControlClient({ region }));
  return { sandbox, s3, s3Control };
}

describe('S3Model', () => {
  describe('bucket policy', () => {
    it('puts, reads back and deletes a policy; a bucket without one answers NoSuchBucketPolicy (404)', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({ name: BUCKET });
      const document = policy(OTHER_STATEMENT, TLS_ONLY);

      // Act
      await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: document }));
      const read = await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
      const afterDelete = s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));

      // Assess
      expect(read.Policy).toBe(document);
      await expect(afterDelete).rejects.toMatchObject({
        name: 'NoSuchBucketPolicy',
        message: 'The bucket policy does not exist',
        $metadata: { httpStatusCode: 404 },
      });
      await expect(s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }))).resolves.toBeDefined();
    });

    it.each([
      ['a document that is not JSON', '{"Statement": [', /first byte must be '\{'/],
      ['no Statement', JSON.stringify({ Version: '2012-10-17' }), /Missing required field Statement/],
      ['a statement without Principal', policy({ ...OTHER_STATEMENT, Principal: undefined }), /Principal/],
      [
        'a resource of another bucket',
        policy({ ...OTHER_STATEMENT, Resource: 'arn:aws:s3:::elsewhere/*' }),
        /invalid resource/,
      ],
      [
        'an action of another service',
        policy({ ...OTHER_STATEMENT, Action: 'ec2:DescribeInstances' }),
        /invalid action/,
      ],
      [
        'a malformed principal',
        policy({ ...OTHER_STATEMENT, Principal: { AWS: 'alice' } }),
        /Invalid principal/,
      ],
      ['two statements with the same Sid', policy(TLS_ONLY, TLS_ONLY), /SID/],
      ['an unknown field', policy({ ...OTHER_STATEMENT, Effects: 'Allow' }), /Unknown field Effects/],
      ['a policy over 20 KB', policy({ ...OTHER_STATEMENT, Sid: 'x'.repeat(21_000) }), /20 KB/],
    ])(
      'PutBucketPolicy refuses %s with MalformedPolicy (400) and keeps the old policy',
      async (_case, document, message) => {
        // Prepare
        const { sandbox, s3 } = setup();
        sandbox.s3.addBucket({ name: BUCKET, policy: policy(OTHER_STATEMENT) });

        // Act
        const attempt = s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: document }));

        // Assess
        await expect(attempt).rejects.toMatchObject({
          name: 'MalformedPolicy',
          $metadata: { httpStatusCode: 400 },
        });
        await expect(attempt).rejects.toThrow(message);
        expect(sandbox.s3.findBucket(BUCKET)?.policy).toBe(policy(OTHER_STATEMENT));
      },
    );

    it('BlockPublicPolicy on the bucket refuses a public policy with AccessDenied (403), not a restricted one', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({ name: BUCKET, publicAccessBlock: { blockPublicPolicy: true } });
      const restricted = {
        ...PUBLIC_READ,
        Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-0123456789abcdef0' } },
      };
      const wildcardVpc = { ...PUBLIC_READ, Condition: { StringLike: { 'aws:SourceVpc': 'vpc-*' } } };

      // Act
      const publicAttempt = s3.send(
        new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(PUBLIC_READ) }),
      );
      const wildcardAttempt = s3.send(
        new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(wildcardVpc) }),
      );
      await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(restricted, TLS_ONLY) }));

      // Assess
      await expect(publicAttempt).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(wildcardAttempt).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(JSON.parse(sandbox.s3.findBucket(BUCKET)?.policy ?? '{}').Statement).toHaveLength(2);
    });

    it('the account’s BlockPublicPolicy refuses a public policy on a bucket with no block of its own', async () => {
      // Prepare
      const { sandbox, s3, s3Control } = setup();
      sandbox.s3.addBucket({ name: BUCKET, publicAccessBlock: null });
      await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(PUBLIC_READ) }));
      await s3Control.send(
        new PutAccountPublicAccessBlockCommand({
          AccountId: ACCOUNT,
          PublicAccessBlockConfiguration: { BlockPublicPolicy: true },
        }),
      );

      // Act
      const attempt = s3.send(
        new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: policy(PUBLIC_READ, TLS_ONLY) }),
      );

      // Assess: the existing public policy stays (the block changes no existing policy), the new one is refused.
      await expect(attempt).rejects.toMatchObject({ name: 'AccessDenied' });
      expect(sandbox.s3.findBucket(BUCKET)?.policy).toBe(policy(PUBLIC_READ));
    });
  });

  describe('Block Public Access', () => {
    it('a new bucket has all four settings on; Put replaces all four, Delete removes them', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({ name: BUCKET });

      // Act
      const initial = await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: BUCKET,
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true },
        }),
      );
      const partial = await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: BUCKET }));
      const deleted = s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));

      // Assess
      expect(initial.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      });
      expect(partial.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: false,
        RestrictPublicBuckets: false,
      });
      await expect(deleted).rejects.toMatchObject({
        name: 'NoSuchPublicAccessBlockConfiguration',
        message: 'The public access block configuration was not found',
        $metadata: { httpStatusCode: 404 },
      });
    });
  });

  describe('default encryption', () => {
    it('answers SSE-S3 by default, takes SSE-KMS, and Delete resets it to SSE-S3', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({ name: BUCKET });
      const kmsKey = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0f0e0d0c-0b0a-4090-8070-605040302010`;

      // Act
      const initial = await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }));
      await s3.send(
        new PutBucketEncryptionCommand({
          Bucket: BUCKET,
          ServerSideEncryptionConfiguration: {
            Rules: [
              {
                ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey },
                BucketKeyEnabled: true,
              },
            ],
          },
        }),
      );
      const kms = await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }));
      await s3.send(new DeleteBucketEncryptionCommand({ Bucket: BUCKET }));
      const reset = await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }));

      // Assess
      expect(
        initial.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault,
      ).toEqual({
        SSEAlgorithm: 'AES256',
      });
      expect(kms.ServerSideEncryptionConfiguration?.Rules?.[0]).toEqual({
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey },
        BucketKeyEnabled: true,
      });
      expect(reset.ServerSideEncryptionConfiguration).toEqual(initial.ServerSideEncryptionConfiguration);
    });

    it('a bucket with no configuration answers ServerSideEncryptionConfigurationNotFoundError (404)', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({ name: BUCKET, encryption: null });

      // Act
      const attempt = s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }));

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'ServerSideEncryptionConfigurationNotFoundError',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it.each([
      [
        'an unknown algorithm',
        [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'DES' as 'AES256' } }],
        'MalformedXML',
      ],
      ['no rule', [], 'MalformedXML'],
      [
        'a KMS key with SSE-S3',
        [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const, KMSMasterKeyID: 'k' } }],
        'InvalidArgument',
      ],
    ])('PutBucketEncryption refuses %s (%s) and keeps the configuration', async (_case, Rules, code) => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({ name: BUCKET });
      const before = sandbox.s3.findBucket(BUCKET)?.encryption;

      // Act
      const attempt = s3.send(
        new PutBucketEncryptionCommand({ Bucket: BUCKET, ServerSideEncryptionConfiguration: { Rules } }),
      );

      // Assess
      await expect(attempt).rejects.toMatchObject({ name: code, $metadata: { httpStatusCode: 400 } });
      expect(sandbox.s3.findBucket(BUCKET)?.encryption).toEqual(before);
    });
  });

  describe('ACLs and Object Ownership', () => {
    it('a bucket with ACLs disabled refuses a public ACL with AccessControlListNotSupported (400) and reads as private', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({ name: BUCKET, publicAccessBlock: null });

      // Act
      const attempt = s3.send(new PutBucketAclCommand({ Bucket: BUCKET, ACL: 'public-read' }));
      const acl = await s3.send(new GetBucketAclCommand({ Bucket: BUCKET }));

      // Assess
      await expect(attempt).rejects.toMatchObject({
        name: 'AccessControlListNotSupported',
        message: 'The bucket does not allow ACLs',
        $metadata: { httpStatusCode: 400 },
      });
      expect(acl.Grants).toEqual([
        { Grantee: { Type: 'CanonicalUser', ID: acl.Owner?.ID }, Permission: 'FULL_CONTROL' },
      ]);
    });

    it('with ACLs enabled a public ACL is stored, refused under BlockPublicAcls, and hidden under IgnorePublicAcls', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({ name: BUCKET, publicAccessBlock: null, objectOwnership: 'ObjectWriter' });

      // Act
      await s3.send(new PutBucketAclCommand({ Bucket: BUCKET, ACL: 'public-read' }));
      const publicAcl = await s3.send(new GetBucketAclCommand({ Bucket: BUCKET }));
      await s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: BUCKET,
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true },
        }),
      );
      const blocked = s3.send(new PutBucketAclCommand({ Bucket: BUCKET, ACL: 'public-read-write' }));
      const ignored = await s3.send(new GetBucketAclCommand({ Bucket: BUCKET }));

      // Assess
      expect(publicAcl.Grants).toContainEqual({
        Grantee: { Type: 'Group', URI: ALL_USERS },
        Permission: 'READ',
      });
      await expect(blocked).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
      expect(ignored.Grants?.map((grant) => grant.Grantee?.Type)).toEqual(['CanonicalUser']);
      expect(sandbox.s3.findBucket(BUCKET)?.grants).toHaveLength(2);
    });

    it('disabling ACLs is refused while the ACL grants others (InvalidBucketAclWithObjectOwnership), allowed once private', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({
        name: BUCKET,
        publicAccessBlock: null,
        objectOwnership: 'ObjectWriter',
        acl: 'public-read',
      });
      const enforce = () =>
        s3.send(
          new PutBucketOwnershipControlsCommand({
            Bucket: BUCKET,
            OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          }),
        );

      // Act
      const refused = enforce();
      await expect(refused).rejects.toMatchObject({ name: 'InvalidBucketAclWithObjectOwnership' });
      await s3.send(new PutBucketAclCommand({ Bucket: BUCKET, ACL: 'private' }));
      await enforce();
      const controls = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }));
      await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: BUCKET }));
      const none = s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }));

      // Assess
      expect(controls.OwnershipControls?.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
      await expect(none).rejects.toMatchObject({
        name: 'OwnershipControlsNotFoundError',
        $metadata: { httpStatusCode: 404 },
      });
    });
  });

  describe('tags, location, ABAC and unknown buckets', () => {
    it('GetBucketTagging answers the tags, or NoSuchTagSet (404) when there are none', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3
        .addBucket({ name: BUCKET, tags: { 'cordon:exempt': 'true' } })
        .addBucket({ name: 'untagged-bucket' });

      // Act
      const tagged = await s3.send(new GetBucketTaggingCommand({ Bucket: BUCKET }));
      const untagged = s3.send(new GetBucketTaggingCommand({ Bucket: 'untagged-bucket' }));

      // Assess
      expect(tagged.TagSet).toEqual([{ Key: 'cordon:exempt', Value: 'true' }]);
      await expect(untagged).rejects.toMatchObject({
        name: 'NoSuchTagSet',
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('GetBucketLocation answers the Region, and no constraint for us-east-1; GetBucketAbac the ABAC status', async () => {
      // Prepare
      const { sandbox, s3 } = setup('us-east-1');
      sandbox.s3
        .addBucket({ name: BUCKET })
        .addBucket({ name: 'dublin-bucket', region: 'eu-west-1', abac: true });

      // Act
      const virginia = await s3.send(new GetBucketLocationCommand({ Bucket: BUCKET }));
      const dublin = await s3.send(new GetBucketLocationCommand({ Bucket: 'dublin-bucket' }));
      const abac = await s3.send(new GetBucketAbacCommand({ Bucket: 'dublin-bucket' }));

      // Assess
      expect(virginia.LocationConstraint).toBeUndefined();
      expect(dublin.LocationConstraint).toBe('eu-west-1');
      expect(abac.AbacStatus).toEqual({ Status: 'Enabled' });
    });

    it('an unknown bucket answers NoSuchBucket (404); another expected owner AccessDenied (403)', async () => {
      // Prepare
      const { sandbox, s3 } = setup();
      sandbox.s3.addBucket({ name: BUCKET });

      // Act
      const unknown = s3.send(new GetBucketPolicyCommand({ Bucket: 'no-such-bucket' }));
      const otherOwner = s3.send(
        new PutPublicAccessBlockCommand({
          Bucket: BUCKET,
          ExpectedBucketOwner: '999999999999',
          PublicAccessBlockConfiguration: {},
        }),
      );

      // Assess
      await expect(unknown).rejects.toMatchObject({
        name: 'NoSuchBucket',
        message: 'The specified bucket does not exist',
        $metadata: { httpStatusCode: 404 },
      });
      await expect(otherOwner).rejects.toMatchObject({
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      });
      expect(sandbox.s3.findBucket(BUCKET)?.publicAccessBlock?.blockPublicPolicy).toBe(true);
    });

    it('seeding refuses what S3 could not hold', () => {
      // Prepare
      const { sandbox } = setup();

      // Act / Assess
      expect(() => sandbox.s3.addBucket({ name: 'Bad_Name' })).toThrow(/not a valid S3 bucket name/);
      expect(() => sandbox.s3.addBucket({ name: BUCKET, acl: 'public-read' })).toThrow(/ACLs disabled/);
      expect(() => sandbox.s3.addBucket({ name: BUCKET, policy: '{"Statement": 1' })).toThrow(/first byte/);
    });
  });
});

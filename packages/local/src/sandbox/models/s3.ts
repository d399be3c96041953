import type {
  BucketLocationConstraint,
  DeleteBucketEncryptionCommandInput,
  DeleteBucketOwnershipControlsCommandInput,
  DeleteBucketPolicyCommandInput,
  DeletePublicAccessBlockCommandInput,
  GetBucketAbacCommandInput,
  GetBucketAbacCommandOutput,
  GetBucketAclCommandInput,
  GetBucketAclCommandOutput,
  GetBucketEncryptionCommandInput,
  GetBucketEncryptionCommandOutput,
  GetBucketLocationCommandInput,
  GetBucketLocationCommandOutput,
  GetBucketOwnershipControlsCommandInput,
  GetBucketOwnershipControlsCommandOutput,
  GetBucketPolicyCommandInput,
  GetBucketPolicyCommandOutput,
  GetBucketTaggingCommandInput,
  GetBucketTaggingCommandOutput,
  GetPublicAccessBlockCommandInput,
  GetPublicAccessBlockCommandOutput,
  ObjectOwnership,
  PublicAccessBlockConfiguration,
  PutBucketAclCommandInput,
  PutBucketEncryptionCommandInput,
  PutBucketOwnershipControlsCommandInput,
  PutBucketPolicyCommandInput,
  PutPublicAccessBlockCommandInput,
  ServerSideEncryptionRule,
} from '@aws-sdk/client-s3';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import { replaceState } from './restore-state.ts';
import {
  type CannedBucketAcl,
  cannedGrants,
  canonicalId,
  type GrantRecord,
  isOwnerOnly,
  isPublicAcl,
  policyGrants,
  toGrant,
} from './s3-acl.ts';
import { S3_MESSAGES, s3Error } from './s3-errors.ts';
import { isPublicPolicy, validBucketPolicy } from './s3-policy.ts';

/** The four Block Public Access settings, each `false` when not set. */
export interface PublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

export type EncryptionSeed =
  | 'SSE-S3'
  | {
      readonly sseAlgorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
      readonly kmsMasterKeyId?: string;
      readonly bucketKeyEnabled?: boolean;
    };

/**
 * A bucket as a test or a local run finds it. Left out, each setting is what a bucket created today has: Block
 * Public Access on (all four) and ACLs disabled (`BucketOwnerEnforced`) since April 2023
 * (https://aws.amazon.com/about-aws/whats-new/2022/12/amazon-s3-automatically-enable-block-public-access-disable-access-control-lists-buckets-april-2023/),
 * default encryption SSE-S3 ("By default, all buckets have a default encryption configuration that uses server-side
 * encryption with Amazon S3 managed keys", https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html),
 * a private ACL, no policy, no tags. `null` means none at all —
 * a bucket made before those defaults, or whose setting was deleted.
 */
export interface BucketSeed {
  readonly name: string;
  /** Defaults to the sandbox's region. */
  readonly region?: string;
  /** A bucket policy document (JSON text or an object), checked as PutBucketPolicy would check it. */
  readonly policy?: string | object;
  readonly publicAccessBlock?: Partial<PublicAccessBlock> | null;
  readonly encryption?: EncryptionSeed | null;
  readonly acl?: CannedBucketAcl;
  readonly objectOwnership?: ObjectOwnership | null;
  readonly tags?: Readonly<Record<string, string>>;
  /** Whether attribute-based access control is enabled: only then do IAM conditions see the bucket's tags. */
  readonly abac?: boolean;
}

export interface BucketRecord {
  name: string;
  region: string;
  creationDate: string;
  policy?: string;
  publicAccessBlock?: PublicAccessBlock;
  encryption?: ServerSideEncryptionRule[];
  grants: GrantRecord[];
  objectOwnership?: ObjectOwnership;
  tags?: Record<string, string>;
  abac: boolean;
}

export interface S3State {
  buckets: Record<string, BucketRecord>;
}

export interface S3ModelOptions {
  /** The account's Block Public Access settings (the S3 Control model's), combined with each bucket's. */
  readonly accountPublicAccessBlock?: () => PublicAccessBlock | undefined;
}

/** S3 bucket names: 3–63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SSE_ALGORITHMS = new Set(['AES256', 'aws:kms', 'aws:kms:dsse']);
const OWNERSHIP = new Set<string>(['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter']);

/** A PutPublicAccessBlock configuration as stored: a setting left out is `false` (the call replaces all four). */
function fromConfiguration(config: PublicAccessBlockConfiguration): PublicAccessBlock {
  return {
    blockPublicAcls: config.BlockPublicAcls === true,
    ignorePublicAcls: config.IgnorePublicAcls === true,
    blockPublicPolicy: config.BlockPublicPolicy === true,
    restrictPublicBuckets: config.RestrictPublicBuckets === true,
  };
}

export function toPublicAccessBlockConfiguration(block: PublicAccessBlock): PublicAccessBlockConfiguration {
  return {
    BlockPublicAcls: block.blockPublicAcls,
    IgnorePublicAcls: block.ignorePublicAcls,
    BlockPublicPolicy: block.blockPublicPolicy,
    RestrictPublicBuckets: block.restrictPublicBuckets,
  };
}

export const ALL_BLOCKED: PublicAccessBlock = {
  blockPublicAcls: true,
  ignorePublicAcls: true,
  blockPublicPolicy: true,
  restrictPublicBuckets: true,
};

const NONE_BLOCKED: PublicAccessBlock = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

function encryptionRules(seed: EncryptionSeed): ServerSideEncryptionRule[] {
  if (seed === 'SSE-S3') {
    return [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }];
  }
  return [
    {
      ApplyServerSideEncryptionByDefault: {
        SSEAlgorithm: seed.sseAlgorithm,
        ...(seed.kmsMasterKeyId === undefined ? {} : { KMSMasterKeyID: seed.kmsMasterKeyId }),
      },
      BucketKeyEnabled: seed.bucketKeyEnabled ?? false,
    },
  ];
}

/**
 * The S3 model: general purpose buckets with their policy, Block Public Access, default encryption, ACL, Object
 * Ownership and tags — the settings the posture remediations read and fix. Block Public Access acts as S3 makes it
 * act: the most restrictive combination of the bucket's and the account's settings refuses a public policy or ACL
 * (`AccessDenied`), and `IgnorePublicAcls` hides public grants from GetBucketAcl, which "always return[s] the
 * effective permissions".
 *
 * @example
 * const s3 = new S3Model(sandbox.context);
 * s3.addBucket({ name: 'reports', publicAccessBlock: null, policy: { Version: '2012-10-17', Statement: [] } });
 * sandbox.register(s3);
 */
export class S3Model implements ServiceModel {
  public readonly service = 'S3';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: S3State = { buckets: {} };
  private readonly ownerId: string;

  public constructor(
    private readonly context: SandboxContext,
    private readonly options: S3ModelOptions = {},
  ) {
    this.ownerId = canonicalId(context.accountId);
    this.commands = {
      GetBucketPolicy: typed((input: GetBucketPolicyCommandInput) => this.getBucketPolicy(input)),
      PutBucketPolicy: typed((input: PutBucketPolicyCommandInput) => this.putBucketPolicy(input)),
      DeleteBucketPolicy: typed((input: DeleteBucketPolicyCommandInput) => {
        // S3 documents no error for a bucket without a policy: deleting is idempotent.
        delete this.bucket(input).policy;
        return {};
      }),
      GetPublicAccessBlock: typed((input: GetPublicAccessBlockCommandInput) =>
        this.getPublicAccessBlock(input),
      ),
      PutPublicAccessBlock: typed((input: PutPublicAccessBlockCommandInput) =>
        this.putPublicAccessBlock(input),
      ),
      DeletePublicAccessBlock: typed((input: DeletePublicAccessBlockCommandInput) => {
        delete this.bucket(input).publicAccessBlock;
        return {};
      }),
      GetBucketEncryption: typed((input: GetBucketEncryptionCommandInput) => this.getBucketEncryption(input)),
      PutBucketEncryption: typed((input: PutBucketEncryptionCommandInput) => this.putBucketEncryption(input)),
      DeleteBucketEncryption: typed((input: DeleteBucketEncryptionCommandInput) => {
        // "resets the default encryption for the bucket as server-side encryption with Amazon S3 managed keys".
        this.bucket(input).encryption = encryptionRules('SSE-S3');
        return {};
      }),
      GetBucketAcl: typed((input: GetBucketAclCommandInput) => this.getBucketAcl(input)),
      PutBucketAcl: typed((input: PutBucketAclCommandInput) => this.putBucketAcl(input)),
      GetBucketOwnershipControls: typed((input: GetBucketOwnershipControlsCommandInput) =>
        this.getOwnershipControls(input),
      ),
      PutBucketOwnershipControls: typed((input: PutBucketOwnershipControlsCommandInput) =>
        this.putOwnershipControls(input),
      ),
      DeleteBucketOwnershipControls: typed((input: DeleteBucketOwnershipControlsCommandInput) => {
        delete this.bucket(input).objectOwnership;
        return {};
      }),
      GetBucketTagging: typed((input: GetBucketTaggingCommandInput) => this.getBucketTagging(input)),
      GetBucketLocation: typed((input: GetBucketLocationCommandInput) => this.getBucketLocation(input)),
      GetBucketAbac: typed(
        (input: GetBucketAbacCommandInput): Out<GetBucketAbacCommandOutput> => ({
          AbacStatus: { Status: this.bucket(input).abac ? 'Enabled' : 'Disabled' },
        }),
      ),
    };
  }

  // ---- seeding and inspection ---------------------------------------------------------------------

  /** Adds a bucket (see {@link BucketSeed} for the defaults); refuses what S3 could not hold. */
  public addBucket(seed: BucketSeed): this {
    if (!BUCKET_NAME.test(seed.name) || seed.name.includes('..')) {
      throw new Error(`Seed error: ${seed.name} is not a valid S3 bucket name`);
    }
    const policy =
      seed.policy === undefined
        ? undefined
        : typeof seed.policy === 'string'
          ? seed.policy
          : JSON.stringify(seed.policy);
    if (policy !== undefined) validBucketPolicy(policy, seed.name);
    const objectOwnership =
      seed.objectOwnership === null ? undefined : (seed.objectOwnership ?? 'BucketOwnerEnforced');
    const grants = cannedGrants(seed.acl ?? 'private', this.ownerId);
    if (objectOwnership === 'BucketOwnerEnforced' && !isOwnerOnly(grants, this.ownerId)) {
      throw new Error(`Seed error: bucket ${seed.name} cannot hold ACL ${seed.acl} with ACLs disabled`);
    }
    this.state.buckets[seed.name] = {
      name: seed.name,
      region: seed.region ?? this.context.region,
      creationDate: this.context.now().toISOString(),
      ...(policy === undefined ? {} : { policy }),
      ...(seed.publicAccessBlock === null
        ? {}
        : { publicAccessBlock: { ...NONE_BLOCKED, ...(seed.publicAccessBlock ?? ALL_BLOCKED) } }),
      ...(seed.encryption === null ? {} : { encryption: encryptionRules(seed.encryption ?? 'SSE-S3') }),
      grants,
      ...(objectOwnership === undefined ? {} : { objectOwnership }),
      ...(seed.tags === undefined ? {} : { tags: { ...seed.tags } }),
      abac: seed.abac ?? false,
    };
    return this;
  }

  /** A copy of one bucket's state, for assertions. */
  public findBucket(name: string): BucketRecord | undefined {
    const bucket = this.state.buckets[name];
    return bucket === undefined ? undefined : structuredClone(bucket);
  }

  public snapshot(): S3State {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: S3State): void {
    replaceState(this.state, state);
  }

  // ---- bucket policy ------------------------------------------------------------------------------

  private getBucketPolicy(input: GetBucketPolicyCommandInput): Out<GetBucketPolicyCommandOutput> {
    const { policy } = this.bucket(input);
    if (policy === undefined) throw s3Error('NoSuchBucketPolicy', S3_MESSAGES.NoSuchBucketPolicy);
    return { Policy: policy };
  }

  private putBucketPolicy(input: PutBucketPolicyCommandInput): Record<string, never> {
    const bucket = this.bucket(input);
    const statements = validBucketPolicy(input.Policy, bucket.name);
    // "Setting this option to TRUE for a bucket causes Amazon S3 to reject calls to PUT Bucket policy if the
    // specified bucket policy allows public access" — bucket or account setting, whichever is stricter.
    if (this.effectiveBlock(bucket).blockPublicPolicy && isPublicPolicy(statements)) {
      throw s3Error('AccessDenied', S3_MESSAGES.AccessDenied);
    }
    bucket.policy = String(input.Policy);
    return {};
  }

  // ---- Block Public Access ------------------------------------------------------------------------

  private getPublicAccessBlock(
    input: GetPublicAccessBlockCommandInput,
  ): Out<GetPublicAccessBlockCommandOutput> {
    const block = this.bucket(input).publicAccessBlock;
    if (block === undefined) {
      throw s3Error('NoSuchPublicAccessBlockConfiguration', S3_MESSAGES.NoSuchPublicAccessBlockConfiguration);
    }
    return { PublicAccessBlockConfiguration: toPublicAccessBlockConfiguration(block) };
  }

  private putPublicAccessBlock(input: PutPublicAccessBlockCommandInput): Record<string, never> {
    const bucket = this.bucket(input);
    if (input.PublicAccessBlockConfiguration === undefined) {
      throw s3Error('MalformedXML', S3_MESSAGES.MalformedXML);
    }
    bucket.publicAccessBlock = fromConfiguration(input.PublicAccessBlockConfiguration);
    return {};
  }

  /** "Amazon S3 uses the most restrictive combination of the bucket-level and account-level settings." */
  private effectiveBlock(bucket: BucketRecord): PublicAccessBlock {
    const own = bucket.publicAccessBlock;
    const account = this.options.accountPublicAccessBlock?.();
    const either = (key: keyof PublicAccessBlock) => own?.[key] === true || account?.[key] === true;
    return {
      blockPublicAcls: either('blockPublicAcls'),
      ignorePublicAcls: either('ignorePublicAcls'),
      blockPublicPolicy: either('blockPublicPolicy'),
      restrictPublicBuckets: either('restrictPublicBuckets'),
    };
  }

  // ---- default encryption -------------------------------------------------------------------------

  private getBucketEncryption(input: GetBucketEncryptionCommandInput): Out<GetBucketEncryptionCommandOutput> {
    const { encryption } = this.bucket(input);
    if (encryption === undefined) {
      throw s3Error(
        'ServerSideEncryptionConfigurationNotFoundError',
        S3_MESSAGES.ServerSideEncryptionConfigurationNotFoundError,
      );
    }
    return { ServerSideEncryptionConfiguration: { Rules: structuredClone(encryption) } };
  }

  private putBucketEncryption(input: PutBucketEncryptionCommandInput): Record<string, never> {
    const bucket = this.bucket(input);
    const rules = input.ServerSideEncryptionConfiguration?.Rules ?? [];
    // One rule per bucket; a rule without a known algorithm does not validate against S3's schema.
    const [rule] = rules;
    const byDefault = rule?.ApplyServerSideEncryptionByDefault;
    if (
      rules.length !== 1 ||
      byDefault === undefined ||
      !SSE_ALGORITHMS.has(String(byDefault.SSEAlgorithm))
    ) {
      throw s3Error('MalformedXML', S3_MESSAGES.MalformedXML);
    }
    if (byDefault.KMSMasterKeyID !== undefined && byDefault.SSEAlgorithm === 'AES256') {
      throw s3Error(
        'InvalidArgument',
        'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse',
      );
    }
    bucket.encryption = structuredClone(rules);
    return {};
  }

  // ---- ACLs and Object Ownership ------------------------------------------------------------------

  private getBucketAcl(input: GetBucketAclCommandInput): Out<GetBucketAclCommandOutput> {
    const bucket = this.bucket(input);
    let grants = bucket.grants;
    // GET Bucket acl returns the permissions S3 enforces: ACLs disabled show full control to the owner only,
    // and IgnorePublicAcls hides the public grants.
    if (bucket.objectOwnership === 'BucketOwnerEnforced') grants = cannedGrants('private', this.ownerId);
    else if (this.effectiveBlock(bucket).ignorePublicAcls) grants = grants.filter((g) => !isPublicAcl([g]));
    return { Owner: { ID: this.ownerId }, Grants: grants.map(toGrant) };
  }

  private putBucketAcl(input: PutBucketAclCommandInput): Record<string, never> {
    const bucket = this.bucket(input);
    const headerGrants = [
      input.GrantFullControl,
      input.GrantRead,
      input.GrantReadACP,
      input.GrantWrite,
      input.GrantWriteACP,
    ].filter((grant) => grant !== undefined);
    if (headerGrants.length > 0) {
      throw s3Error(
        'NotImplemented',
        'The sandbox does not support Grant* headers: send ACL or AccessControlPolicy',
      );
    }
    if (input.ACL !== undefined && input.AccessControlPolicy !== undefined) {
      throw s3Error('InvalidRequest', 'Specify either a canned ACL or an AccessControlPolicy, not both');
    }
    if (input.ACL === undefined && input.AccessControlPolicy === undefined) {
      throw s3Error('MalformedXML', S3_MESSAGES.MalformedXML);
    }
    const grants =
      input.ACL === undefined
        ? policyGrants(input.AccessControlPolicy ?? {})
        : cannedGrants(input.ACL, this.ownerId);
    if (bucket.objectOwnership === 'BucketOwnerEnforced' && !isOwnerOnly(grants, this.ownerId)) {
      throw s3Error('AccessControlListNotSupported', S3_MESSAGES.AccessControlListNotSupported);
    }
    // BlockPublicAcls: "PUT Bucket acl and PUT Object acl calls fail if the specified ACL is public".
    if (this.effectiveBlock(bucket).blockPublicAcls && isPublicAcl(grants)) {
      throw s3Error('AccessDenied', S3_MESSAGES.AccessDenied);
    }
    bucket.grants = grants;
    return {};
  }

  private getOwnershipControls(
    input: GetBucketOwnershipControlsCommandInput,
  ): Out<GetBucketOwnershipControlsCommandOutput> {
    const { objectOwnership } = this.bucket(input);
    if (objectOwnership === undefined) {
      throw s3Error('OwnershipControlsNotFoundError', S3_MESSAGES.OwnershipControlsNotFoundError);
    }
    return { OwnershipControls: { Rules: [{ ObjectOwnership: objectOwnership }] } };
  }

  private putOwnershipControls(input: PutBucketOwnershipControlsCommandInput): Record<string, never> {
    const bucket = this.bucket(input);
    const rules = input.OwnershipControls?.Rules ?? [];
    const ownership = rules[0]?.ObjectOwnership;
    if (rules.length !== 1 || ownership === undefined || !OWNERSHIP.has(ownership)) {
      throw s3Error('MalformedXML', S3_MESSAGES.MalformedXML);
    }
    // ACLs can be disabled only once the bucket ACL gives full control to the owner alone.
    if (ownership === 'BucketOwnerEnforced' && !isOwnerOnly(bucket.grants, this.ownerId)) {
      throw s3Error('InvalidBucketAclWithObjectOwnership', S3_MESSAGES.InvalidBucketAclWithObjectOwnership);
    }
    bucket.objectOwnership = ownership;
    return {};
  }

  // ---- tags and location --------------------------------------------------------------------------

  private getBucketTagging(input: GetBucketTaggingCommandInput): Out<GetBucketTaggingCommandOutput> {
    const { tags } = this.bucket(input);
    if (tags === undefined || Object.keys(tags).length === 0) {
      throw s3Error('NoSuchTagSet', S3_MESSAGES.NoSuchTagSet);
    }
    return { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
  }

  private getBucketLocation(input: GetBucketLocationCommandInput): Out<GetBucketLocationCommandOutput> {
    const { region } = this.bucket(input);
    // "Buckets in Region us-east-1 have a LocationConstraint of null."
    // The SDK types the constraint as its list of known regions; a sandbox region is one of them or a newer one.
    return region === 'us-east-1' ? {} : { LocationConstraint: region as BucketLocationConstraint };
  }

  // ---- lookups ------------------------------------------------------------------------------------

  /** The bucket a call names; `ExpectedBucketOwner` other than the account is refused, as S3 refuses it. */
  private bucket(input: {
    Bucket?: string | undefined;
    ExpectedBucketOwner?: string | undefined;
  }): BucketRecord {
    const bucket = this.state.buckets[String(input.Bucket)];
    if (bucket === undefined) throw s3Error('NoSuchBucket', S3_MESSAGES.NoSuchBucket);
    if (input.ExpectedBucketOwner !== undefined && input.ExpectedBucketOwner !== this.context.accountId) {
      throw s3Error('AccessDenied', S3_MESSAGES.AccessDenied);
    }
    return bucket;
  }
}

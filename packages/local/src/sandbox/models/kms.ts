import type {
  DescribeKeyCommandInput,
  DescribeKeyCommandOutput,
  DisableKeyRotationCommandInput,
  EnableKeyRotationCommandInput,
  GetKeyRotationStatusCommandInput,
  GetKeyRotationStatusCommandOutput,
  KeyMetadata,
  KeySpec,
  KeyState,
  KeyUsageType,
  ListResourceTagsCommandInput,
  ListResourceTagsCommandOutput,
  OriginType,
} from '@aws-sdk/client-kms';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import { replaceState } from './restore-state.ts';

/**
 * KMS speaks JSON: the SDK names each error by its `__type`. KMS answers client errors with HTTP 400 — a missing
 * key arrives as "Status Code: 400; Error Code: NotFoundException" and a key policy's refusal as
 * "AccessDeniedException … status code: 400" (https://github.com/cloudposse/docs/issues/152,
 * https://github.com/aws-controllers-k8s/community/issues/2239) — whatever its Smithy model declares.
 */
const kmsError = serviceErrors('KMS');

/** "Valid Range: Minimum value of 90. Maximum value of 2560." (EnableKeyRotation, RotationPeriodInDays). */
const MIN_ROTATION_DAYS = 90;
const MAX_ROTATION_DAYS = 2560;
const DEFAULT_ROTATION_DAYS = 365;
const DAY_MS = 86_400_000;
const KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(.+)$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(alias\/.+)$/;

export interface KeySeed {
  /** A key id (UUID, or `mrk-…` for a multi-Region key); generated when omitted. */
  readonly keyId?: string;
  /** `CUSTOMER` (default) or `AWS` for an AWS managed key (`aws/s3` …). */
  readonly keyManager?: 'CUSTOMER' | 'AWS';
  readonly keySpec?: KeySpec;
  readonly keyState?: KeyState;
  readonly origin?: OriginType;
  readonly multiRegion?: 'PRIMARY' | 'REPLICA';
  readonly description?: string;
  /** Whether automatic rotation is on (customer managed keys; AWS managed keys always rotate). */
  readonly rotation?: boolean | { readonly periodInDays: number };
  /** Alias names, with or without the `alias/` prefix. */
  readonly aliases?: readonly string[];
  readonly tags?: Readonly<Record<string, string>>;
}

export interface KeyRecord {
  keyId: string;
  arn: string;
  keyManager: 'CUSTOMER' | 'AWS';
  keySpec: KeySpec;
  keyUsage: KeyUsageType;
  keyState: KeyState;
  origin: OriginType;
  multiRegion?: 'PRIMARY' | 'REPLICA';
  description: string;
  creationDate: string;
  rotation?: { periodInDays: number; enabledAt: string };
  aliases: string[];
  tags: Record<string, string>;
}

export interface KmsState {
  keys: Record<string, KeyRecord>;
}

function usageOf(spec: KeySpec): KeyUsageType {
  if (spec === 'SYMMETRIC_DEFAULT') return 'ENCRYPT_DECRYPT';
  if (spec.startsWith('HMAC_')) return 'GENERATE_VERIFY_MAC';
  return 'SIGN_VERIFY';
}

/**
 * The KMS model: KMS keys with their spec, origin, state, rotation, aliases and tags. Automatic rotation follows
 * EnableKeyRotation's reference (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html):
 * only symmetric encryption keys with KMS key material, not in a custom key store, set on a multi-Region key's
 * primary (`UnsupportedOperationException` otherwise); AWS managed keys always rotate and their key policy lets
 * no one change that (`AccessDeniedException`); key states as the key-state table says
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html): `DisabledException` "<key ARN> is
 * disabled.", `KMSInvalidStateException` "<key ARN> is pending deletion.".
 *
 * @example
 * const kms = new KmsModel(sandbox.context);
 * const keyId = kms.addKey({ aliases: ['orders'], rotation: false });
 * sandbox.register(kms);
 */
export class KmsModel implements ServiceModel {
  public readonly service = 'KMS';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: KmsState = { keys: {} };

  public constructor(private readonly context: SandboxContext) {
    this.commands = {
      DescribeKey: typed(
        (input: DescribeKeyCommandInput): Out<DescribeKeyCommandOutput> => ({
          KeyMetadata: this.toMetadata(this.key(input.KeyId, { aliases: true })),
        }),
      ),
      GetKeyRotationStatus: typed((input: GetKeyRotationStatusCommandInput) => this.getRotationStatus(input)),
      EnableKeyRotation: typed((input: EnableKeyRotationCommandInput) => this.enableRotation(input)),
      DisableKeyRotation: typed((input: DisableKeyRotationCommandInput) => {
        const key = this.rotatable(this.key(input.KeyId), 'kms:DisableKeyRotation');
        delete key.rotation;
        return {};
      }),
      ListResourceTags: typed(
        (input: ListResourceTagsCommandInput): Out<ListResourceTagsCommandOutput> => ({
          Tags: Object.entries(this.key(input.KeyId).tags).map(([TagKey, TagValue]) => ({
            TagKey,
            TagValue,
          })),
          Truncated: false,
        }),
      ),
    };
  }

  // ---- seeding and inspection ---------------------------------------------------------------------

  /** Adds a key and returns its id. */
  public addKey(seed: KeySeed = {}): string {
    const keyId = seed.keyId ?? this.newKeyId(seed.multiRegion !== undefined);
    if (!KEY_ID.test(keyId)) throw new Error(`Seed error: ${keyId} is not a KMS key id`);
    const keySpec = seed.keySpec ?? 'SYMMETRIC_DEFAULT';
    const keyManager = seed.keyManager ?? 'CUSTOMER';
    const rotation = keyManager === 'AWS' ? true : (seed.rotation ?? false);
    const origin = seed.origin ?? 'AWS_KMS';
    // Only imported key material waits for import; only a custom key store's keys become unavailable.
    if (seed.keyState === 'PendingImport' && origin !== 'EXTERNAL') {
      throw new Error('Seed error: only a key with origin EXTERNAL can be PendingImport');
    }
    if (seed.keyState === 'Unavailable' && (origin === 'AWS_KMS' || origin === 'EXTERNAL')) {
      throw new Error('Seed error: only a key in a custom key store can be Unavailable');
    }
    const now = this.context.now().toISOString();
    this.state.keys[keyId] = {
      keyId,
      arn: `arn:aws:kms:${this.context.region}:${this.context.accountId}:key/${keyId}`,
      keyManager,
      keySpec,
      keyUsage: usageOf(keySpec),
      keyState: seed.keyState ?? 'Enabled',
      origin,
      ...(seed.multiRegion === undefined ? {} : { multiRegion: seed.multiRegion }),
      description: seed.description ?? '',
      creationDate: now,
      ...(rotation === false
        ? {}
        : {
            rotation: {
              periodInDays: rotation === true ? DEFAULT_ROTATION_DAYS : rotation.periodInDays,
              enabledAt: now,
            },
          }),
      aliases: (seed.aliases ?? []).map((alias) => (alias.startsWith('alias/') ? alias : `alias/${alias}`)),
      tags: { ...seed.tags },
    };
    return keyId;
  }

  /** A copy of one key's state, for assertions. */
  public findKey(keyId: string): KeyRecord | undefined {
    const key = this.state.keys[keyId];
    return key === undefined ? undefined : structuredClone(key);
  }

  public snapshot(): KmsState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: KmsState): void {
    replaceState(this.state, state);
  }

  // ---- rotation -----------------------------------------------------------------------------------

  private getRotationStatus(input: GetKeyRotationStatusCommandInput): Out<GetKeyRotationStatusCommandOutput> {
    const key = this.key(input.KeyId);
    // Keys pending import or unavailable hold external or custom-store key material: refused here already.
    if (key.keyManager === 'CUSTOMER') this.checkRotationSupported(key);
    // "While a KMS key is pending deletion, its key rotation status is false".
    const rotation = key.keyState === 'PendingDeletion' ? undefined : key.rotation;
    return {
      KeyId: key.arn,
      KeyRotationEnabled: rotation !== undefined,
      ...(rotation === undefined
        ? {}
        : {
            RotationPeriodInDays: rotation.periodInDays,
            NextRotationDate: new Date(Date.parse(rotation.enabledAt) + rotation.periodInDays * DAY_MS),
          }),
    };
  }

  private enableRotation(input: EnableKeyRotationCommandInput): Record<string, never> {
    const key = this.rotatable(this.key(input.KeyId), 'kms:EnableKeyRotation');
    const period = input.RotationPeriodInDays ?? key.rotation?.periodInDays ?? DEFAULT_ROTATION_DAYS;
    if (!Number.isInteger(period) || period < MIN_ROTATION_DAYS || period > MAX_ROTATION_DAYS) {
      throw kmsError(
        'ValidationException',
        `1 validation error detected: Value '${period}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value ${period < MIN_ROTATION_DAYS ? `greater than or equal to ${MIN_ROTATION_DAYS}` : `less than or equal to ${MAX_ROTATION_DAYS}`}`,
      );
    }
    // Enabling again only changes the period; the rotation schedule starts when rotation was first enabled.
    key.rotation = {
      periodInDays: period,
      enabledAt: key.rotation?.enabledAt ?? this.context.now().toISOString(),
    };
    return {};
  }

  /** A key whose automatic rotation the caller may turn on or off, in a state that allows it. */
  private rotatable(key: KeyRecord, action: string): KeyRecord {
    if (key.keyManager === 'AWS') {
      // An AWS managed key's policy grants no one this action: KMS refuses it as access denied.
      throw kmsError(
        'AccessDeniedException',
        `User: ${this.callerArn()} is not authorized to perform: ${action} on resource: ${key.arn} because no resource-based policy allows the ${action} action`,
      );
    }
    this.checkRotationSupported(key);
    if (key.multiRegion === 'REPLICA') {
      throw kmsError(
        'UnsupportedOperationException',
        `${key.arn} is a multi-Region replica key: set automatic rotation on its primary key.`,
      );
    }
    if (key.keyState === 'Disabled') throw kmsError('DisabledException', `${key.arn} is disabled.`);
    if (key.keyState !== 'Enabled') {
      throw kmsError('KMSInvalidStateException', `${key.arn} is ${stateWords(key.keyState)}.`);
    }
    return key;
  }

  /** Rotation applies to symmetric encryption keys with KMS-made key material only. */
  private checkRotationSupported(key: KeyRecord): void {
    if (key.origin === 'EXTERNAL') {
      throw kmsError(
        'UnsupportedOperationException',
        `${key.arn} origin is EXTERNAL which is not valid for this operation.`,
      );
    }
    if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.origin !== 'AWS_KMS') {
      throw kmsError(
        'UnsupportedOperationException',
        `${key.arn} (${key.keySpec}, origin ${key.origin}) does not support automatic key rotation.`,
      );
    }
  }

  // ---- lookups ------------------------------------------------------------------------------------

  /**
   * The key a call names: a key id or key ARN, and for DescribeKey also an alias name or alias ARN. A name that is
   * none of them is `NotFoundException` "Invalid keyId …"; an unknown key "Key '<ARN>' does not exist", an unknown
   * alias "Alias <alias ARN> is not found." — KMS's wording.
   */
  private key(keyId: string | undefined, options: { aliases?: boolean } = {}): KeyRecord {
    const id = String(keyId);
    const aliasName = id.startsWith('alias/') ? id : ALIAS_ARN.exec(id)?.[1];
    if (aliasName !== undefined && options.aliases === true) {
      const key = Object.values(this.state.keys).find((candidate) => candidate.aliases.includes(aliasName));
      if (key === undefined) {
        throw kmsError(
          'NotFoundException',
          `Alias arn:aws:kms:${this.context.region}:${this.context.accountId}:${aliasName} is not found.`,
        );
      }
      return key;
    }
    const bare = KEY_ARN.exec(id)?.[1] ?? id;
    if (!KEY_ID.test(bare)) throw kmsError('NotFoundException', `Invalid keyId ${id}`);
    const key = this.state.keys[bare];
    if (key === undefined || (KEY_ARN.test(id) && key.arn !== id)) {
      const arn = KEY_ARN.test(id)
        ? id
        : `arn:aws:kms:${this.context.region}:${this.context.accountId}:key/${bare}`;
      throw kmsError('NotFoundException', `Key '${arn}' does not exist`);
    }
    return key;
  }

  private toMetadata(key: KeyRecord): KeyMetadata {
    return {
      AWSAccountId: this.context.accountId,
      KeyId: key.keyId,
      Arn: key.arn,
      CreationDate: new Date(key.creationDate),
      Enabled: key.keyState === 'Enabled',
      Description: key.description,
      KeyUsage: key.keyUsage,
      KeyState: key.keyState,
      Origin: key.origin,
      KeyManager: key.keyManager,
      KeySpec: key.keySpec,
      MultiRegion: key.multiRegion !== undefined,
      ...(key.keyUsage === 'ENCRYPT_DECRYPT' ? { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] } : {}),
      ...(key.multiRegion === undefined
        ? {}
        : {
            MultiRegionConfiguration: {
              MultiRegionKeyType: key.multiRegion,
              PrimaryKey: { Arn: key.arn, Region: this.context.region },
            },
          }),
    };
  }

  /** UUID-shaped ids from the sandbox's counter (`mrk-` and 32 hex digits for a multi-Region key). */
  private newKeyId(multiRegion: boolean): string {
    const hex = this.context.nextId('key', 32).slice(4);
    if (multiRegion) return `mrk-${hex}`;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  private callerArn(): string {
    return `arn:aws:sts::${this.context.accountId}:assumed-role/sandbox-caller/sandbox`;
  }
}

function stateWords(state: KeyState): string {
  switch (state) {
    case 'PendingDeletion':
      return 'pending deletion';
    case 'PendingImport':
      return 'pending import';
    case 'Unavailable':
      return 'unavailable';
    default:
      return `in state ${state}`;
  }
}

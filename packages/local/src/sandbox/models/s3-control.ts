import type {
  DeletePublicAccessBlockCommandInput,
  GetPublicAccessBlockCommandInput,
  GetPublicAccessBlockCommandOutput,
  PutPublicAccessBlockCommandInput,
} from '@aws-sdk/client-s3-control';
import { serviceErrors } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import { replaceState } from './restore-state.ts';
import { type PublicAccessBlock, toPublicAccessBlockConfiguration } from './s3.ts';

/**
 * S3 Control's errors: `NoSuchPublicAccessBlockConfiguration` is modelled by the SDK under that name with status
 * 404 ("Amazon S3 throws this exception if you make a GetPublicAccessBlock request against an account that doesn't
 * have a PublicAccessBlockConfiguration set",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html).
 */
const s3ControlError = serviceErrors('S3Control', {
  NoSuchPublicAccessBlockConfiguration: { status: 404 },
  AccessDenied: { status: 403 },
});

export interface S3ControlState {
  publicAccessBlock?: PublicAccessBlock;
}

/**
 * The S3 Control model: the account's Block Public Access settings, which apply to every bucket of the account
 * (the S3 model combines them with each bucket's). An account has none until they are set.
 *
 * @example
 * const s3Control = new S3ControlModel(sandbox.context).setPublicAccessBlock({ blockPublicPolicy: true });
 * const s3 = new S3Model(sandbox.context, { accountPublicAccessBlock: () => s3Control.publicAccessBlock() });
 */
export class S3ControlModel implements ServiceModel {
  public readonly service = 'S3Control';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly state: S3ControlState = {};

  public constructor(private readonly context: SandboxContext) {
    this.commands = {
      GetPublicAccessBlock: typed(
        (input: GetPublicAccessBlockCommandInput): Out<GetPublicAccessBlockCommandOutput> => {
          this.checkAccount(input.AccountId);
          const block = this.state.publicAccessBlock;
          if (block === undefined) {
            throw s3ControlError(
              'NoSuchPublicAccessBlockConfiguration',
              'The public access block configuration was not found',
            );
          }
          return { PublicAccessBlockConfiguration: toPublicAccessBlockConfiguration(block) };
        },
      ),
      PutPublicAccessBlock: typed((input: PutPublicAccessBlockCommandInput) => {
        this.checkAccount(input.AccountId);
        const config = input.PublicAccessBlockConfiguration;
        if (config === undefined) {
          throw s3ControlError(
            'MalformedXML',
            'The XML you provided was not well-formed or did not validate against our published schema',
          );
        }
        // As for a bucket, a setting left out is false: the call replaces all four.
        this.state.publicAccessBlock = {
          blockPublicAcls: config.BlockPublicAcls === true,
          ignorePublicAcls: config.IgnorePublicAcls === true,
          blockPublicPolicy: config.BlockPublicPolicy === true,
          restrictPublicBuckets: config.RestrictPublicBuckets === true,
        };
        return {};
      }),
      DeletePublicAccessBlock: typed((input: DeletePublicAccessBlockCommandInput) => {
        this.checkAccount(input.AccountId);
        delete this.state.publicAccessBlock;
        return {};
      }),
    };
  }

  /** Sets (or, with `null`, removes) the account's settings without a call; unset settings are false. */
  public setPublicAccessBlock(block: Partial<PublicAccessBlock> | null): this {
    if (block === null) delete this.state.publicAccessBlock;
    else {
      this.state.publicAccessBlock = {
        blockPublicAcls: block.blockPublicAcls ?? false,
        ignorePublicAcls: block.ignorePublicAcls ?? false,
        blockPublicPolicy: block.blockPublicPolicy ?? false,
        restrictPublicBuckets: block.restrictPublicBuckets ?? false,
      };
    }
    return this;
  }

  /** The account's settings (a copy), or `undefined` when none are set. */
  public publicAccessBlock(): PublicAccessBlock | undefined {
    const block = this.state.publicAccessBlock;
    return block === undefined ? undefined : { ...block };
  }

  public snapshot(): S3ControlState {
    return structuredClone(this.state);
  }

  /** Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment). */
  public restore(state: S3ControlState): void {
    replaceState(this.state, state);
  }

  /**
   * S3 Control acts on the account the request names (`AccountId`, sent as the host prefix); the sandbox holds one
   * account, so another account's settings are refused as S3 refuses a caller without access to them.
   */
  private checkAccount(accountId: string | undefined): void {
    if (accountId === undefined || !/^\d{12}$/.test(accountId)) {
      throw s3ControlError('InvalidRequest', `AccountId ${String(accountId)} is not a 12-digit account id`);
    }
    if (accountId !== this.context.accountId) throw s3ControlError('AccessDenied', 'Access Denied');
  }
}

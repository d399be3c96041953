/**
 * S3 Block Public Access, as the S3 remediations read, judge and record it: the four settings, what an AWS
 * Config rule's parameters ask of them, and the change records. Shared by the account's remediation (S3
 * Control) and, later, a bucket's (S3): the settings and their meaning are the same at both levels
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
 */
import type { Change } from '../ledger/ledger.ts';
import * as z from '../zod.ts';

/** The four settings, as the restore record and the outputs write them. */
export const PublicAccessBlockSchema = z.object({
  blockPublicAcls: z.boolean(),
  ignorePublicAcls: z.boolean(),
  blockPublicPolicy: z.boolean(),
  restrictPublicBuckets: z.boolean(),
});
export type PublicAccessBlockSettings = z.output<typeof PublicAccessBlockSchema>;
export type PublicAccessBlockSetting = keyof PublicAccessBlockSettings;

/**
 * Each setting with the Config rule parameter that says whether it is enforced (the parameters of
 * s3-account-level-public-access-blocks(-periodic): "IgnorePublicAcls is enforced or not, default True", …,
 * https://docs.aws.amazon.com/config/latest/developerguide/s3-account-level-public-access-blocks.html).
 */
export const SETTING_PARAMETERS: Readonly<Record<PublicAccessBlockSetting, string>> = {
  blockPublicAcls: 'BlockPublicAcls',
  ignorePublicAcls: 'IgnorePublicAcls',
  blockPublicPolicy: 'BlockPublicPolicy',
  restrictPublicBuckets: 'RestrictPublicBuckets',
};

export const PUBLIC_ACCESS_BLOCK_SETTINGS = Object.keys(SETTING_PARAMETERS) as PublicAccessBlockSetting[];

/** The SDK's shape of the four settings (`PublicAccessBlockConfiguration`, S3 and S3 Control alike). */
export interface PublicAccessBlockConfiguration {
  BlockPublicAcls?: boolean | undefined;
  IgnorePublicAcls?: boolean | undefined;
  BlockPublicPolicy?: boolean | undefined;
  RestrictPublicBuckets?: boolean | undefined;
}

/**
 * The settings a configuration holds; a setting the answer leaves out is off (S3 "doesn't block public access"
 * for a setting that is not true).
 *
 * @example fromConfiguration({ BlockPublicAcls: true }) // { blockPublicAcls: true, ignorePublicAcls: false, … }
 */
export function fromConfiguration(config: PublicAccessBlockConfiguration): PublicAccessBlockSettings {
  return {
    blockPublicAcls: config.BlockPublicAcls === true,
    ignorePublicAcls: config.IgnorePublicAcls === true,
    blockPublicPolicy: config.BlockPublicPolicy === true,
    restrictPublicBuckets: config.RestrictPublicBuckets === true,
  };
}

/** The configuration the API takes for these settings (all four sent: a Put replaces the whole configuration). */
export function toConfiguration(
  settings: PublicAccessBlockSettings,
): Required<PublicAccessBlockConfiguration> {
  return {
    BlockPublicAcls: settings.blockPublicAcls,
    IgnorePublicAcls: settings.ignorePublicAcls,
    BlockPublicPolicy: settings.blockPublicPolicy,
    RestrictPublicBuckets: settings.restrictPublicBuckets,
  };
}

/**
 * The settings a rule enforces: each one whose parameter is not `False` (case-insensitive, as AWS Config takes
 * the string parameters); a rule deployed without parameters, or whose parameters could not be read, enforces
 * all four (each "default True").
 *
 * @example enforcedSettings({ RestrictPublicBuckets: 'false' }) // ['blockPublicAcls', 'ignorePublicAcls', 'blockPublicPolicy']
 */
export function enforcedSettings(parameters: Readonly<Record<string, string>>): PublicAccessBlockSetting[] {
  return PUBLIC_ACCESS_BLOCK_SETTINGS.filter(
    (setting) => (parameters[SETTING_PARAMETERS[setting]] ?? 'True').trim().toLowerCase() !== 'false',
  );
}

/** Whether two configurations (or their absence, `null`) are the same. */
export function sameSettings(
  a: PublicAccessBlockSettings | null,
  b: PublicAccessBlockSettings | null,
): boolean {
  if (a === null || b === null) return a === b;
  return PUBLIC_ACCESS_BLOCK_SETTINGS.every((setting) => a[setting] === b[setting]);
}

/** The settings as text (`blockPublicAcls=true, …`, or `none` when there is no configuration). */
export function settingsText(settings: PublicAccessBlockSettings | null): string {
  if (settings === null) return 'none';
  return PUBLIC_ACCESS_BLOCK_SETTINGS.map((setting) => `${setting}=${settings[setting]}`).join(', ');
}

/**
 * The ledger's changes from one configuration to another: one per setting that changes (a configuration that is
 * put where there was none, or deleted, changes every setting from or to `null`).
 */
export function settingChanges(
  resource: string,
  prefix: string,
  before: PublicAccessBlockSettings | null,
  after: PublicAccessBlockSettings | null,
): Change[] {
  return PUBLIC_ACCESS_BLOCK_SETTINGS.flatMap((setting) => {
    const from = before === null ? null : before[setting];
    const to = after === null ? null : after[setting];
    return from === to ? [] : [{ resource, attribute: `${prefix}:${setting}`, before: from, after: to }];
  });
}

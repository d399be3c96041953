import { ExemptResourceError } from '../errors.ts';
import type { Settings } from '../policy/settings.ts';

/** The inline policy Cordon puts on users and roles; its IAM permission is conditioned on this name. */
export const CORDON_DENY_POLICY_NAME = 'cordon-deny';

/** Tags Cordon writes on quarantined resources (removed on release). */
export const QUARANTINE_TAG_KEYS = {
  incident: 'cordon:incident',
  quarantined: 'cordon:quarantined',
} as const;

/** Security group names Cordon creates, once per VPC, and reuses. */
export const ISOLATION_GROUP_NAMES = {
  /** Step 1 of DOMAIN.md item 14: allows all traffic, which makes tracked flows untracked. */
  untrack: 'cordon-isolation-untrack',
  /** Step 2: no rules at all. */
  isolate: 'cordon-isolation',
} as const;

type TagsLike =
  | Readonly<Record<string, string>>
  | ReadonlyArray<{ Key?: string; Value?: string }>
  | undefined;

function tagValue(tags: TagsLike, key: string): string | undefined {
  if (tags === undefined) return undefined;
  if (Array.isArray(tags))
    return (tags as ReadonlyArray<{ Key?: string; Value?: string }>).find((tag) => tag.Key === key)?.Value;
  return (tags as Readonly<Record<string, string>>)[key];
}

/**
 * Throws `ExemptResourceError` when the resource carries the exemption tag (DOMAIN.md item 30). Called on
 * live tags, before any change: the event is a hint, the live resource is the truth.
 *
 * @example assertNotExempt(instance.Tags, settings, instance.InstanceId)
 */
export function assertNotExempt(tags: TagsLike, settings: Settings, resource: string): void {
  const { key, value } = settings.exemptionTag;
  if (tagValue(tags, key) === value) {
    throw new ExemptResourceError(
      `${resource} carries the exemption tag ${key}=${value}: Cordon notifies and never acts on it.`,
    );
  }
}

/**
 * Throws `ExemptResourceError` for a break-glass principal, named by user/role name or ARN
 * (`arn:aws:iam::123456789012:user/breakglass`, `arn:aws:iam::123456789012:role/path/admin`).
 */
export function assertNotBreakGlass(principalName: string, settings: Settings): void {
  const listed = settings.breakGlassPrincipals.some(
    (principal) => principal === principalName || principal.endsWith(`/${principalName}`),
  );
  if (listed) {
    throw new ExemptResourceError(
      `${principalName} is a break-glass principal: Cordon notifies and never acts on it.`,
    );
  }
}

/**
 * Converts a PascalCase GuardDuty finding (the AWS SDK's GetFindings casing) to the camelCase that
 * EventBridge delivers, on purpose: `InstanceDetails` → `instanceDetails`, `Ipv6Addresses` → `ipv6Addresses`,
 * `S3BucketDetails` → `s3BucketDetails`. Keys that are not PascalCase words are kept as they are, so map keys
 * such as `AWS::IAM::Role` in `affectedResources` survive.
 *
 * Every key becomes an own data property (`Object.fromEntries`), never an assignment: a finding carrying a
 * `__proto__` key must not give the converted object a prototype whose fields (`archived`, `sample`) the
 * finding never had.
 *
 * @example camelCaseKeys({ Service: { Archived: false } }) // { service: { archived: false } }
 */
export function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [camelCaseKey(key), camelCaseKeys(inner)]),
  );
}

function camelCaseKey(key: string): string {
  // An upper-case letter followed by a lower-case letter or a digit starts a PascalCase word.
  return /^[A-Z][a-z0-9]/.test(key) ? key.charAt(0).toLowerCase() + key.slice(1) : key;
}

/** `true` when the finding's own top-level keys are PascalCase (`Id`, `Type`, `Resource`, `Service`). */
export function isPascalCaseFinding(finding: Readonly<Record<string, unknown>>): boolean {
  return (
    ['Id', 'Type', 'Resource', 'Service', 'AccountId'].some((key) => Object.hasOwn(finding, key)) &&
    !Object.hasOwn(finding, 'id')
  );
}

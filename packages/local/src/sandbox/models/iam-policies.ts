import { serviceErrors } from '../errors.ts';

/**
 * IAM's errors and its inline policies, shared by users and roles: document checks, URL-encoding, quotas.
 */

/**
 * The SDK v3 names modelled IAM exceptions `<Code>Exception` (`NoSuchEntity` → `NoSuchEntityException`) while
 * `Code` keeps the wire code; action code matches on `name`, so the sandbox gives the same one, with IAM's status.
 * `AccessDenied` and `ValidationError` are not modelled by the SDK: their name stays the wire code.
 */
export const iamError = serviceErrors('IAM', {
  NoSuchEntity: { name: 'NoSuchEntityException', status: 404 },
  EntityAlreadyExists: { name: 'EntityAlreadyExistsException', status: 409 },
  MalformedPolicyDocument: { name: 'MalformedPolicyDocumentException' },
  UnmodifiableEntity: { name: 'UnmodifiableEntityException' },
  LimitExceeded: { name: 'LimitExceededException', status: 409 },
  InvalidInput: { name: 'InvalidInputException' },
  AccessDenied: { status: 403 },
});

/** Inline policies may total this many non-whitespace characters per user / per role (IAM quotas). */
const USER_INLINE_POLICY_QUOTA = 2048;
const ROLE_INLINE_POLICY_QUOTA = 10240;

/**
 * The document as given, once it is known to be a JSON policy (plain or URL-encoded JSON are both
 * accepted, as callers send either). IAM validates much more (grammar, actions, ARNs); the sandbox checks
 * only that it is a JSON object with a `Statement`.
 */
function validPolicyDocument(document: string | undefined): string {
  const malformed = () => iamError('MalformedPolicyDocument', 'Syntax errors in policy.');
  if (document === undefined || document.trim() === '') throw malformed();
  const parsed = parseJson(document) ?? parseJson(safeDecode(document));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('Statement' in parsed)) {
    throw malformed();
  }
  return document;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** IAM answers policy documents URL-encoded (RFC 3986); a document stored encoded is not encoded twice. */
export function urlEncoded(document: string): string {
  return parseJson(document) === undefined ? document : encodeURIComponent(document);
}

/** A user or a role: both hold inline policies, under their own quota. */
export type PolicyHolder = { inlinePolicies: Record<string, string> } & (
  | { userName: string }
  | { roleName: string }
);

function describeHolder(holder: PolicyHolder): { kind: 'user' | 'role'; name: string; quota: number } {
  return 'userName' in holder
    ? { kind: 'user', name: holder.userName, quota: USER_INLINE_POLICY_QUOTA }
    : { kind: 'role', name: holder.roleName, quota: ROLE_INLINE_POLICY_QUOTA };
}

export function noSuchPolicy(holder: PolicyHolder, policyName: string) {
  return iamError(
    'NoSuchEntity',
    `The ${describeHolder(holder).kind} policy with name ${policyName} cannot be found.`,
  );
}

/** PutUserPolicy / PutRolePolicy: a valid document, within the holder's inline-policy quota. */
export function putInlinePolicy(
  holder: PolicyHolder,
  input: { PolicyName?: string | undefined; PolicyDocument?: string | undefined },
): Record<string, never> {
  const document = validPolicyDocument(input.PolicyDocument);
  const policies = { ...holder.inlinePolicies, [String(input.PolicyName)]: document };
  const { kind, name, quota } = describeHolder(holder);
  assertWithinQuota(policies, quota, `${kind} ${name}`);
  holder.inlinePolicies = policies;
  return {};
}

/** GetUserPolicy / GetRolePolicy: the document URL-encoded, as IAM answers it. */
export function getInlinePolicy(
  holder: PolicyHolder,
  policyName: string | undefined,
): { PolicyName: string; PolicyDocument: string } {
  const name = String(policyName);
  const document = holder.inlinePolicies[name];
  if (document === undefined) throw noSuchPolicy(holder, name);
  return { PolicyName: name, PolicyDocument: urlEncoded(document) };
}

/** IAM counts inline-policy size without whitespace, summed over all of a principal's inline policies. */
function assertWithinQuota(policies: Record<string, string>, quota: number, principal: string): void {
  const size = Object.values(policies)
    .map((document) => (safeDecode(document) ?? document).replace(/\s/g, '').length)
    .reduce((total, length) => total + length, 0);
  if (size > quota) {
    throw iamError('LimitExceeded', `Maximum policy size of ${quota} bytes exceeded for ${principal}`);
  }
}

/**
 * Bucket policies as S3 checks them: the document PutBucketPolicy accepts (`MalformedPolicy` otherwise) and
 * whether S3 deems it public, which decides whether Block Public Access's `BlockPublicPolicy` refuses it.
 *
 * "The meaning of public": a bucket policy is public unless every statement that allows access grants it only
 * to fixed values of a principal or of one of the listed condition keys
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
 * The `MalformedPolicy` code and status are S3's (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList,
 * "Policy has invalid resource"); the other messages follow S3's answers where known and are otherwise the
 * sandbox's own wording: code should match on the code, never on the message.
 */
import { s3Error } from './s3-errors.ts';

/** Bucket policies are limited to 20 KB (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html). */
const MAX_POLICY_BYTES = 20 * 1024;

const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);

/**
 * Condition keys whose fixed values make an allowing statement non-public, from "The meaning of public"
 * (principal keys such as `aws:PrincipalOrgID` count as "an AWS principal").
 */
const RESTRICTING_KEYS = new Set(
  [
    'aws:PrincipalOrgID',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:SourceIp',
    'aws:SourceArn',
    'aws:SourceVpc',
    'aws:SourceVpce',
    'aws:SourceOwner',
    'aws:SourceAccount',
    's3:x-amz-server-side-encryption-aws-kms-key-id',
    'aws:userid',
    's3:DataAccessPointArn',
    's3:DataAccessPointAccount',
  ].map((key) => key.toLowerCase()),
);

/** Operators that pin a key to the values given (negated and `…IfExists` operators do not). */
const PINNING_OPERATORS = new Set(
  ['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'ArnEquals', 'ArnLike', 'IpAddress'].map((op) =>
    op.toLowerCase(),
  ),
);

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Statement = Readonly<Record<string, Json>>;

const malformed = (message: string) => s3Error('MalformedPolicy', message);

function list(value: Json | undefined): Json[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function parse(document: string): Record<string, Json> {
  // S3 refuses anything that is not a JSON object, with this wording.
  const notJson = () => malformed("Policies must be valid JSON and the first byte must be '{'");
  if (!document.trimStart().startsWith('{')) throw notJson();
  try {
    const parsed = JSON.parse(document) as Json;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw notJson();
    return parsed;
  } catch {
    throw notJson();
  }
}

/** `arn:aws:s3:::<bucket>` or an object ARN under it (wildcards allowed after the name). */
function isOwnResource(resource: Json, bucket: string): boolean {
  if (typeof resource !== 'string') return false;
  const prefix = `arn:aws:s3:::${bucket}`;
  return resource === prefix || resource.startsWith(`${prefix}/`);
}

function isS3Action(action: Json): boolean {
  return typeof action === 'string' && (action === '*' || /^s3:[A-Za-z*?]+$/.test(action));
}

const ACCOUNT_PRINCIPAL = /^(\d{12}|arn:aws:iam::\d{12}:(root|user\/.+|role\/.+|assumed-role\/.+\/.+))$/;

function checkPrincipal(principal: Json | undefined): void {
  const invalid = () => malformed('Invalid principal in policy');
  if (principal === '*') return;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) throw invalid();
  const entries = Object.entries(principal);
  if (entries.length === 0) throw invalid();
  for (const [kind, values] of entries) {
    for (const value of list(values)) {
      if (typeof value !== 'string') throw invalid();
      if (kind === 'AWS' && value !== '*' && !ACCOUNT_PRINCIPAL.test(value)) throw invalid();
      if (kind === 'Service' && !/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(value)) throw invalid();
      if (!['AWS', 'Service', 'CanonicalUser', 'Federated'].includes(kind)) throw invalid();
    }
  }
}

/**
 * Checks a bucket policy as PutBucketPolicy does and returns it parsed. Refused with `MalformedPolicy`: not a
 * JSON object, over 20 KB, no `Statement`, an unknown field, a statement without `Effect`/`Principal`/`Action`/
 * `Resource` (or their `Not…` forms), an effect other than Allow/Deny, a principal that is not one, an action that
 * is not S3's, a resource outside this bucket, two statements with the same `Sid`.
 *
 * @example validBucketPolicy('{"Version":"2012-10-17","Statement":[…]}', 'my-bucket')
 */
export function validBucketPolicy(document: string | undefined, bucket: string): readonly Statement[] {
  if (document === undefined || document === '') throw malformed('Missing required field Policy');
  if (Buffer.byteLength(document, 'utf8') > MAX_POLICY_BYTES) {
    throw malformed('Policies must be less than 20 KB in size');
  }
  const policy = parse(document);
  for (const field of Object.keys(policy)) {
    if (!['Version', 'Id', 'Statement'].includes(field)) throw malformed(`Unknown field ${field}`);
  }
  if (policy.Statement === undefined) throw malformed('Missing required field Statement');
  const statements = list(policy.Statement);
  const sids = new Set<string>();
  for (const raw of statements) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw malformed('Missing required field Statement');
    }
    const statement: Statement = raw;
    for (const field of Object.keys(statement)) {
      if (!STATEMENT_FIELDS.has(field)) throw malformed(`Unknown field ${field}`);
    }
    if (typeof statement.Sid === 'string') {
      // Appending a statement whose Sid is already there is refused: the whole Put fails.
      if (sids.has(statement.Sid)) throw malformed('Statement IDs (SID) in a single policy must be unique.');
      sids.add(statement.Sid);
    }
    if (statement.Effect === undefined) throw malformed('Missing required field Effect');
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw malformed(`Invalid effect: ${String(statement.Effect)}`);
    }
    const principal = statement.Principal ?? statement.NotPrincipal;
    if (principal === undefined) throw malformed('Missing required field Principal');
    checkPrincipal(principal);
    const actions = list(statement.Action ?? statement.NotAction);
    if (actions.length === 0) throw malformed('Missing required field Action');
    if (!actions.every(isS3Action)) throw malformed('Policy has invalid action');
    const resources = list(statement.Resource ?? statement.NotResource);
    if (resources.length === 0) throw malformed('Missing required field Resource');
    if (!resources.every((resource) => isOwnResource(resource, bucket))) {
      throw malformed('Policy has invalid resource');
    }
  }
  return statements as Statement[];
}

function hasWildcard(value: Json): boolean {
  return typeof value !== 'string' || /[*?]|\$\{/.test(value);
}

/** `aws:SourceIp` ranges broader than /8 (IPv4) or /32 (IPv6) leave a statement public. */
function narrowEnoughIp(value: Json): boolean {
  if (typeof value !== 'string') return false;
  const [address = '', bits] = value.split('/');
  if (bits === undefined) return true;
  return Number(bits) >= (address.includes(':') ? 32 : 8);
}

function principalIsPublic(statement: Statement): boolean {
  const principal = statement.Principal;
  // NotPrincipal with Allow grants everyone but the named principals.
  if (principal === undefined) return true;
  if (principal === '*') return true;
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal)) return true;
  return Object.entries(principal).some(
    ([kind, values]) => kind === 'Federated' || list(values).some(hasWildcard),
  );
}

/** A condition that pins one of the restricting keys to fixed values makes an allowing statement non-public. */
function conditionRestricts(condition: Json | undefined): boolean {
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) return false;
  return Object.entries(condition).some(([operator, keys]) => {
    const op = operator.replace(/^(ForAnyValue|ForAllValues):/, '').toLowerCase();
    if (!PINNING_OPERATORS.has(op)) return false;
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) return false;
    return Object.entries(keys).some(([key, values]) => {
      const name = key.toLowerCase();
      if (!RESTRICTING_KEYS.has(name)) return false;
      const fixed = list(values);
      if (fixed.length === 0 || fixed.some(hasWildcard)) return false;
      if (name === 'aws:userid') return fixed.every((value) => !/^AROA[A-Z0-9]+:\*$/.test(String(value)));
      if (name === 'aws:sourceip') return fixed.every(narrowEnoughIp);
      return true;
    });
  });
}

/**
 * Whether S3 deems the policy public: some `Allow` statement grants a principal that is not fixed, with no
 * condition pinning a restricting key to fixed values.
 *
 * @example isPublicPolicy(validBucketPolicy(document, bucket)) // true for `"Principal": "*"` without a condition
 */
export function isPublicPolicy(statements: readonly Statement[]): boolean {
  return statements.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      principalIsPublic(statement) &&
      !conditionRestricts(statement.Condition),
  );
}

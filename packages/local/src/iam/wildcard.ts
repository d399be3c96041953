/**
 * IAM's two wildcards, `*` (any run of characters, also none) and `?` (exactly one), as the Action, Resource
 * and `…Like` condition elements use them.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
import { IamPolicyInvalidError } from './errors.ts';

const cache = new Map<string, RegExp>();

function compile(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = cache.get(key);
  if (regex === undefined) {
    const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (character) =>
      character === '*' ? '.*' : character === '?' ? '.' : `\\${character}`,
    );
    regex = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    cache.set(key, regex);
  }
  return regex;
}

/**
 * Whether `value` matches `pattern` with `*` and `?` wildcards.
 *
 * @example globMatch('cordon:*', 'cordon:incident') // true
 */
export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return compile(pattern, ignoreCase).test(value);
}

/**
 * Action names match case-insensitively ("The prefix and the action name are case insensitive":
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
 */
export function actionMatches(pattern: string, action: string): boolean {
  return globMatch(pattern, action, true);
}

/** The six colon-separated parts of an ARN; the last (the resource) keeps any further colons. */
export function arnParts(arn: string): [string, string, string, string, string, string] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [
    parts[0],
    parts[1] as string,
    parts[2] as string,
    parts[3] as string,
    parts[4] as string,
    parts.slice(5).join(':'),
  ];
}

/**
 * Whether a policy's resource ARN pattern matches a request's resource. `*` alone matches everything; else
 * the pattern and the ARN are compared part by part (partition, service, region, account each with their own
 * wildcards; the resource part, which may hold colons and slashes, as a whole), case-sensitively: "In the
 * Resource element, the IAM user name is case sensitive." A request resource of `*` (an action with no
 * resource type) is matched only by a pattern that matches the text `*` — in practice `"Resource": "*"`.
 *
 * @example resourceMatches('arn:aws:ec2:*:111122223333:instance/*', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1') // true
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  if (resource === '*') return globMatch(pattern, resource);
  const wanted = arnParts(pattern);
  if (wanted === undefined) {
    throw new IamPolicyInvalidError(`Resource ${JSON.stringify(pattern)} is neither * nor a six-part ARN`);
  }
  const actual = arnParts(resource);
  if (actual === undefined) return false;
  return wanted.every((part, index) => globMatch(part, actual[index] as string));
}

/**
 * `ArnLike`/`ArnEquals`: "Each of the six colon-delimited components of the ARN is checked separately and
 * each can include multi-character match wildcards (*) or single-character match wildcards (?)."
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 */
export function arnLike(pattern: string, value: string): boolean {
  const wanted = arnParts(pattern);
  const actual = arnParts(value);
  if (wanted === undefined || actual === undefined) return globMatch(pattern, value);
  return wanted.every((part, index) => globMatch(part, actual[index] as string));
}

/**
 * IAM policy documents as the evaluator reads them: the JSON grammar of the IAM User Guide's policy
 * reference (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html), normalised
 * once so that evaluation never meets a string where it expects a list.
 */
import { IamPolicyInvalidError, IamPolicyUnsupportedError } from './errors.ts';

/** A policy document as IAM stores it (identity-based, or a role's trust policy). */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatementJson | readonly PolicyStatementJson[];
}

export type OneOrMany = string | readonly string[];

export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: OneOrMany;
  readonly NotAction?: OneOrMany;
  readonly Resource?: OneOrMany;
  readonly NotResource?: OneOrMany;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, OneOrMany | boolean | number>>>>;
}

/** One condition test: `ForAllValues:StringLike` on `aws:TagKeys` with its values. */
export interface ConditionTest {
  /** The operator as written, e.g. `ForAllValues:StringLike`, `StringEqualsIfExists`. */
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** A statement after normalisation: every element a list, the condition a list of tests (ANDed). */
export interface Statement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** Exactly one of `actions`/`notActions` is set. */
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  /** Exactly one of `resources`/`notResources` is set (trust policies have neither). */
  readonly resources?: readonly string[];
  readonly notResources?: readonly string[];
  /** The AWS principals a trust policy names (`Principal.AWS`); undefined in identity-based policies. */
  readonly principals?: readonly string[];
  readonly conditions: readonly ConditionTest[];
  /** Where the statement came from, for reasons: `<policy name>#<sid or index>`. */
  readonly origin: string;
}

function list(value: OneOrMany | undefined, what: string, origin: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || items.length === 0 || items.some((item) => typeof item !== 'string')) {
    throw new IamPolicyInvalidError(`${origin}: ${what} must be a string or a non-empty list of strings`);
  }
  return items;
}

/** Condition values are strings in IAM; JSON booleans and numbers are read as their text (`true` → "true"). */
function conditionValues(value: unknown, origin: string): readonly string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (typeof item === 'string' || typeof item === 'boolean' || typeof item === 'number')
      return String(item);
    throw new IamPolicyInvalidError(`${origin}: a condition value must be a string, boolean or number`);
  });
}

function exactlyOne<T>(
  a: T | undefined,
  b: T | undefined,
  names: string,
  origin: string,
  optional = false,
): void {
  if (a !== undefined && b !== undefined)
    throw new IamPolicyInvalidError(`${origin}: both ${names} are given`);
  if (!optional && a === undefined && b === undefined)
    throw new IamPolicyInvalidError(`${origin}: one of ${names} is required`);
}

/**
 * Reads one policy document into statements. Policy variables (`${aws:username}`) are refused rather than
 * compared as text: Cordon's policies use none, and matching them literally would answer wrongly.
 *
 * @example parsePolicy({ Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } }, 'p')
 */
export function parsePolicy(document: PolicyDocument, name: string): Statement[] {
  if (typeof document !== 'object' || document === null || document.Statement === undefined) {
    throw new IamPolicyInvalidError(`${name}: a policy document needs a Statement`);
  }
  if (document.Version !== undefined && document.Version !== '2012-10-17') {
    // Version 2008-10-17 has no policy variables; Cordon writes 2012-10-17 everywhere, so anything else is a slip.
    throw new IamPolicyInvalidError(`${name}: Version must be 2012-10-17, not ${document.Version}`);
  }
  const raw = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  return (raw as PolicyStatementJson[]).map((statement, index) => {
    const origin = `${name}#${statement.Sid ?? index + 1}`;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      throw new IamPolicyInvalidError(`${origin}: Effect must be Allow or Deny`);
    }
    const actions = list(statement.Action, 'Action', origin);
    const notActions = list(statement.NotAction, 'NotAction', origin);
    exactlyOne(actions, notActions, 'Action and NotAction', origin);
    const resources = list(statement.Resource, 'Resource', origin);
    const notResources = list(statement.NotResource, 'NotResource', origin);
    const trust = statement.Principal !== undefined;
    exactlyOne(resources, notResources, 'Resource and NotResource', origin, trust);
    if (statement.NotPrincipal !== undefined) {
      throw new IamPolicyUnsupportedError(`${origin}: NotPrincipal is not supported`);
    }
    const conditions: ConditionTest[] = [];
    for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
      if (typeof block !== 'object' || block === null) {
        throw new IamPolicyInvalidError(`${origin}: condition ${operator} must map keys to values`);
      }
      for (const [key, value] of Object.entries(block)) {
        conditions.push({ operator, key, values: conditionValues(value, origin) });
      }
    }
    for (const text of [
      ...(resources ?? []),
      ...(notResources ?? []),
      ...conditions.flatMap((c) => c.values),
    ]) {
      if (text.includes('${')) {
        throw new IamPolicyUnsupportedError(`${origin}: policy variables are not supported (${text})`);
      }
    }
    return {
      sid: statement.Sid,
      effect: statement.Effect,
      ...(actions === undefined ? {} : { actions }),
      ...(notActions === undefined ? {} : { notActions }),
      ...(resources === undefined ? {} : { resources }),
      ...(notResources === undefined ? {} : { notResources }),
      ...(trust ? { principals: awsPrincipals(statement.Principal, origin) } : {}),
      conditions,
      origin,
    };
  });
}

/** `Principal: { AWS: [...] }` or `"*"`; service and federated principals are not Cordon's callers. */
function awsPrincipals(principal: unknown, origin: string): readonly string[] {
  if (principal === '*') return ['*'];
  const aws = (principal as { AWS?: OneOrMany }).AWS;
  return list(aws, 'Principal.AWS', origin) ?? [];
}

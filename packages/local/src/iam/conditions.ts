/**
 * The Condition element, as the IAM User Guide defines it:
 * - operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 *   ("If the key that you specify in a policy condition is not present in the request context, the values do
 *   not match and the condition is false. If the policy condition requires that the key is not matched, such
 *   as StringNotLike or ArnNotLike, and the right key is not present, the condition is true. This logic
 *   applies to all condition operators except ...IfExists and Null check.");
 * - several operators, keys and values: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
 *   (operators and keys ANDed, the values of one key ORed — NORed for a negated operator);
 * - set operators: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 *   (`ForAllValues` is true when every request value matches — and when the request has no such key;
 *   `ForAnyValue` is true when at least one does — false when the key is missing).
 */
import { IamPolicyInvalidError, IamPolicyUnsupportedError } from './errors.ts';
import type { ConditionTest } from './policy.ts';
import { arnLike, globMatch } from './wildcard.ts';

/** A request context value: single-valued keys hold a string, multivalued keys (aws:TagKeys) a list. */
export type ContextValue = string | readonly string[];

/** The request context; keys compare case-insensitively, as IAM's do. */
export type RequestContext = Readonly<Record<string, ContextValue>>;

type Compare = (requestValue: string, policyValue: string) => boolean;

interface Operator {
  readonly compare: Compare;
  /** `…Not…` operators: true when the request value matches none of the policy values. */
  readonly negated: boolean;
}

function date(text: string): number {
  // IAM takes ISO 8601 dates or epoch seconds.
  return /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text);
}

function numeric(compare: (a: number, b: number) => boolean): Compare {
  return (a, b) => {
    const x = Number(a);
    const y = Number(b);
    return Number.isFinite(x) && Number.isFinite(y) && compare(x, y);
  };
}

function dated(compare: (a: number, b: number) => boolean): Compare {
  return (a, b) => {
    const x = date(a);
    const y = date(b);
    return Number.isFinite(x) && Number.isFinite(y) && compare(x, y);
  };
}

const equals: Compare = (a, b) => a === b;
const equalsIgnoringCase: Compare = (a, b) => a.toLowerCase() === b.toLowerCase();
const like: Compare = (a, b) => globMatch(b, a);
const arn: Compare = (a, b) => arnLike(b, a);

const OPERATORS: Readonly<Record<string, Operator>> = {
  stringequals: { compare: equals, negated: false },
  stringnotequals: { compare: equals, negated: true },
  stringequalsignorecase: { compare: equalsIgnoringCase, negated: false },
  stringnotequalsignorecase: { compare: equalsIgnoringCase, negated: true },
  stringlike: { compare: like, negated: false },
  stringnotlike: { compare: like, negated: true },
  numericequals: { compare: numeric((a, b) => a === b), negated: false },
  numericnotequals: { compare: numeric((a, b) => a === b), negated: true },
  numericlessthan: { compare: numeric((a, b) => a < b), negated: false },
  numericlessthanequals: { compare: numeric((a, b) => a <= b), negated: false },
  numericgreaterthan: { compare: numeric((a, b) => a > b), negated: false },
  numericgreaterthanequals: { compare: numeric((a, b) => a >= b), negated: false },
  dateequals: { compare: dated((a, b) => a === b), negated: false },
  datenotequals: { compare: dated((a, b) => a === b), negated: true },
  datelessthan: { compare: dated((a, b) => a < b), negated: false },
  datelessthanequals: { compare: dated((a, b) => a <= b), negated: false },
  dategreaterthan: { compare: dated((a, b) => a > b), negated: false },
  dategreaterthanequals: { compare: dated((a, b) => a >= b), negated: false },
  bool: { compare: equalsIgnoringCase, negated: false },
  // "ArnEquals, ArnLike: Case-sensitive matching of the ARN … each can include … wildcards": the same test.
  arnequals: { compare: arn, negated: false },
  arnlike: { compare: arn, negated: false },
  arnnotequals: { compare: arn, negated: true },
  arnnotlike: { compare: arn, negated: true },
};

const UNSUPPORTED = new Set(['ipaddress', 'notipaddress', 'binaryequals']);

interface ParsedOperator {
  readonly set: 'ForAllValues' | 'ForAnyValue' | undefined;
  readonly base: string;
  readonly ifExists: boolean;
}

function parseOperator(text: string): ParsedOperator {
  const [first, second, ...rest] = text.split(':');
  if (rest.length > 0 || first === undefined)
    throw new IamPolicyInvalidError(`Unknown condition operator ${text}`);
  let set: ParsedOperator['set'];
  let base = first;
  if (second !== undefined) {
    const qualifier = first.toLowerCase();
    if (qualifier === 'forallvalues') set = 'ForAllValues';
    else if (qualifier === 'foranyvalue') set = 'ForAnyValue';
    else throw new IamPolicyInvalidError(`Unknown condition set operator ${first} in ${text}`);
    base = second;
  }
  const ifExists = /IfExists$/i.test(base);
  return { set, base: (ifExists ? base.slice(0, -'IfExists'.length) : base).toLowerCase(), ifExists };
}

/** The context value of `key`, whatever the case of the key; an empty list counts as no value. */
export function contextValue(context: RequestContext, key: string): ContextValue | undefined {
  const wanted = key.toLowerCase();
  for (const [name, value] of Object.entries(context)) {
    if (name.toLowerCase() !== wanted) continue;
    return Array.isArray(value) && value.length === 0 ? undefined : value;
  }
  return undefined;
}

/** One request value against the policy values: ORed, or NORed for a negated operator. */
function valueMatches(operator: Operator, requestValue: string, policyValues: readonly string[]): boolean {
  const any = policyValues.some((policyValue) => operator.compare(requestValue, policyValue));
  return operator.negated ? !any : any;
}

/**
 * Whether one condition test holds for the request context.
 *
 * @example conditionHolds({ operator: 'ForAllValues:StringLike', key: 'aws:TagKeys', values: ['cordon:*'] }, {}) // true: no keys
 */
export function conditionHolds(test: ConditionTest, context: RequestContext): boolean {
  const parsed = parseOperator(test.operator);
  const value = contextValue(context, test.key);
  if (parsed.base === 'null') {
    if (parsed.set !== undefined || parsed.ifExists) {
      throw new IamPolicyInvalidError(`${test.operator}: Null takes no qualifier`);
    }
    const wanted = value === undefined ? 'true' : 'false';
    return test.values.some((policyValue) => policyValue.toLowerCase() === wanted);
  }
  if (UNSUPPORTED.has(parsed.base)) {
    throw new IamPolicyUnsupportedError(`Condition operator ${test.operator} is not supported`);
  }
  const operator = OPERATORS[parsed.base];
  if (operator === undefined) throw new IamPolicyInvalidError(`Unknown condition operator ${test.operator}`);
  if (value === undefined) {
    if (parsed.ifExists) return true;
    if (parsed.set === 'ForAllValues') return true;
    if (parsed.set === 'ForAnyValue') return false;
    return operator.negated;
  }
  const values = typeof value === 'string' ? [value] : value;
  if (parsed.set === 'ForAllValues') return values.every((v) => valueMatches(operator, v, test.values));
  if (parsed.set === 'ForAnyValue') return values.some((v) => valueMatches(operator, v, test.values));
  // A multivalued key needs a set operator: without one it matches nothing.
  if (typeof value !== 'string') return false;
  return valueMatches(operator, value, test.values);
}

/** All tests of a statement hold (operators and keys are ANDed). */
export function conditionsHold(tests: readonly ConditionTest[], context: RequestContext): boolean {
  return tests.every((test) => conditionHolds(test, context));
}

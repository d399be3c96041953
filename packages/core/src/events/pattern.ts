/**
 * Amazon EventBridge event patterns: their type, their validation and a matcher that follows the documented
 * semantics (user guide pages "Creating event patterns", "Content filtering in event patterns", "Comparison
 * operators for use in event patterns", "Arrays in event patterns", "Matching null values and empty strings").
 * Where the guide is silent, the choices follow aws/event-ruler, the library EventBridge matches with; each such
 * choice is named in a comment here and listed in docs/event-rules.md. This file holds the types and the matcher;
 * `pattern-validate.ts` the validation, `pattern-values.ts` wildcards and CIDR blocks (both use them).
 *
 * The same pattern objects are deployed as EventBridge rules and matched by the local engine, so a pattern that
 * EventBridge would refuse must be refused here too: {@link validatePattern} fails closed.
 */
import { cidrContains, parseWildcard, wildcardMatches } from './pattern-values.ts';

/** A JSON scalar, matched exactly: strings character by character, numbers by value, `true`/`false`/`null`. */
export type ExactValue = string | number | boolean | null;

/** An array that holds at least one element; EventBridge refuses empty arrays anywhere in a pattern. */
export type NonEmptyArray<T> = readonly [T, ...T[]];

export interface EqualsIgnoreCaseFilter {
  readonly 'equals-ignore-case': string;
}

export interface PrefixFilter {
  readonly prefix: string | EqualsIgnoreCaseFilter;
}

export interface SuffixFilter {
  readonly suffix: string | EqualsIgnoreCaseFilter;
}

export interface WildcardFilter {
  /** `*` matches any run of characters (none included); `\*` is a literal star, `\\` a literal backslash. */
  readonly wildcard: string;
}

/** What `anything-but` excludes: values (all strings or all numbers), or strings by prefix, suffix, case, wildcard. */
export type AnythingButOperand =
  | string
  | number
  | NonEmptyArray<string>
  | NonEmptyArray<number>
  | { readonly prefix: string | NonEmptyArray<string> }
  | { readonly suffix: string | NonEmptyArray<string> }
  | { readonly 'equals-ignore-case': string | NonEmptyArray<string> }
  | { readonly wildcard: string | NonEmptyArray<string> };

export interface AnythingButFilter {
  readonly 'anything-but': AnythingButOperand;
}

export type LowerBoundOperator = '>' | '>=';
export type UpperBoundOperator = '<' | '<=';
export type NumericOperator = '=' | LowerBoundOperator | UpperBoundOperator;

/** The documented grammar: `=` alone, a lower bound with an optional upper bound after it, or an upper bound alone. */
export type NumericExpression =
  | readonly ['=', number]
  | readonly [LowerBoundOperator, number]
  | readonly [UpperBoundOperator, number]
  | readonly [LowerBoundOperator, number, UpperBoundOperator, number];

export interface NumericFilter {
  readonly numeric: NumericExpression;
}

export interface ExistsFilter {
  readonly exists: boolean;
}

export interface CidrFilter {
  /** An IPv4 or IPv6 network, `10.0.0.0/24` or `2001:db8::/32`. */
  readonly cidr: string;
}

export type ContentFilter =
  | PrefixFilter
  | SuffixFilter
  | EqualsIgnoreCaseFilter
  | WildcardFilter
  | AnythingButFilter
  | NumericFilter
  | ExistsFilter
  | CidrFilter;

/** One entry of a field's array: the field matches when any entry does. */
export type ValueMatcher = ExactValue | ContentFilter;

/** The array under a field name. */
export type PatternLeaf = NonEmptyArray<ValueMatcher>;

/** The value of a `$or` key: at least two sub-patterns, evaluated on the same object; one must match. */
export type OrBranches = readonly [EventPattern, EventPattern, ...EventPattern[]];

/**
 * An event pattern: field names mapped to a {@link PatternLeaf}, a nested pattern for an object field, or, under
 * the key `$or`, {@link OrBranches}. Only {@link validatePattern} tells a `$or` array from a leaf and checks the
 * rules a type cannot express (non-empty objects, wildcard escapes, numeric bounds), so build patterns through it.
 */
export interface EventPattern {
  readonly [field: string]: PatternLeaf | EventPattern | OrBranches;
}

export type PatternField = EventPattern[string];
type Scalar = string | number | boolean | null;

export const OR_KEY = '$or';

export const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;
export type OperatorName = (typeof OPERATORS)[number];

export const ANYTHING_BUT_FORMS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;

/** aws/event-ruler documents numeric matching between -5.0e9 and +5.0e9: bounds outside it are refused. */
export const NUMERIC_LIMIT = 5e9;

// ---------------------------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------------------------

/**
 * Whether an event matches a pattern, as EventBridge decides it. The pattern is trusted: pass it through
 * {@link validatePattern} first when it comes from outside the code (an unvalidated malformed wildcard throws
 * {@link InvalidEventPatternError} here). An event that is not a JSON object matches nothing.
 *
 * Semantics, in short: every field of the pattern must match (AND); a field matches when any entry of its array
 * matches (OR); when the event holds an array, the field matches if any element matches, and a nested pattern
 * must be satisfied by one single element of an array of objects (array-consistent, like event-ruler).
 *
 * @example
 * matchesPattern(
 *   { source: ['aws.guardduty'], detail: { severity: [{ numeric: ['>=', 7] }] } },
 *   { source: 'aws.guardduty', detail: { severity: 8 } },
 * ); // true
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return isJsonObject(event) && matchesObject(pattern, event);
}

function matchesObject(pattern: EventPattern, value: unknown): boolean {
  if (Array.isArray(value) && value.length > 0) {
    // One element must satisfy the whole nested pattern: fields taken from different elements of the same
    // array never combine into a match (event-ruler's "array-consistent" matching).
    return value.some((element) => matchesObject(pattern, element));
  }
  // A missing field, a scalar or an empty array has no sub-fields; `exists: false` below still matches there.
  const scope = isJsonObject(value) ? value : undefined;
  return Object.entries(pattern).every(([key, field]) => matchesField(key, field, scope));
}

function matchesField(
  key: string,
  field: PatternField,
  scope: Readonly<Record<string, unknown>> | undefined,
): boolean {
  if (isOrBranches(key, field)) {
    return field.some((branch) => matchesObject(branch, scope));
  }
  const value = scope === undefined ? undefined : ownField(scope, key);
  if (isPatternLeaf(field)) {
    return matchesLeaf(field, scalarLeaves(value));
  }
  return matchesObject(field, value);
}

// The key decides: a validated pattern holds OrBranches under `$or` and nowhere else.
function isOrBranches(key: string, _field: PatternField): _field is OrBranches {
  return key === OR_KEY;
}

function isPatternLeaf(field: EventPattern | PatternLeaf): field is PatternLeaf {
  return Array.isArray(field);
}

function matchesLeaf(leaf: PatternLeaf, values: readonly Scalar[]): boolean {
  return leaf.some((matcher) => {
    if (isContentFilter(matcher) && 'exists' in matcher) {
      // Only leaves count: a field holding an object, or an empty array, does not "exist" (documented example:
      // `exists: false` matches `"c-count": { "c1": 100 }`). A null leaf does exist.
      return matcher.exists === values.length > 0;
    }
    return values.some((value) => matchesScalar(matcher, value));
  });
}

function matchesScalar(matcher: Exclude<ValueMatcher, ExistsFilter>, value: Scalar): boolean {
  if (!isContentFilter(matcher)) {
    // JSON numbers compare by value (event-ruler adds a numeric-equals match for number literals), so 300 and
    // 300.0 are equal; they are the same JavaScript number anyway once parsed.
    return matcher === value;
  }
  if ('prefix' in matcher) {
    return typeof value === 'string' && hasPrefix(value, matcher.prefix);
  }
  if ('suffix' in matcher) {
    return typeof value === 'string' && hasSuffix(value, matcher.suffix);
  }
  if ('equals-ignore-case' in matcher) {
    return typeof value === 'string' && equalsIgnoringCase(value, matcher['equals-ignore-case']);
  }
  if ('wildcard' in matcher) {
    return typeof value === 'string' && wildcardMatches(parseWildcard(matcher.wildcard, 'wildcard'), value);
  }
  if ('anything-but' in matcher) {
    // The complement of the positive form over present leaf values: a missing field never matches, and values
    // of another type than the excluded ones (a number against excluded strings, null, booleans) do match.
    return !isExcluded(matcher['anything-but'], value);
  }
  if ('numeric' in matcher) {
    // Numeric matching only works on JSON numbers; the string "5" is not 5.
    return typeof value === 'number' && satisfiesNumeric(matcher.numeric, value);
  }
  if ('cidr' in matcher) {
    return typeof value === 'string' && cidrContains(matcher.cidr, value);
  }
  // ExistsFilter is handled by matchesLeaf; nothing else is left in the union.
  return false;
}

function isExcluded(operand: AnythingButOperand, value: Scalar): boolean {
  if (typeof operand === 'string' || typeof operand === 'number') {
    return operand === value;
  }
  if (isValueList(operand)) {
    return operand.some((excluded) => excluded === value);
  }
  if (typeof value !== 'string') {
    return false;
  }
  if ('prefix' in operand) {
    return asList(operand.prefix).some((prefix) => value.startsWith(prefix));
  }
  if ('suffix' in operand) {
    return asList(operand.suffix).some((suffix) => value.endsWith(suffix));
  }
  if ('equals-ignore-case' in operand) {
    return asList(operand['equals-ignore-case']).some((excluded) => equalsIgnoringCase(value, excluded));
  }
  return asList(operand.wildcard).some((wildcard) =>
    wildcardMatches(parseWildcard(wildcard, 'anything-but.wildcard'), value),
  );
}

function isValueList(
  operand: Exclude<AnythingButOperand, string | number>,
): operand is NonEmptyArray<string> | NonEmptyArray<number> {
  return Array.isArray(operand);
}

function asList(value: string | NonEmptyArray<string>): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

function hasPrefix(value: string, prefix: string | EqualsIgnoreCaseFilter): boolean {
  return typeof prefix === 'string'
    ? value.startsWith(prefix)
    : foldCase(value).startsWith(foldCase(prefix['equals-ignore-case']));
}

function hasSuffix(value: string, suffix: string | EqualsIgnoreCaseFilter): boolean {
  return typeof suffix === 'string'
    ? value.endsWith(suffix)
    : foldCase(value).endsWith(foldCase(suffix['equals-ignore-case']));
}

function equalsIgnoringCase(left: string, right: string): boolean {
  return foldCase(left) === foldCase(right);
}

// Lower-casing after upper-casing folds pairs such as "ß"/"SS" and "ς"/"σ" that one direction alone keeps apart.
function foldCase(value: string): string {
  return value.toUpperCase().toLowerCase();
}

function satisfiesNumeric(expression: NumericExpression, value: number): boolean {
  return numericComparisons(expression).every(([operator, operand]) => compare(operator, value, operand));
}

function numericComparisons(
  expression: NumericExpression,
): ReadonlyArray<readonly [NumericOperator, number]> {
  const comparisons: Array<readonly [NumericOperator, number]> = [];
  for (let index = 0; index + 1 < expression.length; index += 2) {
    const operator = expression[index];
    const operand = expression[index + 1];
    if (typeof operator === 'string' && typeof operand === 'number') {
      comparisons.push([operator, operand]);
    }
  }
  return comparisons;
}

function compare(operator: NumericOperator, value: number, operand: number): boolean {
  switch (operator) {
    case '=':
      return value === operand;
    case '<':
      return value < operand;
    case '<=':
      return value <= operand;
    case '>':
      return value > operand;
    case '>=':
      return value >= operand;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Event values
// ---------------------------------------------------------------------------------------------------------------

export function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Own properties only: an event field named "constructor" or "__proto__" must not read the prototype's.
function ownField(scope: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(scope, key) ? scope[key] : undefined;
}

/** The scalar values at a field: the value itself, or every scalar inside (nested) arrays; objects are not leaves. */
function scalarLeaves(value: unknown): Scalar[] {
  if (Array.isArray(value)) {
    return value.flatMap((element: unknown) => scalarLeaves(element));
  }
  return isScalar(value) ? [value] : [];
}

function isScalar(value: unknown): value is Scalar {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

function isContentFilter(matcher: ValueMatcher): matcher is ContentFilter {
  return typeof matcher === 'object' && matcher !== null;
}

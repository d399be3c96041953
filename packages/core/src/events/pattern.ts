/**
 * Amazon EventBridge event patterns: their type, their validation and a matcher that follows the documented
 * semantics (user guide pages "Creating event patterns", "Content filtering in event patterns", "Comparison
 * operators for use in event patterns", "Arrays in event patterns", "Matching null values and empty strings").
 * Where the guide is silent, the choices follow aws/event-ruler, the library EventBridge matches with; each such
 * choice is named in a comment here and listed in docs/event-rules.md.
 *
 * The same pattern objects are deployed as EventBridge rules and matched by the local engine, so a pattern that
 * EventBridge would refuse must be refused here too: {@link validatePattern} fails closed.
 */
import { InvalidEventPatternError } from '../errors.ts';

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

type PatternField = EventPattern[string];
type Scalar = string | number | boolean | null;

const OR_KEY = '$or';

const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;
type OperatorName = (typeof OPERATORS)[number];

const ANYTHING_BUT_FORMS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;

/** aws/event-ruler documents numeric matching between -5.0e9 and +5.0e9: bounds outside it are refused. */
const NUMERIC_LIMIT = 5e9;

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

function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
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

// ---------------------------------------------------------------------------------------------------------------
// Wildcards
// ---------------------------------------------------------------------------------------------------------------

/** A wildcard as the literal text between its stars: `a*b*c` is ['a', 'b', 'c']; no star is one segment. */
type CompiledWildcard = NonEmptyArray<string>;

/**
 * Event-ruler's documented rules: any number of `*`, never two in a row; `\*` is a literal star and `\\` a
 * literal backslash; a backslash before anything else is refused.
 */
function parseWildcard(wildcard: string, path: string): CompiledWildcard {
  const segments: string[] = [];
  let current = '';
  let previousWasStar = false;
  for (let index = 0; index < wildcard.length; index += 1) {
    const character = wildcard.charAt(index);
    if (character === '\\') {
      const escaped = wildcard.charAt(index + 1);
      if (escaped !== '*' && escaped !== '\\') {
        throw new InvalidEventPatternError(path, `a backslash may only escape "*" or "\\" in "${wildcard}"`);
      }
      current += escaped;
      index += 1;
      previousWasStar = false;
    } else if (character === '*') {
      if (previousWasStar) {
        throw new InvalidEventPatternError(
          path,
          `consecutive wildcard characters are not allowed in "${wildcard}"`,
        );
      }
      segments.push(current);
      current = '';
      previousWasStar = true;
    } else {
      current += character;
      previousWasStar = false;
    }
  }
  const [first, ...rest] = [...segments, current];
  return first === undefined ? [current] : [first, ...rest];
}

function wildcardMatches(segments: CompiledWildcard, value: string): boolean {
  const [first, ...rest] = segments;
  const last = rest.pop();
  if (last === undefined) {
    return value === first;
  }
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) {
    return false;
  }
  // Stars match anything, so taking each middle segment at its earliest place never loses a match.
  const end = value.length - last.length;
  let position = first.length;
  for (const segment of rest) {
    const found = value.indexOf(segment, position);
    if (found === -1 || found + segment.length > end) {
      return false;
    }
    position = found + segment.length;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------------------------

interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

interface Network extends IpAddress {
  readonly prefixLength: number;
}

function cidrContains(cidr: string, candidate: string): boolean {
  const network = parseCidr(cidr);
  const address = parseIpAddress(candidate);
  if (network === undefined || address === undefined || address.bits !== network.bits) {
    return false;
  }
  const hostBits = BigInt(network.bits - network.prefixLength);
  return address.value >> hostBits === network.value >> hostBits;
}

function parseCidr(cidr: string): Network | undefined {
  const parts = cidr.split('/');
  const [address, length] = parts;
  if (parts.length !== 2 || address === undefined || length === undefined || !/^\d{1,3}$/.test(length)) {
    return undefined;
  }
  const parsed = parseIpAddress(address);
  const prefixLength = Number(length);
  if (parsed === undefined || prefixLength > parsed.bits) {
    return undefined;
  }
  return { ...parsed, prefixLength };
}

function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { bits: 128, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { bits: 32, value };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4) {
    return undefined;
  }
  let value = 0n;
  for (const octet of octets) {
    // No leading zeros: "010" reads as octal in some tools and as decimal in others.
    if (!/^(0|[1-9]\d{0,2})$/.test(octet) || Number(octet) > 255) {
      return undefined;
    }
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) {
    return undefined;
  }
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 && missing < 1) || (halves.length === 1 && missing !== 0)) {
    return undefined;
  }
  const groups = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => 0), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** 16-bit groups of one side of `::`; a trailing dotted IPv4 address counts as two groups. */
function groupsOf(side: string): number[] | undefined {
  if (side === '') {
    return [];
  }
  const parts = side.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const ipv4 = parseIpv4(part);
      if (ipv4 === undefined) {
        return undefined;
      }
      groups.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      groups.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------------------------

/**
 * Checks that a value is an event pattern EventBridge would accept, and returns it as an {@link EventPattern}
 * (a fresh copy: later changes to the input do not reach it). Refuses, with {@link InvalidEventPatternError}
 * naming the path and the reason: a pattern that is not an object, an empty object or array, a field whose value
 * is neither an object nor an array (`"source": "aws.ec2"`), an unknown operator, an operator object with more
 * than one key, an operand of the wrong type (a numeric bound that is not a number, `exists` that is not a
 * boolean), a malformed numeric range, wildcard or CIDR, and a `$or` that is not an array of two or more objects.
 *
 * @example
 * const pattern = validatePattern(JSON.parse('{"detail":{"state":[{"anything-but":"initializing"}]}}'));
 * matchesPattern(pattern, { detail: { state: 'running' } }); // true
 *
 * validatePattern({ source: 'aws.ec2' });
 * // throws InvalidEventPatternError: Invalid event pattern at source: must be an array of values or a nested object
 */
export function validatePattern(pattern: unknown): EventPattern {
  return validateObject(pattern, '(root)', false);
}

function validateObject(value: unknown, path: string, insideOr: boolean): EventPattern {
  if (!isJsonObject(value)) {
    throw new InvalidEventPatternError(path, `a pattern must be a JSON object, got ${describe(value)}`);
  }
  const entries = Object.entries(value);
  if (entries.length === 0) {
    throw new InvalidEventPatternError(path, 'empty objects are not allowed');
  }
  // Object.fromEntries defines own properties, so a field named "__proto__" stays a field, as in JSON.parse.
  return Object.fromEntries(
    entries.map(([key, field]) => [
      key,
      validateField(key, field, path === '(root)' ? key : `${path}.${key}`, insideOr),
    ]),
  );
}

function validateField(key: string, field: unknown, path: string, insideOr: boolean): PatternField {
  if (key === OR_KEY) {
    return validateOrBranches(field, path);
  }
  if (insideOr && isOperatorName(key)) {
    // Event-ruler refuses these inside $or: `"$or": [{ "prefix": "a" }, …]` is a misplaced operator.
    throw new InvalidEventPatternError(path, `"${key}" is an operator and cannot be a field name inside $or`);
  }
  if (Array.isArray(field)) {
    return validateLeaf(field, path);
  }
  if (isJsonObject(field)) {
    return validateObject(field, path, insideOr);
  }
  throw new InvalidEventPatternError(
    path,
    `must be an array of values or a nested object, got ${describe(field)}`,
  );
}

function validateOrBranches(value: unknown, path: string): OrBranches {
  if (!Array.isArray(value)) {
    throw new InvalidEventPatternError(path, `$or must be an array of patterns, got ${describe(value)}`);
  }
  const branches = value.map((branch: unknown, index) => validateObject(branch, `${path}[${index}]`, true));
  const [first, second, ...rest] = branches;
  if (first === undefined || second === undefined) {
    throw new InvalidEventPatternError(path, `$or needs at least 2 patterns, got ${branches.length}`);
  }
  return [first, second, ...rest];
}

function validateLeaf(values: readonly unknown[], path: string): PatternLeaf {
  const matchers = values.map((value, index) => validateMatcher(value, `${path}[${index}]`));
  const [first, ...rest] = matchers;
  if (first === undefined) {
    throw new InvalidEventPatternError(path, 'empty arrays are not allowed');
  }
  return [first, ...rest];
}

function validateMatcher(value: unknown, path: string): ValueMatcher {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'number') {
    return finiteNumber(value, path);
  }
  if (isJsonObject(value)) {
    return validateFilter(value, path);
  }
  throw new InvalidEventPatternError(
    path,
    `a value must be a string, number, true, false, null or an operator object, got ${describe(value)}`,
  );
}

function validateFilter(filter: Readonly<Record<string, unknown>>, path: string): ContentFilter {
  const [entry, ...others] = Object.entries(filter);
  if (entry === undefined) {
    throw new InvalidEventPatternError(path, 'empty objects are not allowed');
  }
  if (others.length > 0) {
    throw new InvalidEventPatternError(
      path,
      `an operator object takes exactly one key, got ${Object.keys(filter).join(', ')}`,
    );
  }
  const [operator, operand] = entry;
  const operandPath = `${path}.${operator}`;
  if (!isOperatorName(operator)) {
    throw new InvalidEventPatternError(
      path,
      `unknown operator "${operator}"; supported: ${OPERATORS.join(', ')}`,
    );
  }
  switch (operator) {
    case 'prefix':
      return { prefix: stringOrIgnoreCase(operand, operandPath) };
    case 'suffix':
      return { suffix: stringOrIgnoreCase(operand, operandPath) };
    case 'equals-ignore-case':
      return { 'equals-ignore-case': string(operand, operandPath) };
    case 'wildcard':
      return { wildcard: wildcard(operand, operandPath) };
    case 'anything-but':
      return { 'anything-but': anythingButOperand(operand, operandPath) };
    case 'numeric':
      return { numeric: numericExpression(operand, operandPath) };
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw new InvalidEventPatternError(
          operandPath,
          `exists takes true or false, got ${describe(operand)}`,
        );
      }
      return { exists: operand };
    case 'cidr':
      return { cidr: cidr(operand, operandPath) };
  }
}

function isOperatorName(name: string): name is OperatorName {
  return (OPERATORS as readonly string[]).includes(name);
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') {
    throw new InvalidEventPatternError(path, `must be a string, got ${describe(value)}`);
  }
  return value;
}

function stringOrIgnoreCase(value: unknown, path: string): string | EqualsIgnoreCaseFilter {
  if (typeof value === 'string') {
    return value;
  }
  if (isJsonObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'equals-ignore-case') {
      return { 'equals-ignore-case': string(value['equals-ignore-case'], `${path}.equals-ignore-case`) };
    }
    throw new InvalidEventPatternError(
      path,
      `only {"equals-ignore-case": …} may wrap a string here, got keys ${keys.join(', ') || '(none)'}`,
    );
  }
  throw new InvalidEventPatternError(
    path,
    `must be a string or {"equals-ignore-case": string}, got ${describe(value)}`,
  );
}

function wildcard(value: unknown, path: string): string {
  const text = string(value, path);
  parseWildcard(text, path);
  return text;
}

function anythingButOperand(value: unknown, path: string): AnythingButOperand {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') {
    return finiteNumber(value, path);
  }
  if (Array.isArray(value)) {
    return anythingButValues(value, path);
  }
  if (isJsonObject(value)) {
    const [entry, ...others] = Object.entries(value);
    if (entry === undefined || others.length > 0) {
      throw new InvalidEventPatternError(
        path,
        `anything-but takes one of ${ANYTHING_BUT_FORMS.join(', ')}, got keys ${Object.keys(value).join(', ') || '(none)'}`,
      );
    }
    const [form, operand] = entry;
    const formPath = `${path}.${form}`;
    switch (form) {
      case 'prefix':
        return { prefix: stringOrStrings(operand, formPath, nonEmptyText) };
      case 'suffix':
        return { suffix: stringOrStrings(operand, formPath, nonEmptyText) };
      case 'equals-ignore-case':
        return { 'equals-ignore-case': stringOrStrings(operand, formPath, string) };
      case 'wildcard':
        return { wildcard: stringOrStrings(operand, formPath, wildcard) };
      default:
        throw new InvalidEventPatternError(
          formPath,
          `unsupported anything-but form "${form}"; supported: ${ANYTHING_BUT_FORMS.join(', ')}`,
        );
    }
  }
  throw new InvalidEventPatternError(
    path,
    `anything-but takes a string, a number, a list of either, or an object, got ${describe(value)}`,
  );
}

// Event-ruler: "either all values are number or string, mixed type is not supported"; null and booleans neither.
function anythingButValues(
  values: readonly unknown[],
  path: string,
): NonEmptyArray<string> | NonEmptyArray<number> {
  const [first, ...rest] = values;
  const itemPath = (index: number) => `${path}[${index + 1}]`;
  if (typeof first === 'string') {
    return [
      first,
      ...rest.map((value, index) => {
        if (typeof value !== 'string') {
          throw mixedListError(value, 'strings', itemPath(index));
        }
        return value;
      }),
    ];
  }
  if (typeof first === 'number') {
    return [
      finiteNumber(first, `${path}[0]`),
      ...rest.map((value, index) => {
        if (typeof value !== 'number') {
          throw mixedListError(value, 'numbers', itemPath(index));
        }
        return finiteNumber(value, itemPath(index));
      }),
    ];
  }
  if (first === undefined && values.length === 0) {
    throw new InvalidEventPatternError(path, 'empty arrays are not allowed');
  }
  throw new InvalidEventPatternError(
    `${path}[0]`,
    `an anything-but list holds only strings or only numbers, got ${describe(first)}`,
  );
}

function mixedListError(value: unknown, kind: 'strings' | 'numbers', path: string): InvalidEventPatternError {
  return new InvalidEventPatternError(
    path,
    `an anything-but list holds only strings or only numbers, not a mix; got ${describe(value)} among ${kind}`,
  );
}

function stringOrStrings(
  value: unknown,
  path: string,
  check: (item: unknown, itemPath: string) => string,
): string | NonEmptyArray<string> {
  if (!Array.isArray(value)) {
    return check(value, path);
  }
  const [first, ...rest] = value.map((item: unknown, index) => check(item, `${path}[${index}]`));
  if (first === undefined) {
    throw new InvalidEventPatternError(path, 'empty arrays are not allowed');
  }
  return [first, ...rest];
}

// Event-ruler refuses an empty anything-but prefix or suffix: it would exclude every string.
function nonEmptyText(value: unknown, path: string): string {
  const text = string(value, path);
  if (text === '') {
    throw new InvalidEventPatternError(path, 'an empty prefix or suffix is not allowed in anything-but');
  }
  return text;
}

function numericExpression(value: unknown, path: string): NumericExpression {
  if (!Array.isArray(value)) {
    throw new InvalidEventPatternError(
      path,
      `numeric takes an array such as [">", 0, "<=", 5], got ${describe(value)}`,
    );
  }
  const items: readonly unknown[] = value;
  const [operator, operand, upperOperator, upperOperand] = items;
  if (items.length === 0) {
    throw new InvalidEventPatternError(path, 'empty arrays are not allowed');
  }
  if (!isNumericOperator(operator)) {
    throw new InvalidEventPatternError(
      `${path}[0]`,
      `unknown numeric operator ${describe(operator)}; supported: =, <, <=, >, >=`,
    );
  }
  const bound = numericOperand(operator, operand, `${path}[1]`);
  if (items.length > 4) {
    throw new InvalidEventPatternError(path, 'too many elements: at most a lower and an upper bound');
  }
  const hasUpperBound = items.length > 2;
  if (operator === '=' || operator === '<' || operator === '<=') {
    if (hasUpperBound) {
      throw new InvalidEventPatternError(
        path,
        `"${operator}" must be the only or the last comparison; a range is written lower bound first: [">", 0, "<=", 5]`,
      );
    }
    return [operator, bound];
  }
  if (!hasUpperBound) {
    return [operator, bound];
  }
  if (upperOperator !== '<' && upperOperator !== '<=') {
    throw new InvalidEventPatternError(
      `${path}[2]`,
      `the second comparison of a range must be "<" or "<=", got ${describe(upperOperator)}`,
    );
  }
  const top = numericOperand(upperOperator, upperOperand, `${path}[3]`);
  if (bound >= top) {
    throw new InvalidEventPatternError(path, `the lower bound ${bound} must be below the upper bound ${top}`);
  }
  return [operator, bound, upperOperator, top];
}

function isNumericOperator(value: unknown): value is NumericOperator {
  return value === '=' || value === '<' || value === '<=' || value === '>' || value === '>=';
}

function numericOperand(operator: NumericOperator, operand: unknown, path: string): number {
  if (typeof operand !== 'number') {
    throw new InvalidEventPatternError(
      path,
      `"${operator}" must be followed by a number, got ${describe(operand)}`,
    );
  }
  const value = finiteNumber(operand, path);
  if (Math.abs(value) > NUMERIC_LIMIT) {
    throw new InvalidEventPatternError(path, `numeric matching is limited to -5.0e9…+5.0e9, got ${value}`);
  }
  return value;
}

function finiteNumber(value: number, path: string): number {
  if (!Number.isFinite(value)) {
    throw new InvalidEventPatternError(path, `${value} is not a JSON number`);
  }
  return value;
}

function cidr(value: unknown, path: string): string {
  const text = string(value, path);
  if (parseCidr(text) === undefined) {
    throw new InvalidEventPatternError(
      path,
      `"${text}" is not an IPv4 or IPv6 network such as "10.0.0.0/24" or "2001:db8::/32"`,
    );
  }
  return text;
}

function describe(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (value === null) {
    return 'null';
  }
  if (typeof value === 'object') {
    return 'an object';
  }
  if (typeof value === 'function' || typeof value === 'symbol') {
    return `a ${typeof value}`;
  }
  return `${typeof value} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
}

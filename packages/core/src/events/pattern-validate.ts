/**
 * Validation of EventBridge event patterns: a pattern EventBridge would refuse is refused here too, with the path
 * and the reason (the same pattern objects are deployed as rules and matched locally: pattern.ts).
 */
import { InvalidEventPatternError } from '../errors.ts';
import {
  ANYTHING_BUT_FORMS,
  type AnythingButOperand,
  type ContentFilter,
  type EqualsIgnoreCaseFilter,
  type EventPattern,
  isJsonObject,
  type NonEmptyArray,
  NUMERIC_LIMIT,
  type NumericExpression,
  type NumericOperator,
  OPERATORS,
  type OperatorName,
  OR_KEY,
  type OrBranches,
  type PatternField,
  type PatternLeaf,
  type ValueMatcher,
} from './pattern.ts';
import { parseCidr, parseWildcard } from './pattern-values.ts';

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

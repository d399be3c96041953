import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { serviceErrors } from '../errors.ts';

/**
 * DynamoDB's AttributeValues for the sandbox: validation as DynamoDB validates a request, numbers as DynamoDB
 * keeps them (38 significant digits, exact, leading and trailing zeros trimmed), equality and ordering.
 *
 * Sources: data types and number limits,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html;
 * comparison rules (EQ on every type, lists and maps included; LT/GT on S, N, B only; a different type never
 * matches), https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Condition.html.
 */

export type Item = Record<string, AttributeValue>;

/** DynamoDB's JSON protocol: the SDK names every error by its wire code. */
export const dynamoDbError = serviceErrors('DynamoDB');

/** The error DynamoDB answers for every malformed request. */
export function validationError(message: string) {
  return dynamoDbError('ValidationException', message);
}

/** For requests the real service accepts but the sandbox does not model: refused, never half-answered. */
export function unsupported(what: string) {
  return validationError(
    `The sandbox does not support ${what}; extend the DynamoDB model (and its differential test) before relying on it.`,
  );
}

export type TypeTag = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';
const TYPE_TAGS: readonly TypeTag[] = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'];

/** The type of an AttributeValue already validated by `assertAttributeValue`. */
export function typeOf(value: AttributeValue): TypeTag {
  const tag = TYPE_TAGS.find((candidate) => candidate in value && value[candidate] !== undefined);
  if (tag === undefined) {
    throw validationError(
      'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
    );
  }
  return tag;
}

// ---- numbers -----------------------------------------------------------------------------------------

const NUMBER = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;
const MAX_DIGITS = 38;
const MAX_EXPONENT = 125;
const MIN_EXPONENT = -130;

/** An exact decimal: `coefficient × 10^exponent`, the coefficient without trailing zeros (0 for zero). */
interface Decimal {
  readonly coefficient: bigint;
  readonly exponent: number;
}

function normalized(coefficient: bigint, exponent: number): Decimal {
  if (coefficient === 0n) return { coefficient, exponent: 0 };
  let [c, e] = [coefficient, exponent];
  while (c % 10n === 0n) {
    c /= 10n;
    e += 1;
  }
  return { coefficient: c, exponent: e };
}

/** Parses a number as DynamoDB reads it; a text that is not one, or out of DynamoDB's range, is refused. */
function parseNumber(text: string): Decimal {
  const match = NUMBER.exec(text);
  const [, sign, whole = '', fraction = '', exponent = '0'] = match ?? [];
  if (match === null || `${whole}${fraction}` === '') {
    throw validationError(`The parameter cannot be converted to a numeric value: ${text}`);
  }
  const magnitude = BigInt(`${whole}${fraction}` || '0');
  const decimal = normalized(sign === '-' ? -magnitude : magnitude, Number(exponent) - fraction.length);
  return checkedNumber(decimal);
}

function digitsOf(decimal: Decimal): string {
  return (decimal.coefficient < 0n ? -decimal.coefficient : decimal.coefficient).toString();
}

/** DynamoDB's limits: 38 significant digits, magnitude from 1E-130 to under 1E+126. */
function checkedNumber(decimal: Decimal): Decimal {
  if (decimal.coefficient === 0n) return decimal;
  const digits = digitsOf(decimal);
  const scientificExponent = decimal.exponent + digits.length - 1;
  if (scientificExponent > MAX_EXPONENT) {
    throw validationError(
      'Number overflow. Attempting to store a number with magnitude larger than supported range',
    );
  }
  if (scientificExponent < MIN_EXPONENT) {
    throw validationError(
      'Number underflow. Attempting to store a number with magnitude smaller than supported range',
    );
  }
  if (digits.length > MAX_DIGITS) {
    throw validationError('Attempting to store more than 38 significant digits in a Number');
  }
  return decimal;
}

/** The number as DynamoDB answers it: plain notation, leading and trailing zeros trimmed (`007.50` → `7.5`). */
function formatNumber(decimal: Decimal): string {
  const negative = decimal.coefficient < 0n;
  const digits = digitsOf(decimal);
  let text: string;
  if (decimal.exponent >= 0) text = digits + '0'.repeat(decimal.exponent);
  else {
    const padded = digits.padStart(-decimal.exponent + 1, '0');
    text = `${padded.slice(0, decimal.exponent)}.${padded.slice(decimal.exponent)}`;
  }
  return negative ? `-${text}` : text;
}

/** `N` as DynamoDB stores it. */
export function canonicalNumber(text: string): string {
  return formatNumber(parseNumber(text));
}

function compareDecimals(a: Decimal, b: Decimal): number {
  const scale = Math.min(a.exponent, b.exponent);
  const x = a.coefficient * 10n ** BigInt(a.exponent - scale);
  const y = b.coefficient * 10n ** BigInt(b.exponent - scale);
  return x === y ? 0 : x < y ? -1 : 1;
}

/** `ADD` on a number: exact, within DynamoDB's limits. */
export function addNumbers(a: string, b: string): string {
  const [x, y] = [parseNumber(a), parseNumber(b)];
  const scale = Math.min(x.exponent, y.exponent);
  const sum =
    x.coefficient * 10n ** BigInt(x.exponent - scale) + y.coefficient * 10n ** BigInt(y.exponent - scale);
  return formatNumber(checkedNumber(normalized(sum, scale)));
}

// ---- validation ----------------------------------------------------------------------------------------

/**
 * Checks that `value` is a well-formed AttributeValue, as DynamoDB does before it looks at anything else, and
 * puts its numbers in DynamoDB's canonical form (in place): exactly one type, numbers that parse and fit,
 * `NULL` true, sets non-empty and without duplicates.
 */
export function assertAttributeValue(value: unknown, where: string): asserts value is AttributeValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError(
      `Supplied AttributeValue is empty, must contain exactly one of the supported datatypes (sandbox: ${where} is a plain ${Array.isArray(value) ? 'array' : typeof value}, not an AttributeValue)`,
    );
  }
  const tags = Object.entries(value).filter(([key, member]) => member !== undefined && key !== '$unknown');
  if (tags.length === 0) {
    throw validationError(
      'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
    );
  }
  if (tags.length > 1) {
    throw validationError(
      'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
    );
  }
  const [tag, member] = tags[0] ?? [];
  const target = value as Record<string, unknown>;
  switch (tag) {
    case 'S':
      if (typeof member === 'string') return;
      break;
    case 'N':
      if (typeof member !== 'string') break;
      target.N = canonicalNumber(member);
      return;
    case 'B':
      if (member instanceof Uint8Array) return;
      break;
    case 'BOOL':
      if (typeof member === 'boolean') return;
      break;
    case 'NULL':
      if (member === true) return;
      throw validationError(
        'One or more parameter values were invalid: Null attribute value types must have the value of true',
      );
    case 'SS':
    case 'NS':
    case 'BS':
      target[tag] = validSet(tag, member);
      return;
    case 'L':
      if (!Array.isArray(member)) break;
      for (const [index, element] of member.entries()) assertAttributeValue(element, `${where}[${index}]`);
      return;
    case 'M':
      if (typeof member !== 'object' || member === null) break;
      for (const [key, element] of Object.entries(member)) assertAttributeValue(element, `${where}.${key}`);
      return;
    default:
      throw validationError(`Supplied AttributeValue has an unknown datatype: ${String(tag)}`);
  }
  throw validationError(`Supplied AttributeValue ${where} has a ${String(tag)} member of the wrong shape`);
}

function validSet(tag: 'SS' | 'NS' | 'BS', member: unknown): unknown[] {
  if (!Array.isArray(member)) throw validationError(`Supplied AttributeValue ${tag} is not a list`);
  if (member.length === 0) {
    throw validationError(
      'One or more parameter values were invalid: An AttributeValue may not contain an empty set.',
    );
  }
  const members = member.map((element: unknown) => {
    if (tag === 'BS') {
      if (!(element instanceof Uint8Array)) throw validationError('Supplied BS member is not binary');
      return element;
    }
    if (typeof element !== 'string') throw validationError(`Supplied ${tag} member is not a string`);
    return tag === 'NS' ? canonicalNumber(element) : element;
  });
  const keys = members.map((element) =>
    element instanceof Uint8Array ? bytes(element).toString('hex') : element,
  );
  if (new Set(keys).size !== keys.length) {
    throw validationError(
      `One or more parameter values were invalid: Input collection [${member.join(', ')}] contains duplicates.`,
    );
  }
  return members;
}

// ---- equality and order -------------------------------------------------------------------------------

function bytes(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function sameMembers<T>(a: readonly T[], b: readonly T[], key: (member: T) => string): boolean {
  const left = new Set(a.map(key));
  return left.size === new Set(b.map(key)).size && b.every((member) => left.has(key(member)));
}

/** DynamoDB equality: same type and same value; numbers by value, sets ignoring order, lists and maps deeply. */
export function attributeEquals(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  switch (type) {
    case 'S':
      return a.S === b.S;
    case 'N':
      return compareDecimals(parseNumber(a.N ?? ''), parseNumber(b.N ?? '')) === 0;
    case 'B':
      return a.B !== undefined && b.B !== undefined && bytes(a.B).equals(bytes(b.B));
    case 'BOOL':
      return a.BOOL === b.BOOL;
    case 'NULL':
      return true;
    case 'SS':
      return sameMembers(a.SS ?? [], b.SS ?? [], (x) => x);
    case 'NS':
      return sameMembers(a.NS ?? [], b.NS ?? [], canonicalNumber);
    case 'BS':
      return sameMembers(a.BS ?? [], b.BS ?? [], (x) => bytes(x).toString('hex'));
    case 'L': {
      const [left, right] = [a.L ?? [], b.L ?? []];
      return (
        left.length === right.length && left.every((element, index) => equalsOrMissing(element, right[index]))
      );
    }
    case 'M': {
      const [left, right] = [a.M ?? {}, b.M ?? {}];
      const keys = Object.keys(left);
      return (
        keys.length === Object.keys(right).length &&
        keys.every((key) => equalsOrMissing(left[key], right[key]))
      );
    }
  }
}

function equalsOrMissing(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  return a !== undefined && b !== undefined && attributeEquals(a, b);
}

/**
 * Order of two scalars of the same type: numbers by value, strings by their UTF-8 bytes, binary by unsigned
 * bytes (as DynamoDB collates them); undefined for any other pair, which then matches no ordering comparison.
 */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  const type = typeOf(a);
  if (type !== typeOf(b)) return undefined;
  if (type === 'N') return compareDecimals(parseNumber(a.N ?? ''), parseNumber(b.N ?? ''));
  if (type === 'S') return Buffer.compare(Buffer.from(a.S ?? '', 'utf8'), Buffer.from(b.S ?? '', 'utf8'));
  if (type === 'B' && a.B !== undefined && b.B !== undefined) return Buffer.compare(bytes(a.B), bytes(b.B));
  return undefined;
}

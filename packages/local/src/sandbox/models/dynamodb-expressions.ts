import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { awsError, type SandboxServiceError } from '../errors.ts';

/**
 * DynamoDB expressions for the sandbox: a tokenizer, a recursive-descent parser and an evaluator for the
 * subset Cordon uses. Condition, filter and key-condition expressions share one grammar:
 *
 *   condition  := or
 *   or         := and ( OR and )*
 *   and        := not ( AND not )*
 *   not        := NOT not | primary
 *   primary    := '(' condition ')' | function | operand comparator operand
 *               | operand BETWEEN operand AND operand | operand IN '(' operand (',' operand)* ')'
 *   function   := attribute_exists(path) | attribute_not_exists(path) | attribute_type(path, :v)
 *               | begins_with(path, operand) | contains(path, operand)
 *   operand    := path | :value | size(path)
 *   path       := name ( '.' name | '[' digits ']' )*      name := identifier | #placeholder
 *
 * Update expressions: `SET p = v, …  REMOVE p, …  ADD p :v, …  DELETE p :v, …` where
 * `v := term (('+' | '-') term)?` and `term := path | :value | if_not_exists(path, v) | list_append(v, v)`.
 * Anything else is refused with a `ValidationException`, never ignored.
 */

export type Item = Record<string, AttributeValue>;

/** A map key (string) or a list index (number). */
export type PathElement = string | number;
export type Path = readonly PathElement[];

export type Operand =
  | { readonly kind: 'path'; readonly path: Path }
  | { readonly kind: 'value'; readonly value: AttributeValue }
  | { readonly kind: 'size'; readonly path: Path };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Condition =
  | {
      readonly kind: 'compare';
      readonly comparator: Comparator;
      readonly left: Operand;
      readonly right: Operand;
    }
  | { readonly kind: 'between'; readonly subject: Operand; readonly low: Operand; readonly high: Operand }
  | { readonly kind: 'in'; readonly subject: Operand; readonly candidates: readonly Operand[] }
  | { readonly kind: 'exists'; readonly path: Path; readonly exists: boolean }
  | { readonly kind: 'type'; readonly path: Path; readonly type: Operand }
  | { readonly kind: 'beginsWith'; readonly path: Path; readonly prefix: Operand }
  | { readonly kind: 'contains'; readonly path: Path; readonly operand: Operand }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly condition: Condition };

export type UpdateValue =
  | { readonly kind: 'path'; readonly path: Path }
  | { readonly kind: 'value'; readonly value: AttributeValue }
  | { readonly kind: 'ifNotExists'; readonly path: Path; readonly fallback: UpdateValue }
  | { readonly kind: 'listAppend'; readonly first: UpdateValue; readonly second: UpdateValue }
  | {
      readonly kind: 'arithmetic';
      readonly operator: '+' | '-';
      readonly left: UpdateValue;
      readonly right: UpdateValue;
    };

export interface UpdatePlan {
  readonly set: readonly { readonly path: Path; readonly value: UpdateValue }[];
  readonly remove: readonly Path[];
  readonly add: readonly { readonly path: Path; readonly value: AttributeValue }[];
  readonly delete: readonly { readonly path: Path; readonly value: AttributeValue }[];
}

/** The error DynamoDB answers for every malformed request. */
export function validationError(message: string): SandboxServiceError {
  return awsError('DynamoDB', 'ValidationException', message);
}

/** For expressions the real service accepts but the sandbox does not model. */
export function unsupported(what: string): SandboxServiceError {
  return validationError(
    `The sandbox does not support ${what}; extend the DynamoDB model before relying on it.`,
  );
}

// ---- placeholders ----------------------------------------------------------------------------------

/**
 * `ExpressionAttributeNames` and `ExpressionAttributeValues` of one request. Tracks which were used, since
 * DynamoDB refuses a request that supplies a placeholder none of its expressions uses.
 */
export class Placeholders {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  public constructor(
    private readonly names: Readonly<Record<string, string>> = {},
    private readonly values: Readonly<Record<string, AttributeValue>> = {},
  ) {}

  public name(reference: string, label: string): string {
    const name = this.names[reference];
    if (name === undefined) {
      throw validationError(
        `Invalid ${label}: An expression attribute name used in the document path is not defined; attribute name: ${reference}`,
      );
    }
    this.usedNames.add(reference);
    return name;
  }

  public value(reference: string, label: string): AttributeValue {
    const value = this.values[reference];
    if (value === undefined) {
      throw validationError(
        `Invalid ${label}: An expression attribute value used in expression is not defined; attribute value: ${reference}`,
      );
    }
    this.usedValues.add(reference);
    return value;
  }

  /** Call once every expression of the request has been parsed. */
  public assertAllUsed(): void {
    const unusedNames = Object.keys(this.names).filter((name) => !this.usedNames.has(name));
    if (unusedNames.length > 0) {
      throw validationError(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
    }
    const unusedValues = Object.keys(this.values).filter((value) => !this.usedValues.has(value));
    if (unusedValues.length > 0) {
      throw validationError(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    }
  }
}

// ---- tokenizer -------------------------------------------------------------------------------------

type TokenKind = 'identifier' | 'nameRef' | 'valueRef' | 'integer' | 'symbol' | 'end';

interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly position: number;
}

const TOKEN_PATTERN =
  /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(\d+)|(<>|<=|>=|[=<>(),.[\]+-]))/y;
const TOKEN_KINDS: readonly TokenKind[] = ['nameRef', 'valueRef', 'identifier', 'integer', 'symbol'];

function tokenize(source: string, label: string): Token[] {
  const tokens: Token[] = [];
  TOKEN_PATTERN.lastIndex = 0;
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) break;
    TOKEN_PATTERN.lastIndex = position;
    const match = TOKEN_PATTERN.exec(source);
    if (match === null) {
      const near = source.slice(position).trim();
      throw validationError(
        `Invalid ${label}: Syntax error; token: "${near.charAt(0)}", near: "${near.slice(0, 12)}"`,
      );
    }
    const groupIndex = match.slice(1).findIndex((group) => group !== undefined);
    const text = match[groupIndex + 1] ?? '';
    tokens.push({
      kind: TOKEN_KINDS[groupIndex] ?? 'symbol',
      text,
      position: match.index + match[0].indexOf(text),
    });
    position = TOKEN_PATTERN.lastIndex;
  }
  tokens.push({ kind: 'end', text: '<EOF>', position: source.length });
  return tokens;
}

// ---- parser ----------------------------------------------------------------------------------------

const CONDITION_FUNCTIONS = new Set([
  'attribute_exists',
  'attribute_not_exists',
  'attribute_type',
  'begins_with',
  'contains',
]);
const UPDATE_FUNCTIONS = new Set(['if_not_exists', 'list_append']);
const COMPARATORS = new Set<string>(['=', '<>', '<', '<=', '>', '>=']);
const ATTRIBUTE_TYPES = new Set(['S', 'SS', 'N', 'NS', 'B', 'BS', 'BOOL', 'NULL', 'L', 'M']);
const MAX_IN_CANDIDATES = 100;

class Parser {
  private index = 0;
  private readonly tokens: Token[];

  public constructor(
    private readonly source: string,
    private readonly placeholders: Placeholders,
    private readonly label: string,
  ) {
    this.tokens = tokenize(source, label);
  }

  // -- conditions

  public condition(): Condition {
    let left = this.andCondition();
    while (this.acceptKeyword('OR')) left = { kind: 'or', left, right: this.andCondition() };
    return left;
  }

  private andCondition(): Condition {
    let left = this.notCondition();
    while (this.acceptKeyword('AND')) left = { kind: 'and', left, right: this.notCondition() };
    return left;
  }

  private notCondition(): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', condition: this.notCondition() };
    return this.primaryCondition();
  }

  private primaryCondition(): Condition {
    if (this.acceptSymbol('(')) {
      const inner = this.condition();
      this.expectSymbol(')');
      return inner;
    }
    const token = this.peek();
    if (token.kind === 'identifier' && this.peek(1).text === '(' && token.text !== 'size') {
      return this.conditionFunction();
    }
    const subject = this.operand();
    const next = this.peek();
    if (next.kind === 'symbol' && COMPARATORS.has(next.text)) {
      this.index += 1;
      // The set check above makes the cast safe: only comparator texts reach this line.
      return { kind: 'compare', comparator: next.text as Comparator, left: subject, right: this.operand() };
    }
    if (this.acceptKeyword('BETWEEN')) {
      const low = this.operand();
      this.expectKeyword('AND');
      return { kind: 'between', subject, low, high: this.operand() };
    }
    if (this.acceptKeyword('IN')) {
      this.expectSymbol('(');
      const candidates = [this.operand()];
      while (this.acceptSymbol(',')) candidates.push(this.operand());
      this.expectSymbol(')');
      if (candidates.length > MAX_IN_CANDIDATES) {
        throw validationError(
          `Invalid ${this.label}: The IN operator takes at most ${MAX_IN_CANDIDATES} operands`,
        );
      }
      return { kind: 'in', subject, candidates };
    }
    throw this.syntaxError(next);
  }

  private conditionFunction(): Condition {
    const name = this.next().text;
    if (UPDATE_FUNCTIONS.has(name)) {
      throw validationError(
        `Invalid ${this.label}: The function is not allowed to be used this way in an expression; function: ${name}`,
      );
    }
    if (!CONDITION_FUNCTIONS.has(name)) {
      throw validationError(`Invalid ${this.label}: Invalid function name; function: ${name}`);
    }
    this.expectSymbol('(');
    const path = this.path();
    let condition: Condition;
    if (name === 'attribute_exists' || name === 'attribute_not_exists') {
      condition = { kind: 'exists', path, exists: name === 'attribute_exists' };
    } else {
      this.expectSymbol(',');
      const argument = this.operand();
      if (name === 'attribute_type') condition = { kind: 'type', path, type: argument };
      else if (name === 'begins_with') condition = { kind: 'beginsWith', path, prefix: argument };
      else condition = { kind: 'contains', path, operand: argument };
    }
    this.expectSymbol(')');
    return condition;
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.kind === 'valueRef') {
      this.index += 1;
      return { kind: 'value', value: this.placeholders.value(token.text, this.label) };
    }
    if (token.kind === 'identifier' && this.peek(1).text === '(') {
      if (token.text !== 'size') {
        throw validationError(
          `Invalid ${this.label}: The function is not allowed to be used this way in an expression; function: ${token.text}`,
        );
      }
      this.index += 1;
      this.expectSymbol('(');
      const path = this.path();
      this.expectSymbol(')');
      return { kind: 'size', path };
    }
    return { kind: 'path', path: this.path() };
  }

  // -- paths

  public path(): Path {
    const elements: PathElement[] = [this.pathName()];
    for (;;) {
      if (this.acceptSymbol('.')) {
        elements.push(this.pathName());
      } else if (this.acceptSymbol('[')) {
        const token = this.next();
        if (token.kind !== 'integer') throw this.syntaxError(token);
        elements.push(Number(token.text));
        this.expectSymbol(']');
      } else {
        return elements;
      }
    }
  }

  private pathName(): string {
    const token = this.next();
    if (token.kind === 'nameRef') return this.placeholders.name(token.text, this.label);
    if (token.kind !== 'identifier') throw this.syntaxError(token);
    if (RESERVED_WORDS.has(token.text.toUpperCase())) {
      throw validationError(
        `Invalid ${this.label}: Attribute name is a reserved keyword; reserved keyword: ${token.text}`,
      );
    }
    return token.text;
  }

  // -- update expressions

  public update(): UpdatePlan {
    const plan = { set: [], remove: [], add: [], delete: [] } as {
      set: { path: Path; value: UpdateValue }[];
      remove: Path[];
      add: { path: Path; value: AttributeValue }[];
      delete: { path: Path; value: AttributeValue }[];
    };
    const seen = new Set<string>();
    while (this.peek().kind !== 'end') {
      const token = this.next();
      const clause = token.kind === 'identifier' ? token.text.toUpperCase() : '';
      if (!['SET', 'REMOVE', 'ADD', 'DELETE'].includes(clause)) throw this.syntaxError(token);
      if (seen.has(clause)) {
        throw validationError(
          `Invalid ${this.label}: The "${clause}" section can only be used once in an update expression;`,
        );
      }
      seen.add(clause);
      do {
        const path = this.path();
        if (clause === 'SET') {
          this.expectSymbol('=');
          plan.set.push({ path, value: this.setValue() });
        } else if (clause === 'REMOVE') {
          plan.remove.push(path);
        } else {
          const token = this.next();
          if (token.kind !== 'valueRef') throw this.syntaxError(token);
          const value = this.placeholders.value(token.text, this.label);
          (clause === 'ADD' ? plan.add : plan.delete).push({ path, value });
        }
      } while (this.acceptSymbol(','));
    }
    if (seen.size === 0) throw this.syntaxError(this.peek());
    assertNoOverlap([
      ...plan.set.map((action) => action.path),
      ...plan.remove,
      ...plan.add.map((action) => action.path),
      ...plan.delete.map((action) => action.path),
    ]);
    return plan;
  }

  private setValue(): UpdateValue {
    const left = this.setTerm();
    const token = this.peek();
    if (token.kind === 'symbol' && (token.text === '+' || token.text === '-')) {
      this.index += 1;
      return { kind: 'arithmetic', operator: token.text, left, right: this.setTerm() };
    }
    return left;
  }

  private setTerm(): UpdateValue {
    const token = this.peek();
    if (token.kind === 'valueRef') {
      this.index += 1;
      return { kind: 'value', value: this.placeholders.value(token.text, this.label) };
    }
    if (token.kind === 'identifier' && this.peek(1).text === '(') {
      this.index += 2;
      if (token.text === 'if_not_exists') {
        const path = this.path();
        this.expectSymbol(',');
        const fallback = this.setValue();
        this.expectSymbol(')');
        return { kind: 'ifNotExists', path, fallback };
      }
      if (token.text === 'list_append') {
        const first = this.setValue();
        this.expectSymbol(',');
        const second = this.setValue();
        this.expectSymbol(')');
        return { kind: 'listAppend', first, second };
      }
      if (CONDITION_FUNCTIONS.has(token.text) || token.text === 'size') {
        throw validationError(
          `Invalid ${this.label}: The function is not allowed in an update expression; function: ${token.text}`,
        );
      }
      throw validationError(`Invalid ${this.label}: Invalid function name; function: ${token.text}`);
    }
    return { kind: 'path', path: this.path() };
  }

  // -- projection

  public projection(): Path[] {
    const paths = [this.path()];
    while (this.acceptSymbol(',')) paths.push(this.path());
    return paths;
  }

  // -- token helpers

  public expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.syntaxError(token);
  }

  private peek(offset = 0): Token {
    // The token list always ends with an `end` token, which is never consumed past.
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private acceptKeyword(word: string): boolean {
    const token = this.peek();
    if (token.kind === 'identifier' && token.text.toUpperCase() === word) {
      this.index += 1;
      return true;
    }
    return false;
  }

  private expectKeyword(word: string): void {
    if (!this.acceptKeyword(word)) throw this.syntaxError(this.peek());
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token.kind === 'symbol' && token.text === symbol) {
      this.index += 1;
      return true;
    }
    return false;
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) throw this.syntaxError(this.peek());
  }

  private syntaxError(token: Token): SandboxServiceError {
    const near = this.source
      .slice(Math.max(0, token.position - 8), token.position + token.text.length + 8)
      .trim();
    return validationError(`Invalid ${this.label}: Syntax error; token: "${token.text}", near: "${near}"`);
  }
}

/** Parses a condition, filter or key-condition expression (`label` names it in error messages). */
export function parseCondition(source: string, placeholders: Placeholders, label: string): Condition {
  const parser = new Parser(source, placeholders, label);
  const condition = parser.condition();
  parser.expectEnd();
  return condition;
}

export function parseUpdate(source: string, placeholders: Placeholders): UpdatePlan {
  const parser = new Parser(source, placeholders, 'UpdateExpression');
  const plan = parser.update();
  parser.expectEnd();
  return plan;
}

export function parseProjection(source: string, placeholders: Placeholders): Path[] {
  const parser = new Parser(source, placeholders, 'ProjectionExpression');
  const paths = parser.projection();
  parser.expectEnd();
  return paths;
}

function formatPath(path: Path): string {
  return `[${path.join(', ')}]`;
}

/** DynamoDB refuses an update whose paths overlap (`a` and `a.b`, or `a` twice). */
function assertNoOverlap(paths: readonly Path[]): void {
  for (const [i, first] of paths.entries()) {
    for (const second of paths.slice(i + 1)) {
      const shorter = first.length <= second.length ? first : second;
      const longer = shorter === first ? second : first;
      if (shorter.every((element, index) => longer[index] === element)) {
        throw validationError(
          `Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${formatPath(first)}, path two: ${formatPath(second)}`,
        );
      }
    }
  }
}

// ---- attribute values ------------------------------------------------------------------------------

export type TypeTag = 'S' | 'N' | 'B' | 'SS' | 'NS' | 'BS' | 'M' | 'L' | 'NULL' | 'BOOL';
const TYPE_TAGS: readonly TypeTag[] = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'];
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** The type of an AttributeValue already validated by `assertAttributeValue`. */
export function typeOf(value: AttributeValue): TypeTag {
  const tag = TYPE_TAGS.find((candidate) => candidate in value && value[candidate] !== undefined);
  if (tag === undefined)
    throw validationError(
      'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes',
    );
  return tag;
}

/**
 * Checks that `value` is a well-formed AttributeValue, as DynamoDB does before it looks at anything else:
 * exactly one type, numbers that parse, sets that are non-empty and without duplicates.
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
  switch (tag) {
    case 'S':
      if (typeof member !== 'string') break;
      return;
    case 'N':
      if (typeof member !== 'string') break;
      if (!NUMBER.test(member))
        throw validationError(`The parameter cannot be converted to a numeric value: ${member}`);
      return;
    case 'B':
      if (!(member instanceof Uint8Array)) break;
      return;
    case 'BOOL':
    case 'NULL':
      if (typeof member !== 'boolean') break;
      return;
    case 'SS':
    case 'NS':
    case 'BS':
      assertSet(tag, member);
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

function assertSet(tag: 'SS' | 'NS' | 'BS', member: unknown): void {
  if (!Array.isArray(member)) throw validationError(`Supplied AttributeValue ${tag} is not a list`);
  if (member.length === 0) {
    throw validationError(
      'One or more parameter values were invalid: An AttributeValue may not contain an empty set.',
    );
  }
  const keys = member.map((element: unknown) => {
    if (tag === 'BS') {
      if (!(element instanceof Uint8Array)) throw validationError('Supplied BS member is not binary');
      return Buffer.from(element).toString('base64');
    }
    if (typeof element !== 'string') throw validationError(`Supplied ${tag} member is not a string`);
    if (tag === 'NS') {
      if (!NUMBER.test(element))
        throw validationError(`The parameter cannot be converted to a numeric value: ${element}`);
      return String(Number(element));
    }
    return element;
  });
  if (new Set(keys).size !== keys.length) {
    throw validationError(
      `One or more parameter values were invalid: Input collection [${member.join(', ')}] contains duplicates.`,
    );
  }
}

function bytes(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** DynamoDB equality: same type and same value; numbers compare by value, sets ignore order. */
export function attributeEquals(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  switch (type) {
    case 'S':
      return a.S === b.S;
    case 'N':
      return Number(a.N) === Number(b.N);
    case 'B':
      return a.B !== undefined && b.B !== undefined && bytes(a.B).equals(bytes(b.B));
    case 'BOOL':
      return a.BOOL === b.BOOL;
    case 'NULL':
      return true;
    case 'SS':
      return sameMembers(a.SS ?? [], b.SS ?? [], (x) => x);
    case 'NS':
      return sameMembers(a.NS ?? [], b.NS ?? [], (x) => String(Number(x)));
    case 'BS':
      return sameMembers(a.BS ?? [], b.BS ?? [], (x) => bytes(x).toString('base64'));
    case 'L': {
      const [left, right] = [a.L ?? [], b.L ?? []];
      return (
        left.length === right.length &&
        left.every((element, index) => {
          const other = right[index];
          return other !== undefined && attributeEquals(element, other);
        })
      );
    }
    case 'M': {
      const [left, right] = [a.M ?? {}, b.M ?? {}];
      const keys = Object.keys(left);
      return (
        keys.length === Object.keys(right).length &&
        keys.every((key) => {
          const [x, y] = [left[key], right[key]];
          return x !== undefined && y !== undefined && attributeEquals(x, y);
        })
      );
    }
  }
}

function sameMembers<T>(a: readonly T[], b: readonly T[], key: (member: T) => string): boolean {
  const left = new Set(a.map(key));
  return left.size === new Set(b.map(key)).size && b.every((member) => left.has(key(member)));
}

/** Ordering of two scalars of the same type (S by UTF-8 bytes, as DynamoDB sorts); undefined otherwise. */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  const type = typeOf(a);
  if (type !== typeOf(b)) return undefined;
  if (type === 'N') return Math.sign(Number(a.N) - Number(b.N));
  if (type === 'S') return Buffer.compare(Buffer.from(a.S ?? '', 'utf8'), Buffer.from(b.S ?? '', 'utf8'));
  if (type === 'B' && a.B !== undefined && b.B !== undefined) return Buffer.compare(bytes(a.B), bytes(b.B));
  return undefined;
}

// ---- evaluation ------------------------------------------------------------------------------------

/** The value at `path`, or undefined when any step is missing or of the wrong kind. */
export function resolvePath(item: Item | undefined, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined = item === undefined ? undefined : { M: item };
  for (const element of path) {
    if (current === undefined) return undefined;
    current = typeof element === 'number' ? current.L?.[element] : current.M?.[element];
  }
  return current;
}

function operandValue(operand: Operand, item: Item | undefined): AttributeValue | undefined {
  if (operand.kind === 'value') return operand.value;
  if (operand.kind === 'path') return resolvePath(item, operand.path);
  const value = resolvePath(item, operand.path);
  if (value === undefined) return undefined;
  const size = sizeOf(value);
  return size === undefined ? undefined : { N: String(size) };
}

function sizeOf(value: AttributeValue): number | undefined {
  switch (typeOf(value)) {
    case 'S':
      return [...(value.S ?? '')].length;
    case 'B':
      return value.B?.byteLength;
    case 'SS':
      return value.SS?.length;
    case 'NS':
      return value.NS?.length;
    case 'BS':
      return value.BS?.length;
    case 'L':
      return value.L?.length;
    case 'M':
      return Object.keys(value.M ?? {}).length;
    default:
      throw validationError(
        `Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: size, operand type: ${typeOf(value)}`,
      );
  }
}

/** Evaluates `condition` against `item` (undefined when no item exists under the key). */
export function evaluateCondition(condition: Condition, item: Item | undefined): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, item) && evaluateCondition(condition.right, item);
    case 'or':
      return evaluateCondition(condition.left, item) || evaluateCondition(condition.right, item);
    case 'not':
      return !evaluateCondition(condition.condition, item);
    case 'exists':
      return (resolvePath(item, condition.path) !== undefined) === condition.exists;
    case 'compare':
      return compare(
        condition.comparator,
        operandValue(condition.left, item),
        operandValue(condition.right, item),
      );
    case 'between': {
      const [subject, low, high] = [condition.subject, condition.low, condition.high].map((operand) =>
        operandValue(operand, item),
      );
      if (low !== undefined && high !== undefined && (compareScalars(low, high) ?? 0) > 0) {
        throw validationError(
          'Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound',
        );
      }
      return compare('>=', subject, low) && compare('<=', subject, high);
    }
    case 'in': {
      const subject = operandValue(condition.subject, item);
      return condition.candidates.some((candidate) => compare('=', subject, operandValue(candidate, item)));
    }
    case 'type': {
      const expected = operandValue(condition.type, item);
      if (expected?.S === undefined || !ATTRIBUTE_TYPES.has(expected.S)) {
        throw validationError(
          `Invalid ConditionExpression: Invalid attribute type name found; type: ${expected?.S ?? '?'}`,
        );
      }
      const value = resolvePath(item, condition.path);
      return value !== undefined && typeOf(value) === expected.S;
    }
    case 'beginsWith': {
      const prefix = operandValue(condition.prefix, item);
      if (prefix !== undefined && prefix.S === undefined && prefix.B === undefined) {
        throw validationError(
          `Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: ${typeOf(prefix)}`,
        );
      }
      const value = resolvePath(item, condition.path);
      if (value === undefined || prefix === undefined) return false;
      if (value.S !== undefined && prefix.S !== undefined) return value.S.startsWith(prefix.S);
      if (value.B !== undefined && prefix.B !== undefined) {
        return bytes(value.B).subarray(0, prefix.B.byteLength).equals(bytes(prefix.B));
      }
      return false;
    }
    case 'contains':
      return contains(resolvePath(item, condition.path), operandValue(condition.operand, item));
  }
}

function compare(
  comparator: Comparator,
  left: AttributeValue | undefined,
  right: AttributeValue | undefined,
): boolean {
  // A missing attribute equals nothing, so `<>` holds and every other comparison fails.
  if (left === undefined || right === undefined) return comparator === '<>';
  if (comparator === '=') return attributeEquals(left, right);
  if (comparator === '<>') return !attributeEquals(left, right);
  const order = compareScalars(left, right);
  if (order === undefined) return false;
  if (comparator === '<') return order < 0;
  if (comparator === '<=') return order <= 0;
  if (comparator === '>') return order > 0;
  return order >= 0;
}

function contains(container: AttributeValue | undefined, member: AttributeValue | undefined): boolean {
  if (container === undefined || member === undefined) return false;
  if (container.S !== undefined) return member.S !== undefined && container.S.includes(member.S);
  if (container.B !== undefined)
    return member.B !== undefined && bytes(container.B).includes(bytes(member.B));
  if (container.SS !== undefined) return member.S !== undefined && container.SS.includes(member.S);
  if (container.NS !== undefined)
    return member.N !== undefined && container.NS.some((n) => Number(n) === Number(member.N));
  if (container.BS !== undefined) {
    return (
      member.B !== undefined &&
      container.BS.some((b) => member.B !== undefined && bytes(b).equals(bytes(member.B)))
    );
  }
  if (container.L !== undefined) return container.L.some((element) => attributeEquals(element, member));
  return false;
}

// ---- updates ---------------------------------------------------------------------------------------

/** The item after `plan`, and every path the update touched (for `UPDATED_OLD` / `UPDATED_NEW`). */
export function applyUpdate(plan: UpdatePlan, original: Item | undefined): { item: Item; touched: Path[] } {
  const before = original ?? {};
  // Every right-hand side reads the item as it was before this update, as DynamoDB evaluates them.
  const assignments = plan.set.map((action) => ({
    path: action.path,
    value: updateValue(action.value, before),
  }));
  const item = structuredClone(before);
  for (const { path, value } of assignments) setPath(item, path, value);
  for (const path of sortedForRemoval(plan.remove)) removePath(item, path);
  for (const { path, value } of plan.add) addToPath(item, path, value);
  for (const { path, value } of plan.delete) deleteFromPath(item, path, value);
  return {
    item,
    touched: [
      ...plan.set.map((action) => action.path),
      ...plan.remove,
      ...plan.add.map((action) => action.path),
      ...plan.delete.map((action) => action.path),
    ],
  };
}

function updateValue(value: UpdateValue, item: Item): AttributeValue {
  switch (value.kind) {
    case 'value':
      return value.value;
    case 'path': {
      const resolved = resolvePath(item, value.path);
      if (resolved === undefined) {
        throw validationError(
          'The provided expression refers to an attribute that does not exist in the item',
        );
      }
      return resolved;
    }
    case 'ifNotExists':
      return resolvePath(item, value.path) ?? updateValue(value.fallback, item);
    case 'listAppend': {
      const [first, second] = [updateValue(value.first, item), updateValue(value.second, item)];
      if (first.L === undefined || second.L === undefined)
        throw incorrectOperand('list_append', first.L === undefined ? first : second);
      return { L: [...first.L, ...second.L] };
    }
    case 'arithmetic': {
      const [left, right] = [updateValue(value.left, item), updateValue(value.right, item)];
      if (left.N === undefined) throw incorrectOperand(value.operator, left);
      if (right.N === undefined) throw incorrectOperand(value.operator, right);
      const [x, y] = [exactNumber(left.N), exactNumber(right.N)];
      return { N: String(value.operator === '+' ? x + y : x - y) };
    }
  }
}

function incorrectOperand(operator: string, operand: AttributeValue): SandboxServiceError {
  return validationError(
    `Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ${operator}, operand type: ${typeOf(operand)}`,
  );
}

/**
 * DynamoDB numbers carry 38 significant digits; the sandbox computes with doubles, so arithmetic on
 * numbers with more than 15 significant digits is refused rather than silently rounded.
 */
function exactNumber(text: string): number {
  const digits = text
    .replace(/[eE].*$/, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '');
  if (digits.length > 15)
    throw unsupported(`arithmetic on numbers with more than 15 significant digits (${text})`);
  return Number(text);
}

function invalidPathForUpdate(): SandboxServiceError {
  return validationError('The document path provided in the update expression is invalid for update');
}

/** The container holding the last element of `path`, which must exist (DynamoDB creates no parents). */
function parentOf(item: Item, path: Path): AttributeValue {
  const parent = path.length === 1 ? { M: item } : resolvePath(item, path.slice(0, -1));
  if (parent === undefined) throw invalidPathForUpdate();
  return parent;
}

function setPath(item: Item, path: Path, value: AttributeValue): void {
  const parent = parentOf(item, path);
  const last = path[path.length - 1];
  if (typeof last === 'string') {
    if (parent.M === undefined) throw invalidPathForUpdate();
    parent.M[last] = structuredClone(value);
  } else if (last !== undefined) {
    if (parent.L === undefined) throw invalidPathForUpdate();
    // An index past the end appends, as DynamoDB does.
    if (last >= parent.L.length) parent.L.push(structuredClone(value));
    else parent.L[last] = structuredClone(value);
  }
}

function removePath(item: Item, path: Path): void {
  const parent = path.length === 1 ? { M: item } : resolvePath(item, path.slice(0, -1));
  if (parent === undefined) return;
  const last = path[path.length - 1];
  if (typeof last === 'string') {
    if (parent.M !== undefined) delete parent.M[last];
  } else if (last !== undefined && parent.L !== undefined && last < parent.L.length) {
    parent.L.splice(last, 1);
  }
}

/** List elements are removed by their original index: remove higher indexes first so lower ones hold. */
function sortedForRemoval(paths: readonly Path[]): Path[] {
  return [...paths].sort((a, b) => {
    const [x, y] = [a[a.length - 1], b[b.length - 1]];
    return typeof x === 'number' && typeof y === 'number' ? y - x : 0;
  });
}

function topLevelName(path: Path, action: 'ADD' | 'DELETE'): string {
  const [name] = path;
  if (path.length !== 1 || typeof name !== 'string') {
    throw unsupported(`${action} on a nested attribute (${formatPath(path)})`);
  }
  return name;
}

function addToPath(item: Item, path: Path, value: AttributeValue): void {
  const name = topLevelName(path, 'ADD');
  const current = item[name];
  const type = typeOf(value);
  if (type !== 'N' && type !== 'SS' && type !== 'NS' && type !== 'BS') {
    throw incorrectOperand('ADD', value);
  }
  if (current === undefined) {
    item[name] = structuredClone(value);
    return;
  }
  if (typeOf(current) !== type) throw incorrectOperand('ADD', current);
  if (type === 'N') {
    item[name] = { N: String(exactNumber(current.N ?? '0') + exactNumber(value.N ?? '0')) };
    return;
  }
  item[name] = unionSets(current, value);
}

function deleteFromPath(item: Item, path: Path, value: AttributeValue): void {
  const name = topLevelName(path, 'DELETE');
  const current = item[name];
  const type = typeOf(value);
  if (type !== 'SS' && type !== 'NS' && type !== 'BS') throw incorrectOperand('DELETE', value);
  if (current === undefined) return;
  if (typeOf(current) !== type) throw incorrectOperand('DELETE', current);
  const remaining = setMembers(current).filter(
    (member) => !setMembers(value).some((removed) => attributeEquals(member, removed)),
  );
  if (remaining.length === 0) delete item[name];
  else item[name] = toSet(type, remaining);
}

function setMembers(set: AttributeValue): AttributeValue[] {
  if (set.SS !== undefined) return set.SS.map((S) => ({ S }));
  if (set.NS !== undefined) return set.NS.map((N) => ({ N }));
  return (set.BS ?? []).map((B) => ({ B }));
}

function toSet(type: 'SS' | 'NS' | 'BS', members: AttributeValue[]): AttributeValue {
  if (type === 'SS') return { SS: members.map((member) => member.S ?? '') };
  if (type === 'NS') return { NS: members.map((member) => member.N ?? '') };
  return { BS: members.flatMap((member) => (member.B === undefined ? [] : [member.B])) };
}

function unionSets(current: AttributeValue, added: AttributeValue): AttributeValue {
  const members = setMembers(current);
  for (const member of setMembers(added)) {
    if (!members.some((existing) => attributeEquals(existing, member))) members.push(member);
  }
  return toSet(current.SS !== undefined ? 'SS' : current.NS !== undefined ? 'NS' : 'BS', members);
}

// ---- projection ------------------------------------------------------------------------------------

/** The parts of `item` named by `paths`; list elements keep their relative order, compacted. */
export function project(item: Item, paths: readonly Path[]): Item {
  const result: Item = {};
  for (const path of paths) {
    const value = resolvePath(item, path);
    if (value === undefined) continue;
    let container: AttributeValue = { M: result };
    for (const [index, element] of path.entries()) {
      const isLast = index === path.length - 1;
      const nextIsIndex = typeof path[index + 1] === 'number';
      if (typeof element === 'string') {
        const map: Record<string, AttributeValue> = container.M ?? {};
        if (isLast) map[element] = structuredClone(value);
        else map[element] ??= nextIsIndex ? { L: [] } : { M: {} };
        container = map[element] ?? container;
      } else {
        const list: AttributeValue[] = container.L ?? [];
        if (isLast) {
          list.push(structuredClone(value));
        } else {
          list.push(nextIsIndex ? { L: [] } : { M: {} });
        }
        container = list[list.length - 1] ?? container;
      }
    }
  }
  return result;
}

// ---- reserved words --------------------------------------------------------------------------------

/**
 * Words DynamoDB refuses as bare attribute names in expressions (use a `#placeholder`), from the
 * "Reserved words in DynamoDB" page of the developer guide (573 words).
 */
const RESERVED_WORDS: ReadonlySet<string> = new Set(
  `
ABORT ABSOLUTE ACTION ADD AFTER AGENT AGGREGATE ALL ALLOCATE ALTER ANALYZE AND ANY ARCHIVE ARE ARRAY
AS ASC ASCII ASENSITIVE ASSERTION ASYMMETRIC AT ATOMIC ATTACH ATTRIBUTE AUTH AUTHORIZATION AUTHORIZE
AUTO AVG BACK BACKUP BASE BATCH BEFORE BEGIN BETWEEN BIGINT BINARY BIT BLOB BLOCK BOOLEAN BOTH
BREADTH BUCKET BULK BY BYTE CALL CALLED CALLING CAPACITY CASCADE CASCADED CASE CAST CATALOG CHAR
CHARACTER CHECK CLASS CLOB CLOSE CLUSTER CLUSTERED CLUSTERING CLUSTERS COALESCE COLLATE COLLATION
COLLECTION COLUMN COLUMNS COMBINE COMMENT COMMIT COMPACT COMPILE COMPRESS CONDITION CONFLICT CONNECT
CONNECTION CONSISTENCY CONSISTENT CONSTRAINT CONSTRAINTS CONSTRUCTOR CONSUMED CONTINUE CONVERT COPY
CORRESPONDING COUNT COUNTER CREATE CROSS CUBE CURRENT CURSOR CYCLE DATA DATABASE DATE DATETIME DAY
DEALLOCATE DEC DECIMAL DECLARE DEFAULT DEFERRABLE DEFERRED DEFINE DEFINED DEFINITION DELETE
DELIMITED DEPTH DEREF DESC DESCRIBE DESCRIPTOR DETACH DETERMINISTIC DIAGNOSTICS DIRECTORIES DISABLE
DISCONNECT DISTINCT DISTRIBUTE DO DOMAIN DOUBLE DROP DUMP DURATION DYNAMIC EACH ELEMENT ELSE ELSEIF
EMPTY ENABLE END EQUAL EQUALS ERROR ESCAPE ESCAPED EVAL EVALUATE EXCEEDED EXCEPT EXCEPTION
EXCEPTIONS EXCLUSIVE EXEC EXECUTE EXISTS EXIT EXPLAIN EXPLODE EXPORT EXPRESSION EXTENDED EXTERNAL
EXTRACT FAIL FALSE FAMILY FETCH FIELDS FILE FILTER FILTERING FINAL FINISH FIRST FIXED FLATTERN FLOAT
FOR FORCE FOREIGN FORMAT FORWARD FOUND FREE FROM FULL FUNCTION FUNCTIONS GENERAL GENERATE GET GLOB
GLOBAL GO GOTO GRANT GREATER GROUP GROUPING HANDLER HASH HAVE HAVING HEAP HIDDEN HOLD HOUR
IDENTIFIED IDENTITY IF IGNORE IMMEDIATE IMPORT IN INCLUDING INCLUSIVE INCREMENT INCREMENTAL INDEX
INDEXED INDEXES INDICATOR INFINITE INITIALLY INLINE INNER INNTER INOUT INPUT INSENSITIVE INSERT
INSTEAD INT INTEGER INTERSECT INTERVAL INTO INVALIDATE IS ISOLATION ITEM ITEMS ITERATE JOIN KEY KEYS
LAG LANGUAGE LARGE LAST LATERAL LEAD LEADING LEAVE LEFT LENGTH LESS LEVEL LIKE LIMIT LIMITED LINES
LIST LOAD LOCAL LOCALTIME LOCALTIMESTAMP LOCATION LOCATOR LOCK LOCKS LOG LOGED LONG LOOP LOWER MAP
MATCH MATERIALIZED MAX MAXLEN MEMBER MERGE METHOD METRICS MIN MINUS MINUTE MISSING MOD MODE MODIFIES
MODIFY MODULE MONTH MULTI MULTISET NAME NAMES NATIONAL NATURAL NCHAR NCLOB NEW NEXT NO NONE NOT NULL
NULLIF NUMBER NUMERIC OBJECT OF OFFLINE OFFSET OLD ON ONLINE ONLY OPAQUE OPEN OPERATOR OPTION OR
ORDER ORDINALITY OTHER OTHERS OUT OUTER OUTPUT OVER OVERLAPS OVERRIDE OWNER PAD PARALLEL PARAMETER
PARAMETERS PARTIAL PARTITION PARTITIONED PARTITIONS PATH PERCENT PERCENTILE PERMISSION PERMISSIONS
PIPE PIPELINED PLAN POOL POSITION PRECISION PREPARE PRESERVE PRIMARY PRIOR PRIVATE PRIVILEGES
PROCEDURE PROCESSED PROJECT PROJECTION PROPERTY PROVISIONING PUBLIC PUT QUERY QUIT QUORUM RAISE
RANDOM RANGE RANK RAW READ READS REAL REBUILD RECORD RECURSIVE REDUCE REF REFERENCE REFERENCES
REFERENCING REGEXP REGION REINDEX RELATIVE RELEASE REMAINDER RENAME REPEAT REPLACE REQUEST RESET
RESIGNAL RESOURCE RESPONSE RESTORE RESTRICT RESULT RETURN RETURNING RETURNS REVERSE REVOKE RIGHT
ROLE ROLES ROLLBACK ROLLUP ROUTINE ROW ROWS RULE RULES SAMPLE SATISFIES SAVE SAVEPOINT SCAN SCHEMA
SCOPE SCROLL SEARCH SECOND SECTION SEGMENT SEGMENTS SELECT SELF SEMI SENSITIVE SEPARATE SEQUENCE
SERIALIZABLE SESSION SET SETS SHARD SHARE SHARED SHORT SHOW SIGNAL SIMILAR SIZE SKEWED SMALLINT
SNAPSHOT SOME SOURCE SPACE SPACES SPARSE SPECIFIC SPECIFICTYPE SPLIT SQL SQLCODE SQLERROR
SQLEXCEPTION SQLSTATE SQLWARNING START STATE STATIC STATUS STORAGE STORE STORED STREAM STRING STRUCT
STYLE SUB SUBMULTISET SUBPARTITION SUBSTRING SUBTYPE SUM SUPER SYMMETRIC SYNONYM SYSTEM TABLE
TABLESAMPLE TEMP TEMPORARY TERMINATED TEXT THAN THEN THROUGHPUT TIME TIMESTAMP TIMEZONE TINYINT TO
TOKEN TOTAL TOUCH TRAILING TRANSACTION TRANSFORM TRANSLATE TRANSLATION TREAT TRIGGER TRIM TRUE
TRUNCATE TTL TUPLE TYPE UNDER UNDO UNION UNIQUE UNIT UNKNOWN UNLOGGED UNNEST UNPROCESSED UNSIGNED
UNTIL UPDATE UPPER URL USAGE USE USER USERS USING UUID VACUUM VALUE VALUED VALUES VARCHAR VARIABLE
VARIANCE VARINT VARYING VIEW VIEWS VIRTUAL VOID WAIT WHEN WHENEVER WHERE WHILE WINDOW WITH WITHIN
WITHOUT WORK WRAPPED WRITE YEAR ZONE
`
    .trim()
    .split(/\s+/),
);

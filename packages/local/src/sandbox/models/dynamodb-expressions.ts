import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { RESERVED_WORDS } from './dynamodb-reserved-words.ts';
import {
  addNumbers,
  attributeEquals,
  compareScalars,
  type Item,
  typeOf,
  unsupported,
  validationError,
} from './dynamodb-values.ts';

/**
 * DynamoDB expressions, trimmed to the subset Cordon sends (every form below is proven against dynalite by
 * `dynamodb.differential.test.ts`; anything else DynamoDB accepts is refused with "The sandbox does not support…"):
 *
 *   condition := and ( OR and )*
 *   and       := term ( AND term )*
 *   term      := operand comparator operand | attribute_exists ( name ) | attribute_not_exists ( name )
 *   operand   := name | :value                 (two names in one comparison are not supported)
 *   update    := SET name = :value (, …)  and/or  ADD name :number (, …), each clause at most once
 *   name      := identifier | #placeholder     (top-level attributes only)
 *
 * Grammar and precedence (AND binds tighter than OR), functions, reserved words and the errors DynamoDB gives:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html.
 */

export type Operand =
  | { readonly kind: 'path'; readonly name: string }
  | { readonly kind: 'value'; readonly value: AttributeValue };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type Condition =
  | {
      readonly kind: 'compare';
      readonly comparator: Comparator;
      readonly left: Operand;
      readonly right: Operand;
    }
  | { readonly kind: 'exists'; readonly name: string; readonly exists: boolean }
  | { readonly kind: 'and' | 'or'; readonly left: Condition; readonly right: Condition };

export interface UpdatePlan {
  readonly set: readonly { readonly name: string; readonly value: AttributeValue }[];
  readonly add: readonly { readonly name: string; readonly value: AttributeValue }[];
}

/** The attribute names an update touches, in the order written (for `UPDATED_OLD` / `UPDATED_NEW`). */
export function updatedNames(plan: UpdatePlan): string[] {
  return [...plan.set, ...plan.add].map((action) => action.name);
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

  public name(reference: string): string | undefined {
    const name = this.names[reference];
    if (name !== undefined) this.usedNames.add(reference);
    return name;
  }

  public value(reference: string): AttributeValue | undefined {
    const value = this.values[reference];
    if (value !== undefined) this.usedValues.add(reference);
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

// Symbols DynamoDB's grammar knows are tokenized even where the sandbox refuses them, so that an unsupported
// form is named as such rather than reported as a syntax error DynamoDB would not give.
const TOKEN_PATTERN =
  /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(\d+)|(<>|<=|>=|[=<>(),.[\]+-]))/y;
const TOKEN_KINDS: readonly TokenKind[] = ['nameRef', 'valueRef', 'identifier', 'integer', 'symbol'];

function tokenize(source: string, label: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (!/^\s*$/.test(source.slice(position))) {
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

/** DynamoDB's functions the sandbox does not model, and those only an update expression may use. */
const UNMODELLED_CONDITION_FUNCTIONS = new Set(['attribute_type', 'begins_with', 'contains', 'size']);
const UPDATE_FUNCTIONS = new Set(['if_not_exists', 'list_append']);
const COMPARATORS = new Set<string>(['=', '<>', '<', '<=', '>', '>=']);
const ORDERING = new Set<string>(['<', '<=', '>', '>=']);

/**
 * Semantic errors DynamoDB reports after parsing, in the order it reports them when an expression has several
 * (a syntax error always comes first). Condition and update expressions rank them differently.
 */
type Problem = 'unknownFunction' | 'reserved' | 'undefined' | 'distinct' | 'section' | 'overlap' | 'operand';
const CONDITION_ORDER: readonly Problem[] = ['unknownFunction', 'reserved', 'undefined', 'distinct'];
const UPDATE_ORDER: readonly Problem[] = [
  'reserved',
  'unknownFunction',
  'section',
  'undefined',
  'overlap',
  'operand',
];

class Parser {
  private index = 0;
  private readonly tokens: Token[];
  private readonly problems = new Map<Problem, string>();

  public constructor(
    private readonly source: string,
    private readonly placeholders: Placeholders,
    private readonly label: string,
  ) {
    if (source === '') throw validationError(`Invalid ${label}: The expression can not be empty;`);
    this.tokens = tokenize(source, label);
  }

  /** Ends the parse: trailing tokens are a syntax error, else the first problem in DynamoDB's order. */
  public finish(order: readonly Problem[]): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.syntaxError(token);
    for (const problem of order) {
      const message = this.problems.get(problem);
      if (message !== undefined) throw validationError(`Invalid ${this.label}: ${message}`);
    }
  }

  // -- conditions

  public condition(): Condition {
    let left = this.andCondition();
    while (this.acceptKeyword('OR')) left = { kind: 'or', left, right: this.andCondition() };
    return left;
  }

  private andCondition(): Condition {
    let left = this.term();
    while (this.acceptKeyword('AND')) left = { kind: 'and', left, right: this.term() };
    return left;
  }

  private term(): Condition {
    if (this.peek().text === '(') throw unsupported('parentheses in expressions');
    if (this.isKeyword('NOT')) throw unsupported('NOT in expressions');
    const token = this.peek();
    if (token.kind === 'identifier' && this.peek(1).text === '(') return this.conditionFunction();
    const left = this.operand();
    const next = this.next();
    if (next.kind === 'identifier' && ['BETWEEN', 'IN'].includes(next.text.toUpperCase())) {
      throw unsupported(`${next.text.toUpperCase()} in expressions`);
    }
    if (next.kind !== 'symbol' || !COMPARATORS.has(next.text)) throw this.syntaxError(next);
    // The set check above makes the cast safe: only comparator texts reach this line.
    const comparator = next.text as Comparator;
    const right = this.operand();
    // DynamoDB orders strings, numbers and binary only (API_Condition: LT/LE/GT/GE take S, N or B); what it answers
    // for a boolean, null, set or document operand is not established, so the sandbox does not guess.
    for (const operand of [left, right]) {
      if (
        ORDERING.has(comparator) &&
        operand.kind === 'value' &&
        !['S', 'N', 'B'].includes(typeOf(operand.value))
      ) {
        throw unsupported(`${comparator} with a ${typeOf(operand.value)} value`);
      }
    }
    if (left.kind === 'path' && right.kind === 'path') {
      if (left.name === right.name) {
        this.problem(
          'distinct',
          `The first operand must be distinct from the remaining operands for this operator or function; operator: ${comparator}, first operand: [${left.name}]`,
        );
      } else throw unsupported('comparing two attributes with each other');
    }
    return { kind: 'compare', comparator, left, right };
  }

  private conditionFunction(): Condition {
    const name = this.next().text;
    if (UNMODELLED_CONDITION_FUNCTIONS.has(name)) throw unsupported(`the ${name} function`);
    this.expectSymbol('(');
    const args = [this.operand()];
    while (this.acceptSymbol(',')) args.push(this.operand());
    this.expectSymbol(')');
    const [path] = args;
    if (name === 'attribute_exists' || name === 'attribute_not_exists') {
      if (args.length !== 1 || path?.kind !== 'path') {
        throw unsupported(`${name} with anything but one attribute name`);
      }
      return { kind: 'exists', name: path.name, exists: name === 'attribute_exists' };
    }
    this.problem('unknownFunction', `Invalid function name; function: ${name}`);
    // Never evaluated: the problem recorded above fails the parse.
    return { kind: 'exists', name, exists: false };
  }

  private operand(): Operand {
    const token = this.peek();
    if (token.kind === 'valueRef') {
      this.index += 1;
      return { kind: 'value', value: this.valueOf(token) };
    }
    if (token.kind === 'identifier' && this.peek(1).text === '(') {
      throw UNMODELLED_CONDITION_FUNCTIONS.has(token.text) || UPDATE_FUNCTIONS.has(token.text)
        ? unsupported(`the ${token.text} function`)
        : this.syntaxError(token);
    }
    return { kind: 'path', name: this.name() };
  }

  // -- names and values

  /** A top-level attribute name: a bare identifier that is not a reserved word, or a `#placeholder`. */
  public name(): string {
    const token = this.next();
    let name: string;
    if (token.kind === 'nameRef') {
      name = this.placeholders.name(token.text) ?? '';
      if (name === '') {
        this.problem(
          'undefined',
          `An expression attribute name used in the document path is not defined; attribute name: ${token.text}`,
        );
      }
    } else if (token.kind === 'identifier') {
      name = token.text;
      if (RESERVED_WORDS.has(name.toUpperCase())) {
        this.problem('reserved', `Attribute name is a reserved keyword; reserved keyword: ${name}`);
      }
    } else throw this.syntaxError(token);
    if (this.peek().text === '.' || this.peek().text === '[') throw unsupported('nested attribute paths');
    return name;
  }

  private valueOf(token: Token): AttributeValue {
    const value = this.placeholders.value(token.text);
    if (value === undefined) {
      this.problem(
        'undefined',
        `An expression attribute value used in expression is not defined; attribute value: ${token.text}`,
      );
      return { NULL: true };
    }
    return value;
  }

  // -- update expressions

  public update(): UpdatePlan {
    const plan: { set: UpdatePlan['set'][number][]; add: UpdatePlan['add'][number][] } = { set: [], add: [] };
    const seen = new Set<string>();
    const names: string[] = [];
    do {
      const token = this.next();
      const clause = token.kind === 'identifier' ? token.text.toUpperCase() : '';
      if (clause === 'REMOVE' || clause === 'DELETE') throw unsupported(`${clause} in update expressions`);
      if (clause !== 'SET' && clause !== 'ADD') throw this.syntaxError(token);
      if (seen.has(clause)) {
        this.problem('section', `The "${clause}" section can only be used once in an update expression;`);
      }
      seen.add(clause);
      do {
        const name = this.name();
        if (names.includes(name)) {
          this.problem(
            'overlap',
            `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${name}], path two: [${name}]`,
          );
        }
        names.push(name);
        if (clause === 'SET') {
          this.expectSymbol('=');
          plan.set.push({ name, value: this.setValue() });
        } else {
          plan.add.push({ name, value: this.addValue() });
        }
      } while (this.acceptSymbol(','));
    } while (this.peek().kind !== 'end');
    return plan;
  }

  private setValue(): AttributeValue {
    const token = this.next();
    if (token.kind !== 'valueRef') {
      throw token.kind === 'identifier' || token.kind === 'nameRef'
        ? unsupported('update values other than :placeholders (attribute copies, functions)')
        : this.syntaxError(token);
    }
    const value = this.valueOf(token);
    if (this.peek().text === '+' || this.peek().text === '-') throw unsupported('arithmetic in SET');
    return value;
  }

  private addValue(): AttributeValue {
    const token = this.next();
    if (token.kind !== 'valueRef') throw this.syntaxError(token);
    const value = this.valueOf(token);
    const type = typeOf(value);
    if (type === 'SS' || type === 'NS' || type === 'BS') throw unsupported('ADD to sets');
    if (type !== 'N') {
      const names: Record<string, string> = {
        S: 'STRING',
        B: 'BINARY',
        NULL: 'NULL',
        BOOL: 'BOOLEAN',
        L: 'LIST',
        M: 'MAP',
      };
      this.problem(
        'operand',
        `Incorrect operand type for operator or function; operator: ADD, operand type: ${names[type]}`,
      );
    }
    return value;
  }

  // -- token helpers

  /** Records the first problem of each kind; they are reported together, in DynamoDB's order, at the end. */
  private problem(kind: Problem, message: string): void {
    if (!this.problems.has(kind)) this.problems.set(kind, message);
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

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'identifier' && token.text.toUpperCase() === word;
  }

  private acceptKeyword(word: string): boolean {
    if (!this.isKeyword(word)) return false;
    this.index += 1;
    return true;
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token.kind !== 'symbol' || token.text !== symbol) return false;
    this.index += 1;
    return true;
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) throw this.syntaxError(this.peek());
  }

  private syntaxError(token: Token) {
    const near = this.source
      .slice(Math.max(0, token.position - 8), token.position + token.text.length + 8)
      .trim();
    return validationError(`Invalid ${this.label}: Syntax error; token: "${token.text}", near: "${near}"`);
  }
}

/** Parses a condition or key-condition expression (`label` names it in error messages). */
export function parseCondition(source: string, placeholders: Placeholders, label: string): Condition {
  const parser = new Parser(source, placeholders, label);
  const condition = parser.condition();
  parser.finish(CONDITION_ORDER);
  return condition;
}

export function parseUpdate(source: string, placeholders: Placeholders): UpdatePlan {
  const parser = new Parser(source, placeholders, 'UpdateExpression');
  const plan = parser.update();
  parser.finish(UPDATE_ORDER);
  return plan;
}

// ---- evaluation ------------------------------------------------------------------------------------

function operandValue(operand: Operand, item: Item): AttributeValue | undefined {
  return operand.kind === 'value' ? operand.value : item[operand.name];
}

/** Evaluates `condition` against `item` (an item that does not exist has no attributes). */
export function evaluateCondition(condition: Condition, item: Item | undefined): boolean {
  const current = item ?? {};
  switch (condition.kind) {
    case 'and':
      return evaluateCondition(condition.left, current) && evaluateCondition(condition.right, current);
    case 'or':
      return evaluateCondition(condition.left, current) || evaluateCondition(condition.right, current);
    case 'exists':
      return (current[condition.name] !== undefined) === condition.exists;
    case 'compare':
      return compare(
        condition.comparator,
        operandValue(condition.left, current),
        operandValue(condition.right, current),
      );
  }
}

/** A missing attribute equals nothing: `<>` holds and every other comparison fails. */
function compare(
  comparator: Comparator,
  left: AttributeValue | undefined,
  right: AttributeValue | undefined,
): boolean {
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

/**
 * The item after `plan`: SET values, then ADD to numbers (a missing attribute counts as 0). Adding to an
 * attribute that is not a number is refused, as DynamoDB refuses it.
 */
export function applyUpdate(plan: UpdatePlan, original: Item | undefined): Item {
  const item: Item = structuredClone(original ?? {});
  for (const { name, value } of plan.set) item[name] = structuredClone(value);
  for (const { name, value } of plan.add) {
    const current = item[name];
    if (current !== undefined && current.N === undefined) {
      throw validationError('An operand in the update expression has an incorrect data type');
    }
    item[name] = { N: addNumbers(current?.N ?? '0', value.N ?? '0') };
  }
  return item;
}

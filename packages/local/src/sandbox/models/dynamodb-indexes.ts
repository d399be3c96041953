/**
 * Global secondary indexes of the DynamoDB model: which items an index holds (those with every key attribute of
 * the index: a sparse index), in which order it answers a Query, and what it refuses (a start key without the
 * index's keys, an index key attribute of the wrong type).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html
 */
import { compareScalars, type Item, typeOf, validationError } from './dynamodb-values.ts';

/** A key attribute: DynamoDB keys are strings, numbers or binary. */
interface KeyDefinition {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** A global secondary index: its name and keys. An item lacking an index key attribute is not in the index. */
export interface IndexSeed {
  readonly indexName: string;
  readonly partitionKey: string | KeyDefinition;
  readonly sortKey?: string | KeyDefinition;
}

export interface IndexState {
  name: string;
  arn: string;
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
}

/** What a key condition is read against: a table's keys or an index's. */
export interface KeySchemaOf {
  readonly partitionKey: KeyDefinition;
  readonly sortKey?: KeyDefinition | undefined;
}

export function indexKeys(index: IndexState): KeyDefinition[] {
  return [index.partitionKey, ...(index.sortKey === undefined ? [] : [index.sortKey])];
}

/** An item is in a global secondary index when it holds every key attribute of the index (a sparse index). */
export function inIndex(index: IndexState, item: Item): boolean {
  return indexKeys(index).every((key) => item[key.name] !== undefined);
}

/** Index order: the index's keys, then the table's (items equal on the index keys keep a stable order). */
export function compareIndexKeys(
  index: IndexState,
  a: Item,
  b: Item,
  compareTableKeys: (a: Item, b: Item) => number,
): number {
  for (const definition of indexKeys(index)) {
    const [x, y] = [a[definition.name], b[definition.name]];
    if (x === undefined || y === undefined) continue;
    const order = compareScalars(x, y) ?? 0;
    if (order !== 0) return order;
  }
  return compareTableKeys(a, b);
}

export function pick(item: Item, names: readonly string[]): Item {
  return Object.fromEntries(names.flatMap((name) => (item[name] === undefined ? [] : [[name, item[name]]])));
}

/** A start key of an index query holds the table's key and the index's, each of the schema's type. */
export function startKeyOfIndex(tableKeyNames: readonly string[], index: IndexState, start: Item): void {
  const names = new Set([...tableKeyNames, ...indexKeys(index).map((key) => key.name)]);
  if (Object.keys(start).length !== names.size) throw validationError('The provided starting key is invalid');
  for (const key of indexKeys(index)) {
    const value = start[key.name];
    if (value === undefined || typeOf(value) !== key.type) {
      throw validationError('The provided starting key is invalid');
    }
  }
}

/**
 * An index key attribute an item holds must be of the index's type: DynamoDB refuses the write otherwise
 * (an item without it is simply not in the index).
 */
export function assertIndexKeyTypes(indexes: Iterable<IndexState>, item: Item): void {
  for (const index of indexes) {
    for (const key of indexKeys(index)) {
      const value = item[key.name];
      if (value !== undefined && typeOf(value) !== key.type) {
        throw validationError(
          `One or more parameter values were invalid: Type mismatch for Index Key ${key.name} Expected: ${key.type} Actual: ${typeOf(value)} IndexName: ${index.name}`,
        );
      }
    }
  }
}

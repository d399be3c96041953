import type {
  AttributeValue,
  DeleteItemCommandInput,
  DeleteItemCommandOutput,
  DescribeTableCommandInput,
  DescribeTableCommandOutput,
  GetItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
  PutItemCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  TableDescription,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import { type Out, typed } from './command.ts';
import {
  applyUpdate,
  type Condition,
  evaluateCondition,
  Placeholders,
  parseCondition,
  parseUpdate,
  type UpdatePlan,
  updatedNames,
} from './dynamodb-expressions.ts';
import {
  assertIndexKeyTypes,
  compareIndexKeys,
  type IndexSeed,
  type IndexState,
  indexKeys,
  inIndex,
  type KeySchemaOf,
  pick,
  startKeyOfIndex,
} from './dynamodb-indexes.ts';
import { type KeyCondition, splitKeyCondition } from './dynamodb-keys.ts';
import {
  assertAttributeValue,
  compareScalars,
  dynamoDbError,
  type Item,
  typeOf,
  unsupported,
  validationError,
} from './dynamodb-values.ts';

export type { IndexSeed } from './dynamodb-indexes.ts';
export type { Item } from './dynamodb-values.ts';

/** A key attribute: DynamoDB keys are strings, numbers or binary. */
export interface KeyDefinition {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

export interface TableSeed {
  readonly tableName: string;
  /** An attribute name (type `S`) or a full definition. */
  readonly partitionKey: string | KeyDefinition;
  readonly sortKey?: string | KeyDefinition;
  /** Global secondary indexes, each projecting every attribute (`ALL`, the only projection modelled). */
  readonly globalSecondaryIndexes?: readonly IndexSeed[];
}

interface TableState {
  name: string;
  arn: string;
  createdAt: Date;
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
  /** Global secondary indexes by name. */
  indexes: Map<string, IndexState>;
  /** Canonical key → item. */
  items: Map<string, Item>;
}

export interface DynamoDbTableSnapshot {
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
  /** Its global secondary indexes (absent when it has none). */
  globalSecondaryIndexes?: { indexName: string; partitionKey: KeyDefinition; sortKey?: KeyDefinition }[];
  /** Items in key order. */
  items: Item[];
}

export interface DynamoDbState {
  tables: Record<string, DynamoDbTableSnapshot>;
}

/** Limits on key values: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html */
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

/**
 * The DynamoDB model, at the AttributeValue level of the low-level client, answering the five calls Cordon's
 * stores send (GetItem, PutItem, UpdateItem, DeleteItem, Query — of the table or of a global secondary index) with
 * the expressions they use, and DescribeTable for the IAM request model. What it answers is
 * proven against dynalite, a DynamoDB implementation, by `dynamodb.differential.test.ts`; what it does not model is
 * refused with "The sandbox does not support…".
 *
 * @example
 * const dynamodb = new DynamoDbModel(sandbox.context);
 * dynamodb.createTable({ tableName: 'cordon-approvals', partitionKey: 'approvalId' });
 * sandbox.register(dynamodb);
 */
export class DynamoDbModel implements ServiceModel {
  public readonly service = 'DynamoDB';
  public readonly commands: Readonly<Record<string, CommandHandler>>;
  private readonly tables = new Map<string, TableState>();

  public constructor(private readonly context: SandboxContext) {
    this.commands = {
      // The IAM request model reads a table's partition key with it (dynamodb:LeadingKeys).
      DescribeTable: typed((input: DescribeTableCommandInput) => this.describeTable(input)),
      GetItem: typed((input: GetItemCommandInput) => this.getItemCommand(input)),
      PutItem: typed((input: PutItemCommandInput) => this.putItemCommand(input)),
      UpdateItem: typed((input: UpdateItemCommandInput) => this.updateItem(input)),
      DeleteItem: typed((input: DeleteItemCommandInput) => this.deleteItem(input)),
      Query: typed((input: QueryCommandInput) => this.query(input)),
    };
  }

  // ---- seeding and inspection ------------------------------------------------------------------------

  /** Creates an empty table (active at once). */
  public createTable(seed: TableSeed): this {
    const definition = (key: string | KeyDefinition): KeyDefinition =>
      typeof key === 'string' ? { name: key, type: 'S' } : { ...key };
    const arn = `arn:aws:dynamodb:${this.context.region}:${this.context.accountId}:table/${seed.tableName}`;
    const indexes = new Map<string, IndexState>();
    for (const index of seed.globalSecondaryIndexes ?? []) {
      indexes.set(index.indexName, {
        name: index.indexName,
        arn: `${arn}/index/${index.indexName}`,
        partitionKey: definition(index.partitionKey),
        ...(index.sortKey === undefined ? {} : { sortKey: definition(index.sortKey) }),
      });
    }
    this.tables.set(seed.tableName, {
      name: seed.tableName,
      arn,
      createdAt: this.context.now(),
      partitionKey: definition(seed.partitionKey),
      ...(seed.sortKey === undefined ? {} : { sortKey: definition(seed.sortKey) }),
      indexes,
      items: new Map(),
    });
    return this;
  }

  /** Seeds an item (validated like `PutItem`, unconditionally). */
  public putItem(tableName: string, item: Item): this {
    const table = this.table(tableName);
    const stored = validItem(table, structuredClone(item));
    table.items.set(itemKey(table, stored), stored);
    return this;
  }

  /** The item under `key`, or undefined (a copy). */
  public getItem(tableName: string, key: Item): Item | undefined {
    const table = this.table(tableName);
    return structuredClone(table.items.get(keyOf(table, structuredClone(key))));
  }

  /** Every item of the table in key order (copies). */
  public items(tableName: string): Item[] {
    return structuredClone(sortedItems(this.table(tableName)));
  }

  public snapshot(): DynamoDbState {
    const tables: Record<string, DynamoDbTableSnapshot> = {};
    for (const table of this.tables.values()) {
      tables[table.name] = {
        partitionKey: { ...table.partitionKey },
        ...(table.sortKey === undefined ? {} : { sortKey: { ...table.sortKey } }),
        ...(table.indexes.size === 0
          ? {}
          : {
              globalSecondaryIndexes: [...table.indexes.values()].map((index) => ({
                indexName: index.name,
                partitionKey: { ...index.partitionKey },
                ...(index.sortKey === undefined ? {} : { sortKey: { ...index.sortKey } }),
              })),
            }),
        items: structuredClone(sortedItems(table)),
      };
    }
    return { tables };
  }

  /**
   * Puts back a snapshot taken earlier, also once it went through JSON (a saved local deployment): every table
   * with its keys, indexes and items, and no other.
   */
  public restore(state: DynamoDbState): void {
    this.tables.clear();
    for (const [tableName, table] of Object.entries(state.tables)) {
      this.createTable({
        tableName,
        partitionKey: table.partitionKey,
        ...(table.sortKey === undefined ? {} : { sortKey: table.sortKey }),
        ...(table.globalSecondaryIndexes === undefined
          ? {}
          : { globalSecondaryIndexes: table.globalSecondaryIndexes }),
      });
      for (const item of table.items) this.putItem(tableName, item);
    }
  }

  // ---- commands --------------------------------------------------------------------------------------

  private describeTable(input: DescribeTableCommandInput): Out<DescribeTableCommandOutput> {
    const table = this.table(input.TableName);
    const keys = keyDefinitions(table);
    const description: TableDescription = {
      TableName: table.name,
      TableArn: table.arn,
      TableStatus: 'ACTIVE',
      CreationDateTime: table.createdAt,
      KeySchema: keys.map((key, index) => ({
        AttributeName: key.name,
        KeyType: index === 0 ? 'HASH' : 'RANGE',
      })),
      AttributeDefinitions: keys.map((key) => ({ AttributeName: key.name, AttributeType: key.type })),
      ItemCount: table.items.size,
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      ...(table.indexes.size === 0
        ? {}
        : {
            GlobalSecondaryIndexes: [...table.indexes.values()].map((index) => ({
              IndexName: index.name,
              IndexArn: index.arn,
              IndexStatus: 'ACTIVE',
              KeySchema: indexKeys(index).map((key, position) => ({
                AttributeName: key.name,
                KeyType: position === 0 ? 'HASH' : 'RANGE',
              })),
              Projection: { ProjectionType: 'ALL' },
              ItemCount: sortedItems(table).filter((item) => inIndex(index, item)).length,
            })),
          }),
    };
    return { Table: description };
  }

  private getItemCommand(input: GetItemCommandInput): Out<GetItemCommandOutput> {
    refuseUnmodelled(input, ['AttributesToGet', 'ProjectionExpression']);
    placeholdersFor(input, []).assertAllUsed();
    const table = this.table(input.TableName);
    // ConsistentRead is accepted and ignored: the sandbox is always consistent.
    const item = table.items.get(keyOf(table, input.Key ?? {}));
    return item === undefined ? {} : { Item: item };
  }

  private putItemCommand(input: PutItemCommandInput): Out<PutItemCommandOutput> {
    refuseUnmodelled(input, ['Expected', 'ConditionalOperator']);
    const placeholders = placeholdersFor(input, ['ConditionExpression']);
    const item = input.Item ?? {};
    for (const [name, value] of Object.entries(item)) assertAttributeValue(value, `Item.${name}`);
    assertReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD'], 'ReturnValues can only be ALL_OLD or NONE');
    const condition = conditionOf(input, placeholders);
    placeholders.assertAllUsed();
    const table = this.table(input.TableName);
    validItem(table, item);
    const key = itemKey(table, item);
    const old = table.items.get(key);
    assertCondition(condition, old, input.ReturnValuesOnConditionCheckFailure);
    table.items.set(key, item);
    return input.ReturnValues === 'ALL_OLD' && old !== undefined ? { Attributes: old } : {};
  }

  private updateItem(input: UpdateItemCommandInput): Out<UpdateItemCommandOutput> {
    refuseUnmodelled(input, ['AttributeUpdates', 'Expected', 'ConditionalOperator']);
    // Cordon reads its updates back with GetItem; other ReturnValues are not modelled.
    if (input.ReturnValues !== undefined && input.ReturnValues !== 'NONE') {
      throw unsupported(`ReturnValues ${input.ReturnValues} on UpdateItem`);
    }
    const placeholders = placeholdersFor(input, ['UpdateExpression', 'ConditionExpression']);
    for (const [name, value] of Object.entries(input.Key ?? {})) assertAttributeValue(value, `Key.${name}`);
    const plan: UpdatePlan =
      input.UpdateExpression === undefined
        ? { set: [], add: [] }
        : parseUpdate(input.UpdateExpression, placeholders);
    const condition = conditionOf(input, placeholders);
    placeholders.assertAllUsed();
    const table = this.table(input.TableName);
    const key = keyOf(table, input.Key ?? {});
    for (const name of updatedNames(plan)) {
      if (keyNamesOf(table).includes(name)) {
        throw validationError(
          `One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`,
        );
      }
    }
    const old = table.items.get(key);
    assertCondition(condition, old, input.ReturnValuesOnConditionCheckFailure);
    // UpdateItem creates the item when it does not exist: the key attributes are always present.
    const updated = { ...applyUpdate(plan, old), ...(input.Key ?? {}) };
    assertIndexKeyTypes(table.indexes.values(), updated);
    table.items.set(key, updated);
    return {};
  }

  private deleteItem(input: DeleteItemCommandInput): Out<DeleteItemCommandOutput> {
    refuseUnmodelled(input, ['Expected', 'ConditionalOperator']);
    const placeholders = placeholdersFor(input, ['ConditionExpression']);
    for (const [name, value] of Object.entries(input.Key ?? {})) assertAttributeValue(value, `Key.${name}`);
    assertReturnValues(input.ReturnValues, ['NONE', 'ALL_OLD'], 'ReturnValues can only be ALL_OLD or NONE');
    const condition = conditionOf(input, placeholders);
    placeholders.assertAllUsed();
    const table = this.table(input.TableName);
    const key = keyOf(table, input.Key ?? {});
    const old = table.items.get(key);
    assertCondition(condition, old, input.ReturnValuesOnConditionCheckFailure);
    table.items.delete(key);
    return input.ReturnValues === 'ALL_OLD' && old !== undefined ? { Attributes: old } : {};
  }

  /**
   * One page of a partition in sort-key order (or reversed with `ScanIndexForward: false`), after
   * `ExclusiveStartKey` — of the table, or of a global secondary index (`IndexName`: the items that hold the
   * index's key attributes, in the index's key order; eventually consistent reads only, as DynamoDB refuses
   * `ConsistentRead` there: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html ("Global secondary indexes support eventually consistent reads only")).
   * The sandbox's pages are never cut: DynamoDB cuts at 1 MB, which Cordon's partitions (one incident's ledger,
   * one month of decisions) do not reach in a test.
   */
  private query(input: QueryCommandInput): Out<QueryCommandOutput> {
    refuseUnmodelled(input, [
      'KeyConditions',
      'QueryFilter',
      'ConditionalOperator',
      'AttributesToGet',
      'FilterExpression',
      'ProjectionExpression',
      'Select',
      'Limit',
    ]);
    const placeholders = placeholdersFor(input, ['KeyConditionExpression']);
    if (input.KeyConditionExpression === undefined) {
      throw validationError(
        'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
      );
    }
    const keyCondition = parseCondition(input.KeyConditionExpression, placeholders, 'KeyConditionExpression');
    placeholders.assertAllUsed();
    const table = this.table(input.TableName);
    const index = input.IndexName === undefined ? undefined : this.index(table, input.IndexName);
    if (index !== undefined && input.ConsistentRead === true) {
      throw validationError('Consistent reads are not supported on global secondary indexes');
    }
    // The key schema the query reads: the table's, or the index's.
    const schema: KeySchemaOf = index ?? table;
    const { partition, sort } = splitKeyCondition(schema, keyCondition);
    const forward = input.ScanIndexForward !== false;
    const order = (a: Item, b: Item) =>
      index === undefined
        ? compareKeys(table, a, b)
        : compareIndexKeys(index, a, b, (x, y) => compareKeys(table, x, y));
    let items = sortedItems(table)
      .filter((item) => index === undefined || inIndex(index, item))
      .sort(order)
      .filter((item) => matchesKey(schema, item, partition, sort));
    if (!forward) items.reverse();
    const start = input.ExclusiveStartKey;
    if (start !== undefined) {
      keyOf(table, pick(start, keyNamesOf(table)), 'The provided starting key is invalid');
      if (index !== undefined) startKeyOfIndex(keyNamesOf(table), index, start);
      if (compareScalars(start[schema.partitionKey.name] ?? { NULL: true }, partition.value) !== 0) {
        throw validationError(
          'The provided starting key is outside query boundaries based on provided conditions',
        );
      }
      // Resume after the start key's position, even if that item has since been deleted.
      items = items.filter((item) => (forward ? 1 : -1) * order(item, start) > 0);
    }
    return { Items: items, Count: items.length, ScannedCount: items.length };
  }

  // ---- lookups ---------------------------------------------------------------------------------------

  private table(tableName: string | undefined): TableState {
    const table = this.tables.get(String(tableName));
    if (table === undefined) throw dynamoDbError('ResourceNotFoundException', 'Requested resource not found');
    return table;
  }

  private index(table: TableState, indexName: string): IndexState {
    const index = table.indexes.get(indexName);
    if (index === undefined)
      throw validationError(`The table does not have the specified index: ${indexName}`);
    return index;
  }
}

// ---- keys ------------------------------------------------------------------------------------------

function keyDefinitions(table: TableState): KeyDefinition[] {
  return [table.partitionKey, ...(table.sortKey === undefined ? [] : [table.sortKey])];
}

function keyNamesOf(table: TableState): string[] {
  return keyDefinitions(table).map((definition) => definition.name);
}

/** A canonical string for the key attributes of `item` (validated, so numbers are canonical). */
function itemKey(table: TableState, item: Item): string {
  return JSON.stringify(
    keyDefinitions(table).map((definition) => {
      const value = item[definition.name];
      return value?.B !== undefined ? Buffer.from(value.B).toString('hex') : (value?.S ?? value?.N ?? '');
    }),
  );
}

/**
 * A key value of the right type, non-empty and within DynamoDB's key size limits. DynamoDB words the empty-value
 * refusal differently for an item (`are not valid.`) and for a `Key` parameter (`were invalid:`).
 */
function assertKeyValue(
  definition: KeyDefinition,
  value: AttributeValue,
  isPartition: boolean,
  where: 'item' | 'key',
): void {
  const type = typeOf(value);
  if (value.S === '' || value.B?.byteLength === 0) {
    throw validationError(
      `One or more parameter values ${where === 'item' ? 'are not valid.' : 'were invalid:'} The AttributeValue for a key attribute cannot contain an empty ${type === 'S' ? 'string' : 'binary'} value. Key: ${definition.name}`,
    );
  }
  const size = value.S !== undefined ? Buffer.byteLength(value.S) : (value.B?.byteLength ?? 0);
  if (isPartition && size > MAX_PARTITION_KEY_BYTES) {
    throw validationError(
      'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes',
    );
  }
  if (!isPartition && size > MAX_SORT_KEY_BYTES) {
    throw validationError(
      'One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes',
    );
  }
}

/** Validates a `Key` parameter against the schema and returns its canonical string. */
function keyOf(
  table: TableState,
  key: Item,
  mismatchMessage = 'The provided key element does not match the schema',
): string {
  const definitions = keyDefinitions(table);
  if (Object.keys(key).length !== definitions.length) throw validationError(mismatchMessage);
  for (const [index, definition] of definitions.entries()) {
    const value = key[definition.name];
    if (value === undefined) throw validationError(mismatchMessage);
    assertAttributeValue(value, `Key.${definition.name}`);
    if (typeOf(value) !== definition.type) throw validationError(mismatchMessage);
    assertKeyValue(definition, value, index === 0, 'key');
  }
  return itemKey(table, key);
}

/** A whole item against the table's schema: key attributes present, of the schema's type, non-empty. */
function validItem(table: TableState, item: Item): Item {
  for (const [name, value] of Object.entries(item)) assertAttributeValue(value, `Item.${name}`);
  for (const [index, definition] of keyDefinitions(table).entries()) {
    const value = item[definition.name];
    if (value === undefined) {
      throw validationError(
        `One or more parameter values were invalid: Missing the key ${definition.name} in the item`,
      );
    }
    const type = typeOf(value);
    if (type !== definition.type) {
      throw validationError(
        `One or more parameter values were invalid: Type mismatch for key ${definition.name} expected: ${definition.type} actual: ${type}`,
      );
    }
    assertKeyValue(definition, value, index === 0, 'item');
  }
  assertIndexKeyTypes(table.indexes.values(), item);
  return item;
}

function sortedItems(table: TableState): Item[] {
  return [...table.items.values()].sort((a, b) => compareKeys(table, a, b));
}

/** Key order: partition key, then sort key, each in DynamoDB's order for its type. */
function compareKeys(table: TableState, a: Item, b: Item): number {
  for (const definition of keyDefinitions(table)) {
    const [x, y] = [a[definition.name], b[definition.name]];
    if (x === undefined || y === undefined) continue;
    const order = compareScalars(x, y) ?? 0;
    if (order !== 0) return order;
  }
  return 0;
}

function matchesKey(
  table: KeySchemaOf,
  item: Item,
  partition: KeyCondition,
  sort: KeyCondition | undefined,
): boolean {
  const partitionValue = item[table.partitionKey.name];
  if (partitionValue === undefined || compareScalars(partitionValue, partition.value) !== 0) return false;
  return sort === undefined || evaluateCondition(sort.condition, item);
}

// ---- request helpers -------------------------------------------------------------------------------

/**
 * The request's placeholders, checked as DynamoDB checks them before it parses anything: names and values only
 * with an expression that can use them, no empty maps, keys of the form `#x` / `:x`, well-formed values.
 */
function placeholdersFor(
  input: {
    ExpressionAttributeNames?: Record<string, string> | undefined;
    ExpressionAttributeValues?: Record<string, AttributeValue> | undefined;
  },
  expressionParameters: readonly string[],
): Placeholders {
  const given = input as Record<string, unknown>;
  const { ExpressionAttributeNames: names, ExpressionAttributeValues: values } = input;
  if (names !== undefined && !expressionParameters.some((parameter) => given[parameter] !== undefined)) {
    throw validationError('ExpressionAttributeNames can only be specified when using expressions');
  }
  if (values !== undefined && !expressionParameters.some((parameter) => given[parameter] !== undefined)) {
    throw validationError(
      `ExpressionAttributeValues can only be specified when using expressions: ${expressionParameters.join(' and ')} ${expressionParameters.length > 1 ? 'are' : 'is'} null`,
    );
  }
  for (const [map, label, sigil] of [
    [names, 'ExpressionAttributeNames', '#'],
    [values, 'ExpressionAttributeValues', ':'],
  ] as const) {
    if (map === undefined) continue;
    if (Object.keys(map).length === 0) throw validationError(`${label} must not be empty`);
    for (const key of Object.keys(map)) {
      if (!new RegExp(`^${sigil}[0-9a-zA-Z_]+$`).test(key)) {
        throw validationError(`${label} contains invalid key: Syntax error; key: "${key}"`);
      }
    }
  }
  for (const [key, value] of Object.entries(values ?? {})) {
    assertAttributeValue(value, `ExpressionAttributeValues.${key}`);
  }
  return new Placeholders(names, values);
}

function conditionOf(
  input: { ConditionExpression?: string | undefined },
  placeholders: Placeholders,
): Condition | undefined {
  return input.ConditionExpression === undefined
    ? undefined
    : parseCondition(input.ConditionExpression, placeholders, 'ConditionExpression');
}

/**
 * A failed condition → `ConditionalCheckFailedException`, with the item as it stood when the write asked for it
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), as the SDK's exception carries it in `Item`:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnValuesOnConditionCheckFailure
 */
function assertCondition(
  condition: Condition | undefined,
  old: Item | undefined,
  returnOnFailure: string | undefined,
): void {
  if (condition === undefined || evaluateCondition(condition, old)) return;
  const error: ReturnType<typeof dynamoDbError> & { Item?: Item } = dynamoDbError(
    'ConditionalCheckFailedException',
    'The conditional request failed',
  );
  if (returnOnFailure === 'ALL_OLD' && old !== undefined) error.Item = structuredClone(old);
  throw error;
}

function assertReturnValues(value: string | undefined, allowed: readonly string[], message: string): void {
  if (value !== undefined && !allowed.includes(value)) throw validationError(message);
}

/** Parameters the sandbox does not model (legacy conditions, projections, indexes, …): refused, never ignored. */
function refuseUnmodelled(input: object, fields: readonly string[]): void {
  for (const [field, value] of Object.entries(input)) {
    if (fields.includes(field) && value !== undefined) throw unsupported(`the ${field} parameter`);
  }
}

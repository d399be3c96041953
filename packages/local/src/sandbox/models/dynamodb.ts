import type {
  AttributeValue,
  BatchWriteItemCommandInput,
  BatchWriteItemCommandOutput,
  CreateTableCommandInput,
  CreateTableCommandOutput,
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
  ScanCommandInput,
  ScanCommandOutput,
  TableDescription,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { awsError, type SandboxServiceError } from '../errors.ts';
import type { CommandHandler, SandboxContext, ServiceModel } from '../types.ts';
import {
  applyUpdate,
  assertAttributeValue,
  type Condition,
  compareScalars,
  evaluateCondition,
  type Item,
  type Path,
  Placeholders,
  parseCondition,
  parseProjection,
  parseUpdate,
  project,
  typeOf,
  unsupported,
  validationError,
} from './dynamodb-expressions.ts';

function typed<I>(handler: (input: I) => unknown): CommandHandler {
  // The sandbox passes the SDK client's own input object, so its shape is the command's input type.
  return (input) => handler(input as unknown as I);
}

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
}

interface TableState {
  name: string;
  arn: string;
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
  createdAt: Date;
  /** Canonical key → item. */
  items: Map<string, Item>;
}

export interface DynamoDbTableSnapshot {
  partitionKey: KeyDefinition;
  sortKey?: KeyDefinition;
  /** Items in key order. */
  items: Item[];
}

export interface DynamoDbState {
  tables: Record<string, DynamoDbTableSnapshot>;
}

const MAX_BATCH_WRITE = 25;
const PUT_RETURN_VALUES = new Set(['NONE', 'ALL_OLD']);
const UPDATE_RETURN_VALUES = new Set(['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW']);

/**
 * The DynamoDB model, at the AttributeValue level of the low-level client: tables with a partition key
 * and optional sort key, conditional writes, update expressions, key-condition queries and scans.
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
      CreateTable: typed((input: CreateTableCommandInput) => this.createTableCommand(input)),
      DescribeTable: typed((input: DescribeTableCommandInput) => this.describeTable(input)),
      PutItem: typed((input: PutItemCommandInput) => this.putItemCommand(input)),
      GetItem: typed((input: GetItemCommandInput) => this.getItemCommand(input)),
      UpdateItem: typed((input: UpdateItemCommandInput) => this.updateItem(input)),
      DeleteItem: typed((input: DeleteItemCommandInput) => this.deleteItem(input)),
      Query: typed((input: QueryCommandInput) => this.query(input)),
      Scan: typed((input: ScanCommandInput) => this.scan(input)),
      BatchWriteItem: typed((input: BatchWriteItemCommandInput) => this.batchWriteItem(input)),
    };
  }

  // ---- seeding and inspection ------------------------------------------------------------------------

  /** Creates an empty table (active at once). */
  public createTable(seed: TableSeed): this {
    const definition = (key: string | KeyDefinition): KeyDefinition =>
      typeof key === 'string' ? { name: key, type: 'S' } : { ...key };
    this.tables.set(seed.tableName, {
      name: seed.tableName,
      arn: `arn:aws:dynamodb:${this.context.region}:${this.context.accountId}:table/${seed.tableName}`,
      partitionKey: definition(seed.partitionKey),
      ...(seed.sortKey === undefined ? {} : { sortKey: definition(seed.sortKey) }),
      createdAt: this.context.now(),
      items: new Map(),
    });
    return this;
  }

  /** Seeds an item (validated like `PutItem`, unconditionally). */
  public putItem(tableName: string, item: Item): this {
    const table = this.table(tableName);
    assertItem(table, item);
    table.items.set(itemKey(table, item), structuredClone(item));
    return this;
  }

  /** The item under `key`, or undefined (a copy). */
  public getItem(tableName: string, key: Item): Item | undefined {
    const table = this.table(tableName);
    return structuredClone(table.items.get(keyOf(table, key)));
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
        items: structuredClone(sortedItems(table)),
      };
    }
    return { tables };
  }

  // ---- tables ----------------------------------------------------------------------------------------

  private createTableCommand(input: CreateTableCommandInput): Omit<CreateTableCommandOutput, '$metadata'> {
    const name = String(input.TableName);
    if (this.tables.has(name)) {
      throw awsError('DynamoDB', 'ResourceInUseException', `Table already exists: ${name}`);
    }
    if ((input.GlobalSecondaryIndexes?.length ?? 0) > 0 || (input.LocalSecondaryIndexes?.length ?? 0) > 0) {
      throw unsupported('secondary indexes');
    }
    const keyDefinition = (keyType: 'HASH' | 'RANGE'): KeyDefinition | undefined => {
      const element = input.KeySchema?.find((candidate) => candidate.KeyType === keyType);
      if (element === undefined) return undefined;
      const attribute = input.AttributeDefinitions?.find(
        (candidate) => candidate.AttributeName === element.AttributeName,
      );
      const type = attribute?.AttributeType;
      if (type !== 'S' && type !== 'N' && type !== 'B') {
        throw validationError(
          `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${String(element.AttributeName)}]`,
        );
      }
      return { name: String(element.AttributeName), type };
    };
    const partitionKey = keyDefinition('HASH');
    if (partitionKey === undefined) {
      throw validationError('1 validation error detected: The KeySchema must have a HASH key');
    }
    const sortKey = keyDefinition('RANGE');
    this.createTable({ tableName: name, partitionKey, ...(sortKey === undefined ? {} : { sortKey }) });
    // AWS answers CREATING and turns the table ACTIVE moments later; the sandbox's is usable at once.
    return { TableDescription: { ...this.describe(this.table(name)), TableStatus: 'CREATING' } };
  }

  private describeTable(input: DescribeTableCommandInput): Omit<DescribeTableCommandOutput, '$metadata'> {
    return { Table: this.describe(this.table(input.TableName)) };
  }

  private describe(table: TableState): TableDescription {
    const keys = [table.partitionKey, ...(table.sortKey === undefined ? [] : [table.sortKey])];
    return {
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
    };
  }

  // ---- single-item writes and reads ------------------------------------------------------------------

  private putItemCommand(input: PutItemCommandInput): Omit<PutItemCommandOutput, '$metadata'> {
    rejectLegacy(input, ['Expected', 'ConditionalOperator']);
    const table = this.table(input.TableName);
    const item = input.Item ?? {};
    assertItem(table, item);
    assertReturnValues(input.ReturnValues, PUT_RETURN_VALUES, 'ReturnValues can only be ALL_OLD or NONE');
    const condition = parseConditionOnly(input);
    const key = itemKey(table, item);
    const old = table.items.get(key);
    assertCondition(condition, old, input.ReturnValuesOnConditionCheckFailure);
    table.items.set(key, structuredClone(item));
    return input.ReturnValues === 'ALL_OLD' && old !== undefined ? { Attributes: old } : {};
  }

  private getItemCommand(input: GetItemCommandInput): Omit<GetItemCommandOutput, '$metadata'> {
    rejectLegacy(input, ['AttributesToGet']);
    const table = this.table(input.TableName);
    const key = keyOf(table, input.Key ?? {});
    const placeholders = new Placeholders(input.ExpressionAttributeNames);
    const projection =
      input.ProjectionExpression === undefined
        ? undefined
        : parseProjection(input.ProjectionExpression, placeholders);
    placeholders.assertAllUsed();
    // ConsistentRead is accepted and ignored: the sandbox is always consistent.
    const item = table.items.get(key);
    if (item === undefined) return {};
    return { Item: projection === undefined ? item : project(item, projection) };
  }

  private updateItem(input: UpdateItemCommandInput): Omit<UpdateItemCommandOutput, '$metadata'> {
    rejectLegacy(input, ['AttributeUpdates', 'Expected', 'ConditionalOperator']);
    const table = this.table(input.TableName);
    const keyItem = input.Key ?? {};
    const key = keyOf(table, keyItem);
    assertReturnValues(
      input.ReturnValues,
      UPDATE_RETURN_VALUES,
      'ReturnValues can only be NONE, ALL_OLD, UPDATED_OLD, ALL_NEW or UPDATED_NEW',
    );
    const placeholders = placeholdersOf(input);
    const plan =
      input.UpdateExpression === undefined ? undefined : parseUpdate(input.UpdateExpression, placeholders);
    const condition =
      input.ConditionExpression === undefined
        ? undefined
        : parseCondition(input.ConditionExpression, placeholders, 'ConditionExpression');
    placeholders.assertAllUsed();
    const keyNames = keyNamesOf(table);
    const updatedPaths =
      plan === undefined
        ? []
        : [
            ...plan.set.map((action) => action.path),
            ...plan.remove,
            ...plan.add.map((action) => action.path),
            ...plan.delete.map((action) => action.path),
          ];
    for (const path of updatedPaths) {
      const [name] = path;
      if (typeof name === 'string' && keyNames.includes(name)) {
        throw validationError(
          `One or more parameter values were invalid: Cannot update attribute ${name}. This attribute is part of the key`,
        );
      }
    }
    const old = table.items.get(key);
    assertCondition(condition, old, input.ReturnValuesOnConditionCheckFailure);
    // UpdateItem creates the item when it does not exist: the key attributes are always present.
    const { item, touched } =
      plan === undefined ? { item: { ...old }, touched: [] as Path[] } : applyUpdate(plan, old);
    const updated: Item = { ...item, ...structuredClone(keyItem) };
    table.items.set(key, updated);
    return returnedAttributes(input.ReturnValues, old, updated, touched);
  }

  private deleteItem(input: DeleteItemCommandInput): Omit<DeleteItemCommandOutput, '$metadata'> {
    rejectLegacy(input, ['Expected', 'ConditionalOperator']);
    const table = this.table(input.TableName);
    const key = keyOf(table, input.Key ?? {});
    assertReturnValues(input.ReturnValues, PUT_RETURN_VALUES, 'ReturnValues can only be ALL_OLD or NONE');
    const condition = parseConditionOnly(input);
    const old = table.items.get(key);
    assertCondition(condition, old, input.ReturnValuesOnConditionCheckFailure);
    table.items.delete(key);
    return input.ReturnValues === 'ALL_OLD' && old !== undefined ? { Attributes: old } : {};
  }

  // ---- queries ---------------------------------------------------------------------------------------

  private query(input: QueryCommandInput): Omit<QueryCommandOutput, '$metadata'> {
    rejectLegacy(input, ['KeyConditions', 'QueryFilter', 'ConditionalOperator', 'AttributesToGet']);
    if (input.IndexName !== undefined) throw unsupported('queries on secondary indexes');
    const table = this.table(input.TableName);
    if (input.KeyConditionExpression === undefined) {
      throw validationError(
        'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.',
      );
    }
    const placeholders = placeholdersOf(input);
    const keyCondition = parseCondition(input.KeyConditionExpression, placeholders, 'KeyConditionExpression');
    const { partitionValue, sortCondition } = splitKeyCondition(table, keyCondition);
    const read = this.readOptions(input, placeholders);
    let candidates = sortedItems(table).filter((item) => {
      const partition = item[table.partitionKey.name];
      return partition !== undefined && compareScalars(partition, partitionValue) === 0;
    });
    if (sortCondition !== undefined)
      candidates = candidates.filter((item) => evaluateCondition(sortCondition, item));
    if (input.ScanIndexForward === false) candidates.reverse();
    return this.page(table, candidates, input.ExclusiveStartKey, input.ScanIndexForward !== false, read);
  }

  private scan(input: ScanCommandInput): Omit<ScanCommandOutput, '$metadata'> {
    rejectLegacy(input, ['ScanFilter', 'ConditionalOperator', 'AttributesToGet']);
    if (input.IndexName !== undefined) throw unsupported('scans of secondary indexes');
    if (input.Segment !== undefined || input.TotalSegments !== undefined) throw unsupported('parallel scans');
    const table = this.table(input.TableName);
    const read = this.readOptions(input, placeholdersOf(input));
    return this.page(table, sortedItems(table), input.ExclusiveStartKey, true, read);
  }

  private readOptions(
    input: Pick<QueryCommandInput, 'FilterExpression' | 'ProjectionExpression' | 'Limit' | 'Select'>,
    placeholders: Placeholders,
  ): ReadOptions {
    const filter =
      input.FilterExpression === undefined
        ? undefined
        : parseCondition(input.FilterExpression, placeholders, 'FilterExpression');
    const projection =
      input.ProjectionExpression === undefined
        ? undefined
        : parseProjection(input.ProjectionExpression, placeholders);
    placeholders.assertAllUsed();
    const select = input.Select ?? (projection === undefined ? 'ALL_ATTRIBUTES' : 'SPECIFIC_ATTRIBUTES');
    if (select !== 'ALL_ATTRIBUTES' && select !== 'SPECIFIC_ATTRIBUTES' && select !== 'COUNT') {
      throw unsupported(`Select ${select}`);
    }
    if (input.Limit !== undefined && input.Limit < 1) {
      throw validationError(
        `1 validation error detected: Value '${input.Limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
      );
    }
    return { filter, projection, limit: input.Limit, count: select === 'COUNT' };
  }

  /**
   * One page of `ordered` after `exclusiveStartKey`. As in DynamoDB, `Limit` bounds the items evaluated
   * (before the filter), and a page cut by `Limit` carries `LastEvaluatedKey` even when nothing follows.
   */
  private page(
    table: TableState,
    ordered: Item[],
    exclusiveStartKey: Item | undefined,
    forward: boolean,
    read: ReadOptions,
  ): Omit<QueryCommandOutput, '$metadata'> {
    let remaining = ordered;
    if (exclusiveStartKey !== undefined) {
      const start = keyOf(table, exclusiveStartKey);
      // Resume after the start key's position in key order, even if that item has since been deleted.
      remaining = ordered.filter((item) => {
        const order = compareKeys(table, item, exclusiveStartKey);
        return itemKey(table, item) !== start && (forward ? order > 0 : order < 0);
      });
    }
    const evaluated = read.limit === undefined ? remaining : remaining.slice(0, read.limit);
    const filter = read.filter;
    const matching =
      filter === undefined ? evaluated : evaluated.filter((item) => evaluateCondition(filter, item));
    const last = evaluated[evaluated.length - 1];
    const truncated = read.limit !== undefined && evaluated.length === read.limit && last !== undefined;
    return {
      ...(read.count
        ? {}
        : {
            Items: matching.map((item) =>
              read.projection === undefined ? item : project(item, read.projection),
            ),
          }),
      Count: matching.length,
      ScannedCount: evaluated.length,
      ...(truncated ? { LastEvaluatedKey: keyAttributes(table, last) } : {}),
    };
  }

  // ---- batches ---------------------------------------------------------------------------------------

  private batchWriteItem(input: BatchWriteItemCommandInput): Omit<BatchWriteItemCommandOutput, '$metadata'> {
    const requests = Object.entries(input.RequestItems ?? {});
    const total = requests.reduce((sum, [, writes]) => sum + writes.length, 0);
    if (total === 0 || total > MAX_BATCH_WRITE) {
      throw validationError(
        `1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to ${MAX_BATCH_WRITE}, Member must have length greater than or equal to 1]`,
      );
    }
    // Validate everything first: BatchWriteItem refuses the whole batch for one bad request.
    const operations: (() => void)[] = [];
    for (const [tableName, writes] of requests) {
      const table = this.table(tableName);
      const seen = new Set<string>();
      for (const write of writes) {
        const item = write.PutRequest?.Item;
        const deleteKey = write.DeleteRequest?.Key;
        if ((item === undefined) === (deleteKey === undefined)) {
          throw validationError(
            'Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest',
          );
        }
        if (item !== undefined) assertItem(table, item);
        const key = item !== undefined ? itemKey(table, item) : keyOf(table, deleteKey ?? {});
        if (seen.has(key)) throw validationError('Provided list of item keys contains duplicates');
        seen.add(key);
        operations.push(() => {
          if (item !== undefined) table.items.set(key, structuredClone(item));
          else table.items.delete(key);
        });
      }
    }
    for (const operation of operations) operation();
    return { UnprocessedItems: {} };
  }

  // ---- lookups ---------------------------------------------------------------------------------------

  private table(tableName: string | undefined): TableState {
    const table = this.tables.get(String(tableName));
    if (table === undefined)
      throw awsError('DynamoDB', 'ResourceNotFoundException', 'Requested resource not found');
    return table;
  }
}

interface ReadOptions {
  readonly filter: Condition | undefined;
  readonly projection: Path[] | undefined;
  readonly limit: number | undefined;
  readonly count: boolean;
}

// ---- keys ------------------------------------------------------------------------------------------

function keyNamesOf(table: TableState): string[] {
  return [table.partitionKey.name, ...(table.sortKey === undefined ? [] : [table.sortKey.name])];
}

function keyDefinitions(table: TableState): KeyDefinition[] {
  return [table.partitionKey, ...(table.sortKey === undefined ? [] : [table.sortKey])];
}

/** A canonical string for the key attributes of `item` (which has been validated). */
function itemKey(table: TableState, item: Item): string {
  return JSON.stringify(
    keyDefinitions(table).map((definition) => {
      const value = item[definition.name];
      if (value?.B !== undefined) return Buffer.from(value.B).toString('base64');
      return value?.S ?? (value?.N === undefined ? '' : String(Number(value.N)));
    }),
  );
}

/** Validates a `Key` parameter against the schema and returns its canonical string. */
function keyOf(table: TableState, key: Item): string {
  const names = Object.keys(key);
  const definitions = keyDefinitions(table);
  const mismatch = () => validationError('The provided key element does not match the schema');
  if (names.length !== definitions.length) throw mismatch();
  for (const definition of definitions) {
    const value = key[definition.name];
    if (value === undefined) throw mismatch();
    assertAttributeValue(value, `Key.${definition.name}`);
    if (typeOf(value) !== definition.type) throw mismatch();
  }
  return itemKey(table, key);
}

function keyAttributes(table: TableState, item: Item): Item {
  const key: Item = {};
  for (const name of keyNamesOf(table)) {
    const value = item[name];
    if (value !== undefined) key[name] = value;
  }
  return key;
}

/** Validates a whole item: well-formed values, key attributes present, of the schema's type, non-empty. */
function assertItem(table: TableState, item: Item): void {
  for (const [name, value] of Object.entries(item)) assertAttributeValue(value, `Item.${name}`);
  for (const definition of keyDefinitions(table)) {
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
    if (value.S === '' || value.B?.byteLength === 0) {
      throw validationError(
        `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${type === 'S' ? 'string' : 'binary'} value. Key: ${definition.name}`,
      );
    }
  }
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

/**
 * A key condition is `pk = :v`, optionally `AND` one condition on the sort key: `=`, `<`, `<=`, `>`, `>=`,
 * `BETWEEN` or `begins_with`. Anything else is refused, as DynamoDB refuses it.
 */
function splitKeyCondition(
  table: TableState,
  condition: Condition,
): { partitionValue: AttributeValue; sortCondition: Condition | undefined } {
  const terms = condition.kind === 'and' ? flattenAnd(condition) : [condition];
  if (terms.length > 2) throw validationError('Conditions can be of length 1 or 2 only');
  const onAttribute = (term: Condition, name: string): boolean => {
    const path =
      term.kind === 'compare' || term.kind === 'between'
        ? term.kind === 'compare'
          ? term.left.kind === 'path'
            ? term.left.path
            : undefined
          : term.subject.kind === 'path'
            ? term.subject.path
            : undefined
        : term.kind === 'beginsWith'
          ? term.path
          : undefined;
    return path !== undefined && path.length === 1 && path[0] === name;
  };
  const partitionTerm = terms.find((term) => onAttribute(term, table.partitionKey.name));
  if (
    partitionTerm === undefined ||
    partitionTerm.kind !== 'compare' ||
    partitionTerm.comparator !== '=' ||
    partitionTerm.right.kind !== 'value'
  ) {
    throw validationError(`Query condition missed key schema element: ${table.partitionKey.name}`);
  }
  const partitionValue = partitionTerm.right.value;
  if (typeOf(partitionValue) !== table.partitionKey.type) {
    throw validationError(
      'One or more parameter values were invalid: Condition parameter type does not match schema type',
    );
  }
  const sortTerm = terms.find((term) => term !== partitionTerm);
  if (sortTerm === undefined) return { partitionValue, sortCondition: undefined };
  const sortKey = table.sortKey;
  if (sortKey === undefined || !onAttribute(sortTerm, sortKey.name)) {
    throw validationError(
      sortKey === undefined
        ? 'Query key condition not supported'
        : `Query condition missed key schema element: ${sortKey.name}`,
    );
  }
  if (sortTerm.kind === 'compare' && (sortTerm.comparator === '<>' || sortTerm.right.kind !== 'value')) {
    throw validationError(`Unsupported operator on KeyConditionExpression: ${sortTerm.comparator}`);
  }
  if (sortTerm.kind === 'between' && (sortTerm.low.kind !== 'value' || sortTerm.high.kind !== 'value')) {
    throw validationError('Query key condition not supported');
  }
  return { partitionValue, sortCondition: sortTerm };
}

function flattenAnd(condition: Condition): Condition[] {
  if (condition.kind !== 'and') {
    if (condition.kind === 'or' || condition.kind === 'not' || condition.kind === 'in') {
      throw validationError(
        `Invalid operator used in KeyConditionExpression: ${condition.kind.toUpperCase()}`,
      );
    }
    return [condition];
  }
  return [...flattenAnd(condition.left), ...flattenAnd(condition.right)];
}

// ---- request helpers -------------------------------------------------------------------------------

function placeholdersOf(input: {
  ExpressionAttributeNames?: Record<string, string> | undefined;
  ExpressionAttributeValues?: Record<string, AttributeValue> | undefined;
}): Placeholders {
  for (const [name, value] of Object.entries(input.ExpressionAttributeValues ?? {})) {
    assertAttributeValue(value, `ExpressionAttributeValues.${name}`);
  }
  return new Placeholders(input.ExpressionAttributeNames, input.ExpressionAttributeValues);
}

/** Parses a write's `ConditionExpression` (if any) and checks that every placeholder was used. */
function parseConditionOnly(input: {
  ConditionExpression?: string | undefined;
  ExpressionAttributeNames?: Record<string, string> | undefined;
  ExpressionAttributeValues?: Record<string, AttributeValue> | undefined;
}): Condition | undefined {
  const placeholders = placeholdersOf(input);
  const condition =
    input.ConditionExpression === undefined
      ? undefined
      : parseCondition(input.ConditionExpression, placeholders, 'ConditionExpression');
  placeholders.assertAllUsed();
  return condition;
}

function assertCondition(
  condition: Condition | undefined,
  old: Item | undefined,
  returnOnFailure: string | undefined,
): void {
  if (condition === undefined || evaluateCondition(condition, old)) return;
  const error: SandboxServiceError & { Item?: Item } = awsError(
    'DynamoDB',
    'ConditionalCheckFailedException',
    'The conditional request failed',
  );
  // With ReturnValuesOnConditionCheckFailure ALL_OLD, DynamoDB puts the item as it stands on the error.
  if (returnOnFailure === 'ALL_OLD' && old !== undefined) error.Item = structuredClone(old);
  throw error;
}

function assertReturnValues(value: string | undefined, allowed: ReadonlySet<string>, message: string): void {
  if (value !== undefined && !allowed.has(value)) throw validationError(message);
}

function returnedAttributes(
  returnValues: string | undefined,
  old: Item | undefined,
  updated: Item,
  touched: Path[],
): { Attributes?: Item } {
  const nonEmpty = (item: Item | undefined) =>
    item === undefined || Object.keys(item).length === 0 ? {} : { Attributes: item };
  switch (returnValues) {
    case 'ALL_NEW':
      return { Attributes: updated };
    case 'UPDATED_NEW':
      return nonEmpty(project(updated, touched));
    case 'ALL_OLD':
      return nonEmpty(old);
    case 'UPDATED_OLD':
      return nonEmpty(old === undefined ? undefined : project(old, touched));
    default:
      return {};
  }
}

/** The pre-expression parameters (`Expected`, `AttributeUpdates`, …) are not modelled: refuse them loudly. */
function rejectLegacy(input: object, fields: readonly string[]): void {
  for (const [field, value] of Object.entries(input)) {
    if (fields.includes(field) && value !== undefined) {
      throw unsupported(`the legacy ${field} parameter (use expressions)`);
    }
  }
}

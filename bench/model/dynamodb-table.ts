/**
 * Cordon's DynamoDB tables for the scale model: the sandbox's DynamoDB model (proven against dynalite), one
 * instance per partition key, so that a Query sorts one incident's items and not the whole table, and so that
 * each key's throughput can be charged against its partition's quota. Every command Cordon's stores send
 * names one partition key (a key, an item, or `incidentId = :id` in a Query), which routes it.
 */

import { awsError } from '../../packages/local/src/sandbox/errors.ts';
import { DynamoDbModel } from '../../packages/local/src/sandbox/models/dynamodb.ts';
import type { SandboxContext } from '../../packages/local/src/sandbox/types.ts';

/** A command whose partition key the model cannot find: not one Cordon sends, so not modelled. */
export class PartitionKeyMissingError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'PartitionKeyMissingError';
  }
}

interface TableDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

type AttributeMap = Readonly<Record<string, { readonly S?: string } | undefined>>;

/** Bytes of an item as DynamoDB counts them (names + values), approximated by its JSON without type tags. */
export function itemBytes(item: unknown): number {
  if (item === null || typeof item !== 'object') return 0;
  let bytes = 0;
  for (const [name, value] of Object.entries(item as Record<string, unknown>)) {
    bytes += name.length + valueBytes(value);
  }
  return bytes;
}

function valueBytes(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const [type, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
    case 'N':
      return Buffer.byteLength(String(inner));
    case 'B':
      return (inner as Uint8Array).byteLength ?? 0;
    case 'BOOL':
    case 'NULL':
      return 1;
    case 'L':
      return 3 + (inner as unknown[]).reduce<number>((sum, element) => sum + 1 + valueBytes(element), 0);
    case 'M':
      return 3 + itemBytes(inner);
    default:
      return Buffer.byteLength(JSON.stringify(inner));
  }
}

/** What one routed command costs in capacity units, and which partition it hit. */
export interface TableCharge {
  readonly table: string;
  readonly partition: string;
  readonly writeUnits: number;
  readonly readUnits: number;
}

/**
 * DynamoDB tables partitioned by key, each partition the sandbox's model. `charge` says what a command will
 * cost before it runs (for the quota check); `answer` runs it.
 *
 * @example
 * const tables = new PartitionedTables(context, [{ name: 'cordon-ledger', partitionKey: 'incidentId', sortKey: 'sk' }]);
 * tables.answer('PutItem', { TableName: 'cordon-ledger', Item: { incidentId: { S: 'i-1' }, sk: { S: 'a' } } });
 */
export class PartitionedTables {
  private readonly tables = new Map<string, TableDefinition>();
  private readonly partitions = new Map<string, DynamoDbModel>();

  public constructor(
    private readonly context: SandboxContext,
    tables: readonly TableDefinition[],
  ) {
    for (const table of tables) this.tables.set(table.name, table);
  }

  /** Number of partition keys that hold items (or ever did). */
  public get partitionCount(): number {
    return this.partitions.size;
  }

  /**
   * Runs `command`, charging its capacity units first with `admit` (false: throttled, nothing runs). A write
   * is charged by the item it writes (PutItem) or one unit (UpdateItem, DeleteItem: Cordon's counters,
   * claims and leases are far below 1 KB), a failed conditional write included, as DynamoDB charges it; a
   * read by what it returns (strongly consistent: 4 KB a unit), and it changes nothing, so it runs first.
   */
  public run(
    command: string,
    input: Readonly<Record<string, unknown>>,
    admit: (charge: TableCharge) => boolean,
  ): { readonly admitted: false } | { readonly admitted: true; readonly output: unknown } {
    const table = this.table(input);
    const partition = this.partitionKeyOf(table, command, input);
    const where = { table: table.name, partition: `${table.name}#${partition}` };
    if (command === 'GetItem' || command === 'Query') {
      const output = this.answer(command, input);
      const items =
        command === 'GetItem'
          ? [(output as { Item?: unknown }).Item]
          : ((output as { Items?: unknown[] }).Items ?? []);
      const bytes = items.reduce<number>((sum, item) => sum + itemBytes(item), 0);
      const readUnits = Math.max(1, Math.ceil(bytes / 4096));
      return admit({ ...where, writeUnits: 0, readUnits }) ? { admitted: true, output } : { admitted: false };
    }
    const writeUnits = command === 'PutItem' ? Math.max(1, Math.ceil(itemBytes(input.Item) / 1024)) : 1;
    if (!admit({ ...where, writeUnits, readUnits: 0 })) return { admitted: false };
    return { admitted: true, output: this.answer(command, input) };
  }

  /** Runs the command on its partition's model; throws the model's AWS errors. */
  public answer(command: string, input: Readonly<Record<string, unknown>>): unknown {
    const table = this.table(input);
    const partition = this.partitionKeyOf(table, command, input);
    const handler = this.model(table, partition).commands[command];
    if (handler === undefined) {
      throw awsError(
        'DynamoDB',
        'UnsupportedOperation',
        `The scale model does not model DynamoDB.${command}`,
      );
    }
    return structuredClone(handler(structuredClone(input) as Record<string, unknown>, this.context));
  }

  private table(input: Readonly<Record<string, unknown>>): TableDefinition {
    const name = String(input.TableName);
    const table = this.tables.get(name);
    if (table === undefined) {
      throw awsError('DynamoDB', 'ResourceNotFoundException', `Requested resource not found: Table: ${name}`);
    }
    return table;
  }

  private partitionKeyOf(table: TableDefinition, command: string, input: Readonly<Record<string, unknown>>) {
    const fromMap = (map: unknown) => (map as AttributeMap | undefined)?.[table.partitionKey]?.S;
    let key: string | undefined;
    if (command === 'PutItem') key = fromMap(input.Item);
    else if (command === 'Query') {
      // Cordon's one Query form: `<partition key> = :placeholder`.
      const match = new RegExp(`^\\s*${table.partitionKey}\\s*=\\s*(:\\w+)\\s*$`).exec(
        String(input.KeyConditionExpression ?? ''),
      );
      const placeholder = match?.[1];
      key =
        placeholder === undefined
          ? undefined
          : (input.ExpressionAttributeValues as AttributeMap | undefined)?.[placeholder]?.S;
    } else key = fromMap(input.Key);
    if (key === undefined) {
      throw new PartitionKeyMissingError(
        `${command} on ${table.name} names no ${table.partitionKey} the scale model can route by`,
      );
    }
    return key;
  }

  private model(table: TableDefinition, partition: string): DynamoDbModel {
    const id = `${table.name}#${partition}`;
    let model = this.partitions.get(id);
    if (model === undefined) {
      model = new DynamoDbModel(this.context);
      model.createTable({
        tableName: table.name,
        partitionKey: table.partitionKey,
        ...(table.sortKey === undefined ? {} : { sortKey: table.sortKey }),
      });
      this.partitions.set(id, model);
    }
    return model;
  }
}

import type { AddressInfo } from 'node:net';
import * as DynamoDb from '@aws-sdk/client-dynamodb';
import { type AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import dynalite from 'dynalite';
import { DynamoDbModel } from '../../packages/local/src/sandbox/models/dynamodb.ts';
import { SandboxAccount } from '../../packages/local/src/sandbox/sandbox-account.ts';

/**
 * The sandbox's DynamoDB model side by side with dynalite (an in-memory DynamoDB implementation that is tested
 * against the live service, Apache-2.0): every call made through `client` is sent to both, with the same input,
 * and their answers are compared — outputs, error names and messages, and the item a failed condition returns.
 * A difference is a mismatch: recorded, and thrown to the caller.
 *
 * dynalite does not implement `ReturnValuesOnConditionCheckFailure` (DynamoDB added it in 2023). For a request that
 * asks for it, the reference answer's item is read from dynalite just before the write — the item as it stood,
 * which is what DynamoDB returns:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnValuesOnConditionCheckFailure
 *
 * @example
 * const differential = await DynamoDbDifferential.start();
 * const [ledger] = await differential.tables({ name: 'ledger', partitionKey: 'incidentId', sortKey: 'sk' });
 * await differential.client.send(new GetItemCommand({ TableName: ledger, Key: { … } }));
 * expect(differential.mismatches).toEqual([]);
 */
export class DynamoDbDifferential {
  /** Every call, in order, with both answers. */
  public readonly exchanges: Exchange[] = [];
  /** One line per call whose answers differ. */
  public readonly mismatches: string[] = [];
  /** A real DynamoDB client whose calls are answered by both implementations. */
  public readonly client: DynamoDBClient;
  private readonly sandbox = new SandboxAccount();
  private readonly model = new DynamoDbModel(this.sandbox.context);
  private readonly sandboxClient: DynamoDBClient;
  private readonly keySchemas = new Map<string, readonly string[]>();
  private tableCount = 0;

  private constructor(
    private readonly server: ReturnType<typeof dynalite>,
    private readonly reference: DynamoDBClient,
  ) {
    this.sandbox.register(this.model);
    this.sandboxClient = this.sandbox.attach(new DynamoDBClient({ region: 'us-east-1' }));
    this.client = new DynamoDBClient({ region: 'us-east-1' });
    const answer: InitializeMiddleware<DynamoDb.ServiceInputTypes, DynamoDb.ServiceOutputTypes> =
      (_next, context) => async (args) => {
        const output = await this.exchange(
          String(context.commandName),
          (args.input ?? {}) as Record<string, unknown>,
        );
        return {
          // The answer is the sandbox's output for this very command, so it has the command's output shape.
          output: {
            $metadata: { httpStatusCode: 200, attempts: 1 },
            ...output,
          } as DynamoDb.ServiceOutputTypes,
          response: { statusCode: 200, headers: {} },
        };
      };
    this.client.middlewareStack.add(answer, {
      step: 'initialize',
      name: 'cordonDifferential',
      priority: 'high',
    });
  }

  /** Starts dynalite in memory on a loopback port. */
  public static async start(): Promise<DynamoDbDifferential> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const reference = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'differential', secretAccessKey: 'differential' },
      maxAttempts: 1,
    });
    return new DynamoDbDifferential(server, reference);
  }

  /**
   * Creates fresh tables (string keys, as Cordon's) in both implementations; returns their names, made unique so
   * that tests sharing one dynalite never see each other's items.
   */
  public async tables(...definitions: readonly TableDefinition[]): Promise<string[]> {
    const names: string[] = [];
    for (const definition of definitions) {
      this.tableCount += 1;
      const tableName = `${definition.name}-${this.tableCount}`;
      const keys = [
        definition.partitionKey,
        ...(definition.sortKey === undefined ? [] : [definition.sortKey]),
      ];
      const indexes = definition.globalSecondaryIndexes ?? [];
      const attributes = [
        ...new Set([...keys, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])]),
      ];
      this.model.createTable({
        tableName,
        partitionKey: definition.partitionKey,
        ...(definition.sortKey === undefined ? {} : { sortKey: definition.sortKey }),
        ...(indexes.length === 0 ? {} : { globalSecondaryIndexes: indexes }),
      });
      await this.reference.send(
        new DynamoDb.CreateTableCommand({
          TableName: tableName,
          KeySchema: keys.map((AttributeName, index) => ({
            AttributeName,
            KeyType: index === 0 ? 'HASH' : 'RANGE',
          })),
          AttributeDefinitions: attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          BillingMode: 'PAY_PER_REQUEST',
          ...(indexes.length === 0
            ? {}
            : {
                GlobalSecondaryIndexes: indexes.map((index) => ({
                  IndexName: index.indexName,
                  KeySchema: [
                    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
                  ],
                  Projection: { ProjectionType: 'ALL' as const },
                })),
              }),
        }),
      );
      await this.untilActive(tableName);
      this.keySchemas.set(tableName, keys);
      names.push(tableName);
    }
    return names;
  }

  /** Forgets the mismatches so far (each test asserts only on its own). */
  public forgetMismatches(): void {
    this.mismatches.length = 0;
  }

  /**
   * Sends one call to each implementation directly, not compared: for the calls the sandbox refuses on purpose
   * (what it does not model) while DynamoDB answers them.
   */
  public async sendToEach(
    command:
      | DynamoDb.PutItemCommand
      | DynamoDb.QueryCommand
      | DynamoDb.UpdateItemCommand
      | DynamoDb.GetItemCommand,
  ) {
    const input = command.input as unknown as Record<string, unknown>;
    const Command = command.constructor as new (input: object) => DynamoDb.PutItemCommand;
    return {
      sandbox: await outcomeOf(this.sandboxClient.send(new Command(structuredClone(input)))),
      reference: await outcomeOf(this.reference.send(new Command(structuredClone(input)))),
    };
  }

  /** The sandbox's copy of a table's items, for assertions beside the exchanges. */
  public sandboxItems(tableName: string): Record<string, AttributeValue>[] {
    return this.model.items(tableName);
  }

  public async close(): Promise<void> {
    this.client.destroy();
    this.sandboxClient.destroy();
    this.reference.destroy();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async untilActive(tableName: string): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const { Table } = await this.reference.send(
        new DynamoDb.DescribeTableCommand({ TableName: tableName }),
      );
      if (Table?.TableStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`dynalite: table ${tableName} never became ACTIVE`);
  }

  private async exchange(commandName: string, input: Record<string, unknown>): Promise<object> {
    // The SDK's command classes are named after the command; the same class is sent to both with its own copy.
    const Command = (DynamoDb as unknown as Record<string, new (input: object) => DynamoDb.PutItemCommand>)[
      commandName
    ];
    if (Command === undefined) throw new Error(`DynamoDbDifferential: no SDK command ${commandName}`);
    const command = commandName.replace(/Command$/, '');
    const itemAsItStood =
      input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD'
        ? await this.referenceItem(command, input)
        : undefined;
    const sandbox = await outcomeOf(this.sandboxClient.send(new Command(structuredClone(input))));
    const reference = await outcomeOf(this.reference.send(new Command(structuredClone(input))));
    if (
      !reference.ok &&
      reference.name === 'ConditionalCheckFailedException' &&
      itemAsItStood !== undefined
    ) {
      reference.item = itemAsItStood;
    }
    this.exchanges.push({ command, input: structuredClone(input), sandbox, reference });
    const [left, right] = [JSON.stringify(normalized(sandbox)), JSON.stringify(normalized(reference))];
    if (left !== right) {
      const mismatch = `${command} ${JSON.stringify(normalized(input))}\n  sandbox:  ${left}\n  dynalite: ${right}`;
      this.mismatches.push(mismatch);
      throw new DifferentialMismatchError(mismatch);
    }
    if (!sandbox.ok) throw sandbox.error;
    return sandbox.output;
  }

  /** The item a write is about to act on, as dynalite holds it (see the class comment). */
  private async referenceItem(command: string, input: Record<string, unknown>) {
    const tableName = String(input.TableName);
    const keys = this.keySchemas.get(tableName);
    const source = (command === 'PutItem' ? input.Item : input.Key) as
      | Record<string, AttributeValue>
      | undefined;
    if (keys === undefined || source === undefined || keys.some((key) => source[key] === undefined))
      return undefined;
    const Key = Object.fromEntries(keys.map((key) => [key, source[key] as AttributeValue]));
    const { Item } = await this.reference.send(
      new DynamoDb.GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }),
    );
    return Item;
  }
}

export interface TableDefinition {
  /** A stem; the table's name is made unique. */
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Global secondary indexes (string keys, every attribute projected), as infra/storage.ts gives Cordon's tables. */
  readonly globalSecondaryIndexes?: readonly {
    readonly indexName: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  }[];
}

export type Outcome =
  | { readonly ok: true; readonly output: object }
  | {
      readonly ok: false;
      readonly name: string;
      readonly message: string;
      item?: unknown;
      readonly error: Error;
    };

export interface Exchange {
  readonly command: string;
  readonly input: Record<string, unknown>;
  readonly sandbox: Outcome;
  readonly reference: Outcome;
}

/** The two implementations answered one call differently. */
export class DifferentialMismatchError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'DifferentialMismatchError';
  }
}

/**
 * dynalite words a syntax error as its parser generator does ("Expected … but … found."), DynamoDB as
 * `Syntax error; token: "…", near: "…"`: only that much of such a message is compared.
 */
const SYNTAX_ERROR = /^(Invalid \w+: Syntax error;).*$/s;

async function outcomeOf(answer: Promise<object>): Promise<Outcome> {
  try {
    return { ok: true, output: await answer };
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const item = (error as { Item?: unknown }).Item;
    return {
      ok: false,
      name: error.name,
      message: error.message.replace(SYNTAX_ERROR, '$1'),
      error,
      ...(item === undefined ? {} : { item }),
    };
  }
}

/**
 * What is compared: outputs without transport metadata, errors by name, message and item; set members in order
 * (DynamoDB keeps no order in sets), binary as hex.
 */
function normalized(value: unknown, key?: string): unknown {
  if (value instanceof Uint8Array) return `hex:${Buffer.from(value).toString('hex')}`;
  if (Array.isArray(value)) {
    const members = value.map((member) => normalized(member));
    return key === 'SS' || key === 'NS' || key === 'BS' ? members.sort() : members;
  }
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value)
    .filter(
      ([field, member]) =>
        member !== undefined && !['$metadata', 'ConsumedCapacity', 'error'].includes(field),
    )
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([field, member]) => [field, normalized(member, field)]);
  return Object.fromEntries(entries);
}

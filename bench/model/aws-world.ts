/**
 * The AWS side of the scale model: real SDK v3 clients whose requests are answered by the sandbox's service
 * models, after the model has charged the request's latency and the published quota it draws on.
 *
 * Where the model plugs in: at the SDK's `initialize` step, behind a copy of the client's own retry
 * middleware (the same `retryMiddleware` from `@smithy/core/retry` the client installs, on the client's own
 * retry strategy and its retry quota). A throttled answer therefore meets the SDK's standard retry mode —
 * 3 attempts, exponential backoff with full jitter, the client's retry quota — exactly as it would in AWS,
 * while serialization and signing, which would change nothing but cost CPU, are skipped. Credentials are
 * still resolved (the client's memoized provider, refreshed five minutes before expiry), so an assumed role
 * costs its STS AssumeRole when and as often as the deployed code would.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingClient } from '@aws-sdk/client-elastic-load-balancing';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { retryMiddleware, StandardRetryStrategy } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Pluggable } from '@smithy/types';
import type { ClientConstructors } from '../../packages/functions/src/shared/account-clients.ts';
import { createSandbox, type Sandbox } from '../../packages/local/src/sandbox/index.ts';
import type { IamModel } from '../../packages/local/src/sandbox/models/iam.ts';
import { PartitionedTables } from './dynamodb-table.ts';
import type { Latencies, LatencyId } from './latency.ts';
import { QuotaBook } from './quota-book.ts';
import { ec2QuotaFor, iamQuotaFor, QUOTAS, type QuotaId } from './quotas.ts';
import { sampleLatency } from './random.ts';
import type { VirtualTime } from './virtual-time.ts';

/** An account and Region: where a client's calls land. */
export interface Where {
  readonly account: string;
  readonly region: string;
}

/** A call the model answered successfully, for the scenarios' observers (containment times …). */
export interface ObservedCall {
  readonly service: string;
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly where: Where;
  readonly output: unknown;
  /** Virtual time the answer left the service. */
  readonly at: number;
}

/** A handler for a service the model answers itself (Step Functions). */
export type ServiceHandler = (
  command: string,
  input: Readonly<Record<string, unknown>>,
  where: Where,
) => unknown;

/** What the SDK sees when a quota throttles: an error named as the service names it. */
export class ModelThrottlingError extends Error {
  public readonly $fault = 'client' as const;
  public readonly $metadata: {
    httpStatusCode: number;
    requestId: string;
    attempts: number;
    totalRetryDelay: number;
  };
  public readonly Code: string;
  /** The quota that throttled (or `injected` for a fault the validation injects). */
  public readonly $quota: QuotaId | 'injected';

  public constructor(code: string, status: number, quota: QuotaId | 'injected', message: string) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$quota = quota;
    this.$metadata = { httpStatusCode: status, requestId: 'model', attempts: 1, totalRetryDelay: 0 };
  }
}

/** Each service's throttling code and HTTP status, as the SDK receives them. */
const THROTTLE_CODES: Readonly<Record<string, readonly [string, number]>> = {
  EC2: ['RequestLimitExceeded', 503],
  DynamoDB: ['ThrottlingException', 400],
  SFN: ['ThrottlingException', 400],
  SSM: ['ThrottlingException', 400],
  STS: ['Throttling', 400],
  IAM: ['Throttling', 400],
  AutoScaling: ['Throttling', 400],
  ElasticLoadBalancingV2: ['Throttling', 400],
  ElasticLoadBalancing: ['Throttling', 400],
  SNS: ['Throttled', 429],
};

const LATENCY_OF: Readonly<Record<string, LatencyId>> = {
  EC2: 'ec2',
  AutoScaling: 'autoScaling',
  ElasticLoadBalancingV2: 'elb',
  ElasticLoadBalancing: 'elb',
  IAM: 'iam',
  STS: 'sts',
  SSM: 'ssm',
  DynamoDB: 'dynamodb',
  SNS: 'sns',
  SFN: 'sfnApi',
};

/** Services answered by the sandbox of the call's account and Region. */
const REGIONAL = new Set(['EC2', 'AutoScaling', 'ElasticLoadBalancingV2', 'ElasticLoadBalancing']);

/** Credentials the model's clients carry: never resolved against anything, never sent anywhere. */
export const MODEL_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIAMODEL00000000000',
  secretAccessKey: 'model',
};

export interface AwsWorldOptions {
  readonly time: VirtualTime;
  /** Latency and fault sampling (its own stream, so that a change of design does not shift the traffic). */
  readonly random: () => number;
  readonly home: Where;
  readonly latencies: Latencies;
  readonly ledgerTable: string;
  readonly approvalsTable: string;
  readonly quotaOverrides?: ConstructorParameters<typeof QuotaBook>[2];
  /** No quota throttles anything (the validation against today's bench, which models none). */
  readonly unlimited?: boolean;
  /** Every call fails with this throttling error with this probability (the validation's 5 %). */
  readonly faults?: { readonly probability: number; readonly error: string };
}

interface SdkClient {
  // biome-ignore lint/suspicious/noExplicitAny: every SDK client's stack has its own input/output unions.
  readonly middlewareStack: { add(middleware: any, options: Record<string, unknown>): void };
  readonly config: {
    readonly region?: unknown;
    readonly credentials?: unknown;
  };
}

const ROLE_OF = new WeakMap<object, string>();

/**
 * The AWS accounts of the organization as the model sees them: a sandbox per member account and Region
 * (per account for IAM, which is global), Cordon's home account with its parameters and tables, and the
 * quotas every call is charged against.
 *
 * @example
 * const world = new AwsWorld({ time, random, home, latencies: latencies(), ledgerTable, approvalsTable });
 * const ec2 = world.attach(new EC2Client({ region: 'eu-west-1', credentials: MODEL_CREDENTIALS }), { account: '222222222222', region: 'eu-west-1' });
 */
export class AwsWorld {
  public readonly quotas: QuotaBook;
  public readonly tables: PartitionedTables;
  /** Cordon's home account: its SSM parameters (settings, secrets). */
  public readonly homeSandbox: Sandbox;
  public readonly callCounts = new Map<string, number>();
  public published = 0;
  /** Faults injected (the validation's random throttling). */
  public injected = 0;
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly iamModels = new Map<string, IamModel>();
  private readonly handlers = new Map<string, ServiceHandler>();
  private readonly observers: Array<(call: ObservedCall) => void> = [];
  private credentialCounter = 0;
  /** Work a service handler asked to run once its answer has reached the caller (see `afterAnswer`). */
  private deferred: Array<() => void> | undefined;

  public constructor(private readonly options: AwsWorldOptions) {
    const { time } = options;
    this.quotas = new QuotaBook(() => time.now, time.now, options.quotaOverrides, options.unlimited ?? false);
    this.homeSandbox = this.sandboxFor(options.home.account, options.home.region);
    this.tables = new PartitionedTables(this.homeSandbox.account.context, [
      { name: options.ledgerTable, partitionKey: 'incidentId', sortKey: 'sk' },
      { name: options.approvalsTable, partitionKey: 'approvalId' },
    ]);
  }

  public get home(): Where {
    return this.options.home;
  }

  /**
   * The sandbox of an account and Region (EC2, Auto Scaling, load balancers there), made on first use. Its
   * `iam` is the account's one IAM model, shared by every Region of the account (IAM is global), so that
   * seeding a Region's sandbox seeds the account's IAM.
   */
  public sandboxFor(account: string, region: string): Sandbox {
    const key = `${account}|${region}`;
    let sandbox = this.sandboxes.get(key);
    if (sandbox === undefined) {
      const { time } = this.options;
      const created = createSandbox({ accountId: account, region, now: () => new Date(time.now) });
      let iam = this.iamModels.get(account);
      if (iam === undefined) {
        iam = created.iam;
        this.iamModels.set(account, iam);
      }
      created.account.register(iam);
      sandbox = { ...created, iam };
      this.sandboxes.set(key, sandbox);
    }
    return sandbox;
  }

  /** An account's IAM (one per account, whatever the Region of the call). */
  public iamOf(account: string): IamModel {
    return this.sandboxFor(account, this.options.home.region).iam;
  }

  /** Answers `service` with `handler` (Step Functions). */
  public serve(service: string, handler: ServiceHandler): void {
    this.handlers.set(service, handler);
  }

  /**
   * Called by a service handler while it answers: `work` runs when the answer has reached the caller (Step
   * Functions' execution starts once StartExecution has answered, as the round-trip bench counts it).
   */
  public afterAnswer(work: () => void): void {
    if (this.deferred === undefined) work();
    else this.deferred.push(work);
  }

  public observe(observer: (call: ObservedCall) => void): void {
    this.observers.push(observer);
  }

  /**
   * Plugs the model under a real SDK client; returns the client. `where` is the account and Region its calls
   * land in. With `assumedRole`, each request first resolves the client's credentials as signing would (the
   * client's memoized provider: AssumeRole when it holds no fresh credentials).
   */
  public attach<C>(client: C, where: Where, options: { readonly assumedRole?: boolean } = {}): C {
    const sdk = client as unknown as SdkClient;
    // Outermost: counts the throttles the SDK's retries gave up on.
    sdk.middlewareStack.add(
      // biome-ignore lint/suspicious/noExplicitAny: SDK middleware signatures are generic over every command.
      (next: any) => async (args: any) => {
        try {
          return await next(args);
        } catch (error) {
          const quota = (error as { $quota?: QuotaId | 'injected' }).$quota;
          if (quota !== undefined && quota !== 'injected') this.quotas.surfaced(quota);
          throw error;
        }
      },
      { step: 'initialize', name: 'scaleModelSurfaced', priority: 'high', override: true },
    );
    // The client's own retry middleware and strategy, moved in front of the model.
    sdk.middlewareStack.add(retryMiddleware(sdk.config as Parameters<typeof retryMiddleware>[0]), {
      step: 'initialize',
      name: 'scaleModelRetry',
      priority: 'high',
      override: true,
    });
    sdk.middlewareStack.add(
      // biome-ignore lint/suspicious/noExplicitAny: SDK middleware signatures are generic over every command.
      (_next: any, context: { clientName?: string; commandName?: string }) => async (args: any) => {
        const service = strip(context.clientName, 'Client');
        const command = strip(context.commandName, 'Command');
        const credentials = sdk.config.credentials;
        // As signing would: the memoized provider, which assumes the role when it has no fresh credentials.
        if (options.assumedRole === true && typeof credentials === 'function') await credentials();
        const output = await this.call(
          service,
          command,
          (args.input ?? {}) as Record<string, unknown>,
          where,
        );
        return {
          output: {
            $metadata: { httpStatusCode: 200, requestId: 'model', attempts: 1 },
            ...(output as object),
          },
          response: { statusCode: 200, headers: {} },
        };
      },
      { step: 'initialize', name: 'scaleModelAnswer', priority: 'low', override: true },
    );
    return client;
  }

  /**
   * The `assumeRole` hook of Cordon's `createAccountClients`: the SDK's own `fromTemporaryCredentials` with the
   * parameters the deployed default passes (session of 900 s), its STS client answered by the model in the
   * home account and Region (STS counts AssumeRole against the calling account).
   */
  public assumeRole(
    sessionName: string,
  ): (roleArn: string, externalId: string | undefined) => AwsCredentialIdentityProvider {
    return (roleArn, externalId) => {
      // The provider's STS client is made once and keeps one standard retry strategy (3 attempts, its own
      // retry quota); the plugin is applied on every refresh, so the strategy lives out here.
      const strategy = new StandardRetryStrategy(3);
      const config = {
        region: this.home.region,
        retryStrategy: async () => strategy,
        maxAttempts: async () => 3,
      };
      const plugin: Pluggable<object, object> = {
        applyToStack: (stack) => {
          this.attach({ middlewareStack: stack, config } as unknown as SdkClient, this.home);
        },
      };
      const provider = fromTemporaryCredentials({
        params: {
          RoleArn: roleArn,
          ExternalId: externalId,
          RoleSessionName: sessionName,
          DurationSeconds: 900,
        },
        clientConfig: { region: this.home.region },
        masterCredentials: MODEL_CREDENTIALS,
        clientPlugins: [plugin],
      });
      ROLE_OF.set(provider, roleArn);
      return provider;
    };
  }

  /**
   * The client classes Cordon's `createAccountClients` constructs, as classes whose instances the model
   * answers: a client made with credentials from {@link AwsWorld.assumeRole} calls in that role's account,
   * any other in the home account; each in the Region it was made for.
   */
  public constructors(): ClientConstructors {
    type ModelConfig = {
      region: string;
      credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
    };
    const bound = <C>(Client: new (config: ModelConfig) => C) =>
      function ModelBound(config: { region: string; credentials?: AwsCredentialIdentityProvider }): C {
        const role = config.credentials === undefined ? undefined : ROLE_OF.get(config.credentials);
        const account = role === undefined ? world.home.account : (role.split(':')[4] ?? '');
        const client = new Client({
          region: config.region,
          credentials: config.credentials ?? MODEL_CREDENTIALS,
        });
        return world.attach(client, { account, region: config.region }, { assumedRole: role !== undefined });
      } as unknown as new (config: {
        region: string;
        credentials?: AwsCredentialIdentityProvider;
      }) => C; // called with `new`: a function returning an object stands in for a class
    const world = this;
    return {
      ec2: bound(EC2Client),
      iam: bound(IAMClient),
      autoScaling: bound(AutoScalingClient),
      elbv2: bound(ElasticLoadBalancingV2Client),
      elb: bound(ElasticLoadBalancingClient),
      sns: bound(SNSClient),
    } as unknown as ClientConstructors;
  }

  /** One request: latency out, quota and fault, the service's answer, latency back. */
  public async call(
    service: string,
    command: string,
    input: Readonly<Record<string, unknown>>,
    where: Where,
  ): Promise<unknown> {
    const { time } = this.options;
    const counted = `${service}.${command}`;
    this.callCounts.set(counted, (this.callCounts.get(counted) ?? 0) + 1);
    const latencyId: LatencyId =
      service === 'SFN' && command === 'StartExecution' ? 'startExecution' : (LATENCY_OF[service] ?? 'ec2');
    const latency = sampleLatency(this.options.latencies[latencyId], this.options.random);
    await time.sleep(latency / 2);
    const faults = this.options.faults;
    if (faults !== undefined && this.options.random() < faults.probability) {
      this.injected += 1;
      await time.sleep(latency / 2);
      throw new ModelThrottlingError(
        faults.error,
        400,
        'injected',
        `Injected fault: ${counted} ${faults.error}`,
      );
    }
    if (service === 'DynamoDB') return this.dynamodb(command, input, latency);
    const throttled = this.admit(service, command, input, where);
    if (throttled !== undefined) {
      await time.sleep(latency / 2);
      const [code, status] = THROTTLE_CODES[service] ?? ['Throttling', 400];
      throw new ModelThrottlingError(code, status, throttled, `Rate exceeded (${QUOTAS[throttled].id})`);
    }
    let output: unknown;
    const deferred: Array<() => void> = [];
    this.deferred = deferred;
    try {
      output = this.answer(service, command, input, where);
    } catch (error) {
      await time.sleep(latency / 2);
      throw error;
    } finally {
      this.deferred = undefined;
    }
    await time.sleep(latency / 2);
    for (const work of deferred) work();
    if (this.observers.length > 0) {
      const call: ObservedCall = { service, command, input, where, output, at: time.now };
      for (const observer of this.observers) observer(call);
    }
    return output;
  }

  /** DynamoDB: the table's and the partition's units are charged as the command runs (reads first). */
  private async dynamodb(
    command: string,
    input: Readonly<Record<string, unknown>>,
    latency: number,
  ): Promise<unknown> {
    const { time } = this.options;
    let throttled: QuotaId | undefined;
    let outcome: ReturnType<PartitionedTables['run']>;
    try {
      outcome = this.tables.run(command, input, (charge) => {
        const take = (quota: QuotaId, scope: string, cost: number) =>
          this.quotas.take(quota, scope, cost) ? undefined : quota;
        throttled =
          charge.writeUnits > 0
            ? (take('dynamodbTableWrite', charge.table, charge.writeUnits) ??
              take('dynamodbPartitionWrite', charge.partition, charge.writeUnits))
            : (take('dynamodbTableRead', charge.table, charge.readUnits) ??
              take('dynamodbPartitionRead', charge.partition, charge.readUnits));
        return throttled === undefined;
      });
    } catch (error) {
      await time.sleep(latency / 2);
      throw error;
    }
    await time.sleep(latency / 2);
    if (!outcome.admitted) {
      const quota = throttled as QuotaId;
      throw new ModelThrottlingError(
        'ThrottlingException',
        400,
        quota,
        `Rate exceeded (${QUOTAS[quota].id})`,
      );
    }
    return outcome.output;
  }

  /** Charges the call's quota(s); the quota that throttled it, or undefined. */
  private admit(
    service: string,
    command: string,
    input: Readonly<Record<string, unknown>>,
    where: Where,
  ): QuotaId | undefined {
    const take = (quota: QuotaId, scope: string, cost = 1) =>
      this.quotas.take(quota, scope, cost) ? undefined : quota;
    const accountRegion = `${where.account}|${where.region}`;
    switch (service) {
      case 'EC2':
        // Each EC2 action has its own bucket in the account and Region.
        return take(ec2QuotaFor(command, input), `${accountRegion}|${command}`);
      case 'AutoScaling':
        return take('autoScaling', accountRegion);
      case 'ElasticLoadBalancingV2':
      case 'ElasticLoadBalancing':
        return take('elb', accountRegion);
      case 'IAM':
        return take(iamQuotaFor(command), where.account);
      case 'STS':
        return take('stsRequests', accountRegion);
      case 'SSM':
        return command.startsWith('GetParameter') ? take('ssmGetParameters', accountRegion) : undefined;
      case 'SFN':
        if (command === 'StartExecution') return take('sfnStartExecution', accountRegion);
        if (command === 'SendTaskSuccess' || command === 'SendTaskFailure')
          return take('sfnSendTask', accountRegion);
        return undefined;
      default:
        return undefined;
    }
  }

  private answer(
    service: string,
    command: string,
    input: Readonly<Record<string, unknown>>,
    where: Where,
  ): unknown {
    const handler = this.handlers.get(service);
    if (handler !== undefined) return handler(command, input, where);
    switch (service) {
      case 'SNS':
        this.published += 1;
        return { MessageId: `model-${this.published}` };
      case 'STS':
        return this.assumeRoleAnswer(input);
      case 'SSM':
        return this.dispatch(this.homeSandbox, service, command, input);
      case 'IAM':
        return this.dispatch(this.sandboxFor(where.account, where.region), service, command, input);
      default:
        if (REGIONAL.has(service))
          return this.dispatch(this.sandboxFor(where.account, where.region), service, command, input);
        throw new Error(`The scale model does not answer ${service}.${command}`);
    }
  }

  /** The model's own command handler, without the sandbox's call log (millions of calls would fill memory). */
  private dispatch(
    sandbox: Sandbox,
    service: string,
    command: string,
    input: Readonly<Record<string, unknown>>,
  ) {
    const handler = sandbox.account.model(service).commands[command];
    if (handler === undefined) throw new Error(`The sandbox does not model ${service}.${command}`);
    return structuredClone(
      handler(structuredClone(input) as Record<string, unknown>, sandbox.account.context),
    );
  }

  private assumeRoleAnswer(input: Readonly<Record<string, unknown>>) {
    this.credentialCounter += 1;
    const seconds = Number(input.DurationSeconds ?? 3600);
    const suffix = this.credentialCounter.toString(16).toUpperCase().padStart(16, '0');
    return {
      Credentials: {
        AccessKeyId: `ASIA${suffix}`,
        SecretAccessKey: 'model',
        SessionToken: 'model',
        Expiration: new Date(this.options.time.now + seconds * 1000),
      },
      AssumedRoleUser: {
        Arn: `${String(input.RoleArn).replace(':role/', ':assumed-role/').replace('arn:aws:iam:', 'arn:aws:sts:')}/${String(input.RoleSessionName)}`,
        AssumedRoleId: `AROAMODEL:${String(input.RoleSessionName)}`,
      },
    };
  }
}

function strip(name: string | undefined, suffix: string): string {
  if (name === undefined) return 'Unknown';
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

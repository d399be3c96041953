import type { HandlerExecutionContext, InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import { awsError } from './errors.ts';
import type {
  Authorizer,
  FaultSpec,
  LatencySpec,
  Principal,
  RecordedCall,
  SandboxContext,
  ServiceModel,
} from './types.ts';

/** The narrow part of an SDK v3 client the sandbox needs: its middleware stack (and its region, if any). */
export interface SdkClientLike {
  // biome-ignore lint/suspicious/noExplicitAny: every SDK client's stack has its own input/output unions.
  readonly middlewareStack: Pick<MiddlewareStack<any, any>, 'add'>;
}

export interface AttachOptions {
  /** The principal whose credentials the client holds: its calls are authorized and recorded as that principal. */
  readonly principal?: Principal;
  /** The client's region (recorded for the authorizer); the sandbox's region by default. */
  readonly region?: string;
}

export interface SandboxAccountOptions {
  readonly accountId?: string;
  readonly region?: string;
  /** Fixed clock for reproducible timestamps; defaults to the wall clock. */
  readonly now?: () => Date;
  /** Seed for probabilistic faults (a small deterministic PRNG). */
  readonly seed?: number;
  /** Sleep for injected latency (tests may replace it); defaults to `setTimeout`. */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface ActiveFault extends FaultSpec {
  remaining: number;
}

const MIDDLEWARE_NAME = 'cordonSandboxAccount';

/**
 * The error code each service answers an IAM denial with: EC2 says `UnauthorizedOperation`, the JSON-protocol
 * services (DynamoDB, Step Functions, SSM, Lambda, KMS, CloudTrail) `AccessDeniedException`, the query-protocol
 * ones (and S3, S3 Control) `AccessDenied`.
 */
const ACCESS_DENIED_CODES: Readonly<Record<string, string>> = {
  EC2: 'UnauthorizedOperation',
  DynamoDB: 'AccessDeniedException',
  SFN: 'AccessDeniedException',
  SSM: 'AccessDeniedException',
  Lambda: 'AccessDeniedException',
  GuardDuty: 'AccessDeniedException',
  CloudWatch: 'AccessDenied',
  KMS: 'AccessDeniedException',
  CloudTrail: 'AccessDeniedException',
};

function accessDeniedCode(service: string): string {
  return ACCESS_DENIED_CODES[service] ?? 'AccessDenied';
}

/** `EC2Client` → `EC2`, `DescribeInstancesCommand` → `DescribeInstances`. */
function stripSuffix(name: string | undefined, suffix: string): string {
  if (name === undefined) return 'Unknown';
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

/**
 * An in-memory AWS account. Attach it to real SDK v3 clients: it answers every command at the
 * `initialize` step (before serialization, signing, retries and the network), from the service models it
 * holds, records each call in order, and applies fault and latency injection.
 *
 * @example
 * const sandbox = new SandboxAccount({ accountId: '123456789012', region: 'us-east-1' });
 * sandbox.register(createEc2Model(...));
 * const ec2 = sandbox.attach(new EC2Client({ region: 'us-east-1' }));
 * await ec2.send(new DescribeInstancesCommand({})); // answered by the sandbox
 */
export class SandboxAccount {
  public readonly accountId: string;
  public readonly region: string;
  public readonly calls: RecordedCall[] = [];
  private readonly models = new Map<string, ServiceModel>();
  private readonly faults: ActiveFault[] = [];
  private readonly latencies: LatencySpec[] = [];
  private readonly clock: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private randomState: number;
  private idCounter = 0;
  private authorizer: Authorizer | undefined;
  public readonly context: SandboxContext;

  public constructor(options: SandboxAccountOptions = {}) {
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    this.clock = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.randomState = (options.seed ?? 42) >>> 0;
    this.context = {
      accountId: this.accountId,
      region: this.region,
      now: () => this.clock(),
      nextId: (prefix, hexLength = 17) => {
        this.idCounter += 1;
        return `${prefix}-${this.idCounter.toString(16).padStart(hexLength, '0')}`;
      },
    };
  }

  /** Adds (or replaces) the model answering for `model.service`. */
  public register(model: ServiceModel): this {
    this.models.set(model.service, model);
    return this;
  }

  public model<T extends ServiceModel>(service: string): T {
    const model = this.models.get(service);
    if (model === undefined) throw new Error(`The sandbox has no model for ${service}`);
    return model as T;
  }

  /**
   * Plugs the sandbox under a real SDK client; returns the same client. With a principal, each call is
   * authorized by the installed {@link Authorizer} first (as IAM would), and recorded with the principal.
   */
  public attach<C extends SdkClientLike>(client: C, options: AttachOptions = {}): C {
    const answer: InitializeMiddleware<object, object> =
      (_next, context: HandlerExecutionContext) => async (args) => {
        const service = stripSuffix(context.clientName, 'Client');
        const command = stripSuffix(context.commandName, 'Command');
        const output = await this.dispatch(
          service,
          command,
          (args.input ?? {}) as Record<string, unknown>,
          options,
        );
        return {
          output: { $metadata: { httpStatusCode: 200, requestId: 'sandbox', attempts: 1 }, ...output },
          // No HTTP exchange happens: the sandbox answers before serialization.
          response: { statusCode: 200, headers: {} },
        };
      };
    client.middlewareStack.add(answer, { step: 'initialize', name: MIDDLEWARE_NAME, priority: 'high' });
    return client;
  }

  /**
   * Installs (or, with `undefined`, removes) the IAM evaluation of calls made by clients attached with a
   * principal: a call it denies is answered with `AccessDenied`, recorded, and changes nothing.
   */
  public authorizeWith(authorizer: Authorizer | undefined): this {
    this.authorizer = authorizer;
    return this;
  }

  /** Makes `command` fail with `error`: `times` times, with a probability, or always. */
  public injectFault(spec: FaultSpec): this {
    this.faults.push({ ...spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  public clearFaults(): this {
    this.faults.length = 0;
    return this;
  }

  /** Each call of `command` (or `*`) takes `ms` milliseconds before it is answered. */
  public injectLatency(spec: LatencySpec): this {
    this.latencies.push(spec);
    return this;
  }

  /** The calls made so far that changed nothing (`Describe*`, `Get*`, `List*`) are left out by `mutatingCalls`. */
  public mutatingCalls(): RecordedCall[] {
    return this.calls.filter((call) => !/^(Describe|Get|List|Query|Scan|BatchGet)/.test(call.command));
  }

  /**
   * How many ids `nextId` has handed out: saved with a sandbox's state (a saved local deployment) and put back
   * with {@link SandboxAccount.restoreIds}, so that an id made after the restore never repeats a saved one.
   */
  public idsIssued(): number {
    return this.idCounter;
  }

  /** Goes on counting ids from `issued` (never back: an id already handed out would be handed out again). */
  public restoreIds(issued: number): void {
    if (!Number.isSafeInteger(issued) || issued < 0) {
      throw new RangeError(`an id counter is a non-negative integer, got ${issued}`);
    }
    this.idCounter = Math.max(this.idCounter, issued);
  }

  /** A deep copy of every model's state, keyed by service. */
  public snapshot(): Record<string, unknown> {
    const state: Record<string, unknown> = {};
    for (const [service, model] of this.models) state[service] = model.snapshot();
    return state;
  }

  /** Answers one command; exposed for engines that call the sandbox without an SDK client. */
  public async dispatch(
    service: string,
    command: string,
    input: Record<string, unknown>,
    options: AttachOptions = {},
  ): Promise<object> {
    const startedAt = this.clock().getTime();
    const latencyMs = this.latencyFor(service, command);
    const { principal } = options;
    let iam: 'allowed' | 'denied' | undefined;
    const record = (outcome: string) =>
      this.calls.push({
        service,
        command,
        input: structuredClone(input),
        ...(principal === undefined ? {} : { principal: principal.arn }),
        ...(iam === undefined ? {} : { iam }),
        outcome,
        startedAt,
        latencyMs,
      });
    if (latencyMs > 0) await this.sleep(latencyMs);
    try {
      if (principal !== undefined && this.authorizer !== undefined) {
        const verdict = await this.authorizer({
          principal,
          service,
          command,
          input,
          region: options.region ?? this.region,
        });
        iam = verdict.decision;
        if (verdict.decision === 'denied') {
          throw awsError(
            service,
            accessDeniedCode(service),
            `User: ${principal.arn} is not authorized to perform this call (${service}.${command}): ${verdict.reason}`,
          );
        }
      }
      const fault = this.takeFault(service, command);
      if (fault !== undefined) {
        throw awsError(
          service,
          fault.error,
          fault.message ?? `Injected fault: ${service}.${command} ${fault.error}`,
        );
      }
      const model = this.models.get(service);
      const handler = model?.commands[command];
      if (handler === undefined) {
        throw awsError(service, 'UnsupportedOperation', `The sandbox does not model ${service}.${command}`);
      }
      // The model learns who calls (GetCallerIdentity answers with it); the context is otherwise the account's.
      const context = principal === undefined ? this.context : { ...this.context, caller: principal };
      const output = (await handler(structuredClone(input), context)) ?? {};
      record('ok');
      return structuredClone(output) as object;
    } catch (error) {
      record(error instanceof Error ? error.name : 'Error');
      throw error;
    }
  }

  private latencyFor(service: string, command: string): number {
    let ms = 0;
    for (const spec of this.latencies) {
      if (
        (spec.service === undefined || spec.service === service) &&
        (spec.command === '*' || spec.command === command)
      ) {
        ms = spec.ms;
      }
    }
    return ms;
  }

  private takeFault(service: string, command: string): ActiveFault | undefined {
    for (const fault of this.faults) {
      if (fault.command !== command && fault.command !== '*') continue;
      if (fault.service !== undefined && fault.service !== service) continue;
      if (fault.remaining <= 0) continue;
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      fault.remaining -= 1;
      return fault;
    }
    return undefined;
  }

  /** mulberry32: small, seeded, good enough for fault sampling. */
  private random(): number {
    this.randomState = (this.randomState + 0x6d2b79f5) >>> 0;
    let t = this.randomState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

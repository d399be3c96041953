/**
 * The contract between the sandbox account and the models of each AWS service it answers for.
 * A model receives the command's input exactly as the SDK client was given it (after the client's own
 * input middleware) and returns the output object that the real service's deserializer would have produced.
 */
export interface SandboxContext {
  readonly accountId: string;
  readonly region: string;
  /** The sandbox's clock: models use it for timestamps so that tests can fix time. */
  now(): Date;
  /** A deterministic id generator: `nextId('sg')` → `sg-0000000000000001` style ids. */
  nextId(prefix: string, hexLength?: number): string;
  /**
   * The principal making the call being answered, when its client was attached with one (STS's
   * GetCallerIdentity answers with it); absent outside a call and for clients attached without a principal.
   */
  readonly caller?: Principal;
}

export type CommandHandler = (input: Record<string, unknown>, context: SandboxContext) => unknown;

/** A model of one AWS service: its name as the SDK client calls it (`EC2`, `IAM`, …) and its commands. */
export interface ServiceModel {
  /** The SDK client's name without the `Client` suffix, e.g. `EC2`, `AutoScaling`, `ElasticLoadBalancingV2`. */
  readonly service: string;
  /** Command name without the `Command` suffix → handler. An unknown command answers `UnsupportedOperation`. */
  readonly commands: Readonly<Record<string, CommandHandler>>;
  /** A deep copy of the model's state, for before/after comparisons. */
  snapshot(): unknown;
}

/**
 * Who makes a call: the IAM principal whose credentials the SDK client holds (a Cordon function's role, or a
 * member account's role assumed by it). The sandbox answers no differently by itself; an {@link Authorizer}
 * decides with the principal's policies.
 */
export interface Principal {
  /** The role ARN, e.g. `arn:aws:iam::111111111111:role/cordon-local-triage`. */
  readonly arn: string;
  /** The account the principal belongs to (the account its calls act in). */
  readonly account: string;
}

/** A call to authorize, as the sandbox is about to answer it. */
export interface AuthorizationRequest {
  readonly principal: Principal;
  readonly service: string;
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** The region of the client that sent it. */
  readonly region: string;
}

/** What IAM would answer; `denied` calls are answered with AccessDenied and change nothing. */
export interface AuthorizationDecision {
  readonly decision: 'allowed' | 'denied';
  /** Why (the IAM actions evaluated and the statement or missing grant that decided). */
  readonly reason: string;
}

/** Evaluates a call against its principal's policies (IAM's evaluation logic); installed on the sandbox. */
export type Authorizer = (
  request: AuthorizationRequest,
) => AuthorizationDecision | Promise<AuthorizationDecision>;

/** One call as the sandbox saw it, in order. */
export interface RecordedCall {
  readonly service: string;
  readonly command: string;
  readonly input: unknown;
  /** The principal's ARN, when the client was attached with one. */
  readonly principal?: string;
  /** IAM's answer, when an authorizer is installed and the client has a principal. */
  readonly iam?: 'allowed' | 'denied';
  /** `ok`, or the error name that was thrown. */
  readonly outcome: string;
  /** Sandbox clock at the start of the call (ms since epoch) and modelled latency. */
  readonly startedAt: number;
  readonly latencyMs: number;
}

export interface FaultSpec {
  readonly service?: string;
  readonly command: string;
  /** The error name (AWS error code) to throw, e.g. `RequestLimitExceeded`, `AccessDenied`. */
  readonly error: string;
  readonly message?: string;
  /** Fail this many times, then succeed. Omit for every time (or with `probability`). */
  readonly times?: number;
  /** Fail each call with this probability (0–1), from the sandbox's seeded random source. */
  readonly probability?: number;
}

export interface LatencySpec {
  readonly service?: string;
  /** Command name, or `*` for every command. */
  readonly command: string;
  readonly ms: number;
}

/**
 * Errors of @cordon/functions, the Lambda adapters. Each class names itself with a string literal (core's
 * `CordonError` declares `name` abstract): the bundles are minified, and a name read from the constructor
 * would be mangled on its way to the logs. The cause is kept with `{ cause }`.
 *
 * Every one of them is a wiring or deployment mistake, never an AWS fault: none is retryable, and none is
 * one of the action error names the playbooks' `Retry`/`Catch` match (those are core's, and the action
 * handlers let them through unchanged).
 */
import { CordonError } from '@cordon/core/errors';

/** The base of this package's errors: `error instanceof CordonFunctionsError` says "the adapter, not AWS". */
export abstract class CordonFunctionsError extends CordonError {}

/**
 * A function started without an environment variable it needs (infra/functions.ts gives every function the
 * ones `FUNCTION_ENVIRONMENT` declares for it, Lambda sets `AWS_REGION`), or the deployment left one out.
 * Raised while the function is initialised (or the deployment is built), before any event.
 */
export class EnvironmentVariableMissingError extends CordonFunctionsError {
  public override readonly name = 'EnvironmentVariableMissingError';
  /** The variables that are missing or empty, by their environment name. */
  public readonly variables: readonly string[];

  public constructor(functionKind: string, variables: readonly string[]) {
    super(
      `The ${functionKind} function needs ${variables.join(', ')} in its environment (see infra/functions.ts).`,
    );
    this.variables = variables;
  }
}

/** An environment variable whose value is not what its reader accepts (not JSON, not a map of ARNs, …). */
export class EnvironmentVariableInvalidError extends CordonFunctionsError {
  public override readonly name = 'EnvironmentVariableInvalidError';
  public readonly variable: string;

  public constructor(variable: string, reason: string, options?: ErrorOptions) {
    super(`${variable} is invalid: ${reason}`, options);
    this.variable = variable;
  }
}

/**
 * The deployment gives a function a variable its handler does not read, or one Lambda reserves for itself:
 * a renamed or forgotten variable, refused before anything is deployed.
 */
export class EnvironmentVariableUnknownError extends CordonFunctionsError {
  public override readonly name = 'EnvironmentVariableUnknownError';

  public constructor(functionKind: string, keys: readonly string[]) {
    const them = keys.length === 1 ? 'it' : 'them';
    super(
      `The ${functionKind} function does not read ${keys.join(', ')}: declare ${them} in FUNCTION_ENVIRONMENT (packages/functions/src/shared/environment.ts) or remove ${them} from infra/functions.ts.`,
    );
  }
}

/** A handler shell or middleware given options it cannot work with (middy's habit: options are checked once). */
export class HandlerOptionsInvalidError extends CordonFunctionsError {
  public override readonly name = 'HandlerOptionsInvalidError';

  public constructor(middleware: string, reason: string) {
    super(`${middleware}: ${reason}`);
  }
}

/** A function asked for a client its handler did not provide: a wiring mistake, never an AWS error. */
export class ClientNotProvidedError extends CordonFunctionsError {
  public override readonly name = 'ClientNotProvidedError';

  public constructor(client: string) {
    super(
      `This function was not given the ${client} client: add it to the handler's createActionHandler call.`,
    );
  }
}

/**
 * Lambda did not accept the poller's asynchronous invocation of triage (a status other than 202): the
 * findings of the batch were not handed over, and the poller's cursor must not move past them.
 */
export class TriageInvocationRejectedError extends CordonFunctionsError {
  public override readonly name = 'TriageInvocationRejectedError';
  public readonly statusCode: number | undefined;

  public constructor(statusCode: number | undefined) {
    super(`Triage invocation was not accepted (status ${String(statusCode)})`);
    this.statusCode = statusCode;
  }
}

/** HTTP status and fault of the AWS error codes the sandbox throws; anything else is a 400 client fault. */
const SERVER_ERRORS: Readonly<Record<string, number>> = {
  InternalError: 500,
  InternalFailure: 500,
  ServiceUnavailable: 503,
  Unavailable: 503,
};
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  AccessDenied: 403,
  AccessDeniedException: 400,
  UnauthorizedOperation: 403,
  NoSuchEntity: 404,
  Throttling: 400,
  ThrottlingException: 400,
  RequestLimitExceeded: 503,
  DryRunOperation: 412,
};

/** How the SDK v3 client names a modelled exception, and the status it arrives with, when not the defaults. */
export interface SdkErrorShape {
  /** The exception's class name (`NoSuchEntityException` for wire code `NoSuchEntity`); the code by default. */
  readonly name?: string;
  readonly status?: number;
}

/**
 * An error shaped like the AWS SDK v3's deserialized service exceptions: `name` is what the SDK names it (the
 * AWS error code, or the modelled exception's class name), `Code` the wire code, `$fault` says client or
 * server, `$metadata.httpStatusCode` is set. Action code sees no difference.
 */
export class SandboxServiceError extends Error {
  public readonly $fault: 'client' | 'server';
  public readonly $metadata: {
    httpStatusCode: number;
    requestId: string;
    attempts: number;
    totalRetryDelay: number;
  };
  public readonly $service: string;
  public readonly Code: string;

  public constructor(service: string, code: string, message: string, shape: SdkErrorShape = {}) {
    super(message);
    this.name = shape.name ?? code;
    this.Code = code;
    this.$service = service;
    const serverStatus = SERVER_ERRORS[code];
    this.$fault = serverStatus === undefined ? 'client' : 'server';
    this.$metadata = {
      httpStatusCode: shape.status ?? serverStatus ?? STATUS_BY_CODE[code] ?? 400,
      requestId: 'sandbox',
      attempts: 1,
      totalRetryDelay: 0,
    };
  }
}

/** The AWS error `code` from `service`, to throw. */
export function awsError(
  service: string,
  code: string,
  message: string,
  shape?: SdkErrorShape,
): SandboxServiceError {
  return new SandboxServiceError(service, code, message, shape);
}

/**
 * One service's error factory. The SDK v3 names *modelled* exceptions after their class, not their wire code
 * (IAM's `NoSuchEntity` arrives as `NoSuchEntityException`, classic ELB's `LoadBalancerNotFound` as
 * `AccessPointNotFoundException`), and some carry another HTTP status; `shapes` lists them by wire code.
 * Unlisted codes keep the code as their name, as the SDK does for unmodelled errors.
 *
 * @example
 * const iamError = serviceErrors('IAM', { NoSuchEntity: { name: 'NoSuchEntityException', status: 404 } });
 * throw iamError('NoSuchEntity', 'The user with name alice cannot be found.');
 */
export function serviceErrors(
  service: string,
  shapes: Readonly<Record<string, SdkErrorShape>> = {},
): (code: string, message: string) => SandboxServiceError {
  return (code, message) => new SandboxServiceError(service, code, message, shapes[code]);
}

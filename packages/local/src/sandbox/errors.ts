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

/**
 * An error shaped like the AWS SDK v3's deserialized service exceptions: `name` is the AWS error code,
 * `$fault` says client or server, `$metadata.httpStatusCode` is set. Action code sees no difference.
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

  public constructor(service: string, code: string, message: string) {
    super(message);
    this.name = code;
    this.Code = code;
    this.$service = service;
    const serverStatus = SERVER_ERRORS[code];
    this.$fault = serverStatus === undefined ? 'client' : 'server';
    this.$metadata = {
      httpStatusCode: serverStatus ?? STATUS_BY_CODE[code] ?? 400,
      requestId: 'sandbox',
      attempts: 1,
      totalRetryDelay: 0,
    };
  }
}

/** Throws the AWS error `code` from `service`. */
export function awsError(service: string, code: string, message: string): SandboxServiceError {
  return new SandboxServiceError(service, code, message);
}

import { status } from '@grpc/grpc-js';

/** An error with a gRPC status code; everything else becomes INTERNAL. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
    /** Sent to the caller as trailing metadata (e.g. `retry-after`). */
    readonly trailers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** Bad input: INVALID_ARGUMENT, naming the field. */
export function invalidArgument(field: string, problem: string): RpcError {
  return new RpcError(status.INVALID_ARGUMENT, `${field}: ${problem}`);
}

/** Missing entity: NOT_FOUND. */
export function notFound(what: string): RpcError {
  return new RpcError(status.NOT_FOUND, `${what} not found`);
}

/** Wrong state for the operation: FAILED_PRECONDITION. */
export function failedPrecondition(message: string): RpcError {
  return new RpcError(status.FAILED_PRECONDITION, message);
}

/** No or bad credentials: UNAUTHENTICATED. */
export function unauthenticated(message = 'missing or invalid bearer token'): RpcError {
  return new RpcError(status.UNAUTHENTICATED, message);
}

/** Authenticated but not allowed: PERMISSION_DENIED. */
export function permissionDenied(message: string): RpcError {
  return new RpcError(status.PERMISSION_DENIED, message);
}

/** Over capacity for now: RESOURCE_EXHAUSTED, with `retry-after` (seconds) in the trailers. */
export function resourceExhausted(message: string, retryAfterSeconds: number): RpcError {
  return new RpcError(status.RESOURCE_EXHAUSTED, message, { 'retry-after': String(retryAfterSeconds) });
}

/** gRPC status → HTTP status, as Google's HTTP/JSON transcoding maps them (for HTTP edges of gRPC calls). */
export const HTTP_STATUS_OF_GRPC: Partial<Record<status, number>> = {
  [status.INVALID_ARGUMENT]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.FAILED_PRECONDITION]: 409,
  [status.ABORTED]: 409,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.UNAVAILABLE]: 503,
};

export { status };

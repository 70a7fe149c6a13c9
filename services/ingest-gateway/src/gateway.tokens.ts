/** The BearerTokenAuth both edges (gRPC and HTTP) authenticate callers with. */
export const AUTH = Symbol('labelloop.ingestGateway.auth');

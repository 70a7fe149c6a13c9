export * from './rpc-error';
export * from './grpc-server';
export * from './grpc-client';
export * from './bearer-auth';
export * from './same-secret';
export * from './model-scope';

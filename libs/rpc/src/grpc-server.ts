import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { create, DescMethod, DescService, fromBinary, MessageInitShape, MessageShape, toBinary } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { HealthImplementation } from 'grpc-health-check';
import type { LoggerService } from '@nestjs/common';
import { contextFromTraceparent, SpanKind, withSpan } from '@labelloop/observability';
import { RpcError } from './rpc-error';

/** What a handler knows about its call. */
export interface RpcContext {
  /** `/<package.Service>/<Method>`. */
  path: string;
  metadata: grpc.Metadata;
  /** Who called, as returned by the server's `authenticate` hook. */
  principal?: unknown;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
}

/** Implementation of a protobuf-es service: one async function per unary method. */
export type ServiceImpl<M extends GenServiceMethods> = {
  [K in keyof M]: (request: MessageShape<M[K]['input']>, ctx: RpcContext) => Promise<MessageInitShape<M[K]['output']>>;
};

/** Decides who the caller is, or throws an RpcError (UNAUTHENTICATED / PERMISSION_DENIED). */
export type Authenticate = (metadata: grpc.Metadata, path: string) => unknown | Promise<unknown>;

/** gRPC method path of a protobuf-es method, `/<service>/<method>`. */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

const wireSizes = new WeakMap<object, number>();

/** Size in bytes of a request as it arrived on the wire (undefined for one not received by a GrpcServer). */
export function wireSize(request: object): number | undefined {
  return wireSizes.get(request);
}

/** grpc-js service definition for a protobuf-es service (toBinary / fromBinary codecs). */
export function serviceDefinition(service: DescService): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methods) {
    if (m.methodKind !== 'unary') throw new Error(`${methodPath(m)}: only unary methods are supported`);
    def[m.localName] = {
      path: methodPath(m),
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: unknown) => Buffer.from(toBinary(m.input, v as MessageShape<typeof m.input>)),
      requestDeserialize: (b: Buffer) => {
        const msg = fromBinary(m.input, b);
        wireSizes.set(msg, b.length);
        return msg;
      },
      responseSerialize: (v: unknown) => Buffer.from(toBinary(m.output, v as MessageShape<typeof m.output>)),
      responseDeserialize: (b: Buffer) => fromBinary(m.output, b),
    };
  }
  return def;
}

/** Options of a LabelLoop gRPC server. */
export interface GrpcServerOptions {
  logger?: LoggerService;
  authenticate?: Authenticate;
  /** Paths that need no authentication (health is always open). */
  publicPaths?: string[];
  /** Serve TLS with this key pair; with `clientCa`, also require client certificates it signed (mTLS). */
  tls?: TlsMaterial;
}

/**
 * Reads the TLS files named by the GRPC_TLS_* settings: undefined when none is set; an error
 * naming the setting when only some are, or a file cannot be read.
 */
export function loadTlsMaterial(c: { GRPC_TLS_CERT_FILE?: string; GRPC_TLS_KEY_FILE?: string; GRPC_TLS_CLIENT_CA_FILE?: string }): TlsMaterial | undefined {
  if (!c.GRPC_TLS_CERT_FILE && !c.GRPC_TLS_KEY_FILE && !c.GRPC_TLS_CLIENT_CA_FILE) return undefined;
  if (!c.GRPC_TLS_CERT_FILE || !c.GRPC_TLS_KEY_FILE)
    throw new Error('GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE go together (and GRPC_TLS_CLIENT_CA_FILE needs both)');
  const read = (name: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new Error(`${name} ${file}: ${(e as Error).message}`);
    }
  };
  return {
    cert: read('GRPC_TLS_CERT_FILE', c.GRPC_TLS_CERT_FILE),
    key: read('GRPC_TLS_KEY_FILE', c.GRPC_TLS_KEY_FILE),
    clientCa: c.GRPC_TLS_CLIENT_CA_FILE ? read('GRPC_TLS_CLIENT_CA_FILE', c.GRPC_TLS_CLIENT_CA_FILE) : undefined,
  };
}

/** PEM key material of a TLS endpoint. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
}

/**
 * A grpc-js server for protobuf-es services with the behaviour every LabelLoop API shares:
 * `grpc.health.v1` health, errors mapped to status codes (an unexpected error is INTERNAL
 * and logged, never leaked), a server span continuing the caller's `traceparent`, and an
 * authentication hook.
 */
export class GrpcServer {
  readonly server = new grpc.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  readonly health = new HealthImplementation({ '': 'NOT_SERVING' });
  private port?: number;

  constructor(private readonly opts: GrpcServerOptions = {}) {
    this.health.addToServer(this.server);
  }

  /** Registers a service implementation. */
  add<M extends GenServiceMethods>(service: GenService<M>, impl: ServiceImpl<M>): this {
    const handlers: grpc.UntypedServiceImplementation = {};
    for (const m of (service as unknown as DescService).methods) {
      const fn = (impl as Record<string, (req: unknown, ctx: RpcContext) => Promise<unknown>>)[m.localName];
      if (!fn) throw new Error(`${methodPath(m)} is not implemented`);
      handlers[m.localName] = this.unary(m, fn.bind(impl));
    }
    this.server.addService(serviceDefinition(service as unknown as DescService), handlers);
    this.health.setStatus((service as unknown as DescService).typeName, 'NOT_SERVING');
    return this;
  }

  /** Binds and starts; returns the bound port (useful with port 0). */
  async listen(host: string, port: number): Promise<number> {
    const t = this.opts.tls;
    // With a client CA, callers must present a certificate it signed (mTLS); without, TLS only.
    const creds = t
      ? grpc.ServerCredentials.createSsl(t.clientCa ?? null, [{ private_key: t.key, cert_chain: t.cert }], !!t.clientCa)
      : grpc.ServerCredentials.createInsecure();
    this.port = await new Promise<number>((resolve, reject) => this.server.bindAsync(`${host}:${port}`, creds, (err, p) => (err ? reject(err) : resolve(p))));
    return this.port;
  }

  /** Flips health to SERVING / NOT_SERVING (readiness). */
  setServing(serving: boolean): void {
    this.health.setStatus('', serving ? 'SERVING' : 'NOT_SERVING');
  }

  /** Graceful stop, forced after `graceMs` (tryShutdown can hang on a vanished client). */
  async stop(graceMs = 5000): Promise<void> {
    this.setServing(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private unary(method: DescMethod, fn: (req: unknown, ctx: RpcContext) => Promise<unknown>): grpc.handleUnaryCall<unknown, unknown> {
    const path = methodPath(method);
    return (call, callback) => {
      const ac = new AbortController();
      call.on('cancelled', () => ac.abort());
      const tp = call.metadata.get('traceparent')[0];
      withSpan(
        path,
        {
          parent: contextFromTraceparent(typeof tp === 'string' ? tp : undefined),
          kind: SpanKind.SERVER,
          attributes: { 'rpc.system': 'grpc', 'rpc.method': path },
        },
        async () => {
          const principal = this.opts.authenticate && !this.opts.publicPaths?.includes(path) ? await this.opts.authenticate(call.metadata, path) : undefined;
          const out = await fn(call.request, { path, metadata: call.metadata, principal, signal: ac.signal });
          return create(method.output, out as MessageInitShape<typeof method.output>);
        },
      ).then(
        (res) => callback(null, res),
        (err) => callback(this.toServiceError(path, err)),
      );
    };
  }

  private toServiceError(path: string, err: unknown): Partial<grpc.ServiceError> {
    if (err instanceof RpcError) {
      const metadata = new grpc.Metadata();
      for (const [k, v] of Object.entries(err.trailers)) metadata.set(k, v);
      return { code: err.code, details: err.message, message: err.message, metadata };
    }
    this.opts.logger?.error({ msg: 'unexpected error in RPC', path, error: (err as Error)?.message, stack: (err as Error)?.stack }, 'GrpcServer');
    return { code: grpc.status.INTERNAL, details: 'internal error', message: 'internal error' };
  }
}

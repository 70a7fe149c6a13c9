import * as grpc from '@grpc/grpc-js';
import { create, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { currentTraceparent } from '@labelloop/observability';
import { serviceDefinition } from './grpc-server';

/** Typed promise client of a protobuf-es service. */
export type ServiceClient<M extends GenServiceMethods> = {
  [K in keyof M]: (
    request: MessageInitShape<M[K]['input']>,
    opts?: { deadlineMs?: number; metadata?: Record<string, string> },
  ) => Promise<MessageShape<M[K]['output']>>;
} & { close(): void };

/**
 * Channel credentials for a TLS server: trust `ca`, and present `cert`/`key` when the server
 * asks for a client certificate (mTLS).
 */
export function tlsCredentials(ca: Buffer, client?: { cert: Buffer; key: Buffer }): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(ca, client?.key ?? null, client?.cert ?? null);
}

/**
 * Creates a client for `service` at `address`. Every call has a deadline (default 10 s),
 * carries the active trace context, and sends `authorization: Bearer <token>` when given.
 */
export function createGrpcClient<M extends GenServiceMethods>(
  service: GenService<M>,
  address: string,
  opts: { token?: string; credentials?: grpc.ChannelCredentials; defaultDeadlineMs?: number } = {},
): ServiceClient<M> {
  const desc = service as unknown as DescService;
  const Ctor = grpc.makeGenericClientConstructor(serviceDefinition(desc), desc.typeName);
  const client = new Ctor(address, opts.credentials ?? grpc.credentials.createInsecure());
  const out: Record<string, unknown> = { close: () => client.close() };
  for (const m of desc.methods) {
    out[m.localName] = (req: MessageInitShape<typeof m.input>, callOpts: { deadlineMs?: number; metadata?: Record<string, string> } = {}) =>
      new Promise((resolve, reject) => {
        const md = new grpc.Metadata();
        if (opts.token) md.set('authorization', `Bearer ${opts.token}`);
        const tp = currentTraceparent();
        if (tp) md.set('traceparent', tp);
        for (const [k, v] of Object.entries(callOpts.metadata ?? {})) md.set(k, v);
        const deadline = new Date(Date.now() + (callOpts.deadlineMs ?? opts.defaultDeadlineMs ?? 10_000));
        const call = (client as unknown as Record<string, (...a: unknown[]) => void>)[m.localName];
        call.call(client, create(m.input, req), md, { deadline }, (err: grpc.ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res)));
      });
  }
  return out as ServiceClient<M>;
}

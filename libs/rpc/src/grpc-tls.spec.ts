/**
 * gRPC over TLS and mTLS on loopback, with the test certificates in test-fixtures/tls (see its
 * README): a TLS server refuses plaintext callers; an mTLS server refuses callers without a
 * client certificate, or with one signed by another CA, and serves those with a good one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { QaService } from '@labelloop/contracts';
import { createGrpcClient, tlsCredentials } from './grpc-client';
import { GrpcServer, loadTlsMaterial, ServiceImpl } from './grpc-server';

const dir = join(__dirname, '..', 'test-fixtures', 'tls');
const pem = (f: string) => readFileSync(join(dir, f));

/** Every QaService method answers "pending": enough to see whether a call got through. */
const impl = new Proxy({}, { get: () => async () => ({ state: 'pending' }) }) as ServiceImpl<(typeof QaService)['method']>;

async function serve(withClientCa: boolean): Promise<{ server: GrpcServer; address: string }> {
  const tls = loadTlsMaterial({
    GRPC_TLS_CERT_FILE: join(dir, 'server.crt'),
    GRPC_TLS_KEY_FILE: join(dir, 'server.key'),
    GRPC_TLS_CLIENT_CA_FILE: withClientCa ? join(dir, 'ca.crt') : undefined,
  });
  const server = new GrpcServer({ tls }).add(QaService, impl);
  const port = await server.listen('127.0.0.1', 0);
  server.setServing(true);
  return { server, address: `127.0.0.1:${port}` };
}

const outcome = async (address: string, credentials?: Parameters<typeof createGrpcClient>[2]['credentials']) => {
  const c = createGrpcClient(QaService, address, { credentials, defaultDeadlineMs: 3000 });
  try {
    return (await c.getItemDecision({ itemId: 'x' })).state;
  } catch (e) {
    return status[(e as { code: number }).code];
  } finally {
    c.close();
  }
};

describe('gRPC TLS', () => {
  it('serves TLS callers that trust its CA, and no plaintext caller', async () => {
    const { server, address } = await serve(false);
    try {
      expect(await outcome(address, tlsCredentials(pem('ca.crt')))).toBe('pending');
      expect(await outcome(address)).toBe('UNAVAILABLE');
      expect(await outcome(address, tlsCredentials(pem('rogue-ca.crt')))).toBe('UNAVAILABLE'); // does not trust the server
    } finally {
      await server.stop(100);
    }
  });

  it('with a client CA (mTLS), serves only callers presenting a certificate that CA signed', async () => {
    const { server, address } = await serve(true);
    try {
      expect(await outcome(address, tlsCredentials(pem('ca.crt'), { cert: pem('client.crt'), key: pem('client.key') }))).toBe('pending');
      expect(await outcome(address, tlsCredentials(pem('ca.crt')))).toBe('UNAVAILABLE');
      expect(await outcome(address, tlsCredentials(pem('ca.crt'), { cert: pem('rogue-client.crt'), key: pem('rogue-client.key') }))).toBe('UNAVAILABLE');
    } finally {
      await server.stop(100);
    }
  });

  it('refuses an incomplete or unreadable configuration, naming the setting', () => {
    expect(loadTlsMaterial({})).toBeUndefined();
    expect(() => loadTlsMaterial({ GRPC_TLS_CERT_FILE: join(dir, 'server.crt') })).toThrow('GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE go together');
    expect(() => loadTlsMaterial({ GRPC_TLS_CLIENT_CA_FILE: join(dir, 'ca.crt') })).toThrow('go together');
    expect(() => loadTlsMaterial({ GRPC_TLS_CERT_FILE: '/nonexistent/tls.crt', GRPC_TLS_KEY_FILE: join(dir, 'server.key') })).toThrow(
      /^GRPC_TLS_CERT_FILE \/nonexistent\/tls.crt: ENOENT/,
    );
  });
});

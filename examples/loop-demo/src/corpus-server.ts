/**
 * The demo's content source: the SpamAssassin messages behind `spamassassin://<group>/<number>`
 * over HTTP on loopback (GET /messages/<group>/<number> → the subject and body the inference
 * service classified), so annotation-dispatch shows annotators the e-mail, not its URI, through
 * DISPATCH_CONTENT_RESOLVERS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordOfUri } from './scenario';

/** The running server: the resolver config for dispatch, and how to stop it. */
export interface CorpusServer {
  /** DISPATCH_CONTENT_RESOLVERS for annotation-dispatch. */
  resolvers: string;
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1 (a free port). */
export async function startCorpusServer(): Promise<CorpusServer> {
  const server = createServer((req, res) => {
    const m = /^\/messages\/(.+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const record = m && req.method === 'GET' ? recordOfUri(`spamassassin://${decodeURIComponent(m[1])}`) : undefined;
    if (!record) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no such message');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(record.text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    resolvers: JSON.stringify({ spamassassin: `${base}/messages/{path}` }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** A real HTTP server on 127.0.0.1 serving item texts, standing in for a content source (node:http, not a mock). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The server's base URL, the paths it was asked for, and how to stop it. */
export interface ContentServer {
  base: string;
  requested: string[];
  close(): Promise<void>;
}

/** Serves `texts[path]` as text/plain at `/<path>` (404 for any other path). */
export async function contentServer(texts: Record<string, string>): Promise<ContentServer> {
  const requested: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    requested.push(path);
    const text = texts[path];
    if (text === undefined) res.writeHead(404).end('not found');
    else res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requested, close: () => new Promise<void>((r) => server.close(() => r())) };
}

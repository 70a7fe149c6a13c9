import type { IncomingMessage, ServerResponse } from 'node:http';

/** Sends a complete response (Nest's @Res() hands over the raw response). */
export function respond(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, ...headers });
  res.end(body);
}

/** 303 See Other to `location`. */
export function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  respond(res, 303, 'text/plain; charset=utf-8', `See ${location}`, { Location: location, ...headers });
}

/** The request's path without its query string. */
export function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0];
}

/** HTML content type. */
export const HTML = 'text/html; charset=utf-8';

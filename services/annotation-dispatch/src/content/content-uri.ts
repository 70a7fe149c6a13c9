import { z } from '@labelloop/config';

/** Schemes the resolver handles itself; DISPATCH_CONTENT_RESOLVERS may not redefine them. */
export const BUILT_IN_SCHEMES = ['http', 'https', 's3', 'data'] as const;

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/**
 * DISPATCH_CONTENT_RESOLVERS: a JSON object mapping a custom scheme to an http(s) URL template
 * holding `{path}` or `{uri}`. Parsed and checked once at start; an error names the scheme.
 */
export const contentResolversSchema = z
  .string()
  .default('{}')
  .transform((s, ctx): unknown => {
    try {
      return JSON.parse(s);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `is not JSON: ${(e as Error).message}` });
      return z.NEVER;
    }
  })
  .pipe(
    z.record(
      z
        .string()
        .regex(SCHEME, 'a scheme is lower-case letters, digits, "+", "-" or "."')
        .refine((s) => !(BUILT_IN_SCHEMES as readonly string[]).includes(s), 'is built in (http, https, s3, data)'),
      z
        .string()
        .url()
        .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL template')
        .refine((u) => u.includes('{path}') || u.includes('{uri}'), 'must contain {path} or {uri}'),
    ),
  );

/** What an item's input URI says about where its content is. */
export type ContentRef =
  /** The text itself: a URI without a scheme (inline text on the request) or a `data:` text URI. */
  | { kind: 'text'; text: string }
  /** An http(s) URL (or a non-text `data:` URI) the annotator's tool can load itself. */
  | { kind: 'url'; url: string }
  /** An S3 object, shown through a presigned or plain URL. */
  | { kind: 's3'; bucket: string; key: string }
  /** A custom scheme: the URL the service fetches the text from. */
  | { kind: 'custom'; scheme: string; url: string }
  /** Nothing can show it: the reason names the scheme. */
  | { kind: 'unresolvable'; scheme: string; reason: string };

/**
 * A URI is `scheme://…` with no whitespace, `s3://<bucket>/<key>` or `data:<params>,<data>`; anything else is the item's text carried
 * inline (so "Re: hello" or "see http://x.example now" stay text).
 */
const URI = /^([a-z][a-z0-9+.-]*):\/\/\S*$/i;

/** The scheme of an input URI (lower case), `data`, or undefined for inline text. */
export function schemeOf(uri: string): string | undefined {
  if (/^data:[^,\s]*,/i.test(uri)) return 'data';
  // S3 keys are written as they are (as the AWS CLI takes them), spaces included.
  if (/^s3:\/\/\S/i.test(uri)) return 's3';
  return URI.exec(uri)?.[1].toLowerCase();
}

/** Where an item's content is, from its input URI and the configured custom resolvers. */
export function contentRef(uri: string, resolvers: Readonly<Record<string, string>>): ContentRef {
  const scheme = schemeOf(uri);
  if (scheme === undefined) return { kind: 'text', text: uri };
  if (scheme === 'http' || scheme === 'https') return { kind: 'url', url: uri };
  if (scheme === 'data') return dataRef(uri);
  const rest = uri.slice(scheme.length + 3);
  if (scheme === 's3') {
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const key = slash < 0 ? '' : rest.slice(slash + 1);
    if (!bucket || !key) return { kind: 'unresolvable', scheme, reason: 'an s3 URI needs s3://<bucket>/<key>' };
    return { kind: 's3', bucket, key };
  }
  const template = resolvers[scheme];
  if (!template) return { kind: 'unresolvable', scheme, reason: `no resolver for the "${scheme}" scheme (DISPATCH_CONTENT_RESOLVERS)` };
  return { kind: 'custom', scheme, url: expandTemplate(template, uri, rest) };
}

/** The template with `{path}` (each segment percent-encoded, "/" kept) and `{uri}` (all encoded). */
export function expandTemplate(template: string, uri: string, path: string): string {
  const encodedPath = path
    .split('/')
    .map((seg) => encodeURIComponent(safeDecode(seg)))
    .join('/');
  return template.replaceAll('{path}', encodedPath).replaceAll('{uri}', encodeURIComponent(uri));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `data:[<type>][;charset=…][;base64],<data>` (RFC 2397): text types become text, others a URL. */
function dataRef(uri: string): ContentRef {
  const comma = uri.indexOf(',');
  if (comma < 0) return { kind: 'unresolvable', scheme: 'data', reason: 'a data URI needs a "," before its data' };
  const params = uri
    .slice(5, comma)
    .split(';')
    .map((p) => p.trim().toLowerCase());
  const type = params[0] || 'text/plain';
  if (!type.startsWith('text/')) return { kind: 'url', url: uri };
  const payload = uri.slice(comma + 1);
  const text = params.includes('base64') ? Buffer.from(safeDecode(payload), 'base64').toString('utf8') : safeDecode(payload);
  return { kind: 'text', text };
}

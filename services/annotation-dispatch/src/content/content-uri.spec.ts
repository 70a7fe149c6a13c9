import { dispatchConfigSchema } from '../dispatch.config';
import { contentRef, expandTemplate, schemeOf } from './content-uri';

const resolvers = { spamassassin: 'http://127.0.0.1:9/messages/{path}', corpus: 'https://c.example/get?u={uri}' };
const parse = (env: Record<string, string>) => dispatchConfigSchema.safeParse({ KAFKA_BROKERS: 'k:1', DATABASE_URL: 'postgres://x', ...env });

describe('contentRef: where an item is, by scheme', () => {
  it('keeps text without a scheme as inline text, even text with a colon or a URL inside', () => {
    for (const t of ['WIN a FREE cruise, reply now', 'Re: minutes', 'see http://x.example now', 'http://x.example click here'])
      expect(contentRef(t, resolvers)).toEqual({ kind: 'text', text: t });
    expect(schemeOf('Re: minutes')).toBeUndefined();
  });

  it('passes http(s) URLs on as URLs', () => {
    expect(contentRef('https://cdn.example/a/b.txt?x=1', resolvers)).toEqual({ kind: 'url', url: 'https://cdn.example/a/b.txt?x=1' });
    expect(contentRef('HTTP://cdn.example/a', resolvers)).toEqual({ kind: 'url', url: 'HTTP://cdn.example/a' });
  });

  it('decodes data: text URIs (percent-encoded and base64) and keeps other media types as URLs', () => {
    expect(contentRef('data:,hello%20world', resolvers)).toEqual({ kind: 'text', text: 'hello world' });
    expect(contentRef('data:text/plain;charset=utf-8,caf%C3%A9 au lait', resolvers)).toEqual({ kind: 'text', text: 'café au lait' });
    expect(contentRef(`data:text/plain;base64,${Buffer.from('Grüße, Ada').toString('base64')}`, resolvers)).toEqual({ kind: 'text', text: 'Grüße, Ada' });
    expect(contentRef('data:image/png;base64,iVBORw0KGgo=', resolvers)).toEqual({ kind: 'url', url: 'data:image/png;base64,iVBORw0KGgo=' });
  });

  it('splits s3://bucket/key and refuses one without a key', () => {
    expect(contentRef('s3://media/emails/2024/01 a.txt', resolvers)).toEqual({ kind: 's3', bucket: 'media', key: 'emails/2024/01 a.txt' });
    expect(contentRef('s3://media', resolvers)).toMatchObject({ kind: 'unresolvable', scheme: 's3' });
  });

  it('maps a custom scheme through its template, and names a scheme without one', () => {
    expect(contentRef('spamassassin://easy-ham-1/00001', resolvers)).toEqual({
      kind: 'custom',
      scheme: 'spamassassin',
      url: 'http://127.0.0.1:9/messages/easy-ham-1/00001',
    });
    expect(contentRef('corpus://a/b', resolvers)).toEqual({ kind: 'custom', scheme: 'corpus', url: 'https://c.example/get?u=corpus%3A%2F%2Fa%2Fb' });
    const none = contentRef('gs://bucket/obj', resolvers);
    expect(none).toMatchObject({ kind: 'unresolvable', scheme: 'gs' });
    expect(none.kind === 'unresolvable' && none.reason).toContain('"gs"');
  });

  it('percent-encodes path segments, keeping the slashes, and never double-encodes', () => {
    expect(expandTemplate('http://h/{path}', 'x://a b/c%20d/?#', 'a b/c%20d/?#')).toBe('http://h/a%20b/c%20d/%3F%23');
  });
});

describe('DISPATCH_CONTENT_RESOLVERS', () => {
  it('parses a JSON object of scheme → template (default: none)', () => {
    const ok = parse({ DISPATCH_CONTENT_RESOLVERS: JSON.stringify({ spamassassin: 'http://127.0.0.1:8000/m/{path}' }) });
    expect(ok.success && ok.data.DISPATCH_CONTENT_RESOLVERS).toEqual({ spamassassin: 'http://127.0.0.1:8000/m/{path}' });
    const none = parse({});
    expect(none.success && none.data.DISPATCH_CONTENT_RESOLVERS).toEqual({});
  });

  it.each([
    ['not JSON', '{spamassassin:', 'is not JSON'],
    ['a built-in scheme', '{"s3":"http://h/{path}"}', 'is built in'],
    ['a template without a placeholder', '{"x":"http://h/fixed"}', 'must contain {path} or {uri}'],
    ['a non-HTTP template', '{"x":"ftp://h/{path}"}', 'must be an http(s) URL template'],
    ['an invalid scheme', '{"Bad Scheme":"http://h/{path}"}', 'a scheme is lower-case'],
  ])('refuses %s, naming the variable', (_what, value, message) => {
    const r = parse({ DISPATCH_CONTENT_RESOLVERS: value });
    expect(r.success).toBe(false);
    const issue = r.error?.issues[0];
    expect(issue?.path[0]).toBe('DISPATCH_CONTENT_RESOLVERS');
    expect(issue?.message).toContain(message);
  });
});

/** AUTH_TOKENS holds every token: an error about it names the variable and the problem, never its content. */
import { BearerTokenAuth } from './bearer-auth';

describe('AUTH_TOKENS parsing', () => {
  const token = 's3cr3t-Tok3n';
  const malformed = [
    token, // not JSON at all
    `[{"token":"${token}",}]`, // a trailing comma
    `[{"token": "${token}`, // cut short
    `{"token":"${token}","subject":"ci","roles":["service"],"projects":["*"]}`, // not an array
    `[{"token":"${token}","subject":"ci","roles":"service","projects":["*"]}]`, // roles not a list
    `["${token}"]`, // an entry that is not an object
  ];

  it.each(malformed.map((v, i) => [i, v]))('case %i: refused, the message naming AUTH_TOKENS without echoing it', (_i, value) => {
    let message = '';
    try {
      BearerTokenAuth.fromJson(value);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^AUTH_TOKENS/);
    expect(message).not.toContain(token);
    expect(message).not.toMatch(/s3cr|Tok3n|"/);
  });

  it('accepts a valid list and resolves its tokens', () => {
    const auth = BearerTokenAuth.fromJson(JSON.stringify([{ token, subject: 'ci', roles: ['service'], projects: ['*'] }]));
    expect(auth.resolve(token)?.subject).toBe('ci');
    expect(auth.resolve('other')).toBeUndefined();
  });
});

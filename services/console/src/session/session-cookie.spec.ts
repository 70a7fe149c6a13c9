import { tokenCookie, tokenFromCookieHeader } from './session-cookie';

describe('session cookie', () => {
  it('round-trips a token through Set-Cookie and Cookie', () => {
    const set = tokenCookie('lead token/1', false);
    expect(set).toBe('labelloop_token=lead%20token%2F1; Path=/; HttpOnly; SameSite=Strict');
    expect(tokenFromCookieHeader(`other=1; ${set.split(';')[0]}`)).toBe('lead token/1');
  });

  it('is Secure in production and cleared by an empty token', () => {
    expect(tokenCookie('t', true)).toContain('; Secure');
    expect(tokenCookie('', false)).toContain('Max-Age=0');
    expect(tokenFromCookieHeader('labelloop_token=')).toBeUndefined();
    expect(tokenFromCookieHeader(undefined)).toBeUndefined();
  });
});

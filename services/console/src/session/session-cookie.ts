/** Name of the cookie that holds the user's API token. */
export const TOKEN_COOKIE = 'labelloop_token';

/** The token in a request's Cookie header, if any. */
export function tokenFromCookieHeader(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0 || part.slice(0, i).trim() !== TOKEN_COOKIE) continue;
    const v = decodeURIComponent(part.slice(i + 1).trim());
    return v || undefined;
  }
  return undefined;
}

/**
 * Set-Cookie for a token: HttpOnly (no script reads it), SameSite=Strict (no other site's
 * form or link sends it, which is what guards the console's POSTs), Secure in production.
 * An empty token clears the cookie.
 */
export function tokenCookie(token: string, secure: boolean): string {
  const attrs = ['Path=/', 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : []), ...(token ? [] : ['Max-Age=0'])];
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; ${attrs.join('; ')}`;
}

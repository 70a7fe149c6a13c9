import { timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { permissionDenied, unauthenticated } from './rpc-error';
import { secretDigest } from './same-secret';

/** Roles a caller can hold. */
export type Role = 'annotator' | 'reviewer' | 'admin' | 'service';

/** An authenticated caller. */
export interface Principal {
  subject: string;
  roles: Role[];
  /** Project ids the caller may act in; `*` means all. */
  projects: string[];
}

/** One configured token. */
export interface TokenGrant extends Principal {
  token: string;
}

/**
 * Resolves bearer tokens to principals. Tokens come from configuration (an environment
 * variable or a mounted secret file), are compared in constant time, and never logged.
 */
export class BearerTokenAuth {
  private readonly grants: { hash: Buffer; principal: Principal }[];

  constructor(grants: TokenGrant[]) {
    this.grants = grants.map(({ token, ...principal }) => ({ hash: secretDigest(token), principal }));
  }

  /**
   * Parses `AUTH_TOKENS` JSON: `[{"token","subject","roles":[...],"projects":[...]}]`. An error
   * names the variable and where or what the problem is, never any of the value's characters:
   * the value holds every token (JSON.parse's own message quotes it).
   */
  static fromJson(json: string | undefined): BearerTokenAuth {
    if (!json) return new BearerTokenAuth([]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (e) {
      const at = /at position (\d+)/.exec((e as Error).message);
      throw new Error(`AUTH_TOKENS is not valid JSON${at ? ` (at character ${at[1]})` : ''}; the value is not shown, it holds the tokens`);
    }
    if (!Array.isArray(parsed)) throw new Error('AUTH_TOKENS must be a JSON array of {token, subject, roles[], projects[]}');
    parsed.forEach((g: Partial<TokenGrant> | null, i) => {
      if (!g || typeof g.token !== 'string' || !g.token || typeof g.subject !== 'string' || !g.subject || !Array.isArray(g.roles) || !Array.isArray(g.projects)) {
        throw new Error(`AUTH_TOKENS[${i}] needs token and subject (strings), roles[] and projects[]`);
      }
    });
    return new BearerTokenAuth(parsed as TokenGrant[]);
  }

  /** The principal of a token, or undefined. */
  resolve(token: string): Principal | undefined {
    const h = secretDigest(token);
    return this.grants.find((g) => timingSafeEqual(g.hash, h))?.principal;
  }

  /** The principal of an `authorization: Bearer <token>` header value (gRPC metadata or HTTP), or undefined. */
  fromHeader(header: unknown): Principal | undefined {
    const m = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
    return m ? this.resolve(m[1].trim()) : undefined;
  }

  /** gRPC hook: reads `authorization: Bearer <token>`; throws UNAUTHENTICATED otherwise. */
  authenticate = (metadata: Metadata): Principal => {
    const p = this.fromHeader(metadata.get('authorization')[0]);
    if (!p) throw unauthenticated();
    return p;
  };
}

/** Throws PERMISSION_DENIED unless `p` holds one of `roles` and may act in `projectId`. */
export function authorize(p: unknown, roles: Role[], projectId?: string): Principal {
  const principal = p as Principal | undefined;
  if (!principal) throw unauthenticated();
  if (!principal.roles.some((r) => roles.includes(r) || r === 'admin')) {
    throw permissionDenied(`requires role ${roles.join(' or ')}`);
  }
  if (projectId !== undefined && !principal.projects.includes('*') && !principal.projects.includes(projectId)) {
    throw permissionDenied(`no access to project ${projectId}`);
  }
  return principal;
}

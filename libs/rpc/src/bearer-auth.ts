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
      if (
        !g ||
        typeof g.token !== 'string' ||
        !g.token ||
        typeof g.subject !== 'string' ||
        !g.subject ||
        !Array.isArray(g.roles) ||
        !Array.isArray(g.projects)
      ) {
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

/**
 * The roles an `admin` holds besides its own: the human ones. `service` (automation: ingest,
 * run status, version cuts, training records) is never implied; a caller needs it granted.
 */
const IMPLIED_BY_ADMIN: readonly Role[] = ['reviewer', 'annotator'];

/** Whether `p` holds `role`, directly or as an admin standing in for a human role. */
export function holdsRole(p: Principal, role: Role): boolean {
  return p.roles.includes(role) || (p.roles.includes('admin') && IMPLIED_BY_ADMIN.includes(role));
}

/** Whether `p` may act in `projectId` (its scope lists the project, or is `*`). */
export function mayActIn(p: Principal, projectId: string): boolean {
  return p.projects.includes('*') || p.projects.includes(projectId);
}

/**
 * Throws UNAUTHENTICATED without a principal, PERMISSION_DENIED unless `p` holds one of `roles`
 * (an admin stands in for reviewer and annotator, never for service) and may act in
 * `projectId`. A call that names no project must still be scoped: model-scoped calls go through
 * {@link authorizeModels}, which finds the project from the model's stored owner.
 */
export function authorize(p: unknown, roles: Role[], projectId?: string): Principal {
  const principal = p as Principal | undefined;
  if (!principal) throw unauthenticated();
  if (!roles.some((r) => holdsRole(principal, r))) {
    throw permissionDenied(`requires role ${roles.join(' or ')}`);
  }
  if (projectId !== undefined && !mayActIn(principal, projectId)) {
    throw permissionDenied(`no access to project ${projectId}`);
  }
  return principal;
}

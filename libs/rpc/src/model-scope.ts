import { authorize, mayActIn, Principal, Role } from './bearer-auth';
import { permissionDenied } from './rpc-error';

/** Where a stage keeps its models' owning projects (`modelOwners` of libs/persistence). */
export interface ModelOwnerStore {
  owners(modelIds: string[]): Promise<Map<string, string>>;
  claim(modelIds: string[], projectId: string, by: string): Promise<Map<string, string>>;
}

/** How a model-scoped call uses its models. */
export interface ModelAccess {
  /** The call stores something for the models: a model without an owner is claimed by the caller's project. */
  write?: boolean;
  /** A project the request itself names for the models (a sampling policy's project): checked, and the one claimed. */
  project?: string;
}

/** The project a write claims unowned models for: the one the request names, else the caller's only project. */
function claimant(me: Principal, project: string | undefined): string | undefined {
  if (project !== undefined) return project;
  return me.projects.length === 1 && me.projects[0] !== '*' ? me.projects[0] : undefined;
}

/**
 * Authorizes a call on `modelIds` (requests carry no project for a model: its owner is stored).
 * The caller needs one of `roles` and, unless its scope is `*`, every model must belong to one
 * of its projects. A write claims models that have no owner yet for the caller's project, in
 * the store's transaction, so a refused or failed write claims nothing. A project-scoped
 * caller never reaches a model that is unowned after that: PERMISSION_DENIED.
 */
export async function authorizeModels(p: unknown, roles: Role[], modelIds: string[], store: ModelOwnerStore, access: ModelAccess = {}): Promise<Principal> {
  const me = authorize(p, roles, access.project);
  const ids = [...new Set(modelIds)];
  let owners = await store.owners(ids);
  const unowned = ids.filter((id) => !owners.has(id));
  const project = access.write && unowned.length > 0 ? claimant(me, access.project) : undefined;
  if (project !== undefined) owners = await store.claim(unowned, project, me.subject);
  if (me.projects.includes('*')) return me;
  for (const id of ids) {
    const owner = owners.get(id);
    if (owner === undefined) {
      throw permissionDenied(
        access.write
          ? `model ${id} belongs to no project yet; the first write by a token scoped to one project claims it`
          : `model ${id} belongs to no project of yours`,
      );
    }
    if (!mayActIn(me, owner)) throw permissionDenied(`model ${id} belongs to another project`);
  }
  return me;
}

/**
 * `store` as a check ahead of a write that happens later in its own transaction: a claim
 * reports the owners it would give and stores nothing.
 */
export function claimless(store: ModelOwnerStore): ModelOwnerStore {
  return {
    owners: (ids) => store.owners(ids),
    claim: async (ids, project) => new Map([...(await store.owners(ids)), ...ids.map((id): [string, string] => [id, project])]),
  };
}

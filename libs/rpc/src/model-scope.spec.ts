import { authorize, Principal } from './bearer-auth';
import { authorizeModels, claimless, ModelOwnerStore } from './model-scope';
import { status } from './rpc-error';

/** The decision of authorize / authorizeModels; the SQL store is exercised by test/e2e/project-scopes.e2e-spec.ts. */
const store = (owners: Record<string, string> = {}): ModelOwnerStore & { owned: Map<string, string> } => {
  const owned = new Map(Object.entries(owners));
  const pick = (ids: string[]) => new Map(ids.filter((id) => owned.has(id)).map((id): [string, string] => [id, owned.get(id)!]));
  return {
    owned,
    owners: async (ids) => pick(ids),
    claim: async (ids, project) => {
      for (const id of ids) if (!owned.has(id)) owned.set(id, project);
      return pick(ids);
    },
  };
};
const who = (roles: Principal['roles'], projects: string[]): Principal => ({ subject: 's', roles, projects });
const code = async (p: Promise<unknown> | (() => unknown)) => {
  try {
    await (typeof p === 'function' ? p() : p);
    return status.OK;
  } catch (e) {
    return (e as { code: number }).code;
  }
};

describe('authorize', () => {
  it('lets an admin stand in for reviewer and annotator, never for service', async () => {
    const admin = who(['admin'], ['*']);
    expect(await code(() => authorize(admin, ['reviewer']))).toBe(status.OK);
    expect(await code(() => authorize(admin, ['annotator']))).toBe(status.OK);
    expect(await code(() => authorize(admin, ['service']))).toBe(status.PERMISSION_DENIED);
    expect(await code(() => authorize(who(['admin'], ['a']), ['reviewer'], 'b'))).toBe(status.PERMISSION_DENIED);
    expect(await code(() => authorize(undefined, ['reviewer']))).toBe(status.UNAUTHENTICATED);
  });
});

describe('authorizeModels', () => {
  it('gives an unowned model to the first writer scoped to one project; the other project is then refused', async () => {
    const s = store();
    expect(await code(authorizeModels(who(['admin'], ['a']), ['admin'], ['m'], s, { write: true }))).toBe(status.OK);
    expect(s.owned.get('m')).toBe('a');
    expect(await code(authorizeModels(who(['admin'], ['b']), ['admin'], ['m'], s, { write: true }))).toBe(status.PERMISSION_DENIED);
    expect(await code(authorizeModels(who(['service'], ['b']), ['service'], ['m'], s))).toBe(status.PERMISSION_DENIED);
    expect(await code(authorizeModels(who(['service'], ['a', 'b']), ['service'], ['m'], s))).toBe(status.OK);
    expect(s.owned.get('m')).toBe('a');
  });

  it('refuses a whole batch when one model belongs to another project', async () => {
    const s = store({ mine: 'a', theirs: 'b' });
    expect(await code(authorizeModels(who(['service'], ['a']), ['service'], ['mine', 'new', 'theirs'], s, { write: true }))).toBe(status.PERMISSION_DENIED);
  });

  it('never lets a project-scoped reader reach an unowned model, and claims nothing on a read', async () => {
    const s = store();
    expect(await code(authorizeModels(who(['reviewer'], ['a']), ['reviewer'], ['m'], s))).toBe(status.PERMISSION_DENIED);
    expect(s.owned.size).toBe(0);
  });

  it('claims for the project the request names, and only one the caller may act in', async () => {
    const s = store();
    expect(await code(authorizeModels(who(['admin'], ['a']), ['admin'], ['m'], s, { write: true, project: 'b' }))).toBe(status.PERMISSION_DENIED);
    expect(s.owned.size).toBe(0);
    // A token over several projects must say which one.
    expect(await code(authorizeModels(who(['admin'], ['a', 'b']), ['admin'], ['m'], s, { write: true }))).toBe(status.PERMISSION_DENIED);
    expect(await code(authorizeModels(who(['admin'], ['a', 'b']), ['admin'], ['m'], s, { write: true, project: 'b' }))).toBe(status.OK);
    expect(s.owned.get('m')).toBe('b');
  });

  it('lets a global token through without claiming, unless the request names the project', async () => {
    const s = store({ owned: 'a' });
    expect(await code(authorizeModels(who(['service'], ['*']), ['service'], ['owned', 'free'], s, { write: true }))).toBe(status.OK);
    expect(s.owned.has('free')).toBe(false);
    expect(await code(authorizeModels(who(['admin'], ['*']), ['admin'], ['free'], s, { write: true, project: 'c' }))).toBe(status.OK);
    expect(s.owned.get('free')).toBe('c');
  });

  it('checks ahead of a later write without storing the claim (claimless)', async () => {
    const s = store({ theirs: 'b' });
    expect(await code(authorizeModels(who(['service'], ['a']), ['service'], ['m'], claimless(s), { write: true }))).toBe(status.OK);
    expect(s.owned.size).toBe(1);
    expect(await code(authorizeModels(who(['service'], ['a']), ['service'], ['theirs'], claimless(s), { write: true }))).toBe(status.PERMISSION_DENIED);
  });
});

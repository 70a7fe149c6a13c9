/**
 * The audit log on a real PostgreSQL: the database refuses changes (TRUNCATE included), entries
 * chain, the service's own login role can append and nothing else once the grants are applied,
 * and the verify command (tools/audit-verify) points at the first broken link after a superuser
 * tampered with a row behind the application's back, fails a missing or emptied log, and fails a
 * chain rewritten with every later hash recomputed against a head recorded before.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { auditVerify, createTestDatabase, rewriteAuditChain } from '@labelloop/testing';
import { createServiceDataSource, DataSource, migrate } from './data-source';
import { appendAudit, readChain, verifyChain } from './audit-log';
import { auditLogGrants } from './audit-log-grants';

describe('audit log (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;
  const verify = (...args: string[]) => auditVerify(db.url, ...args);

  beforeAll(async () => {
    db = await createTestDatabase('audit');
    ds = createServiceDataSource({ url: db.url, schema: 'annotation_dispatch' });
    await ds.initialize();
    await migrate(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('chains entries, refuses updates, and the verifier finds the first tampered entry', async () => {
    // Concurrent appends still form one chain (the append takes an advisory lock). Entry 1 is
    // the one the migration writes.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        ds.transaction((em) =>
          appendAudit(em, { actor: `annotator-${i % 3}`, action: 'label.submitted', subject: `task-${i}`, detail: { classes: ['spam'] } }),
        ),
      ),
    );
    expect(verifyChain(await readChain(ds, 'annotation_dispatch'))).toEqual({ ok: true, entries: 21 });
    await expect(ds.query(`UPDATE annotation_dispatch.audit_log SET actor = 'mallory' WHERE seq = 7`)).rejects.toThrow(/append-only/);
    await expect(ds.query('TRUNCATE annotation_dispatch.audit_log')).rejects.toThrow(/append-only/);
    const ok = verify('annotation_dispatch');
    expect(ok).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^annotation_dispatch: ok, 21 entries; head --head annotation_dispatch=21:[0-9a-f]{64}\n$/),
    });

    // A superuser disables the trigger and rewrites history.
    await ds.query('ALTER TABLE annotation_dispatch.audit_log DISABLE TRIGGER audit_log_no_change');
    await ds.query(`UPDATE annotation_dispatch.audit_log SET detail = '{"classes":["ham"]}' WHERE seq = 7`);
    await ds.query('ALTER TABLE annotation_dispatch.audit_log ENABLE TRIGGER audit_log_no_change');
    expect(verify('annotation_dispatch')).toEqual({
      code: 1,
      out: 'annotation_dispatch: BROKEN at entry 7: entry 7 was altered (its content no longer matches its hash)\n',
    });
  });

  it('fails a rewrite with recomputed successors against the head it printed before', async () => {
    const schema = 'qa';
    const qa = createServiceDataSource({ url: db.url, schema });
    await qa.initialize();
    try {
      await migrate(qa);
      for (let i = 0; i < 5; i++)
        await qa.transaction((em) => appendAudit(em, { actor: 'admin', action: 'qa.policy.updated', subject: 'p1', detail: { version: i + 1 } }));
      const recorded = (/head (--head \S+)/.exec(verify(schema).out)?.[1] ?? '').split(' ')[1];
      await rewriteAuditChain(qa, schema, 3, { version: 99 });
      expect(verify(schema)).toMatchObject({ code: 0 }); // consistent in itself
      expect(verify(schema, '--head', recorded)).toEqual({
        code: 1,
        out: expect.stringMatching(
          /^qa: BROKEN at entry 6: entry 6 has hash [0-9a-f]{12}…, a recorded head \(--head 6:[0-9a-f]{12}…\) says [0-9a-f]{12}…: the chain was rewritten at or before entry 6\n$/,
        ),
      });
      expect(verify(schema, '--head', 'qa=6:xyz')).toMatchObject({
        code: 2,
        out: expect.stringContaining('--head "qa=6:xyz": expected <schema>=<entries>:<64 hex digits>'),
      });
      expect(verify(schema, '--heads')).toMatchObject({ code: 2, out: expect.stringContaining("Unknown option '--heads'") });
    } finally {
      await qa.destroy();
    }
  });

  it('fails a missing log and an emptied one', async () => {
    const schema = 'sampling';
    const s = createServiceDataSource({ url: db.url, schema });
    await s.initialize();
    try {
      expect(verify(schema)).toEqual({
        code: 1,
        out: 'sampling: MISSING: no audit log (it is created with the schema, so it was dropped, or the schema name is wrong)\n',
      });
      await migrate(s);
      expect(verify(schema)).toMatchObject({ code: 0, out: expect.stringContaining('sampling: ok, 1 entries') });
      await s.query('ALTER TABLE sampling.audit_log DISABLE TRIGGER USER');
      await s.query('TRUNCATE sampling.audit_log');
      expect(verify(schema)).toEqual({
        code: 1,
        out: 'sampling: BROKEN at entry 1: the log is empty (its first entry is written when it is created, so entries were deleted)\n',
      });
    } finally {
      await s.destroy();
    }
  });
});

describe('audit log as the service login role (real PostgreSQL)', () => {
  const run = randomUUID().replace(/-/g, '').slice(0, 8);
  const serviceRole = `ll_svc_${run}`;
  const ownerRole = `ll_audit_owner_${run}`;
  const schema = 'retrain_trigger';
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let admin: Client;
  let svc: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('auditrole');
    admin = new Client({ connectionString: db.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${ownerRole} NOLOGIN`);
    await admin.query(`CREATE ROLE ${serviceRole} LOGIN PASSWORD 'svc'`);
    await admin.query(`GRANT CREATE ON DATABASE ${db.name} TO ${serviceRole}`);
    // As in production: the stage's login role creates its schema and runs its migrations.
    const url = new URL(db.url);
    url.username = serviceRole;
    url.password = 'svc';
    svc = createServiceDataSource({ url: url.toString(), schema });
    await svc.initialize();
    await migrate(svc);
    // Then, once, an administrator applies the grants the verify command prints (docs/runbook.md#audit-log).
    const grants = auditVerify('', '--print-grants', '--owner-role', ownerRole, '--service-role', `${schema}=${serviceRole}`);
    expect(grants).toEqual({ code: 0, out: `BEGIN;\n${auditLogGrants({ schema, serviceRole, ownerRole }).join(';\n')};\nCOMMIT;\n` });
    await admin.query(grants.out);
  });
  afterAll(async () => {
    await svc?.destroy();
    await admin?.end();
    await db?.drop();
    const base = new Client({ connectionString: process.env.DATABASE_URL });
    await base.connect();
    await base.query(`DROP ROLE IF EXISTS ${serviceRole}`).catch(() => undefined);
    await base.query(`DROP ROLE IF EXISTS ${ownerRole}`).catch(() => undefined);
    await base.end();
  });

  it('appends, and cannot change, truncate, alter, disable or drop the log', async () => {
    for (let i = 0; i < 3; i++)
      await svc.transaction((em) => appendAudit(em, { actor: 'ci', action: 'retrain.policy.updated', subject: `m${i}`, detail: { i } }));
    const attempts: Record<string, string> = {
      update: `UPDATE audit_log SET actor = 'mallory' WHERE seq = 2`,
      delete: 'DELETE FROM audit_log WHERE seq = 2',
      truncate: 'TRUNCATE audit_log',
      insert: `INSERT INTO audit_log SELECT seq + 100, at, actor, action, subject, detail, prev_hash, hash FROM audit_log WHERE seq = 1`,
      alter: 'ALTER TABLE audit_log ADD COLUMN note text',
      disableTrigger: 'ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change',
      disableTruncateTrigger: 'ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate',
      replaceTriggerFunction: 'CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$',
      drop: 'DROP TABLE audit_log',
      rename: 'ALTER TABLE audit_log RENAME TO audit_log_old',
      forkTheChain: `SELECT audit_log_append(2, now(), 'mallory', 'x', 'y', '{}', (SELECT hash FROM audit_log WHERE seq = 1), repeat('a', 64))`,
    };
    const outcome: Record<string, string> = {};
    for (const [name, sql] of Object.entries(attempts)) {
      outcome[name] = await svc.query(sql).then(
        () => 'ALLOWED',
        (e: Error) => (/permission denied|must be owner|append-only|does not extend the chain/.test(e.message) ? 'refused' : e.message),
      );
    }
    expect(outcome).toEqual(Object.fromEntries(Object.keys(attempts).map((k) => [k, 'refused'])));
    expect(verifyChain(await readChain(svc, schema))).toEqual({ ok: true, entries: 4 });
    // A restart still migrates (the role keeps CREATE on its schema), and appends still chain.
    await migrate(svc);
    await svc.transaction((em) => appendAudit(em, { actor: 'ci', action: 'retrain.policy.updated', subject: 'm9' }));
    expect(verifyChain(await readChain(svc, schema))).toEqual({ ok: true, entries: 5 });
  });
});

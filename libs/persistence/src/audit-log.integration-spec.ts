/**
 * The audit log on a real PostgreSQL: the database refuses changes, entries chain, and the
 * verify command (tools/audit-verify) points at the first broken link after a superuser
 * tampered with a row behind the application's back.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { createTestDatabase } from '@labelloop/testing';
import { createServiceDataSource, DataSource, migrate } from './data-source';
import { appendAudit, readChain, verifyChain } from './audit-log';

describe('audit log (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let ds: DataSource;

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

  const verify = () => {
    try {
      return { code: 0, out: execFileSync('node', [path.resolve(__dirname, '../../../tools/audit-verify/dist/main.js'), 'annotation_dispatch'], { env: { ...process.env, DATABASE_URL: db.url }, encoding: 'utf8' }) };
    } catch (e) {
      return { code: (e as { status: number }).status, out: String((e as { stdout: string }).stdout) + String((e as { stderr: string }).stderr ?? '') };
    }
  };

  it('chains entries, refuses updates, and the verifier finds the first tampered entry', async () => {
    // Concurrent appends still form one chain (the append takes an advisory lock).
    await Promise.all(Array.from({ length: 20 }, (_, i) => ds.transaction((em) => appendAudit(em, { actor: `annotator-${i % 3}`, action: 'label.submitted', subject: `task-${i}`, detail: { classes: ['spam'] } }))));
    expect(verifyChain(await readChain(ds, 'annotation_dispatch'))).toEqual({ ok: true, entries: 20 });
    await expect(ds.query(`UPDATE annotation_dispatch.audit_log SET actor = 'mallory' WHERE seq = 7`)).rejects.toThrow(/append-only/);
    expect(verify()).toEqual({ code: 0, out: 'annotation_dispatch: ok, 20 entries\n' });

    // A superuser disables the trigger and rewrites history.
    await ds.query('ALTER TABLE annotation_dispatch.audit_log DISABLE TRIGGER audit_log_no_change');
    await ds.query(`UPDATE annotation_dispatch.audit_log SET detail = '{"classes":["ham"]}' WHERE seq = 7`);
    expect(verify()).toEqual({ code: 1, out: 'annotation_dispatch: BROKEN at entry 7: entry 7 was altered (its content no longer matches its hash)\n' });
  });
});

import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { DataSource, entryHash, readChain } from '@labelloop/persistence';
import { REPO_ROOT } from './infra';

/** Runs the built `audit:verify` command against `url`; its exit status and output. */
export function auditVerify(url: string, ...args: string[]): { code: number; out: string } {
  try {
    const out = execFileSync('node', [path.join(REPO_ROOT, 'tools/audit-verify/dist/main.js'), ...args], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    });
    return { code: 0, out };
  } catch (e) {
    return { code: (e as { status: number }).status, out: String((e as { stdout: string }).stdout) + String((e as { stderr: string }).stderr ?? '') };
  }
}

/**
 * What a superuser can do to an audit log: rewrite entry `seq`'s detail and recompute every
 * later link and hash, so the chain is consistent in itself.
 */
export async function rewriteAuditChain(ds: DataSource, schema: string, seq: number, detail: Record<string, unknown>): Promise<void> {
  const chain = await readChain(ds, schema);
  await ds.query(`ALTER TABLE "${schema}".audit_log DISABLE TRIGGER USER`);
  let prev = chain[seq - 2].hash;
  for (const e of chain.slice(seq - 1)) {
    const changed = { ...e, detail: e.seq === seq ? detail : e.detail, prevHash: prev };
    changed.hash = entryHash(changed, prev);
    await ds.query(`UPDATE "${schema}".audit_log SET detail = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, [
      e.seq,
      JSON.stringify(changed.detail),
      changed.prevHash,
      changed.hash,
    ]);
    prev = changed.hash;
  }
  await ds.query(`ALTER TABLE "${schema}".audit_log ENABLE TRIGGER USER`);
}

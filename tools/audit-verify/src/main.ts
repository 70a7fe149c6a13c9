/**
 * Verifies the hash-chained audit log of one or more service schemas and points at the first
 * broken link. Exit status 0 when every chain is intact, 1 when one is broken, empty or
 * missing, 2 on bad usage or a failed connection.
 *
 *   DATABASE_URL=postgres://... npm run audit:verify -- [schema …] [--head <schema>=<entries>:<hash> …] [--heads-from-kafka]
 *
 * Each intact chain's head is printed as a `--head` argument: record it outside the database
 * (a ticket, a notebook) and pass it to a later run. A chain rewritten with every later hash
 * recomputed is consistent in itself; it fails against a head recorded before the rewrite.
 * `--heads-from-kafka` also checks every head the services published to the audit-head topic.
 *
 *   npm run audit:verify -- --print-grants --owner-role labelloop_audit_owner --service-role qa=labelloop_qa …
 *
 * prints the SQL an administrator runs once per stage so its login role can only append to its
 * log (docs/runbook.md#audit-log); nothing is read or verified then.
 */
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { AuditHead, auditLog, auditLogGrants, chainHead, readChain, verifyChain } from '@labelloop/persistence';
import { readPublishedHeads } from './published-heads';

const SCHEMAS = ['drift_detection', 'sampling', 'annotation_dispatch', 'qa', 'dataset_registry', 'retrain_trigger'];

/** Parses `<schema>=<entries>:<hash>`. */
function parseHead(arg: string): { schema: string; head: AuditHead } {
  const m = /^([a-z_][a-z0-9_]*)=([1-9][0-9]*):([0-9a-f]{64})$/.exec(arg);
  if (!m) throw new Error(`--head ${JSON.stringify(arg)}: expected <schema>=<entries>:<64 hex digits>, as a previous run printed it`);
  return { schema: m[1], head: { entries: Number(m[2]), hash: m[3], source: `--head ${m[2]}:${m[3].slice(0, 12)}…` } };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    strict: true,
    allowPositionals: true,
    options: {
      head: { type: 'string', multiple: true },
      'heads-from-kafka': { type: 'boolean' },
      'print-grants': { type: 'boolean' },
      'owner-role': { type: 'string' },
      'service-role': { type: 'string', multiple: true },
    },
  });
  if (values['print-grants']) {
    const ownerRole = values['owner-role'];
    if (!ownerRole) throw new Error('--print-grants needs --owner-role <role>');
    const stages = values['service-role'] ?? [];
    if (!stages.length || positionals.length) throw new Error('--print-grants takes --service-role <schema>=<login role> per stage, and no other arguments');
    const sql = stages.flatMap((arg) => {
      const [schema, serviceRole] = arg.split('=');
      if (!schema || !serviceRole) throw new Error(`--service-role ${JSON.stringify(arg)}: expected <schema>=<login role>`);
      return auditLogGrants({ schema, serviceRole, ownerRole });
    });
    process.stdout.write(`BEGIN;\n${sql.map((s) => `${s};\n`).join('')}COMMIT;\n`);
    return 0;
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const schemas = positionals.length ? positionals : SCHEMAS;
  const heads = new Map<string, AuditHead[]>();
  const add = (schema: string, head: AuditHead) => heads.set(schema, [...(heads.get(schema) ?? []), head]);
  for (const h of (values.head ?? []).map(parseHead)) {
    if (!schemas.includes(h.schema)) throw new Error(`--head names schema ${h.schema}, which is not verified here`);
    add(h.schema, h.head);
  }
  if (values['heads-from-kafka']) for (const h of await readPublishedHeads(schemas)) add(h.schema, h.head);

  const client = new Client({ connectionString: url });
  await client.connect();
  let broken = 0;
  try {
    for (const schema of schemas) {
      if (!(await auditLog.exists(client, schema))) {
        broken++;
        process.stdout.write(`${schema}: MISSING: no audit log (it is created with the schema, so it was dropped, or the schema name is wrong)\n`);
        continue;
      }
      const chain = await readChain(client, schema);
      const recorded = heads.get(schema) ?? [];
      const verdict = verifyChain(chain, recorded);
      if (verdict.ok) {
        const head = chainHead(chain);
        const checked = recorded.length ? `, matches ${recorded.length} recorded head${recorded.length > 1 ? 's' : ''}` : '';
        process.stdout.write(`${schema}: ok, ${verdict.entries} entries${checked}; head --head ${schema}=${head.entries}:${head.hash}\n`);
      } else {
        broken++;
        process.stdout.write(`${schema}: BROKEN at entry ${verdict.firstBrokenSeq}: ${verdict.problem}\n`);
      }
    }
  } finally {
    await client.end();
  }
  return broken ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`audit-verify: ${e.message}\n`);
    process.exit(2);
  },
);

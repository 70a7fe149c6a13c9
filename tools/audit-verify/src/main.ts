/**
 * Verifies the hash-chained audit log of one or more service schemas and points at the first
 * broken link. Exit status 0 when every chain is intact, 1 otherwise.
 *
 *   DATABASE_URL=postgres://... npm run audit:verify -- annotation_dispatch qa retrain_trigger
 */
import { Client } from 'pg';
import { readChain, verifyChain } from '@labelloop/persistence';

const SCHEMAS = ['drift_detection', 'sampling', 'annotation_dispatch', 'qa', 'dataset_registry', 'retrain_trigger'];

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const schemas = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const client = new Client({ connectionString: url });
  await client.connect();
  let broken = 0;
  try {
    for (const schema of schemas.length ? schemas : SCHEMAS) {
      const exists = (await client.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'audit_log'])).rowCount;
      if (!exists) {
        process.stdout.write(`${schema}: no audit log\n`);
        continue;
      }
      const verdict = verifyChain(await readChain(client, schema));
      if (verdict.ok) process.stdout.write(`${schema}: ok, ${verdict.entries} entries\n`);
      else {
        broken++;
        process.stdout.write(`${schema}: BROKEN at entry ${verdict.firstBrokenSeq}: ${verdict.problem}\n`);
      }
    }
  } finally {
    await client.end();
  }
  process.exit(broken ? 1 : 0);
}

main().catch((e: Error) => {
  process.stderr.write(`audit-verify: ${e.message}\n`);
  process.exit(2);
});

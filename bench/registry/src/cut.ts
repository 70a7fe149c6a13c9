/**
 * Time to create dataset version N+1 from version N after a small change, at 10^5 and 10^6
 * items: the Merkle trie of libs/merkle-dataset, with the in-memory node store and with the
 * PostgreSQL node store the registry uses (one `trie_node` table, content-addressed rows,
 * insert-if-absent, batched reads per level; each cut in its own transaction, COMMIT included).
 *
 * Two change sizes per dataset size: the same absolute number of changed items (--changes,
 * default 1,000) at both sizes, and 1% of the items. 90% of a change set relabels existing
 * items, 10% adds new ones; every run starts from the same version N so the size stays fixed.
 * For reference it also times the flat Merkle root the registry used before (sort + hash every
 * item: O(n) per version, before any membership rows were copied).
 *
 *   npx tsc -b bench/registry && node --expose-gc bench/registry/dist/cut.js [--sizes 100000,1000000] [--changes 1000] [--runs 7] [--no-pg]
 *
 * With --expose-gc a full GC runs before each timed cut, so a collection left over from building
 * the base trie is not billed to the cut. Both wall time and this process's CPU time are
 * reported: on a shared machine the CPU time is the steadier figure for the in-memory store
 * (PostgreSQL's work happens in the server process, so only wall time means something there).
 *
 * PostgreSQL: DATABASE_URL (e.g. `source deploy/local/env.sh` after `bash deploy/local/up.sh`);
 * a throw-away schema is created and dropped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { applyChanges, ApplyStats, Change, diff, Entry, fromEntries, MemoryNodeStore, NodeStore, SqlNodeStore } from '@labelloop/merkle-dataset';
import { benchSchema, trieNodes } from './trie-node.repository';

// Flags are checked: an unknown or misspelt one stops the run instead of being ignored.
const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    changes: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '7' },
    'no-pg': { type: 'boolean', default: false },
  },
  strict: true,
});
const sizes = flags.sizes.split(',').map(Number);
const absChanges = Number(flags.changes);
const runs = Number(flags.runs);
const usePg = !flags['no-pg'] && !!process.env.DATABASE_URL;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A deterministic pseudo-random generator (so every run of the bench changes the same items). */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function changeSet(n: number, k: number, run: number): Change[] {
  const rnd = mulberry32(n * 1000 + k * 10 + run);
  const picked = new Set<number>();
  const relabel = Math.round(k * 0.9);
  while (picked.size < relabel) picked.add(Math.floor(rnd() * n));
  const out: Change[] = [...picked].map((i) => ({ itemId: `item-${i}`, recordHash: sha(`record-${i}-relabel-${run}`) }));
  for (let j = 0; j < k - relabel; j++) out.push({ itemId: `new-${run}-${j}`, recordHash: sha(`new-${run}-${j}`) });
  return out;
}

/** The flat Merkle root of the old registry: sort all leaves, hash pairwise up to the root. */
function flatMerkleRoot(leaves: Entry[]): string {
  let level = [...leaves].sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0)).map((l) => sha(`leaf:${l.itemId}:${l.recordHash}`));
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha(`node:${level[i]}${level[i + 1]}`) : level[i]);
    level = next;
  }
  return level[0];
}

interface Row {
  store: string;
  /** Median CPU time of this process per cut (user + system). */
  cpuMs: number;
  /** PostgreSQL only: median time in node reads / node writes / COMMIT. */
  readMs?: number;
  writeMs?: number;
  commitMs?: number;
  items: number;
  changed: number;
  medianMs: number;
  minMs: number;
  nodesWritten: number;
  nodesRead: number;
  kbWritten: number;
  diffMs: number;
}

async function measure(store: NodeStore, label: string, n: number, base: string, k: number, tx?: Client): Promise<Row> {
  const times: number[] = [];
  const cpu: number[] = [];
  const diffTimes: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const phases = { read: [] as number[], write: [] as number[], commit: [] as number[] };
  let stats: ApplyStats = { nodesRead: 0, nodesWritten: 0, bytesWritten: 0 };
  // One untimed warm-up (JIT, caches), then the timed runs.
  await applyChanges(store, base, changeSet(n, k, runs + 1));
  for (let run = 0; run < runs; run++) {
    const changes = changeSet(n, k, run);
    stats = { nodesRead: 0, nodesWritten: 0, bytesWritten: 0 };
    const sql = store instanceof SqlNodeStore ? { ...store.stats } : undefined;
    gc?.();
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    if (tx) await trieNodes.begin(tx);
    const next = await applyChanges(store, base, changes, stats);
    const tc = process.hrtime.bigint();
    if (tx) await trieNodes.commit(tx);
    times.push(ms(t0));
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
    if (sql && store instanceof SqlNodeStore) {
      phases.read.push(store.stats.readMs - sql.readMs);
      phases.write.push(store.stats.writeMs - sql.writeMs);
      phases.commit.push(ms(tc));
    }
    const t1 = process.hrtime.bigint();
    const d = await diff(store, base, next);
    diffTimes.push(ms(t1));
    if (d.added.length + d.changed.length !== k) throw new Error(`diff found ${d.added.length + d.changed.length} changes, expected ${k}`);
  }
  const row = {
    store: label,
    items: n,
    changed: k,
    medianMs: median(times),
    cpuMs: median(cpu),
    minMs: Math.min(...times),
    nodesWritten: stats.nodesWritten,
    nodesRead: stats.nodesRead,
    kbWritten: Math.round(stats.bytesWritten / 1024),
    diffMs: median(diffTimes),
    ...(phases.read.length ? { readMs: median(phases.read), writeMs: median(phases.write), commitMs: median(phases.commit) } : {}),
  };
  process.stdout.write(
    `${label.padEnd(10)} n=${String(n).padStart(8)} changed=${String(k).padStart(6)}  cut median ${row.medianMs.toFixed(1).padStart(8)} ms (min ${row.minMs.toFixed(1)}, cpu ${row.cpuMs.toFixed(1)})  ` +
      `nodes written ${row.nodesWritten} (${row.kbWritten} KiB), read ${row.nodesRead}; diff ${row.diffMs.toFixed(1)} ms` +
      (row.readMs !== undefined ? `  [reads ${row.readMs.toFixed(1)} ms, writes ${row.writeMs?.toFixed(1)} ms, commit ${row.commitMs?.toFixed(1)} ms]` : '') +
      '\n',
  );
  return row;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const builds: { store: string; items: number; ms: number; nodes?: number }[] = [];
  const flat: { items: number; ms: number }[] = [];
  let pg: Client | undefined;
  let schema = '';
  if (usePg) {
    pg = new Client({ connectionString: process.env.DATABASE_URL });
    await pg.connect();
    schema = `bench_registry_${randomBytes(4).toString('hex')}`;
    await benchSchema.create(pg, schema);
  }
  try {
    for (const n of sizes) {
      const makeEntries = (): Entry[] => Array.from({ length: n }, (_, i) => ({ itemId: `item-${i}`, recordHash: sha(`record-${i}`) }));
      let entries = makeEntries();
      const t0 = process.hrtime.bigint();
      flatMerkleRoot(entries);
      flat.push({ items: n, ms: ms(t0) });
      process.stdout.write(`flat (old) n=${n}: full re-hash ${flat[flat.length - 1].ms.toFixed(0)} ms\n`);

      let mem: MemoryNodeStore | undefined = new MemoryNodeStore();
      const t1 = process.hrtime.bigint();
      const base = (await fromEntries(mem, entries)) as string;
      builds.push({ store: 'memory', items: n, ms: ms(t1), nodes: mem.size });
      process.stdout.write(
        `memory     n=${n}: base trie built in ${builds[builds.length - 1].ms.toFixed(0)} ms, ${mem.size} nodes, ${(mem.bytes / 1048576).toFixed(1)} MiB\n`,
      );
      entries = []; // only the store stays on the heap while cuts are timed
      for (const k of [...new Set([absChanges, Math.round(n / 100)])]) rows.push(await measure(mem, 'memory', n, base, k));
      mem = undefined;

      if (pg) {
        const table = `${schema}.trie_node_${n}`;
        await trieNodes.create(pg, table);
        const store = new SqlNodeStore(pg, table);
        const t2 = process.hrtime.bigint();
        entries = makeEntries();
        const pgBase = (await fromEntries(store, entries)) as string;
        entries = [];
        await trieNodes.analyze(pg, table);
        builds.push({ store: 'postgresql', items: n, ms: ms(t2) });
        process.stdout.write(`postgresql n=${n}: base trie written in ${builds[builds.length - 1].ms.toFixed(0)} ms\n`);
        if (pgBase !== base) throw new Error('the PostgreSQL store built a different root');
        for (const k of [...new Set([absChanges, Math.round(n / 100)])]) rows.push(await measure(store, 'postgresql', n, pgBase, k, pg));
      }
    }
  } finally {
    if (pg) {
      await benchSchema.drop(pg, schema).catch(() => undefined);
      await pg.end();
    }
  }

  process.stdout.write('\nratio of the cut at the largest size to the smallest, same number of changed items:\n');
  const [small, large] = [Math.min(...sizes), Math.max(...sizes)];
  // The aim (README): a cut at 10^6 items within 2x of the same cut at 10^5 (median wall time).
  const aims: string[] = [];
  for (const store of [...new Set(rows.map((r) => r.store))]) {
    const a = rows.find((r) => r.store === store && r.items === small && r.changed === absChanges);
    const b = rows.find((r) => r.store === store && r.items === large && r.changed === absChanges);
    if (a && b) {
      process.stdout.write(
        `  ${store}: ${(b.medianMs / a.medianMs).toFixed(2)}x median, ${(b.minMs / a.minMs).toFixed(2)}x min, ${(b.cpuMs / a.cpuMs).toFixed(2)}x cpu, ${(b.nodesWritten / a.nodesWritten).toFixed(2)}x nodes written  ` +
          `(${a.medianMs.toFixed(1)} ms -> ${b.medianMs.toFixed(1)} ms for ${absChanges} changed items)\n`,
      );
      const ratio = b.medianMs / a.medianMs;
      aims.push(
        `aim: ${store} cut of ${absChanges} items at n=${large} within 2x of n=${small} (median wall) -> ${ratio <= 2 ? 'met' : 'NOT met'} ` +
          `(${ratio.toFixed(2)}x; cpu ${(b.cpuMs / a.cpuMs).toFixed(2)}x, nodes written ${(b.nodesWritten / a.nodesWritten).toFixed(2)}x)\n`,
      );
    }
    const c = rows.find((r) => r.store === store && r.items === small && r.changed === Math.round(small / 100));
    const d = rows.find((r) => r.store === store && r.items === large && r.changed === Math.round(large / 100));
    if (c && d)
      process.stdout.write(
        `  ${store}, 1% each: ${(d.medianMs / c.medianMs).toFixed(2)}x  (${c.medianMs.toFixed(1)} ms for ${c.changed} -> ${d.medianMs.toFixed(1)} ms for ${d.changed})\n`,
      );
  }
  mkdirSync('reports', { recursive: true });
  writeFileSync('reports/bench-registry.json', JSON.stringify({ sizes, absChanges, runs, flat, builds, rows }, null, 2));
  process.stdout.write('written reports/bench-registry.json\n');
  for (const line of aims) process.stdout.write(line);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});

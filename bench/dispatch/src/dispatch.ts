/**
 * Dispatch throughput and next-task latency of annotation-dispatch on the real PostgreSQL:
 * 10,000 open tasks, 50 concurrent annotators, each looping GetNextTask → SubmitAnnotation over
 * gRPC against the service running as its own process (auth, pause check, never-twice and
 * exclusion filters, transition log, audit and outbox included).
 *
 * Baseline, side by side on the same database: a copy of the same 10,000 rows (same queue
 * index) served by 50 bare pg connections looping `SELECT … ORDER BY priority DESC, created_at
 * LIMIT 1 FOR UPDATE SKIP LOCKED` + `UPDATE … SET state = 'leased'` + `UPDATE … 'submitted'` —
 * the least a PostgreSQL queue can do per task. Printed: tasks dispatched per second and
 * next-task latency p50/p99 for both, and the ratios.
 *
 *   npm run build && npx tsc -b bench/dispatch
 *   bash deploy/local/up.sh && source deploy/local/env.sh
 *   node bench/dispatch/dist/dispatch.js [--tasks 10000] [--annotators 50] [--seconds 20]
 *
 * Each side runs for --seconds or until it dispatched --max-dispatch tasks (default a fifth of
 * --tasks, so the queue stays above 8,000 open tasks throughout); the open count at the end is
 * printed. Results: reports/bench-dispatch.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { create, toBinary } from '@bufbuild/protobuf';
import { Client } from 'pg';
import { AnnotationRequestedSchema, AnnotatorService } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { createTestDatabase, ensureLocalInfra, ensureTopics, startService } from '@labelloop/testing';
import { bareQueue, taskQueues } from './bare-queue.repository';

// Flags are checked: an unknown or misspelt one stops the run instead of being ignored.
const { values: flags } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    annotators: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '20' },
    'max-dispatch': { type: 'string' },
  },
  strict: true,
});
const TASKS = Number(flags.tasks);
const ANNOTATORS = Number(flags.annotators);
const SECONDS = Number(flags.seconds);
/** Each side stops after this many dispatches, so the queue stays above 80% of --tasks open. */
const MAX_DISPATCH = Number(flags['max-dispatch'] ?? Math.floor(TASKS / 5));
let budget = 0;
/** Takes one dispatch from the side's budget; false once it is spent. */
const take = () => budget-- > 0;
const PROJECT = 'bench';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

interface Result {
  dispatched: number;
  perSecond: number;
  p50: number;
  p99: number;
  openAtEnd: number;
  /** Submit latency p50 (ms): the other half of each annotator's loop. */
  submitP50: number;
}

async function seed(pg: Client, table: string): Promise<void> {
  const request = Buffer.from(
    toBinary(
      AnnotationRequestedSchema,
      create(AnnotationRequestedSchema, {
        itemId: 'x',
        projectId: PROJECT,
        modelId: 'm',
        modelVersion: '1',
        inputUri: 'text://bench',
        preLabel: { predictedLabel: 'spam', classProbabilities: { spam: 0.6, ham: 0.4 } },
      }),
    ),
  );
  await taskQueues.insertPending(pg, table, PROJECT, request, TASKS);
  await taskQueues.analyze(pg, table);
}

async function timed(worker: (latencies: number[], deadline: number) => Promise<number>): Promise<{ dispatched: number; latencies: number[]; wall: number }> {
  const latencies: number[] = [];
  budget = MAX_DISPATCH;
  const t0 = now();
  const deadline = t0 + SECONDS * 1000;
  const counts = await Promise.all(Array.from({ length: ANNOTATORS }, () => worker(latencies, deadline)));
  return { dispatched: counts.reduce((a, b) => a + b, 0), latencies, wall: (now() - t0) / 1000 };
}

function result(r: Awaited<ReturnType<typeof timed>>, submitLat: number[], openAtEnd: number): Result {
  return {
    dispatched: r.dispatched,
    perSecond: r.dispatched / r.wall,
    p50: pct(r.latencies, 50),
    p99: pct(r.latencies, 99),
    openAtEnd,
    submitP50: pct(submitLat, 50),
  };
}

async function service(dbUrl: string, pg: Client): Promise<Result> {
  const run = randomUUID().slice(0, 8);
  const tokens = Array.from({ length: ANNOTATORS }, (_, i) => ({
    token: `a${i}-${run}`,
    subject: `annotator-${i}`,
    roles: ['annotator'],
    projects: [PROJECT],
  }));
  const svc = startService('annotation-dispatch', {
    DATABASE_URL: dbUrl,
    KAFKA_GROUP_ID: `bench-${run}`,
    AUTH_TOKENS: JSON.stringify(tokens),
    DISPATCH_LABEL_CLASSES: 'ham,spam',
    LOG_LEVEL: 'warn',
  });
  try {
    const { grpcPort } = await svc.ready;
    await seed(pg, 'annotation_dispatch.annotation_task');
    const clients = tokens.map((t) => createGrpcClient(AnnotatorService, `127.0.0.1:${grpcPort}`, { token: t.token }));
    const label = { value: { case: 'classification' as const, value: { classes: ['ham'] } } };
    // warm-up: one round per annotator, not timed
    for (const c of clients) {
      const t = (await c.getNextTask({ projectId: PROJECT })).task!;
      await c.submitAnnotation({ taskId: t.taskId, label, timeSpentMs: 1, idempotencyKey: t.taskId });
    }
    let next = 0;
    const submitLat: number[] = [];
    const r = await timed(async (lat, deadline) => {
      const c = clients[next++];
      let n = 0;
      while (now() < deadline && take()) {
        const t0 = now();
        const { task } = await c.getNextTask({ projectId: PROJECT });
        lat.push(now() - t0);
        if (!task) break;
        n++;
        const t1 = now();
        await c.submitAnnotation({ taskId: task.taskId, label, timeSpentMs: 1, idempotencyKey: task.taskId });
        submitLat.push(now() - t1);
      }
      return n;
    });
    clients.forEach((c) => c.close());
    return result(r, submitLat, await taskQueues.countPending(pg, 'annotation_dispatch.annotation_task'));
  } finally {
    await svc.kill();
  }
}

async function baseline(dbUrl: string, pg: Client): Promise<Result> {
  await bareQueue.create(pg);
  await seed(pg, 'bench_baseline');
  const conns = await Promise.all(
    Array.from({ length: ANNOTATORS }, async () => {
      const c = new Client({ connectionString: dbUrl });
      await c.connect();
      return c;
    }),
  );
  let next = 0;
  const submitLat: number[] = [];
  const r = await timed(async (lat, deadline) => {
    const c = conns[next++];
    const me = `annotator-${next}`;
    let n = 0;
    while (now() < deadline && take()) {
      const t0 = now();
      await bareQueue.begin(c);
      const { rows } = await bareQueue.nextPending(c, PROJECT);
      if (rows[0]) await bareQueue.lease(c, rows[0].task_id, me);
      await bareQueue.commit(c);
      lat.push(now() - t0);
      if (!rows[0]) break;
      n++;
      const t1 = now();
      await bareQueue.submit(c, rows[0].task_id);
      submitLat.push(now() - t1);
    }
    return n;
  });
  await Promise.all(conns.map((c) => c.end()));
  return result(r, submitLat, await taskQueues.countPending(pg, 'bench_baseline'));
}

async function main(): Promise<void> {
  const { brokers } = ensureLocalInfra();
  await ensureTopics(brokers.split(','));
  const db = await createTestDatabase('benchdispatch');
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  try {
    console.log(`${TASKS} open tasks, ${ANNOTATORS} concurrent annotators, up to ${SECONDS} s or ${MAX_DISPATCH} dispatches per side`);
    const svc = await service(db.url, pg);
    const base = await baseline(db.url, pg);
    const row = (name: string, r: Result) =>
      console.log(
        `${name.padEnd(40)} ${r.perSecond.toFixed(0).padStart(7)} tasks/s   next-task p50 ${r.p50.toFixed(1).padStart(6)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms   submit p50 ${r.submitP50.toFixed(1).padStart(6)} ms   (${r.dispatched} dispatched, ${r.openAtEnd} still open)`,
      );
    row('annotation-dispatch (gRPC, full checks)', svc);
    row('bare SKIP LOCKED loop (pg, same table)', base);
    console.log(
      `ratio service/baseline: throughput ${(svc.perSecond / base.perSecond).toFixed(2)}x, p50 ${(svc.p50 / base.p50).toFixed(2)}x, p99 ${(svc.p99 / base.p99).toFixed(2)}x`,
    );
    // Issue 25's aims for dispatch, judged on this run.
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      `aim: throughput >= 0.5x the bare queue -> ${verdict(svc.perSecond >= 0.5 * base.perSecond)} (${(svc.perSecond / base.perSecond).toFixed(2)}x)`,
    );
    console.log(`aim: next-task p99 < 50 ms -> ${verdict(svc.p99 < 50)} (${svc.p99.toFixed(1)} ms)`);
    mkdirSync('reports', { recursive: true });
    writeFileSync(
      'reports/bench-dispatch.json',
      JSON.stringify({ tasks: TASKS, annotators: ANNOTATORS, seconds: SECONDS, service: svc, baseline: base }, null, 2),
    );
  } finally {
    await pg.end();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

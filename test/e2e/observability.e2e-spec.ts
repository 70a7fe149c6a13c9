/**
 * A real Prometheus server (Debian's package) scrapes two running services: the targets are
 * up and the shared series exist with consistent names and labels.
 */
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { PredictionEventSchema, Topics } from '@labelloop/contracts';
import { createTestDatabase, eventRecord, eventually, ServiceProcess, startService, testKafka, testProducer } from '@labelloop/testing';

describe('Prometheus scrape', () => {
  const run = randomUUID().slice(0, 8);
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const services: ServiceProcess[] = [];
  let prom: ChildProcess;
  const promPort = 19000 + Math.floor(Math.random() * 900);

  beforeAll(async () => {
    db = await createTestDatabase('obs');
    for (const name of ['drift-detection', 'sampling'])
      services.push(startService(name, { DATABASE_URL: db.url, KAFKA_GROUP_ID: `obs-${run}-${name}`, AUTH_TOKENS: '[]' }));
    const ports = await Promise.all(services.map((s) => s.ready));
    const dir = mkdtempSync(path.join(tmpdir(), 'prom-'));
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: labelloop\n    static_configs:\n      - targets: [${ports.map((p) => `'127.0.0.1:${p.httpPort}'`).join(', ')}]\n`,
    );
    prom = spawn('prometheus', [`--config.file=${dir}/prometheus.yml`, `--storage.tsdb.path=${dir}/data`, `--web.listen-address=127.0.0.1:${promPort}`], {
      stdio: 'ignore',
    });
  });
  afterAll(async () => {
    prom?.kill('SIGTERM');
    await Promise.all(services.map((s) => s.kill()));
    await db?.drop();
  });

  const query = async (q: string) =>
    (
      (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as {
        data: { result: { metric: Record<string, string> }[] };
      }
    ).data.result;

  it('scrapes every service and finds the shared series', async () => {
    const producer = await testProducer(testKafka());
    await producer.send({
      topic: Topics.predictionRecorded,
      messages: Array.from({ length: 20 }, (_, i) =>
        eventRecord(
          PredictionEventSchema,
          { eventId: `${run}-${i}`, modelId: `obs-${run}`, modelVersion: '1', contentHash: `h-${run}-${i}`, confidence: 0.3 },
          { key: `obs-${run}` },
        ),
      ),
    });
    await producer.disconnect();
    const targets = await eventually(
      async () => {
        const r = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
        const t = r.data.activeTargets;
        return t.length === 2 && t.every((x) => x.health === 'up') ? t : undefined;
      },
      'both targets up',
      60_000,
      500,
    );
    expect(targets).toHaveLength(2);
    for (const series of [
      'labelloop_events_consumed_total',
      'labelloop_event_processing_seconds_bucket',
      'labelloop_outbox_backlog',
      'labelloop_consumer_lag',
      'labelloop_process_resident_memory_bytes',
    ]) {
      const result = await eventually(
        async () => {
          const r = await query(series);
          const svc = new Set(r.map((x) => x.metric.service));
          return svc.has('drift-detection') && svc.has('sampling') ? r : undefined;
        },
        `series ${series} from both services`,
        60_000,
        1000,
      );
      expect(result.length).toBeGreaterThan(0);
    }
    const consumed = await query(`labelloop_events_consumed_total{topic="${Topics.predictionRecorded}"}`);
    expect(consumed.map((r) => r.metric.service).sort()).toEqual(['drift-detection', 'sampling']);
    expect((await query('labelloop_sampling_requests_total{trigger="LOW_CONFIDENCE"}')).length).toBe(1);
  });
});

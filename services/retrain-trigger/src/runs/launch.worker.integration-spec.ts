/**
 * Run-status polling on the real PostgreSQL server, with the Kubeflow Pipelines launcher asking
 * a local HTTP server that answers GET /apis/v2beta1/runs/{run_id} as KFP documents it: a run
 * KFP reports finished becomes succeeded or failed (with KFP's reason); one still running, one
 * KFP cannot be asked about, and one already reported by a callback are left as they are.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { KubeflowPipelinesLauncher } from '../launchers/kubeflow.launcher';
import { retrainConfigSchema } from '../retrain.config';
import { LaunchWorker } from './launch.worker';
import { migrations } from '../migrations';

describe('LaunchWorker status polling (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `retraintest_${run}`;
  let ds: DataSource;
  let server: http.Server;
  let apiUrl = '';
  const kfp: Record<string, unknown> = {
    'k-ok': { state: 'SUCCEEDED' },
    'k-bad': { state: 'FAILED', error: { message: 'train step exited 1' } },
    'k-busy': { state: 'RUNNING' },
    'k-late': { state: 'SUCCEEDED' },
  };

  beforeAll(async () => {
    ds = createServiceDataSource({ url: process.env.DATABASE_URL ?? '', schema, migrations });
    await ds.initialize();
    await migrate(ds);
    server = http.createServer((req, res) => {
      const id = /\/apis\/v2beta1\/runs\/([^/?]+)$/.exec(req.url ?? '')?.[1];
      const body = id ? kfp[decodeURIComponent(id)] : undefined;
      res.writeHead(body ? 200 : id === 'k-gone' ? 503 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { message: 'unavailable' }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pipeline`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  it('moves the runs KFP reports finished to succeeded or failed, and nothing else', async () => {
    const rows: [string, string, string | null][] = [
      ['r-ok', 'running', 'kfp:k-ok'],
      ['r-bad', 'running', 'kfp:k-bad'],
      ['r-busy', 'running', 'kfp:k-busy'],
      ['r-gone', 'running', 'kfp:k-gone'],
      ['r-late', 'succeeded', 'kfp:k-late'], // reported by the callback already
      ['r-queued', 'requested', null],
    ];
    for (const [id, state, ext] of rows) {
      await ds.query(
        `INSERT INTO retrain_run (run_id, model_id, dataset_id, dataset_version_id, export_uri, state, launcher, reason, external_id, started_at)
         VALUES ($1, 'm', 'ds', $1, 'x://', $2, 'kubeflow', 'test', $3, now())`,
        [id, state, ext],
      );
    }
    const config = retrainConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: process.env.DATABASE_URL });
    const worker = new LaunchWorker(ds, config, new Logger('test'), new Metrics('retrain-test'));
    const launcher = new KubeflowPipelinesLauncher({ apiUrl, pipelineId: 'p' }, 2000);

    expect((await worker.pollStatuses(launcher)).sort((a, b) => a.runId.localeCompare(b.runId))).toEqual([
      { runId: 'r-bad', state: 'failed' },
      { runId: 'r-ok', state: 'succeeded' },
    ]);
    const after = await ds.query(`SELECT run_id, state, last_error, finished_at IS NOT NULL AS finished FROM retrain_run ORDER BY run_id`);
    expect(after).toEqual([
      { run_id: 'r-bad', state: 'failed', last_error: 'Kubeflow Pipelines run k-bad FAILED: train step exited 1', finished: true },
      { run_id: 'r-busy', state: 'running', last_error: null, finished: false },
      { run_id: 'r-gone', state: 'running', last_error: null, finished: false },
      { run_id: 'r-late', state: 'succeeded', last_error: null, finished: false },
      { run_id: 'r-ok', state: 'succeeded', last_error: null, finished: true },
      { run_id: 'r-queued', state: 'requested', last_error: null, finished: false },
    ]);
    // Asked again: nothing changes twice.
    expect(await worker.pollStatuses(launcher)).toEqual([]);
  });
});

/**
 * The Kubeflow Pipelines launcher against a real local HTTP server that answers the way the
 * KFP v2beta1 run API documents it (kubeflow.org "Pipelines API Reference (v2beta1)", run.proto
 * and filter.proto): GET /apis/v2beta1/runs with a JSON filter, POST /apis/v2beta1/runs with
 * display_name, pipeline_version_reference and runtime_config.parameters, answering the run
 * with its run_id.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeflowPipelinesLauncher } from './kubeflow.launcher';

/** The part of a Kubeflow Pipelines v2beta1 run request this fake server reads. */
interface KfpRunBody {
  display_name: string;
  pipeline_version_reference?: { pipeline_id?: string };
  [field: string]: unknown;
}

describe('KubeflowPipelinesLauncher', () => {
  let server: http.Server;
  let url = '';
  const seen: { method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders; body?: KfpRunBody }[] = [];
  /** Runs KFP knows, by display name. */
  const runs = new Map<string, string>();
  /** Run states (GET /apis/v2beta1/runs/{run_id}). */
  const states = new Map<string, { state: string; error?: { message: string } }>();
  let failWith: number | undefined;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        const u = new URL(req.url!, 'http://x');
        const body = text ? JSON.parse(text) : undefined;
        seen.push({ method: req.method!, path: u.pathname, query: u.searchParams, headers: req.headers, body });
        const json = (status: number, o: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(o));
        if (req.headers.authorization !== 'Bearer kfp-token') return json(401, { error: 'Unauthenticated', code: 16, message: 'missing token' });
        if (failWith) return json(failWith, { error: 'boom', code: 14, message: 'backend unavailable' });
        const one = /^\/pipeline\/apis\/v2beta1\/runs\/([^/]+)$/.exec(u.pathname);
        if (one && req.method === 'GET') {
          const st = states.get(decodeURIComponent(one[1]));
          return st ? json(200, { run_id: one[1], ...st }) : json(404, { code: 5, message: `run ${one[1]} not found` });
        }
        if (u.pathname !== '/pipeline/apis/v2beta1/runs') return json(404, { code: 5, message: 'not found' });
        if (req.method === 'GET') {
          const pred = JSON.parse(u.searchParams.get('filter') ?? '{}').predicates?.[0];
          const id = pred?.key === 'display_name' && pred.operation === 'EQUALS' ? runs.get(pred.string_value) : undefined;
          return json(200, id ? { runs: [{ run_id: id, display_name: pred.string_value }], total_size: 1 } : {});
        }
        if (!body?.pipeline_version_reference?.pipeline_id) return json(400, { code: 3, message: 'pipeline_version_reference is required' });
        const id = `run-${runs.size + 1}`;
        runs.set(body.display_name, id);
        return json(200, { run_id: id, display_name: body.display_name, state: 'PENDING' });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pipeline/`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => {
    seen.length = 0;
    failWith = undefined;
  });

  const req = { runId: 'r-1', modelId: 'spam', datasetId: 'ds', datasetVersionId: 'dv-9', exportUri: 's3://b/dv-9.parquet', timeoutSeconds: 900 };
  const launcher = (token = 'kfp-token') =>
    new KubeflowPipelinesLauncher({ apiUrl: url, pipelineId: 'p-train', pipelineVersionId: 'v-3', experimentId: 'exp-1', namespace: 'team-ml', token }, 2000);

  it('creates a run of the pipeline version with the retrain run as parameters', async () => {
    expect(await launcher().launch(req)).toEqual({ ok: true, externalId: 'kfp:run-1' });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['GET /pipeline/apis/v2beta1/runs', 'POST /pipeline/apis/v2beta1/runs']);
    expect(seen[1].query.get('namespace')).toBe('team-ml');
    expect(seen[1].body).toEqual({
      display_name: 'labelloop-r-1',
      description: 'LabelLoop retrain of spam on dataset version dv-9',
      experiment_id: 'exp-1',
      pipeline_version_reference: { pipeline_id: 'p-train', pipeline_version_id: 'v-3' },
      runtime_config: {
        parameters: { run_id: 'r-1', model_id: 'spam', dataset_id: 'ds', dataset_version_id: 'dv-9', export_uri: 's3://b/dv-9.parquet', timeout_seconds: 900 },
      },
    });
  });

  it('finds the run a retried launch already started instead of training twice', async () => {
    expect(await launcher().launch(req)).toEqual({ ok: true, externalId: 'kfp:run-1' });
    expect(seen.map((s) => s.method)).toEqual(['GET']);
    expect(JSON.parse(seen[0].query.get('filter')!)).toEqual({ predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: 'labelloop-r-1' }] });
    expect(runs.size).toBe(1);
  });

  it('retries when KFP is unavailable, not when the token is refused', async () => {
    failWith = 503;
    expect(await launcher().launch({ ...req, runId: 'r-2' })).toEqual({
      ok: false,
      retriable: true,
      error: 'Kubeflow Pipelines answered HTTP 503: backend unavailable',
    });
    failWith = undefined;
    expect(await launcher('wrong').launch({ ...req, runId: 'r-2' })).toEqual({
      ok: false,
      retriable: false,
      error: 'Kubeflow Pipelines answered HTTP 401: missing token',
    });
    expect(await new KubeflowPipelinesLauncher({ apiUrl: 'http://127.0.0.1:1/', pipelineId: 'p' }, 500).launch(req)).toMatchObject({
      ok: false,
      retriable: true,
    });
  });

  it("reads a run's state: SUCCEEDED, FAILED or CANCELED with the reason, anything else still running", async () => {
    states.set('a', { state: 'SUCCEEDED' });
    states.set('b', { state: 'FAILED', error: { message: 'OOMKilled in train step' } });
    states.set('c', { state: 'CANCELED' });
    states.set('d', { state: 'RUNNING' });
    states.set('e', { state: 'PENDING' });
    const l = launcher();
    expect(await l.status('kfp:a')).toEqual({ state: 'succeeded' });
    expect(await l.status('kfp:b')).toEqual({ state: 'failed', error: 'Kubeflow Pipelines run b FAILED: OOMKilled in train step' });
    expect(await l.status('kfp:c')).toEqual({ state: 'failed', error: 'Kubeflow Pipelines run c CANCELED' });
    expect(await l.status('kfp:d')).toEqual({ state: 'running' });
    expect(await l.status('kfp:e')).toEqual({ state: 'running' });
    await expect(l.status('kfp:zz')).rejects.toThrow('Kubeflow Pipelines answered HTTP 404: run zz not found');
  });
});

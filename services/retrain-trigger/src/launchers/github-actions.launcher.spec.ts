/**
 * The GitHub Actions launcher against a real local HTTP server that checks the request the way
 * the workflow_dispatch endpoint documents it (docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event):
 * path, bearer token, API version header, ref and string inputs; 204 on success.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubActionsLauncher } from './github-actions.launcher';

describe('GitHubActionsLauncher', () => {
  let server: http.Server;
  let url = '';
  const seen: { path: string; headers: http.IncomingHttpHeaders; body: { ref: string; inputs: Record<string, string> } }[] = [];
  let answer: (n: number) => [number, Record<string, string>, string] = () => [204, {}, ''];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ path: `${req.method} ${req.url}`, headers: req.headers, body: JSON.parse(body) });
        if (req.headers.authorization !== 'Bearer ghp_test') return void res.writeHead(401).end('{"message":"Bad credentials"}');
        const [status, headers, text] = answer(seen.length);
        res.writeHead(status, headers).end(text);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3/`;
  });
  afterAll(() => new Promise((r) => server.close(r)));
  beforeEach(() => (seen.length = 0));

  const req = { runId: 'run-1', modelId: 'spam', datasetId: 'ds', datasetVersionId: 'dv-9', exportUri: 's3://b/dv-9.csv', timeoutSeconds: 600 };
  const launcher = (token = 'ghp_test') => new GitHubActionsLauncher({ apiUrl: url, repo: 'acme/models', workflow: 'train.yml', ref: 'release', token }, 2000);

  it('dispatches the workflow with the run as inputs', async () => {
    expect(await launcher().launch(req)).toEqual({ ok: true, externalId: 'acme/models@release:train.yml' });
    expect(seen).toHaveLength(1);
    expect(seen[0].path).toBe('POST /api/v3/repos/acme/models/actions/workflows/train.yml/dispatches');
    expect(seen[0].headers).toMatchObject({ accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' });
    expect(seen[0].body).toEqual({
      ref: 'release',
      inputs: { run_id: 'run-1', model_id: 'spam', dataset_id: 'ds', dataset_version_id: 'dv-9', export_uri: 's3://b/dv-9.csv', timeout_seconds: '600' },
    });
  });

  it('keeps the workflow run id when GitHub returns it', async () => {
    answer = () => [200, { 'content-type': 'application/json' }, '{"workflow_run_id":4242,"run_url":"x"}'];
    expect(await launcher().launch(req)).toEqual({ ok: true, externalId: 'acme/models/actions/runs/4242' });
  });

  it('retries server errors and rate limits, not bad credentials or a missing workflow', async () => {
    answer = () => [503, {}, ''];
    expect(await launcher().launch(req)).toEqual({ ok: false, retriable: true, error: 'GitHub answered HTTP 503' });
    answer = () => [403, { 'x-ratelimit-remaining': '0' }, '{"message":"API rate limit exceeded"}'];
    expect(await launcher().launch(req)).toEqual({ ok: false, retriable: true, error: 'GitHub answered HTTP 403: API rate limit exceeded' });
    answer = () => [404, {}, '{"message":"Not Found"}'];
    expect(await launcher().launch(req)).toEqual({ ok: false, retriable: false, error: 'GitHub answered HTTP 404: Not Found' });
    expect(await launcher('wrong').launch(req)).toEqual({ ok: false, retriable: false, error: 'GitHub answered HTTP 401: Bad credentials' });
  });
});

import { LaunchRequest, LaunchResult, Launcher, retriableStatus } from './launcher';

/** Where the training workflow lives. */
export interface GitHubWorkflow {
  /** REST API root: https://api.github.com, or https://<host>/api/v3 on GitHub Enterprise Server. */
  apiUrl: string;
  /** owner/name */
  repo: string;
  /** Workflow file name (train.yml) or numeric id. */
  workflow: string;
  /** Branch or tag the workflow runs on. */
  ref: string;
  token: string;
}

/**
 * Starts a GitHub Actions run through the `workflow_dispatch` REST endpoint
 * (POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches). The workflow gets the
 * run as string inputs run_id, model_id, dataset_id, dataset_version_id, export_uri and
 * timeout_seconds. GitHub has no idempotency key for dispatches: the workflow should declare
 * `concurrency: labelloop-${{ inputs.run_id }}` so a retried dispatch cannot train twice.
 */
export class GitHubActionsLauncher implements Launcher {
  readonly kind = 'github_actions';

  constructor(
    private readonly wf: GitHubWorkflow,
    private readonly timeoutMs: number,
  ) {}

  async launch(req: LaunchRequest): Promise<LaunchResult> {
    const url = `${this.wf.apiUrl.replace(/\/+$/, '')}/repos/${this.wf.repo}/actions/workflows/${encodeURIComponent(this.wf.workflow)}/dispatches`;
    const inputs = {
      run_id: req.runId,
      model_id: req.modelId,
      dataset_id: req.datasetId,
      dataset_version_id: req.datasetVersionId,
      export_uri: req.exportUri,
      timeout_seconds: String(req.timeoutSeconds),
    };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${this.wf.token}`,
          'x-github-api-version': '2022-11-28',
          'content-type': 'application/json',
          'user-agent': 'labelloop-retrain-trigger',
        },
        body: JSON.stringify({ ref: this.wf.ref, inputs }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await res.text();
      if (res.ok) {
        let runId: unknown;
        try {
          runId = (JSON.parse(text) as { workflow_run_id?: unknown }).workflow_run_id;
        } catch {
          runId = undefined; // 204 No Content: GitHub does not say which run it started
        }
        return {
          ok: true,
          externalId: runId === undefined ? `${this.wf.repo}@${this.wf.ref}:${this.wf.workflow}` : `${this.wf.repo}/actions/runs/${String(runId)}`,
        };
      }
      // A 403 with an exhausted rate limit is a wait, not a refusal.
      const rateLimited = res.status === 403 && res.headers.get('x-ratelimit-remaining') === '0';
      let message = '';
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? '';
      } catch {
        message = text.slice(0, 200);
      }
      return { ok: false, retriable: rateLimited || retriableStatus(res.status), error: `GitHub answered HTTP ${res.status}${message ? `: ${message}` : ''}` };
    } catch (e) {
      return { ok: false, retriable: true, error: `GitHub call failed: ${(e as Error).message}` };
    }
  }
}

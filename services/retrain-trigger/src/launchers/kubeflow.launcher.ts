import { LaunchRequest, LaunchResult, Launcher, retriableStatus, RunStatus } from './launcher';

/** Which Kubeflow Pipelines pipeline to run, and where. */
export interface KubeflowPipeline {
  /** KFP API root, e.g. https://kubeflow.example.com/pipeline (the /apis/v2beta1 paths are appended). */
  apiUrl: string;
  pipelineId: string;
  /** A fixed pipeline version; omitted: KFP runs the pipeline's latest version. */
  pipelineVersionId?: string;
  experimentId?: string;
  /** Multi-user deployments: the profile namespace the run belongs to. */
  namespace?: string;
  /** Bearer token (service-account token or OIDC), when the deployment wants one. */
  token?: string;
}

/**
 * Starts a Kubeflow Pipelines run over the v2beta1 REST API (POST /apis/v2beta1/runs) with the
 * run as pipeline parameters run_id, model_id, dataset_id, dataset_version_id, export_uri and
 * timeout_seconds. KFP has no idempotency key, so the run is named `labelloop-<run id>` and a
 * launch first looks that name up (GET /apis/v2beta1/runs with a display_name filter): a
 * retried launch whose first attempt did reach KFP finds that run instead of starting a
 * second training.
 */
export class KubeflowPipelinesLauncher implements Launcher {
  readonly kind = 'kubeflow';

  constructor(
    private readonly p: KubeflowPipeline,
    private readonly timeoutMs: number,
  ) {}

  async launch(req: LaunchRequest): Promise<LaunchResult> {
    const displayName = `labelloop-${req.runId}`;
    const root = `${this.p.apiUrl.replace(/\/+$/, '')}/apis/v2beta1/runs`;
    const ns = this.p.namespace ? `namespace=${encodeURIComponent(this.p.namespace)}&` : '';
    try {
      const filter = JSON.stringify({ predicates: [{ key: 'display_name', operation: 'EQUALS', string_value: displayName }] });
      const found = await this.call('GET', `${root}?${ns}page_size=1&filter=${encodeURIComponent(filter)}`);
      if (!found.ok) return found.failure;
      const existing = (found.body as { runs?: { run_id?: string }[] }).runs?.[0]?.run_id;
      if (existing) return { ok: true, externalId: `kfp:${existing}` };

      const created = await this.call('POST', `${root}${ns ? `?${ns.slice(0, -1)}` : ''}`, {
        display_name: displayName,
        description: `LabelLoop retrain of ${req.modelId} on dataset version ${req.datasetVersionId}`,
        ...(this.p.experimentId ? { experiment_id: this.p.experimentId } : {}),
        pipeline_version_reference: { pipeline_id: this.p.pipelineId, ...(this.p.pipelineVersionId ? { pipeline_version_id: this.p.pipelineVersionId } : {}) },
        runtime_config: {
          parameters: {
            run_id: req.runId,
            model_id: req.modelId,
            dataset_id: req.datasetId,
            dataset_version_id: req.datasetVersionId,
            export_uri: req.exportUri,
            timeout_seconds: req.timeoutSeconds,
          },
        },
      });
      if (!created.ok) return created.failure;
      const runId = (created.body as { run_id?: string }).run_id;
      if (!runId) return { ok: false, retriable: true, error: 'Kubeflow Pipelines accepted the run but returned no run_id' };
      return { ok: true, externalId: `kfp:${runId}` };
    } catch (e) {
      return { ok: false, retriable: true, error: `Kubeflow Pipelines call failed: ${(e as Error).message}` };
    }
  }

  /** The run's state from GET /apis/v2beta1/runs/{run_id}: SUCCEEDED, or FAILED / CANCELED / SKIPPED, else still running. */
  async status(externalId: string): Promise<RunStatus> {
    const id = externalId.replace(/^kfp:/, '');
    const r = await this.call('GET', `${this.p.apiUrl.replace(/\/+$/, '')}/apis/v2beta1/runs/${encodeURIComponent(id)}`);
    if (!r.ok) throw new Error(r.failure.ok ? 'unexpected' : r.failure.error);
    const run = r.body as { state?: string; error?: { message?: string } };
    if (run.state === 'SUCCEEDED') return { state: 'succeeded' };
    if (run.state === 'FAILED' || run.state === 'CANCELED' || run.state === 'SKIPPED') {
      return { state: 'failed', error: `Kubeflow Pipelines run ${id} ${run.state}${run.error?.message ? `: ${run.error.message}` : ''}` };
    }
    return { state: 'running' };
  }

  private async call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ ok: true; body: unknown } | { ok: false; failure: LaunchResult }> {
    const res = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(this.p.token ? { authorization: `Bearer ${this.p.token}` } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    if (res.ok) return { ok: true, body: parsed };
    const message = (parsed as { message?: string; error?: string }).message ?? (parsed as { error?: string }).error ?? '';
    return {
      ok: false,
      failure: { ok: false, retriable: retriableStatus(res.status), error: `Kubeflow Pipelines answered HTTP ${res.status}${message ? `: ${message}` : ''}` },
    };
  }
}

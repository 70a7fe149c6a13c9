import { readFileSync } from 'node:fs';
import type * as K8s from '@kubernetes/client-node';
import { buildTrainingJob, jobNameOf, TrainingJobOptions } from './kubernetes-job';
import { LaunchRequest, LaunchResult, Launcher, retriableStatus, RunStatus } from './launcher';

/**
 * Creates one batch/v1 Job per run through the official client (@kubernetes/client-node).
 * Credentials come from the usual places (KUBECONFIG, ~/.kube/config, or the in-cluster
 * service account). The Job name is derived from the run id: a retried create that finds the
 * Job already there (409) counts as launched, so one run never starts two Jobs.
 */
export class KubernetesLauncher implements Launcher {
  readonly kind = 'kubernetes';
  private api?: Promise<{ k8s: typeof K8s; batch: K8s.BatchV1Api }>;

  constructor(
    private readonly options: TrainingJobOptions,
    private readonly timeoutMs: number,
  ) {}

  /** Reads a Job template (YAML or JSON) from a file, failing with the file's name. */
  static async loadTemplate(file: string): Promise<K8s.V1Job> {
    const k8s = await import('@kubernetes/client-node');
    let job: K8s.V1Job;
    try {
      job = k8s.loadYaml<K8s.V1Job>(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`RETRAIN_K8S_JOB_TEMPLATE ${file}: ${(e as Error).message}`);
    }
    if (job?.kind !== 'Job' || job.apiVersion !== 'batch/v1') throw new Error(`RETRAIN_K8S_JOB_TEMPLATE ${file}: must be a batch/v1 Job`);
    return job;
  }

  private client() {
    // The client is an ES module; it is loaded on first use so the rest of the service (and its
    // unit tests) never pay for it.
    this.api ??= import('@kubernetes/client-node').then((k8s) => {
      const kc = new k8s.KubeConfig();
      kc.loadFromDefault();
      return { k8s, batch: kc.makeApiClient(k8s.BatchV1Api) };
    });
    return this.api;
  }

  /** The Job's conditions: Complete → succeeded, Failed → failed (with the reason), else running. */
  async status(externalId: string): Promise<RunStatus> {
    const [namespace, name] = externalId.split('/');
    const { batch } = await this.client();
    const job = await batch.readNamespacedJobStatus({ namespace, name });
    const cond = (type: string) => job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
    if (cond('Complete')) return { state: 'succeeded' };
    const failed = cond('Failed');
    if (failed) return { state: 'failed', error: `Job ${externalId} failed: ${failed.reason ?? ''}${failed.message ? ` (${failed.message})` : ''}` };
    return { state: 'running' };
  }

  async launch(req: LaunchRequest): Promise<LaunchResult> {
    let body: K8s.V1Job;
    try {
      body = buildTrainingJob(req, this.options);
    } catch (e) {
      return { ok: false, retriable: false, error: (e as Error).message };
    }
    const externalId = `${this.options.namespace}/${body.metadata?.name ?? jobNameOf(req.runId)}`;
    let timer: NodeJS.Timeout | undefined;
    try {
      const { batch } = await this.client();
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs)));
      await Promise.race([batch.createNamespacedJob({ namespace: this.options.namespace, body }), timeout]);
      return { ok: true, externalId };
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'number' && code >= 100) {
        if (code === 409) return { ok: true, externalId }; // created by an earlier attempt
        const reason = (e as { body?: unknown }).body;
        return {
          ok: false,
          retriable: retriableStatus(code),
          error: `Kubernetes API answered HTTP ${code}${typeof reason === 'string' ? `: ${reason.slice(0, 300)}` : ''}`,
        };
      }
      return { ok: false, retriable: true, error: `Kubernetes API call failed: ${(e as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }
}

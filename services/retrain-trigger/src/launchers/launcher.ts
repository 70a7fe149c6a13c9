/** A launch request: what the training job needs to start. */
export interface LaunchRequest {
  runId: string;
  modelId: string;
  datasetId: string;
  datasetVersionId: string;
  exportUri: string;
  /** The policy's run timeout: a platform that can enforce a deadline (Kubernetes) gets it. */
  timeoutSeconds: number;
}

/** Outcome of one launch attempt. */
export type LaunchResult = { ok: true; externalId?: string } | { ok: false; retriable: boolean; error: string };

/** What the platform says of a launched run. */
export type RunStatus = { state: 'running' } | { state: 'succeeded' } | { state: 'failed'; error: string };

/** Starts training jobs; one implementation per platform (webhook, Kubernetes, GitHub Actions, Kubeflow Pipelines). */
export interface Launcher {
  readonly kind: string;
  launch(req: LaunchRequest): Promise<LaunchResult>;
  /**
   * Platforms that can be asked about a run (Kubernetes, Kubeflow Pipelines) implement this;
   * the others report through the RetrainService callback. Throws when the platform cannot
   * be reached (the run stays as it is and is asked again later).
   */
  status?(externalId: string): Promise<RunStatus>;
}

/** 408, 429 and 5xx are worth retrying; other failures are final. */
export const retriableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

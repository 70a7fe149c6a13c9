import type { V1Container, V1EnvVar, V1Job, V1ResourceRequirements } from '@kubernetes/client-node';
import type { LaunchRequest } from './launcher';

/** How training Jobs are built: the cluster-side settings of the Kubernetes launcher. */
export interface TrainingJobOptions {
  namespace: string;
  /** Trainer image; a template's container image wins when it has one. */
  image: string;
  serviceAccountName: string;
  /** Arguments of the trainer; the run's identifiers are appended (see buildTrainingJob). */
  args: string[];
  /** Pod retries inside one run before the Job fails. */
  backoffLimit: number;
  /** Finished Jobs are garbage-collected after this long. */
  ttlSecondsAfterFinished: number;
  resources: V1ResourceRequirements;
  /** Optional batch/v1 Job template (volumes, node selectors, tolerations...), first container = trainer. */
  template?: V1Job;
}

/** Label value rules of Kubernetes: at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends. */
export function labelValue(s: string): string {
  return s
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63)
    .replace(/[^A-Za-z0-9]+$/, '');
}

/** Job name of a run: deterministic, so a retried create answers 409 instead of starting a second job. */
export const jobNameOf = (runId: string): string =>
  `labelloop-${runId}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63)
    .replace(/-+$/, '');

/**
 * The batch/v1 Job of one training run. The run's identifiers reach the trainer three ways:
 * environment (LABELLOOP_RUN_ID, LABELLOOP_MODEL_ID, LABELLOOP_DATASET_ID,
 * LABELLOOP_DATASET_VERSION_ID, LABELLOOP_EXPORT_URI), arguments (`--run-id ... --export-uri
 * ...` after the configured ones), and annotations `labelloop.io/*` on the Job and its pod
 * (labels carry the run and model so `kubectl get jobs -l labelloop.io/run-id=...` finds it).
 * `activeDeadlineSeconds` is the policy's run timeout, so Kubernetes stops the pod when
 * LabelLoop reports the run timed out. Pure: no client, no I/O.
 */
export function buildTrainingJob(req: LaunchRequest, o: TrainingJobOptions): V1Job {
  const t: V1Job = structuredClone(o.template ?? {});
  const name = jobNameOf(req.runId);
  const labels = {
    'app.kubernetes.io/name': 'labelloop-trainer',
    'app.kubernetes.io/managed-by': 'labelloop-retrain-trigger',
    'labelloop.io/run-id': labelValue(req.runId),
    'labelloop.io/model-id': labelValue(req.modelId),
  };
  const annotations = {
    'labelloop.io/run-id': req.runId,
    'labelloop.io/model-id': req.modelId,
    'labelloop.io/dataset-id': req.datasetId,
    'labelloop.io/dataset-version-id': req.datasetVersionId,
    'labelloop.io/export-uri': req.exportUri,
  };
  const env: V1EnvVar[] = [
    { name: 'LABELLOOP_RUN_ID', value: req.runId },
    { name: 'LABELLOOP_MODEL_ID', value: req.modelId },
    { name: 'LABELLOOP_DATASET_ID', value: req.datasetId },
    { name: 'LABELLOOP_DATASET_VERSION_ID', value: req.datasetVersionId },
    { name: 'LABELLOOP_EXPORT_URI', value: req.exportUri },
  ];
  const podSpec = t.spec?.template?.spec ?? { containers: [] };
  const [first, ...sidecars] = podSpec.containers ?? [];
  const trainer: V1Container = {
    ...first,
    name: first?.name ?? 'trainer',
    image: first?.image ?? o.image,
    args: [
      ...(first?.args ?? o.args),
      '--run-id',
      req.runId,
      '--model-id',
      req.modelId,
      '--dataset-id',
      req.datasetId,
      '--dataset-version-id',
      req.datasetVersionId,
      '--export-uri',
      req.exportUri,
    ],
    env: [...(first?.env ?? []).filter((e) => !env.some((x) => x.name === e.name)), ...env],
    resources: first?.resources ?? o.resources,
  };
  if (!trainer.image) throw new Error('Kubernetes launcher: no trainer image (set RETRAIN_K8S_IMAGE or give the template container an image)');
  return {
    ...t,
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      ...t.metadata,
      name,
      namespace: o.namespace,
      labels: { ...t.metadata?.labels, ...labels },
      annotations: { ...t.metadata?.annotations, ...annotations },
    },
    spec: {
      ...t.spec,
      backoffLimit: t.spec?.backoffLimit ?? o.backoffLimit,
      activeDeadlineSeconds: req.timeoutSeconds,
      ttlSecondsAfterFinished: t.spec?.ttlSecondsAfterFinished ?? o.ttlSecondsAfterFinished,
      template: {
        ...t.spec?.template,
        metadata: {
          ...t.spec?.template?.metadata,
          labels: { ...t.spec?.template?.metadata?.labels, ...labels },
          annotations: { ...t.spec?.template?.metadata?.annotations, ...annotations },
        },
        spec: {
          ...podSpec,
          restartPolicy: podSpec.restartPolicy ?? 'Never',
          serviceAccountName: podSpec.serviceAccountName ?? o.serviceAccountName,
          containers: [trainer, ...sidecars],
        },
      },
    },
  };
}

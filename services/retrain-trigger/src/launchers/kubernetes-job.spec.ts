/**
 * The training Job manifest validates against the Kubernetes schemas with kubeconform -strict
 * (unknown fields and wrong types fail) — the same offline tool and schemas as
 * scripts/k8s-check.sh, which CI runs before jest and which caches them in .local/k8s-check.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { V1Job } from '@kubernetes/client-node';
import { buildTrainingJob, jobNameOf, labelValue, TrainingJobOptions } from './kubernetes-job';
import type { LaunchRequest } from './launcher';

const ROOT = path.resolve(__dirname, '../../../..');
const CACHE = path.join(ROOT, '.local/k8s-check');
const KUBECONFORM = path.join(CACHE, 'bin/kubeconform');
const K8S_VERSIONS = ['1.30.0', '1.37.0']; // as in scripts/k8s-check.sh

/** kubeconform's verdict on one manifest for one Kubernetes version: { ok, output }. */
function kubeconform(manifest: object, version: string): { ok: boolean; output: string } {
  if (!existsSync(KUBECONFORM)) throw new Error(`${KUBECONFORM} is missing: run \`bash scripts/k8s-check.sh\` once (CI runs it before jest)`);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'job-')), 'job.json');
  writeFileSync(file, JSON.stringify(manifest));
  const args = [
    '-strict',
    '-summary',
    '-output',
    'text',
    '-kubernetes-version',
    version,
    '-schema-location',
    `${CACHE}/schemas/kubernetes/{{ .NormalizedKubernetesVersion }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    file,
  ];
  try {
    return { ok: true, output: execFileSync(KUBECONFORM, args, { encoding: 'utf8' }) };
  } catch (e) {
    return { ok: false, output: `${(e as { stdout?: string }).stdout ?? ''}${(e as Error).message}` };
  }
}

const req: LaunchRequest = {
  runId: 'run-0123456789abcdef01234567',
  modelId: 'spam/filter v2', // not a valid label value as is
  datasetId: 'ds-spam',
  datasetVersionId: 'dv-7f3a',
  exportUri: 's3://labelloop/exports/dv-7f3a.parquet',
  timeoutSeconds: 5400,
};
const options: TrainingJobOptions = {
  namespace: 'ml-training',
  image: 'registry.example.com/spam-trainer:1.4',
  serviceAccountName: 'labelloop-trainer',
  args: ['train'],
  backoffLimit: 2,
  ttlSecondsAfterFinished: 86400,
  resources: { requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } },
};

describe('buildTrainingJob', () => {
  it('passes the dataset version to the trainer and the policy timeout to Kubernetes', () => {
    const job = buildTrainingJob(req, options);
    expect(job.metadata).toMatchObject({ name: 'labelloop-run-0123456789abcdef01234567', namespace: 'ml-training' });
    expect(job.metadata!.labels).toMatchObject({ 'labelloop.io/run-id': req.runId, 'labelloop.io/model-id': 'spam_filter_v2' });
    expect(job.metadata!.annotations).toMatchObject({
      'labelloop.io/model-id': 'spam/filter v2',
      'labelloop.io/dataset-version-id': 'dv-7f3a',
      'labelloop.io/export-uri': req.exportUri,
    });
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 5400, ttlSecondsAfterFinished: 86400 });
    const pod = job.spec!.template.spec!;
    expect(pod).toMatchObject({ restartPolicy: 'Never', serviceAccountName: 'labelloop-trainer' });
    expect(pod.containers[0].image).toBe(options.image);
    expect(pod.containers[0].args).toEqual([
      'train',
      '--run-id',
      req.runId,
      '--model-id',
      req.modelId,
      '--dataset-id',
      'ds-spam',
      '--dataset-version-id',
      'dv-7f3a',
      '--export-uri',
      req.exportUri,
    ]);
    expect(Object.fromEntries(pod.containers[0].env!.map((e) => [e.name, e.value]))).toMatchObject({
      LABELLOOP_DATASET_VERSION_ID: 'dv-7f3a',
      LABELLOOP_EXPORT_URI: req.exportUri,
      LABELLOOP_RUN_ID: req.runId,
    });
    expect(pod.containers[0].resources).toEqual(options.resources);
  });

  it('keeps what a template sets (GPU, volumes, tolerations) and fills in the run', () => {
    const template: V1Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { labels: { team: 'ml' } },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'OnFailure',
            tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
            volumes: [{ name: 'scratch', emptyDir: {} }],
            containers: [
              {
                name: 'train',
                image: 'trainer:gpu',
                env: [
                  { name: 'LABELLOOP_RUN_ID', value: 'stale' },
                  { name: 'EPOCHS', value: '3' },
                ],
                resources: { limits: { 'nvidia.com/gpu': '1' } },
                volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
              },
            ],
          },
        },
      },
    };
    const job = buildTrainingJob(req, { ...options, template });
    const pod = job.spec!.template.spec!;
    expect(job.metadata!.labels).toMatchObject({ team: 'ml', 'labelloop.io/run-id': req.runId });
    expect(job.spec!.backoffLimit).toBe(0);
    expect(pod).toMatchObject({
      restartPolicy: 'OnFailure',
      tolerations: template.spec!.template.spec!.tolerations,
      volumes: [{ name: 'scratch', emptyDir: {} }],
    });
    expect(pod.containers[0]).toMatchObject({ name: 'train', image: 'trainer:gpu', resources: { limits: { 'nvidia.com/gpu': '1' } } });
    expect(pod.containers[0].env!.filter((e) => e.name === 'LABELLOOP_RUN_ID')).toEqual([{ name: 'LABELLOOP_RUN_ID', value: req.runId }]);
    expect(template.spec!.template.spec!.containers[0].env).toHaveLength(2); // the template itself is not changed
  });

  it.each(K8S_VERSIONS)('produces a Job that validates against the Kubernetes %s schema (kubeconform -strict)', (version) => {
    for (const job of [buildTrainingJob(req, options), buildTrainingJob({ ...req, runId: 'run-ffff' }, { ...options, args: [] })]) {
      const r = kubeconform(job, version);
      expect(r.output).toContain('Valid: 1, Invalid: 0, Errors: 0');
      expect(r.ok).toBe(true);
    }
    // The check can fail: a wrong type in the same manifest is rejected.
    const broken = buildTrainingJob(req, options) as unknown as { spec: Record<string, unknown> };
    broken.spec.backoffLimit = 'two';
    const r = kubeconform(broken, version);
    expect(r.ok).toBe(false);
    expect(r.output).toContain("at '/spec/backoffLimit'");
  });

  it('names and labels within Kubernetes limits', () => {
    expect(jobNameOf('run-ABC_def')).toBe('labelloop-run-abc-def');
    expect(labelValue(`-${'x'.repeat(80)}`)).toHaveLength(63);
    expect(labelValue('a/b c.')).toBe('a_b_c');
    expect(() => buildTrainingJob(req, { ...options, image: '' })).toThrow('no trainer image');
  });
});

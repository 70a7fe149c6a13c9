import { launcherKind, RetrainConfig } from '../retrain.config';
import { secretFromEnv } from '@labelloop/config';
import { GitHubActionsLauncher } from './github-actions.launcher';
import { KubeflowPipelinesLauncher } from './kubeflow.launcher';
import { KubernetesLauncher } from './kubernetes.launcher';
import type { Launcher } from './launcher';
import { WebhookLauncher } from './webhook.launcher';

type Setting = 'RETRAIN_WEBHOOK_URL' | 'RETRAIN_GITHUB_REPO' | 'RETRAIN_GITHUB_WORKFLOW' | 'RETRAIN_KFP_URL' | 'RETRAIN_KFP_PIPELINE_ID';

/** A setting the config schema already requires for the chosen launcher (see retrain.config.ts). */
function required(c: RetrainConfig, name: Setting): string {
  const v = c[name];
  if (!v) throw new Error(`${name} is required for RETRAIN_LAUNCHER=${launcherKind(c)}`);
  return v;
}

/** The configured launcher, or undefined when none is (runs then wait in `requested`). */
export async function createLauncher(c: RetrainConfig): Promise<Launcher | undefined> {
  switch (launcherKind(c)) {
    case 'webhook':
      return new WebhookLauncher(required(c, 'RETRAIN_WEBHOOK_URL'), c.RETRAIN_WEBHOOK_SECRET, c.RETRAIN_WEBHOOK_TIMEOUT_MS);
    case 'kubernetes':
      return new KubernetesLauncher(
        {
          namespace: c.RETRAIN_K8S_NAMESPACE,
          image: c.RETRAIN_K8S_IMAGE ?? '',
          serviceAccountName: c.RETRAIN_K8S_SERVICE_ACCOUNT,
          args: c.RETRAIN_K8S_ARGS,
          backoffLimit: c.RETRAIN_K8S_BACKOFF_LIMIT,
          ttlSecondsAfterFinished: c.RETRAIN_K8S_TTL_SECONDS,
          resources: { requests: { cpu: c.RETRAIN_K8S_CPU, memory: c.RETRAIN_K8S_MEMORY }, limits: { memory: c.RETRAIN_K8S_MEMORY } },
          template: c.RETRAIN_K8S_JOB_TEMPLATE ? await KubernetesLauncher.loadTemplate(c.RETRAIN_K8S_JOB_TEMPLATE) : undefined,
        },
        c.RETRAIN_WEBHOOK_TIMEOUT_MS,
      );
    case 'github_actions': {
      const token = secretFromEnv('RETRAIN_GITHUB_TOKEN');
      if (!token) throw new Error('RETRAIN_GITHUB_TOKEN (or RETRAIN_GITHUB_TOKEN_FILE) is required when RETRAIN_LAUNCHER=github_actions');
      return new GitHubActionsLauncher(
        {
          apiUrl: c.RETRAIN_GITHUB_API_URL,
          repo: required(c, 'RETRAIN_GITHUB_REPO'),
          workflow: required(c, 'RETRAIN_GITHUB_WORKFLOW'),
          ref: c.RETRAIN_GITHUB_REF,
          token,
        },
        c.RETRAIN_WEBHOOK_TIMEOUT_MS,
      );
    }
    case 'kubeflow':
      return new KubeflowPipelinesLauncher(
        {
          apiUrl: required(c, 'RETRAIN_KFP_URL'),
          pipelineId: required(c, 'RETRAIN_KFP_PIPELINE_ID'),
          pipelineVersionId: c.RETRAIN_KFP_PIPELINE_VERSION_ID,
          experimentId: c.RETRAIN_KFP_EXPERIMENT_ID,
          namespace: c.RETRAIN_KFP_NAMESPACE,
          token: secretFromEnv('RETRAIN_KFP_TOKEN'),
        },
        c.RETRAIN_WEBHOOK_TIMEOUT_MS,
      );
    default:
      return undefined;
  }
}

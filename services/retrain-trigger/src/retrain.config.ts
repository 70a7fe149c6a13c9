import { baseConfigSchema, secret, z } from '@labelloop/config';

/** Retrain trigger settings. */
export const retrainConfigSchema = baseConfigSchema
  .extend({
    /** Launch only when a version brings at least this many new labels. */
    RETRAIN_MIN_NEW_LABELS: z.coerce.number().int().min(0).default(1),
    /** Webhook that starts a training job; runs wait in `requested` while unset. */
    RETRAIN_WEBHOOK_URL: z.string().url().optional(),
    /**
     * HMAC key signing the webhook's calls (X-LabelLoop-Signature); or a file:
     * RETRAIN_WEBHOOK_SECRET_FILE. Required with the webhook launcher when LABELLOOP_ENV=production.
     */
    RETRAIN_WEBHOOK_SECRET: secret(z.string().min(1)).optional(),
    /** Per-attempt timeout of a launch call (webhook, Kubernetes API, GitHub API). */
    RETRAIN_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** Attempts before a launch is reported failed. */
    RETRAIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
    /** A run with no final status after this long is reported timed out. */
    RETRAIN_RUN_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(3600),
    /** Launcher poll interval. */
    RETRAIN_POLL_MS: z.coerce.number().int().positive().default(500),
    /** Which platform starts training runs; defaults to `webhook` when RETRAIN_WEBHOOK_URL is set. */
    RETRAIN_LAUNCHER: z.enum(['webhook', 'kubernetes', 'github_actions', 'kubeflow']).optional(),
    /** Kubernetes launcher: namespace of the training Jobs. */
    RETRAIN_K8S_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label')
      .default('labelloop'),
    /** Kubernetes launcher: trainer image (required unless the template's container has one). */
    RETRAIN_K8S_IMAGE: z.string().min(1).optional(),
    /** Kubernetes launcher: optional batch/v1 Job template file (YAML or JSON); first container = trainer. */
    RETRAIN_K8S_JOB_TEMPLATE: z.string().min(1).optional(),
    RETRAIN_K8S_SERVICE_ACCOUNT: z.string().default('labelloop-trainer'),
    /** JSON array of trainer arguments; the run's identifiers are appended. */
    RETRAIN_K8S_ARGS: z
      .string()
      .default('[]')
      .transform((s, ctx) => {
        try {
          const v: unknown = JSON.parse(s);
          if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
        } catch {
          /* reported below */
        }
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a JSON array of strings' });
        return z.NEVER;
      }),
    RETRAIN_K8S_BACKOFF_LIMIT: z.coerce.number().int().min(0).default(1),
    RETRAIN_K8S_TTL_SECONDS: z.coerce.number().int().min(0).default(86_400),
    RETRAIN_K8S_CPU: z.string().default('1'),
    RETRAIN_K8S_MEMORY: z.string().default('2Gi'),
    /** GitHub Actions launcher: owner/name of the repository holding the training workflow. */
    RETRAIN_GITHUB_REPO: z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+$/, 'must be owner/name')
      .optional(),
    /** GitHub Actions launcher: workflow file name (train.yml) or id. */
    RETRAIN_GITHUB_WORKFLOW: z.string().min(1).optional(),
    RETRAIN_GITHUB_REF: z.string().min(1).default('main'),
    RETRAIN_GITHUB_API_URL: z.string().url().default('https://api.github.com'),
    /** How often running runs are polled on platforms that can be asked (Kubernetes, Kubeflow Pipelines). */
    RETRAIN_STATUS_POLL_MS: z.coerce.number().int().min(200).default(15000),
    /** Kubeflow Pipelines launcher: API root (e.g. https://kubeflow.example.com/pipeline); token in RETRAIN_KFP_TOKEN(_FILE) when needed. */
    RETRAIN_KFP_URL: z.string().url().optional(),
    RETRAIN_KFP_PIPELINE_ID: z.string().min(1).optional(),
    /** Unset: the pipeline's latest version. */
    RETRAIN_KFP_PIPELINE_VERSION_ID: z.string().min(1).optional(),
    RETRAIN_KFP_EXPERIMENT_ID: z.string().min(1).optional(),
    RETRAIN_KFP_NAMESPACE: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    const need = (name: string, ok: boolean, why: string) => ok || ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: why });
    if (c.RETRAIN_LAUNCHER === 'webhook') need('RETRAIN_WEBHOOK_URL', !!c.RETRAIN_WEBHOOK_URL, 'is required when RETRAIN_LAUNCHER=webhook');
    if (unsignedWebhook(c) && c.LABELLOOP_ENV === 'production') {
      need('RETRAIN_WEBHOOK_SECRET', false, 'is required when LABELLOOP_ENV=production (the webhook launcher would call RETRAIN_WEBHOOK_URL unsigned)');
    }
    if (c.RETRAIN_LAUNCHER === 'kubernetes')
      need(
        'RETRAIN_K8S_IMAGE',
        !!(c.RETRAIN_K8S_IMAGE || c.RETRAIN_K8S_JOB_TEMPLATE),
        'is required when RETRAIN_LAUNCHER=kubernetes (or give RETRAIN_K8S_JOB_TEMPLATE)',
      );
    if (c.RETRAIN_LAUNCHER === 'kubeflow') {
      need('RETRAIN_KFP_URL', !!c.RETRAIN_KFP_URL, 'is required when RETRAIN_LAUNCHER=kubeflow');
      need('RETRAIN_KFP_PIPELINE_ID', !!c.RETRAIN_KFP_PIPELINE_ID, 'is required when RETRAIN_LAUNCHER=kubeflow');
    }
    if (c.RETRAIN_LAUNCHER === 'github_actions') {
      need('RETRAIN_GITHUB_REPO', !!c.RETRAIN_GITHUB_REPO, 'is required when RETRAIN_LAUNCHER=github_actions');
      need('RETRAIN_GITHUB_WORKFLOW', !!c.RETRAIN_GITHUB_WORKFLOW, 'is required when RETRAIN_LAUNCHER=github_actions');
    }
  });
/** Parsed retrain config. */
export type RetrainConfig = z.infer<typeof retrainConfigSchema>;

/** Launcher kind in use, or undefined when none is configured (runs then wait in `requested`). */
export const launcherKind = (c: Pick<RetrainConfig, 'RETRAIN_LAUNCHER' | 'RETRAIN_WEBHOOK_URL'>): RetrainConfig['RETRAIN_LAUNCHER'] =>
  c.RETRAIN_LAUNCHER ?? (c.RETRAIN_WEBHOOK_URL ? 'webhook' : undefined);

/** Whether the configured launcher is the webhook and would call it without a signature. */
function unsignedWebhook(c: Pick<RetrainConfig, 'RETRAIN_LAUNCHER' | 'RETRAIN_WEBHOOK_URL' | 'RETRAIN_WEBHOOK_SECRET'>): boolean {
  return launcherKind(c) === 'webhook' && !c.RETRAIN_WEBHOOK_SECRET;
}

/** What a valid configuration still does unsafely, logged at start (refused in production). */
export function retrainWarnings(c: RetrainConfig): string[] {
  return unsignedWebhook(c)
    ? ['RETRAIN_WEBHOOK_SECRET is not set: launch calls to RETRAIN_WEBHOOK_URL go out unsigned (refused when LABELLOOP_ENV=production)']
    : [];
}

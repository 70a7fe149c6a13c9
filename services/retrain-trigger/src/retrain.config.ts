import { baseConfigSchema, secretFromEnv, z } from '@labelloop/config';

/** Retrain trigger settings. */
export const retrainConfigSchema = baseConfigSchema.extend({
  /** Launch only when a version brings at least this many new labels. */
  RETRAIN_MIN_NEW_LABELS: z.coerce.number().int().min(0).default(1),
  /** Webhook that starts a training job; runs wait in `requested` while unset. */
  RETRAIN_WEBHOOK_URL: z.string().url().optional(),
  /** Per-attempt timeout of the webhook call. */
  RETRAIN_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Attempts before a launch is reported failed. */
  RETRAIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  /** A run with no final status after this long is reported timed out. */
  RETRAIN_RUN_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(3600),
  /** Launcher poll interval. */
  RETRAIN_POLL_MS: z.coerce.number().int().positive().default(500),
});
/** Parsed retrain config. */
export type RetrainConfig = z.infer<typeof retrainConfigSchema>;

/** HMAC secret of the webhook: RETRAIN_WEBHOOK_SECRET or the file in RETRAIN_WEBHOOK_SECRET_FILE. */
export const webhookSecret = (): string | undefined => secretFromEnv('RETRAIN_WEBHOOK_SECRET');

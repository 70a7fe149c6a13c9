import { baseConfigSchema, z } from '@labelloop/config';

/** Drift detection settings (defaults for models without a stored config). */
export const driftConfigSchema = baseConfigSchema.extend({
  /**
   * Bytes fetched per partition at a time. Small, because drift detection coalesces fetches
   * into transactions (see main.ts): a small fetch's messages die young, and cost the garbage
   * collector little (docs/performance.md, 2026-11-24).
   */
  KAFKA_MAX_BYTES_PER_PARTITION: z.coerce
    .number()
    .int()
    .positive()
    .default(256 * 1024),
  /** Events after a model version's deployment that form its reference distribution. */
  DRIFT_REFERENCE_SIZE: z.coerce.number().int().min(20).max(5000).default(500),
  /** Events per (tumbling, count-based) window. */
  DRIFT_WINDOW_SIZE: z.coerce.number().int().min(20).max(5000).default(500),
  /** Family-wise significance level of one window's tests (corrected across tests). */
  DRIFT_ALPHA: z.coerce.number().gt(0).max(0.5).default(0.01),
  /**
   * How far ahead of its arrival an event's timestamp may be (producers' clock skew). A later
   * one is counted at the time of the events it arrived with, so that one clock far ahead
   * cannot hold a time window's evaluation until that date (detector.ts, `observe`).
   */
  DRIFT_MAX_FUTURE_SKEW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Consecutive clean windows that close a drift episode (hysteresis). */
  DRIFT_RESOLVE_AFTER: z.coerce.number().int().min(1).default(2),
  /**
   * Models whose detector state a replica keeps parsed in memory (least recently used first
   * out; an evicted model is read back from PostgreSQL on its next event). Bounds memory as the
   * number of models grows: about (reference + window) snapshots per cached model.
   */
  DRIFT_STATE_CACHE_MODELS: z.coerce.number().int().min(1).max(100_000).default(200),
  /**
   * Tested windows whose per-feature statistics are kept per model (ListWindowStatistics, the
   * console's charts); older ones are deleted as new ones are stored.
   */
  DRIFT_WINDOW_HISTORY: z.coerce.number().int().min(1).max(100_000).default(500),
  /** Dataset registry gRPC address (host:port), for references taken from a dataset version. */
  REGISTRY_GRPC_ADDRESS: z.string().min(1).optional(),
  /** Bearer token drift detection presents to the registry (a `service` token there); or a file: REGISTRY_GRPC_TOKEN_FILE. */
  REGISTRY_GRPC_TOKEN: z.string().min(1).optional(),
  /** CA bundle of the registry's TLS certificate; unset: plaintext (loopback, or a mesh doing mTLS). */
  REGISTRY_GRPC_CA_FILE: z.string().min(1).optional(),
  /**
   * How long a promotion waits (retried with backoff) for an unreachable registry before the
   * promoted model's first events form its reference instead. Drift detection's consumer waits
   * with it, so this bounds that stall.
   */
  DRIFT_PROMOTION_REGISTRY_WAIT_SECONDS: z.coerce.number().int().min(0).max(3600).default(120),
});
/** Parsed drift config. */
export type DriftConfig = z.infer<typeof driftConfigSchema>;

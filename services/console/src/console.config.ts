import { commaList, webConfigSchema, z } from '@labelloop/config';

const address = z.string().min(1).optional();
/**
 * The console's settings. It has no database and no Kafka: it reads the stages through their
 * gRPC APIs, with the signed-in user's bearer token, so each API's roles and scopes hold.
 * A stage whose address is unset is shown as "not configured" on its page.
 */
export const consoleConfigSchema = webConfigSchema.extend({
  /** drift-detection's DriftService (host:port). */
  CONSOLE_DRIFT_GRPC_ADDRESS: address,
  /** sampling's SamplingService. */
  CONSOLE_SAMPLING_GRPC_ADDRESS: address,
  /** annotation-dispatch's DispatchAdminService. */
  CONSOLE_DISPATCH_GRPC_ADDRESS: address,
  /** qa's QaService. */
  CONSOLE_QA_GRPC_ADDRESS: address,
  /** dataset-registry's DatasetRegistryService. */
  CONSOLE_REGISTRY_GRPC_ADDRESS: address,
  /** retrain-trigger's RetrainService. */
  CONSOLE_RETRAIN_GRPC_ADDRESS: address,
  /** CA bundle of the stages' gRPC TLS certificates; unset: plaintext (loopback, or a mesh doing mTLS). */
  CONSOLE_GRPC_CA_FILE: z.string().min(1).optional(),
  /**
   * Models shown (comma-separated ids). No stage API lists models, so the console is told which
   * ones its operators watch.
   */
  CONSOLE_MODELS: commaList(),
  /** Annotation projects shown (comma-separated); each project's dataset has the project's id. */
  CONSOLE_PROJECTS: commaList(),
  /** Seconds between live refreshes of a page's figures (htmx polling). */
  CONSOLE_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
});

/** Parsed console config. */
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;

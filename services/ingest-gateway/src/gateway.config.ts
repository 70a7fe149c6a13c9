import { baseConfigSchema, commaList, z } from '@labelloop/config';

const positiveInt = z.coerce.number().int().positive();

/** Ingest gateway settings: how much work it holds at once before it sheds load. */
export const gatewayConfigSchema = baseConfigSchema
  .extend({
    /** Ingest calls (gRPC and HTTP together) in progress at once; one more is refused (RESOURCE_EXHAUSTED / HTTP 429). */
    INGEST_MAX_IN_FLIGHT: positiveInt.default(64),
    /** Request bytes (protobuf on gRPC, JSON on HTTP) held by the calls in progress; one more that does not fit is refused. */
    INGEST_MAX_IN_FLIGHT_BYTES: positiveInt.default(64 * 1024 * 1024),
    /** Largest single HTTP request body; a larger one is refused with 413 before it is read. */
    INGEST_MAX_REQUEST_BYTES: positiveInt.default(8 * 1024 * 1024),
    /** Events in one call; more is INVALID_ARGUMENT / HTTP 400. */
    INGEST_MAX_BATCH: positiveInt.max(100_000).default(10_000),
    /** The `Retry-After` (seconds) a refused call is told to wait. */
    INGEST_RETRY_AFTER_SECONDS: positiveInt.default(1),
    /**
     * Seldon Core 2 namespaces whose model topics (`<prefix>.<namespace>.model.<model>.inputs|outputs`)
     * are captured, comma-separated; empty (the default) turns the Seldon capture off.
     */
    SELDON_NAMESPACES: commaList(),
    /** Seldon's Kafka `topicPrefix` (its `seldon-kafka` ConfigMap). */
    SELDON_TOPIC_PREFIX: z.string().min(1).default('seldon'),
    /** Consumer group of the Seldon capture. */
    SELDON_CONSUMER_GROUP: z.string().min(1).default('labelloop-ingest-gateway-seldon'),
    /** How often the capture looks for model topics created since it subscribed (a model loaded later). */
    SELDON_TOPIC_REFRESH_SECONDS: positiveInt.default(60),
  })
  .refine((c) => c.INGEST_MAX_REQUEST_BYTES <= c.INGEST_MAX_IN_FLIGHT_BYTES, {
    message: 'must not exceed INGEST_MAX_IN_FLIGHT_BYTES (such a request could never be admitted)',
    path: ['INGEST_MAX_REQUEST_BYTES'],
  });
/** Parsed gateway config. */
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

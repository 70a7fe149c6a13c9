import { z } from 'zod';
import { secret } from './load-config';
import { flag } from './fields';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/** Deployment mode, from LABELLOOP_ENV. */
export type LabelloopEnv = 'development' | 'production';

/**
 * Settings every LabelLoop service shares. Services extend it with their own keys.
 */
export const baseConfigSchema = z.object({
  /**
   * `production` turns what development tolerates with a warning (an unsigned retrain webhook,
   * ...) into a refusal to start. Set it in every production deployment.
   */
  LABELLOOP_ENV: z.enum(['development', 'production']).default('development'),
  /** Comma-separated Kafka bootstrap servers, e.g. `kafka-0:9092,kafka-1:9092`. */
  KAFKA_BROKERS: z
    .string({ required_error: 'is required (comma-separated host:port list)' })
    .min(1)
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  /** PostgreSQL connection URL (it holds the password: or a file, DATABASE_URL_FILE). */
  DATABASE_URL: secret(
    z
      .string({ required_error: 'is required (postgres://user:pass@host:port/db, or DATABASE_URL_FILE)' })
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://'),
  ),
  /** HTTP port for /healthz, /readyz, /metrics (and HTTP/JSON APIs); 0 picks a free port. */
  HTTP_PORT: port.default(8080),
  /** gRPC port; 0 picks a free port. */
  GRPC_PORT: port.default(50051),
  /** Interface to bind; loopback by default so nothing is exposed by accident. */
  BIND_HOST: z.string().default('127.0.0.1'),
  /** Kafka consumer group id; defaults to the service name. */
  KAFKA_GROUP_ID: z.string().optional(),
  /** Consumer group session timeout: how long a dead member holds its partitions. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30_000),
  /** Max messages handled in one database transaction. */
  CONSUMER_TX_BATCH: positiveInt.default(500),
  /** Bytes fetched per partition at a time (the consumer holds about 4x this in memory). */
  KAFKA_MAX_BYTES_PER_PARTITION: positiveInt.default(4 * 1024 * 1024),
  /** Outbox relay: rows per poll, and idle poll interval in ms. */
  OUTBOX_BATCH: positiveInt.default(500),
  OUTBOX_POLL_MS: positiveInt.default(50),
  /**
   * Inbox rows (ids of consumed events, what recognises a redelivery) older than this are
   * deleted; keep it at least the topics' retention (Kafka's default is 7 days). 0: keep all.
   */
  INBOX_RETENTION_HOURS: z.coerce.number().min(0).default(168),
  INBOX_PRUNE_INTERVAL_SECONDS: positiveInt.default(600),
  /**
   * How often a stage publishes its audit log's head to the audit-head topic (when it changed),
   * so a rewritten log can be told from the one that was (docs/runbook.md#audit-log). 0: never.
   */
  AUDIT_HEAD_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
  /**
   * Stages with a compact inbox (drift detection): how many recent event ids per partition
   * each process keeps to recognise an event its producer sent twice.
   */
  INBOX_HORIZON_IDS: positiveInt.default(20_000),
  /** Log level: error, warn, info, debug. */
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** Kafka SASL/TLS (optional). */
  KAFKA_SSL: flag(false),
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  /** gRPC over TLS: PEM certificate chain and key files (e.g. a mounted cert-manager Secret). */
  GRPC_TLS_CERT_FILE: z.string().min(1).optional(),
  GRPC_TLS_KEY_FILE: z.string().min(1).optional(),
  /** mTLS: callers must present a client certificate signed by this CA (PEM file). */
  GRPC_TLS_CLIENT_CA_FILE: z.string().min(1).optional(),
});

/** The parsed base configuration. */
export type BaseConfig = z.infer<typeof baseConfigSchema>;

/**
 * Settings of a web front that keeps no state of its own (the console): no Kafka, no
 * database, only HTTP. It calls the stages' gRPC APIs, configured by its own keys.
 */
export const webConfigSchema = baseConfigSchema.pick({ LABELLOOP_ENV: true, HTTP_PORT: true, BIND_HOST: true, LOG_LEVEL: true });

/** The parsed web-front configuration. */
export type WebConfig = z.infer<typeof webConfigSchema>;

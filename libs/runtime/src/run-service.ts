import 'reflect-metadata';
import { DynamicModule, Global, INestApplication, INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ZodType, ZodTypeDef } from 'zod';
import { BaseConfig, loadConfig, secretFromEnv, WebConfig } from '@labelloop/config';
import { initTelemetry, JsonLogger, Metrics, shutdownTelemetry } from '@labelloop/observability';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { createKafka, EventConsumer, InboxPruner, LagMonitor, Outbox, OutboxRelay, PrunedTable } from '@labelloop/messaging';
import { Authenticate, BearerTokenAuth, GrpcServer, loadTlsMaterial } from '@labelloop/rpc';
import { HealthController } from './health.controller';
import { KafkaInboxTransport } from './kafka-inbox.transport';
import { ReadinessProbe } from './readiness';
import { AuditHeadPublisher } from './audit-head-publisher';
import { runWebService, WebServiceSpec } from './run-web-service';
import { CONFIG, DATA_SOURCE, KAFKA, LOGGER, METRICS, OUTBOX } from './tokens';

/** A background loop owned by a service (lease reaper, launcher, ...). */
export interface Worker {
  start(): Promise<void> | void;
  stop(): Promise<void>;
}

/** How to assemble one LabelLoop stage. */
export interface ServiceSpec<C extends BaseConfig> {
  /** Service name: also its Postgres schema, consumer group and ce_source. */
  name: string;
  configSchema: ZodType<C, ZodTypeDef, unknown>;
  /**
   * The stage's Nest module (use cases, repositories, edges). Its Kafka handlers are the
   * `@Consumes` methods of its controllers, consumed by KafkaInboxTransport.
   */
  module: Type<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: Function[];
  /** Registers gRPC services on the server. */
  grpc?: (app: INestApplicationContext, server: GrpcServer) => void;
  /** Background workers, started after the consumer. */
  workers?: (app: INestApplicationContext) => Worker[];
  /** Authentication of gRPC calls; defaults to bearer tokens from AUTH_TOKENS(_FILE). */
  authenticate?: (app: INestApplicationContext) => Authenticate;
  /** Extra HTTP controllers (HTTP/JSON APIs). */
  controllers?: Type<unknown>[];
  /**
   * Parse JSON/urlencoded request bodies before the controllers (default true). A service that
   * admits a request by its size before reading it (ingest-gateway) reads the body itself.
   */
  bodyParser?: boolean;
  /**
   * How the consumer recognises redeliveries: an inbox row per event (default), or the
   * consumed offset and a row of ids per chunk (`chunks`, for stages that read every prediction).
   */
  inbox?: 'rows' | 'chunks';
  /** Gather a partition's small fetches into full transactions (see EventConsumerOptions.coalesce). */
  coalesce?: boolean;
  /** The stage's own tables of ids that recognise a repeat, pruned with the inbox (INBOX_RETENTION_HOURS). */
  pruned?: PrunedTable[];
}

/** A started service. */
export interface RunningService {
  app: INestApplication;
  httpPort: number;
  grpcPort: number;
  /** Graceful stop: stop taking work, finish the in-flight batch, commit, close. */
  stop(): Promise<void>;
}

/**
 * Starts a stage: validated config → telemetry → migrations → Nest container → Kafka
 * consumer (inbox/outbox/DLQ) → outbox relay → gRPC (with health) → HTTP health/metrics.
 * With `MIGRATE_ONLY=true` it applies the migrations and resolves undefined.
 */
export async function runService<C extends BaseConfig>(spec: ServiceSpec<C>, env: NodeJS.ProcessEnv = process.env): Promise<RunningService | undefined> {
  const config = loadConfig(spec.configSchema, env);
  initTelemetry(`labelloop-${spec.name}`, env);
  const logger = new JsonLogger(spec.name, config.LOG_LEVEL);
  const metrics = new Metrics(spec.name);

  const schema = spec.name.replace(/-/g, '_');
  const dataSource = createServiceDataSource({
    url: config.DATABASE_URL,
    schema,
    entities: spec.entities,
    migrations: spec.migrations,
    applicationName: `labelloop-${spec.name}`,
  });
  await dataSource.initialize();
  const applied = await migrate(dataSource);
  if (applied.length > 0) logger.log({ msg: 'migrations applied', migrations: applied }, 'Runtime');
  if (env.MIGRATE_ONLY === 'true') {
    // Kubernetes runs this as a pre-rollout Job: apply migrations, then exit.
    logger.lifecycle({ msg: 'migrations done (MIGRATE_ONLY)', applied });
    await dataSource.destroy();
    await shutdownTelemetry();
    return undefined;
  }

  const kafka = createKafka(`labelloop-${spec.name}`, config);
  const outbox = new Outbox(`labelloop/${spec.name}`);

  @Global()
  @Module({})
  class RuntimeModule {
    static create(): DynamicModule {
      return {
        module: RuntimeModule,
        imports: [spec.module],
        controllers: [HealthController, ...(spec.controllers ?? [])],
        providers: [
          ReadinessProbe,
          { provide: CONFIG, useValue: config },
          { provide: DATA_SOURCE, useValue: dataSource },
          { provide: OUTBOX, useValue: outbox },
          { provide: METRICS, useValue: metrics },
          { provide: KAFKA, useValue: kafka },
          { provide: LOGGER, useValue: logger },
        ],
        exports: [CONFIG, DATA_SOURCE, OUTBOX, METRICS, KAFKA, LOGGER, ReadinessProbe],
      };
    }
  }

  const app = await NestFactory.create(RuntimeModule.create(), { logger, abortOnError: false, bodyParser: spec.bodyParser ?? true });
  const readiness = app.get(ReadinessProbe);

  const relay = new OutboxRelay({
    dataSource,
    kafka,
    lockName: `labelloop.outbox.${spec.name}`,
    batchSize: config.OUTBOX_BATCH,
    pollMs: config.OUTBOX_POLL_MS,
    metrics,
    logger,
  });
  await relay.start();
  readiness.register('outboxRelay', relay);
  const pruner = new InboxPruner({
    dataSource,
    retentionHours: config.INBOX_RETENTION_HOURS,
    intervalMs: config.INBOX_PRUNE_INTERVAL_SECONDS * 1000,
    tables: spec.pruned,
    metrics,
    logger,
  });
  pruner.start();
  const auditHeads = new AuditHeadPublisher({ dataSource, outbox, schema, intervalMs: config.AUDIT_HEAD_INTERVAL_SECONDS * 1000, logger });
  auditHeads.start();

  const groupId = config.KAFKA_GROUP_ID ?? `labelloop-${spec.name}`;
  const transport = new KafkaInboxTransport(
    (handlers) =>
      new EventConsumer({
        kafka,
        dataSource,
        groupId,
        handlers,
        outbox,
        txBatch: config.CONSUMER_TX_BATCH,
        maxBytesPerPartition: config.KAFKA_MAX_BYTES_PER_PARTITION,
        inbox: spec.inbox,
        coalesce: spec.coalesce,
        inboxHorizon: config.INBOX_HORIZON_IDS,
        sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
        metrics,
        logger,
      }),
  );
  app.connectMicroservice({ strategy: transport });
  await app.startAllMicroservices();
  const topics = transport.topics;
  let lag: LagMonitor | undefined;
  if (transport.consumer) {
    readiness.register('kafkaConsumer', transport.consumer);
    lag = new LagMonitor(kafka, groupId, topics, metrics);
    await lag.start();
  }

  const workers = spec.workers?.(app) ?? [];
  for (const w of workers) await w.start();

  const authenticate = spec.authenticate?.(app) ?? BearerTokenAuth.fromJson(secretFromEnv('AUTH_TOKENS', env)).authenticate;
  const grpcServer = new GrpcServer({ logger, authenticate, tls: loadTlsMaterial(config) });
  spec.grpc?.(app, grpcServer);
  const grpcPort = await grpcServer.listen(config.BIND_HOST, config.GRPC_PORT);

  await app.listen(config.HTTP_PORT, config.BIND_HOST);
  const address = app.getHttpServer().address();
  const httpPort = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  readiness.markStarted(true);
  grpcServer.setServing(true);
  logger.lifecycle({ msg: 'service started', httpPort, grpcPort, topics });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      readiness.markStarted(false);
      await grpcServer.stop(5000);
      await lag?.stop();
      await transport.close();
      for (const w of workers) await w.stop().catch(() => undefined);
      await auditHeads.stop();
      await relay.stop();
      await pruner.stop();
      await app.close();
      await dataSource.destroy().catch(() => undefined);
      logger.lifecycle({ msg: 'service stopped' });
      await shutdownTelemetry();
    })());
  return { app, httpPort, grpcPort, stop };
}

/** Entry point helper for `main.ts`: run, stop gracefully on SIGTERM/SIGINT, exit non-zero on a bad start. */
export function main<C extends BaseConfig>(spec: ServiceSpec<C>): void;
/** The same for a web front without state (the console). */
export function main<C extends WebConfig>(spec: WebServiceSpec<C>): void;
export function main(spec: ServiceSpec<BaseConfig> | WebServiceSpec<WebConfig>): void {
  const started = 'web' in spec ? runWebService(spec) : runService(spec);
  started.then(
    (svc) => {
      if (!svc) process.exit(0);
      const onSignal = (sig: string) => {
        process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), level: 'info', service: spec.name, msg: `received ${sig}, shutting down` }) + '\n');
        svc.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    },
    (err: Error) => {
      process.stderr.write(`${spec.name} failed to start: ${err.message}\n`);
      process.exit(1);
    },
  );
}

export { DataSource };

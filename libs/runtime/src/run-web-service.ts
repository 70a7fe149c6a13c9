import 'reflect-metadata';
import { DynamicModule, Global, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { ZodType, ZodTypeDef } from 'zod';
import { loadConfig, WebConfig } from '@labelloop/config';
import { initTelemetry, JsonLogger, Metrics, shutdownTelemetry } from '@labelloop/observability';
import { HealthController } from './health.controller';
import { ReadinessProbe } from './readiness';
import type { RunningService } from './run-service';
import { CONFIG, LOGGER, METRICS } from './tokens';

/**
 * How to assemble a web front with no state of its own (the console): no database, no Kafka,
 * no gRPC server; HTTP controllers that call the stages' gRPC APIs.
 */
export interface WebServiceSpec<C extends WebConfig> {
  name: string;
  /** Marks the spec for `main()`: a web front, not a stage. */
  web: true;
  configSchema: ZodType<C, ZodTypeDef, unknown>;
  /** The front's Nest module (controllers, gRPC clients). */
  module: Type<unknown>;
}

/**
 * Starts a web front: validated config → telemetry → Nest container → HTTP (its controllers
 * beside /healthz, /readyz, /metrics). Logs "service started" with `grpcPort: 0` (none).
 */
export async function runWebService<C extends WebConfig>(spec: WebServiceSpec<C>, env: NodeJS.ProcessEnv = process.env): Promise<RunningService> {
  const config = loadConfig(spec.configSchema, env);
  initTelemetry(`labelloop-${spec.name}`, env);
  const logger = new JsonLogger(spec.name, config.LOG_LEVEL);
  const metrics = new Metrics(spec.name);

  @Global()
  @Module({})
  class WebRuntimeModule {
    static create(): DynamicModule {
      return {
        module: WebRuntimeModule,
        imports: [spec.module],
        controllers: [HealthController],
        providers: [ReadinessProbe, { provide: CONFIG, useValue: config }, { provide: METRICS, useValue: metrics }, { provide: LOGGER, useValue: logger }],
        exports: [CONFIG, METRICS, LOGGER, ReadinessProbe],
      };
    }
  }

  const app = await NestFactory.create(WebRuntimeModule.create(), { logger, abortOnError: false });
  app.enableShutdownHooks();
  await app.listen(config.HTTP_PORT, config.BIND_HOST);
  const address = app.getHttpServer().address();
  const httpPort = typeof address === 'object' && address ? address.port : config.HTTP_PORT;
  app.get(ReadinessProbe).markStarted(true);
  logger.lifecycle({ msg: 'service started', httpPort, grpcPort: 0 });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      app.get(ReadinessProbe).markStarted(false);
      await app.close();
      logger.lifecycle({ msg: 'service stopped' });
      await shutdownTelemetry();
    })());
  return { app, httpPort, grpcPort: 0, stop };
}

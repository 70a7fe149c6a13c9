/** Helpers of the dispatch integration specs: a migrated schema of their own, and requested items. */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { AnnotationRequested, AnnotationRequestedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import type { LoggerService } from '@nestjs/common';
import { Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import { ContentResolver } from '../src/content/content.resolver';
import { DispatchConfig, dispatchConfigSchema } from '../src/dispatch.config';
import { migrations } from '../src/migrations';
import { RequestConsumer } from '../src/tasks/request.consumer';
import { TaskService } from '../src/tasks/task.service';

/** A fresh schema with the dispatch migrations applied, on the test database; `drop` removes it. */
export async function dispatchSchema(prefix: string): Promise<{ ds: DataSource; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomUUID().slice(0, 8)}`;
  const ds = createServiceDataSource({ url: process.env.DATABASE_URL ?? '', schema, migrations });
  await ds.initialize();
  await migrate(ds);
  return {
    ds,
    drop: async () => {
      await ds.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
      await ds.destroy();
    },
  };
}

/** Events as the shared consumer hands them to a handler. */
export const consumed = <T>(topic: string, messages: { id: string; message: T }[]) =>
  messages.map((m, i) => ({ ...m, topic, partition: 0, offset: String(i) })) as unknown as ConsumedEvent<T>[];

/** Requests annotation of items through the RequestConsumer, as sampling's events would. */
export async function requestItems(ds: DataSource, config: DispatchConfig, requests: Partial<AnnotationRequested>[]): Promise<void> {
  const events = consumed(
    Topics.annotationRequested,
    requests.map((r) => ({
      id: `req-${r.itemId}`,
      message: create(AnnotationRequestedSchema, { modelId: 'spam-clf', modelVersion: '1', preLabel: { predictedLabel: 'ham' }, ...r }),
    })),
  );
  await ds.transaction((em) => new RequestConsumer(config).handle(events, em));
}

/** Dispatch's config for a spec on the test database (classes ham and spam), with `env` on top. */
export function testConfig(env: Record<string, string> = {}): DispatchConfig {
  return dispatchConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: process.env.DATABASE_URL, DISPATCH_LABEL_CLASSES: 'ham,spam', ...env });
}

/** The task service as the gRPC and HTTP edges use it, writing to `outbox`, its content resolver quiet. */
export function testTaskService(ds: DataSource, config: DispatchConfig, outbox: Outbox, metrics = new Metrics('annotation-dispatch')): TaskService {
  return new TaskService(ds, outbox, config, metrics, new ContentResolver(config, metrics, { warn: () => undefined } as unknown as LoggerService));
}

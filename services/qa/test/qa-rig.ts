/** Helpers of the QA integration specs: a migrated schema of their own with the stage's parts, and submissions. */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { create, toBinary } from '@bufbuild/protobuf';
import { AnnotationSubmitted, AnnotationSubmittedSchema, LabelSchema, Topics } from '@labelloop/contracts';
import { ConsumedEvent, Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import type { RpcContext } from '@labelloop/rpc';
import { QaGrpc } from '../src/gates/qa.grpc';
import { SubmissionConsumer } from '../src/gates/submission.consumer';
import { migrations } from '../src/migrations';
import { QaPolicyRepository } from '../src/policy/policy.repository';
import { qaConfigSchema } from '../src/qa.config';

/** QA on a fresh schema of the test database: the submission consumer, the policies, the gRPC service. */
export interface QaRig {
  ds: DataSource;
  policies: QaPolicyRepository;
  consumer: SubmissionConsumer;
  api: QaGrpc;
  metrics: Metrics;
  /** Applies submissions in one transaction, as the shared consumer hands a batch to the handler. */
  deliver(...events: ConsumedEvent<AnnotationSubmitted>[]): Promise<void>;
  drop(): Promise<void>;
}

export async function qaRig(prefix: string): Promise<QaRig> {
  const url = process.env.DATABASE_URL ?? '';
  const schema = `${prefix}_${randomUUID().slice(0, 8)}`;
  const ds = createServiceDataSource({ url, schema, migrations });
  await ds.initialize();
  await migrate(ds);
  const config = qaConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: url });
  const policies = new QaPolicyRepository(config);
  const metrics = new Metrics(`qa-${prefix}`);
  const consumer = new SubmissionConsumer(config, new Outbox('labelloop/qa'), metrics, policies);
  return {
    ds,
    policies,
    consumer,
    api: new QaGrpc(ds, policies),
    metrics,
    deliver: (...events) => ds.transaction((em) => consumer.handle(events, em)),
    drop: async () => {
      await ds.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
      await ds.destroy();
    },
  };
}

/** `annotator`'s answer (one class) to `item` of `project`, as dispatch's submission carries it; `required`: the task's. */
export function submission(project: string, item: string, annotator: string, label: string, required: number): ConsumedEvent<AnnotationSubmitted> {
  const message = create(AnnotationSubmittedSchema, {
    submissionId: `${item}/${annotator}`,
    itemId: item,
    projectId: project,
    annotatorId: annotator,
    requiredAnswers: required,
    label: create(LabelSchema, { value: { case: 'classification', value: { classes: [label] } } }),
  });
  const value = Buffer.from(toBinary(AnnotationSubmittedSchema, message));
  return { id: `ev:${item}/${annotator}`, envelope: {} as never, topic: Topics.annotationSubmitted, partition: 0, offset: '0', key: item, message, value };
}

/** A gRPC call's context for a reviewer of `projects`. */
export const asReviewer = (projects: string[]): RpcContext => ({
  principal: { subject: 'lead', roles: ['reviewer'], projects },
  path: '',
  metadata: new grpc.Metadata(),
  signal: new AbortController().signal,
});

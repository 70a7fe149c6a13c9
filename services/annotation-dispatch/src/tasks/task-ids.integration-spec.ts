/**
 * Task ids tell an annotator nothing: a gold task (known answer, scored by QA), an overlap copy
 * and a rework task look the same, and none carries the item id. The events that create tasks
 * may be redelivered; a redelivery still creates none. Real PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import type { LoggerService } from '@nestjs/common';
import { AnnotationRequested, AnnotationRequestedSchema, LabelSchema, ReworkRequested, ReworkRequestedSchema, Topics } from '@labelloop/contracts';
import { Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import type { DataSource } from '@labelloop/persistence';
import { consumed, dispatchSchema } from '../../test/dispatch-schema';
import { dispatchConfigSchema } from '../dispatch.config';
import { ReworkConsumer } from './qa-feedback.consumer';
import { RequestConsumer } from './request.consumer';
import { TaskService } from './task.service';
import { ContentResolver } from '../content/content.resolver';

describe('task ids', () => {
  const run = randomUUID().slice(0, 8);
  const project = `ids-${run}`;
  const config = dispatchConfigSchema.parse({
    KAFKA_BROKERS: '127.0.0.1:1',
    DATABASE_URL: process.env.DATABASE_URL,
    DISPATCH_OVERLAP: '2',
    DISPATCH_GOLD_RATE: '0.5',
    DISPATCH_LABEL_CLASSES: 'ham,spam',
  });
  let db: { ds: DataSource; drop(): Promise<void> };
  let ds: DataSource;
  let tasks: TaskService;

  beforeAll(async () => {
    db = await dispatchSchema('dispatch_ids');
    ds = db.ds;
    const metrics = new Metrics('annotation-dispatch');
    tasks = new TaskService(
      ds,
      new Outbox('labelloop/annotation-dispatch'),
      config,
      metrics,
      new ContentResolver(config, metrics, { warn: () => undefined } as unknown as LoggerService),
    );
  });
  afterAll(() => db?.drop());

  it('are opaque: gold, overlap and rework tasks look alike and carry no item id', async () => {
    const items = [1, 2, 3].map((i) => `item-${run}-${i}`);
    const requests = consumed<AnnotationRequested>(
      Topics.annotationRequested,
      items.map((itemId) => ({
        id: `req-${itemId}`,
        message: create(AnnotationRequestedSchema, { itemId, projectId: project, inputUri: `text of ${itemId}`, preLabel: { predictedLabel: 'ham' } }),
      })),
    );
    const consumer = new RequestConsumer(config);
    await ds.transaction((em) => consumer.handle(requests, em));
    await ds.transaction((em) => consumer.handle(requests, em)); // redelivered: no new task
    const gold = `gold-${run}`;
    await ds.query('INSERT INTO gold_item (project_id, item_id, input_uri, answer) VALUES ($1, $2, $3, $4)', [
      project,
      gold,
      'text of a gold item',
      Buffer.from(toBinary(LabelSchema, create(LabelSchema, { value: { case: 'classification', value: { classes: ['spam'] } } }))),
    ]);
    // Every second task of ada is gold: the first is a normal task, the second the gold item.
    const served = [];
    for (let i = 0; i < 2; i++) {
      const t = (await tasks.nextTask('ada', project))!;
      served.push(t);
      await tasks.submit('ada', () => undefined, {
        taskId: t.taskId,
        label: create(LabelSchema, { value: { case: 'classification', value: { classes: ['spam'] } } }),
        timeSpentMs: 1,
        idempotencyKey: t.taskId,
      });
    }
    expect(served.map((t) => t.itemId)).toEqual([items[0], gold]);
    const rework = consumed<ReworkRequested>(Topics.reworkRequested, [
      { id: `rw-${run}`, message: create(ReworkRequestedSchema, { itemId: items[0], reason: 'disagreement' }) },
    ]);
    await ds.transaction((em) => new ReworkConsumer().handle(rework, em));
    await ds.transaction((em) => new ReworkConsumer().handle(rework, em)); // redelivered: no second rework task

    const rows: { task_id: string; item_id: string; kind: string }[] = await ds.query(
      'SELECT task_id, item_id, kind FROM annotation_task ORDER BY created_at, task_id',
    );
    expect(rows.map((r) => r.kind).sort()).toEqual(['gold', 'label', 'label', 'label', 'label', 'label', 'label', 'rework']);
    const shape = (id: string) => id.replace(/[0-9a-f]/g, 'x');
    expect(new Set(rows.map((r) => shape(r.task_id)))).toEqual(new Set([shape(randomUUID())]));
    for (const r of rows) {
      expect(r.task_id).not.toContain(r.item_id);
      expect(r.task_id).not.toMatch(/gold|rework|#/);
    }
    expect(new Set(rows.map((r) => r.task_id)).size).toBe(rows.length);
  });
});

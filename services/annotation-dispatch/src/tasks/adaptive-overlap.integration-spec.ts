/**
 * Adaptive overlap in dispatch, through the real Kafka broker and the exactly-once consumer on
 * real PostgreSQL: QA's AnswersRequested for an item queues exactly one more task, which only an
 * annotator who has not answered the item gets and whose submission tells QA to expect the new
 * number of answers; the same event delivered again, or sent again under another id, queues
 * nothing more. A free-text review request queues the reviewer's task with the answer to
 * review as its pre-label.
 */
import { randomUUID } from 'node:crypto';
import { create, fromBinary } from '@bufbuild/protobuf';
import { AnnotationSubmittedSchema, AnswersRequestedSchema, LabelSchema, Topics } from '@labelloop/contracts';
import { EventConsumer, EventHandler, Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import { createTestTopics, eventRecord, eventually, testKafka, testProducer } from '@labelloop/testing';
import { dispatchSchema, requestItems, testConfig, testTaskService } from '../../test/dispatch-schema';
import { AnswersRequestedConsumer } from './qa-feedback.consumer';
import type { TaskService } from './task.service';

describe('adaptive overlap: one more task per AnswersRequested (real Kafka + PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const project = `adaptive-${run}`;
  // A topic of this test's own (one partition, so events are applied in the order sent).
  const topic = `test.answers-requested-${run}.v1`;
  const kafka = testKafka();
  const config = testConfig({ DISPATCH_OVERLAP: '2' });
  const metrics = new Metrics('annotation-dispatch');
  let db: Awaited<ReturnType<typeof dispatchSchema>>;
  let tasks: TaskService;
  let consumer: EventConsumer;

  beforeAll(async () => {
    db = await dispatchSchema('dispatch_adaptive');
    const outbox = new Outbox('labelloop/annotation-dispatch');
    tasks = testTaskService(db.ds, config, outbox, metrics);
    await createTestTopics(kafka, [topic], 1);
    const handler = new AnswersRequestedConsumer();
    const eventHandler: EventHandler<typeof AnswersRequestedSchema> = {
      topic,
      schema: AnswersRequestedSchema,
      validate: (m) => handler.validate(m),
      handle: (events, em) => handler.handle(events, em),
    };
    consumer = new EventConsumer({
      kafka,
      dataSource: db.ds,
      groupId: `dispatch-${run}`,
      handlers: [eventHandler as EventHandler],
      outbox,
      txBatch: 50,
      metrics,
    });
    await consumer.start();
  });
  afterAll(async () => {
    await consumer?.stop();
    await db?.drop();
  });

  const spam = create(LabelSchema, { value: { case: 'classification', value: { classes: ['spam'] } } });
  const ham = create(LabelSchema, { value: { case: 'classification', value: { classes: ['ham'] } } });
  /** The annotator takes her next task of the project and answers it; undefined when she gets none. */
  const answer = async (annotator: string, label = spam) => {
    const t = await tasks.nextTask(annotator, project);
    if (!t) return undefined;
    await tasks.submit(annotator, () => undefined, { taskId: t.taskId, label, timeSpentMs: 1000, idempotencyKey: `${annotator}-${t.taskId}` });
    return t;
  };
  const tasksOf = async (itemId: string): Promise<{ task_key: string; required_answers: number; kind: string; state: string }[]> =>
    db.ds.query('SELECT task_key, required_answers, kind, state FROM annotation_task WHERE item_id = $1 ORDER BY created_at, task_key', [itemId]);
  const submitted = async () =>
    ((await db.ds.query(`SELECT payload FROM outbox WHERE topic = $1`, [Topics.annotationSubmitted])) as { payload: Buffer }[]).map((r) =>
      fromBinary(AnnotationSubmittedSchema, r.payload),
    );

  it('queues exactly one more task, for someone who has not answered, and its answer asks QA for 3', async () => {
    const item = `item-${run}-1`;
    const marker = `item-${run}-2`;
    await requestItems(db.ds, config, [
      { itemId: item, projectId: project, inputUri: 'Win a prize now', priority: 5 },
      { itemId: marker, projectId: project, inputUri: 'Lunch at noon?', priority: 0 },
    ]);
    // The item's two overlap tasks (k = 2) are answered by ada and ben, and disagree.
    expect((await answer('ada', spam))?.itemId).toBe(item);
    expect((await answer('ben', ham))?.itemId).toBe(item);
    expect((await tasksOf(item)).map((t) => [t.task_key, t.required_answers])).toEqual([
      [`${item}#1`, 2],
      [`${item}#2`, 2],
    ]);

    // QA asks for a third answer; the event comes twice under its id (a redelivery) and once
    // more under another id (as if emitted again), then an event for the marker item.
    const requested = {
      itemId: item,
      projectId: project,
      round: 0,
      answers: 2,
      targetAnswers: 3,
      maxAnswers: 3,
      reason: 'tie between ham, spam',
      excludeAnnotatorIds: ['ada', 'ben'],
    };
    const once = eventRecord(AnswersRequestedSchema, requested, { key: item, id: `answers-requested:${item}:0:3` });
    const again = eventRecord(AnswersRequestedSchema, requested, { key: item, id: `answers-requested:${item}:0:3:again` });
    const last = eventRecord(
      AnswersRequestedSchema,
      { ...requested, itemId: marker, excludeAnnotatorIds: [] },
      { key: marker, id: `answers-requested:${marker}:0:3` },
    );
    const producer = await testProducer(kafka);
    try {
      await producer.send({ topic, messages: [once, once, again, last] });
    } finally {
      await producer.disconnect();
    }
    await eventually(async () => (await tasksOf(marker)).some((t) => t.task_key === `${marker}#3`), 'the marker item got its third task');

    const after = await tasksOf(item);
    expect(after.map((t) => [t.task_key, t.required_answers, t.kind, t.state])).toEqual([
      [`${item}#1`, 2, 'label', 'submitted'],
      [`${item}#2`, 2, 'label', 'submitted'],
      [`${item}#3`, 3, 'label', 'pending'],
    ]);
    const log: { reason: string }[] = await db.ds.query(
      `SELECT tr.reason FROM task_transition tr JOIN annotation_task t ON t.task_id = tr.task_id WHERE t.task_key = $1 AND tr.actor = 'qa'`,
      [`${item}#3`],
    );
    expect(log).toEqual([{ reason: 'answer 3 of at most 3: tie between ham, spam' }]);

    // ada, who answered the item, is given the marker item instead, though the item's task comes
    // first in the queue; cara gets the item, and her answer tells QA to expect 3 answers.
    const adaNext = await tasks.nextTask('ada', project);
    expect(adaNext?.itemId).toBe(marker);
    const caraTask = await answer('cara', spam);
    expect(caraTask?.itemId).toBe(item);
    const fromCara = (await submitted()).filter((s) => s.annotatorId === 'cara');
    expect(fromCara.map((s) => [s.itemId, s.requiredAnswers])).toEqual([[item, 3]]);
  });

  it('queues a free-text review with the first answer as the task’s pre-label, once', async () => {
    const item = `item-${run}-review`;
    await requestItems(db.ds, config, [{ itemId: item, projectId: project, inputUri: 'Describe the picture', priority: 9 }]);
    expect((await answer('dan'))?.itemId).toBe(item);
    expect((await answer('eve'))?.itemId).toBe(item);
    const review = {
      itemId: item,
      projectId: project,
      round: 0,
      answers: 2,
      targetAnswers: 3,
      reason: 'no two of 2 free-text answers agree',
      excludeAnnotatorIds: ['dan', 'eve'],
      review: true,
      reviewText: 'A red bus on a bridge',
    };
    const producer = await testProducer(kafka);
    try {
      await producer.send({
        topic,
        messages: [
          eventRecord(AnswersRequestedSchema, review, { key: item, id: `answers-requested:${item}:0:3` }),
          eventRecord(AnswersRequestedSchema, review, { key: item, id: `answers-requested:${item}:0:3:again` }),
        ],
      });
    } finally {
      await producer.disconnect();
    }
    await eventually(async () => (await tasksOf(item)).some((t) => t.task_key === `${item}#3`), 'the review task is queued');
    expect((await tasksOf(item)).map((t) => [t.task_key, t.required_answers, t.state])).toEqual([
      [`${item}#1`, 2, 'submitted'],
      [`${item}#2`, 2, 'submitted'],
      [`${item}#3`, 3, 'pending'],
    ]);
    // The reviewer sees the first answer as the pre-label (the item's own pre-label was "ham").
    const reviewerTask = await tasks.nextTask('fay', project);
    expect([reviewerTask?.itemId, reviewerTask?.preLabel]).toEqual([item, 'A red bus on a bridge']);
    const log: { reason: string }[] = await db.ds.query(
      `SELECT tr.reason FROM task_transition tr JOIN annotation_task t ON t.task_id = tr.task_id WHERE t.task_key = $1 AND tr.actor = 'qa'`,
      [`${item}#3`],
    );
    expect(log).toEqual([{ reason: 'review of the first answer: no two of 2 free-text answers agree' }]);
  });
});

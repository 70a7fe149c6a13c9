/**
 * Edits after acceptance through the real Kafka broker and the exactly-once consumer on real
 * PostgreSQL: an edit (supersedes_submission_id) that changes an accepted item's consensus emits
 * LabelAccepted exactly once more; the same edit delivered again, sent again under another event
 * id, or an edit that changes nothing, emits nothing.
 */
import { randomUUID } from 'node:crypto';
import { create, fromBinary } from '@bufbuild/protobuf';
import { AnnotationSubmittedSchema, type Label, LabelAcceptedSchema, QaPolicySchema, Topics } from '@labelloop/contracts';
import { EventConsumer, type EventHandler, Outbox } from '@labelloop/messaging';
import { createTestTopics, eventRecord, eventually, testKafka, testProducer } from '@labelloop/testing';
import { classes, spans, spanTuples } from '../../test/labels.factory';
import { type QaRig, qaRig } from '../../test/qa-rig';

describe('edits after acceptance relabel once (real Kafka + PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const project = `relabel-${run}`;
  const topic = `test.annotation-submitted-${run}.v1`;
  const kafka = testKafka();
  let qa: QaRig;
  let consumer: EventConsumer;

  beforeAll(async () => {
    qa = await qaRig('qatest_relabel');
    await qa.ds.transaction((em) => qa.policies.put(em, create(QaPolicySchema, { projectId: project, method: 'majority', minConfidence: 0.6 })));
    await createTestTopics(kafka, [topic], 1);
    const handler: EventHandler<typeof AnnotationSubmittedSchema> = {
      topic,
      schema: AnnotationSubmittedSchema,
      validate: (m) => qa.consumer.validate(m),
      handle: (events, em) => qa.consumer.handle(events, em),
    };
    consumer = new EventConsumer({
      kafka,
      dataSource: qa.ds,
      groupId: `qa-${run}`,
      handlers: [handler as EventHandler],
      outbox: new Outbox('labelloop/qa'),
      txBatch: 50,
      metrics: qa.metrics,
    });
    await consumer.start();
  });
  afterAll(async () => {
    await consumer?.stop();
    await qa?.drop();
  });

  const item = `doc-${run}`;
  const submitted = (annotator: string, label: Label, id: string, extra: { submissionId?: string; supersedesSubmissionId?: string; itemId?: string } = {}) =>
    eventRecord(
      AnnotationSubmittedSchema,
      { submissionId: `${item}/${annotator}`, itemId: item, projectId: project, annotatorId: annotator, requiredAnswers: 3, label, ...extra },
      { key: extra.itemId ?? item, id },
    );
  const accepted = async () => {
    const rows: { id: string; payload: Buffer }[] = await qa.ds.query(`SELECT headers->>'ce_id' AS id, payload FROM outbox WHERE topic = $1 ORDER BY id`, [
      Topics.labelAccepted,
    ]);
    return rows.map((r) => ({ id: r.id, m: fromBinary(LabelAcceptedSchema, r.payload) }));
  };

  it('emits one relabel for an edit that changes the label and nothing for the rest', async () => {
    const withLoc = spans([0, 3, 'PER'], [8, 12, 'LOC']);
    const perOnly = spans([0, 3, 'PER']);
    const edit = submitted('a2', perOnly, `ev-${run}-edit`, { submissionId: `${item}/a2-v2`, supersedesSubmissionId: `${item}/a2` });
    const producer = await testProducer(kafka);
    try {
      await producer.send({
        topic,
        messages: [
          submitted('a1', withLoc, `ev-${run}-1`),
          submitted('a2', withLoc, `ev-${run}-2`),
          submitted('a3', perOnly, `ev-${run}-3`),
          edit,
          edit, // redelivered: the inbox drops it
          { ...edit, headers: { ...edit.headers, ce_id: `ev-${run}-edit-again` } }, // the same submission under another event id
          submitted('a3', perOnly, `ev-${run}-noop`, { submissionId: `${item}/a3-v2`, supersedesSubmissionId: `${item}/a3` }),
          submitted('a1', classes('done'), `ev-${run}-marker`, { itemId: `marker-${run}`, submissionId: `marker-${run}/a1` }),
        ],
      });
    } finally {
      await producer.disconnect();
    }
    // The marker, sent last, is another item waiting for 3 answers: once its answer is stored, all were consumed.
    await eventually(async () => (await qa.ds.query(`SELECT 1 FROM qa_answer WHERE item_id = $1`, [`marker-${run}`])).length > 0, 'every event was consumed');
    const events = await accepted();
    expect(events.map((e) => [e.id, spanTuples(e.m.label)])).toEqual([
      [
        `label-accepted:${project}:${item}`,
        [
          [0, 3, 'PER'],
          [8, 12, 'LOC'],
        ],
      ],
      [`label-accepted:${project}:${item}:${item}/a2-v2`, [[0, 3, 'PER']]],
    ]);
    const [n] = await qa.ds.query(`SELECT count(*)::int AS n FROM qa_answer WHERE item_id = $1`, [item]);
    expect(n.n).toBe(3);
  });
});

/**
 * Every task type through the submission consumer on the real PostgreSQL server: spans, boxes,
 * preference pairs and free text (matched, and settled by a reviewer) become LabelAccepted with
 * the consensus label and the item's text, image size and schema version; an edit made after
 * acceptance that changes the label emits LabelAccepted once more, one that does not emits
 * nothing, and a redelivered edit changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  type AnnotationSubmitted,
  AnnotationSubmittedSchema,
  AnswersRequestedSchema,
  type Label,
  LabelAcceptedSchema,
  QaPolicySchema,
  Topics,
} from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { boxes, boxTuples, classes, preference as pref, spans, spanTuples, text } from '../../test/labels.factory';
import { type QaRig, qaRig } from '../../test/qa-rig';

describe('QA for every task type (real PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const project = `types-${run}`;
  let qa: QaRig;

  beforeAll(async () => {
    qa = await qaRig('qatest_types');
    await qa.ds.transaction((em) => qa.policies.put(em, create(QaPolicySchema, { projectId: project, method: 'majority', minConfidence: 0.6 })));
  });
  afterAll(() => qa?.drop());

  let seq = 0;
  /** `annotator`'s answer to `item`, as dispatch's submission carries it. */
  const answer = (
    item: string,
    annotator: string,
    label: Label,
    required: number,
    extra: Partial<AnnotationSubmitted> = {},
  ): ConsumedEvent<AnnotationSubmitted> => {
    const message = create(AnnotationSubmittedSchema, {
      submissionId: `${item}/${annotator}`,
      taskId: `${item}#1`,
      itemId: `${item}-${run}`,
      projectId: project,
      annotatorId: annotator,
      requiredAnswers: required,
      label,
      schemaVersion: 3,
      ...extra,
    });
    return {
      id: `ev-${run}-${seq++}`,
      envelope: {} as never,
      topic: Topics.annotationSubmitted,
      partition: 0,
      offset: '0',
      key: message.itemId,
      message,
      value: Buffer.from(toBinary(AnnotationSubmittedSchema, message)),
    };
  };

  /** What QA emitted about the item, in order. */
  const emitted = async (item: string) => {
    const rows: { topic: string; event_id: string; payload: Buffer }[] = await qa.ds.query(
      `SELECT topic, headers->>'ce_id' AS event_id, payload FROM outbox ORDER BY id`,
    );
    return rows.flatMap((r) => {
      if (r.topic === Topics.labelAccepted) {
        const m = fromBinary(LabelAcceptedSchema, r.payload);
        return m.itemId === `${item}-${run}` ? [{ kind: 'accepted' as const, id: r.event_id, m }] : [];
      }
      if (r.topic === Topics.answersRequested) {
        const m = fromBinary(AnswersRequestedSchema, r.payload);
        return m.itemId === `${item}-${run}` ? [{ kind: 'requested' as const, id: r.event_id, m }] : [];
      }
      return [];
    });
  };
  const accepted = async (item: string) => (await emitted(item)).flatMap((e) => (e.kind === 'accepted' ? [e.m] : []));

  it('accepts the spans a majority gave, with the item text and schema version', async () => {
    const content = { contentText: 'Ada Lovelace met Babbage in London' };
    await qa.deliver(
      answer('ner', 'a1', spans([0, 12, 'PER'], [17, 24, 'PER'], [28, 34, 'LOC']), 3, content),
      answer('ner', 'a2', spans([0, 12, 'PER'], [28, 34, 'LOC']), 3, content),
      answer('ner', 'a3', spans([0, 12, 'PER'], [17, 24, 'PER'], [28, 34, 'LOC'], [0, 3, 'ORG']), 3, content),
    );
    const [l] = await accepted('ner');
    expect(l.label?.value).toEqual({
      case: 'spans',
      value: expect.objectContaining({
        spans: [
          expect.objectContaining({ start: 0, end: 12, label: 'PER' }),
          expect.objectContaining({ start: 17, end: 24, label: 'PER' }),
          expect.objectContaining({ start: 28, end: 34, label: 'LOC' }),
        ],
      }),
    });
    // Pairwise span F1 by hand: (1,2) 2·2/(3+2) = 0.8, (1,3) 2·3/(3+4) = 6/7, (2,3) 2·2/(2+4) = 2/3.
    expect(l.agreement).toBeCloseTo((0.8 + 6 / 7 + 2 / 3) / 3, 12);
    expect(l.contentText).toBe(content.contentText);
    expect(l.schemaVersion).toBe(3);
    expect(l.qaPolicyVersion).toMatch(/\/spans_majority$/);
  });

  it('accepts the boxes most annotators drew as mean boxes, drops a lone wrong one, and carries the image size', async () => {
    const size = { imageWidth: 640, imageHeight: 480 };
    await qa.deliver(
      answer('img', 'a1', boxes([10, 20, 100, 80, 'car'], [400, 400, 30, 30, 'dog']), 3, size),
      answer('img', 'a2', boxes([14, 20, 100, 80, 'car']), 3, size),
      answer('img', 'a3', boxes([12, 22, 100, 80, 'car']), 3, size),
    );
    const [l] = await accepted('img');
    expect(boxTuples(l.label)).toEqual([[12, 20 + 2 / 3, 100, 80, 'car']]);
    expect([l.imageWidth, l.imageHeight]).toEqual([640, 480]);
  });

  it('accepts the preferred output of a pair by majority', async () => {
    await qa.deliver(answer('pair', 'a1', pref('b'), 3), answer('pair', 'a2', pref('a'), 3), answer('pair', 'a3', pref('b'), 3));
    const [l] = await accepted('pair');
    expect(l.label?.value).toEqual({ case: 'preference', value: expect.objectContaining({ chosen: 'b' }) });
  });

  it('accepts the classes a majority gave in a multi-label round', async () => {
    await qa.deliver(
      answer('topics', 'a1', classes('news', 'sport'), 3),
      answer('topics', 'a2', classes('news'), 3),
      answer('topics', 'a3', classes('sport', 'news', 'tech'), 3),
    );
    const [l] = await accepted('topics');
    expect(l.label?.value).toEqual({ case: 'classification', value: expect.objectContaining({ classes: ['news', 'sport'] }) });
    expect(l.qaPolicyVersion).toMatch(/\/multi_label_majority$/);
  });

  it('accepts free text two annotators gave alike, as the first of them wrote it', async () => {
    await qa.deliver(answer('caption', 'a1', text('A red  bus.'), 2), answer('caption', 'a2', text('a red bus. '), 2));
    const [l] = await accepted('caption');
    expect(l.label?.value).toEqual({ case: 'text', value: 'A red  bus.' });
  });

  it('asks a reviewer when free-text answers differ, and accepts the reviewer’s edit; an edit of the review relabels once', async () => {
    await qa.deliver(answer('summary', 'a1', text('Paris is the capital'), 2), answer('summary', 'a2', text('capital: Paris'), 2));
    const asked = await emitted('summary');
    expect(asked.map((e) => e.kind)).toEqual(['requested']);
    const request = asked[0].m as ReturnType<typeof fromBinary<typeof AnswersRequestedSchema>>;
    expect(request).toMatchObject({ review: true, reviewText: 'Paris is the capital', answers: 2, targetAnswers: 3, excludeAnnotatorIds: ['a1', 'a2'] });

    // A third annotator's answer would not settle it; the reviewer's does, as written.
    await qa.deliver(answer('summary', 'lead', text('Paris is the capital of France.'), 3, { taskId: 'summary#3' }));
    let labels = await accepted('summary');
    expect(labels.map((l) => l.label?.value.value)).toEqual(['Paris is the capital of France.']);
    expect(labels[0].qaPolicyVersion).toMatch(/\/text_review$/);

    // The reviewer edits in Label Studio: one relabel; the same edit redelivered adds nothing.
    const edit = answer('summary', 'lead', text('Paris is the capital of France'), 3, {
      submissionId: 'summary/lead-2',
      supersedesSubmissionId: 'summary/lead',
    });
    await qa.deliver(edit);
    await qa.deliver({ ...edit, id: `${edit.id}-again` });
    labels = await accepted('summary');
    expect(labels.map((l) => l.label?.value.value)).toEqual(['Paris is the capital of France.', 'Paris is the capital of France']);
  });

  it('relabels an accepted item once when an edit changes its consensus, and not for an edit that changes nothing', async () => {
    const A = spans([0, 3, 'PER'], [8, 12, 'LOC']);
    const B = spans([0, 3, 'PER']);
    await qa.deliver(answer('edit', 'a1', A, 3), answer('edit', 'a2', A, 3), answer('edit', 'a3', B, 3));
    expect((await accepted('edit')).map((l) => spanTuples(l.label).length)).toEqual([2]);

    // a2 removes the LOC span: now only PER has a majority.
    await qa.deliver(answer('edit', 'a2', B, 3, { submissionId: 'edit/a2-v2', supersedesSubmissionId: 'edit/a2' }));
    // a3 re-saves the same spans, and a late copy of a2's replaced answer arrives: nothing changes.
    await qa.deliver(answer('edit', 'a3', B, 3, { submissionId: 'edit/a3-v2', supersedesSubmissionId: 'edit/a3' }));
    await qa.deliver({ ...answer('edit', 'a2', A, 3), id: `late-${run}` });
    const events = await emitted('edit');
    expect(events.map((e) => [e.id, spanTuples(e.m.label).length])).toEqual([
      [`label-accepted:${project}:edit-${run}`, 2],
      [`label-accepted:${project}:edit-${run}:edit/a2-v2`, 1],
    ]);
    const [answers] = await qa.ds.query(`SELECT count(*)::int AS n FROM qa_answer WHERE item_id = $1`, [`edit-${run}`]);
    expect(answers.n).toBe(3);
  });

  it('holds span items in a batch and accepts their consensus when the batch’s mean agreement passes', async () => {
    const batched = `${project}-batch`;
    await qa.ds.transaction((em) =>
      qa.policies.put(em, create(QaPolicySchema, { projectId: batched, method: 'majority', minConfidence: 0.6, batchSize: 2, minBatchKappa: 0.7 })),
    );
    const inBatch = (item: string, annotator: string, label: Label) => answer(item, annotator, label, 2, { projectId: batched });
    await qa.deliver(inBatch('b1', 'a1', spans([0, 4, 'PER'])), inBatch('b1', 'a2', spans([0, 4, 'PER'])));
    expect(await accepted('b1')).toEqual([]);
    await qa.deliver(inBatch('b2', 'a1', spans([2, 6, 'ORG'], [9, 12, 'LOC'])), inBatch('b2', 'a2', spans([2, 6, 'ORG'])));
    // Agreement 1 and 2/3: mean 0.83 ≥ 0.7, so both are accepted with their consensus spans.
    expect((await accepted('b1')).map((l) => spanTuples(l.label))).toEqual([[[0, 4, 'PER']]]);
    expect((await accepted('b2')).map((l) => spanTuples(l.label))).toEqual([[[2, 6, 'ORG']]]);
  });

  it('scores gold span answers by F1 against the gold label', async () => {
    const gold = spans([0, 3, 'PER'], [5, 9, 'LOC'], [10, 14, 'LOC'], [15, 19, 'LOC'], [20, 24, 'ORG']);
    await qa.deliver(
      answer('g1', 'goldie', spans([0, 3, 'PER'], [5, 9, 'LOC'], [10, 14, 'LOC'], [15, 19, 'LOC']), 1, { gold: true, goldLabel: gold }),
      answer('g2', 'goldie', spans([0, 3, 'PER'], [5, 9, 'LOC'], [10, 14, 'LOC']), 1, { gold: true, goldLabel: gold }),
    );
    const rows: { item_id: string; gold_correct: boolean }[] = await qa.ds.query(
      `SELECT item_id, gold_correct FROM qa_answer WHERE annotator_id = 'goldie' ORDER BY item_id`,
    );
    // F1 8/9 ≥ 0.8 is correct; 6/8 = 0.75 is not.
    expect(rows.map((r) => r.gold_correct)).toEqual([true, false]);
  });
});

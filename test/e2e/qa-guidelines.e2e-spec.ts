/**
 * qa as a process on the real broker and database: when annotators keep splitting on one
 * class, GuidelineReviewRequested is raised once for that class (not for the class it is
 * confused with), and a redelivery of every submission raises nothing more.
 */
import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { Client } from 'pg';
import { AnnotationSubmittedSchema, GuidelineReviewRequestedSchema, Topics } from '@labelloop/contracts';
import { createTestDatabase, eventRecord, eventually, readTopic, ServiceProcess, startService, testKafka, testProducer } from '@labelloop/testing';

describe('QA guideline reviews', () => {
  const run = randomUUID().slice(0, 8);
  const project = `guide-${run}`;
  const kafka = testKafka();
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let qa: ServiceProcess;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase('qaguide');
    qa = startService('qa', { DATABASE_URL: db.url, KAFKA_GROUP_ID: `qa-${run}`, QA_GUIDELINE_MIN_ITEMS: '10', QA_METHOD: 'majority' });
    await qa.ready;
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await qa?.kill();
    await db?.drop();
  });

  const answer = (item: string, annotator: string, cls: string) =>
    eventRecord(
      AnnotationSubmittedSchema,
      {
        submissionId: `${item}-${annotator}`,
        itemId: item,
        projectId: project,
        annotatorId: annotator,
        requiredAnswers: 2,
        label: { value: { case: 'classification', value: { classes: [cls] } } },
      },
      { key: item },
    );
  const reviews = async () =>
    (await readTopic(kafka, Topics.guidelineReviewRequested, 100_000, 4_000))
      .map((m) => fromBinary(GuidelineReviewRequestedSchema, m.value!))
      .filter((r) => r.projectId === project);

  it('asks for a review of the class annotators split on, once', async () => {
    const answers: [string, string, string][] = [];
    for (let i = 0; i < 12; i++) answers.push([`ham-${run}-${i}`, 'ann', 'ham'], [`ham-${run}-${i}`, 'bob', 'ham']);
    for (let i = 0; i < 12; i++) answers.push([`spam-${run}-${i}`, 'ann', 'spam'], [`spam-${run}-${i}`, 'bob', 'spam']);
    for (let i = 0; i < 12; i++) answers.push([`promo-${run}-${i}`, 'ann', 'promo'], [`promo-${run}-${i}`, 'bob', 'ham']);
    const batch = answers.map(([item, who, cls]) => answer(item, who, cls));
    const producer = await testProducer(kafka);
    await producer.send({ topic: Topics.annotationSubmitted, messages: batch });

    const [review] = await eventually(
      async () => {
        const r = await reviews();
        return r.length ? r : undefined;
      },
      'GuidelineReviewRequested',
      60_000,
      500,
    );
    expect(review.labelClass).toBe('promo');
    expect(review.disagreementRate).toBe(1);
    expect(review.baselineRate).toBeGreaterThan(0);
    expect(review.baselineRate).toBeLessThan(0.5);

    // Every submission again under new event ids (a producer retry upstream): the submission ids
    // are the same, so no round, figure or request changes.
    const figures = async () =>
      (await pg.query('SELECT label_class, raised, items, disagreement_rate FROM qa.qa_guideline_review WHERE project_id = $1 ORDER BY label_class', [project]))
        .rows;
    const before = await figures();
    await producer.send({ topic: Topics.annotationSubmitted, messages: answers.map(([item, who, cls]) => answer(item, who, cls)) });
    await producer.disconnect();
    await eventually(
      async () => {
        const { rows } = await pg.query('SELECT count(*)::int AS n FROM qa.inbox WHERE topic = $1', [Topics.annotationSubmitted]);
        return rows[0].n >= batch.length * 2 ? true : undefined;
      },
      'redelivery consumed',
      30_000,
      300,
    );
    expect(await figures()).toEqual(before);
    expect((await reviews()).map((r) => r.labelClass)).toEqual(['promo']);
    expect(before.filter((r: { raised: number }) => r.raised > 0).map((r: { label_class: string }) => r.label_class)).toEqual(['promo']);
  });
});

/**
 * Gold injection with annotation-dispatch and qa as processes on the real broker and database:
 * every second task of an annotator is a gold item, served like any task but without the
 * model's pre-label; its answer leaves with the known answer attached, QA scores it, and the
 * annotator's gold accuracy shows on their scorecard.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { AnnotationRequestedSchema, AnnotationSubmittedSchema, AnnotatorService, QaService, Topics } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { createTestDatabase, eventRecord, eventually, readTopic, ServiceProcess, startService, testKafka, testProducer } from '@labelloop/testing';

describe('gold injection', () => {
  const run = randomUUID().slice(0, 8);
  const project = `gold-${run}`;
  const kafka = testKafka();
  const tokens = [
    { token: `ada-${run}`, subject: 'ada', roles: ['annotator'], projects: [project] },
    { token: `svc-${run}`, subject: 'ci', roles: ['service', 'reviewer'], projects: ['*'] },
  ];
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dispatch: ServiceProcess;
  let qa: ServiceProcess;

  beforeAll(async () => {
    db = await createTestDatabase('gold');
    const goldFile = join(mkdtempSync(join(tmpdir(), 'gold-')), 'gold.json');
    writeFileSync(
      goldFile,
      JSON.stringify([
        { projectId: project, itemId: `gold-a-${run}`, inputUri: 'text://free money now', classes: ['spam'] },
        { projectId: project, itemId: `gold-b-${run}`, inputUri: 'text://see you at 5', classes: ['ham'] },
      ]),
    );
    const env = { DATABASE_URL: db.url, AUTH_TOKENS: JSON.stringify(tokens), DISPATCH_LABEL_CLASSES: 'ham,spam' };
    dispatch = startService('annotation-dispatch', { ...env, KAFKA_GROUP_ID: `gold-${run}-dispatch`, DISPATCH_GOLD_RATE: '0.5', DISPATCH_GOLD_FILE: goldFile });
    qa = startService('qa', { ...env, KAFKA_GROUP_ID: `gold-${run}-qa` });
    await Promise.all([dispatch.ready, qa.ready]);
  });
  afterAll(async () => {
    await Promise.all([dispatch?.kill(), qa?.kill()]);
    await db?.drop();
  });

  it('injects gold without the pre-label, never twice, and records gold accuracy', async () => {
    const producer = await testProducer(kafka);
    const items = [1, 2, 3].map((i) => `item-${run}-${i}`);
    await producer.send({
      topic: Topics.annotationRequested,
      messages: items.map((itemId) =>
        eventRecord(
          AnnotationRequestedSchema,
          { itemId, projectId: project, modelId: 'm', modelVersion: '1', inputUri: `text://${itemId}`, preLabel: { predictedLabel: 'spam' } },
          { key: itemId },
        ),
      ),
    });
    await producer.disconnect();
    const ada = createGrpcClient(AnnotatorService, `127.0.0.1:${(await dispatch.ready).grpcPort}`, { token: `ada-${run}` });
    const label = (c: string) => ({ value: { case: 'classification' as const, value: { classes: [c] } } });
    const served = [];
    await eventually(async () => (await ada.getNextTask({ projectId: project })).task, 'first task');
    for (let i = 0; i < 5; i++) {
      const t = (await ada.getNextTask({ projectId: project })).task;
      if (!t) break;
      served.push(t);
      // ada answers "spam" to everything: right on gold-a, wrong on gold-b.
      await ada.submitAnnotation({ taskId: t.taskId, label: label('spam'), timeSpentMs: 500, idempotencyKey: t.taskId });
    }
    const gold = served.filter((t) => t.itemId.startsWith('gold-'));
    // tasks 2 and 4 are gold; the two gold items, each once; nothing marks them as gold.
    expect(served.map((t) => t.itemId.startsWith('gold-'))).toEqual([false, true, false, true, false]);
    expect(new Set(gold.map((t) => t.itemId)).size).toBe(2);
    expect(gold.every((t) => t.preLabel === '' && Object.keys(t.preLabelProbabilities).length === 0)).toBe(true);
    expect(served.filter((t) => !t.itemId.startsWith('gold-')).every((t) => t.preLabel === 'spam')).toBe(true);

    const subs = (await readTopic(kafka, Topics.annotationSubmitted, 1_000_000, 4_000))
      .map((m) => fromBinary(AnnotationSubmittedSchema, m.value!))
      .filter((s) => s.projectId === project);
    const goldSubs = subs.filter((s) => s.gold);
    expect(goldSubs.map((s) => s.itemId).sort()).toEqual([`gold-a-${run}`, `gold-b-${run}`]);
    for (const s of goldSubs) {
      const answer = s.goldLabel?.value.case === 'classification' ? s.goldLabel.value.value.classes : [];
      expect(answer).toEqual([s.itemId.startsWith('gold-a') ? 'spam' : 'ham']);
    }

    const qaClient = createGrpcClient(QaService, `127.0.0.1:${(await qa.ready).grpcPort}`, { token: `svc-${run}` });
    const card = await eventually(
      async () => (await qaClient.listAnnotatorScorecards({ projectId: project })).scorecards.find((c) => c.annotatorId === 'ada' && c.goldAnswers === 2),
      'gold answers on the scorecard',
      60_000,
      300,
    );
    expect(card.goldAccuracy).toBeCloseTo(0.5, 6);
    ada.close();
    qaClient.close();
  });
});

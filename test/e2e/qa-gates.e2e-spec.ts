/**
 * qa and annotation-dispatch as processes on the real broker and database: a failed gate
 * produces a rework task that another annotator gets; a redelivered submission changes no
 * figure; a careless annotator is detected (Dawid–Skene) and paused from new tasks; with
 * adaptive overlap a tie gets one more task instead of a rework.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { Client } from 'pg';
import { AnnotationRequestedSchema, AnnotatorService, DispatchAdminService, QaService, Topics } from '@labelloop/contracts';
import { Mulberry32 } from '@labelloop/drift-stats';
import { createGrpcClient } from '@labelloop/rpc';
import { crowdSubmissions, E2eRig, eventRecord, eventually, readTopic, ServiceProcess } from '@labelloop/testing';

describe('QA gates with dispatch', () => {
  const run = randomUUID().slice(0, 8);
  const project = `qa-${run}`;
  const rig = new E2eRig();
  const kafka = rig.kafka;
  const names = ['ada', 'grace', 'carol', 'linus'];
  const tokens = names.map((n) => ({ token: `${n}-${run}`, subject: n, roles: ['annotator'], projects: [project, `${project}-pause`, `${project}-adaptive`] }));
  const svcToken = { token: `svc-${run}`, subject: 'ci', roles: ['service', 'reviewer'], projects: ['*'] };
  const adminToken = { token: `lead-${run}`, subject: 'lead', roles: ['admin'], projects: [project, `${project}-pause`, `${project}-adaptive`] };
  let pg: Client;
  let qa: ServiceProcess;
  let dispatch: ServiceProcess;

  beforeAll(async () => {
    const db = await rig.database('qa');
    const env = {
      DATABASE_URL: db.url,
      AUTH_TOKENS: JSON.stringify([...tokens, svcToken, adminToken]),
      DISPATCH_OVERLAP: '2',
      DISPATCH_LABEL_CLASSES: 'ham,spam',
      QA_MIN_ANSWERS_FOR_PAUSE: '30',
      QA_ANNOTATOR_FLOOR: '0.7',
    };
    qa = rig.service('qa', { ...env, KAFKA_GROUP_ID: `qa-${run}-qa` });
    dispatch = rig.service('annotation-dispatch', { ...env, KAFKA_GROUP_ID: `qa-${run}-dispatch` });
    await Promise.all([qa.ready, dispatch.ready]);
    pg = await rig.pg(db.url);
  });
  afterAll(() => rig.close());

  const annotator = async (name: string) => createGrpcClient(AnnotatorService, `127.0.0.1:${(await dispatch.ready).grpcPort}`, { token: `${name}-${run}` });
  const label = (c: string) => ({ value: { case: 'classification' as const, value: { classes: [c] } } });

  it('turns a tied overlap into a rework task for a third annotator, and ignores a redelivered submission', async () => {
    const producer = await rig.producer();
    const itemId = `item-${run}-tie`;
    await producer.send({
      topic: Topics.annotationRequested,
      messages: [
        eventRecord(
          AnnotationRequestedSchema,
          { itemId, projectId: project, modelId: 'm', modelVersion: '1', inputUri: 'x://1', preLabel: { predictedLabel: 'ham' } },
          { key: itemId },
        ),
      ],
    });
    const [ada, grace, carol] = [await annotator('ada'), await annotator('grace'), await annotator('carol')];
    const t1 = await eventually(async () => (await ada.getNextTask({ projectId: project })).task, 'task for ada');
    const t2 = await eventually(async () => (await grace.getNextTask({ projectId: project })).task, 'task for grace');
    expect(t1.itemId).toBe(itemId);
    expect(t2.itemId).toBe(itemId);
    expect(t2.taskId).not.toBe(t1.taskId);
    await ada.submitAnnotation({ taskId: t1.taskId, label: label('spam'), timeSpentMs: 1000, idempotencyKey: 'a' });
    await grace.submitAnnotation({ taskId: t2.taskId, label: label('ham'), timeSpentMs: 1000, idempotencyKey: 'g' });

    // A tie under Dawid–Skene with no other evidence has low confidence: the gate fails.
    const rework = await eventually(async () => (await carol.getNextTask({ projectId: project })).task, 'rework task for carol', 60_000, 300);
    expect(rework.itemId).toBe(itemId);
    expect([t1.taskId, t2.taskId]).not.toContain(rework.taskId);
    // ada and grace never see the item again.
    expect((await ada.getNextTask({ projectId: project })).task).toBeUndefined();

    const before = (await pg.query(`SELECT annotator_id, answers FROM qa.qa_annotator WHERE project_id = $1 ORDER BY annotator_id`, [project])).rows;
    const submitted = (await readTopic(kafka, Topics.annotationSubmitted, 100_000, 4_000)).filter((m) => m.key === itemId);
    expect(submitted).toHaveLength(2);
    // Redeliver both submissions byte for byte, then a marker; no figure may move.
    await producer.send({ topic: Topics.annotationSubmitted, messages: submitted.map((m) => ({ key: m.key, value: m.value, headers: m.headers })) });
    await carol.submitAnnotation({ taskId: rework.taskId, label: label('spam'), timeSpentMs: 1000, idempotencyKey: 'c' });
    await eventually(
      async () => (await pg.query(`SELECT state FROM qa.qa_item WHERE item_id = $1`, [itemId])).rows[0]?.state === 'accepted',
      'item accepted after rework',
      60_000,
      300,
    );
    const after = (await pg.query(`SELECT annotator_id, answers FROM qa.qa_annotator WHERE project_id = $1 ORDER BY annotator_id`, [project])).rows;
    expect(after.filter((r) => r.annotator_id !== 'carol')).toEqual(before);
    expect(Number((await pg.query(`SELECT count(*) FROM qa.qa_answer WHERE item_id = $1`, [itemId])).rows[0].count)).toBe(3);
    await producer.disconnect();
    [ada, grace, carol].forEach((c) => c.close());
  });

  it('with adaptive overlap, asks for a third answer on a tie instead of a rework, and accepts on it', async () => {
    const p = `${project}-adaptive`;
    const qaAddr = `127.0.0.1:${(await qa.ready).grpcPort}`;
    const lead = createGrpcClient(QaService, qaAddr, { token: adminToken.token });
    await lead.upsertQaPolicy({ policy: { projectId: p, method: 'majority', minConfidence: 0.6, maxAnswers: 3 } });
    lead.close();
    const itemId = `item-${run}-adaptive`;
    const producer = await rig.producer();
    await producer.send({
      topic: Topics.annotationRequested,
      messages: [eventRecord(AnnotationRequestedSchema, { itemId, projectId: p, modelId: 'm', modelVersion: '1', inputUri: 'x://2' }, { key: itemId })],
    });
    await producer.disconnect();
    const [ada, grace, carol] = [await annotator('ada'), await annotator('grace'), await annotator('carol')];
    const t1 = await eventually(async () => (await ada.getNextTask({ projectId: p })).task, 'task for ada');
    const t2 = await eventually(async () => (await grace.getNextTask({ projectId: p })).task, 'task for grace');
    await ada.submitAnnotation({ taskId: t1.taskId, label: label('spam'), timeSpentMs: 1000, idempotencyKey: 'a' });
    await grace.submitAnnotation({ taskId: t2.taskId, label: label('ham'), timeSpentMs: 1000, idempotencyKey: 'g' });

    // The tie asks for one more answer: dispatch's third task of the item, not a rework task.
    const third = await eventually(async () => (await carol.getNextTask({ projectId: p })).task, 'third task for carol', 60_000, 300);
    expect(third.itemId).toBe(itemId);
    const tasks = (
      await pg.query(`SELECT task_key, kind, required_answers FROM annotation_dispatch.annotation_task WHERE item_id = $1 ORDER BY task_key`, [itemId])
    ).rows;
    expect(tasks).toEqual([
      { task_key: `${itemId}#1`, kind: 'label', required_answers: 2 },
      { task_key: `${itemId}#2`, kind: 'label', required_answers: 2 },
      { task_key: `${itemId}#3`, kind: 'label', required_answers: 3 },
    ]);
    expect((await ada.getNextTask({ projectId: p })).task).toBeUndefined();
    await carol.submitAnnotation({ taskId: third.taskId, label: label('spam'), timeSpentMs: 1000, idempotencyKey: 'c' });
    const item = await eventually(
      async () =>
        (await pg.query(`SELECT state, round, final_label, answers_requested FROM qa.qa_item WHERE item_id = $1`, [itemId])).rows.find(
          (r) => r.state === 'accepted',
        ),
      'item accepted on three answers',
      60_000,
      300,
    );
    expect(item).toEqual({ state: 'accepted', round: 0, final_label: 'spam', answers_requested: 1 });
    const reviewer = createGrpcClient(QaService, qaAddr, { token: svcToken.token });
    expect(await reviewer.getAnswerCost({ projectId: p })).toMatchObject({
      acceptedLabels: 1,
      humanAnswers: 3,
      machineAnswers: 0,
      humanAnswersPerAcceptedLabel: 3,
      answersRequested: 1,
    });
    reviewer.close();
    [ada, grace, carol].forEach((c) => c.close());
  });

  /** 60 overlap items answered by the simulated crowd (ada, grace, linus: careless). */
  const sendRounds = async (p: string, from: number, rng: Mulberry32) => {
    const producer = await rig.producer();
    await producer.send({ topic: Topics.annotationSubmitted, messages: crowdSubmissions(run, p, rng, from) });
    await producer.disconnect();
  };
  const refusedAsPaused = async (c: Awaited<ReturnType<typeof annotator>>, p: string) => {
    try {
      await c.getNextTask({ projectId: p });
      return false;
    } catch (e) {
      return (e as { code: number }).code === status.FAILED_PRECONDITION && /paused by QA/.test((e as Error).message);
    }
  };

  it('pauses a careless annotator measured by Dawid–Skene; an admin resumes them; QA pauses them again on new evidence', async () => {
    const p = `${project}-pause`;
    const rng = new Mulberry32(11);
    await sendRounds(p, 0, rng);
    const qaClient = createGrpcClient(QaService, `127.0.0.1:${(await qa.ready).grpcPort}`, { token: svcToken.token });
    const cards = await eventually(
      async () => {
        const c = (await qaClient.listAnnotatorScorecards({ projectId: p })).scorecards;
        return c.find((x) => x.annotatorId === 'linus')?.paused ? c : undefined;
      },
      'linus paused',
      60_000,
      500,
    );
    const byName = Object.fromEntries(cards.map((c) => [c.annotatorId, c]));
    expect(byName.linus.estimatedAccuracy).toBeLessThan(0.7);
    expect(byName.ada.paused).toBe(false);
    expect(byName.ada.estimatedAccuracy).toBeGreaterThan(byName.linus.estimatedAccuracy);
    qaClient.close();
    const linus = await annotator('linus');
    await eventually(() => refusedAsPaused(linus, p), 'dispatch refusing linus', 30_000, 300);

    // The project's admin sees why, and resumes him; nobody else may.
    const dispatchAddr = `127.0.0.1:${(await dispatch.ready).grpcPort}`;
    const lead = createGrpcClient(DispatchAdminService, dispatchAddr, { token: adminToken.token });
    const notAdmin = createGrpcClient(DispatchAdminService, dispatchAddr, { token: svcToken.token });
    const paused = (await lead.listPausedAnnotators({ projectId: p })).annotators;
    expect(paused.map((a) => a.annotatorId)).toEqual(['linus']);
    expect(paused[0].reason).toMatch(/^estimated accuracy 0\.\d+ \(Dawid–Skene/);
    await expect(notAdmin.resumeAnnotator({ projectId: p, annotatorId: 'linus', reason: 'retrained' })).rejects.toMatchObject({
      code: status.PERMISSION_DENIED,
    });
    await expect(lead.resumeAnnotator({ projectId: p, annotatorId: 'linus', reason: ' ' })).rejects.toMatchObject({
      code: status.INVALID_ARGUMENT,
      details: expect.stringMatching(/^reason: is required/),
    });
    await lead.resumeAnnotator({ projectId: p, annotatorId: 'linus', reason: 'retrained on the guideline' });
    await expect(lead.resumeAnnotator({ projectId: p, annotatorId: 'linus', reason: 'again' })).rejects.toMatchObject({ code: status.FAILED_PRECONDITION });
    expect(await refusedAsPaused(linus, p)).toBe(false);
    const qaC = createGrpcClient(QaService, `127.0.0.1:${(await qa.ready).grpcPort}`, { token: svcToken.token });
    const resumed = await eventually(
      async () => {
        const c = (await qaC.listAnnotatorScorecards({ projectId: p })).scorecards.find((x) => x.annotatorId === 'linus');
        return c && !c.paused ? c : undefined;
      },
      'QA clearing the pause',
      60_000,
      300,
    );
    expect(resumed.paused).toBe(false);

    // Still careless: after 60 new answers QA pauses him again (a new AnnotatorPaused), and dispatch follows.
    await sendRounds(p, 60, rng);
    await eventually(() => refusedAsPaused(linus, p), 'dispatch refusing linus again', 60_000, 300);
    const audit = await pg.query(`SELECT actor, action FROM qa.audit_log WHERE subject = $1 ORDER BY seq`, [`${p}/linus`]);
    expect(audit.rows).toEqual([
      { actor: 'qa', action: 'annotator.paused' },
      { actor: 'lead', action: 'annotator.resumed' },
      { actor: 'qa', action: 'annotator.paused' },
    ]);
    linus.close();
    lead.close();
    notAdmin.close();
    qaC.close();
  });

  it('keeps a versioned QA policy per project: admins of the project only, refused naming the field, audited', async () => {
    const qaAddr = `127.0.0.1:${(await qa.ready).grpcPort}`;
    const lead = createGrpcClient(QaService, qaAddr, { token: adminToken.token });
    const svc = createGrpcClient(QaService, qaAddr, { token: svcToken.token });
    const other = `${project}-other`;
    try {
      expect((await svc.getQaPolicy({ projectId: project })).version).toBe(0); // the defaults apply
      await expect(svc.upsertQaPolicy({ policy: { projectId: project, batchSize: 10 } })).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      await expect(lead.upsertQaPolicy({ policy: { projectId: other, batchSize: 10 } })).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
      await expect(lead.upsertQaPolicy({ policy: { projectId: project, minConfidence: 1.5 } })).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: 'policy.min_confidence: must be in [0, 1], got 1.5',
      });
      await expect(lead.upsertQaPolicy({ policy: { projectId: project, method: 'vibes' } })).rejects.toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: expect.stringMatching(/^policy\.method: must be one of/),
      });

      const first = await lead.upsertQaPolicy({ policy: { projectId: project, batchSize: 20, minBatchKappa: 0.6 } });
      expect(first.version).toBe(1);
      expect(first.policy).toMatchObject({
        projectId: project,
        method: 'dawid_skene',
        batchSize: 20,
        minBatchKappa: 0.6,
        minConfidence: 0.7,
        annotatorFloor: 0.7,
      });
      const second = await lead.upsertQaPolicy({ policy: { projectId: project, method: 'majority', batchSize: 1 } });
      expect(second.version).toBe(2);
      const got = await svc.getQaPolicy({ projectId: project });
      expect(got).toMatchObject({ version: 2, policy: { method: 'majority', batchSize: 1, minBatchKappa: 0 } });

      const audit = await pg.query(
        `SELECT actor, action, subject, detail->>'version' AS version FROM qa.audit_log WHERE action = 'qa.policy.updated' AND subject = $1 ORDER BY seq`,
        [project],
      );
      expect(audit.rows).toEqual([
        { actor: 'lead', action: 'qa.policy.updated', subject: project, version: '1' },
        { actor: 'lead', action: 'qa.policy.updated', subject: project, version: '2' },
      ]);
    } finally {
      lead.close();
      svc.close();
    }
  });
});

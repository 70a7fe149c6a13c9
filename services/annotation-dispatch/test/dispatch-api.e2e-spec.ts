/**
 * annotation-dispatch as a process on the real broker and database, driven through its gRPC
 * API as annotators would: overlap k, illegal transitions, lease expiry, rework to another
 * annotator, project isolation (RBAC) and schema refusal with nothing stored.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { status } from '@grpc/grpc-js';
import { Client } from 'pg';
import { AnnotationRequestedSchema, AnnotatorService, ReworkRequestedSchema, Topics } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { createTestDatabase, eventRecord, eventually, ServiceProcess, startService, testKafka, testProducer } from '@labelloop/testing';
import { canTransition, TaskState } from '../src/tasks/task-state';

/** What the HTTP API answers, as far as these tests read it. */
interface ApiTask {
  taskId: string;
  itemId: string;
}
interface ApiBody {
  code?: string;
  message?: string;
  error?: string;
  task?: ApiTask;
}

const LEASE_SECONDS = 3;

describe('annotation dispatch over gRPC', () => {
  const run = randomUUID().slice(0, 8);
  const projectA = `dispatch-a-${run}`;
  const projectB = `dispatch-b-${run}`;
  const names = ['ada', 'grace', 'carol', 'linus'];
  const tokens = [
    ...names.map((n) => ({ token: `${n}-${run}`, subject: n, roles: ['annotator'], projects: [projectA] })),
    { token: `bob-${run}`, subject: 'bob', roles: ['annotator'], projects: [projectB] },
  ];
  const kafka = testKafka();
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pg: Client;
  let dispatch: ServiceProcess;
  const clients: ReturnType<typeof createGrpcClient<typeof AnnotatorService>>[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('dispatch');
    dispatch = startService('annotation-dispatch', {
      DATABASE_URL: db.url,
      KAFKA_GROUP_ID: `dispatch-${run}`,
      AUTH_TOKENS: JSON.stringify(tokens),
      DISPATCH_OVERLAP: '3',
      DISPATCH_LEASE_SECONDS: String(LEASE_SECONDS),
      DISPATCH_LABEL_CLASSES: 'ham,spam',
    });
    await dispatch.ready;
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await pg?.end();
    await dispatch?.kill();
    await db?.drop();
  });

  const as = async (name: string) => {
    const c = createGrpcClient(AnnotatorService, `127.0.0.1:${(await dispatch.ready).grpcPort}`, { token: `${name}-${run}` });
    clients.push(c);
    return c;
  };
  const label = (...classes: string[]) => ({ value: { case: 'classification' as const, value: { classes } } });
  const request = async (itemId: string, projectId: string) => {
    const producer = await testProducer(kafka);
    await producer.send({
      topic: Topics.annotationRequested,
      messages: [
        eventRecord(
          AnnotationRequestedSchema,
          { itemId, projectId, modelId: 'm', modelVersion: '1', inputUri: `text://${itemId}`, preLabel: { predictedLabel: 'spam' } },
          { key: itemId },
        ),
      ],
    });
    await producer.disconnect();
  };
  const tasksOf = (itemId: string) =>
    eventually(async () => {
      const r = await pg.query(`SELECT task_id, state, annotator_id FROM annotation_dispatch.annotation_task WHERE item_id = $1 ORDER BY task_id`, [itemId]);
      return r.rows.length > 0 && r.rows;
    }, `tasks of ${itemId}`);
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: { code: number; details?: string; message: string }) => `${status[e.code]}: ${e.details ?? e.message}`,
    );
  /** Answers whatever else the annotator is given first (older items) until it gets `itemId`. */
  const leaseItem = async (c: Awaited<ReturnType<typeof as>>, projectId: string, itemId: string) => {
    for (let i = 0; i < 20; i++) {
      const t = (await c.getNextTask({ projectId })).task;
      if (!t || t.itemId === itemId) return t;
      await c.submitAnnotation({ taskId: t.taskId, label: label('ham'), timeSpentMs: 1, idempotencyKey: t.taskId });
    }
    return undefined;
  };
  const submissions = async (itemId: string) =>
    Number((await pg.query(`SELECT count(*) FROM annotation_dispatch.submission WHERE item_id = $1`, [itemId])).rows[0].count);

  it('gives an item to k = 3 different annotators, each once, with the pre-label', async () => {
    const itemId = `overlap-${run}`;
    await request(itemId, projectA);
    expect(await tasksOf(itemId)).toHaveLength(3);
    const seen: string[] = [];
    for (const name of ['ada', 'grace', 'carol']) {
      const c = await as(name);
      const t = (await c.getNextTask({ projectId: projectA })).task!;
      expect(t.itemId).toBe(itemId);
      expect(t.preLabel).toBe('spam');
      seen.push(t.taskId);
      await c.submitAnnotation({ taskId: t.taskId, label: label('ham'), timeSpentMs: 900, idempotencyKey: `${name}-1` });
      // Nobody gets the same item a second time.
      expect((await c.getNextTask({ projectId: projectA })).task).toBeUndefined();
    }
    expect(new Set(seen).size).toBe(3);
    expect((await (await as('linus')).getNextTask({ projectId: projectA })).task).toBeUndefined();
    expect(await submissions(itemId)).toBe(3);
  });

  it('refuses illegal transitions: submitting a task never leased, or twice', async () => {
    const itemId = `illegal-${run}`;
    await request(itemId, projectA);
    const [pending] = await tasksOf(itemId);
    const linus = await as('linus');
    expect(await code(linus.submitAnnotation({ taskId: pending.task_id, label: label('ham'), timeSpentMs: 1, idempotencyKey: 'x' }))).toMatch(
      /^PERMISSION_DENIED: .*not leased to you/,
    );
    const t = (await linus.getNextTask({ projectId: projectA })).task!;
    await linus.submitAnnotation({ taskId: t.taskId, label: label('ham'), timeSpentMs: 1, idempotencyKey: 'first' });
    // A retry with the same key is the same submission; a second answer is refused.
    expect(await code(linus.submitAnnotation({ taskId: t.taskId, label: label('ham'), timeSpentMs: 1, idempotencyKey: 'first' }))).toBe('ok');
    expect(await code(linus.submitAnnotation({ taskId: t.taskId, label: label('spam'), timeSpentMs: 1, idempotencyKey: 'second' }))).toMatch(/^ALREADY_EXISTS/);
    expect(await submissions(itemId)).toBe(1);
    // Every transition the service ever logged is one the state machine allows.
    const log = (await pg.query(`SELECT from_state, to_state FROM annotation_dispatch.task_transition WHERE from_state IS NOT NULL`)).rows as {
      from_state: TaskState;
      to_state: TaskState;
    }[];
    expect(log.length).toBeGreaterThan(0);
    expect(log.filter((r) => !canTransition(r.from_state, r.to_state))).toEqual([]);
  });

  it('returns a task whose lease expired to the queue, and refuses the late answer once re-leased', async () => {
    const itemId = `lease-${run}`;
    await request(itemId, projectA);
    await tasksOf(itemId);
    const grace = await as('grace');
    const others = [await as('carol'), await as('linus'), await as('ada')];
    const t = (await leaseItem(grace, projectA, itemId))!;
    expect(t.itemId).toBe(itemId);
    await new Promise((r) => setTimeout(r, (LEASE_SECONDS + 0.5) * 1000));
    // grace vanished: the others keep working; her expired task is handed to one of them.
    const again = await eventually(
      async () => {
        const r = await pg.query(`SELECT annotator_id FROM annotation_dispatch.annotation_task WHERE task_id = $1`, [t.taskId]);
        if (r.rows[0].annotator_id !== 'grace') return r.rows[0].annotator_id as string;
        for (const c of others) {
          const x = (await c.getNextTask({ projectId: projectA })).task;
          // (grace's task, once re-leased, stays open so her late answer meets a live lease)
          if (x && x.taskId !== t.taskId) await c.submitAnnotation({ taskId: x.taskId, label: label('spam'), timeSpentMs: 1, idempotencyKey: x.taskId });
        }
        return undefined;
      },
      'expired task re-leased',
      20_000,
      100,
    );
    expect(again).not.toBe('grace');
    expect(await code(grace.submitAnnotation({ taskId: t.taskId, label: label('ham'), timeSpentMs: 1, idempotencyKey: 'late' }))).toMatch(
      /^FAILED_PRECONDITION: .*lease expired/,
    );
    // ... and she is not given the item again, not even through another of its tasks: QA asks
    // for rework of the item, excluding everyone but her, and the open rework task is not hers.
    const producer = await testProducer(kafka);
    await producer.send({
      topic: Topics.reworkRequested,
      messages: [
        eventRecord(
          ReworkRequestedSchema,
          { itemId, projectId: projectA, reason: 'second look', excludeAnnotatorIds: ['ada', 'carol', 'linus'] },
          { key: itemId },
        ),
      ],
    });
    await producer.disconnect();
    const [rework] = await eventually(async () => {
      const r = await pg.query(`SELECT task_id, state FROM annotation_dispatch.annotation_task WHERE item_id = $1 AND kind = 'rework'`, [itemId]);
      return r.rows.length > 0 && r.rows;
    }, 'rework task');
    expect(rework.state).toBe('pending');
    for (let i = 0; i < 20; i++) {
      const next = (await grace.getNextTask({ projectId: projectA })).task;
      if (!next) break;
      expect(next.itemId).not.toBe(itemId);
      await grace.submitAnnotation({ taskId: next.taskId, label: label('ham'), timeSpentMs: 1, idempotencyKey: next.taskId });
    }
    expect((await pg.query(`SELECT state FROM annotation_dispatch.annotation_task WHERE task_id = $1`, [rework.task_id])).rows[0].state).toBe('pending');
    const reasons = (
      await pg.query(`SELECT reason FROM annotation_dispatch.task_transition WHERE task_id = $1 AND to_state = 'leased' ORDER BY id`, [t.taskId])
    ).rows.map((r) => r.reason);
    expect(reasons).toContain('lease expired');
  });

  it('sends rework to an annotator QA did not exclude', async () => {
    const itemId = `rework-${run}`;
    await request(itemId, projectA);
    await tasksOf(itemId);
    const producer = await testProducer(kafka);
    await producer.send({
      topic: Topics.reworkRequested,
      messages: [eventRecord(ReworkRequestedSchema, { itemId, projectId: projectA, reason: 'boxes too loose', excludeAnnotatorIds: ['ada'] }, { key: itemId })],
    });
    await producer.disconnect();
    const [rework] = await eventually(async () => {
      const r = await pg.query(`SELECT task_id, exclude_annotators FROM annotation_dispatch.annotation_task WHERE item_id = $1 AND kind = 'rework'`, [itemId]);
      return r.rows.length > 0 && r.rows;
    }, 'rework task');
    const ada = await as('ada');
    // ada drains the queue: she may get the item's normal tasks, never the rework one.
    for (let i = 0; i < 10; i++) {
      const t = (await ada.getNextTask({ projectId: projectA })).task;
      if (!t) break;
      expect(t.taskId).not.toBe(rework.task_id);
      await ada.submitAnnotation({ taskId: t.taskId, label: label('ham'), timeSpentMs: 1, idempotencyKey: t.taskId });
    }
    expect(rework.exclude_annotators).toEqual(['ada']);
  });

  it('isolates projects: an annotator of A cannot lease or submit in B', async () => {
    const itemId = `rbac-${run}`;
    await request(itemId, projectB);
    const [taskB] = await tasksOf(itemId);
    const ada = await as('ada');
    expect(await code(ada.getNextTask({ projectId: projectB }))).toMatch(/^PERMISSION_DENIED/);
    const bob = await as('bob');
    const t = (await bob.getNextTask({ projectId: projectB })).task!;
    expect(t.itemId).toBe(itemId);
    expect(await code(ada.submitAnnotation({ taskId: t.taskId, label: label('ham'), timeSpentMs: 1, idempotencyKey: 'steal' }))).toMatch(/^PERMISSION_DENIED/);
    expect(await code(ada.submitAnnotation({ taskId: taskB.task_id, label: label('ham'), timeSpentMs: 1, idempotencyKey: 'steal2' }))).toMatch(
      /^PERMISSION_DENIED/,
    );
    expect(await code(bob.getNextTask({ projectId: projectA }))).toMatch(/^PERMISSION_DENIED/);
    expect(await submissions(itemId)).toBe(0);
  });

  it('refuses a label outside the schema with INVALID_ARGUMENT naming the field, storing nothing', async () => {
    const itemId = `schema-${run}`;
    await request(itemId, projectB);
    await tasksOf(itemId);
    const bob = await as('bob');
    const t = (await leaseItem(bob, projectB, itemId))!;
    expect(t.itemId).toBe(itemId);
    expect(await code(bob.submitAnnotation({ taskId: t.taskId, label: label('eggs'), timeSpentMs: 1, idempotencyKey: 'bad' }))).toMatch(
      /^INVALID_ARGUMENT: label\.classification\.classes\[0\]: unknown class "eggs"/,
    );
    expect(await code(bob.submitAnnotation({ taskId: t.taskId, label: label('ham', 'spam'), timeSpentMs: 1, idempotencyKey: 'bad2' }))).toMatch(
      /^INVALID_ARGUMENT: label\.classification\.classes: single-label/,
    );
    expect(await submissions(itemId)).toBe(0);
    expect((await pg.query(`SELECT state FROM annotation_dispatch.annotation_task WHERE task_id = $1`, [t.taskId])).rows[0].state).toBe('leased');
    // The corrected answer goes through.
    expect(await code(bob.submitAnnotation({ taskId: t.taskId, label: label('spam'), timeSpentMs: 1, idempotencyKey: 'good' }))).toBe('ok');
    expect(await submissions(itemId)).toBe(1);
  });

  it('serves the same API over HTTP/JSON: same tokens and checks, gRPC status as HTTP status, idempotent submit', async () => {
    const itemId = `http-${run}`;
    await request(itemId, projectB);
    await tasksOf(itemId);
    const base = `http://127.0.0.1:${(await dispatch.ready).httpPort}/v1`;
    const call = async (method: 'GET' | 'POST', path: string, who?: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...(who ? { authorization: `Bearer ${who}-${run}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as ApiBody };
    };
    expect(await call('GET', `/projects/${projectB}/next-task`)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await call('GET', `/projects/${projectB}/next-task`, 'ada')).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });

    // Bob answers whatever older item of project B comes first, until he gets this one.
    let task: ApiTask | undefined;
    for (let i = 0; i < 20 && task?.itemId !== itemId; i++) {
      task = (await call('GET', `/projects/${projectB}/next-task`, 'bob')).body.task;
      if (task && task.itemId !== itemId)
        await call('POST', `/tasks/${encodeURIComponent(task.taskId)}/annotations`, 'bob', {
          label: { classification: { classes: ['ham'] } },
          idempotencyKey: task.taskId,
        });
    }
    expect(task).toMatchObject({ itemId, projectId: projectB, preLabel: 'spam', leaseExpiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const path = `/tasks/${encodeURIComponent(task!.taskId)}/annotations`;

    const offSchema = await call('POST', path, 'bob', { label: { classification: { classes: ['eggs'] } }, idempotencyKey: 'bad' });
    expect(offSchema).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^label\.classification\.classes\[0\]: unknown class "eggs"/) },
    });
    expect(await call('POST', path, 'bob', { label: 5 })).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT' } });
    expect(await call('POST', path, 'bob', { label: { classification: { classes: ['ham'] } }, surprise: true })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_ARGUMENT' },
    });
    expect(await call('POST', path, 'ada', { label: { classification: { classes: ['ham'] } }, idempotencyKey: 'steal' })).toMatchObject({ status: 403 });
    // 150 generated JSON bodies (fast-check, fixed seed): each gets a 400 with a message, none a 500, none is stored.
    // (A top-level JSON scalar is refused by the body parser before the API, in NestJS's error shape.)
    const bodies = fc.sample(fc.oneof(fc.jsonValue(), fc.record({ label: fc.jsonValue(), timeSpentMs: fc.jsonValue(), idempotencyKey: fc.jsonValue() })), {
      seed: 7,
      numRuns: 150,
    });
    const outcomes = await Promise.all(bodies.map(async (b) => ({ b, r: await call('POST', path, 'bob', b) })));
    const clear = (r: { status: number; body: ApiBody }) =>
      r.status === 400 &&
      typeof r.body.message === 'string' &&
      r.body.message.length > 0 &&
      (r.body.code === 'INVALID_ARGUMENT' || r.body.error === 'Bad Request');
    expect(outcomes.filter(({ r }) => !clear(r))).toEqual([]);
    expect(outcomes.filter(({ r }) => r.body.code === 'INVALID_ARGUMENT').length).toBeGreaterThan(50);
    expect(await submissions(itemId)).toBe(0);

    const answer = { label: { classification: { classes: ['ham'] } }, timeSpentMs: 1200, idempotencyKey: 'h1' };
    const first = await call('POST', path, 'bob', answer);
    expect(first.status).toBe(200);
    expect(first.body.submissionId).toEqual(expect.any(String));
    const retry = await call('POST', path, 'bob', answer);
    expect(retry).toMatchObject({ status: 200, body: { submissionId: first.body.submissionId, duplicate: true } });
    expect(await submissions(itemId)).toBe(1);
  });
});

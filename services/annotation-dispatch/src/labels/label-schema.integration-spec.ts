/**
 * Per-project label schemas against real PostgreSQL: PutLabelSchema stores versions 1, 2, ...
 * with one audit entry each, in the same transaction; putting the latest schema again stores
 * nothing; only the project's admins may store; a task keeps the version it was created under
 * and its AnnotationSubmitted says which; answers are checked against that version.
 */
import { randomUUID } from 'node:crypto';
import { create, fromBinary } from '@bufbuild/protobuf';
import { status } from '@grpc/grpc-js';
import {
  AnnotationSubmittedSchema,
  GetLabelSchemaRequestSchema,
  LabelSchema as LabelPb,
  LabelSchemaSpec,
  PutLabelSchemaRequestSchema,
  TaskType,
  Topics,
} from '@labelloop/contracts';
import { Outbox } from '@labelloop/messaging';
import type { DataSource } from '@labelloop/persistence';
import type { Principal, RpcContext } from '@labelloop/rpc';
import { dispatchSchema, requestItems, testConfig, testTaskService } from '../../test/dispatch-schema';
import { DispatchAdminGrpc } from '../tasks/dispatch-admin.grpc';
import type { TaskService } from '../tasks/task.service';

describe('label schemas per project', () => {
  const project = `schema-${randomUUID().slice(0, 8)}`;
  const config = testConfig();
  let db: { ds: DataSource; drop(): Promise<void> };
  let admin: DispatchAdminGrpc;
  let tasks: TaskService;
  const as = (subject: string, roles: Principal['roles'], projects = [project]) => ({ principal: { subject, roles, projects } }) as unknown as RpcContext;
  const put = (schema: Partial<LabelSchemaSpec>, ctx = as('ada', ['admin'])) =>
    admin.putLabelSchema(create(PutLabelSchemaRequestSchema, { projectId: project, schema }), ctx);
  const get = (version = 0) => admin.getLabelSchema(create(GetLabelSchemaRequestSchema, { projectId: project, version }), as('rev', ['reviewer']));
  const code = async (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: { code?: number; message: string }) => `${e.code}: ${e.message}`,
    );

  beforeAll(async () => {
    db = await dispatchSchema('dispatch_label_schema');
    const outbox = new Outbox('labelloop/annotation-dispatch');
    admin = new DispatchAdminGrpc(db.ds, outbox, config);
    tasks = testTaskService(db.ds, config, outbox);
  });
  afterAll(() => db?.drop());

  it('answers the deployment default (version 0) before anything is stored', async () => {
    const r = await get();
    expect(r.version).toBe(0);
    expect(r.schema).toMatchObject({ taskType: TaskType.CLASSIFICATION, classes: ['ham', 'spam'], multiLabel: false });
    expect(r.createdBy).toBe('');
  });

  it('stores versions 1 and 2 with one audit entry each; the same schema again adds nothing', async () => {
    const v1 = await put({ taskType: TaskType.SPANS, spanLabels: ['PER', 'ORG'] });
    expect(v1).toMatchObject({ version: 1, created: true });
    const again = await put({ taskType: TaskType.SPANS, spanLabels: ['PER', 'ORG'] });
    expect(again).toMatchObject({ version: 1, created: false });
    const v2 = await put({ taskType: TaskType.SPANS, spanLabels: ['PER', 'ORG', 'LOC'] });
    expect(v2).toMatchObject({ version: 2, created: true });

    expect((await get()).schema?.spanLabels).toEqual(['PER', 'ORG', 'LOC']);
    const old = await get(1);
    expect(old).toMatchObject({ version: 1, createdBy: 'ada' });
    expect(old.schema?.spanLabels).toEqual(['PER', 'ORG']);
    expect(await code(get(3))).toMatch(new RegExp(`^${status.NOT_FOUND}:`));

    const audit = await db.ds.query(`SELECT actor, action, subject, detail FROM audit_log WHERE action = 'label.schema.created' ORDER BY seq`);
    expect(audit.map((a: { subject: string }) => a.subject)).toEqual([`${project}/v1`, `${project}/v2`]);
    expect(audit[1]).toMatchObject({ actor: 'ada', detail: { version: 2, previousVersion: 1, schema: { kind: 'spans', spanLabels: ['PER', 'ORG', 'LOC'] } } });
  });

  it('refuses non-admins and schemas that are not usable, naming the field, and stores nothing', async () => {
    expect(await code(put({ taskType: TaskType.TEXT, maxLength: 10 }, as('rev', ['reviewer'])))).toMatch(new RegExp(`^${status.PERMISSION_DENIED}:`));
    expect(await code(put({ taskType: TaskType.TEXT, maxLength: 10 }, as('ada', ['admin'], ['other'])))).toMatch(new RegExp(`^${status.PERMISSION_DENIED}:`));
    expect(await code(put({ taskType: TaskType.SPANS, spanLabels: [] }))).toMatch(/schema\.span_labels: needs at least one name/);
    expect(await code(put({ taskType: TaskType.SPANS, spanLabels: ['PER'], classes: ['x'] }))).toMatch(/schema\.classes: does not apply/);
    expect(await code(put({ taskType: TaskType.TEXT }))).toMatch(/schema\.max_length: must be 1\.\.100000/);
    expect(await code(put({}))).toMatch(/schema\.task_type: is required/);
    expect((await get()).version).toBe(2);
  });

  it('keeps the version a task was created under, checks answers against it, and says it on the event', async () => {
    const itemA = `a-${randomUUID().slice(0, 8)}`;
    const text = 'Ada Lovelace met Charles Babbage in London.';
    await requestItems(db.ds, config, [{ itemId: itemA, projectId: project, inputUri: text }]);
    await put({ taskType: TaskType.SPANS, spanLabels: ['PERSON'] }); // v3: task A stays on v2
    const itemB = `b-${randomUUID().slice(0, 8)}`;
    await requestItems(db.ds, config, [{ itemId: itemB, projectId: project, inputUri: text }]);
    const versions = await db.ds.query(`SELECT item_id, schema_version FROM annotation_task WHERE item_id = ANY($1) ORDER BY item_id`, [[itemA, itemB]]);
    expect(versions).toEqual([
      { item_id: itemA, schema_version: 2 },
      { item_id: itemB, schema_version: 3 },
    ]);

    const spans = (label: string, start = 0, end = 12) => create(LabelPb, { value: { case: 'spans', value: { spans: [{ start, end, label }] } } });
    const taskA = (await tasks.nextTask('ann-1', project))!;
    expect(taskA.itemId).toBe(itemA);
    expect(taskA.contentText).toBe(text);
    // v2 knows PER, not PERSON; and no span may end past the text.
    expect(await code(tasks.submit('ann-1', () => undefined, { taskId: taskA.taskId, label: spans('PERSON'), timeSpentMs: 1, idempotencyKey: 'k' }))).toMatch(
      /label\.spans\.spans\[0\]\.label: unknown span label "PERSON"/,
    );
    expect(
      await code(tasks.submit('ann-1', () => undefined, { taskId: taskA.taskId, label: spans('PER', 17, 99), timeSpentMs: 1, idempotencyKey: 'k' })),
    ).toMatch(/label\.spans\.spans\[0\]\.end: 99 is past the end of the item's text \(43 characters\)/);
    await tasks.submit('ann-1', () => undefined, { taskId: taskA.taskId, label: spans('PER'), timeSpentMs: 1, idempotencyKey: 'k' });

    const taskB = (await tasks.nextTask('ann-1', project))!;
    expect(taskB.itemId).toBe(itemB);
    await tasks.submit('ann-1', () => undefined, { taskId: taskB.taskId, label: spans('PERSON'), timeSpentMs: 1, idempotencyKey: 'k' });

    const rows: { payload: Buffer }[] = await db.ds.query(`SELECT payload FROM outbox WHERE topic = $1 ORDER BY id`, [Topics.annotationSubmitted]);
    const events = rows.map((r) => fromBinary(AnnotationSubmittedSchema, r.payload));
    expect(events.map((e) => [e.itemId, e.schemaVersion, e.contentText])).toEqual([
      [itemA, 2, text],
      [itemB, 3, text],
    ]);
  });
});

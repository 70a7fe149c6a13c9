/**
 * GetQueueStats against real PostgreSQL: tasks are created, leased and answered through the
 * consumer and TaskService as in production; a lapsed lease and an answer older than an hour are
 * made by moving their timestamps back (what the passing of time would do). The figures returned
 * are exact, another project's tasks count for nothing, and the project scope holds.
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { status } from '@grpc/grpc-js';
import type { LoggerService } from '@nestjs/common';
import { GetQueueStatsRequestSchema, LabelSchema } from '@labelloop/contracts';
import { Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import type { DataSource } from '@labelloop/persistence';
import type { Principal, RpcContext } from '@labelloop/rpc';
import { dispatchSchema, requestItems } from '../../test/dispatch-schema';
import { ContentResolver } from '../content/content.resolver';
import { dispatchConfigSchema } from '../dispatch.config';
import { DispatchAdminGrpc } from './dispatch-admin.grpc';
import { TaskService } from './task.service';

describe('GetQueueStats', () => {
  const run = randomUUID().slice(0, 8);
  const project = `queue-${run}`;
  const other = `queue-other-${run}`;
  const config = dispatchConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: process.env.DATABASE_URL, DISPATCH_LABEL_CLASSES: 'ham,spam' });
  let db: { ds: DataSource; drop(): Promise<void> };
  let ds: DataSource;
  let tasks: TaskService;
  let admin: DispatchAdminGrpc;
  const ctx = (roles: Principal['roles'], projects: string[]) => ({ principal: { subject: 'caller', roles, projects } }) as unknown as RpcContext;
  const stats = (c: RpcContext, projectId = project) => admin.getQueueStats(create(GetQueueStatsRequestSchema, { projectId }), c);

  beforeAll(async () => {
    db = await dispatchSchema('dispatch_queue');
    ds = db.ds;
    const metrics = new Metrics('annotation-dispatch');
    const outbox = new Outbox('labelloop/annotation-dispatch');
    tasks = new TaskService(ds, outbox, config, metrics, new ContentResolver(config, metrics, { warn: () => undefined } as unknown as LoggerService));
    admin = new DispatchAdminGrpc(ds, outbox, config);
  });
  afterAll(() => db?.drop());

  const answer = (annotatorId: string, taskId: string) =>
    tasks.submit(annotatorId, () => undefined, {
      taskId,
      label: create(LabelSchema, { value: { case: 'classification', value: { classes: ['spam'] } } }),
      timeSpentMs: 1,
      idempotencyKey: taskId,
    });

  it('counts waiting tasks, open leases, answers still needed and the last hour of answers, exactly', async () => {
    const empty = await stats(ctx(['reviewer'], [project]));
    expect(empty).toMatchObject({ waitingTasks: 0, leasedTasks: 0, answersNeeded: 0, submittedLastHour: 0, submissionsPerMinute: 0 });
    expect(empty.oldestWaitingSince).toBeUndefined();
    expect(empty.nextLeaseExpiry).toBeUndefined();

    // Six items of the project (one task each: overlap 1), two of another project.
    await requestItems(
      ds,
      config,
      [1, 2, 3, 4, 5, 6].map((i) => ({ itemId: `q-${run}-${i}`, projectId: project, inputUri: `text ${i}` })),
    );
    await requestItems(
      ds,
      config,
      [1, 2].map((i) => ({ itemId: `o-${run}-${i}`, projectId: other, inputUri: `text ${i}` })),
    );
    // ada answers two tasks; the second answer is moved two hours back.
    const first = (await tasks.nextTask('ada', project))!;
    await answer('ada', first.taskId);
    const second = (await tasks.nextTask('ada', project))!;
    await answer('ada', second.taskId);
    await ds.query(`UPDATE submission SET submitted_at = now() - interval '2 hours' WHERE task_id = $1`, [second.taskId]);
    // grace holds a lease; linus's lease has lapsed (his task is waiting again).
    const held = (await tasks.nextTask('grace', project))!;
    const lapsed = (await tasks.nextTask('linus', project))!;
    await ds.query(`UPDATE annotation_task SET lease_expires_at = now() - interval '1 minute' WHERE task_id = $1`, [lapsed.taskId]);
    // The other project: one answer in the last hour, one open lease; none of it counts.
    const elsewhere = (await tasks.nextTask('ada', other))!;
    await answer('ada', elsewhere.taskId);
    await tasks.nextTask('grace', other);

    const [{ expiry }] = await ds.query(`SELECT lease_expires_at AS expiry FROM annotation_task WHERE task_id = $1`, [held.taskId]);
    const [{ queued }] = await ds.query(`SELECT min(created_at) AS queued FROM annotation_task WHERE project_id = $1 AND task_id NOT IN ($2, $3, $4)`, [
      project,
      first.taskId,
      second.taskId,
      held.taskId,
    ]);

    const s = await stats(ctx(['reviewer'], [project]));
    expect(s).toMatchObject({
      waitingTasks: 3, // two never leased, one with a lapsed lease
      leasedTasks: 1,
      answersNeeded: 4,
      submittedLastHour: 1,
      nextLeaseExpiry: timestampFromDate(expiry),
      oldestWaitingSince: timestampFromDate(queued),
    });
    expect(s.submissionsPerMinute).toBeCloseTo(1 / 60, 12);

    // A waiting task leased to someone else becomes an open lease.
    expect(await tasks.nextTask('hopper', project)).toBeDefined();
    expect(await stats(ctx(['admin'], ['*']))).toMatchObject({ waitingTasks: 2, leasedTasks: 2, answersNeeded: 4, submittedLastHour: 1 });
  });

  it('reads for admins, reviewers and services of the project; refuses annotators and other projects', async () => {
    for (const role of ['admin', 'reviewer', 'service'] as const) await expect(stats(ctx([role], [project]))).resolves.toBeDefined();
    await expect(stats(ctx(['annotator'], [project]))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await expect(stats(ctx(['reviewer'], [other]))).rejects.toMatchObject({ code: status.PERMISSION_DENIED });
    await expect(stats(ctx(['admin'], ['*']), '')).rejects.toMatchObject({ code: status.INVALID_ARGUMENT });
  });
});

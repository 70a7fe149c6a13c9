/**
 * A paused annotator's answer is stored nowhere, whichever way it comes: gRPC, HTTP/JSON, or
 * Label Studio (polling and webhook), against the real PostgreSQL and the real Label Studio
 * (deploy/local/label-studio.sh).
 *
 * The pause is written as the AnnotatorPaused consumer writes it. The lease the annotator still
 * holds is what a nextTask that read "not paused" just before the pause committed leaves behind
 * (two transactions at READ COMMITTED); Label Studio annotators hold no lease at all.
 */
import { randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import type { LoggerService } from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { Metadata } from '@grpc/grpc-js';
import { SubmitAnnotationRequestSchema, Topics } from '@labelloop/contracts';
import { Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import type { DataSource } from '@labelloop/persistence';
import { RpcError, status } from '@labelloop/rpc';
import { labelStudioTarget } from '@labelloop/testing';
import { dispatchSchema, requestItems } from '../../test/dispatch-schema';
import { dispatchConfigSchema, DispatchConfig } from '../dispatch.config';
import { LabelStudioClient } from '../label-studio/label-studio.client';
import { LabelStudioConnector } from '../label-studio/label-studio.connector';
import { LabelStudioWebhookController } from '../label-studio/label-studio-webhook.controller';
import { AnnotatorGrpc } from './annotator.grpc';
import { AnnotatorHttp } from './annotator.http';
import { TaskService } from './task.service';
import { ContentResolver } from '../content/content.resolver';

const { url: LS_URL, token: LS_TOKEN } = labelStudioTarget();

describe('a paused annotator', () => {
  const run = randomUUID().slice(0, 8);
  const project = `pause-${run}`;
  const secret = `secret-${randomUUID()}`;
  const warnings: unknown[] = [];
  const logger = { log: () => undefined, warn: (m: unknown) => warnings.push(m), error: () => undefined } as unknown as LoggerService;
  const ada = { subject: 'ada', roles: ['annotator'], projects: [project] };
  let db: { ds: DataSource; drop(): Promise<void> };
  let ds: DataSource;
  let config: DispatchConfig;
  let tasks: TaskService;
  let grpc: AnnotatorGrpc;
  let http: AnnotatorHttp;
  let connector: LabelStudioConnector;
  let webhook: LabelStudioWebhookController;
  let metrics: Metrics;
  let lsUser: number;

  beforeAll(async () => {
    db = await dispatchSchema('dispatch_pause');
    ds = db.ds;
    config = dispatchConfigSchema.parse({
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: process.env.DATABASE_URL,
      DISPATCH_OVERLAP: '1',
      DISPATCH_LABEL_CLASSES: 'ham,spam',
      LABEL_STUDIO_URL: LS_URL,
      LABEL_STUDIO_TOKEN: LS_TOKEN,
      LABEL_STUDIO_PROJECTS: project,
      LABEL_STUDIO_WEBHOOK_SECRET: secret,
    });
    metrics = new Metrics('annotation-dispatch');
    const content = new ContentResolver(config, metrics, logger);
    tasks = new TaskService(ds, new Outbox('labelloop/annotation-dispatch'), config, metrics, content);
    grpc = new AnnotatorGrpc(tasks);
    process.env.AUTH_TOKENS = JSON.stringify([{ token: `ada-${run}`, ...ada }]);
    http = new AnnotatorHttp(grpc);
    connector = new LabelStudioConnector(ds, config, tasks, logger, content);
    webhook = new LabelStudioWebhookController(connector, config);
    lsUser = (await (await fetch(`${LS_URL}/api/current-user/whoami`, { headers: { Authorization: `Token ${LS_TOKEN}` } })).json()).id;
  });
  afterAll(() => db?.drop());

  const request = (itemIds: string[], priority = 0) =>
    requestItems(
      ds,
      config,
      itemIds.map((itemId) => ({ itemId, projectId: project, inputUri: `text of ${itemId}`, priority })),
    );
  const pause = (annotatorId: string) =>
    ds.query(`INSERT INTO annotator_pause (project_id, annotator_id, reason) VALUES ($1, $2, 'gold accuracy 0.40 < 0.80')`, [project, annotatorId]);
  const ctx = () => ({
    path: '/labelloop.annotation.v1.AnnotatorService/SubmitAnnotation',
    metadata: new Metadata(),
    principal: ada,
    signal: new AbortController().signal,
  });
  const label = { value: { case: 'classification' as const, value: { classes: ['spam'] } } };
  /** Every trace of an answer by `annotatorId`: submissions, AnnotationSubmitted events in the outbox, tasks in state submitted. */
  const stored = async (annotatorId: string) => {
    const [{ subs }] = await ds.query('SELECT count(*)::int AS subs FROM submission WHERE annotator_id = $1', [annotatorId]);
    const [{ events }] = await ds.query(`SELECT count(*)::int AS events FROM outbox WHERE topic = $1`, [Topics.annotationSubmitted]);
    const [{ submitted }] = await ds.query(`SELECT count(*)::int AS submitted FROM annotation_task WHERE annotator_id = $1 AND state = 'submitted'`, [
      annotatorId,
    ]);
    return { subs, events, submitted };
  };

  it('is refused over gRPC and HTTP, holding a lease from before the pause', async () => {
    await request([`item-${run}-g1`, `item-${run}-g2`]);
    const t1 = (await tasks.nextTask('ada', project))!;
    const t2 = (await tasks.nextTask('ada', project))!;
    expect(t2.taskId).toBe(t1.taskId); // her current lease
    await pause('ada');

    const viaGrpc = await grpc
      .submitAnnotation(create(SubmitAnnotationRequestSchema, { taskId: t1.taskId, label, timeSpentMs: 900, idempotencyKey: 'g' }), ctx())
      .then(
        () => 'stored',
        (e: RpcError) => `${status[e.code]}: ${e.message}`,
      );
    expect(viaGrpc).toMatch(/^FAILED_PRECONDITION: .*paused by QA/);

    const viaHttp = await http
      .submit(`Bearer ada-${run}`, t1.taskId, { label: { classification: { classes: ['spam'] } }, timeSpentMs: 900, idempotencyKey: 'h' })
      .then(
        () => 'stored',
        (e: HttpException) => `${e.getStatus()} ${JSON.stringify(e.getResponse())}`,
      );
    expect(viaHttp).toMatch(/^409 \{"code":"FAILED_PRECONDITION","message":".*paused by QA/);
    expect(await stored('ada')).toEqual({ subs: 0, events: 0, submitted: 0 });
  });

  it('is refused from Label Studio, by polling and by webhook: recorded with the reason, the task left for someone else', async () => {
    const items = [`item-${run}-ls1`, `item-${run}-ls2`];
    await request(items, 10);
    await connector.sync(project); // imports both
    const client = new LabelStudioClient(LS_URL, LS_TOKEN);
    const [lsProject] = await client.findProjects(`labelloop:${project}`);
    const lsTasks = await client.exportTasks(lsProject);
    const lsTaskOf = (itemId: string) => lsTasks.find((t) => t.data.item_id === itemId)!;
    const annotate = async (itemId: string) => {
      const res = await fetch(`${LS_URL}/api/tasks/${lsTaskOf(itemId).id}/annotations/`, {
        method: 'POST',
        headers: { Authorization: `Token ${LS_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['spam'] } }], lead_time: 3 }),
      });
      return (await res.json()) as { id: number; completed_by: number; result: unknown[]; lead_time: number };
    };
    const annotator = `label-studio:${lsUser}`;
    await pause(annotator);

    // By webhook: what Label Studio posts for ANNOTATION_CREATED.
    const a1 = await annotate(items[0]);
    const viaWebhook = await webhook.receive(secret, {
      action: 'ANNOTATION_CREATED',
      project: { id: lsProject },
      task: lsTaskOf(items[0]),
      annotation: a1,
    } as never);
    expect(viaWebhook.outcomes).toEqual(['refused']);
    // By polling.
    const a2 = await annotate(items[1]);
    const polled = await connector.sync(project);
    expect(polled.outcomes.sort()).toEqual(['duplicate', 'refused']);

    expect(await stored(annotator)).toEqual({ subs: 0, events: 0, submitted: 0 });
    const recorded = await ds.query('SELECT ls_annotation_id::int AS id, outcome, detail FROM ls_annotation ORDER BY ls_annotation_id');
    expect(recorded).toEqual([
      { id: a1.id, outcome: 'refused', detail: expect.stringMatching(/paused by QA in project .*gold accuracy 0.40/) },
      { id: a2.id, outcome: 'refused', detail: expect.stringMatching(/paused by QA in project .*gold accuracy 0.40/) },
    ]);
    // The items' tasks were not given to the paused annotator: they are still open for others.
    const open = await ds.query(`SELECT state, annotator_id FROM annotation_task WHERE item_id = ANY($1)`, [items]);
    expect(open).toEqual([
      { state: 'pending', annotator_id: null },
      { state: 'pending', annotator_id: null },
    ]);
    const bea = await tasks.nextTask('bea', project);
    expect(items).toContain(bea?.itemId);
    // What the person did is kept: the audit log and the metric say what was refused and why.
    const audit = await ds.query(`SELECT action, subject, detail FROM audit_log WHERE actor = $1 ORDER BY seq`, [annotator]);
    expect(audit.map((r: { action: string; detail: { lsAnnotationId: number; reason: string } }) => [r.action, r.detail.lsAnnotationId])).toEqual([
      ['label.refused', a1.id],
      ['label.refused', a2.id],
    ]);
    expect(await metrics.registry.getSingleMetricAsString('labelloop_dispatch_answers_refused_total')).toMatch(/reason="paused",via="label-studio"[^\n]* 2/);
    expect(warnings).toHaveLength(2);
  });
});

/**
 * Personal data in an item never reaches an annotator: not through the annotator API (gRPC and
 * HTTP/JSON) and not through the Label Studio import, unless the project turned redaction off.
 * Real PostgreSQL and the real Label Studio (deploy/local/label-studio.sh).
 */
import { randomUUID } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';
import { create, toJson } from '@bufbuild/protobuf';
import type { LoggerService } from '@nestjs/common';
import { GetNextTaskRequestSchema, GetNextTaskResponseSchema } from '@labelloop/contracts';
import { Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import type { DataSource } from '@labelloop/persistence';
import { labelStudioTarget } from '@labelloop/testing';
import { contentServer, ContentServer } from '../../test/content-server';
import { dispatchSchema, requestItems } from '../../test/dispatch-schema';
import { dispatchConfigSchema } from '../dispatch.config';
import { LabelStudioClient } from '../label-studio/label-studio.client';
import { LabelStudioConnector } from '../label-studio/label-studio.connector';
import { AnnotatorGrpc } from './annotator.grpc';
import { AnnotatorHttp } from './annotator.http';
import { TaskService } from './task.service';
import { ContentResolver } from '../content/content.resolver';

const { url: LS_URL, token: LS_TOKEN } = labelStudioTarget();
const EMAIL = 'jane.doe@example.com';
const PHONE = '(415) 555-0132';
const TEXT = `Call me at ${PHONE} or write to ${EMAIL} to claim the prize`;

describe('PII redaction on the way to annotators', () => {
  const run = randomUUID().slice(0, 8);
  const redacted = `pii-on-${run}`;
  const plain = `pii-off-${run}`;
  const fetched = `pii-src-${run}`;
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined } as unknown as LoggerService;
  const ada = { subject: 'ada', roles: ['annotator'], projects: [redacted, plain, fetched] };
  let source: ContentServer;
  let db: { ds: DataSource; drop(): Promise<void> };
  let grpc: AnnotatorGrpc;
  let http: AnnotatorHttp;
  let connector: LabelStudioConnector;

  beforeAll(async () => {
    db = await dispatchSchema('dispatch_pii');
    source = await contentServer({ 'inbox/7': TEXT });
    const config = dispatchConfigSchema.parse({
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: process.env.DATABASE_URL,
      DISPATCH_LABEL_CLASSES: 'ham,spam',
      DISPATCH_PII_REDACTION_OFF: plain,
      DISPATCH_CONTENT_RESOLVERS: JSON.stringify({ mailbox: `${source.base}/{path}` }),
      LABEL_STUDIO_URL: LS_URL,
      LABEL_STUDIO_TOKEN: LS_TOKEN,
      LABEL_STUDIO_PROJECTS: `${redacted},${plain}`,
    });
    const metrics = new Metrics('annotation-dispatch');
    const content = new ContentResolver(config, metrics, quiet);
    const tasks = new TaskService(db.ds, new Outbox('labelloop/annotation-dispatch'), config, metrics, content);
    grpc = new AnnotatorGrpc(tasks);
    process.env.AUTH_TOKENS = JSON.stringify([{ token: `ada-${run}`, ...ada }]);
    http = new AnnotatorHttp(grpc);
    connector = new LabelStudioConnector(db.ds, config, tasks, quiet, content);
    // One item per project for the API (first in the queue), one for Label Studio.
    await requestItems(db.ds, config, [
      { itemId: `api-${run}-on`, projectId: redacted, inputUri: TEXT, priority: 10 },
      { itemId: `api-${run}-off`, projectId: plain, inputUri: TEXT, priority: 10 },
      { itemId: `ls-${run}-on`, projectId: redacted, inputUri: TEXT },
      { itemId: `ls-${run}-off`, projectId: plain, inputUri: TEXT },
      { itemId: `src-${run}`, projectId: fetched, inputUri: 'mailbox://inbox/7' },
    ]);
  });
  afterAll(async () => {
    await source?.close();
    await db?.drop();
  });

  const ctx = () => ({
    path: '/labelloop.annotation.v1.AnnotatorService/GetNextTask',
    metadata: new Metadata(),
    principal: ada,
    signal: new AbortController().signal,
  });

  it('redacts the e-mail address and phone number in the annotator API, gRPC and HTTP', async () => {
    const viaGrpc = await grpc.getNextTask(create(GetNextTaskRequestSchema, { projectId: redacted }), ctx());
    const viaHttp = await http.nextTask(`Bearer ada-${run}`, redacted);
    expect(viaGrpc.task?.itemId).toBe(`api-${run}-on`);
    for (const shown of [JSON.stringify(toJson(GetNextTaskResponseSchema, create(GetNextTaskResponseSchema, viaGrpc))), JSON.stringify(viaHttp)]) {
      expect(shown).not.toContain(EMAIL);
      expect(shown).not.toContain('555-0132');
      expect(shown).toContain('Call me at [REDACTED:phone] or write to [REDACTED:email] to claim the prize');
    }
    // A project that turned redaction off shows the item as it is.
    expect((await grpc.getNextTask(create(GetNextTaskRequestSchema, { projectId: plain }), ctx())).task?.inputUri).toBe(TEXT);
  });

  it('redacts content the service fetched (a custom scheme) as it redacts the URI, and returns it with the task', async () => {
    const viaGrpc = (await grpc.getNextTask(create(GetNextTaskRequestSchema, { projectId: fetched }), ctx())).task;
    expect(viaGrpc?.inputUri).toBe('mailbox://inbox/7');
    expect(viaGrpc?.contentText).toBe('Call me at [REDACTED:phone] or write to [REDACTED:email] to claim the prize');
    expect(viaGrpc?.contentUrl).toBe('');
    const viaHttp = (await http.nextTask(`Bearer ada-${run}`, fetched)) as { task: Record<string, string> };
    expect(viaHttp.task.contentText).toBe(viaGrpc?.contentText);
    expect(JSON.stringify(viaHttp)).not.toContain(EMAIL);
    expect(source.requested).toEqual(['inbox/7', 'inbox/7']);
  });

  it('redacts them in what is imported into Label Studio', async () => {
    const client = new LabelStudioClient(LS_URL, LS_TOKEN);
    /** The project's tasks in Label Studio, after a sync round. */
    const exported = async (projectId: string) => {
      await connector.sync(projectId);
      const [lsProject] = await client.findProjects(`labelloop:${projectId}`);
      return client.exportTasks(lsProject);
    };
    const shown = await exported(redacted);
    expect(shown.map((t) => t.data.item_id)).toContain(`ls-${run}-on`);
    expect(JSON.stringify(shown)).not.toContain(EMAIL);
    expect(JSON.stringify(shown)).not.toContain('555-0132');
    expect(shown.find((t) => t.data.item_id === `ls-${run}-on`)?.data.text).toBe('Call me at [REDACTED:phone] or write to [REDACTED:email] to claim the prize');
    expect((await exported(plain)).find((t) => t.data.item_id === `ls-${run}-off`)?.data.text).toBe(TEXT);
  });
});

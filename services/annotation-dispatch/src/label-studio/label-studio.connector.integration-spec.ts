/**
 * The Label Studio import against the real Label Studio (deploy/local/label-studio.sh) and
 * PostgreSQL: what it shows of an item, and two replicas' sync rounds at the same moment. Every dispatch replica runs the sync loop, so
 * this happens whenever the deployment has more than one: the first round creates the project,
 * later rounds import new items. Both must happen once.
 */
import { randomUUID } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import type { LoggerService } from '@nestjs/common';
import { AnnotationRequestedSchema } from '@labelloop/contracts';
import { Outbox } from '@labelloop/messaging';
import { Metrics } from '@labelloop/observability';
import { createServiceDataSource, DataSource, migrate } from '@labelloop/persistence';
import { labelStudioTarget } from '@labelloop/testing';
import { contentServer, ContentServer } from '../../test/content-server';
import { requestItems } from '../../test/dispatch-schema';
import { DispatchConfig, dispatchConfigSchema } from '../dispatch.config';
import { TaskService } from '../tasks/task.service';
import { ContentResolver } from '../content/content.resolver';
import { LabelStudioClient } from './label-studio.client';
import { LabelStudioConnector } from './label-studio.connector';
import { migrations } from '../migrations';

const dbUrl = process.env.DATABASE_URL ?? '';
const { url: LS_URL, token: LS_TOKEN } = labelStudioTarget();

describe('Label Studio sync on two replicas at once', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `dispatch_ls_${run}`;
  const project = `ls-replicas-${run}`;
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined } as unknown as LoggerService;
  let ds: DataSource;
  let replicas: LabelStudioConnector[];

  beforeAll(async () => {
    ds = createServiceDataSource({ url: dbUrl, schema, migrations });
    await ds.initialize();
    await migrate(ds);
    const config = dispatchConfigSchema.parse({
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: dbUrl,
      DISPATCH_LABEL_CLASSES: 'ham,spam',
      LABEL_STUDIO_URL: LS_URL,
      LABEL_STUDIO_TOKEN: LS_TOKEN,
      LABEL_STUDIO_PROJECTS: project,
    });
    const metrics = new Metrics('annotation-dispatch');
    const content = new ContentResolver(config, metrics, quiet);
    const tasks = new TaskService(ds, new Outbox('labelloop/annotation-dispatch'), config, metrics, content);
    replicas = [0, 1].map(() => new LabelStudioConnector(ds, config, tasks, quiet, content));
  });
  afterAll(async () => {
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  const pending = async (from: number, to: number) => {
    const ids = Array.from({ length: to - from }, (_, i) => `item-${run}-${from + i}`);
    const requests = ids.map((itemId) =>
      Buffer.from(
        toBinary(
          AnnotationRequestedSchema,
          create(AnnotationRequestedSchema, {
            itemId,
            projectId: project,
            modelId: 'spam-clf',
            modelVersion: '1',
            inputUri: `text of ${itemId}`,
            preLabel: { predictedLabel: 'ham', confidence: 0.6 },
          }),
        ),
      ),
    );
    await ds.query(
      `INSERT INTO annotation_task (task_id, task_key, item_id, project_id, state, priority, required_answers, guideline_version, request)
       SELECT gen_random_uuid()::text, t.item_id || '#1', t.item_id, $2, 'pending', 0, 1, 'v1', t.request FROM unnest($1::text[], $3::bytea[]) AS t(item_id, request)`,
      [ids, project, requests],
    );
    return ids;
  };

  it('creates one project and imports each item once, however the rounds overlap', async () => {
    const items = await pending(0, 20);
    // Both replicas' rounds start together: the first finds no project yet.
    await Promise.all(replicas.map((r) => r.sync(project)));
    // More items, and several overlapping rounds.
    items.push(...(await pending(20, 40)));
    for (let round = 0; round < 3; round++) await Promise.all(replicas.map((r) => r.sync(project)));

    const client = new LabelStudioClient(LS_URL, LS_TOKEN);
    const mine = await client.findProjects(`labelloop:${project}`);
    expect(mine).toHaveLength(1);
    const inLs = (await client.exportTasks(mine[0])).map((t) => t.data.item_id).sort();
    expect(inLs).toEqual([...items].sort());
    const recorded = await ds.query(`SELECT count(*)::int AS n, count(DISTINCT ls_project_id)::int AS projects FROM ls_item WHERE project_id = $1`, [project]);
    expect(recorded).toEqual([{ n: 40, projects: 1 }]);
  });
});

/**
 * What a person labelling in Label Studio reads: the item's content, resolved by its URI's
 * scheme, not the URI. The texts come from a real HTTP server on 127.0.0.1 through a custom
 * scheme (DISPATCH_CONTENT_RESOLVERS), and are read back through Label Studio's own task API.
 */
describe('Label Studio import: the item, not its URI', () => {
  const run = randomUUID().slice(0, 8);
  const schema = `dispatch_lsc_${run}`;
  const textProject = `ls-content-${run}`;
  const urlProject = `ls-content-url-${run}`;
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined } as unknown as LoggerService;
  const MAIL = 'Re: minutes\n\nThe minutes are attached. Ask jane.doe@example.com for the slides.';
  let ds: DataSource;
  let source: ContentServer;
  let connector: LabelStudioConnector;
  let content: ContentResolver;
  let config: DispatchConfig;
  const client = new LabelStudioClient(LS_URL, LS_TOKEN);

  beforeAll(async () => {
    source = await contentServer({ 'easy-ham-1/00042': MAIL, 'page.txt': 'a page served over http' });
    ds = createServiceDataSource({ url: dbUrl, schema, migrations });
    await ds.initialize();
    await migrate(ds);
    config = dispatchConfigSchema.parse({
      KAFKA_BROKERS: '127.0.0.1:1',
      DATABASE_URL: dbUrl,
      DISPATCH_LABEL_CLASSES: 'ham,spam',
      DISPATCH_CONTENT_RESOLVERS: JSON.stringify({ mailcorpus: `${source.base}/{path}` }),
      LABEL_STUDIO_URL: LS_URL,
      LABEL_STUDIO_TOKEN: LS_TOKEN,
      LABEL_STUDIO_PROJECTS: `${textProject},${urlProject}`,
      LABEL_STUDIO_URL_PROJECTS: urlProject,
    });
    const metrics = new Metrics('annotation-dispatch');
    content = new ContentResolver(config, metrics, quiet);
    const tasks = new TaskService(ds, new Outbox('labelloop/annotation-dispatch'), config, metrics, content);
    connector = new LabelStudioConnector(ds, config, tasks, quiet, content);
  });
  afterAll(async () => {
    await source?.close();
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  /** The project's tasks as Label Studio's task API returns them, after one sync round. */
  const lsTasks = async (projectId: string) => {
    await connector.sync(projectId);
    const [lsProject] = await client.findProjects(`labelloop:${projectId}`);
    const res = await fetch(`${LS_URL}/api/tasks?project=${lsProject}&fields=all&page_size=100`, { headers: { Authorization: `Token ${LS_TOKEN}` } });
    const body = (await res.json()) as { tasks: { data: Record<string, string>; predictions: unknown[] }[] };
    return { lsProject, tasks: body.tasks };
  };

  it('imports the text behind a custom scheme (redacted), an unresolvable item with its URI and a note, and never blocks the rest', async () => {
    await requestItems(ds, config, [
      { itemId: `mail-${run}`, projectId: textProject, inputUri: 'mailcorpus://easy-ham-1/00042' },
      { itemId: `lost-${run}`, projectId: textProject, inputUri: 'mailcorpus://easy-ham-1/99999' },
      { itemId: `web-${run}`, projectId: textProject, inputUri: `${source.base}/page.txt` },
      { itemId: `inline-${run}`, projectId: textProject, inputUri: 'WIN a FREE cruise' },
    ]);
    const { tasks } = await lsTasks(textProject);
    const text = (itemId: string) => tasks.find((t) => t.data.item_id === itemId)?.data.text;
    expect(text(`mail-${run}`)).toBe('Re: minutes\n\nThe minutes are attached. Ask [REDACTED:email] for the slides.');
    expect(text(`web-${run}`)).toBe('a page served over http');
    expect(text(`inline-${run}`)).toBe('WIN a FREE cruise');
    expect(text(`lost-${run}`)).toBe(`mailcorpus://easy-ham-1/99999\n\n[LabelLoop: item lost-${run}: content of scheme "mailcorpus" not available: HTTP 404]`);
    expect(tasks.find((t) => t.data.item_id === `mail-${run}`)?.predictions).toHaveLength(1);
    expect((await content.failures.get()).values.map((v) => ({ ...v.labels, n: v.value }))).toEqual([{ scheme: 'mailcorpus', reason: 'http_status', n: 1 }]);
  });

  it('gives a URL project valueType="url" and the URL in data.url', async () => {
    await requestItems(ds, config, [
      { itemId: `url-${run}`, projectId: urlProject, inputUri: `${source.base}/page.txt` },
      { itemId: `url-inline-${run}`, projectId: urlProject, inputUri: 'short text' },
    ]);
    const { lsProject, tasks } = await lsTasks(urlProject);
    const lsConfig = (await (await fetch(`${LS_URL}/api/projects/${lsProject}`, { headers: { Authorization: `Token ${LS_TOKEN}` } })).json()) as {
      label_config: string;
    };
    expect(lsConfig.label_config).toContain('<Text name="text" value="$url" valueType="url"/>');
    expect(tasks.find((t) => t.data.item_id === `url-${run}`)?.data.url).toBe(`${source.base}/page.txt`);
    expect(tasks.find((t) => t.data.item_id === `url-inline-${run}`)?.data.url).toBe('data:text/plain;charset=utf-8,short%20text');
  });
});

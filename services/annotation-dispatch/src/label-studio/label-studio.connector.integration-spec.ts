/**
 * Two replicas' Label Studio sync rounds at the same moment, against the real Label Studio
 * (deploy/local/label-studio.sh) and PostgreSQL. Every dispatch replica runs the sync loop, so
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
import { dispatchConfigSchema } from '../dispatch.config';
import { TaskService } from '../tasks/task.service';
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
    const config = dispatchConfigSchema.parse({ KAFKA_BROKERS: '127.0.0.1:1', DATABASE_URL: dbUrl, DISPATCH_LABEL_CLASSES: 'ham,spam', LABEL_STUDIO_URL: LS_URL, LABEL_STUDIO_TOKEN: LS_TOKEN, LABEL_STUDIO_PROJECTS: project });
    const tasks = new TaskService(ds, new Outbox('labelloop/annotation-dispatch'), config, new Metrics('annotation-dispatch'));
    replicas = [0, 1].map(() => new LabelStudioConnector(ds, config, tasks, quiet));
  });
  afterAll(async () => {
    await ds?.query(`DROP SCHEMA "${schema}" CASCADE`).catch(() => undefined);
    await ds?.destroy();
  });

  const pending = async (from: number, to: number) => {
    const ids = Array.from({ length: to - from }, (_, i) => `item-${run}-${from + i}`);
    const requests = ids.map((itemId) => Buffer.from(toBinary(AnnotationRequestedSchema, create(AnnotationRequestedSchema, { itemId, projectId: project, modelId: 'spam-clf', modelVersion: '1', inputUri: `text of ${itemId}`, preLabel: { predictedLabel: 'ham', confidence: 0.6 } }))));
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

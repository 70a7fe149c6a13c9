/**
 * An answer edited in Label Studio after it was submitted, against the real Label Studio
 * (deploy/local/label-studio.sh) and PostgreSQL. The annotation is created and then updated
 * through Label Studio's own API, as a person's clicks would; the connector's polls and a
 * webhook delivery of the same edit bring it back. Expected: exactly one superseding submission
 * (one more AnnotationSubmitted in the outbox, naming the submission it replaces), whatever
 * repeats.
 */
import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import type { LoggerService } from '@nestjs/common';
import { AnnotationSubmittedSchema, Topics } from '@labelloop/contracts';
import { Outbox } from '@labelloop/messaging';
import type { DataSource } from '@labelloop/persistence';
import { labelStudioApi, labelStudioTarget } from '@labelloop/testing';
import { dispatchSchema, requestItems, testConfig } from '../../test/dispatch-schema';
import { TaskService } from '../tasks/task.service';
import { ContentResolver } from '../content/content.resolver';
import { Metrics } from '@labelloop/observability';
import { LabelStudioClient, LsAnnotation } from './label-studio.client';
import { LabelStudioConnector } from './label-studio.connector';
import { labelingConfig } from './labeling-config';
import type { ProjectLabelSchema } from '../labels/label-schema';

const { url: LS_URL, token: LS_TOKEN } = labelStudioTarget();

const ls = labelStudioApi;

const choice = (c: string) => [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: [c] } }];

describe('Label Studio: an edit after submitting', () => {
  const run = randomUUID().slice(0, 8);
  const project = `ls-edit-${run}`;
  const item = `item-${run}`;
  const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined } as unknown as LoggerService;
  let db: { ds: DataSource; drop(): Promise<void> };
  let connector: LabelStudioConnector;

  beforeAll(async () => {
    db = await dispatchSchema('dispatch_ls_edit');
    const config = testConfig({ LABEL_STUDIO_URL: LS_URL, LABEL_STUDIO_TOKEN: LS_TOKEN, LABEL_STUDIO_PROJECTS: project });
    const metrics = new Metrics('annotation-dispatch');
    const content = new ContentResolver(config, metrics, quiet);
    const tasks = new TaskService(db.ds, new Outbox('labelloop/annotation-dispatch'), config, metrics, content);
    connector = new LabelStudioConnector(db.ds, config, tasks, quiet, content);
  });
  afterAll(() => db?.drop());

  const events = async () => {
    const rows: { payload: Buffer }[] = await db.ds.query(`SELECT payload FROM outbox WHERE topic = $1 ORDER BY id`, [Topics.annotationSubmitted]);
    return rows.map((r) => fromBinary(AnnotationSubmittedSchema, r.payload));
  };

  it('becomes exactly one superseding submission, however often it is polled or posted', async () => {
    await requestItems(db.ds, testConfig(), [{ itemId: item, projectId: project, inputUri: 'Win a free cruise now' }]);
    await connector.sync(project);
    const lsProject = await connector.ensureProject(project);
    const [task] = await new LabelStudioClient(LS_URL, LS_TOKEN).exportTasks(lsProject);
    const created = await ls<LsAnnotation>('POST', `/api/tasks/${task.id}/annotations/`, { result: choice('ham'), lead_time: 3 });

    expect((await connector.sync(project)).outcomes).toEqual(['submitted']);
    const [first] = await events();
    expect(first.label?.value).toEqual({ case: 'classification', value: expect.objectContaining({ classes: ['ham'] }) });

    const updated = await ls<LsAnnotation>('PATCH', `/api/annotations/${created.id}/`, { result: choice('spam') });
    expect(new Date(updated.updated_at!).getTime()).toBeGreaterThan(new Date(created.updated_at!).getTime());
    expect((await connector.sync(project)).outcomes).toEqual(['superseded']);
    // A second poll, and the webhook's ANNOTATION_UPDATED delivery of the same edit, add nothing.
    expect((await connector.sync(project)).outcomes).toEqual(['duplicate']);
    expect(await connector.ingest(project, item, updated, 'webhook', 'Win a free cruise now')).toBe('duplicate');

    const all = await events();
    expect(all).toHaveLength(2);
    const edit = all[1];
    expect(edit).toMatchObject({ taskId: first.taskId, itemId: item, annotatorId: first.annotatorId, supersedesSubmissionId: first.submissionId });
    expect(edit.submissionId).not.toBe(first.submissionId);
    expect(edit.label?.value).toEqual({ case: 'classification', value: expect.objectContaining({ classes: ['spam'] }) });
    const stored = await db.ds.query(`SELECT count(*)::int AS n, count(supersedes_submission_id)::int AS edits FROM submission WHERE item_id = $1`, [item]);
    expect(stored).toEqual([{ n: 2, edits: 1 }]);
    const audit = await db.ds.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'label.edited'`);
    expect(audit).toEqual([{ n: 1 }]);

    // A second edit supersedes the first edit, not the original.
    await ls<LsAnnotation>('PATCH', `/api/annotations/${created.id}/`, { result: choice('ham') });
    expect((await connector.sync(project)).outcomes).toEqual(['superseded']);
    const third = (await events())[2];
    expect(third.supersedesSubmissionId).toBe(edit.submissionId);
  });
});

/** The labeling config generated for each task type, as the real Label Studio 1.23.2 validates it on project creation. */
describe('Label Studio accepts the config of every task type', () => {
  const run = randomUUID().slice(0, 8);
  const client = new LabelStudioClient(LS_URL, LS_TOKEN);
  it.each<[string, ProjectLabelSchema]>([
    ['classification', { kind: 'classification', classes: ['ham', 'spam'], multiLabel: true }],
    ['spans', { kind: 'spans', spanLabels: ['PER', 'ORG'] }],
    ['boxes', { kind: 'boxes', boxLabels: ['cat', 'dog'] }],
    ['text', { kind: 'text', maxLength: 200 }],
    ['preference', { kind: 'preference' }],
  ])('%s', async (kind, schema) => {
    const id = await client.createProject(`labelloop-config-check:${run}:${kind}`, labelingConfig(schema), 'config check');
    expect(id).toBeGreaterThan(0);
  });
});

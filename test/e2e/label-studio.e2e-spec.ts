/**
 * The Label Studio round trip against a REAL Label Studio server (PyPI label-studio, started on
 * loopback by deploy/local/label-studio.sh) and annotation-dispatch as a process on the real
 * broker and database: AnnotationRequested → task in Label Studio with the model's pre-label as
 * a prediction → a person's annotation created through Label Studio's REST API →
 * AnnotationSubmitted in Kafka, exactly once however often it is pulled or posted again.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromBinary } from '@bufbuild/protobuf';
import type { Client } from 'pg';
import { AnnotationRequestedSchema, AnnotationSubmittedSchema, Topics } from '@labelloop/contracts';
import { E2eRig, eventRecord, eventually, freePort, labelStudioApi, labelStudioTarget, readTopic, ServiceProcess } from '@labelloop/testing';

const { url: LS_URL, token: LS_TOKEN } = labelStudioTarget();

const ls = labelStudioApi;

interface LsTaskView {
  id: number;
  data: { item_id: string; text: string };
  predictions: { result: { value: { choices: string[] } }[]; model_version: string }[];
}

describe('Label Studio round trip', () => {
  const run = randomUUID().slice(0, 8);
  const project = `ls-${run}`;
  // Projects a pod created in Label Studio and died before recording: one before it registered
  // the webhook, one after.
  const orphan = `ls-${run}-orphan`;
  const orphanHooked = `ls-${run}-orphan-hooked`;
  const orphanIds: Record<string, number> = {};
  const burst = `ls-${run}-burst`;
  const secret = `secret-${randomUUID()}`;
  const rig = new E2eRig();
  const kafka = rig.kafka;
  let pg: Client;
  // Two replicas, as SREs scale it: both run the Label Studio sync loop; webhooks go to the first.
  let dispatch: ServiceProcess;
  let dispatch2: ServiceProcess;
  let webhookUrl: string;
  // A content source for the custom scheme `mailcorpus://` (DISPATCH_CONTENT_RESOLVERS).
  const MAIL = 'Re: quarterly report\n\nPlease find the figures attached. Call +1 415 555 0134 with questions.';
  let corpus: Server;

  beforeAll(async () => {
    const me = await ls<{ id: number }>('GET', '/api/current-user/whoami').catch((e: Error) => {
      throw new Error(`no Label Studio at ${LS_URL} (start it: bash deploy/local/label-studio.sh start): ${e.message}`);
    });
    expect(me.id).toBeGreaterThan(0);
    const db = await rig.database('ls');
    corpus = createHttpServer((req, res) =>
      req.url === '/messages/easy-ham-1/00042' ? res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(MAIL) : res.writeHead(404).end(),
    );
    await new Promise<void>((r) => corpus.listen(0, '127.0.0.1', r));
    const httpPort = await freePort();
    webhookUrl = `http://127.0.0.1:${httpPort}/label-studio/webhook`;
    const config = '<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="ham"/><Choice value="spam"/></Choices></View>';
    for (const p of [orphan, orphanHooked])
      orphanIds[p] = (await ls<{ id: number }>('POST', '/api/projects', { title: `labelloop:${p}`, label_config: config })).id;
    await ls('POST', '/api/webhooks', {
      project: orphanIds[orphanHooked],
      url: webhookUrl,
      headers: { 'X-LabelLoop-Secret': secret },
      send_payload: true,
      send_for_all_actions: false,
      actions: ['ANNOTATION_CREATED'],
      is_active: true,
    });
    const env = (port: number) => ({
      DATABASE_URL: db.url,
      KAFKA_GROUP_ID: `ls-${run}-dispatch`,
      HTTP_PORT: String(port),
      AUTH_TOKENS: JSON.stringify([{ token: `svc-${run}`, subject: 'ci', roles: ['service'], projects: ['*'] }]),
      DISPATCH_OVERLAP: '1',
      DISPATCH_LABEL_CLASSES: 'ham,spam',
      LABEL_STUDIO_URL: LS_URL,
      LABEL_STUDIO_TOKEN: LS_TOKEN,
      LABEL_STUDIO_PROJECTS: [project, orphan, orphanHooked, burst].join(','),
      LABEL_STUDIO_POLL_MS: '200',
      LABEL_STUDIO_WEBHOOK_URL: webhookUrl,
      LABEL_STUDIO_WEBHOOK_SECRET: secret,
      DISPATCH_CONTENT_RESOLVERS: JSON.stringify({ mailcorpus: `http://127.0.0.1:${(corpus.address() as AddressInfo).port}/messages/{path}` }),
    });
    dispatch = rig.service('annotation-dispatch', env(httpPort));
    dispatch2 = rig.service('annotation-dispatch', env(await freePort()));
    await Promise.all([dispatch.ready, dispatch2.ready]);
    pg = await rig.pg(db.url);
  });
  afterAll(async () => {
    await rig.close();
    await new Promise((r) => (corpus ? corpus.close(r) : r(undefined)));
  });

  const lsProjectId = (of = project) =>
    eventually(
      async () =>
        (await pg.query(`SELECT ls_project_id FROM annotation_dispatch.ls_project WHERE project_id = $1`, [of])).rows[0]?.ls_project_id as number | undefined,
      `Label Studio project of ${of}`,
      60_000,
      250,
    );
  const lsTasks = async (lsProject: number) => {
    const r = await ls<{ tasks: LsTaskView[] } | LsTaskView[]>('GET', `/api/tasks?project=${lsProject}&fields=all&page_size=1000`);
    return Array.isArray(r) ? r : r.tasks;
  };
  const lsTaskOf = (lsProject: number, itemId: string) =>
    eventually(async () => (await lsTasks(lsProject)).find((t) => t.data.item_id === itemId), `task ${itemId} in Label Studio`, 60_000, 250);
  /** Label Studio projects with exactly the title dispatch gives a LabelLoop project. */
  const projectsTitled = async (projectId: string) => {
    const title = `labelloop:${projectId}`;
    return (await ls<{ results: { title: string }[] }>('GET', `/api/projects?title=${encodeURIComponent(title)}&page_size=100`)).results.filter(
      (r) => r.title === title,
    );
  };
  const submittedFor = async (itemId: string) =>
    (await readTopic(kafka, Topics.annotationSubmitted, 1_000_000, 4_000))
      .filter((m) => m.key === itemId)
      .map((m) => fromBinary(AnnotationSubmittedSchema, m.value!));
  const request = async (itemId: string, text: string, predicted: string, projectId = project) => {
    const producer = await rig.producer();
    await producer.send({
      topic: Topics.annotationRequested,
      messages: [
        eventRecord(
          AnnotationRequestedSchema,
          {
            itemId,
            projectId,
            modelId: 'spam-clf',
            modelVersion: '7',
            inputUri: text,
            preLabel: { predictedLabel: predicted, confidence: 0.62, classProbabilities: { spam: 0.62, ham: 0.38 } },
          },
          { key: itemId },
        ),
      ],
    });
    await producer.disconnect();
  };

  it('request → task with pre-annotation in Label Studio → annotation there → AnnotationSubmitted once', async () => {
    const itemId = `item-${run}-1`;
    await request(itemId, 'WIN a FREE cruise, reply now', 'spam');
    const lsProject = await lsProjectId();
    const project_ = await ls<{ title: string; label_config: string }>('GET', `/api/projects/${lsProject}`);
    expect(project_.title).toBe(`labelloop:${project}`);
    expect(project_.label_config).toContain('<Choice value="spam"/>');
    const hooks = await ls<{ url: string; headers: Record<string, string> }[]>('GET', `/api/webhooks?project=${lsProject}`);
    expect(hooks.map((h) => h.url)).toContain(webhookUrl);

    // What the annotator sees: the text and the model's suggestion, pre-selected.
    const task = await lsTaskOf(lsProject, itemId);
    expect(task.data.text).toBe('WIN a FREE cruise, reply now');
    expect(task.predictions).toHaveLength(1);
    expect(task.predictions[0].result[0].value.choices).toEqual(['spam']);
    expect(task.predictions[0].model_version).toBe('spam-clf@7');

    // The person disagrees with the model and submits "ham" after 12.5 s.
    const annotation = await ls<{ id: number }>('POST', `/api/tasks/${task.id}/annotations/`, {
      result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['ham'] } }],
      lead_time: 12.5,
    });

    const [sub] = await eventually(
      async () => {
        const s = await submittedFor(itemId);
        return s.length > 0 && s;
      },
      'AnnotationSubmitted',
      60_000,
      500,
    );
    expect(sub.projectId).toBe(project);
    expect(sub.label?.value.case === 'classification' && sub.label.value.value.classes).toEqual(['ham']);
    expect(sub.annotatorId).toMatch(/^label-studio:\d+$/);
    expect(sub.preLabelAccepted).toBe(false);
    expect(sub.timeSpentMs).toBe(12_500);
    expect(sub.modelId).toBe('spam-clf');

    // Posted again by Label Studio (a webhook retry) and pulled again by several poll rounds:
    // nothing changes.
    const again = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-LabelLoop-Secret': secret },
      body: JSON.stringify({
        action: 'ANNOTATION_CREATED',
        project: { id: lsProject },
        task: { id: task.id, data: task.data },
        annotation: {
          id: annotation.id,
          completed_by: 1,
          result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['ham'] } }],
          lead_time: 12.5,
        },
      }),
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ outcomes: ['duplicate'] });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await submittedFor(itemId)).toHaveLength(1);
    const rows = (await pg.query(`SELECT outcome, submission_id FROM annotation_dispatch.ls_annotation WHERE ls_annotation_id = $1`, [annotation.id])).rows;
    expect(rows).toEqual([{ outcome: 'submitted', submission_id: sub.submissionId }]);
    expect((await pg.query(`SELECT state FROM annotation_dispatch.annotation_task WHERE item_id = $1`, [itemId])).rows).toEqual([{ state: 'submitted' }]);
    // The item is in Label Studio once, however many sync rounds ran.
    expect((await lsTasks(lsProject)).filter((t) => t.data.item_id === itemId)).toHaveLength(1);
  });

  it('shows the text behind a custom-scheme URI (fetched by dispatch, redacted), not the URI', async () => {
    const itemId = `item-${run}-content`;
    await request(itemId, 'mailcorpus://easy-ham-1/00042', 'ham');
    const task = await lsTaskOf(await lsProjectId(), itemId);
    expect(task.data.text).toBe('Re: quarterly report\n\nPlease find the figures attached. Call [REDACTED:phone] with questions.');
    expect(task.predictions[0].result[0].value.choices).toEqual(['ham']);
  });

  it('refuses an annotation outside the schema, naming the field, and stores no answer', async () => {
    const itemId = `item-${run}-2`;
    await request(itemId, 'minutes of the meeting attached', 'ham');
    const lsProject = await lsProjectId();
    const task = await lsTaskOf(lsProject, itemId);
    const annotation = await ls<{ id: number }>('POST', `/api/tasks/${task.id}/annotations/`, {
      result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['eggs'] } }],
    });
    const row = await eventually(
      async () => (await pg.query(`SELECT outcome, detail FROM annotation_dispatch.ls_annotation WHERE ls_annotation_id = $1`, [annotation.id])).rows[0],
      'refusal recorded',
      60_000,
      250,
    );
    expect(row.outcome).toBe('refused');
    expect(row.detail).toMatch(/^label\.classification\.classes\[0\]: unknown class "eggs"/);
    expect((await pg.query(`SELECT count(*)::int AS n FROM annotation_dispatch.submission WHERE item_id = $1`, [itemId])).rows[0].n).toBe(0);
    expect((await pg.query(`SELECT state FROM annotation_dispatch.annotation_task WHERE item_id = $1`, [itemId])).rows).toEqual([{ state: 'pending' }]);
  });

  it('falls back to polling when Label Studio sends no webhook', async () => {
    const itemId = `item-${run}-3`;
    await request(itemId, 'lunch on friday?', 'ham');
    const lsProject = await lsProjectId();
    for (const h of await ls<{ id: number }[]>('GET', `/api/webhooks?project=${lsProject}`)) {
      const res = await fetch(`${LS_URL}/api/webhooks/${h.id}`, { method: 'DELETE', headers: { Authorization: `Token ${LS_TOKEN}` } });
      expect(res.ok).toBe(true);
    }
    const task = await lsTaskOf(lsProject, itemId);
    const annotation = await ls<{ id: number }>('POST', `/api/tasks/${task.id}/annotations/`, {
      result: [{ from_name: 'label', to_name: 'text', type: 'choices', value: { choices: ['ham'] } }],
      lead_time: 3,
    });
    const [sub] = await eventually(
      async () => {
        const s = await submittedFor(itemId);
        return s.length > 0 && s;
      },
      'AnnotationSubmitted by polling',
      60_000,
      500,
    );
    expect(sub.preLabelAccepted).toBe(true);
    expect((await pg.query(`SELECT via, outcome FROM annotation_dispatch.ls_annotation WHERE ls_annotation_id = $1`, [annotation.id])).rows).toEqual([
      { via: 'poll', outcome: 'submitted' },
    ]);
  });

  it('adopts a project a pod created but died before recording, with the webhook once', async () => {
    for (const [i, p] of [orphan, orphanHooked].entries()) {
      const itemId = `item-${run}-orphan-${i}`;
      await request(itemId, 'see you at 5', 'ham', p);
      expect(await lsProjectId(p)).toBe(orphanIds[p]);
      const hooks = await ls<{ url: string }[]>('GET', `/api/webhooks?project=${orphanIds[p]}`);
      expect(hooks.map((h) => h.url)).toEqual([webhookUrl]);
      await lsTaskOf(orphanIds[p], itemId);
    }
    // No second project was made for either.
    for (const p of [orphan, orphanHooked]) expect(await projectsTitled(p)).toHaveLength(1);
  });

  it('with two replicas syncing, puts each of 30 items requested at once in Label Studio once, in one project', async () => {
    const items = Array.from({ length: 30 }, (_, i) => `item-${run}-burst-${i}`);
    const producer = await rig.producer();
    await producer.send({
      topic: Topics.annotationRequested,
      messages: items.map((itemId) =>
        eventRecord(
          AnnotationRequestedSchema,
          {
            itemId,
            projectId: burst,
            modelId: 'spam-clf',
            modelVersion: '7',
            inputUri: `text ${itemId}`,
            preLabel: { predictedLabel: 'ham', confidence: 0.6, classProbabilities: { spam: 0.4, ham: 0.6 } },
          },
          { key: itemId },
        ),
      ),
    });
    await producer.disconnect();
    const lsProject = await lsProjectId(burst);
    const inLs = async () => (await lsTasks(lsProject)).map((t) => t.data.item_id);
    await eventually(async () => (await inLs()).length >= items.length, '30 items in Label Studio', 60_000, 250);
    await new Promise((r) => setTimeout(r, 2_000)); // more sync rounds on both replicas
    expect((await inLs()).sort()).toEqual([...items].sort());
    expect(await projectsTitled(burst)).toHaveLength(1);
    const hooks = await ls<{ url: string }[]>('GET', `/api/webhooks?project=${lsProject}`);
    expect(hooks.map((h) => h.url)).toEqual([webhookUrl]);
  });

  it('refuses a webhook without the shared secret', async () => {
    const res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-LabelLoop-Secret': 'wrong-secret-wrong-secret' },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect((await fetch(webhookUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(401);
  });
});

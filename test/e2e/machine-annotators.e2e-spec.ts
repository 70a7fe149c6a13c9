/**
 * Machine annotators answer through the same path as a person: machine-annotator, dispatch and
 * qa as processes on the real broker and database. A labeling function, a model annotator (a
 * real HTTP server on 127.0.0.1 answering class probabilities) and an LLM annotator (the
 * chat-completions contract server the lib's contract test uses) take tasks with GetNextTask
 * under their own tokens and identities; the rule's abstention releases its task to a person at
 * once; people complete the overlap; QA accepts the items with the machines' answers in them and
 * lists the machines, marked as machines, on its scorecards.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { AnnotationRequestedSchema, AnnotatorService, QaService, Topics } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import {
  createTestDatabase,
  eventRecord,
  eventually,
  ServiceProcess,
  startChatCompletionsServer,
  chatCompletion,
  startGroupsAt,
  startService,
  testKafka,
  testProducer,
} from '@labelloop/testing';
import { SUBSCRIPTIONS } from '../fault/offsets';

describe('machine annotators through AnnotatorService', () => {
  const run = randomUUID().slice(0, 8);
  const project = `machine-${run}`;
  const kafka = testKafka();
  const LF = 'machine:lf-prize@1';
  const MODEL = 'machine:model-candidate@7';
  const LLM = 'machine:llm-qwen2.5-7b-instruct@p3';
  const machineTokens = [LF, MODEL, LLM].map((subject, i) => ({ token: `m${i}-${run}`, subject, roles: ['annotator'], projects: [project] }));
  const people = ['ada', 'grace'].map((subject) => ({ token: `${subject}-${run}`, subject, roles: ['annotator'], projects: [project] }));
  const svcToken = { token: `svc-${run}`, subject: 'ci', roles: ['service', 'reviewer'], projects: ['*'] };
  // Truth: the first item is spam (the rule fires), the second ham (the rule abstains).
  const items = {
    [`${project}-prize`]: { text: 'You WIN a PRIZE, claim it now', truth: 'spam' },
    [`${project}-lunch`]: { text: 'Lunch tomorrow at noon?', truth: 'ham' },
  };
  const spammy = (text: string) => /prize/i.test(text);

  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pg: Client;
  let qa: ServiceProcess;
  let dispatch: ServiceProcess;
  let machines: ServiceProcess;
  let model: http.Server;
  const modelCalls: { id: string; text: string }[] = [];
  let llm: Awaited<ReturnType<typeof startChatCompletionsServer>>;

  beforeAll(async () => {
    db = await createTestDatabase('machine');
    // The model: a real HTTP endpoint answering class probabilities (here a one-line rule).
    model = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const item = JSON.parse(body) as { id: string; text: string };
        modelCalls.push(item);
        const p = spammy(item.text) ? 0.93 : 0.08;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ probabilities: { spam: p, ham: 1 - p } }));
      });
    });
    await new Promise<void>((r) => model.listen(0, '127.0.0.1', r));
    llm = await startChatCompletionsServer((req) => ({ status: 200, body: chatCompletion(spammy(req.body.messages[1].content) ? 'Spam.' : 'ham', 52, 2) }));

    // Start the groups at the topics' end: the shared broker's history is not this test's business.
    const groups = { qa: `machine-${run}-qa`, 'annotation-dispatch': `machine-${run}-dispatch` };
    await startGroupsAt(
      kafka,
      Object.entries(groups).map(([name, groupId]) => ({ groupId, topics: SUBSCRIPTIONS[name] ?? [] })),
    );
    const env = {
      DATABASE_URL: db.url,
      AUTH_TOKENS: JSON.stringify([...machineTokens, ...people, svcToken]),
      DISPATCH_OVERLAP: '4',
      DISPATCH_LABEL_CLASSES: 'ham,spam',
    };
    qa = startService('qa', { ...env, KAFKA_GROUP_ID: groups.qa });
    dispatch = startService('annotation-dispatch', { ...env, KAFKA_GROUP_ID: groups['annotation-dispatch'] });
    await Promise.all([qa.ready, dispatch.ready]);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await Promise.all([machines?.kill(), qa?.kill(), dispatch?.kill()]);
    await llm?.close();
    await new Promise((r) => model?.close(r));
    await db?.drop();
  });

  const label = (c: string) => ({ value: { case: 'classification' as const, value: { classes: [c] } } });
  const metricsText = async () => {
    const res = await fetch(`http://127.0.0.1:${(await machines.ready).httpPort}/metrics`);
    return res.text();
  };
  const metric = (text: string, name: string, labels: Record<string, string>): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };

  it('a labeling function, a model and an LLM answer under machine identities; people complete the overlap; QA lists the machines', async () => {
    const producer = await testProducer(kafka);
    await producer.send({
      topic: Topics.annotationRequested,
      messages: Object.entries(items).map(([itemId, it]) =>
        eventRecord(AnnotationRequestedSchema, { itemId, projectId: project, modelId: 'm', modelVersion: '1', inputUri: it.text }, { key: itemId }),
      ),
    });
    await producer.disconnect();
    await eventually(
      async () => Number((await pg.query(`SELECT count(*) FROM annotation_dispatch.annotation_task WHERE project_id = $1`, [project])).rows[0].count) === 8,
      '8 tasks',
      90_000,
      300,
    );

    machines = startService('machine-annotator', {
      DISPATCH_GRPC_ADDRESS: `127.0.0.1:${(await dispatch.ready).grpcPort}`,
      MACHINE_IDLE_MS: '200',
      LF_TOKEN: machineTokens[0].token,
      MODEL_TOKEN: machineTokens[1].token,
      LLM_TOKEN: machineTokens[2].token,
      LLM_KEY: 'sk-test',
      MACHINE_ANNOTATORS: JSON.stringify({
        projects: [
          {
            projectId: project,
            classes: ['ham', 'spam'],
            annotators: [
              {
                kind: 'lf',
                tokenEnv: 'LF_TOKEN',
                rule: { name: 'prize', version: '1', label: 'spam', when: { keyword: { field: 'text', anyOf: ['prize', 'winner'], wholeWord: true } } },
              },
              {
                kind: 'model',
                tokenEnv: 'MODEL_TOKEN',
                name: 'candidate',
                version: '7',
                url: `http://127.0.0.1:${(model.address() as AddressInfo).port}/predict`,
                minConfidence: 0.8,
                maxCallsPerSecond: 50,
              },
              {
                kind: 'llm',
                tokenEnv: 'LLM_TOKEN',
                apiKeyEnv: 'LLM_KEY',
                baseUrl: llm.base,
                model: 'qwen2.5-7b-instruct',
                prompt: { version: 'p3', system: 'You label emails as spam or ham.' },
                pricePer1kInput: 0.5,
                pricePer1kOutput: 1.5,
                maxCallsPerSecond: 50,
              },
            ],
          },
        ],
      }),
    });
    await machines.ready;

    // Each machine handles both items once: the rule answers one and abstains on the other.
    const handled = await eventually(
      async () => {
        const t = await metricsText();
        const n = (annotator: string, outcome: string) => metric(t, 'labelloop_machine_answers_total', { project, annotator, outcome });
        return n(LF, 'label') === 1 && n(LF, 'abstain') === 1 && n(MODEL, 'label') === 2 && n(LLM, 'label') === 2 ? t : undefined;
      },
      'machines answering',
      60_000,
      300,
    );
    expect(metric(handled, 'labelloop_machine_answers_total', { project, annotator: MODEL, outcome: 'abstain' })).toBe(0);
    // Cost per call from the reported usage: 2 calls x (52 x 0.5 + 2 x 1.5) / 1000.
    expect(metric(handled, 'labelloop_machine_cost_total', { project, annotator: LLM })).toBeCloseTo(0.058, 9);
    expect(metric(handled, 'labelloop_machine_cost_total', { project, annotator: LF })).toBe(0);
    expect(modelCalls.map((c) => c.text).sort()).toEqual(
      Object.values(items)
        .map((i) => i.text)
        .sort(),
    );
    expect(llm.seen.every((s) => s.auth === 'Bearer sk-test')).toBe(true);

    // The abstention gave the task back at once (the lease has 300 s to run): it is pending again.
    const released = (
      await pg.query(
        `SELECT t.task_id, tt.reason FROM annotation_dispatch.task_transition tt JOIN annotation_dispatch.annotation_task t USING (task_id) WHERE t.project_id = $1 AND tt.from_state = 'leased' AND tt.to_state = 'pending'`,
        [project],
      )
    ).rows;
    expect(released).toEqual([{ task_id: expect.any(String), reason: 'released: abstained: rule prize does not hold' }]);

    // People complete the overlap: ada answers both items, grace the task the rule gave back.
    const answered: Record<string, string[]> = {};
    for (const person of people) {
      const c = createGrpcClient(AnnotatorService, `127.0.0.1:${(await dispatch.ready).grpcPort}`, { token: person.token });
      for (let task = (await c.getNextTask({ projectId: project })).task; task; task = (await c.getNextTask({ projectId: project })).task) {
        await c.submitAnnotation({
          taskId: task.taskId,
          label: label(items[task.itemId].truth),
          timeSpentMs: 2000,
          idempotencyKey: `${person.subject}-${task.taskId}`,
        });
        (answered[person.subject] ??= []).push(task.itemId);
      }
      c.close();
    }
    expect(answered.ada.sort()).toEqual(Object.keys(items).sort());
    expect(answered.grace).toEqual([`${project}-lunch`]);

    // QA receives the machines' submissions under their identities and accepts both items.
    const qaClient = createGrpcClient(QaService, `127.0.0.1:${(await qa.ready).grpcPort}`, { token: svcToken.token });
    for (const [itemId, it] of Object.entries(items)) {
      const d = await eventually(
        async () => {
          const r = await qaClient.getItemDecision({ itemId });
          return r.state === 'accepted' ? r : undefined;
        },
        `${itemId} accepted`,
        60_000,
        300,
      );
      expect(d.answers).toBe(4);
      expect(d.accepted?.label?.value).toEqual({ case: 'classification', value: expect.objectContaining({ classes: [it.truth] }) });
    }
    const qaAnswers = (
      await pg.query(`SELECT annotator_id, item_id FROM qa.qa_answer WHERE item_id = ANY($1) AND annotator_id LIKE 'machine:%'`, [Object.keys(items)])
    ).rows;
    expect(qaAnswers.map((a) => `${a.annotator_id} ${a.item_id}`).sort()).toEqual(
      [`${LF} ${project}-prize`, `${MODEL} ${project}-prize`, `${MODEL} ${project}-lunch`, `${LLM} ${project}-prize`, `${LLM} ${project}-lunch`].sort(),
    );

    // Scorecards list the machines beside the people, marked as machines.
    const cards = await eventually(
      async () => {
        const c = (await qaClient.listAnnotatorScorecards({ projectId: project })).scorecards;
        return c.length === 5 ? c : undefined;
      },
      'five scorecards',
      30_000,
      300,
    );
    expect(cards.map((c) => [c.annotatorId, c.isMachine, c.answers]).sort()).toEqual(
      [
        ['ada', false, 2],
        ['grace', false, 1],
        [LF, true, 1],
        [LLM, true, 2],
        [MODEL, true, 2],
      ].sort(),
    );
    qaClient.close();

    // The audit log says which submissions a machine made.
    const audit = (
      await pg.query(
        `SELECT actor, detail->>'machine' AS machine FROM annotation_dispatch.audit_log WHERE action = 'label.submitted' AND detail->>'itemId' = ANY($1)`,
        [Object.keys(items)],
      )
    ).rows;
    expect(audit).toHaveLength(8);
    for (const a of audit) expect(a.machine).toBe(String(a.actor.startsWith('machine:')));
  });
});

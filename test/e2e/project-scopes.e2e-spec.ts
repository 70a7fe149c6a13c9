/**
 * Project scopes over every RPC of every service: the six stages as processes on the real
 * broker and database, one table row per RPC (the rows are checked against the services the
 * generated descriptors declare, so an RPC added without a row fails here), each called with
 * no token, a token of the wrong role, the right role scoped to another project, and the right
 * role scoped to the project the model, item, task or dataset belongs to.
 *
 * Models belong to project A: its admin configures drift, sampling and retraining first (the
 * first write of a token scoped to one project claims the model for it), its service token ingests the model's
 * predictions, the item flows to A's annotator, QA, a dataset version and a retrain run. A
 * refused call changes nothing: every table of the called service's schema is fingerprinted
 * before and after the three refused calls.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import * as contracts from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { createTestDatabase, eventually, freePort, SERVICES, ServiceProcess, startGroupsAt, startService, testKafka } from '@labelloop/testing';
import { Client } from 'pg';

type Role = 'service' | 'admin' | 'reviewer' | 'annotator';
type Project = 'A' | 'B';
type Req = Record<string, unknown>;

/** One RPC: who may call it, and a request on project A's model / item / task / dataset. */
interface Row {
  rpc: string;
  role: Role;
  wrong: Role;
  /** The request, given the caller's own project (for fields that name the caller's project). */
  request: (own: Project) => Req | Promise<Req>;
  /** The status of the right role in project A when it is not OK (the call passed authorization). */
  inProject?: status;
  /** A call that filters instead of refusing: the right role in B gets OK and sees nothing of A. */
  filtered?: (res: Req) => void;
}

/** The process serving each gRPC service. */
const HOST: Record<string, (typeof SERVICES)[number]> = {
  'labelloop.drift.v1.DriftService': 'drift-detection',
  'labelloop.inference.v1.IngestService': 'ingest-gateway',
  'labelloop.sampling.v1.SamplingService': 'sampling',
  'labelloop.annotation.v1.AnnotatorService': 'annotation-dispatch',
  'labelloop.annotation.v1.DispatchAdminService': 'annotation-dispatch',
  'labelloop.qa.v1.QaService': 'qa',
  'labelloop.dataset.v1.DatasetRegistryService': 'dataset-registry',
  'labelloop.retrain.v1.RetrainService': 'retrain-trigger',
};

/** Every service the generated descriptors declare. */
const declared = Object.values(contracts).filter((v): v is DescService => !!v && typeof v === 'object' && (v as { kind?: string }).kind === 'service');

describe('project scopes: every RPC × {no token, wrong role, other project, own project}', () => {
  const run = randomUUID().slice(0, 8);
  const projects: Record<Project, string> = { A: `scope-a-${run}`, B: `scope-b-${run}` };
  const A = projects.A;
  const model = `scope-model-${run}`;
  const kafka = testKafka();
  const services: Partial<Record<(typeof SERVICES)[number], ServiceProcess>> = {};
  const ports: Record<string, number> = {};
  const tok = (role: Role | 'root', p: Project | '*') => `${role}-${p === '*' ? 'all' : p}-${run}`;
  const grants = [
    { token: tok('root', '*'), subject: 'root', roles: ['service', 'admin'], projects: ['*'] },
    ...(['A', 'B'] as const).flatMap((p) =>
      (['service', 'admin', 'reviewer', 'annotator'] as const).map((role) => ({
        token: tok(role, p),
        subject: `${role}-${p}`,
        roles: [role],
        projects: [projects[p]],
      })),
    ),
  ];
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pg: Client;
  let webhook: http.Server;
  let n = 0;

  const call = async (service: DescService, method: string, req: Req, token?: string): Promise<Req> => {
    const c = createGrpcClient(service, `127.0.0.1:${ports[HOST[service.typeName]]}`, token ? { token } : {}) as unknown as Record<
      string,
      (r: Req) => Promise<Req>
    > & { close(): void };
    try {
      return await c[method](req);
    } finally {
      c.close();
    }
  };
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => status.OK,
      (e: { code?: number; details?: string }) => (e.code === undefined ? Promise.reject(e) : e.code),
    );
  const byName = (name: string) => declared.find((s) => s.typeName === name)!;
  const root = (service: string, method: string, req: Req) => call(byName(`labelloop.${service}`), method, req, tok('root', '*'));

  /** Every row of every table of a schema, hashed, so a refused call that stored anything shows. */
  const fingerprint = async (schema: string): Promise<Record<string, string>> => {
    const tables: { t: string }[] = (await pg.query('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema])).rows;
    const out: Record<string, string> = {};
    for (const { t } of tables) {
      const [r] = (await pg.query(`SELECT count(*)::int AS n, md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM "${schema}"."${t}" x`))
        .rows;
      out[t] = `${r.n}:${r.h}`;
    }
    return out;
  };
  const settled = async (schema: string) => {
    let last = await fingerprint(schema);
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 400));
      const now = await fingerprint(schema);
      if (JSON.stringify(now) === JSON.stringify(last)) return now;
      last = now;
    }
    return last;
  };

  const prediction = (i: number) => ({
    eventId: `${run}-p-${i}-${++n}`,
    modelId: model,
    modelVersion: '1',
    timestamp: timestampFromDate(new Date()),
    inputUri: `corpus://scopes/${run}/${i}`,
    contentHash: `sha256:${run}-${i}-${n}`,
    predictedLabel: 'ham',
    classProbabilities: { ham: 0.55, spam: 0.45 },
    confidence: 0.55,
    numericFeatures: { length: 10 + i },
    categoricalFeatures: { lang: 'en' },
    metadata: { project_id: A },
  });

  // Things project A's work produces, read with the root token once they exist.
  const once = <T>(f: () => Promise<T>) => {
    let p: Promise<T> | undefined;
    return () => (p ??= f());
  };
  const sampledItem = once(() =>
    eventually(
      async () => ((await root('sampling.v1.SamplingService', 'listSamplingDecisions', { modelId: model })).requests as { itemId: string }[])[0]?.itemId,
      'a sampling decision',
    ),
  );
  const task = once(() =>
    eventually(
      async () =>
        (await call(byName('labelloop.annotation.v1.AnnotatorService'), 'getNextTask', { projectId: A }, tok('annotator', 'A'))).task as
          { taskId: string } | undefined,
      'a task for A',
    ),
  );
  const version = once(() =>
    eventually(
      async () => ((await root('dataset.v1.DatasetRegistryService', 'listVersions', { datasetId: A })).versions as { versionId: string }[])[0]?.versionId,
      'a dataset version of A',
      90_000,
    ),
  );
  const runId = once(() =>
    eventually(
      async () => ((await root('retrain.v1.RetrainService', 'listRuns', { modelId: model })).runs as { runId: string }[])[0]?.runId,
      'a retrain run',
      90_000,
    ),
  );
  const qaItem = once(async () => {
    const item = await sampledItem();
    await eventually(async () => (await root('qa.v1.QaService', 'getItemDecision', { itemId: item })).state, 'QA to know the item');
    return item;
  });

  /** `req` once `seed` exists. */
  const after = async (seed: () => Promise<unknown>, req: Req) => {
    await seed();
    return req;
  };

  /** The rows, in the order project A's work makes their subjects exist. */
  const rows: Record<string, Row[]> = {
    'labelloop.drift.v1.DriftService': [
      {
        rpc: 'upsertDriftConfig',
        role: 'admin',
        wrong: 'service',
        request: () => ({ config: { modelId: model, referenceSize: 100, windowSize: 100, windowKind: contracts.WindowKind.COUNT, alpha: 0.001 } }),
      },
      { rpc: 'getDriftConfig', role: 'admin', wrong: 'annotator', request: () => ({ modelId: model }) },
      {
        rpc: 'setReference',
        role: 'service',
        wrong: 'reviewer',
        request: () => ({ modelId: model, modelVersion: '1', predictions: Array.from({ length: 20 }, (_, i) => prediction(i)) }),
      },
      { rpc: 'getDriftStatus', role: 'service', wrong: 'annotator', request: () => ({ modelId: model }) },
      { rpc: 'listWindowStatistics', role: 'service', wrong: 'annotator', request: () => ({ modelId: model }) },
      { rpc: 'resetReference', role: 'service', wrong: 'reviewer', request: () => ({ modelId: model }) },
    ],
    'labelloop.sampling.v1.SamplingService': [
      { rpc: 'upsertSamplingPolicy', role: 'admin', wrong: 'service', request: (own) => ({ policy: { modelId: model, projectId: projects[own] } }) },
      { rpc: 'getSamplingPolicy', role: 'service', wrong: 'annotator', request: () => ({ modelId: model }) },
    ],
    'labelloop.retrain.v1.RetrainService': [
      { rpc: 'upsertRetrainPolicy', role: 'admin', wrong: 'service', request: () => ({ policy: { modelId: model, minNewLabels: 1n } }) },
      { rpc: 'getRetrainPolicy', role: 'service', wrong: 'annotator', request: () => ({ modelId: model }) },
    ],
    'labelloop.inference.v1.IngestService': [{ rpc: 'ingest', role: 'service', wrong: 'admin', request: () => ({ predictions: [prediction(100)] }) }],
    'labelloop.sampling.v1.SamplingService#2': [
      { rpc: 'listSamplingDecisions', role: 'reviewer', wrong: 'annotator', request: () => after(sampledItem, { modelId: model }) },
      { rpc: 'getDecision', role: 'reviewer', wrong: 'annotator', request: async () => ({ itemId: await sampledItem() }) },
    ],
    'labelloop.sampling.v1.SamplingService#budget': [
      // After a decision, so the budget has been spent once; read-only, like the decisions.
      { rpc: 'getSamplingBudget', role: 'reviewer', wrong: 'annotator', request: () => after(sampledItem, { modelId: model }) },
    ],
    'labelloop.annotation.v1.AnnotatorService': [
      {
        rpc: 'getNextTask',
        role: 'annotator',
        wrong: 'service',
        request: () => after(task, { projectId: A }),
      },
      {
        rpc: 'submitAnnotation',
        role: 'annotator',
        wrong: 'service',
        request: async () => ({
          taskId: (await task()).taskId,
          label: { value: { case: 'classification', value: { classes: ['spam'] } } },
          timeSpentMs: 1000,
          idempotencyKey: 'k',
        }),
      },
      {
        rpc: 'releaseTask',
        role: 'annotator',
        wrong: 'service',
        // The task A's annotator just submitted: only a leased task can be handed back.
        request: async () => ({ taskId: (await task()).taskId, reason: 'scopes' }),
        inProject: status.FAILED_PRECONDITION,
      },
    ],
    'labelloop.dataset.v1.DatasetRegistryService': [
      { rpc: 'listVersions', role: 'reviewer', wrong: 'annotator', request: () => after(version, { datasetId: A }) },
      { rpc: 'getVersion', role: 'reviewer', wrong: 'annotator', request: async () => ({ datasetId: A, versionId: await version() }) },
      { rpc: 'listItems', role: 'reviewer', wrong: 'annotator', request: async () => ({ datasetId: A, versionId: await version() }) },
      {
        rpc: 'diffVersions',
        role: 'reviewer',
        wrong: 'annotator',
        request: async () => ({ datasetId: A, fromVersionId: await version(), toVersionId: await version() }),
      },
      { rpc: 'getLineage', role: 'reviewer', wrong: 'annotator', request: async () => ({ datasetId: A, versionId: await version() }) },
      { rpc: 'exportVersion', role: 'reviewer', wrong: 'annotator', request: async () => ({ datasetId: A, versionId: await version() }) },
      { rpc: 'cutVersion', role: 'service', wrong: 'reviewer', request: () => ({ datasetId: A }) },
      { rpc: 'addTag', role: 'reviewer', wrong: 'annotator', request: async () => ({ datasetId: A, versionId: await version(), tag: 'checked' }) },
      { rpc: 'removeTag', role: 'reviewer', wrong: 'annotator', request: async () => ({ datasetId: A, versionId: await version(), tag: 'checked' }) },
      { rpc: 'setAlias', role: 'service', wrong: 'reviewer', request: async () => ({ datasetId: A, alias: 'candidate', versionId: await version() }) },
      { rpc: 'listAliases', role: 'reviewer', wrong: 'annotator', request: () => ({ datasetId: A }) },
      {
        rpc: 'recordTraining',
        role: 'service',
        wrong: 'reviewer',
        request: async () => ({ modelId: model, modelVersion: '2', datasetVersionId: await version() }),
      },
      {
        rpc: 'listTrainings',
        role: 'reviewer',
        wrong: 'annotator',
        request: () => ({ modelId: model }),
        filtered: (res) => expect(res.trainings).toEqual([]),
      },
    ],
    'labelloop.annotation.v1.DispatchAdminService': [
      { rpc: 'listPausedAnnotators', role: 'admin', wrong: 'reviewer', request: () => ({ projectId: A }) },
      { rpc: 'resumeAnnotator', role: 'admin', wrong: 'reviewer', request: () => ({ projectId: A, annotatorId: 'paused-one', reason: 'retrained' }) },
      { rpc: 'getQueueStats', role: 'reviewer', wrong: 'annotator', request: () => ({ projectId: A }) },
      {
        rpc: 'putLabelSchema',
        role: 'admin',
        wrong: 'reviewer',
        // The classes the deployment default has, so the project's other rows answer as before.
        request: () => ({ projectId: A, schema: { taskType: contracts.TaskType.CLASSIFICATION, classes: ['ham', 'spam'] } }),
      },
      { rpc: 'getLabelSchema', role: 'reviewer', wrong: 'annotator', request: () => ({ projectId: A }) },
    ],
    'labelloop.qa.v1.QaService': [
      { rpc: 'getItemDecision', role: 'reviewer', wrong: 'annotator', request: async () => ({ itemId: await qaItem() }) },
      { rpc: 'listAnnotatorScorecards', role: 'reviewer', wrong: 'annotator', request: () => ({ projectId: A }) },
      { rpc: 'getQaPolicy', role: 'reviewer', wrong: 'annotator', request: () => ({ projectId: A }) },
      { rpc: 'getQualityHistory', role: 'reviewer', wrong: 'annotator', request: () => ({ projectId: A }) },
      { rpc: 'getAnswerCost', role: 'reviewer', wrong: 'annotator', request: () => ({ projectId: A }) },
      {
        rpc: 'upsertQaPolicy',
        role: 'admin',
        wrong: 'service',
        request: async () => ({ policy: (await root('qa.v1.QaService', 'getQaPolicy', { projectId: A })).policy }),
      },
    ],
    'labelloop.drift.v1.DriftService#2': [
      {
        rpc: 'setReferenceFromDataset',
        role: 'service',
        wrong: 'reviewer',
        // The caller's own dataset: what is refused is the model. Project A's version has one item, too few for a reference.
        request: async (own) => ({ modelId: model, modelVersion: '1', datasetId: projects[own], datasetVersionId: await version() }),
        inProject: status.FAILED_PRECONDITION,
      },
    ],
    'labelloop.retrain.v1.RetrainService#2': [
      { rpc: 'listRuns', role: 'service', wrong: 'annotator', request: () => after(runId, { modelId: model }) },
      { rpc: 'reportRunStatus', role: 'service', wrong: 'admin', request: async () => ({ runId: await runId(), state: 'succeeded' }) },
      { rpc: 'listPromotionDecisions', role: 'service', wrong: 'annotator', request: () => ({ modelId: model }) },
    ],
  };
  const table = Object.entries(rows).flatMap(([key, rs]) => rs.map((r) => ({ ...r, service: key.split('#')[0] })));

  beforeAll(async () => {
    webhook = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"id":"job"}'));
    });
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
    db = await createTestDatabase('scopes');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const groups = SERVICES.map((s) => ({ groupId: `scopes-${run}-${s}`, topics: contracts.allTopics().map((t) => t.topic) }));
    await startGroupsAt(kafka, groups);
    const registryPort = await freePort();
    const env = {
      DATABASE_URL: db.url,
      AUTH_TOKENS: JSON.stringify(grants),
      SAMPLING_AUDIT_RATE: '0',
      REGISTRY_CUT_EVERY: '1',
      REGISTRY_EXPORT_DIR: `/tmp/labelloop-e2e-scopes-${run}`,
      REGISTRY_GRPC_ADDRESS: `127.0.0.1:${registryPort}`,
      REGISTRY_GRPC_TOKEN: tok('root', '*'),
      RETRAIN_WEBHOOK_URL: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/train`,
      RETRAIN_WEBHOOK_SECRET: 'scopes-secret',
      RETRAIN_POLL_MS: '100',
    };
    for (const name of SERVICES) {
      services[name] = startService(name, {
        ...env,
        KAFKA_GROUP_ID: `scopes-${run}-${name}`,
        ...(name === 'dataset-registry' ? { GRPC_PORT: String(registryPort) } : {}),
      });
    }
    for (const name of SERVICES) ports[name] = (await services[name]!.ready).grpcPort;
    await pg.query(`INSERT INTO annotation_dispatch.annotator_pause (project_id, annotator_id, reason) VALUES ($1, 'paused-one', 'gold accuracy 0.4')`, [A]);
  });

  afterAll(async () => {
    await Promise.all(Object.values(services).map((s) => s!.kill('SIGTERM')));
    await pg?.end();
    await new Promise((r) => webhook?.close(r));
    await db?.drop();
  });

  it('has a row for every RPC the descriptors declare, and none for an RPC that does not exist', () => {
    const want = declared.flatMap((s) => s.methods.map((m) => `${s.typeName}/${m.localName}`)).sort();
    expect(declared.map((s) => s.typeName).sort()).toEqual(Object.keys(HOST).sort());
    expect(table.map((r) => `${r.service}/${r.rpc}`).sort()).toEqual(want);
  });

  it('refuses every call outside the caller’s role or project and stores nothing; the project’s own call passes', async () => {
    // Project A's admin sets the model up first: each stage's first write claims the model for A.
    for (const row of table.filter((r) => /^upsert(Drift|Sampling|Retrain)/.test(r.rpc))) {
      await call(byName(row.service), row.rpc, await row.request('A'), tok('admin', 'A'));
    }
    // ...and the ingest gateway (a stage of its own, with its own model_owner) by A's first ingest.
    await call(byName('labelloop.inference.v1.IngestService'), 'ingest', { predictions: [prediction(99)] }, tok('service', 'A'));
    const seen: Req[] = [];
    const want: Req[] = [];
    for (const row of table) {
      const service = byName(row.service);
      const schema = HOST[row.service].replace(/-/g, '_');
      const name = `${service.name}.${row.rpc}`;
      const inB = await row.request('B');
      const inA = await row.request('A');
      const before = await settled(schema);
      const noToken = await codeOf(call(service, row.rpc, inA));
      const wrongRole = await codeOf(call(service, row.rpc, inA, tok(row.wrong, 'A')));
      const otherProject = row.filtered
        ? await call(service, row.rpc, inB, tok(row.role, 'B')).then((res) => (row.filtered!(res), 'filtered'))
        : await codeOf(call(service, row.rpc, inB, tok(row.role, 'B')));
      const after = await fingerprint(schema);
      const storedOnRefusal = Object.keys(after).filter((t) => after[t] !== before[t]);
      const ownProject = await codeOf(call(service, row.rpc, inA, tok(row.role, 'A')));
      seen.push({ name, noToken, wrongRole, otherProject, ownProject, storedOnRefusal });
      want.push({
        name,
        noToken: status.UNAUTHENTICATED,
        wrongRole: status.PERMISSION_DENIED,
        otherProject: row.filtered ? 'filtered' : status.PERMISSION_DENIED,
        ownProject: row.inProject ?? status.OK,
        storedOnRefusal: [],
      });
    }
    expect(seen).toEqual(want);
  });
});

/**
 * The main job: one closed-loop run on real data.
 *
 * Real Kafka and PostgreSQL (started locally unless KAFKA_BROKERS / DATABASE_URL point
 * elsewhere), the seven services as separate processes with a fresh database and fresh consumer
 * groups, and three example processes playing the users of LabelLoop:
 *
 *  - examples/spam-inference: a spam filter trained on the early SpamAssassin groups, serving
 *    production traffic that drifts to the later groups, reporting predictions through the SDK
 *    and hot-swapping promoted models;
 *  - the annotator workforce (workforce.ts), working through the annotator gRPC API;
 *  - examples/retrain-worker: the training job behind the retrain webhook.
 *
 * It prints a status line per second, stops once the stream is served and the loop has
 * settled (or at the timeout), and writes `reports/main-job/<run>/` (summary.md, SVG charts,
 * figures.json). {@link runMainJob} returns the figures.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Pool } from 'pg';
import { allTopics, type WindowStatistics } from '@labelloop/contracts';
import { sleep } from '@labelloop/messaging';
import { createTestDatabase, ensureLocalInfra, ensureTopics, freePort, startGroupsAt, startService, testKafka, topicEnds } from '@labelloop/testing';
import { Evaluator } from './evaluation';
import { readExport, type ExportRecord } from './exports';
import { computeFigures, type MainJobFigures } from './figures';
import { resetTopics, startExample, type ExampleProcess } from './infra';
import { defaultOptions, type MainJobOptions } from './options';
import { writeRunReport } from './report/run-report';
import { startCorpusServer } from './corpus-server';
import { machineAnnotatorsConfig, machineIdentities, startModelEndpoint } from './machines';
import { buildScenario, recordOfUri, writeScenario } from './scenario';
import { startConsole } from './console';
import { configurePolicies, groupOf, REGISTRY_SPLIT, startStack, type Stack, type Tokens } from './stack';
import { StatusPrinter } from './status';
import { Tap } from './tap';
import { defaultProfiles, Workforce } from './workforce';

export type { MainJobFigures } from './figures';
export type { MainJobOptions } from './options';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** Runs the main job once and returns its figures (also written to the report folder). */
export async function runMainJob(partial: Partial<MainJobOptions> = {}): Promise<MainJobFigures> {
  const o: MainJobOptions = { ...defaultOptions(), ...partial };
  const startedAt = Date.now();
  const tag = `${o.strategy.replace(/_/g, '')}-${randomUUID().slice(0, 6)}`;
  const runName = o.runName ?? `${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-${o.strategy}-seed${o.seed}`;
  const dir = path.join(o.reportRoot, runName);
  const storeDir = path.join(dir, 'models');
  mkdirSync(storeDir, { recursive: true });
  const modelId = `spam-filter-${tag}`;
  const projectId = `mainjob-${tag}`;
  const out = new StatusPrinter(o.log, o.live);
  const cleanup: (() => Promise<unknown>)[] = [];

  out.milestone(
    `run ${runName}: strategy ${o.strategy}, seed ${o.seed}, ${o.events} events at ${o.eventsPerSecond}/s; report in ${path.relative(process.cwd(), dir) || dir}`,
  );
  out.milestone('starting Kafka and PostgreSQL (deploy/local/up.sh; KAFKA_BROKERS / DATABASE_URL win when set)…');
  const { brokers } = ensureLocalInfra();
  const kafka = testKafka(`main-job-${tag}`);
  if (o.resetTopics) await resetTopics(kafka, brokers.split(','));
  else await ensureTopics(brokers.split(','));

  const scenario = buildScenario(o.seed, o.events);
  const scenarioFile = path.join(dir, 'scenario.json');
  writeScenario(scenarioFile, scenario);
  const truth = (uri: string) => recordOfUri(uri)?.label;
  const db = await createTestDatabase('mainjob');
  if (o.dropDatabase) cleanup.push(() => db.drop());
  // Read-only operator queries on the dispatch tables (open tasks, task creation times).
  const pg = new Pool({ connectionString: db.url, max: 2 });
  pg.on('error', () => undefined); // a restarted server: the next query reconnects
  cleanup.push(() => pg.end());

  const token = () => randomBytes(12).toString('hex');
  const profiles = defaultProfiles(() => token());
  const tokens: Tokens = {
    admin: token(),
    viewer: token(),
    worker: token(),
    drift: token(),
    annotators: profiles.map((p) => ({ name: p.name, token: p.token })),
    machines: o.machines ? machineIdentities().map((m) => ({ identity: m.identity, token: token() })) : [],
  };
  const services = ['drift-detection', 'sampling', 'annotation-dispatch', 'qa', 'dataset-registry', 'retrain-trigger'];
  const tapGroup = `mainjob-${tag}-tap`;
  const promotionGroup = `mainjob-${tag}-inference`;
  // New groups start at the topics' current end: this run never replays an earlier run's events.
  const topics = allTopics()
    .map((t) => t.topic)
    .filter((t) => !t.endsWith('.dlq'));
  const ends = await topicEnds(kafka, topics);
  await startGroupsAt(
    kafka,
    [...services.map((s) => groupOf(tag, s)), tapGroup, promotionGroup].map((groupId) => ({ groupId, topics })),
    ends,
  );

  const tap = new Tap(modelId, projectId);
  await tap.start(kafka, tapGroup);
  cleanup.push(() => tap.stop());

  let stack: Stack | undefined;
  let workforce: Workforce | undefined;
  let inference: ExampleProcess | undefined;
  let worker: ExampleProcess | undefined;
  let completed = false;
  let problem: string | undefined;
  let scorecards: { annotatorId: string; estimatedAccuracy: number; paused: boolean; answers: number }[] = [];
  let referenceSource = '';
  let driftingAtEnd = false;
  let windows: WindowStatistics[] = [];
  const taskCreated = new Map<string, number>();
  const evaluator = new Evaluator(scenario, storeDir);
  try {
    out.milestone('starting the seven services…');
    const workerPort = await freePort();
    const secret = randomBytes(16).toString('hex');
    const corpusServer = await startCorpusServer();
    cleanup.unshift(() => corpusServer.close());
    stack = await startStack(o, {
      tag,
      databaseUrl: db.url,
      projectId,
      exportDir: path.join(dir, 'exports'),
      webhookUrl: `http://127.0.0.1:${workerPort}/hooks/retrain`,
      webhookSecret: secret,
      driftAt: scenario.driftAt,
      tokens,
      contentResolvers: corpusServer.resolvers,
    });
    const st = stack;
    cleanup.unshift(() => st.stop());
    await configurePolicies(stack.apis, o, modelId, projectId);
    const web = await startConsole(stack, modelId, projectId);
    cleanup.unshift(() => web.proc.kill().then(() => undefined));
    out.milestone(`console: ${web.url} (sign in with the run's admin token ${tokens.admin})`);

    worker = startExample('retrain-worker', {
      PORT: String(workerPort),
      RETRAIN_WEBHOOK_SECRET: secret,
      KAFKA_BROKERS: brokers,
      SCENARIO_FILE: scenarioFile,
      MODEL_STORE_DIR: storeDir,
      RETRAIN_GRPC_ADDRESS: stack.grpc('retrain-trigger'),
      SERVICE_TOKEN: tokens.worker,
      MODEL_ID: modelId,
    });
    const w = worker;
    cleanup.unshift(() => w.kill());
    await worker.ready;

    if (o.machines) {
      const endpoint = await startModelEndpoint(storeDir);
      cleanup.unshift(() => endpoint.close());
      const ids = machineIdentities();
      const machine = startService('machine-annotator', {
        DISPATCH_GRPC_ADDRESS: stack.grpc('annotation-dispatch'),
        MACHINE_ANNOTATORS: machineAnnotatorsConfig(projectId, endpoint.url),
        MACHINE_IDLE_MS: '50',
        LOG_LEVEL: 'warn',
        ...Object.fromEntries(ids.map((m, i) => [m.tokenEnv, tokens.machines[i].token])),
      });
      stack.services.push(machine);
      await machine.ready;
      out.milestone(`machine annotators answer first: ${ids.map((m) => m.identity).join(', ')}`);
    }

    workforce = new Workforce(stack.grpc('annotation-dispatch'), projectId, profiles, truth, o.seed, o.humanSpeedup);
    workforce.start();
    const wf = workforce;
    cleanup.unshift(() => wf.stop());

    out.milestone('training the first model and starting production traffic…');
    inference = startExample('spam-inference', {
      KAFKA_BROKERS: brokers,
      MODEL_ID: modelId,
      PROJECT_ID: projectId,
      SCENARIO_FILE: scenarioFile,
      MODEL_STORE_DIR: storeDir,
      PROMOTION_GROUP_ID: promotionGroup,
      EVENTS_PER_SECOND: String(o.eventsPerSecond),
      BURST: String(o.burst),
      FEEDBACK_RATE: String(o.feedbackRate),
    });
    const inf = inference;
    cleanup.unshift(() => inf.kill());
    let streamDone = false;
    let serving = 'v1';
    inference.onLine((l) => {
      if (l.msg === 'stream finished') streamDone = true;
      if (l.msg === 'model swapped') {
        serving = String(l.version);
        out.milestone(`inference service now serves ${serving} (was ${String(l.previous)})`);
      }
    });
    await inference.ready;
    out.milestone(`v1 trained on ${scenario.earlyTrain.length} early messages; streaming ${scenario.stream.length} events, drift after ${scenario.driftAt}`);

    // The loop: status once a second, milestones as they happen, stop when settled.
    const deadline = startedAt + o.timeoutSeconds * 1000;
    const seen = { alerts: 0, resolved: 0, paused: 0, versions: 0, promoted: 0, rejected: 0 };
    let settledKey = '';
    let settledSince = Date.now();
    while (Date.now() < deadline) {
      const dead = [inference, worker].find((p) => !p.alive());
      const deadService = stack.services.find((s) => s.proc.exitCode !== null || s.proc.signalCode !== null);
      if (dead || deadService) {
        const name = dead?.name ?? deadService?.name;
        const how = deadService ? ` (${deadService.proc.signalCode ?? `exit code ${deadService.proc.exitCode}`})` : '';
        problem = `${name} stopped during the run${how}:\n${(dead?.logs ?? deadService?.logs ?? []).slice(-5).join('\n')}`;
        break;
      }
      for (; seen.alerts < tap.alerts.length; seen.alerts++) {
        const a = tap.alerts[seen.alerts];
        out.milestone(
          `drift alert (severity ${a.severity}) on ${a.version}: ${a.features
            .filter((f) => f.drifted)
            .map((f) => `${f.feature} ${f.method}`)
            .join(', ')}`,
        );
      }
      for (; seen.resolved < tap.resolved.length; seen.resolved++) out.milestone('drift episode resolved');
      for (; seen.paused < tap.paused.length; seen.paused++)
        out.milestone(`QA paused annotator ${tap.paused[seen.paused].annotator}: ${tap.paused[seen.paused].reason}`);
      for (; seen.versions < tap.versions.length; seen.versions++)
        out.milestone(`dataset version ${tap.versions[seen.versions].number} approved: ${tap.versions[seen.versions].items} labelled items`);
      for (; seen.promoted < tap.promoted.length; seen.promoted++) {
        const p = tap.promoted[seen.promoted];
        const e = tap.evaluated.find((x) => x.candidate === p.version);
        out.milestone(
          `${p.version} PROMOTED over ${p.previous || 'v1'} (test split ${pct(e?.metrics.accuracy ?? NaN)} vs ${pct(e?.championMetrics.accuracy ?? NaN)}); held-out later groups ${pct(evaluator.version(p.version).later)}`,
        );
      }
      for (; seen.rejected < tap.rejected.length; seen.rejected++)
        out.milestone(`${tap.rejected[seen.rejected].candidate} not promoted: ${tap.rejected[seen.rejected].reasons[0]}`);

      const [drift, openTasks, runs] = await Promise.all([
        stack.apis.drift.getDriftStatus({ modelId }).catch(() => undefined),
        pg
          .query(`SELECT count(*)::int AS n FROM annotation_dispatch.annotation_task WHERE project_id = $1 AND state IN ('pending', 'leased')`, [projectId])
          .then((r) => r.rows[0].n as number)
          .catch(() => -1),
        stack.apis.retrain
          .listRuns({ modelId })
          .then((r) => r.runs)
          .catch(() => []),
      ]);
      const recent = tap.served.slice(-200);
      const { answers } = workforce.totals();
      out.status({
        label: o.strategy,
        elapsedS: (Date.now() - startedAt) / 1000,
        served: tap.served.length,
        total: scenario.stream.length,
        version: serving,
        drifting: drift?.drifting ?? false,
        alerts: tap.alerts.length,
        requests: tap.requests.length,
        openTasks,
        answers,
        accepted: tap.accepted.size,
        versions: tap.versions.length,
        retrains: tap.retrains.length,
        promoted: tap.promoted.length,
        rejected: tap.rejected.length,
        streamAccuracy: recent.length ? recent.filter((s) => s.predicted === truth(s.uri)).length / recent.length : null,
        heldOut: evaluator.version(serving).later,
      });

      const runsOpen = runs.some((r) => r.state === 'requested' || r.state === 'running') || tap.evaluated.length > tap.promoted.length + tap.rejected.length;
      const key = `${answers}|${tap.accepted.size}|${tap.versions.length}|${tap.retrains.length}|${tap.evaluated.length}|${runs.map((r) => r.state).join()}`;
      if (key !== settledKey) {
        settledKey = key;
        settledSince = Date.now();
      }
      if (streamDone && tap.served.length >= scenario.stream.length && workforce.allIdle() && !runsOpen && Date.now() - settledSince > 4000) {
        completed = true;
        break;
      }
      await sleep(1000);
    }
    out.end();
    if (!completed) problem ??= `the loop did not settle within ${o.timeoutSeconds} s`;
    out.milestone(completed ? 'stream served and the loop settled; collecting figures…' : `${problem}; collecting figures…`);

    await workforce.stop();
    scorecards = (await stack.apis.qa.listAnnotatorScorecards({ projectId })).scorecards;
    const driftStatus = await stack.apis.drift.getDriftStatus({ modelId });
    referenceSource = driftStatus.referenceSource;
    driftingAtEnd = driftStatus.drifting;
    // The drift chart's statistics, as the service stored them (newest first; 1000 is the API's cap).
    windows = (await stack.apis.drift.listWindowStatistics({ modelId, limit: 1000 })).windows.reverse();
    const rows = await pg.query(`SELECT item_id, min(created_at) AS at FROM annotation_dispatch.annotation_task WHERE project_id = $1 GROUP BY item_id`, [
      projectId,
    ]);
    for (const r of rows.rows as { item_id: string; at: Date }[]) taskCreated.set(r.item_id, new Date(r.at).getTime());
    // After the figures are read: what the hook does (an admin resuming an annotator) is not the run's.
    const settled = stack;
    if (completed && o.whileSettled)
      await o.whileSettled({
        strategy: o.strategy,
        modelId,
        projectId,
        consoleUrl: web.url,
        adminToken: tokens.admin,
        viewerToken: tokens.viewer,
        grpc: (service) => settled.grpc(service),
        reportDir: dir,
      });
  } catch (e) {
    problem = (e as Error).message;
    out.end();
    out.milestone(`run failed: ${problem}`);
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
    // Every process's output, for diagnosis (the services log warnings and errors only).
    mkdirSync(path.join(dir, 'logs'), { recursive: true });
    for (const p of [...(stack?.services ?? []), ...[inference, worker].filter((x): x is ExampleProcess => !!x)])
      writeFileSync(path.join(dir, 'logs', `${p.name}.log`), `${p.logs.join('\n')}\n`);
  }

  if (tap.served.length === 0) throw new Error(`main job failed before any prediction was served: ${problem ?? 'no events'}`);
  const exports = new Map<string, ExportRecord[]>(tap.versions.map((v) => [v.versionId, readExport(v.exportUri)]));
  const figures = computeFigures({
    run: runName,
    strategy: o.strategy,
    seed: o.seed,
    recoveryGap: o.recoveryGap,
    startedAt,
    finishedAt: Date.now(),
    completed,
    problem,
    reportDir: dir,
    streamLength: scenario.stream.length,
    driftAt: scenario.driftAt,
    tap,
    evaluator,
    ceiling: evaluator.ceiling(REGISTRY_SPLIT.train / 100),
    profiles,
    stats: workforce?.stats ?? new Map(),
    scorecards,
    taskCreated,
    exports,
    referenceSource,
    driftingAtEnd,
    windows,
  });
  writeRunReport(dir, figures, { tap, scenario, evaluator, windows });
  return figures;
}

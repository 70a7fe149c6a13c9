/**
 * An example training job behind LabelLoop's retrain webhook, as a team would run it next to
 * (not inside) LabelLoop. For each signed launch it:
 *
 *  1. reports the run `running` (RetrainService.ReportRunStatus, service token);
 *  2. reads the approved dataset version's export (`data.jsonl`) and looks the texts up by
 *     input URI;
 *  3. trains a candidate on the early SpamAssassin groups plus the version's `train` split and
 *     saves it to the model store;
 *  4. evaluates the candidate and the current champion on the version's `test` split — the
 *     registry's held-out split, which the promotion rules judge — and, for the report, on a
 *     fixed held-out set of the later groups (slice `heldout_later`);
 *  5. publishes ModelEvaluated, reports the run `succeeded`, and waits for LabelLoop's
 *     promotion decision before taking the next run (so every candidate is compared with the
 *     champion actually serving).
 *
 * Runs are processed one at a time, in arrival order; a repeated launch (same run id) is
 * accepted once. Logs one JSON line per run and decision.
 *
 * Environment: RETRAIN_WEBHOOK_SECRET, KAFKA_BROKERS, SCENARIO_FILE, MODEL_STORE_DIR,
 * RETRAIN_GRPC_ADDRESS, SERVICE_TOKEN (required); PORT (0), MODEL_ID (accept only this
 * model), INITIAL_VERSION (v1), TRAIN_EPOCHS (5), NEW_LABEL_WEIGHT (3).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { loadModel, nextVersion, saveModel, TextClassifier, type SparseVector } from '@labelloop/text-model';
import { Corpus, readExport, readScenario } from './dataset';
import { publishEvaluation, RetrainApi } from './labelloop';
import { accuracy, evaluate, Example, trainCandidate } from './train';
import { LaunchRequest, parseLaunch, verifySignature } from './webhook';

const log = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);

function env(name: string, def?: string): string {
  const v = process.env[name] ?? def;
  if (v === undefined || v === '') throw new Error(`${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const secret = env('RETRAIN_WEBHOOK_SECRET');
  const store = env('MODEL_STORE_DIR');
  const onlyModel = process.env.MODEL_ID;
  const initialVersion = env('INITIAL_VERSION', 'v1');
  const scenario = readScenario(env('SCENARIO_FILE'));
  const recipe = { seed: scenario.seed, epochs: Number(env('TRAIN_EPOCHS', '5')), newLabelWeight: Number(env('NEW_LABEL_WEIGHT', '3')) };
  const corpus = new Corpus();
  const features = new Map<string, SparseVector>();
  const example = (idOrUri: string, label?: string): Example | undefined => {
    const r = corpus.get(idOrUri);
    if (!r) return undefined;
    let x = features.get(r.id);
    if (!x) features.set(r.id, (x = TextClassifier.featurize(r.text)));
    return { x, label: label ?? r.label };
  };
  const known = (e: Example | undefined): e is Example => e !== undefined;
  const initial = scenario.earlyTrain.map((id) => example(id)).filter(known);
  const holdout = scenario.laterHoldout.map((id) => example(id)).filter(known);

  const kafka = new Kafka({ clientId: 'spam-retrain-worker', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const api = new RetrainApi(env('RETRAIN_GRPC_ADDRESS'), env('SERVICE_TOKEN'));

  /** Steps 1–5 for one launch. */
  async function train(req: LaunchRequest): Promise<void> {
    const started = Date.now();
    await api.report(req.runId, 'running');
    const records = readExport(req.exportUri);
    const split = (s: string) =>
      records
        .filter((r) => r.split === s && (r.label === 'ham' || r.label === 'spam'))
        .map((r) => example(r.inputUri, r.label))
        .filter(known);
    const labelled = split('train');
    const test = split('test');
    if (test.length === 0) {
      await api.report(req.runId, 'failed', 'the dataset version has no test items to evaluate on');
      log({ msg: 'run failed', runId: req.runId, reason: 'no test items' });
      return;
    }
    const candidate = trainCandidate(initial, labelled, recipe);
    const candidateVersion = nextVersion(store);
    saveModel(store, candidateVersion, candidate);
    const championVersion = await api.champion(req.modelId, initialVersion);
    const champion = loadModel(store, championVersion);
    const c = evaluate(candidate, test);
    const h = evaluate(champion, test);
    c.slices.heldout_later = { accuracy: accuracy(candidate, holdout), items: holdout.length };
    h.slices.heldout_later = { accuracy: accuracy(champion, holdout), items: holdout.length };
    await publishEvaluation(producer, {
      runId: req.runId,
      modelId: req.modelId,
      datasetVersionId: req.datasetVersionId,
      candidateVersion,
      candidate: c,
      championVersion,
      champion: h,
    });
    await api.report(req.runId, 'succeeded');
    log({
      msg: 'evaluated',
      runId: req.runId,
      datasetVersionId: req.datasetVersionId,
      candidateVersion,
      championVersion,
      items: records.length,
      trainItems: labelled.length,
      testItems: test.length,
      candidate: c,
      champion: h,
      trainingSeconds: (Date.now() - started) / 1000,
    });
    const decision = await api.decision(req.modelId, candidateVersion);
    log({ msg: 'decision', runId: req.runId, candidateVersion, ...decision });
  }

  // A queue: one run at a time, in arrival order.
  const seen = new Set<string>();
  let queue = Promise.resolve();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200).end('ok');
      if (req.method !== 'POST') return void res.writeHead(405).end();
      const problem = verifySignature(secret, header(req, 'x-labelloop-timestamp'), body, header(req, 'x-labelloop-signature'));
      if (problem) return void res.writeHead(401).end(JSON.stringify({ error: problem }));
      const launch = parseLaunch(body);
      if (typeof launch === 'string') return void res.writeHead(400).end(JSON.stringify({ error: launch }));
      if (onlyModel && launch.modelId !== onlyModel) return void res.writeHead(404).end(JSON.stringify({ error: `this job does not train ${launch.modelId}` }));
      if (!seen.has(launch.runId)) {
        seen.add(launch.runId);
        log({ msg: 'launch accepted', runId: launch.runId, datasetVersionId: launch.datasetVersionId });
        queue = queue.then(() =>
          train(launch).catch(async (e) => {
            log({ msg: 'run failed', runId: launch.runId, error: (e as Error).message });
            await api.report(launch.runId, 'failed', (e as Error).message).catch(() => undefined);
          }),
        );
      }
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `job-${launch.runId}` }));
    });
  });
  await new Promise<void>((r) => server.listen(Number(env('PORT', '0')), process.env.BIND_HOST ?? '127.0.0.1', r));
  process.on('SIGTERM', () => {
    server.close();
    void queue.finally(async () => {
      api.close();
      await producer.disconnect().catch(() => undefined);
      process.exit(0);
    });
  });
  log({ msg: 'ready', port: (server.address() as AddressInfo).port });
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

main().catch((e) => {
  log({ msg: 'retrain worker failed', error: (e as Error).stack });
  process.exit(1);
});

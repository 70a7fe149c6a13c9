/**
 * An example production inference service: a spam filter that reports every prediction to
 * LabelLoop and picks up models LabelLoop promotes, without a restart.
 *
 *  1. trains its first model (`v1`) on the early SpamAssassin groups and saves it to the model
 *     store;
 *  2. serves the production traffic of the scenario file — early held-out messages, then the
 *     later groups (the drift) — in bursts at a steady rate, recording each prediction with
 *     `PredictionRecorder` from `@labelloop/sdk`;
 *  3. on `labelloop.model.promoted.v1` for its model, loads the promoted version from the model
 *     store and serves it from the next message on.
 *
 * It logs one JSON line per event of interest (ready, served, model swapped, stream finished)
 * and keeps listening for promotions after the stream until SIGTERM.
 *
 * Environment: KAFKA_BROKERS, MODEL_ID, PROJECT_ID, SCENARIO_FILE, MODEL_STORE_DIR (required);
 * PROMOTION_GROUP_ID, EVENTS_PER_SECOND (20), BURST (50), TRAIN_EPOCHS (5), FEEDBACK_RATE (0: the
 * share of messages whose reader reports them as spam or not, sent as delayed ground truth).
 */
import { Kafka, logLevel } from 'kafkajs';
import { PredictionRecorder } from '@labelloop/sdk';
import { loadModel, saveModel, TextClassifier } from '@labelloop/text-model';
import { hasFeedback, predictionEvent, ServingContext } from './predict';
import { listenForPromotions } from './promotions';
import { corpusById, inputUriOf, readScenario } from './scenario';

const log = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields })}\n`);

function env(name: string, def?: string): string {
  const v = process.env[name] ?? def;
  if (v === undefined || v === '') throw new Error(`${name} is required`);
  return v;
}

async function main(): Promise<void> {
  const modelId = env('MODEL_ID');
  const storeDir = env('MODEL_STORE_DIR');
  const rate = Number(env('EVENTS_PER_SECOND', '20'));
  const burst = Number(env('BURST', '50'));
  const scenario = readScenario(env('SCENARIO_FILE'));
  const corpus = corpusById();
  const text = (id: string) => corpus.get(id)?.text ?? '';
  const feedbackRate = Number(env('FEEDBACK_RATE', '0'));
  if (!(feedbackRate >= 0 && feedbackRate <= 1)) throw new Error(`FEEDBACK_RATE must be in [0, 1], got ${feedbackRate}`);
  const truth = (id: string) => (hasFeedback(id, scenario.seed, feedbackRate) ? corpus.get(id)?.label : undefined);

  // 1. The first model, trained on the early groups only.
  let model = TextClassifier.train(
    scenario.earlyTrain.flatMap((id) => {
      const r = corpus.get(id);
      return r ? [{ text: r.text, label: r.label }] : [];
    }),
    { classes: ['ham', 'spam'], epochs: Number(env('TRAIN_EPOCHS', '5')), seed: scenario.seed },
  );
  const ctx: ServingContext = { modelId, modelVersion: 'v1', projectId: env('PROJECT_ID'), source: 'spam-inference' };
  saveModel(storeDir, ctx.modelVersion, model);

  // 3. Hot swap on promotion.
  const kafka = new Kafka({ clientId: 'spam-inference', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
  const stopListening = await listenForPromotions(kafka, env('PROMOTION_GROUP_ID', `spam-inference-${modelId}`), modelId, (p) => {
    const previous = ctx.modelVersion;
    model = loadModel(storeDir, p.version);
    ctx.modelVersion = p.version;
    log({ msg: 'model swapped', version: p.version, previous, promotedAt: p.promotedAt.toISOString() });
  });

  const recorder = new PredictionRecorder({
    kafka,
    source: 'inference/spam-filter',
    lingerMs: 20,
    onError: (e) => log({ msg: 'recorder problem', kind: e.kind, error: e.message }),
  });
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
    void Promise.all([recorder.close({ timeoutMs: 5_000 }), stopListening()]).finally(() => process.exit(0));
  });
  log({ msg: 'ready', modelId, version: ctx.modelVersion, events: scenario.stream.length, driftAt: scenario.driftAt });

  // 2. Production traffic: one burst every burst/rate seconds; a burst goes out as one batch.
  const t0 = Date.now();
  for (let i = 0, k = 0; i < scenario.stream.length && !stopping; i += burst, k++) {
    await sleepUntil(t0 + (k * burst * 1000) / rate);
    for (const id of scenario.stream.slice(i, i + burst)) recorder.record(predictionEvent(model, text(id), inputUriOf(id), ctx, truth(id)));
    await recorder.flush();
    log({ msg: 'served', served: Math.min(i + burst, scenario.stream.length), version: ctx.modelVersion });
  }
  log({ msg: 'stream finished', stats: recorder.stats() });
}

function sleepUntil(t: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
}

main().catch((e) => {
  log({ msg: 'inference service failed', error: (e as Error).stack });
  process.exit(1);
});

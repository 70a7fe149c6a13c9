import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { PredictionEventSchema } from '@labelloop/contracts';
import { eventRecord } from '@labelloop/testing';

/** A tiny seeded PRNG (mulberry32) so every demo run sends the same stream. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One synthetic prediction with the truth the simulated annotators will see. */
export interface DemoPrediction {
  record: ReturnType<typeof eventRecord>;
  itemId: string;
  truth: 'ham' | 'spam';
}

/**
 * A synthetic spam filter in production: before `driftAt` it is confident and mostly right;
 * after it, a new kind of mail arrives that it scores with low confidence and often gets wrong.
 */
export function* predictionStream(opts: { run: string; modelId: string; project: string; total: number; driftAt: number; seed: number }): Generator<DemoPrediction> {
  const rnd = prng(opts.seed);
  for (let i = 0; i < opts.total; i++) {
    const drifted = i >= opts.driftAt;
    const truth: 'ham' | 'spam' = rnd() < (drifted ? 0.6 : 0.3) ? 'spam' : 'ham';
    const correct = rnd() < (drifted ? 0.6 : 0.95);
    const predicted = correct ? truth : truth === 'spam' ? 'ham' : 'spam';
    const confidence = drifted ? 0.5 + 0.3 * rnd() : 0.75 + 0.25 * rnd();
    const id = `${opts.run}-${i}`;
    yield {
      itemId: id,
      truth,
      record: eventRecord(
        PredictionEventSchema,
        {
          eventId: id,
          modelId: opts.modelId,
          modelVersion: '1',
          timestamp: timestampFromDate(new Date()),
          inputUri: `demo://mail/${opts.run}/${i}`,
          contentHash: `sha256:${opts.run}:${i}`,
          predictedLabel: predicted,
          classProbabilities: { [predicted]: confidence, [predicted === 'spam' ? 'ham' : 'spam']: 1 - confidence },
          confidence,
          metadata: { project_id: opts.project, source: 'loop-demo' },
        },
        { id, key: opts.modelId, source: 'demo/inference' },
      ),
    };
  }
}

/**
 * One prediction as the LabelLoop SDK records it: what the model said, how sure it was, and
 * enough about the input (URI, content hash, embedding) for drift detection and sampling.
 */
import { createHash, randomUUID } from 'node:crypto';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import { GroundTruth_Source } from '@labelloop/contracts';
import type { PredictionEventInit } from '@labelloop/sdk';
import { embed, type TextClassifier } from '@labelloop/text-model';

/** Who is predicting: model id/version and the metadata every event carries. */
export interface ServingContext {
  modelId: string;
  modelVersion: string;
  projectId: string;
  source: string;
}

/**
 * Whether a message's reader reports it as spam or not spam (the mail client's buttons): a share
 * `rate` of the messages, the same ones in every run of a seed, whatever the serving order.
 */
export function hasFeedback(recordId: string, seed: number, rate: number): boolean {
  if (rate <= 0) return false;
  return createHash('sha256').update(`${seed}:${recordId}`).digest().readUInt32BE(0) / 2 ** 32 < rate;
}

/**
 * Classifies one message and builds its PredictionEvent; `truth`, when the reader reported the
 * message, goes with it as a delayed label.
 */
export function predictionEvent(model: TextClassifier, text: string, inputUri: string, ctx: ServingContext, truth?: string): PredictionEventInit {
  const classProbabilities = model.predictProba(text);
  let predictedLabel = model.classes[0];
  for (const c of model.classes) if (classProbabilities[c] > classProbabilities[predictedLabel]) predictedLabel = c;
  return {
    eventId: randomUUID(),
    modelId: ctx.modelId,
    modelVersion: ctx.modelVersion,
    timestamp: timestampNow(),
    inputUri,
    contentHash: `sha256:${createHash('sha256').update(text).digest('hex')}`,
    predictedLabel,
    classProbabilities,
    confidence: classProbabilities[predictedLabel],
    embedding: Array.from(embed(text, 32)),
    metadata: { project_id: ctx.projectId, source: ctx.source },
    groundTruth: truth === undefined ? undefined : { label: truth, source: GroundTruth_Source.DELAYED_LABEL, observedAt: timestampNow() },
  };
}

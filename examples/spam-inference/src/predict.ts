/**
 * One prediction as the LabelLoop SDK records it: what the model said, how sure it was, and
 * enough about the input (URI, content hash, embedding) for drift detection and sampling.
 */
import { createHash, randomUUID } from 'node:crypto';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import type { PredictionEventInit } from '@labelloop/sdk';
import { embed, type TextClassifier } from '@labelloop/text-model';

/** Who is predicting: model id/version and the metadata every event carries. */
export interface ServingContext {
  modelId: string;
  modelVersion: string;
  projectId: string;
  source: string;
}

/** Classifies one message and builds its PredictionEvent. */
export function predictionEvent(model: TextClassifier, text: string, inputUri: string, ctx: ServingContext): PredictionEventInit {
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
  };
}

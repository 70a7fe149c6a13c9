import { PredictionEventSchema, type FeatureVector, type PredictionEvent } from './gen/labelloop/inference/v1/prediction_pb';
import { unstorableField } from './storable';

const finite = (x: number) => Number.isFinite(x);

/**
 * Checks a PredictionEvent for what every consumer relies on, and that every field is
 * storable (see STORABLE_LIMITS). Returns the first problem, naming the field, or undefined
 * when the event is usable.
 */
export function validatePredictionEvent(e: PredictionEvent): string | undefined {
  if (!e.eventId) return 'event_id is required';
  if (!e.modelId) return 'model_id is required';
  if (!e.modelVersion) return 'model_version is required';
  if (!e.contentHash) return 'content_hash is required';
  if (!finite(e.confidence) || e.confidence < 0 || e.confidence > 1) return `confidence must be in [0, 1], got ${e.confidence}`;
  // for..in, not Object.entries: this runs for every prediction every stage reads, and an
  // entries array per map per event was a measurable share of the stages' garbage.
  for (const k in e.numericFeatures) if (!finite(e.numericFeatures[k])) return `numeric_features.${k} is not finite`;
  for (const k in e.classProbabilities) {
    const v = e.classProbabilities[k];
    if (!finite(v) || v < 0 || v > 1) return `class_probabilities.${k} must be in [0, 1]`;
  }
  for (const v of e.embedding) if (!finite(v)) return 'embedding has a non-finite value';
  return unstorableField(PredictionEventSchema, e);
}

/** Whether a feature vector carries any model input (an absent or empty one does not). */
export function hasFeatures(f: FeatureVector | undefined): f is FeatureVector {
  return !!f && (Object.keys(f.numeric).length > 0 || Object.keys(f.categorical).length > 0 || f.embedding.length > 0);
}

import { Topics } from '@labelloop/contracts';

/**
 * The topics each service consumes (its handlers). A topic missing here is still consumed,
 * just from its beginning: slower on a busy broker, never wrong (reconciliation filters by id).
 */
export const SUBSCRIPTIONS: Record<string, string[]> = {
  'drift-detection': [Topics.predictionRecorded, Topics.modelPromoted],
  sampling: [Topics.predictionRecorded, Topics.driftDetected],
  'annotation-dispatch': [Topics.annotationRequested, Topics.labelAccepted, Topics.reworkRequested, Topics.answersRequested, Topics.annotatorPaused],
  qa: [Topics.annotationSubmitted, Topics.annotatorResumed],
  'dataset-registry': [Topics.labelAccepted, Topics.modelPromoted],
  'retrain-trigger': [Topics.datasetApproved, Topics.driftDetected, Topics.driftResolved, Topics.modelEvaluated],
};

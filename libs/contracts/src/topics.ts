/**
 * Every Kafka topic LabelLoop uses: the single source of truth for services, local
 * scripts (topic creation) and the Kubernetes KafkaTopic resources.
 *
 * Naming: `labelloop.<entity>.<event>.v<N>`; each topic has a dead-letter topic `<topic>.dlq`.
 */
export const Topics = {
  /** PredictionEvent, key = model id. Written by inference services (SDK) and the Ingest RPC. */
  predictionRecorded: 'labelloop.prediction.recorded.v1',
  /** DriftDetected, key = model id. */
  driftDetected: 'labelloop.drift.detected.v1',
  /** DriftResolved, key = model id. */
  driftResolved: 'labelloop.drift.resolved.v1',
  /** AnnotationRequested, key = item id. */
  annotationRequested: 'labelloop.annotation.requested.v1',
  /** AnnotationSubmitted, key = item id. */
  annotationSubmitted: 'labelloop.annotation.submitted.v1',
  /** LabelAccepted, key = item id. */
  labelAccepted: 'labelloop.label.accepted.v1',
  /**
   * AnswersRequested, key = item id. QA asks dispatch for one more answer on an item whose
   * consensus is still below the project's gate (adaptive overlap, QaPolicy.max_answers).
   */
  answersRequested: 'labelloop.annotation.answers_requested.v1',
  /** ReworkRequested, key = item id. */
  reworkRequested: 'labelloop.rework.requested.v1',
  /** AnnotatorPaused, key = annotator id. */
  annotatorPaused: 'labelloop.annotator.paused.v1',
  /** AnnotatorResumed, key = annotator id. */
  annotatorResumed: 'labelloop.annotator.resumed.v1',
  /** GuidelineReviewRequested, key = project id. */
  guidelineReviewRequested: 'labelloop.guideline.review_requested.v1',
  /** DatasetApproved, key = dataset id. The topic ML platform teams subscribe to. */
  datasetApproved: 'labelloop.dataset.approved.v1',
  /** RetrainRequested, key = model id. */
  retrainRequested: 'labelloop.retrain.requested.v1',
  /** ModelEvaluated, key = model id. */
  modelEvaluated: 'labelloop.model.evaluated.v1',
  /** ModelPromoted, key = model id. */
  modelPromoted: 'labelloop.model.promoted.v1',
  /** PromotionRejected, key = model id. */
  promotionRejected: 'labelloop.model.promotion_rejected.v1',
  /**
   * AuditHead, key = schema. Each stage publishes its audit log's head periodically; the
   * topic's history is what `audit:verify --heads-from-kafka` checks a chain against, so keep
   * it at least as long as the logs (the KafkaTopic keeps it forever).
   */
  auditHead: 'labelloop.audit.head.v1',
} as const;

/** A LabelLoop topic name. */
export type Topic = (typeof Topics)[keyof typeof Topics];

/** The dead-letter topic of a topic. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Partition count per topic (ordering is per key, so more partitions = more consumer parallelism). */
export const TOPIC_PARTITIONS: Readonly<Record<Topic, number>> = Object.fromEntries(
  Object.values(Topics).map((t) => [t, t === Topics.predictionRecorded ? 6 : 3]),
) as Record<Topic, number>;

/** All topics including their dead-letter topics, as the broker must have them. */
export function allTopics(): { topic: string; partitions: number }[] {
  return Object.values(Topics).flatMap((t) => [
    { topic: t, partitions: TOPIC_PARTITIONS[t] },
    { topic: dlqTopic(t), partitions: 1 },
  ]);
}

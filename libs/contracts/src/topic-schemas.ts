import type { DescMessage } from '@bufbuild/protobuf';
import { AnnotationSubmittedSchema } from './gen/labelloop/annotation/v1/annotation_pb';
import { AuditHeadSchema } from './gen/labelloop/audit/v1/audit_pb';
import { DatasetApprovedSchema } from './gen/labelloop/dataset/v1/dataset_pb';
import { DriftDetectedSchema, DriftResolvedSchema } from './gen/labelloop/drift/v1/drift_pb';
import { PredictionEventSchema } from './gen/labelloop/inference/v1/prediction_pb';
import {
  AnnotatorPausedSchema,
  AnnotatorResumedSchema,
  AnswersRequestedSchema,
  GuidelineReviewRequestedSchema,
  LabelAcceptedSchema,
  ReworkRequestedSchema,
} from './gen/labelloop/qa/v1/qa_pb';
import { ModelEvaluatedSchema, ModelPromotedSchema, PromotionRejectedSchema, RetrainRequestedSchema } from './gen/labelloop/retrain/v1/retrain_pb';
import { AnnotationRequestedSchema } from './gen/labelloop/sampling/v1/annotation_request_pb';
import { Topic, Topics } from './topics';

/**
 * The one message type each topic carries. The CloudEvents `ce_type` of an event is its
 * protobuf type name (e.g. `labelloop.inference.v1.PredictionEvent`), so a consumer can
 * refuse a message of the wrong type before decoding it.
 */
export const TOPIC_SCHEMAS: Readonly<Record<Topic, DescMessage>> = {
  [Topics.predictionRecorded]: PredictionEventSchema,
  [Topics.driftDetected]: DriftDetectedSchema,
  [Topics.driftResolved]: DriftResolvedSchema,
  [Topics.annotationRequested]: AnnotationRequestedSchema,
  [Topics.annotationSubmitted]: AnnotationSubmittedSchema,
  [Topics.labelAccepted]: LabelAcceptedSchema,
  [Topics.answersRequested]: AnswersRequestedSchema,
  [Topics.reworkRequested]: ReworkRequestedSchema,
  [Topics.annotatorPaused]: AnnotatorPausedSchema,
  [Topics.annotatorResumed]: AnnotatorResumedSchema,
  [Topics.guidelineReviewRequested]: GuidelineReviewRequestedSchema,
  [Topics.datasetApproved]: DatasetApprovedSchema,
  [Topics.retrainRequested]: RetrainRequestedSchema,
  [Topics.modelEvaluated]: ModelEvaluatedSchema,
  [Topics.modelPromoted]: ModelPromotedSchema,
  [Topics.promotionRejected]: PromotionRejectedSchema,
  [Topics.auditHead]: AuditHeadSchema,
};

import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AnnotationRequested, AnnotationSubmittedSchema, Label, Trigger } from '@labelloop/contracts';
import type { AnnotationTaskRow } from '../repositories/annotation-task.repository';

/** What an answer adds to its task and request on the AnnotationSubmitted event. */
export interface AnswerFields {
  submissionId: string;
  annotatorId: string;
  label: Label;
  goldLabel?: Label;
  preLabelAccepted: boolean;
  timeSpentMs: number;
  /** The text the annotator saw (text task types), '' otherwise. */
  contentText: string;
  /** The submission this one replaces (an edit), '' for an original answer. */
  supersedesSubmissionId?: string;
}

/** The AnnotationSubmitted of one answer: the answer, its task, and the request's lineage. */
export function submittedEvent(task: AnnotationTaskRow, request: AnnotationRequested, a: AnswerFields): MessageInitShape<typeof AnnotationSubmittedSchema> {
  return {
    submissionId: a.submissionId,
    taskId: task.task_id,
    itemId: task.item_id,
    projectId: task.project_id,
    annotatorId: a.annotatorId,
    label: a.label,
    requiredAnswers: task.required_answers,
    gold: task.kind === 'gold',
    goldLabel: a.goldLabel,
    preLabelAccepted: a.preLabelAccepted,
    timeSpentMs: a.timeSpentMs,
    guidelineVersion: task.guideline_version,
    submittedAt: timestampFromDate(new Date()),
    modelId: request.modelId,
    modelVersion: request.modelVersion,
    trigger: Trigger[request.trigger],
    strategy: request.strategy,
    sourceEventId: request.sourceEventId,
    inputUri: request.inputUri,
    contentHash: request.contentHash,
    auditSample: request.auditSample,
    modelProbabilities: request.preLabel?.classProbabilities ?? {},
    features: request.features,
    contentText: a.contentText,
    imageWidth: request.imageWidth,
    imageHeight: request.imageHeight,
    schemaVersion: task.schema_version,
    supersedesSubmissionId: a.supersedesSubmissionId ?? '',
  };
}

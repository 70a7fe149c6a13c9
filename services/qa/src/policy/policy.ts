import { create } from '@bufbuild/protobuf';
import { QaPolicy as QaPolicyMessage, QaPolicySchema } from '@labelloop/contracts';
import type { QaConfig } from '../qa.config';
import type { QaPolicy } from '../gates/consensus';

/** A project's quality gates with the service defaults filled in. */
export interface ProjectPolicy extends QaPolicy {
  /** Items held per batch gate (1: accepted one by one, no batch gate). */
  batchSize: number;
  /** Batch gate: Fleiss' kappa over the batch's answers at least this. */
  minBatchKappa: number;
  /** Batch gate: accuracy of the gold answers received while the batch was open at least this. */
  minBatchGoldAccuracy: number;
  /**
   * Adaptive overlap: the most answers an item's first round may get; below the gate after its
   * required answers it gets one more at a time up to this (0: off, the fixed overlap decides).
   */
  maxAnswers: number;
  /** "<project>/v<n>" for a stored policy, the service's QA_POLICY_VERSION for the defaults. */
  version: string;
}

/** A policy problem naming the field. */
export class QaPolicyError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** The largest max_answers a policy may set (dispatch's DISPATCH_OVERLAP has the same bound). */
export const MAX_ANSWERS = 20;

const METHODS = ['dawid_skene', 'majority'] as const;

const within = (field: string, v: number, lo: number, hi: number): number => {
  if (!(v >= lo && v <= hi)) throw new QaPolicyError(field, `must be in [${lo}, ${hi}], got ${v}`);
  return v;
};

/** The service-wide defaults (environment), as a policy. */
export function defaultPolicy(c: QaConfig): ProjectPolicy {
  return {
    method: c.QA_METHOD,
    minConfidence: c.QA_MIN_CONFIDENCE,
    annotatorFloor: c.QA_ANNOTATOR_FLOOR,
    minGoldForPause: c.QA_MIN_GOLD_FOR_PAUSE,
    minAnswersForPause: c.QA_MIN_ANSWERS_FOR_PAUSE,
    batchSize: c.QA_BATCH_SIZE,
    minBatchKappa: c.QA_MIN_BATCH_KAPPA,
    minBatchGoldAccuracy: c.QA_MIN_BATCH_GOLD_ACCURACY,
    maxAnswers: c.QA_MAX_ANSWERS,
    version: c.QA_POLICY_VERSION,
  };
}

/**
 * Validates a submitted or stored policy and fills the unset fields from `defaults`.
 * Throws QaPolicyError naming the first field out of range.
 */
export function resolveQaPolicy(p: QaPolicyMessage, defaults: ProjectPolicy, version: string): ProjectPolicy {
  if (!p.projectId) throw new QaPolicyError('project_id', 'is required');
  const method = p.method ?? defaults.method;
  if (!(METHODS as readonly string[]).includes(method)) throw new QaPolicyError('method', `must be one of ${METHODS.join(', ')}, got "${method}"`);
  return {
    method: method as ProjectPolicy['method'],
    minConfidence: within('min_confidence', p.minConfidence ?? defaults.minConfidence, 0, 1),
    annotatorFloor: within('annotator_floor', p.annotatorFloor ?? defaults.annotatorFloor, 0, 1),
    minGoldForPause: within('min_gold_for_pause', p.minGoldForPause ?? defaults.minGoldForPause, 1, 100_000),
    minAnswersForPause: within('min_answers_for_pause', p.minAnswersForPause ?? defaults.minAnswersForPause, 1, 100_000),
    batchSize: within('batch_size', p.batchSize ?? defaults.batchSize, 1, 10_000),
    minBatchKappa: within('min_batch_kappa', p.minBatchKappa ?? defaults.minBatchKappa, -1, 1),
    minBatchGoldAccuracy: within('min_batch_gold_accuracy', p.minBatchGoldAccuracy ?? defaults.minBatchGoldAccuracy, 0, 1),
    maxAnswers: within('max_answers', p.maxAnswers ?? defaults.maxAnswers, 0, MAX_ANSWERS),
    version,
  };
}

/** The resolved policy as the API returns it (every field set). */
export function qaPolicyToProto(projectId: string, r: ProjectPolicy): QaPolicyMessage {
  return create(QaPolicySchema, {
    projectId,
    method: r.method,
    minConfidence: r.minConfidence,
    annotatorFloor: r.annotatorFloor,
    minGoldForPause: r.minGoldForPause,
    minAnswersForPause: r.minAnswersForPause,
    batchSize: r.batchSize,
    minBatchKappa: r.minBatchKappa,
    minBatchGoldAccuracy: r.minBatchGoldAccuracy,
    maxAnswers: r.maxAnswers,
  });
}

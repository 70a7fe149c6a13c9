import type { ProjectPolicy } from '../policy/policy';
import type { PauseEvidenceRow } from '../repositories/qa-annotator.repository';

/** Why an annotator is paused, and the accuracy that says so. */
export interface PauseDecision {
  reason: string;
  accuracy: number;
}

/**
 * Whether the evidence says an annotator's accuracy is below the floor; pure. Counts from the
 * last resume (a resumed annotator is measured afresh). Gold answers decide first; otherwise
 * the Dawid–Skene estimate, once it and the fresh answers both reach `minAnswersForPause`.
 * Undefined when the annotator is paused already or the evidence is not enough.
 */
export function pauseDecision(
  a: PauseEvidenceRow,
  p: Pick<ProjectPolicy, 'annotatorFloor' | 'minGoldForPause' | 'minAnswersForPause'>,
): PauseDecision | undefined {
  if (a.paused) return undefined;
  const gold = a.gold_answers - a.gold_answers_at_resume;
  const goldCorrect = a.gold_correct - a.gold_correct_at_resume;
  const fresh = a.answers - a.answers_at_resume;
  if (gold >= p.minGoldForPause && goldCorrect / gold < p.annotatorFloor) {
    const accuracy = goldCorrect / gold;
    return { accuracy, reason: `gold accuracy ${accuracy.toFixed(2)} over ${gold} gold items is below ${p.annotatorFloor}` };
  }
  if (a.estimated_accuracy !== null && a.estimated_count >= p.minAnswersForPause && fresh >= p.minAnswersForPause && a.estimated_accuracy < p.annotatorFloor) {
    const accuracy = a.estimated_accuracy;
    return { accuracy, reason: `estimated accuracy ${accuracy.toFixed(2)} (Dawid–Skene, ${a.estimated_count} answers) is below ${p.annotatorFloor}` };
  }
  return undefined;
}

/** Event id of an AnnotatorPaused: one per pause epoch (the first keeps its historical id). */
export const pausedEventId = (projectId: string, annotatorId: string, pauseEpoch: number): string =>
  pauseEpoch === 0 ? `annotator-paused:${projectId}:${annotatorId}` : `annotator-paused:${projectId}:${annotatorId}:${pauseEpoch}`;

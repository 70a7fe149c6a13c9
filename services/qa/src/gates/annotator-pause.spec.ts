import type { PauseEvidenceRow } from '../repositories/qa-annotator.repository';
import { pauseDecision, pausedEventId } from './annotator-pause';

const policy = { annotatorFloor: 0.7, minGoldForPause: 5, minAnswersForPause: 20 };
const card = (c: Partial<PauseEvidenceRow>): PauseEvidenceRow => ({
  answers: 0,
  gold_answers: 0,
  gold_correct: 0,
  estimated_accuracy: null,
  estimated_count: 0,
  paused: false,
  pause_epoch: 0,
  answers_at_resume: 0,
  gold_answers_at_resume: 0,
  gold_correct_at_resume: 0,
  ...c,
});

describe('pauseDecision', () => {
  it('pauses on gold accuracy below the floor once enough gold answers came, naming the figures', () => {
    expect(pauseDecision(card({ answers: 10, gold_answers: 10, gold_correct: 5 }), policy)).toEqual({
      accuracy: 0.5,
      reason: 'gold accuracy 0.50 over 10 gold items is below 0.7',
    });
    expect(pauseDecision(card({ answers: 4, gold_answers: 4, gold_correct: 0 }), policy)).toBeUndefined(); // 4 < minGoldForPause
    expect(pauseDecision(card({ answers: 10, gold_answers: 10, gold_correct: 7 }), policy)).toBeUndefined(); // at the floor is not below it
  });

  it('otherwise pauses on the Dawid–Skene estimate once it and the fresh answers reach the minimum', () => {
    const low = { answers: 20, estimated_accuracy: 0.4, estimated_count: 20 };
    expect(pauseDecision(card(low), policy)).toEqual({ accuracy: 0.4, reason: 'estimated accuracy 0.40 (Dawid–Skene, 20 answers) is below 0.7' });
    expect(pauseDecision(card({ ...low, estimated_count: 19 }), policy)).toBeUndefined();
    expect(pauseDecision(card({ ...low, answers: 19 }), policy)).toBeUndefined();
    expect(pauseDecision(card({ ...low, estimated_accuracy: null }), policy)).toBeUndefined();
    expect(pauseDecision(card({ ...low, estimated_accuracy: 0.7 }), policy)).toBeUndefined();
  });

  it('gold evidence decides before the estimate', () => {
    const d = pauseDecision(card({ answers: 30, gold_answers: 5, gold_correct: 1, estimated_accuracy: 0.2, estimated_count: 30 }), policy);
    expect(d?.reason).toMatch(/^gold accuracy 0\.20 over 5 gold items/);
  });

  it('measures a resumed annotator from the counters at the resume', () => {
    // 10 wrong gold answers before the resume, 4 right ones after: 4 fresh gold answers, too few.
    const resumed = card({
      answers: 40,
      gold_answers: 14,
      gold_correct: 4,
      answers_at_resume: 30,
      gold_answers_at_resume: 10,
      gold_correct_at_resume: 0,
      estimated_accuracy: 0.3,
      estimated_count: 40,
      pause_epoch: 1,
    });
    expect(pauseDecision(resumed, policy)).toBeUndefined(); // 10 fresh answers < 20 for the estimate too
    expect(pauseDecision({ ...resumed, gold_answers: 16, gold_correct: 4 }, policy)).toEqual({
      accuracy: 4 / 6,
      reason: 'gold accuracy 0.67 over 6 gold items is below 0.7',
    });
  });

  it('never pauses a paused annotator again', () => {
    expect(pauseDecision(card({ answers: 10, gold_answers: 10, gold_correct: 0, paused: true }), policy)).toBeUndefined();
  });
});

describe('pausedEventId', () => {
  it('gives each pause epoch its own event id, the first one without a suffix', () => {
    expect(pausedEventId('p', 'ann', 0)).toBe('annotator-paused:p:ann');
    expect(pausedEventId('p', 'ann', 2)).toBe('annotator-paused:p:ann:2');
  });
});

import { AnnotationSubmittedSchema } from '@labelloop/contracts';
import { eventRecord } from './kafka-helpers';

/** The simulated crowd: ada is right 95 % of the time, grace 90 %, linus 50 % (careless). */
export const CROWD = [
  ['ada', 0.95],
  ['grace', 0.9],
  ['linus', 0.5],
] as const;

/**
 * AnnotationSubmitted records for `count` overlap items of a spam/ham project (items `from` on),
 * each answered by the whole crowd: the truth is drawn from `rng`, then each annotator's answer
 * is right with their accuracy. Submission and task ids are `${run}-${item}-${annotator}`.
 */
export function crowdSubmissions(run: string, projectId: string, rng: { next(): number }, from = 0, count = 60) {
  const out = [];
  for (let i = from; i < from + count; i++) {
    const truth = rng.next() < 0.5 ? 'spam' : 'ham';
    for (const [name, acc] of CROWD) {
      const answer = rng.next() < acc ? truth : truth === 'spam' ? 'ham' : 'spam';
      const id = `${run}-${i}-${name}`;
      out.push(
        eventRecord(
          AnnotationSubmittedSchema,
          {
            submissionId: id,
            taskId: id,
            itemId: `${projectId}-${i}`,
            projectId,
            annotatorId: name,
            requiredAnswers: 3,
            label: { value: { case: 'classification', value: { classes: [answer] } } },
          },
          { key: `${projectId}-${i}` },
        ),
      );
    }
  }
  return out;
}

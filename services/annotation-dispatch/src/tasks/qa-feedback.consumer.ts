import { createHash } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AnnotationRequestedSchema,
  AnswersRequested,
  AnswersRequestedSchema,
  LabelAccepted,
  LabelAcceptedSchema,
  PreLabelSchema,
  ReworkRequested,
  ReworkRequestedSchema,
  Topics,
} from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager, Queryable } from '@labelloop/persistence';
import { annotationTasks } from '../repositories/annotation-task.repository';
import { taskTransitions } from '../repositories/task-transition.repository';

/** Priority points a task QA queued gets over the item's first: an item QA waits on goes first. */
const FOLLOW_UP_PRIORITY = 10;

/** QA accepted an item: its submitted tasks are accepted. */
@Controller()
export class LabelAcceptedConsumer {
  @Consumes(Topics.labelAccepted, LabelAcceptedSchema)
  async handle(events: ConsumedEvent<LabelAccepted>[], em: EntityManager): Promise<void> {
    const moved = await annotationTasks.acceptSubmitted(
      em,
      events.map((e) => e.message.itemId),
    );
    if (moved.length) await taskTransitions.logAccepted(em, moved);
  }
}

/**
 * QA sent an item back: its submitted tasks go to `rework` and one new task is queued, kept
 * away from the annotators QA named. The new task's private key derives from the event id, so
 * a redelivered request cannot queue a second one; its id is a random UUID like every task's.
 */
@Controller()
export class ReworkConsumer {
  validate(r: ReworkRequested): string | undefined {
    return r.itemId ? undefined : 'item_id is required';
  }

  @Consumes(Topics.reworkRequested, ReworkRequestedSchema)
  async handle(events: ConsumedEvent<ReworkRequested>[], em: EntityManager): Promise<void> {
    for (const ev of events) {
      const r = ev.message;
      const moved = await annotationTasks.reworkSubmitted(em, r.itemId);
      for (const taskId of moved) await taskTransitions.logReworked(em, taskId, r.reason);
      const taskKey = `${r.itemId}#rework-${createHash('sha256').update(ev.id).digest('hex').slice(0, 12)}`;
      const queued = await annotationTasks.queueFollowUp(em, {
        taskKey,
        itemId: r.itemId,
        kind: 'rework',
        priorityBoost: FOLLOW_UP_PRIORITY,
        requiredAnswers: 1,
        excludeAnnotatorIds: r.excludeAnnotatorIds,
        traceparent: ev.traceparent ?? null,
      });
      if (queued) await taskTransitions.logQueuedByQa(em, queued, r.reason);
    }
  }
}

/**
 * The private key of the extra task that brings an item's round to `target` answers: in the
 * first round `<item>#<target>`, the next number after the request's `<item>#1..k`, so a
 * redelivered AnswersRequested (or a request the initial overlap already covers) creates nothing.
 */
export function extraTaskKey(itemId: string, round: number, target: number): string {
  return round === 0 ? `${itemId}#${target}` : `${itemId}#r${round}-${target}`;
}

/**
 * The request of a free-text review task: the item's first task's, with the answer to review as
 * its pre-label (what the reviewer sees, accepts or edits); undefined for an unknown item.
 */
export async function reviewRequest(q: Queryable, itemId: string, reviewText: string): Promise<Buffer | undefined> {
  const first = await annotationTasks.firstRequest(q, itemId);
  if (!first) return undefined;
  const request = fromBinary(AnnotationRequestedSchema, first);
  request.preLabel = create(PreLabelSchema, { predictedLabel: reviewText, confidence: 1 });
  return Buffer.from(toBinary(AnnotationRequestedSchema, request));
}

/**
 * Adaptive overlap: QA asks for one more answer on an item below its gate. One task is queued,
 * a copy of the item's first task whose submission tells QA to expect `target_answers`, kept
 * away from the annotators who answered (who are also never given an item twice). A free-text
 * review (`review`) is such a task with the answer to review as its pre-label: the reviewer
 * accepts or edits it, and QA takes the reviewer's answer as the item's text.
 */
@Controller()
export class AnswersRequestedConsumer {
  validate(r: AnswersRequested): string | undefined {
    if (!r.itemId) return 'item_id is required';
    if (r.targetAnswers < 2) return 'target_answers must be at least 2';
    if (r.review && !r.reviewText) return 'a review needs review_text';
    return undefined;
  }

  @Consumes(Topics.answersRequested, AnswersRequestedSchema)
  async handle(events: ConsumedEvent<AnswersRequested>[], em: EntityManager): Promise<void> {
    for (const ev of events) {
      const r = ev.message;
      const reason = r.review ? `review of the first answer: ${r.reason}` : `answer ${r.targetAnswers} of at most ${r.maxAnswers}: ${r.reason}`;
      const queued = await annotationTasks.queueFollowUp(em, {
        request: r.review ? await reviewRequest(em, r.itemId, r.reviewText) : undefined,
        taskKey: extraTaskKey(r.itemId, r.round, r.targetAnswers),
        itemId: r.itemId,
        kind: 'label',
        priorityBoost: FOLLOW_UP_PRIORITY,
        requiredAnswers: r.targetAnswers,
        excludeAnnotatorIds: r.excludeAnnotatorIds,
        traceparent: ev.traceparent ?? null,
      });
      if (queued) await taskTransitions.logQueuedByQa(em, queued, reason);
    }
  }
}

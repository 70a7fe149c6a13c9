import { createHash } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { LabelAccepted, LabelAcceptedSchema, ReworkRequested, ReworkRequestedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager } from '@labelloop/persistence';
import { annotationTasks } from '../repositories/annotation-task.repository';
import { taskTransitions } from '../repositories/task-transition.repository';

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
      const queued = await annotationTasks.queueRework(em, taskKey, r.itemId, r.excludeAnnotatorIds, ev.traceparent ?? null);
      if (queued) await taskTransitions.logReworkQueued(em, queued, r.reason);
    }
  }
}

import { Controller } from '@nestjs/common';
import { AnnotatorResumed, AnnotatorResumedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import { appendAudit, EntityManager } from '@labelloop/persistence';
import { qaAnnotators } from '../repositories/qa-annotator.repository';
import { lockProjects } from './submission.consumer';

/**
 * An admin resumed a paused annotator (DispatchAdminService). QA clears the pause and measures
 * them afresh: the pause evidence (gold answers, answers for the Dawid–Skene estimate) counts
 * from here, and a new pause is a new AnnotatorPaused event.
 */
@Controller()
export class AnnotatorResumedConsumer {
  validate(r: AnnotatorResumed): string | undefined {
    return r.annotatorId && r.projectId ? undefined : 'annotator_id and project_id are required';
  }

  @Consumes(Topics.annotatorResumed, AnnotatorResumedSchema)
  async handle(events: ConsumedEvent<AnnotatorResumed>[], em: EntityManager): Promise<void> {
    await lockProjects(
      em,
      events.map((e) => e.message.projectId),
    );
    for (const { message: r } of events) {
      const wasPaused = await qaAnnotators.resume(em, r.projectId, r.annotatorId);
      await appendAudit(em, {
        actor: r.resumedBy || 'dispatch',
        action: 'annotator.resumed',
        subject: `${r.projectId}/${r.annotatorId}`,
        detail: { reason: r.reason, wasPaused },
      });
    }
  }
}

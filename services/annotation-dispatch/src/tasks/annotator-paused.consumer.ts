import { Controller } from '@nestjs/common';
import { AnnotatorPaused, AnnotatorPausedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager } from '@labelloop/persistence';
import { annotationTasks } from '../repositories/annotation-task.repository';
import { annotatorPauses } from '../repositories/annotator-pause.repository';

/**
 * QA paused an annotator: no new tasks for them in that project, and their open leases go
 * back to the queue (answers already submitted stay and are judged by QA as usual).
 */
@Controller()
export class AnnotatorPausedConsumer {
  validate(p: AnnotatorPaused): string | undefined {
    return p.annotatorId && p.projectId ? undefined : 'annotator_id and project_id are required';
  }

  @Consumes(Topics.annotatorPaused, AnnotatorPausedSchema)
  async handle(events: ConsumedEvent<AnnotatorPaused>[], em: EntityManager): Promise<void> {
    for (const { message: p } of events) {
      await annotatorPauses.pause(em, p.projectId, p.annotatorId, p.reason);
      await annotationTasks.releaseLeasesOf(em, p.projectId, p.annotatorId);
    }
  }
}

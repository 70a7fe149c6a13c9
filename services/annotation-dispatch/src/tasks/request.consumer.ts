import { Controller, Inject } from '@nestjs/common';
import { AnnotationRequested, AnnotationRequestedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, Consumes } from '@labelloop/runtime';
import type { DispatchConfig } from '../dispatch.config';
import { annotationTasks } from '../repositories/annotation-task.repository';
import { taskTransitions } from '../repositories/task-transition.repository';
import { overlapTasks } from './overlap-tasks';

/**
 * Creates the k overlap tasks of each requested item. Each task's private key is derived from
 * the item (`<item>#<n>`), so a request for an item that already has tasks creates none; the
 * task id annotators see is a random UUID.
 */
@Controller()
export class RequestConsumer {
  constructor(@Inject(CONFIG) private readonly config: DispatchConfig) {}

  validate(r: AnnotationRequested): string | undefined {
    if (!r.itemId) return 'item_id is required';
    if (!r.projectId) return 'project_id is required';
    return undefined;
  }

  @Consumes(Topics.annotationRequested, AnnotationRequestedSchema)
  async handle(events: ConsumedEvent<AnnotationRequested>[], em: EntityManager): Promise<void> {
    const k = this.config.DISPATCH_OVERLAP;
    const created = await annotationTasks.createRequested(em, overlapTasks(events, k), k, this.config.DISPATCH_GUIDELINE_VERSION);
    if (created.length > 0) await taskTransitions.logRequested(em, created);
  }
}

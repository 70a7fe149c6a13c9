import { Controller } from '@nestjs/common';
import { AnnotatorPaused, AnnotatorPausedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import type { EntityManager } from '@labelloop/persistence';

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
      await em.query(`INSERT INTO annotator_pause (project_id, annotator_id, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [p.projectId, p.annotatorId, p.reason]);
      await em.query(
        `UPDATE annotation_task SET state = 'pending', annotator_id = NULL, lease_expires_at = NULL, exclude_annotators = exclude_annotators || ARRAY[$2]::text[], updated_at = now()
          WHERE project_id = $1 AND annotator_id = $2 AND state = 'leased'`,
        [p.projectId, p.annotatorId],
      );
    }
  }
}

import { createHash } from 'node:crypto';
import { Controller } from '@nestjs/common';
import { LabelAccepted, LabelAcceptedSchema, ReworkRequested, ReworkRequestedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import { Consumes } from '@labelloop/runtime';
import { EntityManager, queryRows } from '@labelloop/persistence';

/** QA accepted an item: its submitted tasks are accepted. */
@Controller()
export class LabelAcceptedConsumer {
  @Consumes(Topics.labelAccepted, LabelAcceptedSchema)
  async handle(events: ConsumedEvent<LabelAccepted>[], em: EntityManager): Promise<void> {
    const items = events.map((e) => e.message.itemId);
    const moved = await queryRows<{ task_id: string }>(em,
      `UPDATE annotation_task SET state = 'accepted', updated_at = now() WHERE item_id = ANY($1) AND state = 'submitted' RETURNING task_id`,
      [items],
    );
    if (moved.length) {
      await em.query(`INSERT INTO task_transition (task_id, from_state, to_state, actor) SELECT id, 'submitted', 'accepted', 'qa' FROM unnest($1::text[]) id`, [moved.map((m) => m.task_id)]);
    }
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
      const moved = await queryRows<{ task_id: string }>(em,
        `UPDATE annotation_task SET state = 'rework', updated_at = now() WHERE item_id = $1 AND state = 'submitted' RETURNING task_id`,
        [r.itemId],
      );
      for (const m of moved) {
        await em.query(`INSERT INTO task_transition (task_id, from_state, to_state, actor, reason) VALUES ($1, 'submitted', 'rework', 'qa', $2)`, [m.task_id, r.reason]);
      }
      const taskKey = `${r.itemId}#rework-${createHash('sha256').update(ev.id).digest('hex').slice(0, 12)}`;
      const [inserted] = await queryRows<{ task_id: string }>(em,
        `INSERT INTO annotation_task (task_id, task_key, item_id, project_id, kind, state, priority, required_answers, guideline_version, exclude_annotators, request, traceparent)
         SELECT gen_random_uuid()::text, $1, item_id, project_id, 'rework', 'pending', priority + 10, 1, guideline_version, $2::text[], request, $3
           FROM annotation_task WHERE item_id = $4 ORDER BY created_at LIMIT 1
         ON CONFLICT (task_key) DO NOTHING RETURNING task_id`,
        [taskKey, r.excludeAnnotatorIds, ev.traceparent ?? null, r.itemId],
      );
      if (inserted) {
        await em.query(`INSERT INTO task_transition (task_id, from_state, to_state, actor, reason) VALUES ($1, NULL, 'pending', 'qa', $2)`, [inserted.task_id, r.reason]);
      }
    }
  }
}

import { Controller, Inject } from '@nestjs/common';
import { toBinary } from '@bufbuild/protobuf';
import { AnnotationRequested, AnnotationRequestedSchema, Topics } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { CONFIG, Consumes } from '@labelloop/runtime';
import type { DispatchConfig } from '../dispatch.config';

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
    const rows = events.flatMap((ev) =>
      Array.from({ length: k }, (_, n) => ({
        taskKey: `${ev.message.itemId}#${n + 1}`,
        r: ev.message,
        traceparent: ev.traceparent ?? null,
      })),
    );
    const inserted: { task_id: string }[] = await em.query(
      `INSERT INTO annotation_task (task_id, task_key, item_id, project_id, state, priority, required_answers, guideline_version, request, traceparent)
       SELECT gen_random_uuid()::text, t.task_key, t.item_id, t.project_id, 'pending', t.priority, $5, $6, t.request, t.traceparent
       FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $7::bytea[], $8::text[])
         AS t(task_key, item_id, project_id, priority, request, traceparent)
       ON CONFLICT (task_key) DO NOTHING RETURNING task_id`,
      [
        rows.map((x) => x.taskKey),
        rows.map((x) => x.r.itemId),
        rows.map((x) => x.r.projectId),
        rows.map((x) => x.r.priority),
        k,
        this.config.DISPATCH_GUIDELINE_VERSION,
        rows.map((x) => Buffer.from(toBinary(AnnotationRequestedSchema, x.r))),
        rows.map((x) => x.traceparent),
      ],
    );
    if (inserted.length > 0) {
      await em.query(
        `INSERT INTO task_transition (task_id, from_state, to_state, actor) SELECT id, NULL, 'pending', 'sampling' FROM unnest($1::text[]) AS id`,
        [inserted.map((r) => r.task_id)],
      );
    }
  }
}

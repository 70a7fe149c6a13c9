import { toBinary } from '@bufbuild/protobuf';
import { AnnotationRequested, AnnotationRequestedSchema } from '@labelloop/contracts';
import type { ConsumedEvent } from '@labelloop/messaging';
import type { RequestedTasks } from '../repositories/annotation-task.repository';

/**
 * The k overlap tasks of each requested item, in event order: task n of an item is keyed
 * `<item>#<n>` (n = 1..k), so a redelivered request maps to the keys it had the first time.
 * Each task carries its request (protobuf) and the event's traceparent.
 */
export function overlapTasks(events: Pick<ConsumedEvent<AnnotationRequested>, 'message' | 'traceparent'>[], k: number): RequestedTasks {
  const rows = events.flatMap((ev) =>
    Array.from({ length: k }, (_, n) => ({
      taskKey: `${ev.message.itemId}#${n + 1}`,
      r: ev.message,
      traceparent: ev.traceparent ?? null,
    })),
  );
  return {
    taskKeys: rows.map((x) => x.taskKey),
    itemIds: rows.map((x) => x.r.itemId),
    projectIds: rows.map((x) => x.r.projectId),
    priorities: rows.map((x) => x.r.priority),
    requests: rows.map((x) => Buffer.from(toBinary(AnnotationRequestedSchema, x.r))),
    traceparents: rows.map((x) => x.traceparent),
  };
}

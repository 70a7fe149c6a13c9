import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { GetQueueStatsResponseSchema } from '@labelloop/contracts';
import type { QueueStatsRow } from '../repositories/annotation-task.repository';

/**
 * The GetQueueStats answer from the queue's row. Every task takes exactly one answer, so the
 * answers still needed are the open tasks, waiting or leased; throughput is the last hour's
 * answers spread over its 60 minutes.
 */
export function queueStatsToProto(r: QueueStatsRow): MessageInitShape<typeof GetQueueStatsResponseSchema> {
  return {
    waitingTasks: r.waiting,
    leasedTasks: r.leased,
    answersNeeded: r.waiting + r.leased,
    oldestWaitingSince: r.oldest_waiting_since ? timestampFromDate(r.oldest_waiting_since) : undefined,
    nextLeaseExpiry: r.next_lease_expiry ? timestampFromDate(r.next_lease_expiry) : undefined,
    submittedLastHour: r.submitted_last_hour,
    submissionsPerMinute: r.submitted_last_hour / 60,
    asOf: timestampFromDate(r.as_of),
  };
}

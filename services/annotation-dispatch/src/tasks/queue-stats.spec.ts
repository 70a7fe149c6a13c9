import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { queueStatsToProto } from './queue-stats';

describe('queueStatsToProto', () => {
  const asOf = new Date('2026-12-05T10:00:00Z');

  it('counts one answer per open task and spreads the hour over 60 minutes', () => {
    const queued = new Date('2026-12-05T09:12:00Z');
    const expiry = new Date('2026-12-05T10:04:00Z');
    const s = queueStatsToProto({ waiting: 3, leased: 2, oldest_waiting_since: queued, next_lease_expiry: expiry, submitted_last_hour: 9, as_of: asOf });
    expect(s.answersNeeded).toBe(5);
    expect(s.submissionsPerMinute).toBeCloseTo(0.15, 12);
    expect(s).toMatchObject({ oldestWaitingSince: timestampFromDate(queued), nextLeaseExpiry: timestampFromDate(expiry), asOf: timestampFromDate(asOf) });
  });

  it('leaves the timestamps unset for an empty queue', () => {
    const s = queueStatsToProto({ waiting: 0, leased: 0, oldest_waiting_since: null, next_lease_expiry: null, submitted_last_hour: 0, as_of: asOf });
    expect(s).toMatchObject({ waitingTasks: 0, leasedTasks: 0, answersNeeded: 0, submissionsPerMinute: 0 });
    expect(s.oldestWaitingSince).toBeUndefined();
    expect(s.nextLeaseExpiry).toBeUndefined();
  });
});

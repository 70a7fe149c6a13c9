import { status } from '@grpc/grpc-js';
import { AnnotatorService } from '@labelloop/contracts';
import { sleep } from '@labelloop/messaging';
import { createGrpcClient, ServiceClient } from '@labelloop/rpc';
import { prng } from './profile';
import { truthOf } from './traffic';

/** A simulated annotator of known quality. */
export interface Annotator {
  name: string;
  token: string;
  accuracy: number;
}

/** What the workforce did, for the report. */
export interface WorkforceStats {
  submitted: number;
  /** Submit retries answered `duplicate: true` (the first attempt had committed; its response was lost). */
  duplicateAcks: number;
  /** RPCs that failed with a retriable error during a fault (retried). */
  rpcErrors: number;
  /** Tasks given up: the lease was lost to another annotator, or the task vanished. */
  abandoned: number;
  /** Annotators QA paused (stopped working). */
  paused: string[];
  errorsByCode: Record<string, number>;
}

type Client = ServiceClient<(typeof AnnotatorService)['method']>;

/**
 * Annotators working through the real AnnotatorService until `stop.done`: they ask for the
 * next task, answer from the truth with their accuracy, and submit with an idempotency key
 * derived from the task. Every RPC error during a fault (service killed, database or broker
 * restarting) is retried — a submission always with the same key, so a retry after a lost
 * response is recognised as the same submission.
 */
export async function runWorkforce(
  address: () => string,
  project: string,
  annotators: Annotator[],
  seed: number,
  stop: { done: boolean },
  stats: WorkforceStats,
): Promise<void> {
  const code = (e: unknown) => (e as { code?: number }).code ?? -1;
  const note = (e: unknown) => {
    const c = code(e);
    const k = status[c] ?? String(c);
    stats.errorsByCode[k] = (stats.errorsByCode[k] ?? 0) + 1;
  };
  await Promise.all(
    annotators.map(async (a, k) => {
      const rnd = prng(seed + 1000 + k);
      let client: Client | undefined;
      let addr = '';
      let failures = 0;
      const connect = (): Client => {
        const now = address();
        // After a restart (or a run of failures) a fresh channel skips grpc's reconnect backoff.
        if (!client || now !== addr || failures >= 2) {
          client?.close();
          client = createGrpcClient(AnnotatorService, now, { token: a.token, defaultDeadlineMs: 5000 });
          addr = now;
          failures = 0;
        }
        return client;
      };
      try {
        while (!stop.done) {
          let task;
          try {
            task = (await connect().getNextTask({ projectId: project })).task;
            failures = 0;
          } catch (e) {
            if (code(e) === status.FAILED_PRECONDITION && /paused/.test((e as Error).message)) {
              stats.paused.push(a.name);
              return;
            }
            stats.rpcErrors++;
            failures++;
            note(e);
            await sleep(200 + 300 * rnd());
            continue;
          }
          if (!task) {
            await sleep(150);
            continue;
          }
          const truth = truthOf(task.inputUri);
          const answer = rnd() < a.accuracy ? truth : truth === 'spam' ? 'ham' : 'spam';
          const timeSpentMs = Math.round(2000 + 8000 * rnd());
          const key = `${task.taskId}:${a.name}`;
          for (let attempt = 0; ; attempt++) {
            try {
              const res = await connect().submitAnnotation({
                taskId: task.taskId,
                label: { value: { case: 'classification', value: { classes: [answer] } } },
                timeSpentMs,
                idempotencyKey: key,
              });
              failures = 0;
              if (res.duplicate) stats.duplicateAcks++;
              stats.submitted++;
              break;
            } catch (e) {
              const c = code(e);
              note(e);
              if (
                c === status.FAILED_PRECONDITION ||
                c === status.PERMISSION_DENIED ||
                c === status.NOT_FOUND ||
                c === status.ALREADY_EXISTS ||
                c === status.INVALID_ARGUMENT
              ) {
                stats.abandoned++;
                break;
              }
              stats.rpcErrors++;
              failures++;
              if (stop.done && attempt > 50) return;
              await sleep(200 + 300 * rnd());
            }
          }
        }
      } finally {
        client?.close();
      }
    }),
  );
}

import { AnnotatorService } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { prng } from './traffic';

/** A simulated annotator: answers from the truth with its own accuracy and speed. */
export interface AnnotatorProfile {
  name: string;
  token: string;
  accuracy: number;
  /** Mean seconds per task (simulated, scaled down for the demo). */
  secondsPerTask: number;
}

/**
 * Runs annotators against the real annotator gRPC API until `stop` is set. Their answers come
 * from `truthOf(inputUri)` with their error rate, like people of known quality would.
 */
export async function runWorkforce(
  address: string,
  project: string,
  profiles: AnnotatorProfile[],
  truthOf: (inputUri: string) => 'ham' | 'spam' | undefined,
  stop: { done: boolean },
  onSubmit: () => void,
): Promise<void> {
  await Promise.all(
    profiles.map(async (p, k) => {
      const rnd = prng(1000 + k);
      const client = createGrpcClient(AnnotatorService, address, { token: p.token });
      try {
        while (!stop.done) {
          const { task } = await client.getNextTask({ projectId: project });
          if (!task) {
            await new Promise((r) => setTimeout(r, 200));
            continue;
          }
          const truth = truthOf(task.inputUri) ?? 'ham';
          const answer = rnd() < p.accuracy ? truth : truth === 'spam' ? 'ham' : 'spam';
          const ms = Math.round(p.secondsPerTask * 1000 * (0.5 + rnd()));
          await new Promise((r) => setTimeout(r, ms / 40)); // simulated time runs 40x faster
          await client.submitAnnotation({ taskId: task.taskId, label: { value: { case: 'classification', value: { classes: [answer] } } }, timeSpentMs: ms, idempotencyKey: `${task.taskId}:${p.name}` });
          onSubmit();
        }
      } finally {
        client.close();
      }
    }),
  );
}

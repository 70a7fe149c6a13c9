/**
 * A simulated annotator workforce working through the real annotator gRPC API
 * (AnnotatorService.GetNextTask / SubmitAnnotation, bearer token per person).
 */
import { AnnotatorService } from '@labelloop/contracts';
import { Mulberry32 } from '@labelloop/drift-stats';
import { sleep } from '@labelloop/messaging';
import { createGrpcClient } from '@labelloop/rpc';

/** A simulated person: answers from the truth with their own accuracy and speed. */
export interface AnnotatorProfile {
  name: string;
  token: string;
  /** Probability of giving the true class. */
  accuracy: number;
  /** Mean seconds per task (simulated; see `speedup`). */
  secondsPerTask: number;
  /** The one who clicks through: QA should notice. */
  careless?: boolean;
}

/** What one annotator did. */
export interface AnnotatorStats {
  answers: number;
  correct: number;
  /** Answers to tasks that showed the message's text (`content_text`), not only its URI. */
  shownText: number;
  /** QA paused them (GetNextTask answered FAILED_PRECONDITION). */
  paused: boolean;
  /** Their last GetNextTask found nothing to do. */
  idle: boolean;
}

/** The workforce used by the main job: three careful annotators and a careless, fast one. */
export function defaultProfiles(token: (name: string) => string): AnnotatorProfile[] {
  return [
    { name: 'ada', token: token('ada'), accuracy: 0.97, secondsPerTask: 8 },
    { name: 'grace', token: token('grace'), accuracy: 0.94, secondsPerTask: 11 },
    { name: 'alan', token: token('alan'), accuracy: 0.92, secondsPerTask: 9 },
    { name: 'linus', token: token('linus'), accuracy: 0.5, secondsPerTask: 3, careless: true },
  ];
}

/**
 * Runs the annotators until `stop()`. Answers come from `truthOf(inputUri)` (the corpus label
 * behind the task's input) flipped with each person's error rate; simulated working time
 * runs `speedup` times faster than real time and is reported as `time_spent_ms` unscaled.
 */
export class Workforce {
  readonly stats = new Map<string, AnnotatorStats>();
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly address: string,
    private readonly project: string,
    readonly profiles: AnnotatorProfile[],
    private readonly truthOf: (inputUri: string) => 'ham' | 'spam' | undefined,
    private readonly seed: number,
    private readonly speedup: number,
  ) {
    for (const p of profiles) this.stats.set(p.name, { answers: 0, correct: 0, shownText: 0, paused: false, idle: false });
  }

  start(): void {
    this.loops = this.profiles.map((p, k) => this.work(p, new Mulberry32(this.seed * 1000 + k)));
  }

  /** Every annotator is paused or found no task at their last look. */
  allIdle(): boolean {
    return [...this.stats.values()].every((s) => s.paused || s.idle);
  }

  /** Answers submitted so far, and how many of them were right. */
  totals(): { answers: number; correct: number } {
    let answers = 0;
    let correct = 0;
    for (const s of this.stats.values()) {
      answers += s.answers;
      correct += s.correct;
    }
    return { answers, correct };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async work(p: AnnotatorProfile, rnd: Mulberry32): Promise<void> {
    const s = this.stats.get(p.name) ?? { answers: 0, correct: 0, shownText: 0, paused: false, idle: false };
    const client = createGrpcClient(AnnotatorService, this.address, { token: p.token });
    try {
      while (!this.stopped && !s.paused) {
        try {
          const { task } = await client.getNextTask({ projectId: this.project });
          s.idle = !task;
          if (!task) {
            await sleep(200);
            continue;
          }
          const truth = this.truthOf(task.inputUri);
          if (!truth) throw new Error(`no truth for ${task.inputUri}`);
          const right = rnd.next() < p.accuracy;
          const answer = right ? truth : truth === 'spam' ? 'ham' : 'spam';
          const ms = Math.round(p.secondsPerTask * 1000 * (0.5 + rnd.next()));
          await sleep(ms / this.speedup);
          await client.submitAnnotation({
            taskId: task.taskId,
            label: { value: { case: 'classification', value: { classes: [answer] } } },
            timeSpentMs: ms,
            idempotencyKey: `${task.taskId}:${p.name}`,
          });
          s.answers++;
          if (right) s.correct++;
          if (task.contentText && !task.contentNote) s.shownText++;
        } catch (e) {
          const code = (e as { code?: number }).code;
          if (code === 9 && /paused/.test((e as Error).message))
            s.paused = true; // FAILED_PRECONDITION: paused by QA
          else if (!this.stopped) await sleep(300); // lease lost, task already answered, or a transient error: look again
        }
      }
    } finally {
      client.close();
    }
  }
}

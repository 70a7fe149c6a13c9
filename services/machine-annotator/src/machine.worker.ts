import { AnnotatorService, Task } from '@labelloop/contracts';
import type { MachineAnswer } from '@labelloop/machine-annotators';
import type { ServiceClient } from '@labelloop/rpc';
import type { ConfiguredMachine } from './machine.config';
import type { MachineMetrics } from './machine.metrics';

type Client = ServiceClient<(typeof AnnotatorService)['method']>;

/** What became of one task. */
export type Outcome = 'label' | 'abstain' | 'error';

/**
 * What a person is shown of the task: the item's text as dispatch resolved it (content_text,
 * redacted per project), else its (redacted) URI when the content is a URL or could not be
 * resolved.
 */
export function textOf(task: Task): string {
  return task.contentText || task.inputUri;
}

/** Runs the machine on a task's content, as a person sees it. */
export async function answerFor(m: ConfiguredMachine['machine'], annotator: string, task: Task): Promise<MachineAnswer> {
  const started = performance.now();
  const text = textOf(task);
  if (m.kind === 'lf') {
    const label = m.fn.apply({ text });
    const base = { annotator, cost: 0, latencyMs: performance.now() - started };
    return label === undefined ? { ...base, abstainReason: `rule ${m.fn.spec.name} does not hold` } : { ...base, label };
  }
  if (m.kind === 'model') return m.model.annotate({ id: task.itemId, text });
  return m.llm.annotate(text);
}

/**
 * One machine answering one project's tasks through AnnotatorService, exactly as a person's
 * tool does: GetNextTask (dispatch checks its token, project scope and QA pause), then
 * SubmitAnnotation with its label, or ReleaseTask when it abstains or its call fails, so the
 * task goes straight back to the queue for a person instead of waiting out the lease.
 */
export class MachineWorker {
  constructor(
    private readonly cfg: ConfiguredMachine,
    private readonly client: Client,
    private readonly metrics: MachineMetrics,
    private readonly log: (entry: Record<string, unknown>) => void,
  ) {}

  /** Handles the next task; undefined when dispatch had none for this machine. */
  async step(): Promise<Outcome | undefined> {
    const { task } = await this.client.getNextTask({ projectId: this.cfg.projectId });
    if (!task) return undefined;
    const labels = { project: this.cfg.projectId, annotator: this.cfg.annotator };
    const timer = this.metrics.callSeconds.startTimer(labels);
    let answer: MachineAnswer;
    try {
      answer = await answerFor(this.cfg.machine, this.cfg.annotator, task);
    } catch (e) {
      timer();
      await this.client.releaseTask({ taskId: task.taskId, reason: `error: ${(e as Error).message}` });
      this.metrics.answers.inc({ ...labels, outcome: 'error' });
      this.log({ level: 'warn', msg: 'machine call failed; task released', ...labels, taskId: task.taskId, error: (e as Error).message });
      return 'error';
    }
    timer();
    this.metrics.cost.inc(labels, answer.cost);
    if (answer.label === undefined) {
      await this.client.releaseTask({ taskId: task.taskId, reason: `abstained: ${answer.abstainReason ?? ''}` });
      this.metrics.answers.inc({ ...labels, outcome: 'abstain' });
      return 'abstain';
    }
    await this.client.submitAnnotation({
      taskId: task.taskId,
      label: { value: { case: 'classification', value: { classes: [answer.label] } } },
      timeSpentMs: Math.round(answer.latencyMs),
      // A retry after a lost reply is recognised by dispatch and returns the first result.
      idempotencyKey: `${this.cfg.annotator}:${task.taskId}`,
    });
    this.metrics.answers.inc({ ...labels, outcome: 'label' });
    return 'label';
  }
}

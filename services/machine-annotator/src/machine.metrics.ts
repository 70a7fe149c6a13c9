import { Counter, Histogram, Registry } from 'prom-client';

/** The runner's metrics, per project and machine identity (`annotator`). */
export class MachineMetrics {
  /** Tasks a machine handled: `outcome` = label (answer submitted), abstain (task released), error (call failed; task released). */
  readonly answers: Counter<'project' | 'annotator' | 'outcome'>;
  /** What the calls cost, from the reported token usage and the configured prices (LLM); 0 for rules and models. */
  readonly cost: Counter<'project' | 'annotator'>;
  readonly callSeconds: Histogram<'project' | 'annotator'>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.answers = new Counter({
      name: 'labelloop_machine_answers_total',
      help: 'Tasks a machine annotator handled, by outcome (label, abstain, error)',
      labelNames: ['project', 'annotator', 'outcome'],
      registers,
    });
    this.cost = new Counter({
      name: 'labelloop_machine_cost_total',
      help: "Cost of a machine annotator's calls in the project's currency (LLM token usage x configured price)",
      labelNames: ['project', 'annotator'],
      registers,
    });
    this.callSeconds = new Histogram({
      name: 'labelloop_machine_call_seconds',
      help: 'Time a machine annotator took to answer one task',
      labelNames: ['project', 'annotator'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }
}

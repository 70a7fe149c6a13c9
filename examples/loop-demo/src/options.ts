/**
 * Settings of the main job, their defaults, and the command line that sets them.
 */
import * as path from 'node:path';
import { parseArgs as parseFlags } from 'node:util';
import { REPO_ROOT, type SERVICES } from '@labelloop/testing';

/** Selection strategies the sampling service knows. */
export const STRATEGIES = ['least_confidence', 'margin', 'entropy', 'random', 'class_balance', 'k_center', 'hybrid'] as const;

/** Everything one run of the main job depends on. */
export interface MainJobOptions {
  /** Production events to stream: early held-out messages first, then the later groups. */
  events: number;
  /** Give up after this many seconds (the run then reports `completed: false`). */
  timeoutSeconds: number;
  /** Sampling strategy of the policy (`entropy`, `hybrid`, `random`, ...). */
  strategy: string;
  /** Seeds the stream order, model training and the simulated annotators. */
  seed: number;
  /** Production traffic rate. */
  eventsPerSecond: number;
  /** Events the inference service sends together; one burst is one sampling micro-batch. */
  burst: number;
  /** Items the strategy may pick per micro-batch (SamplingPolicy.micro_batch_size). */
  labelsPerBurst: number;
  /** Unbiased random audit share (go to the registry's test split). */
  auditRate: number;
  /**
   * Share of predictions whose reader reports the true label (delayed ground truth): drift
   * detection measures accuracy on them and calibrates its label-free estimate. They do not
   * steer sampling (its performance trigger is off), so two runs differ only in the strategy.
   */
  feedbackRate: number;
  /** Answers dispatch asks for per item at first (DISPATCH_OVERLAP). */
  overlap: number;
  /**
   * Adaptive overlap (QaPolicy.max_answers): while an item's consensus is below `gate`, QA asks
   * for one more answer, up to this many in all; 0 = off (the fixed `overlap` decides).
   */
  maxAnswers: number;
  /** QA's item gate: minimum consensus confidence (QaPolicy.min_confidence). */
  gate: number;
  /**
   * Machine annotators answer first (services/machine-annotator): labeling functions and a model
   * annotator asking the newest candidate (machines.ts). QA weighs them by Dawid–Skene like anyone.
   */
  machines: boolean;
  /** Dataset registry: cut a version after this many new accepted labels (REGISTRY_CUT_EVERY). */
  cutEvery: number;
  /** Recovered = within this much (absolute) of the pre-drift accuracy (capped, see figures.ts). */
  recoveryGap: number;
  /** Promotion rule: the candidate's accuracy must beat the champion's by this much. */
  minImprovement: number;
  /** Simulated human time runs this many times faster than real time. */
  humanSpeedup: number;
  /** Delete and recreate the LabelLoop topics first (local broker only). */
  resetTopics: boolean;
  /** Drop the run's database at the end. */
  dropDatabase: boolean;
  /** Where report folders go (`<reportRoot>/<runName>/`). */
  reportRoot: string;
  /** Report folder name (default: time, strategy and seed). */
  runName?: string;
  /** Rewrite the status line in place (a terminal) instead of printing changed lines. */
  live: boolean;
  /** Where progress lines go (default stdout). */
  log: (line: string) => void;
  /**
   * Called once the loop has settled and its figures are read, while the services and the
   * console still run (the main job's browser test looks at the console then); a failure is
   * the run's problem.
   */
  whileSettled?: (loop: SettledLoop) => Promise<void>;
}

/** A settled run, as `whileSettled` sees it. */
export interface SettledLoop {
  strategy: string;
  modelId: string;
  projectId: string;
  consoleUrl: string;
  /** The run's admin token (every project). */
  adminToken: string;
  /** A reviewer's token for the run's project. */
  viewerToken: string;
  /** host:port of a service's gRPC API. */
  grpc(service: (typeof SERVICES)[number]): string;
  reportDir: string;
}

/** The defaults: the whole SpamAssassin stream at 20 events/s, a few minutes on 2 cores. */
export function defaultOptions(): MainJobOptions {
  return {
    events: 2732,
    timeoutSeconds: 600,
    strategy: 'entropy',
    seed: 1,
    eventsPerSecond: 20,
    burst: 50,
    labelsPerBurst: 5,
    auditRate: 0.02,
    feedbackRate: 0.2,
    overlap: 3,
    maxAnswers: 0,
    gate: 0.7,
    machines: false,
    cutEvery: 50,
    recoveryGap: 0.01,
    minImprovement: 0.005,
    humanSpeedup: 50,
    resetTopics: false,
    dropDatabase: true,
    reportRoot: path.join(REPO_ROOT, 'reports', 'main-job'),
    live: false,
    log: (line) => process.stdout.write(`${line}\n`),
  };
}

/** Command-line flags (`--events 2732 --timeout 600 --strategy entropy --seed 1 --compare-random ...`). */
export interface Cli {
  options: MainJobOptions;
  compareRandom: boolean;
}

/** Numeric flags and the option each sets. */
const NUMERIC = {
  events: 'events',
  timeout: 'timeoutSeconds',
  seed: 'seed',
  rate: 'eventsPerSecond',
  burst: 'burst',
  'labels-per-burst': 'labelsPerBurst',
  'audit-rate': 'auditRate',
  'feedback-rate': 'feedbackRate',
  overlap: 'overlap',
  'max-answers': 'maxAnswers',
  gate: 'gate',
  'cut-every': 'cutEvery',
  'recovery-gap': 'recoveryGap',
  'min-improvement': 'minImprovement',
  'human-speedup': 'humanSpeedup',
} as const satisfies Record<string, keyof MainJobOptions>;

/** Parses `argv` (without node and script) over the defaults; throws on an unknown flag or bad value. */
export function parseArgs(argv: string[], base = defaultOptions()): Cli {
  const { values } = parseFlags({
    args: argv,
    strict: true,
    options: {
      'compare-random': { type: 'boolean' },
      'keep-topics': { type: 'boolean' },
      'reset-topics': { type: 'boolean' },
      'keep-database': { type: 'boolean' },
      machines: { type: 'boolean' },
      'no-machines': { type: 'boolean' },
      strategy: { type: 'string' },
      'run-name': { type: 'string' },
      'report-dir': { type: 'string' },
      ...Object.fromEntries(Object.keys(NUMERIC).map((k) => [k, { type: 'string' as const }])),
    },
  });
  const o = { ...base };
  if (values['keep-topics']) o.resetTopics = false;
  if (values['reset-topics']) o.resetTopics = true;
  if (values['keep-database']) o.dropDatabase = false;
  if (values.machines) o.machines = true;
  if (values['no-machines']) o.machines = false;
  if (typeof values.strategy === 'string') o.strategy = values.strategy;
  if (typeof values['run-name'] === 'string') o.runName = values['run-name'];
  if (typeof values['report-dir'] === 'string') o.reportRoot = path.resolve(values['report-dir']);
  for (const [flag, key] of Object.entries(NUMERIC)) {
    const raw = (values as Record<string, string | boolean | undefined>)[flag];
    if (raw === undefined) continue;
    const v = Number(raw);
    if (typeof raw !== 'string' || !Number.isFinite(v)) throw new Error(`--${flag} needs a number`);
    o[key] = v;
  }
  if (!(STRATEGIES as readonly string[]).includes(o.strategy)) throw new Error(`--strategy must be one of ${STRATEGIES.join(', ')}`);
  if (o.events < 200) throw new Error('--events must be at least 200');
  if (!(o.feedbackRate >= 0 && o.feedbackRate <= 1)) throw new Error('--feedback-rate must be in [0, 1]');
  if (!(Number.isInteger(o.overlap) && o.overlap >= 1 && o.overlap <= 10)) throw new Error('--overlap must be an integer in [1, 10]');
  if (!(Number.isInteger(o.maxAnswers) && o.maxAnswers >= 0 && o.maxAnswers <= 20)) throw new Error('--max-answers must be an integer in [0, 20]');
  if (o.maxAnswers > 0 && o.maxAnswers < o.overlap) throw new Error('--max-answers must be at least --overlap');
  if (!(o.gate >= 0 && o.gate <= 1)) throw new Error('--gate must be in [0, 1]');
  return { options: o, compareRandom: values['compare-random'] === true };
}

/**
 * The two profiles of the fault-injection suite, one implementation:
 *  - short: run by the jest e2e test in CI (aim: at most ~6 minutes on 2 cores);
 *  - full:  `bash scripts/fault-suite.sh --full` (at least 100,000 prediction events).
 *
 * Choose with FAULT_PROFILE=short|full; FAULT_EVENTS, FAULT_SEED, FAULT_KILLS,
 * FAULT_SELECT_SHARE, FAULT_SEND_SECONDS, FAULT_WINDOW_SECONDS, FAULT_DRAIN_SECONDS and
 * FAULT_OUTAGE_SECONDS override single figures (e.g. to replay a failing seed).
 */
export interface FaultProfile {
  name: 'short' | 'full';
  /** Prediction events sent (distinct ids). */
  events: number;
  /** Share of events sent with a confidence below the sampling threshold (they must all be selected). */
  selectShare: number;
  /** Events re-sent byte for byte (a producer retry), on top of `events`. */
  resendShare: number;
  /** Seconds over which the events are sent. */
  sendSeconds: number;
  /** Faults happen between FAULT_START_S and this many seconds into the run. */
  faultWindowSeconds: number;
  /** SIGKILLs per service (at least 3). */
  killsPerService: number;
  kafkaRestarts: number;
  postgresRestarts: number;
  /** Seconds the broker / database stays down between `stop` and `start`. */
  outageSeconds: number;
  /** After the last event and fault, how long the pipeline may take to settle. */
  drainTimeoutSeconds: number;
  /** Hard limit of the whole run: past it the harness stops restarting, sending and waiting, and fails. */
  budgetSeconds: number;
  /** Simulated annotators (at least DISPATCH_OVERLAP + 1, so rework always has a reviewer). */
  annotators: number;
  overlap: number;
  cutEvery: number;
  /** Seed of the traffic, the answers and the fault schedule (printed, so a run can be replayed). */
  seed: number;
}

/** Seconds into the run before the first fault (services up, traffic flowing). */
export const FAULT_START_S = 5;

const num = (name: string): number | undefined => {
  const v = process.env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${v}`);
  return n;
};

/** The profile selected by the environment. */
export function profileFromEnv(env: NodeJS.ProcessEnv = process.env): FaultProfile {
  const name = (env.FAULT_PROFILE ?? 'short') as FaultProfile['name'];
  if (name !== 'short' && name !== 'full') throw new Error(`FAULT_PROFILE must be short or full, got ${name}`);
  const base: FaultProfile =
    name === 'short'
      ? {
          name,
          events: 8000,
          selectShare: 0.1,
          resendShare: 0.02,
          sendSeconds: 70,
          faultWindowSeconds: 110,
          killsPerService: 3,
          kafkaRestarts: 1,
          postgresRestarts: 1,
          outageSeconds: 4,
          // Generous: on a developer's broker the shared topics hold earlier runs' events, which
          // every fresh consumer group reads first (CI starts from an empty broker).
          drainTimeoutSeconds: 300,
          budgetSeconds: 14 * 60,
          annotators: 5,
          overlap: 2,
          cutEvery: 100,
          seed: Math.floor(Math.random() * 2 ** 31),
        }
      : {
          name,
          events: 100_000,
          selectShare: 0.05,
          resendShare: 0.01,
          sendSeconds: 300,
          faultWindowSeconds: 330,
          killsPerService: 4,
          kafkaRestarts: 1,
          postgresRestarts: 1,
          outageSeconds: 10,
          drainTimeoutSeconds: 600,
          budgetSeconds: 55 * 60,
          annotators: 6,
          overlap: 2,
          cutEvery: 200,
          seed: Math.floor(Math.random() * 2 ** 31),
        };
  const p: FaultProfile = {
    ...base,
    events: num('FAULT_EVENTS') ?? base.events,
    seed: num('FAULT_SEED') ?? base.seed,
    killsPerService: num('FAULT_KILLS') ?? base.killsPerService,
    selectShare: num('FAULT_SELECT_SHARE') ?? base.selectShare,
    sendSeconds: num('FAULT_SEND_SECONDS') ?? base.sendSeconds,
    faultWindowSeconds: num('FAULT_WINDOW_SECONDS') ?? base.faultWindowSeconds,
    drainTimeoutSeconds: num('FAULT_DRAIN_SECONDS') ?? base.drainTimeoutSeconds,
    outageSeconds: num('FAULT_OUTAGE_SECONDS') ?? base.outageSeconds,
  };
  if (p.killsPerService < 3) throw new Error('FAULT_KILLS: the issue asks for at least three SIGKILLs per service');
  if (p.annotators < p.overlap + 1) throw new Error('need more annotators than the overlap (rework needs a fresh reviewer)');
  return p;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same traffic, answers and faults. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A number in [0, 1) from a string alone (per-event truth, independent of scheduling). */
export function hashUnit(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 13), 0x5bd1e995);
  return ((h ^ (h >>> 15)) >>> 0) / 4294967296;
}

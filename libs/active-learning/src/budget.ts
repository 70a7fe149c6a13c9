/**
 * Labelling budget accounting: per-hour, per-day and total caps.
 */

/** Budget caps; an omitted cap is unlimited. Each must be a non-negative integer. */
export interface BudgetLimits {
  /** Most labels in one UTC clock hour [h:00, h+1:00). */
  perHour?: number;
  /** Most labels in one UTC calendar day. */
  perDay?: number;
  /** Most labels ever. */
  total?: number;
}

/** JSON form of a {@link BudgetTracker} (plain numbers and objects only). */
export interface BudgetTrackerState {
  /** Format version. */
  version: 1;
  /** The caps. */
  limits: BudgetLimits;
  /** Labels granted so far. */
  totalUsed: number;
  /** Latest hour index (⌊ms / 3 600 000⌋) seen by a call, or null before the first call. */
  latestHour: number | null;
  /** Labels granted per hour index, for the 24 hours up to `latestHour`. */
  hours: Record<string, number>;
  /** Labels granted per UTC day index (⌊ms / 86 400 000⌋), for the latest day and the one before. */
  days: Record<string, number>;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const HOURS_KEPT = 24;

function checkLimit(name: string, v: number | undefined): void {
  if (v === undefined) return;
  if (!(Number.isInteger(v) && v >= 0)) throw new RangeError(`BudgetTracker: ${name} must be a non-negative integer, got ${v}`);
}

/**
 * Grants labelling requests without ever exceeding any cap.
 *
 * Windows are fixed UTC clock hours and calendar days (epoch-aligned), not sliding windows. The
 * tracker reads no clock: the caller passes the time, which makes it a pure state machine whose
 * state serialises to JSON ({@link BudgetTracker.toJSON}) and resumes exactly
 * ({@link BudgetTracker.fromJSON}). State is bounded: only the last 24 hour buckets and the last 2
 * day buckets are kept.
 *
 * Timestamps may arrive out of order. A request whose hour is within the 24 hours up to the latest
 * hour seen is charged to its own hour and day; an older request is refused (0 granted), because
 * its buckets have been discarded and granting it could exceed a cap. (Hence a wildly future
 * timestamp makes requests with correct times be refused until the clock catches up.)
 */
export class BudgetTracker {
  private totalUsed = 0;
  private latestHour: number | null = null;
  private readonly hours = new Map<number, number>();
  private readonly days = new Map<number, number>();
  /** The caps (a copy). */
  readonly limits: Readonly<BudgetLimits>;

  /**
   * @param limits - caps; omitted ones are unlimited.
   */
  constructor(limits: BudgetLimits) {
    checkLimit('perHour', limits.perHour);
    checkLimit('perDay', limits.perDay);
    checkLimit('total', limits.total);
    this.limits = Object.freeze({ ...limits });
  }

  /** Labels granted so far. */
  get used(): number {
    return this.totalUsed;
  }

  private bucketKeys(nowMs: number): { h: number; d: number; stale: boolean } {
    if (!Number.isFinite(nowMs)) throw new RangeError(`BudgetTracker: nowMs must be finite, got ${nowMs}`);
    const h = Math.floor(nowMs / HOUR_MS);
    const d = Math.floor(nowMs / DAY_MS);
    const stale = this.latestHour !== null && h <= this.latestHour - HOURS_KEPT;
    return { h, d, stale };
  }

  /** Move the latest hour forward (if `h` is later) and drop buckets that can no longer be charged. */
  private advance(h: number): void {
    if (this.latestHour !== null && h <= this.latestHour) return;
    this.latestHour = h;
    const oldestHour = h - HOURS_KEPT + 1;
    for (const k of this.hours.keys()) if (k < oldestHour) this.hours.delete(k);
    const oldestDay = Math.floor((oldestHour * HOUR_MS) / DAY_MS);
    for (const k of this.days.keys()) if (k < oldestDay) this.days.delete(k);
  }

  /**
   * How many labels could be granted at `nowMs` (without consuming any).
   * @param nowMs - time in epoch milliseconds.
   */
  available(nowMs: number): number {
    const { h, d, stale } = this.bucketKeys(nowMs);
    if (stale) return 0;
    const { perHour, perDay, total } = this.limits;
    let room = Infinity;
    if (perHour !== undefined) room = Math.min(room, perHour - (this.hours.get(h) ?? 0));
    if (perDay !== undefined) room = Math.min(room, perDay - (this.days.get(d) ?? 0));
    if (total !== undefined) room = Math.min(room, total - this.totalUsed);
    return Math.max(0, room);
  }

  /**
   * Labels granted in the UTC hour and day of `nowMs`, and in total (without consuming any).
   * A window with no grant yet, or whose bucket was already discarded, counts 0.
   * @param nowMs - time in epoch milliseconds.
   */
  usage(nowMs: number): { hour: number; day: number; total: number } {
    const { h, d } = this.bucketKeys(nowMs);
    return { hour: this.hours.get(h) ?? 0, day: this.days.get(d) ?? 0, total: this.totalUsed };
  }

  /**
   * Request `n` labels at time `nowMs` and consume as many as the caps allow.
   * @param n - labels wanted (non-negative integer).
   * @param nowMs - time in epoch milliseconds (UTC).
   * @returns how many were granted, min(n, room left in this hour, this day and in total); 0 for a stale timestamp.
   */
  tryConsume(n: number, nowMs: number): number {
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`BudgetTracker.tryConsume: n must be a non-negative integer, got ${n}`);
    const { h, d, stale } = this.bucketKeys(nowMs);
    if (stale) return 0;
    this.advance(h);
    const granted = Math.min(n, this.available(nowMs));
    if (granted > 0) {
      this.hours.set(h, (this.hours.get(h) ?? 0) + granted);
      this.days.set(d, (this.days.get(d) ?? 0) + granted);
      this.totalUsed += granted;
    }
    return granted;
  }

  /** Serialise to plain JSON. */
  toJSON(): BudgetTrackerState {
    return {
      version: 1,
      limits: { ...this.limits },
      totalUsed: this.totalUsed,
      latestHour: this.latestHour,
      hours: Object.fromEntries([...this.hours].map(([k, v]) => [String(k), v])),
      days: Object.fromEntries([...this.days].map(([k, v]) => [String(k), v])),
    };
  }

  /**
   * Resume a tracker from {@link BudgetTracker.toJSON} output.
   * @param state - serialised tracker.
   */
  static fromJSON(state: BudgetTrackerState): BudgetTracker {
    if (state.version !== 1) throw new TypeError(`BudgetTracker.fromJSON: unsupported version ${String(state.version)}`);
    const t = new BudgetTracker(state.limits);
    if (!(Number.isInteger(state.totalUsed) && state.totalUsed >= 0)) throw new TypeError('BudgetTracker.fromJSON: bad totalUsed');
    if (state.latestHour !== null && !Number.isInteger(state.latestHour)) throw new TypeError('BudgetTracker.fromJSON: bad latestHour');
    t.totalUsed = state.totalUsed;
    t.latestHour = state.latestHour;
    const load = (src: Record<string, number>, dst: Map<number, number>): void => {
      for (const [k, v] of Object.entries(src)) {
        const key = Number(k);
        if (!Number.isInteger(key) || !(Number.isInteger(v) && v >= 0)) throw new TypeError(`BudgetTracker.fromJSON: bad bucket ${k}: ${v}`);
        dst.set(key, v);
      }
    };
    load(state.hours, t.hours);
    load(state.days, t.days);
    return t;
  }
}

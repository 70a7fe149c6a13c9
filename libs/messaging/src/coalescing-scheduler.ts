import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { LoggerService } from '@nestjs/common';

/** What a chunk's retry loop needs from whoever fetched it. */
export interface ChunkControl {
  isRunning(): boolean;
  heartbeat(): Promise<void>;
}

/** Applies a chunk of one partition in its transaction, retrying until it commits; false when stopping. */
export type ApplyChunk = (chunk: KafkaMessage[], highWatermark: string, control: ChunkControl) => Promise<boolean>;

/** A partition's applied offset, as Kafka is told it. */
export interface AppliedOffset {
  topic: string;
  partition: number;
  offset: string;
}

/** CoalescingScheduler settings. */
export interface CoalescingSchedulerOptions {
  /** Max messages per transaction. */
  txBatch: number;
  /** How long fewer than `txBatch` messages may wait. */
  lingerMs: number;
  /** Aborted when the consumer stops: nothing more is applied. */
  signal: AbortSignal;
  /** Commits offsets to Kafka (a failure is logged: those messages are fetched again). */
  commitOffsets(offsets: AppliedOffset[]): Promise<void>;
  logger?: LoggerService;
}

/** A partition's messages waiting for their transaction. */
interface Waiting {
  topic: string;
  partition: number;
  msgs: KafkaMessage[];
  highWatermark: string;
  timer?: NodeJS.Timeout;
  /** The partition's work, one at a time and in offset order: a batch's, or the linger's. */
  turn: Promise<void>;
  /** The next offset not applied, to commit to Kafka (undefined: nothing new since the last commit). */
  applied?: string;
}

/**
 * EventConsumer's `coalesce` mode: gathers a partition's messages across fetches into
 * transactions of up to `txBatch`. Each fetched batch is handed back to kafkajs at once
 * (resolved, so it fetches on), and Kafka is told an offset only after the transaction that
 * applied it committed (the consumer runs without autoCommit). What waits is applied when its
 * partition is caught up, when `txBatch` is reached, or after `lingerMs`; a partition's work
 * runs one at a time, in offset order.
 */
export class CoalescingScheduler {
  private readonly waiting = new Map<string, Waiting>();
  private lastKafkaCommit = 0;

  constructor(private readonly opts: CoalescingSchedulerOptions) {}

  /**
   * Adds the batch to its partition's waiting messages and hands it back to kafkajs at once
   * (resolved), applying full chunks with `apply`, or all of it when the partition is caught up.
   */
  async add(p: EachBatchPayload, apply: ApplyChunk): Promise<void> {
    const { batch } = p;
    if (batch.messages.length === 0) return;
    const waiting = this.waitingOf(batch.topic, batch.partition);
    await this.inTurn(waiting, async () => {
      if (this.opts.signal.aborted || !p.isRunning() || p.isStale()) return;
      const last = waiting.msgs[waiting.msgs.length - 1];
      // Offsets at or before what waits: kafkajs went back to the committed offset (a
      // rebalance kept this partition here). What waits comes again in this batch.
      if (last && BigInt(batch.messages[0].offset) <= BigInt(last.offset)) waiting.msgs = [];
      for (const m of batch.messages) waiting.msgs.push(m);
      waiting.highWatermark = batch.highWatermark;
      p.resolveOffset(batch.messages[batch.messages.length - 1].offset);
      const caughtUp = batch.offsetLag() === '0';
      if (!(await this.applyWaiting(apply, waiting, p, caughtUp))) return;
      if (waiting.msgs.length > 0) this.linger(apply, waiting);
      // Caught up: Kafka hears it now (lag reads 0). Otherwise at most once a second.
      if (caughtUp || Date.now() - this.lastKafkaCommit >= 1000) await this.commitApplied();
      await p.heartbeat();
    });
  }

  /**
   * For a stop: lets a transaction in flight commit or roll back, then tells Kafka what was
   * applied. What still waits is left (drop it once kafkajs stopped).
   */
  async settle(): Promise<void> {
    await Promise.all([...this.waiting.values()].map((w) => w.turn));
    await this.commitApplied();
  }

  /**
   * Forgets what waits (a rebalance, a stop): it was neither applied nor committed, so it is
   * fetched again by whoever owns its partition next.
   */
  drop(): void {
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.timer = undefined;
      w.msgs = [];
    }
  }

  private waitingOf(topic: string, partition: number): Waiting {
    const key = `${topic}|${partition}`;
    let w = this.waiting.get(key);
    if (!w) this.waiting.set(key, (w = { topic, partition, msgs: [], highWatermark: '0', turn: Promise.resolve() }));
    return w;
  }

  /** Applies the waiting messages in chunks of `txBatch` (a last, short one too if `all`). False when stopping. */
  private async applyWaiting(apply: ApplyChunk, w: Waiting, control: ChunkControl, all: boolean): Promise<boolean> {
    while (w.msgs.length >= this.opts.txBatch || (all && w.msgs.length > 0)) {
      if (this.opts.signal.aborted || !control.isRunning()) return false;
      const chunk = w.msgs.slice(0, this.opts.txBatch);
      const ok = await apply(chunk, w.highWatermark, control);
      if (!ok) return false; // not applied, not committed: fetched again after a restart
      // A rebalance during the transaction dropped what waited; keep it dropped.
      if (w.msgs[0] === chunk[0]) w.msgs = w.msgs.slice(chunk.length);
      w.applied = (BigInt(chunk[chunk.length - 1].offset) + 1n).toString();
    }
    clearTimeout(w.timer);
    w.timer = undefined;
    return true;
  }

  /** Applies a partition's last few messages if no fetch has done so within `lingerMs`. */
  private linger(apply: ApplyChunk, w: Waiting): void {
    if (w.timer) return;
    w.timer = setTimeout(() => {
      w.timer = undefined;
      const control: ChunkControl = { isRunning: () => !this.opts.signal.aborted, heartbeat: async () => undefined };
      void this.inTurn(w, async () => {
        if (this.opts.signal.aborted || w.msgs.length === 0) return;
        if (await this.applyWaiting(apply, w, control, true)) await this.commitApplied();
      }).catch((err: Error) =>
        this.opts.logger?.error({ msg: 'applying waiting messages failed', topic: w.topic, partition: w.partition, error: err.message }, 'EventConsumer'),
      );
    }, this.opts.lingerMs);
    w.timer.unref?.();
  }

  /** Runs `work` once the partition's earlier work is done. */
  private inTurn(w: Waiting, work: () => Promise<void>): Promise<void> {
    const run = w.turn.then(work);
    w.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Tells Kafka the applied offsets. A lost commit (a rebalance under way) only means those
   * messages are fetched again, and the inbox skips them.
   */
  private async commitApplied(): Promise<void> {
    const offsets: AppliedOffset[] = [];
    for (const w of this.waiting.values()) {
      if (w.applied === undefined) continue;
      offsets.push({ topic: w.topic, partition: w.partition, offset: w.applied });
      w.applied = undefined;
    }
    this.lastKafkaCommit = Date.now();
    if (offsets.length === 0) return;
    await this.opts.commitOffsets(offsets).catch((err: Error) => {
      this.opts.logger?.warn({ msg: 'offset commit failed, those messages may be fetched again', error: err.message }, 'EventConsumer');
    });
  }
}

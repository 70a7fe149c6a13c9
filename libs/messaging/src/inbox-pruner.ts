import type { DataSource } from 'typeorm';
import type { LoggerService } from '@nestjs/common';
import type { Metrics } from '@labelloop/observability';
import { sleep } from './backoff';
import { prunedTables } from './pruned-table.repository';

/** A table of ids that recognise a repeat, pruned by the time each row was written. */
export interface PrunedTable {
  table: string;
  /** Its timestamptz column of when the row was written (indexed: the prune reads by it). */
  column: string;
}

/** The inbox and the compact inbox's chunks, in every service's schema. */
const INBOX_TABLES: PrunedTable[] = [
  { table: 'inbox', column: 'processed_at' },
  { table: 'inbox_chunk', column: 'processed_at' },
];

/** Inbox pruner settings. */
export interface InboxPrunerOptions {
  dataSource: DataSource;
  /** Rows older than this are deleted; 0 keeps every row. */
  retentionHours: number;
  /** Pause between prunes. */
  intervalMs: number;
  /** Rows deleted per statement (short transactions, no long lock on the table). */
  batch?: number;
  metrics?: Metrics;
  logger?: LoggerService;
  /**
   * The service's own tables of ids that recognise a repeat (e.g. the ids a client's retried
   * call must not publish twice), pruned with the inbox at the same retention.
   */
  tables?: PrunedTable[];
}

/**
 * Keeps the inbox from growing forever: every consumed event leaves a row, and the stage that
 * reads every prediction would otherwise keep one per prediction for good.
 *
 * A row is what recognises a redelivery, so it must outlive any chance of one. Kafka redelivers
 * only what its topic still holds, so a retention at least the topics' own retention (Kafka's
 * default, and this default: 7 days) loses no dedup. A DLQ replay later than that applies its
 * event once, like any replay, but a second replay of it would not be recognised.
 */
export class InboxPruner {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(private readonly opts: InboxPrunerOptions) {}

  start(): void {
    if (this.opts.retentionHours <= 0) return;
    this.loop = (async () => {
      while (!this.abort.signal.aborted) {
        try {
          await this.pruneOnce();
        } catch (e) {
          this.opts.logger?.warn({ msg: 'inbox prune failed, will retry', error: (e as Error).message }, 'InboxPruner');
        }
        await sleep(this.opts.intervalMs, this.abort.signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /**
   * Deletes every row older than the retention, a batch at a time, from the inbox, the
   * compact inbox's chunks and the service's own tables; returns how many.
   */
  async pruneOnce(): Promise<number> {
    let pruned = 0;
    for (const t of [...INBOX_TABLES, ...(this.opts.tables ?? [])]) pruned += await this.prune(t);
    return pruned;
  }

  private async prune({ table, column }: PrunedTable): Promise<number> {
    const batch = this.opts.batch ?? 10_000;
    let pruned = 0;
    for (;;) {
      const count = await prunedTables.deleteExpired(this.opts.dataSource, table, column, this.opts.retentionHours, batch);
      pruned += count;
      this.opts.metrics?.inboxPruned.inc(count);
      if (count < batch || this.abort.signal.aborted) return pruned;
    }
  }
}

import type { LoggerService } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { AuditHeadSchema, Topics } from '@labelloop/contracts';
import { Outbox, sleep } from '@labelloop/messaging';
import { AuditHead, DataSource, readAuditHead } from '@labelloop/persistence';

/** Audit-head publisher settings. */
export interface AuditHeadPublisherOptions {
  dataSource: DataSource;
  outbox: Outbox;
  /** The stage's schema, the key of its heads. */
  schema: string;
  /** Pause between reads of the head; 0 publishes nothing. */
  intervalMs: number;
  logger?: LoggerService;
}

/**
 * Publishes the stage's audit-log head (entries, last hash) to the audit-head topic when it
 * changed, once at start and then every interval, through the outbox. Kafka keeps the history,
 * so a chain rewritten later in PostgreSQL, every hash recomputed, no longer matches the heads
 * published before the rewrite (`audit:verify --heads-from-kafka`). Every replica publishes; a
 * head's event id is derived from the head, so the copies are one event to a consumer.
 */
export class AuditHeadPublisher {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private last?: string;

  constructor(private readonly opts: AuditHeadPublisherOptions) {}

  start(): void {
    if (this.opts.intervalMs <= 0) return;
    this.loop = (async () => {
      while (!this.abort.signal.aborted) {
        try {
          await this.publishOnce();
        } catch (e) {
          this.opts.logger?.warn({ msg: 'audit head not published, will retry', error: (e as Error).message }, 'AuditHeadPublisher');
        }
        await sleep(this.opts.intervalMs, this.abort.signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** Writes the current head to the outbox unless this process already did; returns it when written. */
  async publishOnce(): Promise<AuditHead | undefined> {
    const { schema, outbox } = this.opts;
    const head = await this.opts.dataSource.transaction(async (em) => {
      const head = await readAuditHead(em);
      if (head.entries === 0 || head.hash === this.last) return undefined;
      await outbox.emit(em, {
        topic: Topics.auditHead,
        key: schema,
        schema: AuditHeadSchema,
        message: { schema, entries: BigInt(head.entries), hash: head.hash, readAt: timestampFromDate(new Date()) },
        id: `audit-head/${schema}/${head.entries}/${head.hash}`,
      });
      return head;
    });
    if (head) this.last = head.hash;
    return head;
  }
}

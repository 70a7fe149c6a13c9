import type { Admin, Kafka } from 'kafkajs';
import type { Metrics } from '@labelloop/observability';

/**
 * Publishes consumer lag (high watermark − committed offset, per topic partition) as
 * `labelloop_consumer_lag`: the signal to scale a stage on, and to alert on when it grows.
 */
export class LagMonitor {
  private timer?: NodeJS.Timeout;
  private admin?: Admin;

  constructor(
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly topics: string[],
    private readonly metrics: Metrics,
    private readonly intervalMs = 15_000,
  ) {}

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    void this.sample().catch(() => undefined);
    this.timer = setInterval(() => void this.sample().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  /** Reads offsets once and updates the gauge. */
  async sample(): Promise<void> {
    if (!this.admin) return;
    const committed = await this.admin.fetchOffsets({ groupId: this.groupId, topics: this.topics });
    for (const t of committed) {
      const high = new Map((await this.admin.fetchTopicOffsets(t.topic)).map((o) => [o.partition, BigInt(o.high)]));
      for (const p of t.partitions) {
        const done = p.offset === '-1' ? 0n : BigInt(p.offset);
        const lag = (high.get(p.partition) ?? 0n) - done;
        this.metrics.consumerLag.set({ topic: t.topic, partition: String(p.partition) }, Number(lag > 0n ? lag : 0n));
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

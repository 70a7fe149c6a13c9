import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per process with the metric names every LabelLoop service
 * shares (`labelloop_*`, label `topic` where it applies). Business metrics of a stage are
 * registered on the same registry by that stage.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly eventsConsumed: Counter<'topic'>;
  readonly eventsProduced: Counter<'topic'>;
  readonly eventsFailed: Counter<'topic' | 'reason'>;
  readonly dlqMessages: Counter<'topic'>;
  readonly duplicatesSkipped: Counter<'topic'>;
  readonly processingSeconds: Histogram<'topic'>;
  readonly outboxBacklog: Gauge;
  readonly outboxParked: Counter<'topic'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly inboxPruned: Counter;

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry, prefix: 'labelloop_' });
    const r = [this.registry];
    this.eventsConsumed = new Counter({
      name: 'labelloop_events_consumed_total',
      help: 'Events processed (committed) per topic',
      labelNames: ['topic'],
      registers: r,
    });
    this.eventsProduced = new Counter({
      name: 'labelloop_events_produced_total',
      help: 'Events published to Kafka by the outbox relay',
      labelNames: ['topic'],
      registers: r,
    });
    this.eventsFailed = new Counter({
      name: 'labelloop_events_failed_total',
      help: 'Events that could not be processed, by reason',
      labelNames: ['topic', 'reason'],
      registers: r,
    });
    this.dlqMessages = new Counter({
      name: 'labelloop_dlq_messages_total',
      help: 'Messages sent to a dead-letter topic, by source topic',
      labelNames: ['topic'],
      registers: r,
    });
    this.duplicatesSkipped = new Counter({
      name: 'labelloop_events_duplicate_total',
      help: 'Redelivered events recognised by the inbox and skipped',
      labelNames: ['topic'],
      registers: r,
    });
    this.processingSeconds = new Histogram({
      name: 'labelloop_event_processing_seconds',
      help: 'Time to process one consumed batch transaction, per topic',
      labelNames: ['topic'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: r,
    });
    this.outboxBacklog = new Gauge({ name: 'labelloop_outbox_backlog', help: 'Outbox rows waiting to be published (parked rows not included)', registers: r });
    this.outboxParked = new Counter({
      name: 'labelloop_outbox_parked_total',
      help: "Outbox rows the broker refused for their size, parked with status 'oversize' (docs/runbook.md)",
      labelNames: ['topic'],
      registers: r,
    });
    this.consumerLag = new Gauge({
      name: 'labelloop_consumer_lag',
      help: 'High watermark minus committed offset',
      labelNames: ['topic', 'partition'],
      registers: r,
    });
    this.inboxPruned = new Counter({
      name: 'labelloop_inbox_pruned_total',
      help: 'Inbox rows and compact-inbox chunks deleted after INBOX_RETENTION_HOURS',
      registers: r,
    });
  }
}

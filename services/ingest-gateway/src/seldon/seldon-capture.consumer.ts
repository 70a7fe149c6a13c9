import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { Counter } from 'prom-client';
import type { Metrics } from '@labelloop/observability';
import type { Principal } from '@labelloop/rpc';
import { CONFIG, KAFKA, LOGGER, METRICS, ReadinessProbe } from '@labelloop/runtime';
import type { GatewayConfig } from '../gateway.config';
import { FieldError } from '../ingest/ingest-json';
import { KserveIntake } from '../kserve/kserve-intake.service';
import { decodeInferMessage } from './open-inference';
import { parseSeldonTopic, seldonTopicPattern } from './seldon-topics';

/** The capture writes for every project: the operator chose the namespaces and set the mappings. */
const CAPTURE: Principal = { subject: 'seldon-capture', roles: ['service'], projects: ['*'] };

/**
 * Zero-code capture from Seldon Core 2: consumes the model topics of SELDON_NAMESPACES, pairs
 * each ModelInferRequest (`.inputs`) with its ModelInferResponse (`.outputs`) by request id
 * (the `x-request-id` header, else the record key) and maps the pair through the model's
 * capture mapping (the KServe mappings, by model name) into PredictionEvents, in one
 * transaction with the ids (a redelivered record changes nothing). A record it cannot map (no
 * mapping, a body that does not fit) is logged and counted, then committed: it never blocks the
 * partition. Any other failure (the database) is retried from that record.
 */
@Injectable()
export class SeldonCapture implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Read by /readyz. */
  healthy = true;
  private consumer?: Consumer;
  private topics = new Set<string>();
  private refresh?: NodeJS.Timeout;
  private readonly records: Counter<'outcome'>;
  private readonly pattern: RegExp;

  constructor(
    @Inject(CONFIG) private readonly config: GatewayConfig,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(LOGGER) private readonly logger: LoggerService,
    @Inject(METRICS) metrics: Metrics,
    private readonly readiness: ReadinessProbe,
    private readonly intake: KserveIntake,
  ) {
    this.pattern = seldonTopicPattern(config.SELDON_TOPIC_PREFIX, config.SELDON_NAMESPACES);
    this.records = new Counter({
      name: 'labelloop_seldon_capture_records_total',
      help: 'Seldon model-topic records by outcome (pending, ingested, duplicate, unmapped)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SELDON_NAMESPACES.length === 0) return;
    this.readiness.register('seldon-capture', this);
    await this.start();
    // kafkajs resolves a subscription's pattern once: a model loaded later is picked up here.
    this.refresh = setInterval(() => void this.resubscribeIfNew(), this.config.SELDON_TOPIC_REFRESH_SECONDS * 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.refresh);
    await this.consumer?.disconnect();
  }

  private async matchingTopics(): Promise<string[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.listTopics()).filter((t) => this.pattern.test(t));
    } finally {
      await admin.disconnect();
    }
  }

  private async start(): Promise<void> {
    this.topics = new Set(await this.matchingTopics());
    this.logger.log({ msg: 'Seldon capture subscribing', topics: [...this.topics] }, 'SeldonCapture');
    if (this.topics.size === 0) return;
    const c = this.kafka.consumer({ groupId: this.config.SELDON_CONSUMER_GROUP, retry: { retries: 10, restartOnFailure: async () => true } });
    this.consumer = c;
    c.on(c.events.CRASH, (e) => {
      this.healthy = false;
      this.logger.error({ msg: 'Seldon capture consumer crashed', error: e.payload.error?.message, restart: e.payload.restart }, 'SeldonCapture');
    });
    c.on(c.events.GROUP_JOIN, () => (this.healthy = true));
    await c.connect();
    // From the beginning on a first start: what the topics hold (their retention) is captured.
    await c.subscribe({ topics: [...this.topics], fromBeginning: true });
    await c.run({ eachMessage: ({ topic, message }) => this.handle(topic, message) });
  }

  private async resubscribeIfNew(): Promise<void> {
    try {
      const now = await this.matchingTopics();
      if (now.every((t) => this.topics.has(t))) return;
      await this.consumer?.disconnect();
      await this.start();
    } catch (e) {
      this.logger.warn({ msg: 'Seldon capture could not refresh its topics', error: (e as Error).message }, 'SeldonCapture');
    }
  }

  private async handle(topic: string, message: KafkaMessage): Promise<void> {
    const t = parseSeldonTopic(this.pattern, topic);
    if (!t) return;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = String(Array.isArray(v) ? v[0] : v);
    const id = headers['x-request-id'] || message.key?.toString();
    try {
      if (!id) throw new FieldError('x-request-id', 'neither the header nor the record key gives a request id');
      const value = message.value ?? Buffer.alloc(0);
      const json = (headers['seldon-infer-type'] ?? '').startsWith('json/');
      const body = json ? JSON.parse(value.toString('utf8')) : decodeInferMessage(value, t.part);
      const attributes = { namespace: t.namespace, time: new Date(Number(message.timestamp)).toISOString() };
      const out = await this.intake.pair(
        CAPTURE,
        { origin: 'seldon', id, name: t.model, part: t.part, body, attributes },
        'topic',
        `PUT /v1/kserve/mappings/${t.model}`,
      );
      this.records.inc({ outcome: out.status });
    } catch (e) {
      if (!(e instanceof FieldError) && !(e instanceof SyntaxError)) throw e; // retried from this record
      this.records.inc({ outcome: 'unmapped' });
      this.logger.warn({ msg: 'Seldon record not captured', topic, offset: message.offset, requestId: id, problem: e.message }, 'SeldonCapture');
    }
  }
}

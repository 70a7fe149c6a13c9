import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';
import { isObservable, lastValueFrom } from 'rxjs';
import type { EventHandler } from '@labelloop/messaging';
import type { ConsumesExtras } from './consumes.decorator';
import type { HealthSource } from './readiness';

/** The consumer the transport drives (EventConsumer in a service). */
export interface TopicConsumer extends HealthSource {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Nest transport over the exactly-once EventConsumer (inbox, outbox, DLQ, one transaction per
 * batch): each `@Consumes` handler Nest discovered in a module's controllers becomes an
 * EventHandler of its topic. The handler runs inside the batch's transaction, is awaited to its
 * end, and its errors reach the consumer unchanged (see RethrowToTransport).
 */
export class KafkaInboxTransport extends Server implements CustomTransportStrategy {
  /** The running consumer, once listening with at least one handler. */
  consumer?: TopicConsumer;
  private stopping?: Promise<void>;

  /** @param createConsumer builds the consumer of these handlers (the service's EventConsumer options). */
  constructor(private readonly createConsumer: (handlers: EventHandler[]) => TopicConsumer) {
    super();
  }

  /** The topics of the discovered handlers. */
  get topics(): string[] {
    return [...this.messageHandlers.keys()];
  }

  /** The EventHandlers built from the discovered handlers (one per topic). */
  handlers(): EventHandler[] {
    return [...this.messageHandlers].map(([topic, handler]) => toEventHandler(topic, handler));
  }

  listen(callback: (err?: unknown) => void): void {
    let handlers: EventHandler[];
    try {
      handlers = this.handlers();
    } catch (err) {
      return callback(err);
    }
    if (!handlers.length) return callback();
    const consumer = this.createConsumer(handlers);
    this.consumer = consumer;
    consumer.start().then(() => callback(), callback);
  }

  close(): Promise<void> {
    return (this.stopping ??= this.consumer?.stop() ?? Promise.resolve());
  }

  on(): never {
    throw new Error('KafkaInboxTransport has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}

function toEventHandler(topic: string, handler: MessageHandler): EventHandler {
  if (!handler.isEventHandler) throw new Error(`${topic}: a Kafka topic is consumed by an event handler (@Consumes), not a @MessagePattern`);
  if (handler.next) throw new Error(`${topic}: two handlers consume this topic in one service; one handler per topic`);
  const { schema, validate } = (handler.extras ?? {}) as Partial<ConsumesExtras>;
  if (!schema) throw new Error(`${topic}: the handler names no protobuf schema; declare it with @Consumes(topic, Schema)`);
  return {
    topic,
    schema,
    validate,
    async handle(events, em: EntityManager) {
      const out: unknown = await handler(events, em);
      if (isObservable(out)) await lastValueFrom(out, { defaultValue: undefined });
    },
  };
}

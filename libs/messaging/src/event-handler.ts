import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import type { Envelope } from './envelope';

/** One decoded event handed to a handler. */
export interface ConsumedEvent<T> {
  /** CloudEvents id (ce_id): the idempotency key of this event. */
  id: string;
  envelope: Envelope;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  message: T;
  /** The message's bytes as consumed (what `message` was decoded from). */
  value: Buffer;
  /** traceparent of this event's processing span: pass it to `Outbox.emit` for what it causes. */
  traceparent?: string;
}

/** Handles the events of one topic, a batch at a time, inside one database transaction. */
export interface EventHandler<D extends DescMessage = DescMessage> {
  topic: string;
  schema: D;
  /**
   * Returns a reason when the message is invalid (it goes to the DLQ), undefined when valid.
   * Runs before the transaction; must be pure.
   */
  validate?(message: MessageShape<D>): string | undefined;
  /**
   * Applies the events' effects with `em` (one transaction; the inbox has already filtered
   * out redeliveries). Throw PoisonMessageError to dead-letter one event; any other error
   * rolls the whole batch back and it is retried.
   */
  handle(events: ConsumedEvent<MessageShape<D>>[], em: EntityManager): Promise<void>;
}

import { randomUUID } from 'node:crypto';
import { create, DescMessage, MessageInitShape, MessageShape, toBinary } from '@bufbuild/protobuf';
import type { EntityManager } from 'typeorm';
import { currentTraceparent } from '@labelloop/observability';
import { envelopeHeaders } from './envelope';
import { outboxRows } from './outbox.repository';

/** One event to publish. */
export interface OutgoingEvent<D extends DescMessage> {
  topic: string;
  /** Partition key: the entity whose order matters. */
  key: string;
  schema: D;
  message: MessageShape<D> | MessageInitShape<D>;
  /** CloudEvents id; defaults to a new UUID. Derive it deterministically when a retry could emit twice. */
  id?: string;
  /** W3C traceparent to continue; defaults to the active span. */
  traceparent?: string;
}

/** A raw record for the outbox (used for dead letters, which keep the original bytes). */
export interface RawOutboxRecord {
  topic: string;
  key: string | null;
  headers: Record<string, string>;
  payload: Buffer;
}

/**
 * Writes events into the service's outbox table inside the caller's transaction, so the
 * event is published if and only if the state change commits (no dual writes).
 */
export class Outbox {
  constructor(private readonly source: string) {}

  /** Serialises `event` and inserts it into the outbox within `em`'s transaction. */
  async emit<D extends DescMessage>(em: EntityManager, event: OutgoingEvent<D>): Promise<string> {
    const record = this.toRecord(event);
    await this.insert(em, [record]);
    return record.headers.ce_id;
  }

  /** Inserts many events with one statement (the batch path of busy stages). */
  async emitMany<D extends DescMessage>(em: EntityManager, events: OutgoingEvent<D>[]): Promise<void> {
    if (events.length > 0)
      await this.insert(
        em,
        events.map((e) => this.toRecord(e)),
      );
  }

  /** Inserts pre-built records (dead letters). */
  async insert(em: EntityManager, records: RawOutboxRecord[]): Promise<void> {
    if (records.length === 0) return;
    await outboxRows.insert(
      em,
      records.map((r) => r.topic),
      records.map((r) => r.key),
      records.map((r) => JSON.stringify(r.headers)),
      records.map((r) => r.payload),
    );
  }

  private toRecord<D extends DescMessage>(event: OutgoingEvent<D>): RawOutboxRecord {
    const msg = create(event.schema, event.message as MessageInitShape<D>);
    const payload = Buffer.from(toBinary(event.schema, msg));
    const headers = envelopeHeaders(
      {
        id: event.id ?? randomUUID(),
        type: event.schema.typeName,
        source: this.source,
        time: new Date().toISOString(),
        traceparent: event.traceparent ?? currentTraceparent(),
      },
      payload,
    );
    return { topic: event.topic, key: event.key, headers, payload };
  }
}

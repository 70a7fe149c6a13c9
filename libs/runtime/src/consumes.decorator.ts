import { ArgumentsHost, Catch, RpcExceptionFilter, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { Observable, throwError } from 'rxjs';

/** What `@Consumes` stores in the pattern's extras: how the transport decodes and checks a message. */
export interface ConsumesExtras<D extends DescMessage = DescMessage> {
  /** The protobuf schema of the topic's messages. */
  schema: D;
  /** Returns a reason when a message is invalid (it goes to the DLQ); pure, runs before the transaction. */
  validate?: (message: MessageShape<D>) => string | undefined;
}

/**
 * Hands every error back to the transport unchanged. Nest's default RPC filter would turn an
 * unknown error into `{ status: 'error' }`; the consumer needs the error itself: a
 * PoisonMessageError dead-letters one event, a PostgreSQL SQLSTATE decides between retry and DLQ.
 */
@Catch()
export class RethrowToTransport implements RpcExceptionFilter {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Marks a controller method as the handler of a Kafka topic, consumed exactly once by
 * KafkaInboxTransport: `@Consumes(Topics.x, XSchema)` over `handle(events, em)`, which receives a
 * batch of decoded events and the transaction's EntityManager (Nest's `@Payload()` and `@Ctx()`,
 * implied).
 * The validator is `validate`, or else the class's own `validate` method (called without an
 * instance: it must be pure). Composed over `@EventPattern`, so Nest discovers it in the
 * module's controllers.
 */
export function Consumes<D extends DescMessage>(topic: string, schema: D, validate?: (message: MessageShape<D>) => string | undefined): MethodDecorator {
  return (target, key, descriptor) => {
    const own = (target as { validate?: unknown }).validate;
    const extras: ConsumesExtras<D> = { schema, validate: validate ?? (typeof own === 'function' ? (own as ConsumesExtras<D>['validate']) : undefined) };
    EventPattern(topic, extras as unknown as Record<string, unknown>)(target, key, descriptor);
    UseFilters(new RethrowToTransport())(target, key, descriptor);
    Payload()(target, key, 0);
    Ctx()(target, key, 1);
  };
}

import 'reflect-metadata';
import { Controller, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { create } from '@bufbuild/protobuf';
import { ModelPromoted, ModelPromotedSchema, Topics } from '@labelloop/contracts';
import { ConsumedEvent, EventHandler, PoisonMessageError, sleep } from '@labelloop/messaging';
import type { EntityManager } from '@labelloop/persistence';
import { Consumes } from './consumes.decorator';
import { KafkaInboxTransport } from './kafka-inbox.transport';

const seen: { events: ConsumedEvent<ModelPromoted>[]; em: unknown; finished: boolean }[] = [];
let failWith: unknown;

@Controller()
class PromotedConsumer {
  validate(p: ModelPromoted): string | undefined {
    return p.modelId ? undefined : 'model_id is required';
  }

  @Consumes(Topics.modelPromoted, ModelPromotedSchema)
  async handle(events: ConsumedEvent<ModelPromoted>[], em: EntityManager): Promise<void> {
    const call = { events, em: em as unknown, finished: false };
    seen.push(call);
    await sleep(20);
    if (failWith) throw failWith;
    call.finished = true;
  }
}

/** Starts a Nest microservice of `controllers` on the transport; resolves the handlers it built. */
async function discovered(controllers: Type<unknown>[]): Promise<{ handlers: EventHandler[]; close: () => Promise<void> }> {
  @Module({ controllers })
  class TestModule {}
  let handlers: EventHandler[] = [];
  const transport = new KafkaInboxTransport((hs) => {
    handlers = hs;
    return { healthy: true, start: async () => undefined, stop: async () => undefined };
  });
  const app = await NestFactory.createMicroservice(TestModule, { strategy: transport, logger: false });
  await app.listen();
  return { handlers, close: () => app.close() };
}

const event = (modelId: string): ConsumedEvent<ModelPromoted> => ({
  id: `ev-${modelId}`,
  envelope: {} as ConsumedEvent<ModelPromoted>['envelope'],
  topic: Topics.modelPromoted,
  partition: 0,
  offset: '0',
  key: modelId,
  message: create(ModelPromotedSchema, { modelId, modelVersion: 'v2' }),
  value: Buffer.alloc(0),
});

describe('KafkaInboxTransport', () => {
  beforeEach(() => {
    seen.length = 0;
    failWith = undefined;
  });

  it('turns each @Consumes handler of a controller into the EventHandler of its topic', async () => {
    const { handlers, close } = await discovered([PromotedConsumer]);
    try {
      expect(handlers.map((h) => h.topic)).toEqual([Topics.modelPromoted]);
      expect(handlers[0].schema).toBe(ModelPromotedSchema);
      expect(handlers[0].validate?.(create(ModelPromotedSchema, {}))).toBe('model_id is required');
      expect(handlers[0].validate?.(create(ModelPromotedSchema, { modelId: 'm' }))).toBeUndefined();
    } finally {
      await close();
    }
  });

  it('hands the batch and the transaction to the handler and resolves only when it has finished', async () => {
    const { handlers, close } = await discovered([PromotedConsumer]);
    try {
      const em = { marker: 'the transaction' } as unknown as EntityManager;
      await handlers[0].handle([event('m1'), event('m2')], em);
      expect(seen).toHaveLength(1);
      expect(seen[0].events.map((e) => e.message.modelId)).toEqual(['m1', 'm2']);
      expect(seen[0].em).toBe(em);
      expect(seen[0].finished).toBe(true);
    } finally {
      await close();
    }
  });

  it('passes a PoisonMessageError and a PostgreSQL error to the consumer unchanged', async () => {
    const { handlers, close } = await discovered([PromotedConsumer]);
    try {
      const poison = new PoisonMessageError('ev-m1', 'unknown model');
      failWith = poison;
      await expect(handlers[0].handle([event('m1')], {} as EntityManager)).rejects.toBe(poison);
      const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
      failWith = deadlock;
      await expect(handlers[0].handle([event('m1')], {} as EntityManager)).rejects.toBe(deadlock);
    } finally {
      await close();
    }
  });

  it('refuses to start with two handlers of one topic', async () => {
    @Controller()
    class AgainConsumer {
      @Consumes(Topics.modelPromoted, ModelPromotedSchema)
      async handle(): Promise<void> {
        // never called: the service must refuse to start
      }
    }
    await expect(discovered([PromotedConsumer, AgainConsumer])).rejects.toThrow(`${Topics.modelPromoted}: two handlers consume this topic`);
  });
});

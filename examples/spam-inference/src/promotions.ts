/**
 * Hot swap: listen to `labelloop.model.promoted.v1` and hand each promotion of our model to
 * the caller, which loads the promoted version's weights and serves them from the next request.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { Kafka } from 'kafkajs';
import { ModelPromotedSchema, Topics } from '@labelloop/contracts';
import { readEnvelope } from '@labelloop/messaging';

/** One promotion of our model. */
export interface Promotion {
  version: string;
  previousVersion: string;
  datasetVersionId: string;
  promotedAt: Date;
}

/**
 * Starts a consumer of ModelPromoted events for `modelId` and resolves once it has joined its
 * group (from then on no promotion is missed). A new group starts at the end of the topic:
 * promotions from before the service started are not replayed. Returns a stop function.
 */
export async function listenForPromotions(
  kafka: Kafka,
  groupId: string,
  modelId: string,
  onPromotion: (p: Promotion) => Promise<void> | void,
): Promise<() => Promise<void>> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.modelPromoted, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      try {
        readEnvelope(message.headers, ModelPromotedSchema.typeName);
      } catch {
        return; // not a LabelLoop ModelPromoted event: not ours to judge
      }
      const p = fromBinary(ModelPromotedSchema, message.value ?? new Uint8Array());
      if (p.modelId !== modelId) return;
      await onPromotion({
        version: p.modelVersion,
        previousVersion: p.previousVersion,
        datasetVersionId: p.datasetVersionId,
        promotedAt: p.promotedAt ? timestampDate(p.promotedAt) : new Date(),
      });
    },
  });
  await joined;
  return async () => {
    await consumer.stop().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
  };
}

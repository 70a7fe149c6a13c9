import { randomUUID } from 'node:crypto';
import { fromBinary } from '@bufbuild/protobuf';
import { AuditHeadSchema, Topics } from '@labelloop/contracts';
import { baseConfigSchema, loadConfig } from '@labelloop/config';
import { createKafka } from '@labelloop/messaging';
import type { AuditHead } from '@labelloop/persistence';

/**
 * Every audit-log head the stages published to the audit-head topic for `schemas`, read from the
 * beginning up to the end offsets taken at start (Kafka connection from the usual variables).
 */
export async function readPublishedHeads(schemas: string[], timeoutMs = 60_000): Promise<{ schema: string; head: AuditHead }[]> {
  const config = loadConfig(baseConfigSchema.pick({ KAFKA_BROKERS: true, KAFKA_SSL: true, KAFKA_SASL_MECHANISM: true, KAFKA_SASL_USERNAME: true }));
  const kafka = createKafka('labelloop-audit-verify', config);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(Topics.auditHead)).map((o) => [o.partition, BigInt(o.high)]));
  await admin.disconnect();
  const remaining = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  const heads: { schema: string; head: AuditHead }[] = [];
  if (remaining.size === 0) return heads;
  // A group of its own, committing nothing: every run reads the whole history.
  const consumer = kafka.consumer({ groupId: `labelloop-audit-verify-${randomUUID()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: Topics.auditHead, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${Topics.auditHead} took over ${timeoutMs / 1000} s`)), timeoutMs);
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition) ?? 0n;
            if (BigInt(message.offset) < end && message.value) {
              const h = fromBinary(AuditHeadSchema, message.value);
              const at = h.readAt ? new Date(Number(h.readAt.seconds) * 1000).toISOString() : '?';
              if (schemas.includes(h.schema) && h.entries > 0n) {
                heads.push({
                  schema: h.schema,
                  head: { entries: Number(h.entries), hash: h.hash, source: `published ${at}, ${Topics.auditHead} offset ${partition}/${message.offset}` },
                });
              }
            }
            if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return heads;
}

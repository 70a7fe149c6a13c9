import type { Kafka } from 'kafkajs';
import { allTopics } from '@labelloop/contracts';
import { sleep } from '@labelloop/messaging';

/** End offsets (high watermarks) of topics: where a run's records begin. */
export type TopicEnds = Map<string, { partition: number; offset: string }[]>;

/** The current end of `topics` (default: every LabelLoop topic and DLQ); retries topics whose leader is not elected yet. */
export async function topicEnds(kafka: Kafka, topics: string[] = allTopics().map((t) => t.topic)): Promise<TopicEnds> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: TopicEnds = new Map();
    for (const topic of topics) {
      for (let attempt = 0; ; attempt++) {
        try {
          out.set(
            topic,
            (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.high })),
          );
          break;
        } catch (e) {
          if (attempt >= 20) throw e;
          await sleep(500);
        }
      }
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Makes brand-new consumer groups start at `ends` instead of the beginning. The services'
 * groups read from the beginning when they have no offsets; on a shared broker the beginning
 * holds every earlier run's events (hundreds of thousands after a full test run), which a run
 * would otherwise chew through first, and which are not part of what it checks. Each group
 * joins once with all its topics, commits the ends and leaves (side by side, one client each).
 * Without `ends`, the groups' topics' ends as they are now.
 */
export async function startGroupsAt(kafka: Kafka, groups: { groupId: string; topics: string[] }[], ends?: TopicEnds, timeoutMs = 120_000): Promise<void> {
  const at = ends ?? (await topicEnds(kafka, [...new Set(groups.flatMap((g) => g.topics))]));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`starting the consumer groups at the topics' end took over ${timeoutMs} ms`)), timeoutMs);
  });
  const work = Promise.all(
    groups.map(async ({ groupId, topics }) => {
      // A topic nothing was ever written to needs nothing: its beginning is its end.
      const offsets = topics.flatMap((topic) => (at.get(topic) ?? []).filter((p) => p.offset !== '0').map((p) => ({ topic, ...p })));
      if (offsets.length === 0) return;
      const c = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500 });
      const joined = new Promise<void>((r) => c.on(c.events.GROUP_JOIN, () => r()));
      await c.connect();
      try {
        await c.subscribe({ topics: [...new Set(offsets.map((o) => o.topic))], fromBeginning: false });
        await c.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
        await joined;
        await c.commitOffsets(offsets);
      } finally {
        await c.stop().catch(() => undefined);
        await c.disconnect().catch(() => undefined);
      }
    }),
  );
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

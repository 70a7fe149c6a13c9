import type { Kafka } from 'kafkajs';
import { allTopics, Topics } from '@labelloop/contracts';

/**
 * The topics each service consumes (its handlers). A topic missing here is still consumed,
 * just from its beginning: slower on a busy broker, never wrong (reconciliation filters by id).
 */
export const SUBSCRIPTIONS: Record<string, string[]> = {
  'drift-detection': [Topics.predictionRecorded, Topics.modelPromoted],
  sampling: [Topics.predictionRecorded, Topics.driftDetected],
  'annotation-dispatch': [Topics.annotationRequested, Topics.labelAccepted, Topics.reworkRequested, Topics.annotatorPaused],
  qa: [Topics.annotationSubmitted],
  'dataset-registry': [Topics.labelAccepted, Topics.modelPromoted],
  'retrain-trigger': [Topics.datasetApproved, Topics.driftDetected, Topics.driftResolved, Topics.modelEvaluated],
};

/** End offsets (high watermarks) of topics: where this run's records begin. */
export type TopicEnds = Map<string, { partition: number; offset: string }[]>;

/** The current end of every LabelLoop topic (and DLQ). */
export async function topicEnds(kafka: Kafka): Promise<TopicEnds> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const out: TopicEnds = new Map();
    for (const { topic } of allTopics()) out.set(topic, (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.high })));
    return out;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Commits `ends` as the starting offsets of brand-new consumer groups, before any member
 * joins. The services' groups read "from the beginning" when they have no offsets; on a shared
 * broker the beginning holds every earlier test run's events (hundreds of thousands after a
 * full run), which the run would otherwise have to chew through first and which are not part
 * of its reconciliation. Pinning the groups to the run's start keeps the run to its own era.
 */
export async function pinGroups(kafka: Kafka, groups: { groupId: string; topics: string[] }[], ends: TopicEnds, timeoutMs = 120_000): Promise<void> {
  // kafkajs' setOffsets joins the group with a paused consumer and waits about one fetch (~5 s).
  // Calls for one group must not overlap (they would rebalance each other forever): one group's
  // topics in turn, the groups side by side, each with its own client.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`pinning the consumer groups took over ${timeoutMs} ms`)), timeoutMs);
  });
  const work = Promise.all(
    groups.map(async ({ groupId, topics }) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        // A topic nothing was ever written to needs no pin: its beginning is its end.
        const written = topics.filter((t) => (ends.get(t) ?? []).some((p) => p.offset !== '0'));
        for (const topic of written) await admin.setOffsets({ groupId, topic, partitions: ends.get(topic) ?? [] });
      } finally {
        await admin.disconnect();
      }
    }),
  );
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

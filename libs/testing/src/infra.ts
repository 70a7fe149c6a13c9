import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { allTopics } from '@labelloop/contracts';

/** Repository root (this file lives in libs/testing/src or libs/testing/dist). */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

/**
 * Starts (or reuses) the real local Kafka broker and PostgreSQL server through the
 * project's own scripts, and exports KAFKA_BROKERS / DATABASE_URL for the tests.
 * External infrastructure wins when KAFKA_BROKERS / DATABASE_URL are already set.
 */
export function ensureLocalInfra(): { brokers: string; databaseUrl: string } {
  execFileSync('bash', [path.join(REPO_ROOT, 'deploy/local/up.sh')], { stdio: 'inherit' });
  const out = execFileSync('bash', ['-c', `source "${path.join(REPO_ROOT, 'deploy/local/env.sh')}" && echo "$KAFKA_BROKERS" && echo "$DATABASE_URL"`], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  process.env.KAFKA_BROKERS = out[0];
  process.env.DATABASE_URL = out[1];
  return { brokers: out[0], databaseUrl: out[1] };
}

/** Creates every LabelLoop topic (and its DLQ) that does not exist yet. */
export async function ensureTopics(brokers: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'labelloop-topics', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = allTopics().filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** A free TCP port on loopback (for a process whose address must be known before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The local Label Studio that deploy/local/label-studio.sh starts (or LABEL_STUDIO_URL/_TOKEN). */
export function labelStudioTarget(): { url: string; token: string } {
  return {
    url: process.env.LABEL_STUDIO_URL ?? `http://127.0.0.1:${process.env.LABEL_STUDIO_PORT ?? '18080'}`,
    token: process.env.LABEL_STUDIO_TOKEN ?? 'labelloop-local-label-studio-token',
  };
}

/** One call to the test Label Studio's REST API ({@link labelStudioTarget}), as a person's client would make it; throws on an HTTP error. */
export async function labelStudioApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  const { url, token } = labelStudioTarget();
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Token ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

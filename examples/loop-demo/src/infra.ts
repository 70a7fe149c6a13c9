/**
 * Kafka and process plumbing of the main job: fresh topics or fresh consumer groups, free
 * ports, and the example processes (inference service, training job) next to the services.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Kafka } from 'kafkajs';
import { allTopics } from '@labelloop/contracts';
import { ensureTopics, REPO_ROOT } from '@labelloop/testing';

/** Deletes and recreates every LabelLoop topic (only on a broker that is ours alone). */
export async function resetTopics(kafka: Kafka, brokers: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = allTopics()
      .map((t) => t.topic)
      .filter((t) => existing.has(t));
    if (ours.length) await admin.deleteTopics({ topics: ours, timeout: 30_000 });
  } finally {
    await admin.disconnect();
  }
  await new Promise((r) => setTimeout(r, 1000));
  await ensureTopics(brokers);
}

/** An example process (examples/<name>/dist/main.js) logging JSON lines. */
export interface ExampleProcess {
  name: string;
  /** Resolves with the `ready` line. */
  ready: Promise<Record<string, unknown>>;
  /** Registers a handler for every JSON line it logs. */
  onLine(fn: (line: Record<string, unknown>) => void): void;
  /** Raw output, for diagnosis. */
  logs: string[];
  /** Whether the process is still running. */
  alive(): boolean;
  kill(): Promise<void>;
}

/** Starts an example process with `env` on top of ours. */
export function startExample(name: string, env: Record<string, string>): ExampleProcess {
  const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'examples', name, 'dist', 'main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const handlers: ((line: Record<string, unknown>) => void)[] = [];
  let resolveReady!: (l: Record<string, unknown>) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<Record<string, unknown>>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
  ready.catch(() => undefined);
  const exited = new Promise<void>((r) =>
    proc.on('exit', (code) => (rejectReady(new Error(`${name} exited with ${code}:\n${logs.slice(-10).join('\n')}`)), r())),
  );
  for (const stream of [proc.stdout, proc.stderr]) {
    let buf = '';
    stream?.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        logs.push(line);
        if (logs.length > 2000) logs.shift();
        let j: Record<string, unknown> | undefined;
        try {
          j = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (j.msg === 'ready') resolveReady(j);
        for (const h of handlers) h(j);
      }
    });
  }
  return {
    name,
    ready,
    logs,
    onLine: (fn) => handlers.push(fn),
    alive: () => proc.exitCode === null && proc.signalCode === null,
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

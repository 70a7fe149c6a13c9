import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { sleep } from '@labelloop/messaging';
import { REPO_ROOT } from '@labelloop/testing';

/** True when the suite runs against the local broker / server that deploy/local/*.sh own (so it may restart them). */
export function localInfra(): { kafka: boolean; postgres: boolean } {
  const kafkaPort = process.env.KAFKA_PORT ?? '19092';
  const pgPort = process.env.PGPORT_LOCAL ?? '15432';
  return {
    kafka: (process.env.KAFKA_BROKERS ?? `127.0.0.1:${kafkaPort}`) === `127.0.0.1:${kafkaPort}`,
    postgres: (process.env.DATABASE_URL ?? '').startsWith(`postgres://labelloop:labelloop@127.0.0.1:${pgPort}/`),
  };
}

/** Runs `deploy/local/<which>.sh <action>`; resolves with its output, rejects on a non-zero exit. */
function script(which: 'kafka' | 'postgres', action: 'stop' | 'start'): Promise<string> {
  const file = path.join(REPO_ROOT, 'deploy/local', `${which}.sh`);
  const env = { ...process.env };
  // postgres.sh treats a DATABASE_URL other than its own base URL as external: give it none.
  if (which === 'postgres') delete env.DATABASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [file, action], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(output.trim()) : reject(new Error(`${which}.sh ${action} exited with ${code}: ${output.trim().split('\n').slice(-10).join(' | ')}`)),
    );
  });
}

/**
 * Restarts the local Kafka broker or PostgreSQL server with the project's own scripts:
 * `stop` (Kafka: controlled shutdown; PostgreSQL: pg_ctl stop -m fast, which terminates every
 * connection), then `holdSeconds` of outage, then `start` (which waits until the broker logged
 * "Kafka Server started" / the server accepts connections). Asynchronous, so the traffic and
 * the workforce keep running meanwhile. A failed start is retried (the suite must not leave
 * the machine without its broker or database).
 */
export async function restartInfra(which: 'kafka' | 'postgres', holdSeconds: number): Promise<{ seconds: number; downSeconds: number; output: string }> {
  const t0 = Date.now();
  let output = await script(which, 'stop');
  const down = Date.now();
  await sleep(holdSeconds * 1000);
  for (let attempt = 1; ; attempt++) {
    try {
      output += `\n${await script(which, 'start')}`;
      break;
    } catch (e) {
      if (attempt >= 3) throw e;
      output += `\n${(e as Error).message}`;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  return { seconds: (Date.now() - t0) / 1000, downSeconds: (Date.now() - down) / 1000, output };
}

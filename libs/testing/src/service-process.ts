import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './infra';

/** A LabelLoop service running as its own Node process, as in production. */
export interface ServiceProcess {
  name: string;
  proc: ChildProcess;
  /** Resolves with the bound ports once the service logged "service started". */
  ready: Promise<{ httpPort: number; grpcPort: number }>;
  /** Every stdout/stderr line so far. */
  logs: string[];
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The seven services: the ingest gateway and the six stages. */
export const SERVICES = ['ingest-gateway', 'drift-detection', 'sampling', 'annotation-dispatch', 'qa', 'dataset-registry', 'retrain-trigger'] as const;

/**
 * Starts `services/<name>/dist/main.js` (run `npm run build` first) with `env` on top of the
 * test's environment; ports default to 0 (any free port) and are read from the start log.
 */
export function startService(name: string, env: Record<string, string>): ServiceProcess {
  const main = path.join(REPO_ROOT, 'services', name, 'dist', 'main.js');
  // LABELLOOP_NODE_ARGS lets a benchmark profile a service (e.g. --cpu-prof).
  const nodeArgs = (process.env.LABELLOOP_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, main], {
    env: { ...process.env, HTTP_PORT: '0', GRPC_PORT: '0', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let resolveReady!: (v: { httpPort: number; grpcPort: number }) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<{ httpPort: number; grpcPort: number }>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  const onLine = (line: string) => {
    logs.push(line);
    if (process.env.E2E_VERBOSE) process.stdout.write(`[${name}] ${line}\n`);
    if (line.includes('"service started"')) {
      try {
        const j = JSON.parse(line) as { httpPort: number; grpcPort: number };
        resolveReady({ httpPort: j.httpPort, grpcPort: j.grpcPort });
      } catch {
        /* not JSON: keep waiting */
      }
    }
  };
  for (const stream of [proc.stdout, proc.stderr]) {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  }
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  exited.then((code) => rejectReady(new Error(`${name} exited with ${code} before it started:\n${logs.slice(-20).join('\n')}`)));
  const timer = setTimeout(() => rejectReady(new Error(`${name} did not start in 60 s:\n${logs.slice(-20).join('\n')}`)), 60_000);
  ready.finally(() => clearTimeout(timer)).catch(() => undefined);
  return {
    name,
    proc,
    ready,
    logs,
    exited,
    kill: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}

/**
 * Stage throughput on the real broker, side by side with a bare kafkajs consumer reading the
 * same topic in the same run (the ratio is what to read; absolute numbers depend on the
 * machine). For each stage: events/s from a fresh consumer group at offset 0 to the end
 * offsets taken at the start, and the stage process's peak RSS (VmHWM). Run twice with N and
 * 10×N events to see whether memory stays flat as the stream grows.
 *
 * Two more reference lines: the bare consumer again but decoding every value (the protobuf
 * decode a stage cannot skip), and an in-process floor: decode + validation + the drift
 * detector over the same events with no Kafka and no database, with the ratio to the bare
 * consumer that reading plus this compute alone would reach.
 *
 * `--repeat N` reads the same events N times, alternating the bare consumer and the stages, and
 * ends with each stage's median ratio: on a noisy machine one pair of runs can be far off.
 *
 * `--x10` then writes nine times as many events again and runs each stage once over the whole
 * ten times longer stream, for the memory aim (peak RSS flat).
 *
 *   npx tsc -b bench/pipeline && node bench/pipeline/dist/throughput.js [--events 20000] [--stages drift-detection,sampling] [--replicas 1] [--own-events] [--repeat 1] [--x10]
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, Producer } from 'kafkajs';
import { Client } from 'pg';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { decodePredictionEvent, PredictionEvent, PredictionEventSchema, Topics, validatePredictionEvent } from '@labelloop/contracts';
import { median } from '@labelloop/drift-stats';
import {
  createTestDatabase,
  ensureLocalInfra,
  ensureTopics,
  eventRecord,
  REPO_ROOT,
  startGroupsAt,
  startService,
  testKafka,
  testProducer,
} from '@labelloop/testing';

// Flags are checked: an unknown or misspelt one stops the run instead of being ignored.
const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    stages: { type: 'string', default: 'drift-detection,sampling' },
    replicas: { type: 'string', default: '1' },
    repeat: { type: 'string', default: '1' },
    'own-events': { type: 'boolean', default: false },
    // Memory aim: after the rounds, write 9 x --events more and run each stage once over all 10 x.
    x10: { type: 'boolean', default: false },
    // Sampling's PostgreSQL CPU µs per event before issue 25's aim (bench/pipeline README, 2026-11-24: 23.2–24.3).
    'sampling-pg-baseline': { type: 'string', default: '23.2' },
  },
  strict: true,
});

/**
 * The NODE_OPTIONS a stage's pod runs with (its k8s/base Deployment), so the bench runs the
 * stage as it is deployed: heap cap and young generation. BENCH_NODE_OPTIONS overrides it.
 */
function podNodeOptions(name: string): string {
  if (process.env.BENCH_NODE_OPTIONS !== undefined) return process.env.BENCH_NODE_OPTIONS;
  const manifest = readFileSync(join(REPO_ROOT, 'k8s/base/services', name, 'deployment.yaml'), 'utf8');
  return /- name: NODE_OPTIONS\n\s+value: (.+)/.exec(manifest)?.[1].trim() ?? '';
}

async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  const offs = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return new Map(offs.map((o) => [o.partition, BigInt(o.high)]));
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) of every process, by pid, with its kind: postgres, kafka, or other. */
function cpuSnapshot(): Map<number, { kind: string; secs: number }> {
  const out = new Map<number, { kind: string; secs: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const f = stat.slice(close + 2).split(' '); // f[0] is field 3 (state): utime is field 14, stime 15
      const secs = (Number(f[11]) + Number(f[12])) / TICKS;
      const kind = comm === 'postgres' ? 'postgres' : comm === 'java' && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('kafka.Kafka') ? 'kafka' : 'other';
      out.set(Number(d), { kind, secs });
    } catch {
      /* the process ended meanwhile */
    }
  }
  return out;
}

/**
 * CPU µs per event between two snapshots, per group: the given node processes (by pid), the
 * PostgreSQL server processes and the Kafka broker. A process that ended in between is not
 * counted (the stage's database connections and the broker live through a measurement).
 */
function cpuPerEvent(before: Map<number, { kind: string; secs: number }>, nodes: Record<string, number[]>, events: number): Record<string, number> {
  const after = cpuSnapshot();
  const used = (pid: number) => (after.get(pid)?.secs ?? 0) - (before.get(pid)?.secs ?? 0);
  const out: Record<string, number> = {};
  for (const [group, pids] of Object.entries(nodes)) out[group] = pids.reduce((a, p) => a + used(p), 0);
  for (const kind of ['postgres', 'kafka']) out[kind] = [...after].filter(([, v]) => v.kind === kind).reduce((a, [p]) => a + used(p), 0);
  for (const k of Object.keys(out)) out[k] = (out[k] / events) * 1e6;
  return out;
}

const cpuLine = (c: Record<string, number>) =>
  `CPU µs/event: ${Object.entries(c)
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ')}; all ${Object.values(c)
    .reduce((a, b) => a + b, 0)
    .toFixed(2)}`;

function total(m: Map<number, bigint>): number {
  return Number([...m.values()].reduce((a, b) => a + b, 0n));
}

/** Positions a new consumer group where a run reads from (nothing to do: offset 0). */
type Start = ((groupId: string) => Promise<void>) & { offsets?: Map<number, bigint> };

/**
 * A bare kafkajs consumer: decode nothing, commit nothing, just read to the end. With `decoded`,
 * the same consumer also decodes every value (and keeps the raw values there, for the floor).
 */
async function bareConsumer(kafka: Kafka, topic: string, ends: Map<number, bigint>, from: Start, decoded?: Buffer[]): Promise<number> {
  const groupId = `bench-bare-${randomUUID()}`;
  await from(groupId);
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 1024 * 1024, maxBytes: 8 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const remaining = new Map(ends);
  const started = process.hrtime.bigint();
  await new Promise<void>((resolve) => {
    consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (decoded) {
          for (const m of batch.messages) {
            if (!m.value) continue;
            decodePredictionEvent(m.value);
            decoded.push(m.value);
          }
        }
        const end = remaining.get(batch.partition) ?? 0n;
        const last = BigInt(batch.lastOffset()) + 1n;
        if (last >= end) remaining.delete(batch.partition);
        if (remaining.size === 0) resolve();
      },
    });
    for (const [p, e] of ends) if (e === (from.offsets?.get(p) ?? 0n)) remaining.delete(p);
    if (remaining.size === 0) resolve();
  });
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  await consumer.disconnect();
  return secs;
}

/**
 * Runs a stage as `replicas` processes (one consumer group, one database) and times them from
 * when all are up to the end offsets. Events the first replicas committed while the others
 * were starting are not counted: the rate is (events committed after the start) / time.
 */
async function stage(
  kafka: Kafka,
  name: string,
  topic: string,
  ends: Map<number, bigint>,
  replicas: number,
  from: Start,
): Promise<{ events: number; secs: number; peakRssMb: number; txSecs: number; txCount: number; cpu: Record<string, number> }> {
  const db = await createTestDatabase('bench');
  const group = `bench-${name}-${randomUUID().slice(0, 8)}`;
  const nodeOptions = podNodeOptions(name);
  const env = {
    DATABASE_URL: db.url,
    KAFKA_GROUP_ID: group,
    CONSUMER_TX_BATCH: process.env.BENCH_TX_BATCH ?? '2000',
    LOG_LEVEL: 'warn',
    AUTH_TOKENS: '[]',
    SAMPLING_AUDIT_RATE: '0.01',
    NODE_OPTIONS: nodeOptions,
  };
  console.log(`${name}: NODE_OPTIONS="${nodeOptions}" (${process.env.BENCH_NODE_OPTIONS !== undefined ? 'BENCH_NODE_OPTIONS' : 'as its k8s/base Deployment'})`);
  await from(group);
  const svcs = Array.from({ length: replicas }, () => startService(name, env));
  await Promise.all(svcs.map((s) => s.ready));
  const admin = kafka.admin();
  await admin.connect();
  const committed = async () => {
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return t.partitions.map((p) => ({ partition: p.partition, offset: BigInt(p.offset === '-1' ? '0' : p.offset) }));
  };
  const cpu0 = cpuSnapshot();
  const started = process.hrtime.bigint();
  const before = (await committed()).reduce((a, p) => a + p.offset, 0n);
  for (;;) {
    if ((await committed()).every((p) => p.offset >= (ends.get(p.partition) ?? 0n))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  const events = total(ends) - Number(before);
  // The stage database's own backends, apart: the PostgreSQL line counts every server process,
  // so it also holds whatever else uses a shared server meanwhile.
  const pg = new Client({ connectionString: process.env.DATABASE_URL });
  await pg.connect();
  const backends = (await pg.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [db.name])).rows.map((r) => r.pid);
  await pg.end();
  const cpu = cpuPerEvent(cpu0, { stage: svcs.map((s) => s.proc.pid!), bench: [process.pid], 'postgres (own backends)': backends }, events);
  let txSecs = 0;
  let txCount = 0;
  let peakRssMb = 0;
  for (const svc of svcs) {
    // Time spent inside the stage's batch transactions (from its own Prometheus metrics).
    const metrics = await (await fetch(`http://127.0.0.1:${(await svc.ready).httpPort}/metrics`)).text();
    txSecs += Number(/labelloop_event_processing_seconds_sum\{[^}]*topic="labelloop.prediction.recorded.v1"[^}]*\} ([\d.e+-]+)/.exec(metrics)?.[1] ?? NaN);
    txCount += Number(/labelloop_event_processing_seconds_count\{[^}]*topic="labelloop.prediction.recorded.v1"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? NaN);
    const vmHwm = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${svc.proc.pid}/status`, 'utf8'));
    peakRssMb = Math.max(peakRssMb, Number(vmHwm?.[1] ?? NaN) / 1024);
  }
  await admin.disconnect();
  await Promise.all(svcs.map((s) => s.kill('SIGTERM')));
  await db.drop();
  return { events, secs, peakRssMb, txSecs, txCount, cpu };
}

/** The drift-detection service's own compiled detector (services are not libs: loaded from its dist, loosely typed). */
interface DriftCode {
  Detector: new (state: unknown, cfg: unknown) => { observe(s: unknown): unknown };
  emptyState(version: string): unknown;
  toSnap(e: PredictionEvent): unknown;
  resolveConfig(c: undefined, d: { referenceSize: number; windowSize: number; alpha: number; resolveAfter: number }): unknown;
}

async function loadDriftCode(): Promise<DriftCode> {
  const dir = join(__dirname, '../../../services/drift-detection/dist/detection');
  const load = async (f: string) => (await import(join(dir, f))) as Partial<DriftCode>;
  return { ...(await load('detector.js')), ...(await load('prediction.consumer.js')), ...(await load('drift-config.js')) } as DriftCode;
}

/**
 * The per-event compute drift detection cannot avoid, in this process, no Kafka, no database:
 * decode, validate, toSnap, observe (one detector per model id, the service's env defaults), in
 * chunks of 2000 like the stage's batches. CPU seconds per phase, summed over all values.
 */
async function floor(values: Buffer[]): Promise<{ decode: number; validate: number; observe: number; models: number }> {
  const { Detector, emptyState, toSnap, resolveConfig } = await loadDriftCode();
  const cfg = resolveConfig(undefined, { referenceSize: 500, windowSize: 500, alpha: 0.01, resolveAfter: 2 });
  const detectors = new Map<string, InstanceType<DriftCode['Detector']>>();
  const t = { decode: 0n, validate: 0n, observe: 0n };
  // CPU time (user + system), like the stage's figure: on a shared machine wall time also counts waiting for a core.
  const cpuNs = () => {
    const u = process.cpuUsage();
    return BigInt(u.user + u.system) * 1000n;
  };
  for (let i = 0; i < values.length; i += 2000) {
    const chunk = values.slice(i, i + 2000);
    let t0 = cpuNs();
    // Bad events (the e2e suites write some to the same topic) are skipped, as the stage dead-letters them.
    const decoded = chunk.map((v) => {
      try {
        return decodePredictionEvent(v);
      } catch {
        return undefined;
      }
    });
    let t1 = cpuNs();
    t.decode += t1 - t0;
    t0 = t1;
    const msgs = decoded.filter((e): e is PredictionEvent => e !== undefined && !validatePredictionEvent(e));
    const snaps = msgs.map(toSnap);
    t1 = cpuNs();
    t.validate += t1 - t0;
    t0 = t1;
    for (let j = 0; j < msgs.length; j++) {
      let d = detectors.get(msgs[j].modelId);
      if (!d) detectors.set(msgs[j].modelId, (d = new Detector(emptyState(msgs[j].modelVersion), cfg)));
      d.observe(snaps[j]);
    }
    t.observe += cpuNs() - t0;
  }
  return { decode: Number(t.decode) / 1e9, validate: Number(t.validate) / 1e9, observe: Number(t.observe) / 1e9, models: detectors.size };
}

/** Writes events first … end-1 of run `run`: four models' streams with 5 numeric, 1 categorical feature and an 8-d embedding. */
async function writeEvents(producer: Producer, topic: string, run: string, first: number, end: number): Promise<void> {
  const rnd = (i: number, k: number) => Math.abs((Math.sin(i * 12.9898 + k * 78.233) * 43758.5453) % 1);
  for (let i = first; i < end; i += 2000) {
    const messages = Array.from({ length: Math.min(2000, end - i) }, (_, j) => {
      const n = i + j;
      return eventRecord(
        PredictionEventSchema,
        {
          eventId: `${run}-${n}`,
          modelId: `bench-${run}-${n % 4}`,
          modelVersion: '1',
          timestamp: timestampFromDate(new Date()),
          contentHash: `sha256:${run}-${n}`,
          inputUri: `bench://${run}/${n}`,
          predictedLabel: rnd(n, 9) < 0.3 ? 'spam' : 'ham',
          confidence: 0.5 + 0.5 * rnd(n, 10),
          numericFeatures: Object.fromEntries([0, 1, 2, 3, 4].map((k) => [`f${k}`, rnd(n, k)])),
          categoricalFeatures: { region: ['eu', 'us', 'apac'][n % 3] },
          embedding: Array.from({ length: 8 }, (_, k) => rnd(n, 20 + k)),
        },
        { key: `bench-${run}-${n % 4}` },
      );
    });
    await producer.send({ topic, messages });
  }
}

async function main(): Promise<void> {
  const events = Number(flags.events);
  const stages = flags.stages.split(',');
  const replicas = Number(flags.replicas);
  const repeat = Math.max(1, Number(flags.repeat));
  // --own-events: read only the events this run wrote (4 models), not the whole shared topic,
  // so a x10 run grows the stream and nothing else (the shared topic also gains models).
  const ownEvents = flags['own-events'];
  const { brokers } = ensureLocalInfra();
  await ensureTopics(brokers.split(','));
  const kafka = testKafka('bench');
  const topic = Topics.predictionRecorded;

  const starts = ownEvents ? await endOffsets(kafka, topic) : new Map<number, bigint>();
  const startAt = new Map([[topic, [...starts].map(([partition, offset]) => ({ partition, offset: String(offset) }))]]);
  const from: Start = async (groupId) => (ownEvents ? startGroupsAt(kafka, [{ groupId, topics: [topic] }], startAt) : undefined);
  from.offsets = starts;
  const run = randomUUID().slice(0, 8);
  const producer = await testProducer(kafka);
  await writeEvents(producer, topic, run, 0, events);
  await producer.disconnect();
  const ends = await endOffsets(kafka, topic);
  const n = total(ends) - total(starts);
  console.log(`topic ${topic}: ${total(ends)} events in total (${events} written by this run); read: ${ownEvents ? `this run's ${n}` : `all ${n}`}`);

  const values: Buffer[] = [];
  let bareRate = 0;
  let decodeRate = 0;
  const ratios = new Map<string, number[]>(stages.map((s) => [s, []]));
  // CPU µs per event of each round: the bare consumer's process, and each stage's processes.
  const bareCpus: number[] = [];
  const stageCpus = new Map<string, number[]>(stages.map((s) => [s, []]));
  const stagePgCpus = new Map<string, number[]>(stages.map((s) => [s, []]));
  const stageRss = new Map<string, number[]>(stages.map((s) => [s, []]));
  // Issue 25's aims, judged on this run's figures, printed last: `aim: <text> -> met|NOT met (<figures>)`.
  const aims: string[] = [];
  const aim = (text: string, met: boolean, figures: string) => aims.push(`aim: ${text} -> ${met ? 'met' : 'NOT met'} (${figures})`);
  for (let round = 1; round <= repeat; round++) {
    if (repeat > 1) console.log(`-- round ${round} of ${repeat}`);
    const cpu0 = cpuSnapshot();
    const bareSecs = await bareConsumer(kafka, topic, ends, from);
    const bareCpu = cpuPerEvent(cpu0, { consumer: [process.pid] }, n);
    bareRate = n / bareSecs;
    bareCpus.push(bareCpu.consumer);
    console.log(`bare kafkajs consumer: ${bareRate.toFixed(0)} events/s (${bareSecs.toFixed(2)} s); ${cpuLine(bareCpu)}`);
    if (round === 1) {
      const decodeSecs = await bareConsumer(kafka, topic, ends, from, values);
      decodeRate = n / decodeSecs;
      console.log(
        `kafkajs consumer + protobuf decode: ${decodeRate.toFixed(0)} events/s (${decodeSecs.toFixed(2)} s), ratio to bare consumer ${(decodeRate / bareRate).toFixed(3)}`,
      );
    }
    for (const name of stages) {
      const r = await stage(kafka, name, topic, ends, replicas, from);
      const rate = r.events / r.secs;
      ratios.get(name)!.push(rate / bareRate);
      stageCpus.get(name)!.push(r.cpu.stage);
      stagePgCpus.get(name)?.push(r.cpu.postgres);
      stageRss.get(name)?.push(r.peakRssMb);
      const label = replicas > 1 ? `${name} (${replicas} replicas)` : name;
      console.log(
        `${label}: ${rate.toFixed(0)} events/s (${r.events} events in ${r.secs.toFixed(2)} s), ratio to bare consumer ${(rate / bareRate).toFixed(3)}, to decode consumer ${(rate / decodeRate).toFixed(3)}, peak RSS ${r.peakRssMb.toFixed(0)} MiB${replicas > 1 ? ' (largest replica)' : ''}; ${r.txCount} transactions, ${r.txSecs.toFixed(2)} s inside them`,
      );
      // With every core busy, a stage cannot pass (cores / its CPU per event) whatever it overlaps.
      const all = Object.values(r.cpu).reduce((a, b) => a + b, 0);
      console.log(
        `  ${cpuLine(r.cpu)}; CPU-bound ceiling on ${cpus().length} cores ${((cpus().length * 1e6) / all).toFixed(0)} events/s, ratio ${((cpus().length * 1e6) / all / bareRate).toFixed(3)}`,
      );
    }
  }
  if (repeat > 1) {
    for (const [name, rs] of ratios) {
      console.log(
        `${name}: ratio to the bare consumer of the same round, median of ${rs.length}: ${median(rs).toFixed(3)} (rounds: ${rs.map((r) => r.toFixed(3)).join(', ')})`,
      );
    }
  }
  let bareAndFloor = NaN; // µs per event: the denominator of the CPU aims
  if (values.length > 0) {
    const f = await floor(values);
    const us = (s: number) => ((s / values.length) * 1e6).toFixed(2);
    const perEvent = (f.decode + f.validate + f.observe) / values.length;
    // What a stage doing only this would reach, relative to the bare consumer, three ways:
    // serial (read, then compute, no overlap); the measured decode consumer plus the rest serially;
    // compute fully overlapped with reading (the slower of the two bounds the rate).
    const serial = 1 / (1 / bareRate + perEvent);
    const viaDecode = 1 / (1 / decodeRate + (f.validate + f.observe) / values.length);
    const overlapped = Math.min(bareRate, 1 / perEvent);
    console.log(
      `in-process floor (decode + validate + toSnap + observe, no Kafka, no DB; ${values.length} events, ${f.models} models): ${us(f.decode + f.validate + f.observe)} µs/event ` +
        `(decode ${us(f.decode)}, validate+toSnap ${us(f.validate)}, observe ${us(f.observe)})`,
    );
    // A stage's CPU per event against (bare consumer CPU + this floor), medians over the rounds.
    const floorUs = perEvent * 1e6;
    const bare = median(bareCpus);
    bareAndFloor = bare + floorUs;
    for (const [name, limit] of [
      ['drift-detection', 1.5],
      ['sampling', 2],
    ] as const) {
      const cpu = stageCpus.get(name);
      if (!cpu?.length) continue;
      const ratio = median(cpu) / (bare + floorUs);
      aim(
        `${name} CPU per event <= ${limit}x (bare consumer + in-process floor)`,
        ratio <= limit,
        `${median(cpu).toFixed(2)} µs / (${bare.toFixed(2)} + ${floorUs.toFixed(2)} µs) = ${ratio.toFixed(2)}x`,
      );
    }
    console.log(
      `ceiling ratio to bare consumer for a stage doing only this: bare read + compute serially ${(serial / bareRate).toFixed(3)} (${serial.toFixed(0)} events/s); ` +
        `decode consumer + rest serially ${(viaDecode / bareRate).toFixed(3)} (${viaDecode.toFixed(0)} events/s); fully overlapped ${(overlapped / bareRate).toFixed(3)} (${overlapped.toFixed(0)} events/s)`,
    );
  }
  const pgCpu = stagePgCpus.get('sampling');
  if (pgCpu?.length) {
    const baseline = Number(flags['sampling-pg-baseline']);
    aim(
      `sampling PostgreSQL CPU per event <= half of ${baseline} µs`,
      median(pgCpu) <= baseline / 2,
      `${median(pgCpu).toFixed(2)} µs, ${(median(pgCpu) / baseline).toFixed(2)}x`,
    );
  }
  if (flags.x10) {
    // Nine times as many events again: each stage reads the whole stream, ten times as long.
    const more = await testProducer(kafka);
    await writeEvents(more, topic, run, events, 10 * events);
    await more.disconnect();
    const ends10 = await endOffsets(kafka, topic);
    console.log(`-- x10: ${total(ends10) - total(starts)} events (${9 * events} more written)`);
    for (const name of stages) {
      const r = await stage(kafka, name, topic, ends10, replicas, from);
      console.log(
        `${name} x10: ${(r.events / r.secs).toFixed(0)} events/s (${r.events} events in ${r.secs.toFixed(2)} s), peak RSS ${r.peakRssMb.toFixed(0)} MiB; ${cpuLine(r.cpu)}; stage ${(r.cpu.stage / bareAndFloor).toFixed(2)}x (bare consumer + floor)`,
      );
      const rss = median(stageRss.get(name) ?? []);
      // Flat: at most 10 % more peak RSS for ten times the events.
      aim(
        `${name} peak RSS flat (<= 1.1x) at x10 stream length`,
        r.peakRssMb <= 1.1 * rss,
        `${rss.toFixed(0)} -> ${r.peakRssMb.toFixed(0)} MiB, ${(r.peakRssMb / rss).toFixed(2)}x`,
      );
    }
  }
  for (const line of aims) console.log(line);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

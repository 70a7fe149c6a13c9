/**
 * The side-by-side table of bench/sdk/run.sh: reads the `BENCH_RESULT {json}` lines that
 * record-overhead.ts, python_record.py and gateway-throughput.ts print (stdin), and prints the
 * TypeScript and Python record() cost, and the gateway's events per CPU-second against the bare
 * kafkajs producer, and ends with the aims, judged on these figures: TypeScript record() p50
 * ≤ 1 µs (issue 25), Python record() p50 of a few µs: ≤ 5 µs (issue 23).
 */
import { readFileSync } from 'node:fs';

type Stats = { p50: number; p99: number; mean: number };
type Path = { seconds: number; cpu: number };
interface Results {
  ts_record_ns?: Stats;
  python_record_ns?: Stats;
  python_encode_ns?: number;
  events?: number;
  kafkajs?: Path;
  gateway?: Path;
}

const TS_AIM_NS = 1000;
const PY_AIM_NS = 5000;
const r: Results = Object.assign(
  {},
  ...readFileSync(0, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('BENCH_RESULT '))
    .map((l) => JSON.parse(l.slice('BENCH_RESULT '.length)) as Results),
);
const ns = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} µs` : `${Math.round(x)} ns`);
const line = (name: string, s?: Stats) => console.log(`| ${name} | ${s ? `${ns(s.p50)} | ${ns(s.p99)} | ${ns(s.mean)}` : 'missing | | '} |`);

console.log("| record() on the caller's thread | p50 | p99 | mean |");
console.log('| --- | --- | --- | --- |');
line('TypeScript SDK (`libs/sdk`)', r.ts_record_ns);
line('Python SDK (`sdks/python`)', r.python_record_ns);
const events = r.events;
if (r.gateway && r.kafkajs && events) {
  const perCore = (p: Path) => events / p.cpu;
  console.log('\n| path | events/s | events per CPU-second (per core) |');
  console.log('| --- | --- | --- |');
  console.log(`| bare kafkajs producer | ${Math.round(events / r.kafkajs.seconds)} | ${Math.round(perCore(r.kafkajs))} |`);
  console.log(`| ingest-gateway (HTTP/JSON → outbox → Kafka) | ${Math.round(events / r.gateway.seconds)} | ${Math.round(perCore(r.gateway))} |`);
  console.log(`\ngateway / bare producer, events per CPU-second: ${(perCore(r.gateway) / perCore(r.kafkajs)).toFixed(2)}x`);
}
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
console.log('');
if (r.ts_record_ns)
  console.log(
    `aim: TypeScript record() p50 <= ${ns(TS_AIM_NS)} on the caller's thread -> ${verdict(r.ts_record_ns.p50 <= TS_AIM_NS)} (${ns(r.ts_record_ns.p50)})`,
  );
if (r.python_record_ns) {
  const ratio = r.ts_record_ns ? `, ${(r.python_record_ns.p50 / r.ts_record_ns.p50).toFixed(1)}x the TypeScript p50` : '';
  console.log(
    `aim: Python record() p50 <= ${ns(PY_AIM_NS)} on the caller's thread -> ${verdict(r.python_record_ns.p50 <= PY_AIM_NS)} (${ns(r.python_record_ns.p50)}${ratio})`,
  );
}
if (!r.ts_record_ns || !r.python_record_ns || !r.gateway) process.exitCode = 1;

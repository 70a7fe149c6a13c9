/**
 * What decoding one PredictionEvent costs: protobuf-es's reflective `fromBinary` against the
 * specialised `decodePredictionEvent` (libs/contracts), on the same encoded events, alternating
 * rounds of each in one process so machine noise falls on both. Prints CPU ns/event per round and
 * the median ratio, and whether the aim (at most 0.6x) is met. CPU only: no broker, no database. Exits non-zero if the two decoders disagree.
 */
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { decodePredictionEvent, PredictionEventSchema } from '@labelloop/contracts';

const { values: flags } = parseArgs({
  options: { events: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '6' }, dim: { type: 'string', default: '32' } },
  strict: true,
});
const N = Number(flags.events);
const ROUNDS = Number(flags.rounds);
const DIM = Number(flags.dim);

/** Events shaped like the main job's (spam-inference): URI, hash, two features, a 32-float embedding. */
const events = Array.from({ length: N }, (_, i) =>
  toBinary(
    PredictionEventSchema,
    create(PredictionEventSchema, {
      eventId: `0b9f6a2e-${String(i).padStart(4, '0')}-4c1d-9e8f-${String(i).padStart(12, '0')}`,
      modelId: 'spam-filter',
      modelVersion: 'v3',
      timestamp: { seconds: BigInt(1_764_000_000 + i), nanos: (i * 7919) % 1e9 },
      inputUri: `spamassassin://easy_ham_2/${i}.${(i * 2654435761) % 1e9}`,
      contentHash: `sha256:${(i * 40503).toString(16).padStart(64, '0')}`,
      numericFeatures: { length: 200 + (i % 5000), links: i % 7 },
      categoricalFeatures: { group: i % 2 ? 'easy_ham_2' : 'spam_2' },
      embedding: Array.from({ length: DIM }, (_, d) => Math.sin(i + d)),
      predictedLabel: i % 3 ? 'ham' : 'spam',
      classProbabilities: { ham: 0.7, spam: 0.3 },
      confidence: 0.7,
      metadata: { source: 'bench' },
    }),
  ),
);

for (const b of events.slice(0, 500)) {
  if (!isDeepStrictEqual(decodePredictionEvent(b), fromBinary(PredictionEventSchema, b))) {
    console.error('the decoders disagree');
    process.exit(1);
  }
}

let sink = 0;
/** CPU time (user + system) per event of `work` over every event, in ns: machine load moves it less than wall time. */
const cpuPerEvent = (work: () => void): number => {
  const t = process.cpuUsage();
  work();
  const u = process.cpuUsage(t);
  return ((u.user + u.system) * 1000) / N;
};
// One loop per decoder, so neither call site is shared (and slowed) by the other.
const reflective = () =>
  cpuPerEvent(() => {
    for (const b of events) sink += fromBinary(PredictionEventSchema, b).embedding.length;
  });
const specialised = () =>
  cpuPerEvent(() => {
    for (const b of events) sink += decodePredictionEvent(b).embedding.length;
  });
reflective();
specialised(); // warm-up
const rows: { reference: number; specialised: number }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2 === 0) rows.push({ reference: reflective(), specialised: specialised() });
  else {
    const s = specialised();
    rows.push({ reference: reflective(), specialised: s });
  }
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`events ${N}, embedding ${DIM} floats, ${events[0].length} bytes each (checksum ${sink})`);
for (const [i, r] of rows.entries())
  console.log(
    `round ${i + 1}: fromBinary ${r.reference.toFixed(0)} ns/event, decodePredictionEvent ${r.specialised.toFixed(0)} ns/event, ratio ${(r.specialised / r.reference).toFixed(3)}`,
  );
const ratio = median(rows.map((r) => r.specialised / r.reference));
console.log(`median ratio (decodePredictionEvent / fromBinary) ${ratio.toFixed(3)}`);
// The aim its README states: about half fromBinary's CPU per event, read as at most 0.6x.
const AIM = 0.6;
console.log(
  `aim: decodePredictionEvent CPU per event <= ${AIM}x fromBinary's (median of rounds) -> ${ratio <= AIM ? 'met' : 'NOT met'} (${ratio.toFixed(3)}x)`,
);

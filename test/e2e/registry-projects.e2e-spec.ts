/**
 * dataset-registry as a process on the real broker and database, fed several projects at once:
 * a 2,000-item flood, two projects that labelled the same inputs, and a small one, as when
 * several main jobs, benches and test suites share the broker (the main job of 2026-12-06: its
 * project's dataset got 155 of 325 labels, the rest taken for redeliveries of another
 * project's labels of the same items). Item ids come from the content alone
 * (`item-<sha256(contentHash)>`, as sampling makes them), so two projects over the same inputs
 * share item ids; their LabelAccepted ids are made as QA makes them (`labelAcceptedId`).
 * Every project's items must be stored, and its versions cut every REGISTRY_CUT_EVERY, within
 * two minutes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { labelAcceptedId, LabelAcceptedSchema, Topics } from '@labelloop/contracts';
import { E2eRig, eventRecord, eventually, ServiceProcess } from '@labelloop/testing';

const CUT_EVERY = 50;

describe('dataset-registry with several projects on one topic (real Kafka + PostgreSQL)', () => {
  const run = randomUUID().slice(0, 8);
  const rig = new E2eRig();
  const group = `registry-projects-${run}`;
  let pg: Client;
  let registry: ServiceProcess;

  beforeAll(async () => {
    const db = await rig.database('regprojects');
    await rig.startAtEnd({ [group]: [Topics.labelAccepted, Topics.modelPromoted] });
    registry = rig.service('dataset-registry', {
      DATABASE_URL: db.url,
      KAFKA_GROUP_ID: group,
      AUTH_TOKENS: '[]',
      REGISTRY_CUT_EVERY: String(CUT_EVERY),
      REGISTRY_EXPORT_DIR: `/tmp/labelloop-e2e-registry-projects-${run}`,
      REGISTRY_EXPORT_FORMATS: 'jsonl',
      REGISTRY_PSEUDONYM_SECRET: `secret-${run}`,
    });
    await registry.ready;
    pg = await rig.pg(db.url);
  });
  afterAll(() => rig.close());

  /** An input of the corpus: its content hash and its item id (as sampling derives it). */
  const input = (corpus: string, i: number) => {
    const contentHash = `sha256:${createHash('sha256').update(`${corpus}-${i}`).digest('hex')}`;
    return { contentHash, itemId: `item-${createHash('sha256').update(contentHash).digest('hex').slice(0, 32)}` };
  };
  /** The LabelAccepted QA emits when it accepts input `i` of `corpus` in `project`. */
  const accepted = (project: string, corpus: string, i: number) => {
    const { contentHash, itemId } = input(corpus, i);
    return eventRecord(
      LabelAcceptedSchema,
      {
        itemId,
        projectId: project,
        label: { value: { case: 'classification', value: { classes: [i % 3 === 0 ? 'spam' : 'ham'] } } },
        confidence: 0.9,
        agreement: 1,
        annotatorIds: [`annotator-${i % 5}`],
        qaPolicyVersion: 'qa-1',
        modelId: `model-${project}`,
        modelVersion: '1',
        trigger: 'low_confidence',
        strategy: 'entropy',
        sourceEventId: `pred-${project}-${i}`,
        inputUri: `corpus://${corpus}/${i}`,
        contentHash,
        guidelineVersion: 'g-1',
      },
      { id: labelAcceptedId(project, itemId), key: itemId, source: 'labelloop/qa' },
    );
  };

  it("stores every project's labels and cuts their versions, also for projects labelling the same inputs", async () => {
    const seeded = `seed-${run}`; // the inputs both main-job projects label
    const projects = [
      { id: `bench-${run}`, corpus: `bench-${run}`, n: 2000 },
      { id: `mainjob-a-${run}`, corpus: seeded, n: 300 },
      { id: `gold-${run}`, corpus: `gold-${run}`, n: 3 },
      { id: `mainjob-b-${run}`, corpus: seeded, n: 325 },
    ];
    const [bench, a, gold, b] = projects.map((p) => Array.from({ length: p.n }, (_, i) => accepted(p.id, p.corpus, i)));
    const producer = await rig.producer();
    // The flood and the first project's labels together, then the second project's labels one by one, as QA accepts them.
    await producer.send({ topic: Topics.labelAccepted, messages: [...bench, ...a, ...gold] });
    for (let i = 0; i < b.length; i += 25) await producer.send({ topic: Topics.labelAccepted, messages: b.slice(i, i + 25) });

    const figures = async () => {
      const rows = (
        await pg.query<{ dataset_id: string; items: number; pending: number; versions: number; last: number | null }>(
          `SELECT i.dataset_id, count(*)::int AS items, count(*) FILTER (WHERE i.pending)::int AS pending,
                  (SELECT count(*)::int FROM dataset_registry.dataset_version v WHERE v.dataset_id = i.dataset_id) AS versions,
                  (SELECT max(item_count) FROM dataset_registry.dataset_version v WHERE v.dataset_id = i.dataset_id) AS last
             FROM dataset_registry.dataset_item i GROUP BY i.dataset_id ORDER BY i.dataset_id`,
        )
      ).rows;
      return Object.fromEntries(rows.map((r) => [r.dataset_id, r]));
    };
    /** Every item stored; fewer than CUT_EVERY left pending, so the versions kept being cut. */
    const done = (f: Awaited<ReturnType<typeof figures>>) =>
      projects.every((p) => f[p.id]?.items === p.n && f[p.id].pending < CUT_EVERY && (p.n < CUT_EVERY || f[p.id].last === p.n - f[p.id].pending));
    let last: Awaited<ReturnType<typeof figures>> = {};
    await eventually(async () => done((last = await figures())), 'every project stored and versioned', 120_000, 500).catch((e: Error) => {
      throw new Error(`${e.message}; registry has ${JSON.stringify(last)}`);
    });
    for (const p of projects) {
      expect(last[p.id].items).toBe(p.n);
      // Versions of at least CUT_EVERY changes each, the last holding every item not pending.
      expect(last[p.id].versions).toBeGreaterThanOrEqual(p.n < CUT_EVERY ? 0 : 1);
      expect(last[p.id].versions).toBeLessThanOrEqual(Math.floor(p.n / CUT_EVERY));
    }
    // Both projects over the same inputs hold them, each with its own labels and splits.
    const shared = await pg.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM dataset_registry.dataset_item x JOIN dataset_registry.dataset_item y USING (item_id)
        WHERE x.dataset_id = $1 AND y.dataset_id = $2`,
      [projects[1].id, projects[3].id],
    );
    expect(shared.rows[0].n).toBe(300);
    // Nothing was dead-lettered or taken for a redelivery: one applied inbox row per event of
    // this run (other tests on the broker may send theirs too; their ids do not name this run).
    const inbox = await pg.query<{ outcome: string; n: number }>(
      `SELECT outcome, count(*)::int AS n FROM dataset_registry.inbox WHERE topic = $1 AND event_id LIKE $2 GROUP BY outcome`,
      [Topics.labelAccepted, `%-${run}:%`],
    );
    expect(inbox.rows).toEqual([{ outcome: 'applied', n: bench.length + a.length + gold.length + b.length }]);
  }, 240_000);
});

import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { DescMessage, fromBinary, MessageShape } from '@bufbuild/protobuf';
import { DatasetApprovedSchema, DatasetRegistryService, dlqTopic, labelAcceptedId, RetrainRequestedSchema, Topics } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import type { TopicEnds } from '@labelloop/testing';
import {
  annotationTasks,
  catalog,
  datasetItems,
  datasetVersions,
  inboxes,
  inboxOf,
  outboxes,
  qaAnswers,
  qaItems as qaItemRows,
  retrainRuns,
  samplingDecisions,
} from './reconcile.repository';
import { readWholeTopic, TopicRecord } from './topic-reader';
import type { TrafficPlan } from './traffic';
import type { Launch } from './webhook';

export { inboxOf } from './reconcile.repository';

/** The six schemas (each with its inbox and outbox). */
export const SCHEMAS = ['sampling', 'drift_detection', 'annotation_dispatch', 'qa', 'dataset_registry', 'retrain_trigger'] as const;

/** One reconciliation check: what was expected, what was found, and how it failed. */
export interface Check {
  name: string;
  expected: number;
  found: number;
  /** Expected effects that are missing (lost events). */
  lost: number;
  /** Effects applied more than once, or with no cause (double effects). */
  duplicated: number;
  /** Wrong content (e.g. a registry label differing from QA's decision). */
  mismatched: number;
  /** Up to 5 offending ids, for the report. */
  examples: string[];
}

/** The reconciled figures of one run. */
export interface Reconciliation {
  counts: Record<string, number>;
  /** At-least-once copies on the wire per topic (same ce_id delivered again: harmless by design). */
  wireCopies: Record<string, number>;
  checks: Check[];
  losses: number;
  duplicates: number;
  mismatches: number;
  notes: string[];
}

interface Ctx {
  pg: Pool;
  kafka: Kafka;
  plan: TrafficPlan;
  overlap: number;
  cutEvery: number;
  launches: Launch[];
  /** Found in the export URIs of this run's dataset versions (its REGISTRY_EXPORT_DIR). */
  exportMarker: string;
  /** Where each topic ended when the run started (its records come after). */
  from?: TopicEnds;
  /** The registry's gRPC API and a reader's token: version membership through the public contract. */
  registry?: { address: string; token: string };
}

/** The payload of a record, or undefined when it does not decode. */
function decoded<D extends DescMessage>(schema: D, r: TopicRecord): MessageShape<D> | undefined {
  try {
    return r.value ? fromBinary(schema, r.value) : undefined;
  } catch {
    return undefined;
  }
}

/** Compares an expected id set with found ids (a list: repeats count as double effects). */
function compare(name: string, expected: Iterable<string>, foundList: string[]): Check {
  const exp = new Set(expected);
  const seen = new Map<string, number>();
  for (const id of foundList) seen.set(id, (seen.get(id) ?? 0) + 1);
  const missing = [...exp].filter((id) => !seen.has(id));
  const extra = [...seen].filter(([id]) => !exp.has(id)).map(([id]) => id);
  const repeated = [...seen].filter(([, n]) => n > 1);
  return {
    name,
    expected: exp.size,
    found: foundList.length,
    lost: missing.length,
    duplicated: extra.length + repeated.reduce((s, [, n]) => s + n - 1, 0),
    mismatched: 0,
    examples: [
      ...missing.slice(0, 3).map((m) => `missing ${m}`),
      ...extra.slice(0, 2).map((m) => `unexpected ${m}`),
      ...repeated.slice(0, 2).map(([m, n]) => `${n}x ${m}`),
    ],
  };
}

/** A check over counts per key: below `want` is a loss, above a double effect. */
function perKey(name: string, want: Map<string, number>, got: Map<string, number>): Check {
  let lost = 0;
  let duplicated = 0;
  const examples: string[] = [];
  for (const [k, w] of want) {
    const g = got.get(k) ?? 0;
    if (g < w) lost += w - g;
    if (g > w) duplicated += g - w;
    if (g !== w && examples.length < 5) examples.push(`${k}: ${g} instead of ${w}`);
  }
  for (const [k, g] of got) {
    if (!want.has(k)) {
      duplicated += g;
      if (examples.length < 5) examples.push(`${k}: ${g} unexpected`);
    }
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return { name, expected: sum(want), found: sum(got), lost, duplicated, mismatched: 0, examples };
}

const countBy = <T>(list: T[], key: (t: T) => string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const x of list) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
};

/** Distinct ce_ids of records vs the expected ids; the rest are at-least-once copies. */
function wire(name: string, records: TopicRecord[], expected: Set<string>): { check: Check; copies: number } {
  const ids = records.map((r) => r.headers.ce_id ?? `no-ce_id@${r.partition}/${r.offset}`);
  const distinct = [...new Set(ids)];
  const check = compare(name, expected, distinct);
  return { check, copies: ids.length - distinct.length };
}

/**
 * End-to-end reconciliation from the stores and the topics, restricted to this run's ids
 * (the database is the run's own, but the topics are shared with other tests, and the
 * services also consume other tests' older events from them). Like Kafka's transactions
 * test: input set == output set at every stage, zero duplicates.
 */
export async function reconcile(ctx: Ctx): Promise<Reconciliation> {
  const { pg, kafka, plan, overlap } = ctx;
  const checks: Check[] = [];
  const notes: string[] = [];
  const counts: Record<string, number> = {};
  const wireCopies: Record<string, number> = {};

  // 1. Every prediction is in sampling's and drift-detection's inbox exactly once (and was applied).
  // Both keep the compact inbox: a row per chunk with the ids it applied.
  const eventIds = Array.from({ length: plan.events }, (_, i) => plan.eventId(i));
  counts.events = plan.events;
  for (const schema of ['sampling', 'drift_detection']) {
    const { name } = inboxOf(schema);
    const inbox = await inboxes.like(pg, schema, Topics.predictionRecorded, `${plan.run}-p%`);
    checks.push(
      compare(
        `${name} has every prediction once`,
        eventIds,
        inbox.map((r) => r.event_id),
      ),
    );
    const dead = inbox.filter((r) => r.outcome !== 'applied');
    if (dead.length)
      checks.push({
        name: `${name} predictions dead-lettered`,
        expected: 0,
        found: dead.length,
        lost: dead.length,
        duplicated: 0,
        mismatched: 0,
        examples: dead.slice(0, 5).map((d) => d.event_id),
      });
  }

  // 2. Sampling: one decision per selected item and content hash; every low-confidence event selected.
  const decisions = await samplingDecisions.ofModel(pg, plan.modelId);
  const lowHashes = [...plan.lowConfidence].map((i) => plan.contentHash(i));
  const lowSet = new Set(lowHashes);
  const decidedLow = decisions.filter((d) => lowSet.has(d.content_hash));
  checks.push(
    compare(
      'sampling selected every low-confidence event once',
      lowHashes,
      decidedLow.map((d) => d.content_hash),
    ),
  );
  checks.push(
    compare(
      'sampling decisions: one per item',
      new Set(decisions.map((d) => d.item_id)),
      decisions.map((d) => d.item_id),
    ),
  );
  const extra = decisions.filter((d) => !lowSet.has(d.content_hash));
  const unexpected = extra.filter((d) => d.trigger !== 'DRIFT');
  counts.selected = decisions.length;
  counts.selected_low_confidence = decidedLow.length;
  counts.selected_by_drift = extra.length - unexpected.length;
  if (unexpected.length) notes.push(`${unexpected.length} selections by other triggers: ${[...new Set(unexpected.map((u) => u.trigger))].join(', ')}`);
  const items = new Set(decisions.map((d) => d.item_id));
  const itemList = [...items];

  // 3. Dispatch received every AnnotationRequested once and made exactly `overlap` label tasks per item.
  const reqInbox = await inboxes.ofTopic(
    pg,
    'annotation_dispatch',
    Topics.annotationRequested,
    itemList.map((i) => `annotation-requested:${i}`),
  );
  checks.push(
    compare(
      'dispatch.inbox has every AnnotationRequested',
      itemList.map((i) => `annotation-requested:${i}`),
      reqInbox.map((r) => r.event_id),
    ),
  );
  const tasks = await annotationTasks.ofProject(pg, plan.projectId);
  checks.push(
    perKey(
      `label tasks per item = ${overlap}`,
      new Map(itemList.map((i) => [i, overlap])),
      countBy(
        tasks.filter((t) => t.kind === 'label'),
        (t) => t.item_id,
      ),
    ),
  );
  const open = tasks.filter((t) => t.state === 'pending' || t.state === 'leased' || t.state === 'submitted');
  checks.push({
    name: 'tasks finished (none pending, leased or submitted)',
    expected: 0,
    found: open.length,
    lost: open.length,
    duplicated: 0,
    mismatched: 0,
    examples: open.slice(0, 5).map((t) => `${t.task_id} ${t.state}`),
  });
  const pairs = countBy(
    tasks.filter((t) => t.annotator_id),
    (t) => `${t.item_id}|${t.annotator_id}`,
  );
  const twice = [...pairs].filter(([, n]) => n > 1);
  if (twice.length)
    checks.push({
      name: 'an annotator got the same item twice',
      expected: 0,
      found: twice.length,
      lost: 0,
      duplicated: twice.length,
      mismatched: 0,
      examples: twice.slice(0, 5).map(([k]) => k),
    });
  counts.tasks = tasks.length;
  counts.rework_tasks = tasks.filter((t) => t.kind === 'rework').length;

  // 4. Every finished task has one submission; QA recorded every submission exactly once.
  const subs = await annotationTasks.submissionsOfProject(pg, plan.projectId);
  counts.submissions = subs.length;
  const answered = tasks.filter((t) => ['submitted', 'accepted', 'rework'].includes(t.state)).map((t) => t.task_id);
  checks.push(
    compare(
      'one submission per answered task',
      answered,
      subs.map((s) => s.task_id),
    ),
  );
  const qaInbox = await inboxes.ofTopic(
    pg,
    'qa',
    Topics.annotationSubmitted,
    subs.map((s) => `annotation-submitted:${s.submission_id}`),
  );
  checks.push(
    compare(
      'qa.inbox has every AnnotationSubmitted',
      subs.map((s) => `annotation-submitted:${s.submission_id}`),
      qaInbox.map((r) => r.event_id),
    ),
  );
  const answers = await qaAnswers.ofProject(pg, plan.projectId);
  checks.push(
    compare(
      'qa.qa_answer = dispatch submissions',
      subs.map((s) => s.submission_id),
      answers.map((a) => a.submission_id),
    ),
  );

  // 5. Every item ends accepted; every submission ends in exactly one outcome (its round's rework, or the acceptance).
  const qaItems = await qaItemRows.ofProject(pg, plan.projectId);
  const qaById = new Map(qaItems.map((q) => [q.item_id, q]));
  checks.push(
    compare(
      'qa decided every selected item (accepted)',
      itemList,
      qaItems.filter((q) => q.state === 'accepted').map((q) => q.item_id),
    ),
  );
  const wantPerRound = new Map<string, number>();
  for (const q of qaItems) for (let r = 0; r <= q.round; r++) wantPerRound.set(`${q.item_id}@${r}`, r === 0 ? overlap : 1);
  checks.push(
    perKey(
      'answers per item and round (overlap, then 1 per rework)',
      wantPerRound,
      countBy(answers, (a) => `${a.item_id}@${a.round}`),
    ),
  );
  let pendingOutcome = 0;
  let toRework = 0;
  let toAccepted = 0;
  for (const a of answers) {
    const q = qaById.get(a.item_id);
    if (q && a.round < q.round) toRework++;
    else if (q && a.round === q.round && q.state === 'accepted') toAccepted++;
    else pendingOutcome++;
  }
  checks.push({
    name: 'every submission ends in one accepted label or rework',
    expected: answers.length,
    found: toRework + toAccepted,
    lost: pendingOutcome,
    duplicated: 0,
    mismatched: 0,
    examples: [],
  });
  const accepted = qaItems.filter((q) => q.state === 'accepted');
  counts.accepted = accepted.length;
  counts.reworks = qaItems.reduce((s, q) => s + q.round, 0);
  counts.submissions_to_accepted = toAccepted;
  counts.submissions_to_rework = toRework;

  // 6. Dispatch applied every rework (one new task each) and every acceptance.
  const reworkIds = qaItems.flatMap((q) => Array.from({ length: q.round }, (_, r) => `rework-requested:${q.item_id}:${r}`));
  const acceptIds = accepted.map((q) => labelAcceptedId(plan.projectId, q.item_id));
  const dispInbox = await inboxes.anyTopic(pg, 'annotation_dispatch', [...reworkIds, ...acceptIds]);
  checks.push(
    compare(
      'dispatch.inbox has every ReworkRequested',
      reworkIds,
      dispInbox.filter((r) => r.topic === Topics.reworkRequested).map((r) => r.event_id),
    ),
  );
  checks.push(
    compare(
      'dispatch.inbox has every LabelAccepted',
      acceptIds,
      dispInbox.filter((r) => r.topic === Topics.labelAccepted).map((r) => r.event_id),
    ),
  );
  checks.push(
    perKey(
      'rework tasks per item = QA reworks',
      new Map(qaItems.filter((q) => q.round > 0).map((q) => [q.item_id, q.round])),
      countBy(
        tasks.filter((t) => t.kind === 'rework'),
        (t) => t.item_id,
      ),
    ),
  );

  // 7. Registry: every accepted item once, with QA's label; versions add up; each item enters the versions once.
  const regInbox = await inboxes.ofTopic(pg, 'dataset_registry', Topics.labelAccepted, acceptIds);
  checks.push(
    compare(
      'dataset_registry.inbox has every LabelAccepted',
      acceptIds,
      regInbox.map((r) => r.event_id),
    ),
  );
  const dsItems = await datasetItems.ofDataset(pg, plan.projectId);
  checks.push(
    compare(
      'dataset_item = accepted items (once each)',
      accepted.map((q) => q.item_id),
      dsItems.map((d) => d.item_id),
    ),
  );
  const wrongLabel = dsItems.filter((d) => qaById.get(d.item_id)?.final_label !== d.label);
  checks.push({
    name: 'registry label = QA final label',
    expected: dsItems.length,
    found: dsItems.length - wrongLabel.length,
    lost: 0,
    duplicated: 0,
    mismatched: wrongLabel.length,
    examples: wrongLabel.slice(0, 5).map((w) => w.item_id),
  });
  const versioned = dsItems.filter((d) => !d.pending);
  const pending = dsItems.length - versioned.length;
  counts.dataset_items = dsItems.length;
  counts.pending_next_cut = pending;
  // A registry with time-based cuts (dataset_head) versions the tail too; an older one keeps < REGISTRY_CUT_EVERY pending.
  const intervalCuts = await catalog.tableExists(pg, 'dataset_registry', 'dataset_head');
  const maxPending = intervalCuts ? 0 : ctx.cutEvery - 1;
  checks.push({
    name: `items awaiting a cut <= ${maxPending}${intervalCuts ? ' (time-based cuts)' : ' (REGISTRY_CUT_EVERY - 1)'}`,
    expected: 0,
    found: pending,
    lost: pending > maxPending ? pending : 0,
    duplicated: 0,
    mismatched: 0,
    examples: [],
  });

  const versions = (await catalog.tableExists(pg, 'dataset_registry', 'dataset_version'))
    ? await datasetVersions.ofDataset(pg, plan.projectId)
    : (notes.push('dataset_registry.dataset_version does not exist: the registry schema changed, versions not reconciled'), []);
  const approved = versions.filter((v) => (v.status ?? 'approved') === 'approved');
  const rejected = versions.filter((v) => (v.status ?? 'approved') !== 'approved');
  if (rejected.length)
    notes.push(
      `${rejected.length} version(s) rejected by the registry's gates: ${rejected
        .slice(0, 3)
        .map((v) => `v${v.number}: ${(v.reasons ?? []).join('; ')}`)
        .join(' | ')}`,
    );
  counts.versions = versions.length;
  counts.versions_approved = approved.length;
  const latest = versions[versions.length - 1];
  counts.in_latest_version = latest ? Number(latest.item_count) : 0;
  if (versions.length) {
    const gaps = versions.filter((v, k) => Number(v.number) !== k + 1);
    if (gaps.length)
      checks.push({
        name: 'version numbers 1..V without gaps',
        expected: versions.length,
        found: versions.length - gaps.length,
        lost: gaps.length,
        duplicated: 0,
        mismatched: 0,
        examples: gaps.slice(0, 5).map((g) => String(g.number)),
      });
    // Versions are cumulative: each adds exactly its new items (no item counted twice, none dropped).
    const want = new Map<string, number>();
    const got = new Map<string, number>();
    versions.forEach((v, k) => {
      const delta = v.added_items !== undefined ? Number(v.added_items) - Number(v.removed_items ?? 0) : Number(v.new_items);
      want.set(`v${v.number}`, (k ? Number(versions[k - 1].item_count) : 0) + delta);
      got.set(`v${v.number}`, Number(v.item_count));
    });
    checks.push(perKey('version item_count = previous + added - removed', want, got));
    checks.push(
      perKey(
        'latest version holds every versioned (non-pending) item',
        new Map([['latest', versioned.length]]),
        new Map([['latest', Number(latest.item_count)]]),
      ),
    );

    // The version each item entered: from the per-version change log (dataset_version_source,
    // trie-based registry) or, for flat versions, from membership (dataset_version_item).
    const hasSource = await catalog.tableExists(pg, 'dataset_registry', 'dataset_version_source');
    const hasMembers = await catalog.tableExists(pg, 'dataset_registry', 'dataset_version_item');
    const entered: string[] = [];
    let reconciledVersions = 0;
    let previousMembers = new Set<string>();
    for (const v of versions) {
      const source = hasSource ? await datasetVersions.sources(pg, plan.projectId, v.version_id) : [];
      const members = hasMembers ? await datasetVersions.members(pg, plan.projectId, v.version_id) : [];
      if (source.length) {
        entered.push(...source.filter((x) => x.change === 'added').map((x) => x.item_id));
        reconciledVersions++;
      } else if (members.length) {
        const now = new Set(members.map((m) => m.item_id));
        const dropped = [...previousMembers].filter((m) => !now.has(m));
        if (dropped.length)
          checks.push({
            name: `v${v.number} keeps every item of the version before`,
            expected: previousMembers.size,
            found: previousMembers.size - dropped.length,
            lost: dropped.length,
            duplicated: 0,
            mismatched: 0,
            examples: dropped.slice(0, 5),
          });
        entered.push(...[...now].filter((m) => !previousMembers.has(m)));
        previousMembers = now;
        reconciledVersions++;
      }
    }
    if (reconciledVersions === versions.length) {
      checks.push(
        compare(
          'each versioned item enters the dataset versions exactly once',
          versioned.map((d) => d.item_id),
          entered,
        ),
      );
    } else {
      notes.push(
        `membership of ${versions.length - reconciledVersions} of ${versions.length} versions not readable from SQL (no dataset_version_source / dataset_version_item rows): reconciled from item counts only`,
      );
    }
    // The latest version's members as the registry serves them (DatasetRegistryService.GetVersion):
    // every versioned item exactly once, whatever the storage underneath.
    if (ctx.registry) {
      const client = createGrpcClient(DatasetRegistryService, ctx.registry.address, { token: ctx.registry.token, defaultDeadlineMs: 60_000 });
      try {
        const served: string[] = [];
        let pageToken = '';
        for (let page = 0; page < 100; page++) {
          const res = await client.getVersion({ versionId: latest.version_id, datasetId: plan.projectId, pageToken });
          served.push(...res.itemIds);
          pageToken = (res as { nextPageToken?: string }).nextPageToken ?? '';
          if (!pageToken) break;
        }
        checks.push(
          compare(
            'latest version served by GetVersion = versioned items, once each',
            versioned.map((d) => d.item_id),
            served,
          ),
        );
      } catch (e) {
        notes.push(`DatasetRegistryService.GetVersion failed (${(e as Error).message}): latest membership not checked through the API`);
      } finally {
        client.close();
      }
    }
    if (hasSource && hasMembers && versions.some((v) => v.root_hash) && versions.some((v) => !v.root_hash)) {
      notes.push('the registry changed its version storage during the run (flat versions first, trie versions after)');
    }
  }

  // 8. Retrain: every approved version's DatasetApproved applied once, one run per version, each launched once (per idempotency key).
  // Other test runs' registries read this run's LabelAccepted from the shared topic and announce
  // versions of the same dataset id; this run's are told apart by their export URI.
  const mine = (uri: string | undefined) => (uri ?? '').includes(ctx.exportMarker);
  const approvedIds = approved.map((v) => `dataset-approved:${plan.projectId}:${v.version_id}`);
  const rtInbox = await inboxes.ofTopic(pg, 'retrain_trigger', Topics.datasetApproved, approvedIds);
  checks.push(
    compare(
      'retrain_trigger.inbox has every DatasetApproved',
      approvedIds,
      rtInbox.map((r) => r.event_id),
    ),
  );
  const allRuns = await retrainRuns.ofModel(pg, plan.modelId);
  const approvedSet = new Set(approved.map((v) => v.version_id));
  const runs = allRuns.filter((r) => approvedSet.has(r.dataset_version_id) || mine(r.export_uri));
  const foreign = allRuns.filter((r) => !runs.includes(r));
  counts.foreign_runs = foreign.length;
  if (foreign.length) {
    const where = [...new Set(foreign.map((r) => r.export_uri.replace(/\/[^/]+\/[^/]+\/?$/, '')))].slice(0, 3).join(', ');
    notes.push(
      `${foreign.length} retrain run(s) for versions other test runs' registries cut from this run's labels (shared topics; exports under ${where}; not this run's effects)`,
    );
  }
  checks.push(
    compare(
      'one retrain run per approved dataset version',
      approved.map((v) => v.version_id),
      runs.map((r) => r.dataset_version_id),
    ),
  );
  // Same version id = same content = same ce_id: another test run's registry that cut exactly
  // the same items announced it too, and whichever copy arrived first made the run.
  const viaForeignCopy = runs.filter((r) => !mine(r.export_uri));
  counts.runs_from_foreign_copy = viaForeignCopy.length;
  if (viaForeignCopy.length)
    notes.push(
      `${viaForeignCopy.length} run(s) of this run's versions were created from another test run's identical DatasetApproved (same ce_id, its export URI): shared-topic cross-talk, once per version all the same`,
    );
  const notLaunched = runs.filter((r) => r.state !== 'running');
  checks.push({
    name: 'every run launched',
    expected: runs.length,
    found: runs.length - notLaunched.length,
    lost: notLaunched.length,
    duplicated: 0,
    mismatched: 0,
    examples: notLaunched.slice(0, 5).map((r) => `${r.run_id} ${r.state}`),
  });
  const runIds = new Set(runs.map((r) => r.run_id));
  const ours = ctx.launches.filter((l) => runIds.has(l.runId) || (l.modelId === plan.modelId && approvedSet.has(l.datasetVersionId)));
  checks.push(
    compare(
      'webhook: one training job per run (distinct Idempotency-Key)',
      runs.map((r) => r.run_id),
      [...new Set(ours.map((l) => l.idempotencyKey))],
    ),
  );
  const unsigned = ours.filter((l) => !l.signatureValid || l.idempotencyKey !== l.runId);
  if (unsigned.length)
    checks.push({
      name: 'webhook calls signed, key = run id',
      expected: ours.length,
      found: ours.length - unsigned.length,
      lost: 0,
      duplicated: 0,
      mismatched: unsigned.length,
      examples: [],
    });
  counts.retrain_runs = runs.length;
  counts.webhook_calls = ours.length;
  wireCopies.webhook_relaunch = ours.length - new Set(ours.map((l) => l.idempotencyKey)).size;

  // 9. Outboxes drained.
  for (const schema of SCHEMAS) {
    const n = await outboxes.count(pg, schema);
    if (n > 0) checks.push({ name: `${schema}.outbox drained`, expected: 0, found: n, lost: n, duplicated: 0, mismatched: 0, examples: [] });
  }

  // 10. The topics: every effect announced, distinct ce_ids = effects (copies are at-least-once redeliveries).
  const byKey = (keys: Set<string>) => (r: TopicRecord) => r.key !== null && keys.has(r.key);
  const itemKeys = new Set(itemList);
  const subIds = new Set(subs.map((s) => `annotation-submitted:${s.submission_id}`));
  const topicChecks: [string, string, (r: TopicRecord) => boolean, Set<string>][] = [
    ['AnnotationRequested', Topics.annotationRequested, byKey(itemKeys), new Set(itemList.map((i) => `annotation-requested:${i}`))],
    ['AnnotationSubmitted', Topics.annotationSubmitted, byKey(itemKeys), subIds],
    ['ReworkRequested', Topics.reworkRequested, byKey(itemKeys), new Set(reworkIds)],
    ['LabelAccepted', Topics.labelAccepted, byKey(itemKeys), new Set(acceptIds)],
    [
      'DatasetApproved',
      Topics.datasetApproved,
      (r) => byKey(new Set([plan.projectId]))(r) && (approvedIds.includes(r.headers.ce_id) || mine(decoded(DatasetApprovedSchema, r)?.exportUri)),
      new Set(approvedIds),
    ],
    [
      'RetrainRequested',
      Topics.retrainRequested,
      (r) =>
        byKey(new Set([plan.modelId]))(r) &&
        (runIds.has((r.headers.ce_id ?? '').replace('retrain-requested:', '')) || mine(decoded(RetrainRequestedSchema, r)?.exportUri)),
      new Set(runs.map((r) => `retrain-requested:${r.run_id}`)),
    ],
  ];
  const reads = await Promise.all(topicChecks.map(([, topic, keep]) => readWholeTopic(kafka, topic, keep, { from: ctx.from?.get(topic) })));
  topicChecks.forEach(([label, , , expected], k) => {
    const { check, copies } = wire(`topic ${label}: distinct ce_ids = effects`, reads[k].records, expected);
    checks.push(check);
    wireCopies[label] = copies;
  });
  const drift = await readWholeTopic(kafka, Topics.driftDetected, byKey(new Set([plan.modelId])), { from: ctx.from?.get(Topics.driftDetected) });
  counts.drift_alerts = new Set(drift.records.map((r) => r.headers.ce_id)).size;

  // 11. Nothing of this run was dead-lettered.
  const ourKeys = new Set([...itemList, plan.modelId, plan.projectId]);
  const ourRecord = (r: TopicRecord) => (r.key !== null && ourKeys.has(r.key)) || (r.headers.ce_id ?? '').startsWith(`${plan.run}-`);
  const dlqs = [
    Topics.predictionRecorded,
    Topics.annotationRequested,
    Topics.annotationSubmitted,
    Topics.reworkRequested,
    Topics.labelAccepted,
    Topics.datasetApproved,
    Topics.driftDetected,
  ].map(dlqTopic);
  const dead = await Promise.all(dlqs.map((t) => readWholeTopic(kafka, t, ourRecord, { from: ctx.from?.get(t) })));
  for (const [k, t] of dlqs.entries()) {
    const { records } = dead[k];
    if (records.length)
      checks.push({
        name: `${t} holds none of this run`,
        expected: 0,
        found: records.length,
        lost: records.length,
        duplicated: 0,
        mismatched: 0,
        examples: records.slice(0, 5).map((r) => `${r.headers.ce_id}: ${r.headers['dlq-reason']}`),
      });
  }

  const sum = (f: (c: Check) => number) => checks.reduce((s, c) => s + f(c), 0);
  return { counts, wireCopies, checks, losses: sum((c) => c.lost), duplicates: sum((c) => c.duplicated), mismatches: sum((c) => c.mismatched), notes };
}

/** Cheap progress figures, polled until the pipeline has settled. */
export async function progress(pg: Pool, plan: TrafficPlan): Promise<Record<string, number>> {
  const like = `${plan.run}-p%`;
  return {
    sampled: await inboxes.countLike(pg, 'sampling', Topics.predictionRecorded, like),
    drift: await inboxes.countLike(pg, 'drift_detection', Topics.predictionRecorded, like),
    selected: await samplingDecisions.countOfModel(pg, plan.modelId),
    tasks: await annotationTasks.countOfProject(pg, plan.projectId),
    open: await annotationTasks.countOpen(pg, plan.projectId),
    answers: await qaAnswers.countOfProject(pg, plan.projectId),
    accepted: await qaItemRows.countAccepted(pg, plan.projectId),
    items: await datasetItems.countOfDataset(pg, plan.projectId),
    pendingItems: await datasetItems.countPending(pg, plan.projectId),
    intervalCuts: await catalog.intervalCuts(pg),
    versions: await datasetVersions.countOfDataset(pg, plan.projectId).catch(() => -1),
    approved: await datasetVersions.countApproved(pg, plan.projectId).catch(() => -1),
    // Of this run's approved versions: other test runs' registries may announce other versions
    // of the same dataset id, which this run's retrain-trigger also turns into runs.
    runs: await retrainRuns.countOfOurVersions(pg, plan.modelId, plan.projectId),
    launched: await retrainRuns.countLaunchedOfOurVersions(pg, plan.modelId, plan.projectId),
    outbox: await outboxes.total(pg, SCHEMAS),
  };
}

/** True when every stage has caught up with what came before it. */
export function settled(p: Record<string, number>, events: number, overlap: number): boolean {
  return (
    p.sampled === events &&
    p.drift === events &&
    p.selected > 0 &&
    p.tasks >= p.selected * overlap &&
    p.open === 0 &&
    p.accepted === p.selected &&
    p.items === p.accepted &&
    (p.intervalCuts === 0 || p.pendingItems === 0) &&
    p.runs === p.approved &&
    p.launched === p.runs &&
    p.outbox === 0
  );
}

import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Pool } from 'pg';
import { sleep } from '@labelloop/messaging';
import { createTestDatabase, freePort, REPO_ROOT, SERVICES, startGroupsAt, testKafka, topicEnds, type TopicEnds } from '@labelloop/testing';
import { FAULT_START_S, FaultProfile, prng } from './profile';
import { localInfra, restartInfra } from './infra';
import { SUBSCRIPTIONS } from './offsets';
import { progress, reconcile, Reconciliation, settled } from './reconcile';
import { ExitRecord, Supervisor } from './supervisor';
import { CONFIDENCE_THRESHOLD, planTraffic, SenderState, sendTraffic } from './traffic';
import { startTrainingWebhook } from './webhook';
import { Annotator, runWorkforce, WorkforceStats } from './workforce';

/** One fault the harness injected (or had to react to). */
export interface FaultRecord {
  kind: 'sigkill' | 'kafka_restart' | 'postgres_restart';
  target: string;
  /** Seconds into the run when it was injected. */
  t: number;
  /** Seconds until the target was back (service ready again / restart script done). */
  seconds: number;
  /** Broker / database: seconds it was down (from stopped until started again). */
  downSeconds?: number;
  error?: string;
}

/** Everything a run produced. */
export interface FaultReport {
  profile: FaultProfile;
  run: string;
  modelId: string;
  projectId: string;
  sender: SenderState;
  faults: {
    sigkill: Record<string, number>;
    kafka_restart: number;
    postgres_restart: number;
    /** Processes that ended on their own (extra faults; each one may be a service bug). */
    self_exit: Record<string, number>;
    /** Restarts that failed before "service started" (retried by the harness). */
    start_failure: Record<string, number>;
  };
  faultLog: FaultRecord[];
  exits: ExitRecord[];
  recoverySignals: Record<string, Record<string, number>>;
  recoveryErrors: Record<string, Record<string, number>>;
  workforce: WorkforceStats;
  settled: boolean;
  lastProgress?: Record<string, number>;
  seconds: { setup: number; traffic: number; drain: number; reconcile: number; total: number };
  reconciliation: Reconciliation;
  summary: string;
}

const fmt = (r: Record<string, number>) =>
  `{${Object.entries(r)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')}}`;

/**
 * Issue 11: the whole pipeline (seven services as processes, real Kafka and PostgreSQL) under
 * faults. Predictions stream in while simulated annotators work through the annotator API and
 * a stand-in training job answers the retrain webhook; meanwhile every service is SIGKILLed at
 * random moments (`killsPerService` times each), the Kafka broker is restarted and PostgreSQL
 * is restarted. Then the run is reconciled end to end from the databases and the topics.
 * Bounded (every wait has a deadline), self-stopping, loopback only.
 */
export async function runFaultSuite(profile: FaultProfile, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<FaultReport> {
  const tStart = Date.now();
  const run = randomUUID().slice(0, 8);
  const modelId = `fault-model-${run}`;
  const projectId = `fault-${run}`;
  let t0 = Date.now();
  const clock = () => (Date.now() - t0) / 1000;
  // Bounded: past the budget nothing restarts, sends or waits any more, and the run fails.
  const deadline = tStart + profile.budgetSeconds * 1000;
  const stop = { done: false };
  const halted = () => stop.done || Date.now() > deadline;
  const waitUntil = async (cond: () => boolean, what: string) => {
    while (!cond()) {
      if (halted()) throw new Error(`run halted (budget of ${profile.budgetSeconds} s) while waiting for ${what}`);
      await sleep(100);
    }
  };
  const log = (m: string) => out(`[fault ${profile.name} +${clock().toFixed(1)}s] ${m}`);
  const infra = localInfra();
  log(
    `run ${run}: ${profile.events} events, seed ${profile.seed}, ${profile.killsPerService} SIGKILLs per service, kafka restarts ${infra.kafka ? profile.kafkaRestarts : '0 (external broker)'}, postgres restarts ${infra.postgres ? profile.postgresRestarts : '0 (external server)'}`,
  );

  const db = await createTestDatabase('fault');
  const pg = new Pool({ connectionString: db.url, max: 3 });
  pg.on('error', () => undefined); // idle clients die with the PostgreSQL restart; queries retry
  const secret = randomBytes(16).toString('hex');
  const webhook = await startTrainingWebhook(secret);
  const kafka = testKafka(`fault-${run}`);
  const exportDir = path.join('/tmp', `labelloop-fault-${run}`);
  const accuracies = [0.97, 0.93, 0.9, 0.86, 0.83, 0.8, 0.78, 0.76];
  const annotators: Annotator[] = Array.from({ length: profile.annotators }, (_, k) => ({
    name: `annotator-${k + 1}`,
    token: randomBytes(12).toString('hex'),
    accuracy: accuracies[k % accuracies.length],
  }));
  const dispatchPort = await freePort();
  const readerToken = randomBytes(12).toString('hex');
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    AUTH_TOKENS: JSON.stringify([
      ...annotators.map((a) => ({ token: a.token, subject: a.name, roles: ['annotator'], projects: [projectId] })),
      { token: readerToken, subject: 'fault-suite', roles: ['reviewer'], projects: [projectId] },
    ]),
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    LOG_LEVEL: 'warn',
    SAMPLING_CONFIDENCE_THRESHOLD: String(CONFIDENCE_THRESHOLD),
    SAMPLING_AUDIT_RATE: '0',
    SAMPLING_MICRO_BATCH: '10000',
    DISPATCH_OVERLAP: String(profile.overlap),
    DISPATCH_LABEL_CLASSES: 'ham,spam',
    QA_METHOD: 'majority',
    REGISTRY_CUT_EVERY: String(profile.cutEvery),
    // Registries with time-based cuts also version the tail (< REGISTRY_CUT_EVERY items) at the end.
    REGISTRY_CUT_INTERVAL_SECONDS: '5',
    REGISTRY_CUT_POLL_MS: '1000',
    REGISTRY_EXPORT_FORMATS: 'jsonl',
    // Unique per run: the export URI in DatasetApproved / RetrainRequested / retrain_run tells
    // this run's versions from those other test runs' registries make of the same shared topics.
    REGISTRY_EXPORT_DIR: exportDir,
    RETRAIN_WEBHOOK_URL: webhook.url,
    RETRAIN_WEBHOOK_SECRET: secret,
    RETRAIN_POLL_MS: '200',
  };
  const groupOf = (service: string) => `fault-${run}-${service}`;
  let outage: string | undefined;
  let restartsInFlight = 0;
  const supervisors = SERVICES.map(
    (name) =>
      new Supervisor(
        name,
        { ...env, KAFKA_GROUP_ID: groupOf(name), ...(name === 'annotation-dispatch' ? { GRPC_PORT: String(dispatchPort) } : {}) },
        clock,
        () => outage,
        log,
        halted,
      ),
  );
  const registryAddress = async () => {
    const p = supervisors.find((s) => s.name === 'dataset-registry')?.process;
    if (!p) throw new Error('dataset-registry is not running');
    return `127.0.0.1:${(await p.ready).grpcPort}`;
  };
  const sender: SenderState = { sent: 0, resent: 0, sendErrors: 0, producerRecreated: 0, done: false };
  const workforce: WorkforceStats = { submitted: 0, duplicateAcks: 0, rpcErrors: 0, abandoned: 0, paused: [], errorsByCode: {} };
  const faultLog: FaultRecord[] = [];
  const seconds = { setup: 0, traffic: 0, drain: 0, reconcile: 0, total: 0 };
  let lastProgress: Record<string, number> | undefined;
  let isSettled = false;
  let reconciliation: Reconciliation | undefined;
  let workforceRun: Promise<void> | undefined;
  let progressLoop: Promise<void> | undefined;

  let startOffsets: TopicEnds | undefined;
  try {
    // Fresh consumer groups start where the shared topics end now, not at earlier runs' events.
    startOffsets = await topicEnds(kafka);
    await startGroupsAt(
      kafka,
      SERVICES.map((name) => ({ groupId: groupOf(name), topics: SUBSCRIPTIONS[name] ?? [] })),
      startOffsets,
    );
    log(`consumer groups started at the current end of the shared topics (${Date.now() - tStart} ms)`);
    await Promise.all(supervisors.map((s) => s.start()));
    seconds.setup = (Date.now() - tStart) / 1000;
    t0 = Date.now();
    log(`${SERVICES.length} services up in ${seconds.setup.toFixed(1)} s (dispatch gRPC on 127.0.0.1:${dispatchPort})`);

    const plan = planTraffic(run, modelId, projectId, profile.events, profile.selectShare, profile.seed);
    workforceRun = runWorkforce(() => `127.0.0.1:${dispatchPort}`, projectId, annotators, profile.seed, stop, workforce);
    const traffic = sendTraffic(kafka, plan, { seconds: profile.sendSeconds, resendShare: profile.resendShare, log, halted }, sender);

    // Progress, every 10 s, until the end.
    progressLoop = (async () => {
      while (!stop.done) {
        const p = await progress(pg, plan).catch(() => undefined);
        if (p) lastProgress = p;
        log(
          `sent ${sender.sent}/${profile.events} | ${p ? fmt(p) : 'database unavailable'} | answers ${workforce.submitted}${outage ? ` | OUTAGE: ${outage}` : ''}`,
        );
        for (let k = 0; k < 20 && !stop.done; k++) await sleep(500);
      }
    })();

    // The fault schedule: stratified random moments (one per slot) so the kills spread over the window.
    const rnd = prng(profile.seed ^ 0x5eed);
    const span = profile.faultWindowSeconds - FAULT_START_S;
    const at = (from: number, to: number, slot: number, slots: number) => FAULT_START_S + span * (from + (to - from) * ((slot + 0.1 + 0.8 * rnd()) / slots));
    const killers = supervisors.map(async (sup) => {
      const times = Array.from({ length: profile.killsPerService }, (_, j) => at(0, 1, j, profile.killsPerService));
      for (const t of times) {
        await waitUntil(() => clock() >= t, `SIGKILL of ${sup.name} at +${t.toFixed(0)} s`);
        // Kills wait out a broker / database restart (a restart then would only fail to start).
        await waitUntil(() => !outage, `the end of the ${outage} before a SIGKILL`);
        restartsInFlight++;
        const when = clock();
        try {
          const secs = await sup.sigkill();
          faultLog.push({ kind: 'sigkill', target: sup.name, t: when, seconds: secs });
          log(`SIGKILL ${sup.name} (#${faultLog.filter((f) => f.kind === 'sigkill' && f.target === sup.name).length}): ready again after ${secs.toFixed(1)} s`);
        } finally {
          restartsInFlight--;
        }
      }
    });
    const infraFaults = [
      ...Array.from({ length: infra.kafka ? profile.kafkaRestarts : 0 }, (_, j) => ({ kind: 'kafka' as const, t: at(0.2, 0.5, j, profile.kafkaRestarts) })),
      ...Array.from({ length: infra.postgres ? profile.postgresRestarts : 0 }, (_, j) => ({
        kind: 'postgres' as const,
        t: at(0.5, 0.8, j, profile.postgresRestarts),
      })),
    ].sort((a, b) => a.t - b.t);
    const infraRun = (async () => {
      for (const f of infraFaults) {
        await waitUntil(() => clock() >= f.t, `the ${f.kind} restart at +${f.t.toFixed(0)} s`);
        await waitUntil(() => restartsInFlight === 0, `service restarts before the ${f.kind} restart`);
        outage = `${f.kind} restart`;
        const when = clock();
        log(`restarting ${f.kind}: deploy/local/${f.kind}.sh stop, ${profile.outageSeconds} s down, start…`);
        try {
          const r = await restartInfra(f.kind, profile.outageSeconds);
          faultLog.push({ kind: `${f.kind}_restart`, target: f.kind, t: when, seconds: r.seconds, downSeconds: r.downSeconds });
          log(`${f.kind} back after ${r.seconds.toFixed(1)} s (down ${r.downSeconds.toFixed(1)} s)`);
        } catch (e) {
          faultLog.push({ kind: `${f.kind}_restart`, target: f.kind, t: when, seconds: clock() - when, error: (e as Error).message });
          log(`${f.kind} restart FAILED: ${(e as Error).message}`);
        } finally {
          outage = undefined;
        }
      }
    })();

    const outcomes = await Promise.allSettled([traffic, ...killers, infraRun]);
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failure) throw failure.reason;
    seconds.traffic = clock();
    log(`traffic and faults done (${sender.sent} events + ${sender.resent} re-sent, ${faultLog.length} faults); waiting for the pipeline to settle`);

    // Settled = every stage caught up with the one before it, twice in a row.
    const drainStart = Date.now();
    let previous = '';
    while (Date.now() - drainStart < profile.drainTimeoutSeconds * 1000 && !halted()) {
      const p = await progress(pg, plan).catch(() => undefined);
      if (p) lastProgress = p;
      const line = JSON.stringify(p);
      if (p && settled(p, profile.events, profile.overlap) && line === previous) {
        isSettled = true;
        break;
      }
      previous = line;
      await sleep(2000);
    }
    seconds.drain = (Date.now() - drainStart) / 1000;
    log(isSettled ? `settled after ${seconds.drain.toFixed(1)} s` : `NOT settled within ${profile.drainTimeoutSeconds} s: reconciling what is there`);
    stop.done = true;
    await workforceRun;
    await progressLoop;

    const r0 = Date.now();
    reconciliation = await reconcile({
      pg,
      kafka,
      plan,
      overlap: profile.overlap,
      cutEvery: profile.cutEvery,
      launches: webhook.calls,
      exportMarker: exportDir,
      from: startOffsets,
      registry: { address: await registryAddress(), token: readerToken },
    });
    seconds.reconcile = (Date.now() - r0) / 1000;
  } finally {
    stop.done = true;
    await workforceRun?.catch(() => undefined);
    await progressLoop?.catch(() => undefined);
    await Promise.all(supervisors.map((s) => s.stop().catch(() => undefined)));
    for (const s of supervisors) s.finishCounting();
    await pg.end().catch(() => undefined);
    await webhook.close().catch(() => undefined);
    await db.drop().catch((e) => log(`could not drop ${db.name}: ${(e as Error).message}`));
    fs.rmSync(exportDir, { recursive: true, force: true });
  }
  seconds.total = (Date.now() - tStart) / 1000;

  const perService = (f: (s: Supervisor) => number) => Object.fromEntries(supervisors.map((s) => [s.name, f(s)]).filter(([, n]) => Number(n) > 0));
  const faults = {
    sigkill: Object.fromEntries(supervisors.map((s) => [s.name, faultLog.filter((f) => f.kind === 'sigkill' && f.target === s.name).length])),
    kafka_restart: faultLog.filter((f) => f.kind === 'kafka_restart' && !f.error).length,
    postgres_restart: faultLog.filter((f) => f.kind === 'postgres_restart' && !f.error).length,
    self_exit: perService((s) => s.exits.filter((e) => e.kind === 'self_exit').length),
    start_failure: perService((s) => s.exits.filter((e) => e.kind === 'start_failure').length),
  };
  if (!reconciliation) throw new Error('no reconciliation');
  const rec = reconciliation;
  const down = (kind: FaultRecord['kind']) => {
    const d = faultLog.filter((f) => f.kind === kind && f.downSeconds !== undefined).map((f) => `${f.downSeconds?.toFixed(0)} s`);
    return d.length ? ` (down ${d.join(', ')})` : '';
  };
  const c = rec.counts;
  const summary =
    `fault-injection: profile=${profile.name} seed=${profile.seed} events=${c.events} (+${sender.resent} re-sent) ` +
    `faults={sigkill: ${fmt(faults.sigkill)}, kafka_restart: ${faults.kafka_restart}${down('kafka_restart')}, postgres_restart: ${faults.postgres_restart}${down('postgres_restart')}, ` +
    `self_exit: ${fmt(faults.self_exit)}, start_failure: ${fmt(faults.start_failure)}} ` +
    `selected=${c.selected} (low-confidence ${c.selected_low_confidence}, drift ${c.selected_by_drift}) tasks=${c.tasks} (rework ${c.rework_tasks}) ` +
    `submissions=${c.submissions} accepted=${c.accepted} reworks=${c.reworks} dataset_items=${c.dataset_items} versions=${c.versions} ` +
    `(approved ${c.versions_approved}, latest holds ${c.in_latest_version}, ${c.pending_next_cut} awaiting a cut) retrain_runs=${c.retrain_runs} ` +
    `wire_copies=${fmt(rec.wireCopies)} losses=${rec.losses} duplicates=${rec.duplicates} mismatches=${rec.mismatches} ` +
    `time=${seconds.total.toFixed(0)}s`;
  const report: FaultReport = {
    profile,
    run,
    modelId,
    projectId,
    sender,
    faults,
    faultLog,
    exits: supervisors.flatMap((s) => s.exits),
    recoverySignals: Object.fromEntries(supervisors.map((s) => [s.name, s.signals])),
    recoveryErrors: Object.fromEntries(supervisors.map((s) => [s.name, s.errors])),
    workforce,
    settled: isSettled,
    lastProgress,
    seconds,
    reconciliation: rec,
    summary,
  };
  const dir = path.join(REPO_ROOT, 'reports', 'fault-injection');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${profile.name}-${run}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2));

  for (const ch of rec.checks) {
    const bad = ch.lost + ch.duplicated + ch.mismatched > 0;
    out(
      `  ${bad ? 'FAIL' : 'ok  '} ${ch.name}: expected ${ch.expected}, found ${ch.found}${bad ? ` (lost ${ch.lost}, duplicated ${ch.duplicated}, mismatched ${ch.mismatched}; ${ch.examples.join('; ')})` : ''}`,
    );
  }
  for (const n of rec.notes) out(`  note: ${n}`);
  for (const e of report.exits)
    out(
      `  extra fault: ${e.service} ${e.kind} at +${e.t}s (code ${e.code}, signal ${e.signal}${e.during ? `, during ${e.during}` : ''}); last lines: ${e.lastLines.slice(-3).join(' | ').slice(0, 600)}`,
    );
  out(
    `  recovery signals in service logs (dead_lettered counts any run's events; this run's are checked on the DLQs above): ${supervisors.map((s) => `${s.name} ${fmt(s.signals)}`).join('; ')}`,
  );
  out(
    `  workforce: ${workforce.submitted} submissions, ${workforce.duplicateAcks} duplicate acks on retry, ${workforce.rpcErrors} retried RPC errors ${fmt(workforce.errorsByCode)}, ${workforce.abandoned} abandoned`,
  );
  out(`  sender: ${sender.sendErrors} failed sends retried, producer recreated ${sender.producerRecreated}x`);
  out(`  faults: ${faultLog.map((f) => `${f.kind}:${f.target}@${f.t.toFixed(0)}s(${f.seconds.toFixed(1)}s)`).join(' ')}`);
  out(`  report: ${path.relative(REPO_ROOT, file)}`);
  out(summary);
  return report;
}

/**
 * The console in a real browser: the six stages and the console as processes on the real
 * broker and database, driven by headless Chromium (Debian's `chromium`, puppeteer-core).
 * Data is seeded as production gets it (predictions and submissions on the topics, policies
 * over gRPC); every page's figures are checked against what the stage's gRPC API returns for
 * the same token. An admin resumes a paused annotator (checked through the API); a reviewer
 * pressing the same button sees annotation-dispatch's refusal. The project's queue (four items
 * requested, one answered, one leased) is shown as GetQueueStats returns it. The dataset gets a
 * second version, and its diff page shows what DiffVersions returns. axe-core checks WCAG 2 A/AA
 * on every page, Tab reaches the Resume button, and screenshots go to reports/console/.
 */
import { randomUUID } from 'node:crypto';
import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import * as path from 'node:path';
import type { Page } from 'puppeteer-core';
import {
  allTopics,
  AnnotationRequestedSchema,
  AnnotationSubmittedSchema,
  AnnotatorService,
  DatasetRegistryService,
  DispatchAdminService,
  DriftService,
  PredictionEventSchema,
  QaService,
  RetrainService,
  SamplingService,
  Topics,
  WindowKind,
} from '@labelloop/contracts';
import { Mulberry32 } from '@labelloop/drift-stats';
import { createGrpcClient } from '@labelloop/rpc';
import { ConsoleBrowser, CROWD, crowdSubmissions, E2eRig, eventRecord, eventually, REPO_ROOT, ServiceProcess } from '@labelloop/testing';

const SHOTS = path.join(REPO_ROOT, 'reports', 'console');
const STAGES = ['drift-detection', 'sampling', 'annotation-dispatch', 'qa', 'dataset-registry', 'retrain-trigger'] as const;

describe('console in headless Chromium', () => {
  const run = randomUUID().slice(0, 8);
  const model = `console-model-${run}`;
  const project = `console-${run}`;
  const rig = new E2eRig();
  const admin = { token: `admin-${run}`, subject: 'lead', roles: ['admin'], projects: ['*'] };
  const viewer = { token: `viewer-${run}`, subject: 'viewer', roles: ['reviewer'], projects: [project] };
  const svc = { token: `svc-${run}`, subject: 'ci', roles: ['service', 'reviewer'], projects: ['*'] };
  const procs = new Map<string, ServiceProcess>();
  let browser: ConsoleBrowser;
  let base: string;
  const addr = async (name: string) => `127.0.0.1:${(await (procs.get(name) as ServiceProcess).ready).grpcPort}`;

  beforeAll(async () => {
    const db = await rig.database('console');
    const topics = allTopics().map((t) => t.topic);
    const group = (name: string) => `console-${run}-${name}`;
    // Start at the topics' end: earlier runs' events are not this test's.
    await rig.startAtEnd(Object.fromEntries(STAGES.map((s) => [group(s), topics])));
    const env = {
      DATABASE_URL: db.url,
      AUTH_TOKENS: JSON.stringify([admin, viewer, svc]),
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      DISPATCH_LABEL_CLASSES: 'ham,spam',
      QA_MIN_ANSWERS_FOR_PAUSE: '30',
      QA_ANNOTATOR_FLOOR: '0.7',
      REGISTRY_EXPORT_DIR: path.join(REPO_ROOT, '.local', `console-exports-${run}`),
    };
    for (const s of STAGES) procs.set(s, rig.service(s, { ...env, KAFKA_GROUP_ID: group(s) }));
    await Promise.all([...procs.values()].map((p) => p.ready));
    const consoleProc = rig.service('console', {
      CONSOLE_DRIFT_GRPC_ADDRESS: await addr('drift-detection'),
      CONSOLE_SAMPLING_GRPC_ADDRESS: await addr('sampling'),
      CONSOLE_DISPATCH_GRPC_ADDRESS: await addr('annotation-dispatch'),
      CONSOLE_QA_GRPC_ADDRESS: await addr('qa'),
      CONSOLE_REGISTRY_GRPC_ADDRESS: await addr('dataset-registry'),
      CONSOLE_RETRAIN_GRPC_ADDRESS: await addr('retrain-trigger'),
      CONSOLE_MODELS: model,
      CONSOLE_PROJECTS: project,
      CONSOLE_REFRESH_SECONDS: '2',
    });
    procs.set('console', consoleProc);
    base = `http://127.0.0.1:${(await consoleProc.ready).httpPort}`;
    browser = await ConsoleBrowser.open(base);
  });
  afterAll(async () => {
    await browser?.close();
    await rig.close();
  });

  // ---- seeding, through the public topics and APIs ----

  const frac = (i: number) => Math.abs((Math.sin(i * 12.9898) * 43758.5453) % 1);
  const prediction = (i: number, shifted: boolean) =>
    eventRecord(
      PredictionEventSchema,
      {
        eventId: `${run}-p${i}`,
        modelId: model,
        modelVersion: '1',
        contentHash: `sha256:${run}-${i}`,
        inputUri: `s3://inputs/${run}/${i}`,
        predictedLabel: frac(i + 7) < 0.3 ? 'spam' : 'ham',
        confidence: 0.55 + 0.45 * frac(i + 3),
        numericFeatures: { length: (shifted ? 6 : 0) + 10 * frac(i) },
      },
      { key: model },
    );

  // ---- browser helpers ----

  const signedIn = async (token: string): Promise<Page> => {
    const page = await browser.signIn(token);
    expect(new URL(page.url()).pathname).toBe('/models');
    return page;
  };
  const text = (page: Page, selector: string) => browser.text(page, selector);
  const texts = (page: Page, selector: string) => browser.texts(page, selector);
  const openUntil = (page: Page, pagePath: string, what: string, check: () => Promise<boolean>) => browser.openUntil(page, pagePath, what, check);
  const axe = async (page: Page, name: string) => {
    const found = await browser.axe(page);
    expect({ page: name, violations: found.violations }).toEqual({ page: name, violations: [] });
    expect(found.passes).toBeGreaterThan(5);
  };
  const shot = (page: Page, name: string) => browser.shot(page, SHOTS, name);

  it('shows each page with the figures the APIs return, resumes as admin, refuses a reviewer, and passes axe', async () => {
    const drift = createGrpcClient(DriftService, await addr('drift-detection'), { token: admin.token });
    const sampling = createGrpcClient(SamplingService, await addr('sampling'), { token: admin.token });
    const qa = createGrpcClient(QaService, await addr('qa'), { token: admin.token });
    const dispatch = createGrpcClient(DispatchAdminService, await addr('annotation-dispatch'), { token: admin.token });
    const registry = createGrpcClient(DatasetRegistryService, await addr('dataset-registry'), { token: svc.token });
    const retrain = createGrpcClient(RetrainService, await addr('retrain-trigger'), { token: admin.token });
    try {
      await drift.upsertDriftConfig({ config: { modelId: model, referenceSize: 100, windowSize: 50, windowKind: WindowKind.COUNT, alpha: 0.01 } });
      await sampling.upsertSamplingPolicy({
        policy: {
          modelId: model,
          projectId: `${project}-sampled`,
          lowConfidenceEnabled: true,
          confidenceThreshold: 0.7,
          budgetPerHour: 40,
          strategy: 'least_confidence',
        },
      });
      const producer = await rig.producer();
      await producer.send({ topic: Topics.predictionRecorded, messages: Array.from({ length: 100 }, (_, i) => prediction(i, false)) });
      // Reference, then two windows like it, then three shifted ones (windows of 50).
      await producer.send({ topic: Topics.predictionRecorded, messages: Array.from({ length: 100 }, (_, i) => prediction(100 + i, false)) });
      await producer.send({ topic: Topics.predictionRecorded, messages: Array.from({ length: 150 }, (_, i) => prediction(200 + i, true)) });
      await producer.send({ topic: Topics.annotationSubmitted, messages: crowdSubmissions(run, project, new Mulberry32(11)) });
      await producer.disconnect();
      await eventually(async () => (await drift.getDriftStatus({ modelId: model })).windowsTested === 5n, 'five windows tested', 90_000, 500);
      await eventually(
        async () => (await qa.listAnnotatorScorecards({ projectId: project })).scorecards.find((c) => c.annotatorId === 'linus')?.paused,
        'linus paused by QA',
        90_000,
        500,
      );
      await eventually(
        async () => (await dispatch.listPausedAnnotators({ projectId: project })).annotators.length === 1,
        'dispatch holding the pause',
        60_000,
        500,
      );
      await eventually(async () => (await registry.cutVersion({ datasetId: project })).version, 'a dataset version cut', 60_000, 1000);

      const page = await signedIn(admin.token);

      // Models: drift state, reference, windows, the failing tests and their statistics.
      const status = await drift.getDriftStatus({ modelId: model });
      expect(status.drifting).toBe(true);
      expect(status.windowsTested).toBe(5n);
      await openUntil(
        page,
        '/models',
        'models page matching GetDriftStatus',
        async () => (await text(page, '[data-field="windows_tested"]')) === status.windowsTested.toString(),
      );
      expect(await text(page, '[data-field="state"]')).toBe('drifting');
      expect(await text(page, '[data-field="reference_size"]')).toBe(status.referenceSize.toString());
      expect(await text(page, '[data-field="reference_source"]')).toBe(status.referenceSource);
      expect(await text(page, '[data-field="alert_id"]')).toBe(status.openAlert?.alertId);
      // The failing tests and their statistics: the window that opened the alert (ListWindowStatistics).
      const windows = (await drift.listWindowStatistics({ modelId: model, limit: 200 })).windows;
      expect(BigInt(windows.length)).toBe(status.windowsTested);
      const opened = windows.find((w) => w.alertId === status.openAlert?.alertId && w.outcome === 'opened');
      expect(opened?.features.some((f) => f.drifted)).toBe(true);
      const rows = await page.$$eval('section[data-model] table:nth-of-type(2) tbody tr', (trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
      );
      expect(rows).toEqual(
        (opened?.features ?? []).map((f) => [
          f.feature,
          f.method,
          f.statistic.toFixed(4),
          f.pValue === undefined ? '—' : f.pValue.toFixed(6),
          f.threshold.toFixed(4),
          f.drifted ? 'failed' : 'passed',
        ]),
      );
      expect(await text(page, '[data-field="drifted_share"]')).toBe(((opened?.driftedShare ?? 0) * 100).toFixed(1));
      // uPlot drew both charts (statistic per feature, drifted share), one point per window.
      await page.waitForFunction(() => document.querySelectorAll('figure.chart canvas').length === 2, { timeout: 15_000 });
      const series = await page.$$eval('figure.chart [data-chart]', (els) =>
        els.map((el) => JSON.parse((el as HTMLElement).dataset.chart ?? '{}') as { x: number[] }),
      );
      expect(series.map((c) => c.x.length)).toEqual([windows.length, windows.length]);
      await axe(page, 'models');
      await shot(page, 'models');

      // Annotation: the queue. Four items requested; the admin (standing in for an annotator)
      // answers one and holds a lease on another; QA scores the answer.
      const queueItems = [1, 2, 3, 4].map((i) => `${project}-queue-${i}`);
      const requester = await rig.producer();
      await requester.send({
        topic: Topics.annotationRequested,
        messages: queueItems.map((itemId) =>
          eventRecord(
            AnnotationRequestedSchema,
            { itemId, projectId: project, inputUri: `text of ${itemId}`, modelId: model, modelVersion: '1' },
            { key: itemId },
          ),
        ),
      });
      await requester.disconnect();
      await eventually(async () => (await dispatch.getQueueStats({ projectId: project })).waitingTasks === 4, 'four tasks queued', 60_000, 500);
      const annotator = createGrpcClient(AnnotatorService, await addr('annotation-dispatch'), { token: admin.token });
      try {
        const answered = (await annotator.getNextTask({ projectId: project })).task;
        await annotator.submitAnnotation({
          taskId: answered?.taskId ?? '',
          label: { value: { case: 'classification', value: { classes: ['ham'] } } },
          timeSpentMs: 1200,
          idempotencyKey: `${run}-queue`,
        });
        expect((await annotator.getNextTask({ projectId: project })).task?.taskId).not.toBe(answered?.taskId);
      } finally {
        annotator.close();
      }
      await eventually(
        async () => (await qa.listAnnotatorScorecards({ projectId: project })).scorecards.some((c) => c.annotatorId === admin.subject),
        'QA scoring the queue answer',
        60_000,
        500,
      );
      const queue = await dispatch.getQueueStats({ projectId: project });
      expect(queue).toMatchObject({ waitingTasks: 2, leasedTasks: 1, answersNeeded: 3, submittedLastHour: 1 });
      const iso = (t: Timestamp | undefined) =>
        t
          ? timestampDate(t)
              .toISOString()
              .replace(/\.\d{3}Z$/, 'Z')
          : '—';
      const inQueue = (field: string) => text(page, `section[data-project="${project}"] [data-field="${field}"]`);

      // QA's estimated accuracy per annotator; linus paused, with dispatch's reason.
      const cards = (await qa.listAnnotatorScorecards({ projectId: project })).scorecards;
      await page.goto(`${base}/annotation`);
      expect({
        waiting: await inQueue('waiting_tasks'),
        oldestWaiting: await inQueue('oldest_waiting_since'),
        leased: await inQueue('leased_tasks'),
        nextExpiry: await inQueue('next_lease_expiry'),
        needed: await inQueue('answers_needed'),
        lastHour: await inQueue('submitted_last_hour'),
        perMinute: await inQueue('submissions_per_minute'),
      }).toEqual({
        waiting: String(queue.waitingTasks),
        oldestWaiting: iso(queue.oldestWaitingSince),
        leased: String(queue.leasedTasks),
        nextExpiry: iso(queue.nextLeaseExpiry),
        needed: String(queue.answersNeeded),
        lastHour: String(queue.submittedLastHour),
        perMinute: queue.submissionsPerMinute.toFixed(2),
      });
      expect(await page.$('.missing')).toBeNull();
      for (const c of cards) expect(await text(page, `[data-field="estimated_accuracy:${c.annotatorId}"]`)).toBe(c.estimatedAccuracy.toFixed(3));
      expect(await text(page, '[data-field="paused:linus"]')).toBe('paused');
      const [paused] = (await dispatch.listPausedAnnotators({ projectId: project })).annotators;
      expect(await texts(page, `section[data-paused-project="${project}"] tbody td:nth-child(2)`)).toEqual([paused.reason]);
      await axe(page, 'annotation');
      await shot(page, 'annotation');

      // A reviewer sees the figures the APIs let them see, and the refusals, in the APIs' words.
      const reviewer = await signedIn(viewer.token);
      expect(await text(reviewer, 'section[data-model] .refusal')).toMatch(/^drift-detection refused: PERMISSION_DENIED — requires role service or admin/);
      await reviewer.goto(`${base}/annotation`);
      // The queue figures are a reviewer's to read, too.
      expect(await text(reviewer, `section[data-project="${project}"] [data-field="waiting_tasks"]`)).toBe(String(queue.waitingTasks));
      expect(await text(reviewer, `section[data-paused-project="${project}"] .refusal`)).toMatch(/^Why paused: annotation-dispatch refused: PERMISSION_DENIED/);
      await reviewer.type('input[name="reason"]', 'looks fine to me');
      const [refused] = await Promise.all([reviewer.waitForNavigation(), reviewer.click('button[data-resume="linus"]')]);
      expect(refused?.status()).toBe(403);
      expect(await text(reviewer, '#resume-result')).toMatch(/^Resume linus refused\. annotation-dispatch refused: PERMISSION_DENIED — requires role admin/);
      expect((await dispatch.listPausedAnnotators({ projectId: project })).annotators.map((a) => a.annotatorId)).toEqual(['linus']);
      await axe(reviewer, 'annotation-refused');
      await shot(reviewer, 'annotation-refused');
      await reviewer.browserContext().close();

      // The admin reaches the Resume button from the top of the page with Tab alone.
      await page.goto(`${base}/annotation`);
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => document.activeElement?.getAttribute('data-resume') === 'linus');
        if (!reached && (await page.evaluate(() => document.activeElement?.getAttribute('name') === 'reason')))
          await page.keyboard.type('retrained on the guideline');
      }
      expect(reached).toBe(true);
      const [resumed] = await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      expect(resumed?.status()).toBe(200);
      expect(await text(page, '#resume-result')).toBe(`Resumed linus in ${project}.`);
      expect((await dispatch.listPausedAnnotators({ projectId: project })).annotators).toEqual([]);
      await shot(page, 'annotation-resumed');

      // Sampling: budgets from the policy, and as many decisions as the API lists.
      const policy = (await sampling.getSamplingPolicy({ modelId: model })).policy;
      await openUntil(page, '/sampling', 'sampling page matching the API', async () => {
        const decisions = (await sampling.listSamplingDecisions({ modelId: model, limit: 25 })).requests;
        const shown = await page.$$eval(`section[data-model="${model}"] table:nth-of-type(3) tbody tr`, (trs) => trs.length);
        return decisions.length > 0 && shown === decisions.length;
      });
      expect(await text(page, '[data-field="budget_per_hour"]')).toBe(String(policy?.budgetPerHour));
      // Sampling budgets: each window's used, limit and left as GetSamplingBudget returns them, and
      // every request but the audit samples charged to the budget (read again until page, budget
      // and decisions agree: a batch may land, or the hour turn, between the reads).
      const windowName = (w: number) => ['unspecified', 'hour', 'day', 'total'][w];
      const budgetFigures = async () => {
        const b = await sampling.getSamplingBudget({ modelId: model });
        const charged = (await sampling.listSamplingDecisions({ modelId: model, limit: 1000 })).requests.filter((r) => !r.auditSample).length;
        const want = b.budgets.flatMap((u) => [
          [`budget_used:${windowName(u.window)}`, u.used.toString()],
          [`budget_limit:${windowName(u.window)}`, u.limit === 0n ? 'unlimited' : u.limit.toString()],
          [`budget_left:${windowName(u.window)}`, u.left === undefined ? '—' : u.left.toString()],
        ]);
        await page.goto(`${base}/sampling`);
        const shown = await page.$$eval(`section[data-model="${model}"] [data-field^="budget_"][data-field*=":"]`, (els) =>
          els.map((el) => [el.getAttribute('data-field'), (el.textContent ?? '').trim()]),
        );
        const available = await text(page, `section[data-model="${model}"] [data-field="budget_available"]`);
        return { b, charged, want, shown, available };
      };
      const budget = await eventually(
        async () => {
          const f = await budgetFigures();
          return JSON.stringify(f.shown) === JSON.stringify(f.want) && f.b.budgets[2]?.used === BigInt(f.charged) && f;
        },
        'sampling budgets matching GetSamplingBudget',
        30_000,
        1000,
      );
      expect(budget.b.budgets.map((u) => windowName(u.window))).toEqual(['hour', 'day', 'total']);
      expect(budget.charged).toBeGreaterThan(0);
      expect(Object.fromEntries(budget.want)).toMatchObject({
        'budget_limit:hour': '40',
        'budget_limit:day': 'unlimited',
        'budget_used:total': String(budget.charged),
      });
      expect(budget.shown).toEqual(budget.want);
      expect(budget.available).toBe(String(budget.b.available));
      await axe(page, 'sampling');
      await shot(page, 'sampling');

      // Quality: the scorecards' answers add up on the page.
      const answers = (await qa.listAnnotatorScorecards({ projectId: project })).scorecards.reduce((n, c) => n + c.answers, 0);
      await page.goto(`${base}/quality`);
      expect(await text(page, '[data-field="answers"]')).toBe(String(answers));
      await axe(page, 'quality');
      await shot(page, 'quality');

      // Datasets: the cut version's number and size.
      const infos = (await registry.listVersions({ datasetId: project })).infos;
      expect(infos.length).toBeGreaterThan(0);
      await page.goto(`${base}/datasets`);
      expect(await texts(page, '[data-field="item_count"]')).toEqual(infos.map((i) => String(i.version?.itemCount)));
      expect(await texts(page, '[data-field="version_number"]')).toEqual(infos.map((i) => String(i.version?.versionNumber)));
      await axe(page, 'datasets');
      await shot(page, 'datasets');

      // Retraining: as many runs and decisions as the API lists.
      const [runs, decisions] = [(await retrain.listRuns({ modelId: model })).runs, (await retrain.listPromotionDecisions({ modelId: model })).decisions];
      await page.goto(`${base}/retraining`);
      const body = await text(page, '#live');
      expect(body).toContain(runs.length === 0 ? `Training runs of ${model}: no runs yet.` : runs[0].runId);
      expect(body).toContain(decisions.length === 0 ? `Promotion decisions of ${model}: no decisions yet.` : decisions[0].candidateVersion);
      await axe(page, 'retraining');
      await shot(page, 'retraining');

      // Live refresh: htmx replaces the figures without a reload.
      await page.goto(`${base}/models`);
      const live = await page.waitForResponse((r) => r.url() === `${base}/models/live` && r.status() === 200, { timeout: 15_000 });
      expect(live.ok()).toBe(true);
      await page.browserContext().close();
    } finally {
      [drift, sampling, qa, dispatch, registry, retrain].forEach((c) => c.close());
    }
  });

  it('shows agreement over time and the batch-gate results on the Quality page as GetQualityHistory returns them', async () => {
    const qa = createGrpcClient(QaService, await addr('qa'), { token: admin.token });
    const label = (c: string) => ({ value: { case: 'classification' as const, value: { classes: [c] } } });
    /** One overlap item answered by eve, finn and gus. */
    const answered = (item: string, answers: string[]) =>
      answers.map((answer, k) => {
        const id = `${run}-${item}-${k}`;
        return eventRecord(
          AnnotationSubmittedSchema,
          {
            submissionId: id,
            taskId: id,
            itemId: `${project}-${item}`,
            projectId: project,
            annotatorId: ['eve', 'finn', 'gus'][k],
            requiredAnswers: 3,
            label: label(answer),
          },
          { key: `${project}-${item}` },
        );
      });
    const batchesJudged = async (n: number) =>
      eventually(async () => (await qa.getQualityHistory({ projectId: project })).batches.length === n, `${n} batches judged`, 90_000, 500);
    try {
      // The first test's 180 answers are all judged before the project gets a batch gate.
      await eventually(
        async () =>
          (await qa.listAnnotatorScorecards({ projectId: project })).scorecards
            .filter((c) => CROWD.some(([name]) => name === c.annotatorId))
            .reduce((n, c) => n + c.answers, 0) ===
          60 * CROWD.length,
        'QA holding the first test’s answers',
        90_000,
        500,
      );
      await qa.upsertQaPolicy({ policy: { projectId: project, method: 'majority', minConfidence: 0.6, batchSize: 3, minBatchKappa: 0.2 } });
      const producer = await rig.producer();
      // Batch 1: three unanimous items (kappa 1, passed); batch 2: three 2-1 splits, Fleiss' kappa
      // -0.350 (P = 1/3, Pe = 41/81, as in qa's integration spec): failed. One batch at a time, so
      // partitions cannot mix their items.
      await producer.send({ topic: Topics.annotationSubmitted, messages: [['spam'], ['ham'], ['spam']].flatMap(([c], i) => answered(`gate-${i}`, [c, c, c])) });
      await batchesJudged(1);
      await producer.send({
        topic: Topics.annotationSubmitted,
        messages: [
          ['spam', 'spam', 'ham'],
          ['ham', 'ham', 'spam'],
          ['spam', 'spam', 'ham'],
        ].flatMap((a, i) => answered(`gate-${3 + i}`, a)),
      });
      await producer.disconnect();
      await batchesJudged(2);
      const history = await qa.getQualityHistory({ projectId: project, bucketLimit: 200, batchLimit: 20 });
      expect(history.batches.map((b) => [b.batchNo, b.passed, b.items, b.kappa?.toFixed(3), b.minKappa, b.reason])).toEqual([
        [2, false, 3, '-0.350', 0.2, "Fleiss' kappa -0.350 over 3 items is below 0.2"],
        [1, true, 3, '1.000', 0.2, ''],
      ]);
      // 66 overlap rounds in buckets of 50, newest first.
      expect(history.buckets.map((b) => [b.bucketNo, b.rounds])).toEqual([
        [2, 16],
        [1, 50],
      ]);

      // Every figure the page marks with data-field equals the RPC's.
      const want: Record<string, string> = {};
      for (const b of history.buckets.slice(0, 10)) {
        Object.assign(want, {
          [`rounds:${b.bucketNo}`]: String(b.rounds),
          [`answers:${b.bucketNo}`]: String(b.answers),
          [`agreeing:${b.bucketNo}`]: String(b.agreeing),
          [`agreement:${b.bucketNo}`]: b.agreement.toFixed(3),
          [`sent_back:${b.bucketNo}`]: String(b.sentBack),
        });
      }
      for (const b of history.batches) {
        Object.assign(want, {
          [`batch_result:${b.batchNo}`]: b.passed ? 'passed' : 'failed',
          [`batch_items:${b.batchNo}`]: String(b.items),
          [`batch_kappa:${b.batchNo}`]: b.kappa === undefined ? '—' : b.kappa.toFixed(3),
          [`batch_min_kappa:${b.batchNo}`]: b.minKappa === undefined ? '—' : b.minKappa.toFixed(2),
          [`batch_gold_answers:${b.batchNo}`]: String(b.goldAnswers),
          [`batch_gold_accuracy:${b.batchNo}`]: b.goldAccuracy === undefined ? '—' : b.goldAccuracy.toFixed(3),
          [`batch_min_gold_accuracy:${b.batchNo}`]: b.minGoldAccuracy === undefined ? '—' : b.minGoldAccuracy.toFixed(2),
        });
      }
      const page = await signedIn(admin.token);
      const shown = async () => {
        const all = await page.$$eval(`section[data-project="${project}"] [data-field]`, (els) =>
          els.map((el) => [el.getAttribute('data-field') ?? '', (el.textContent ?? '').trim()]),
        );
        const byField = Object.fromEntries(all);
        return Object.fromEntries(Object.keys(want).map((k) => [k, byField[k]]));
      };
      await openUntil(page, '/quality', 'quality page matching GetQualityHistory', async () => JSON.stringify(await shown()) === JSON.stringify(want));
      expect(await shown()).toEqual(want);
      // uPlot drew the agreement chart, one point per bucket, oldest first.
      await page.waitForFunction(() => document.querySelectorAll('figure.chart canvas').length === 1, { timeout: 15_000 });
      const [spec] = await page.$$eval('figure.chart [data-chart]', (els) =>
        els.map((el) => JSON.parse((el as HTMLElement).dataset.chart ?? '{}') as { x: number[]; series: { values: number[] }[] }),
      );
      expect(spec.series.map((s) => s.values)).toEqual([[...history.buckets].reverse().map((b) => b.agreement)]);
      expect(spec.x).toHaveLength(history.buckets.length);
      expect(await page.$$eval('.missing', (els) => els.length)).toBe(0);
      await axe(page, 'quality-history');
      await shot(page, 'quality-history');
      await page.browserContext().close();
    } finally {
      qa.close();
    }
  });

  it('diffs the newest dataset version against the one before it, and any two picked, as DiffVersions returns them', async () => {
    // The reviewer's own token, for the page and for the API alike.
    const registry = createGrpcClient(DatasetRegistryService, await addr('dataset-registry'), { token: viewer.token });
    const cutter = createGrpcClient(DatasetRegistryService, await addr('dataset-registry'), { token: svc.token });
    try {
      // The first test cut a version; the Quality test's passed batch (three unanimous items) was
      // accepted after that, so a cut now makes a second version.
      await eventually(
        async () => {
          await cutter.cutVersion({ datasetId: project });
          return (await registry.listVersions({ datasetId: project })).infos.length >= 2;
        },
        'a second dataset version',
        60_000,
        1000,
      );
      const infos = (await registry.listVersions({ datasetId: project })).infos;
      const [older, newer] = infos.slice(-2).map((i) => i.version);
      const diff = (from: string, to: string) => registry.diffVersions({ datasetId: project, fromVersionId: from, toVersionId: to, maxItems: 50 });
      const want = await diff(older?.versionId ?? '', newer?.versionId ?? '');
      expect(want.addedCount).toBeGreaterThan(0n);
      expect(want.truncated).toBe(false);

      const page = await signedIn(viewer.token);
      await page.goto(`${base}/datasets`);
      expect(await text(page, `a[data-diff="${newer?.versionId}"]`)).toBe(`diff against version ${older?.versionNumber}`);
      await axe(page, 'datasets-two-versions');
      await shot(page, 'datasets-two-versions');
      const [opened] = await Promise.all([page.waitForNavigation(), page.click(`a[data-diff="${newer?.versionId}"]`)]);
      expect(opened?.status()).toBe(200);
      /** The counts, and every listed table by its caption (the lists, the class deltas). */
      const shown = async () => ({
        counts: await Promise.all(['added_count', 'removed_count', 'relabelled_count', 'changed_count'].map((f) => text(page, `[data-field="${f}"]`))),
        tables: Object.fromEntries(
          await page.$$eval('section[data-diff] table', (tables) =>
            tables.map((t) => [
              (t.querySelector('caption')?.textContent ?? '').trim(),
              [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())),
            ]),
          ),
        ),
      });
      const expected = (d: typeof want) => {
        const lists: [string, string[][]][] = [
          ['Relabelled items', d.relabelled.map((r) => [r.itemId, r.fromLabel, r.toLabel])],
          ['Added items', d.added.map((id) => [id])],
          ['Removed items', d.removed.map((id) => [id])],
          ['Items whose record changed (QA figures, input reference)', d.changed.map((id) => [id])],
        ];
        return {
          counts: [d.addedCount, d.removedCount, d.relabelledCount, d.changedCount].map(String),
          tables: Object.fromEntries([
            ['Items changed', [[d.addedCount, d.removedCount, d.relabelledCount, d.changedCount].map(String)]],
            [
              'Items per class and split',
              d.classCounts.map((c) => [c.split, c.label, String(c.fromCount), String(c.toCount), (c.delta > 0n ? '+' : '') + c.delta]),
            ],
            ...lists.filter(([, rows]) => rows.length > 0),
          ]),
        };
      };
      expect(await shown()).toEqual(expected(want));
      await axe(page, 'dataset-diff');
      await shot(page, 'dataset-diff');

      // The form, by its labels: the same two versions the other way round.
      await page.select('#diff-from', newer?.versionId ?? '');
      await page.select('#diff-to', older?.versionId ?? '');
      const [picked] = await Promise.all([page.waitForNavigation(), page.click('form.pick button')]);
      expect(picked?.status()).toBe(200);
      const back = await diff(newer?.versionId ?? '', older?.versionId ?? '');
      expect(back.removedCount).toBe(want.addedCount);
      expect(await shown()).toEqual(expected(back));
      expect(await page.$$eval('label[for="diff-from"], label[for="diff-to"]', (ls) => ls.map((l) => l.textContent))).toEqual(['From version', 'To version']);
      await page.browserContext().close();
    } finally {
      registry.close();
      cutter.close();
    }
  });
});

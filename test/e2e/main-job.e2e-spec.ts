/**
 * The main job (`npm run demo`), short: the real SpamAssassin stream drifting from the early to
 * the later groups, the seven services as processes on the real broker and database, the example
 * inference service and training job, and the simulated workforce — run twice with the same
 * seed, entropy sampling then random sampling, each on a fresh database and fresh consumer
 * groups. It checks that the loop closes and the model recovers, and that random sampling
 * needs more labels for it. Once the entropy run has settled, with its services still up, a
 * headless Chromium opens every page of its web console and checks the figures against the
 * stages' APIs (lookAtConsole).
 *
 * Short version: 2 400 events at 40/s (drift after 528), a dataset version every 30 accepted
 * labels, simulated annotators 100x faster than real time; the recovery target is the demo's:
 * 1 point below min(pre-drift accuracy, ceiling). About 3–4 minutes on 2 cores for both runs.
 *
 * Why the label comparison counts trained candidates (promoted or not): a 2-point target was
 * tried first, and random sampling's noisy learning curve crossed it early in one run of five
 * (85 labels vs entropy's 120) while it plateaus below the 1-point target (seven runs seen:
 * 96.1–97.5 % vs entropy's 97.4–98.2 %); and the promotion rule, judging on the version's small
 * test split, rejected a candidate at the target in some runs, which is noise about promotion,
 * not about sampling.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'puppeteer-core';
import { DatasetRegistryService, DispatchAdminService, DriftService, QaService, RetrainService, SamplingService } from '@labelloop/contracts';
import { createGrpcClient } from '@labelloop/rpc';
import { ConsoleBrowser, REPO_ROOT } from '@labelloop/testing';

/** The figures this test reads (see examples/loop-demo/src/figures.ts). */
interface Figures {
  strategy: string;
  completed: boolean;
  problem?: string;
  accuracy: { preDrift: number; afterDrift: number; final: number; target: number; ceiling: number };
  promotions: { version: string; heldOutLater: number; labelsAfterDrift: number }[];
  recovery: { recovered: boolean; labelsAfterDrift: number | null; budgetAfterDrift: number };
  efficiency: { reached: boolean; labelsAfterDrift: number | null };
  labels: { accepted: number; answers: number; answersWithText: number; rawAccuracy: number; acceptedAccuracy: number };
  carelessDetected: boolean;
  drift: { alerts: number; referenceSource: string; windows: number; alertsWithoutWindow: number; alertsAfterRecovery: number | null; driftingAtEnd: boolean };
  latency: { onsetToAlertS: number | null; alertToFirstTaskS: number | null; lastLabelToPromoted: { n: number; p50: number | null } };
  reportDir: string;
}
interface Comparison {
  strategy: Figures;
  random: Figures;
  ratio: number | null;
  ratioKind: string;
  reportDir: string;
}

// Examples are applications, which the module-boundary rule keeps tests from importing; the
// main job is loaded by path instead (its TypeScript source, transformed by jest like this file).
const { runComparison } = require(path.join(REPO_ROOT, 'examples/loop-demo/src/compare')) as { runComparison(o: object): Promise<Comparison> };

/** What the main job hands `whileSettled` (examples/loop-demo/src/options.ts). */
interface SettledLoop {
  strategy: string;
  modelId: string;
  projectId: string;
  consoleUrl: string;
  adminToken: string;
  viewerToken: string;
  grpc(service: string): string;
  reportDir: string;
}

/**
 * The console during the main job: once the entropy run has settled, with its services still
 * up, every page is opened in headless Chromium as the run's admin and its figures are checked
 * against the stages' gRPC APIs (read with the same token); axe-core finds no WCAG 2 A/AA
 * violation, and the screenshots go to the run's report folder (console/).
 */
async function lookAtConsole(loop: SettledLoop): Promise<void> {
  if (loop.strategy === 'random') return;
  const { modelId, projectId } = loop;
  const auth = { token: loop.adminToken };
  const drift = createGrpcClient(DriftService, loop.grpc('drift-detection'), auth);
  const sampling = createGrpcClient(SamplingService, loop.grpc('sampling'), auth);
  const dispatch = createGrpcClient(DispatchAdminService, loop.grpc('annotation-dispatch'), auth);
  const qa = createGrpcClient(QaService, loop.grpc('qa'), auth);
  const registry = createGrpcClient(DatasetRegistryService, loop.grpc('dataset-registry'), auth);
  const retrain = createGrpcClient(RetrainService, loop.grpc('retrain-trigger'), auth);
  const browser = await ConsoleBrowser.open(loop.consoleUrl);
  const shots = path.join(loop.reportDir, 'console');
  const check = async (page: Page, name: string) => {
    expect({ page: name, violations: (await browser.axe(page)).violations }).toEqual({ page: name, violations: [] });
    await browser.shot(page, shots, name);
  };
  try {
    const page = await browser.signIn(loop.adminToken);
    expect(new URL(page.url()).pathname).toBe('/models');

    // Models: the drift state as GetDriftStatus returns it (the promoted version's detector).
    const status = await drift.getDriftStatus({ modelId });
    await page.goto(`${loop.consoleUrl}/models`);
    expect({
      state: await browser.text(page, '[data-field="state"]'),
      windows: await browser.text(page, '[data-field="windows_tested"]'),
      referenceSize: await browser.text(page, '[data-field="reference_size"]'),
      referenceSource: await browser.text(page, '[data-field="reference_source"]'),
    }).toEqual({
      state: status.drifting ? 'drifting' : 'stable',
      windows: status.windowsTested.toString(),
      referenceSize: status.referenceSize.toString(),
      referenceSource: status.referenceSource,
    });
    // Accuracy per window: measured on the predictions readers reported (--feedback-rate), and
    // estimated without labels (CBPE) once 100 of the version's were seen; the newest window's on the page.
    const windows = (await drift.listWindowStatistics({ modelId, limit: 1000 })).windows;
    expect(windows.filter((w) => w.measuredAccuracy !== undefined).length).toBeGreaterThan(windows.length / 2);
    expect(windows.some((w) => w.estimatedAccuracy !== undefined && w.calibrationPredictions >= 100)).toBe(true);
    const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
    const [newest] = windows;
    expect({
      estimated: await browser.texts(page, 'p > [data-field="estimated_accuracy"]'),
      calibration: await browser.text(page, 'p > [data-field="calibration_predictions"]'),
      measured: await browser.texts(page, 'p > [data-field="measured_accuracy"]'),
      charts: await browser.texts(page, 'figcaption'),
    }).toEqual({
      estimated: newest.estimatedAccuracy === undefined ? [] : [pct(newest.estimatedAccuracy)],
      calibration: String(newest.calibrationPredictions),
      measured: newest.measuredAccuracy === undefined ? [] : [pct(newest.measuredAccuracy)],
      charts: expect.arrayContaining([expect.stringMatching(/^Accuracy per window/)]),
    });
    await check(page, 'models');

    // Sampling: the policy's hourly budget, and as many decisions as the API lists.
    const policy = (await sampling.getSamplingPolicy({ modelId })).policy;
    const decisions = (await sampling.listSamplingDecisions({ modelId, limit: 25 })).requests;
    await page.goto(`${loop.consoleUrl}/sampling`);
    expect(await browser.text(page, `section[data-model="${modelId}"] [data-field="budget_per_hour"]`)).toBe(String(policy?.budgetPerHour));
    expect(await page.$$eval(`section[data-model="${modelId}"] table:nth-of-type(3) tbody tr`, (trs) => trs.length)).toBe(decisions.length);
    expect(decisions.length).toBeGreaterThan(0);
    await check(page, 'sampling');

    // Annotation: QA's estimated accuracy and the pause of each of the simulated annotators.
    const cards = (await qa.listAnnotatorScorecards({ projectId })).scorecards;
    const paused = (await dispatch.listPausedAnnotators({ projectId })).annotators.map((a) => a.annotatorId);
    await page.goto(`${loop.consoleUrl}/annotation`);
    expect(cards.length).toBeGreaterThan(2);
    for (const c of cards) {
      expect(await browser.text(page, `[data-field="estimated_accuracy:${c.annotatorId}"]`)).toBe(c.estimatedAccuracy.toFixed(3));
      expect(await browser.text(page, `[data-field="paused:${c.annotatorId}"]`)).toBe(paused.includes(c.annotatorId) ? 'paused' : 'active');
    }
    await check(page, 'annotation');

    // The careless annotator QA paused: a reviewer's Resume is refused in the API's words and
    // changes nothing; the admin's resumes them (the run's figures were read before this).
    const careless = paused[0];
    expect(careless).toBeDefined();
    const reviewer = await browser.signIn(loop.viewerToken);
    await reviewer.goto(`${loop.consoleUrl}/annotation`);
    await reviewer.type(`form:has(button[data-resume="${careless}"]) input[name="reason"]`, 'looks fine to me');
    await Promise.all([reviewer.waitForNavigation(), reviewer.click(`button[data-resume="${careless}"]`)]);
    expect(await browser.text(reviewer, '#resume-result')).toMatch(new RegExp(`^Resume ${careless} refused\\. annotation-dispatch refused: PERMISSION_DENIED`));
    expect((await dispatch.listPausedAnnotators({ projectId })).annotators.map((a) => a.annotatorId)).toContain(careless);
    await check(reviewer, 'annotation-refused');
    await reviewer.browserContext().close();
    await page.goto(`${loop.consoleUrl}/annotation`);
    await page.type(`form:has(button[data-resume="${careless}"]) input[name="reason"]`, 'retrained on the guidelines');
    await Promise.all([page.waitForNavigation(), page.click(`button[data-resume="${careless}"]`)]);
    expect(await browser.text(page, '#resume-result')).toBe(`Resumed ${careless} in ${projectId}.`);
    expect((await dispatch.listPausedAnnotators({ projectId })).annotators.map((a) => a.annotatorId)).not.toContain(careless);
    await check(page, 'annotation-resumed');

    // Quality: the scorecards' answers add up on the page.
    await page.goto(`${loop.consoleUrl}/quality`);
    expect(await browser.text(page, '[data-field="answers"]')).toBe(String(cards.reduce((n, c) => n + c.answers, 0)));
    await check(page, 'quality');

    // Datasets: every version the registry lists, with its size.
    const infos = (await registry.listVersions({ datasetId: projectId })).infos;
    await page.goto(`${loop.consoleUrl}/datasets`);
    expect(infos.length).toBeGreaterThan(1);
    expect(await browser.texts(page, '[data-field="version_number"]')).toEqual(infos.map((i) => String(i.version?.versionNumber)));
    expect(await browser.texts(page, '[data-field="item_count"]')).toEqual(infos.map((i) => String(i.version?.itemCount)));
    await check(page, 'datasets');

    // Retraining: the newest run and promotion decision the API lists.
    const [runs, promotions] = [(await retrain.listRuns({ modelId })).runs, (await retrain.listPromotionDecisions({ modelId })).decisions];
    await page.goto(`${loop.consoleUrl}/retraining`);
    expect(runs.length).toBeGreaterThan(0);
    expect(promotions.length).toBeGreaterThan(0);
    const live = await browser.text(page, '#live');
    expect(live).toContain(runs[0].runId);
    expect(live).toContain(promotions[0].candidateVersion);
    await check(page, 'retraining');
  } finally {
    await browser.close();
    [drift, sampling, dispatch, qa, registry, retrain].forEach((c) => c.close());
  }
}

// One short run per strategy is a noisy sample: in the runs seen, entropy's candidates ended
// 0.1-0.9 points above the 1-point target and random's best 0.1 below to 1.2 below it. A run
// whose comparison misses is repeated once (both strategies, fresh databases and groups), and
// jest reports the first attempt's failure; two misses in a row fail the build.
jest.retryTimes(1, { logErrorsBeforeRetry: true });

describe('main job (short): closed loop on SpamAssassin with drift', () => {
  it('recovers from drift after promoted retrains, and random sampling needs more labels', async () => {
    const c = await runComparison({
      events: 2400,
      eventsPerSecond: 40,
      cutEvery: 30,
      humanSpeedup: 100,
      recoveryGap: 0.01,
      timeoutSeconds: 220,
      resetTopics: false, // a shared broker: fresh consumer groups positioned at the end instead
      runName: `e2e-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`,
      log: (line: string) => process.stdout.write(`${line}\n`),
      whileSettled: lookAtConsole,
    });
    const s = c.strategy;
    const r = c.random;
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
    process.stdout.write(
      `main job e2e: pre-drift ${pct(s.accuracy.preDrift)}, after drift ${pct(s.accuracy.afterDrift)}, target ${pct(s.accuracy.target)}; ` +
        `${s.strategy}: final ${pct(s.accuracy.final)}, promoted model recovered with ${s.recovery.labelsAfterDrift ?? `>${s.recovery.budgetAfterDrift}`} labels, ` +
        `first candidate at target ${s.efficiency.labelsAfterDrift ?? `>${s.recovery.budgetAfterDrift}`}; ` +
        `random: final ${pct(r.accuracy.final)}, promoted ${r.recovery.labelsAfterDrift ?? `>${r.recovery.budgetAfterDrift}`}, candidate ${r.efficiency.labelsAfterDrift ?? `>${r.recovery.budgetAfterDrift}`}; ` +
        `ratio ${c.ratioKind} ${c.ratio?.toFixed(2)}; alerts after recovery ${s.drift.alertsAfterRecovery ?? 'n/a'}, drifting at the end ${s.drift.driftingAtEnd}; report ${c.reportDir}\n`,
    );

    for (const f of [s, r]) {
      expect(f.problem).toBeUndefined();
      expect(f.completed).toBe(true);
      // The loop closed: drift was detected and sampled from, labels passed QA, models were retrained.
      expect(f.latency.onsetToAlertS).not.toBeNull();
      expect(f.latency.alertToFirstTaskS).not.toBeNull();
      expect(f.labels.accepted).toBeGreaterThan(100);
      expect(f.carelessDetected).toBe(true);
      expect(f.labels.acceptedAccuracy).toBeGreaterThan(f.labels.rawAccuracy);
      // Annotators were shown each e-mail (dispatch resolved spamassassin:// through the demo's corpus server), not its URI.
      expect(f.labels.answersWithText).toBe(f.labels.answers);
      // After a promotion, drift detection tests production as the promoted model serves it,
      // not its training split (chosen by active learning, no sample of production).
      if (f.promotions.length > 0) expect(f.drift.referenceSource).toBe(`first events of version ${f.promotions[f.promotions.length - 1].version}`);
      // The report's drift chart is drawn from the windows drift detection stored
      // (ListWindowStatistics), each alert on the topic at the window that opened it.
      expect(f.drift.windows).toBeGreaterThan(0);
      expect(f.drift.alerts).toBeGreaterThan(0);
      expect(f.drift.alertsWithoutWindow).toBe(0);
      expect(readFileSync(path.join(f.reportDir, 'drift.svg'), 'utf8')).toContain('alert opened');
    }
    // The model recovers: the last promoted model is at least 3 points above the drifted one
    // on the held-out later groups (seen: 93.2 % after the drift, 96.8–97.5 % after the last promotion).
    expect(s.promotions.length).toBeGreaterThan(0);
    expect(s.latency.lastLabelToPromoted.n).toBeGreaterThan(0);
    expect(s.promotions[s.promotions.length - 1].heldOutLater).toBeGreaterThanOrEqual(s.accuracy.afterDrift + 0.03);
    // Random sampling needs more labels for a model that reaches the target, or gets none there
    // within its budget. Counted on trained candidates (promoted or not): the promotion rule's
    // small test split adds noise that has nothing to do with the sampling strategy.
    expect(s.efficiency.reached).toBe(true);
    if (r.efficiency.reached) expect(r.efficiency.labelsAfterDrift).toBeGreaterThan(s.efficiency.labelsAfterDrift ?? Infinity);
  }, 600_000);
});

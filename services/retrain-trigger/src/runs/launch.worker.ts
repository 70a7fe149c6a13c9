import { Inject, Injectable } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { sleep } from '@labelloop/messaging';
import { contextFromTraceparent, SpanKind, withSpan } from '@labelloop/observability';
import { DataSource } from '@labelloop/persistence';
import { Counter } from 'prom-client';
import type { Metrics } from '@labelloop/observability';
import { CONFIG, DATA_SOURCE, LOGGER, METRICS, Worker } from '@labelloop/runtime';
import { RetrainConfig, retrainWarnings } from '../retrain.config';
import { createLauncher } from '../launchers/create-launcher';
import type { Launcher } from '../launchers/launcher';
import { retrainRuns } from '../repositories/retrain-run.repository';
import { launchOutcome } from './launch-outcome';

/**
 * Launches requested runs. A due run is claimed with FOR UPDATE SKIP LOCKED (replicas never
 * launch the same run at once); failures are retried with backoff up to the attempt limit,
 * then the run is reported `failed` with the last error.
 */
@Injectable()
export class LaunchWorker implements Worker {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private launcher?: Launcher;
  private readonly metrics: Counter<'state'>;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: RetrainConfig,
    @Inject(LOGGER) private readonly logger: LoggerService,
    @Inject(METRICS) metrics: Metrics,
  ) {
    this.metrics = new Counter({
      name: 'labelloop_retrain_runs_total',
      help: 'Training runs reaching a state',
      labelNames: ['state'],
      registers: [metrics.registry],
    });
  }

  async start(): Promise<void> {
    for (const msg of retrainWarnings(this.config)) this.logger.warn({ msg }, 'LaunchWorker');
    this.launcher = await createLauncher(this.config);
    if (!this.launcher) {
      this.logger.warn({ msg: 'no launcher configured (RETRAIN_LAUNCHER / RETRAIN_WEBHOOK_URL): runs stay requested' }, 'LaunchWorker');
      return;
    }
    this.logger.log({ msg: 'launcher ready', launcher: this.launcher.kind }, 'LaunchWorker');
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let lastSweep = 0;
    let lastPoll = 0;
    while (!this.abort.signal.aborted) {
      try {
        if (Date.now() - lastSweep > 1000) {
          lastSweep = Date.now();
          await this.sweepTimeouts();
        }
        if (this.launcher?.status && Date.now() - lastPoll > this.config.RETRAIN_STATUS_POLL_MS) {
          lastPoll = Date.now();
          await this.pollStatuses();
        }
        const launched = await this.launchOne();
        if (!launched) await sleep(this.config.RETRAIN_POLL_MS, this.abort.signal);
      } catch (e) {
        this.logger.warn({ msg: 'launch loop error', error: (e as Error).message }, 'LaunchWorker');
        await sleep(1000, this.abort.signal);
      }
    }
  }

  /** Reports runs that got no final status within their timeout as `timed_out`. */
  async sweepTimeouts(): Promise<string[]> {
    const rows = await retrainRuns.timeOutOverdue(this.ds);
    for (const r of rows) {
      this.logger.error({ msg: 'training run timed out', runId: r.run_id, timeoutSeconds: r.timeout_seconds }, 'LaunchWorker');
      this.metrics.inc({ state: 'timed_out' });
    }
    return rows.map((r) => r.run_id);
  }

  /**
   * Asks the platform about running runs (launchers that can be asked): a run it reports
   * finished becomes `succeeded` or `failed` with the platform's reason. A run the platform
   * cannot be asked about now stays running until the next poll, or its timeout.
   */
  async pollStatuses(launcher = this.launcher): Promise<{ runId: string; state: string }[]> {
    if (!launcher?.status) return [];
    const running = await retrainRuns.runningOnPlatform(this.ds);
    const changed: { runId: string; state: string }[] = [];
    for (const r of running) {
      let s;
      try {
        s = await launcher.status(r.external_id);
      } catch (e) {
        this.logger.warn({ msg: 'run status unavailable', runId: r.run_id, externalId: r.external_id, error: (e as Error).message }, 'LaunchWorker');
        continue;
      }
      if (s.state === 'running') continue;
      const finished = await retrainRuns.finishPolled(this.ds, r.run_id, s.state, s.state === 'failed' ? s.error : null);
      if (!finished) continue; // reported meanwhile (callback, timeout)
      changed.push({ runId: r.run_id, state: s.state });
      this.metrics.inc({ state: s.state });
      const log = { msg: `training run ${s.state} (polled)`, runId: r.run_id, externalId: r.external_id, ...(s.state === 'failed' ? { error: s.error } : {}) };
      if (s.state === 'failed') this.logger.error(log, 'LaunchWorker');
      else this.logger.log(log, 'LaunchWorker');
    }
    return changed;
  }

  /** Claims and launches one due run; false when none is due. */
  async launchOne(): Promise<boolean> {
    const launcher = this.launcher;
    if (!launcher) return false; // none configured: runs stay requested
    return this.ds.transaction(async (em) => {
      const run = await retrainRuns.claimDue(em);
      if (!run) return false;
      const result = await withSpan(
        'retrain.launch',
        { parent: contextFromTraceparent(run.traceparent ?? undefined), kind: SpanKind.CLIENT, attributes: { 'labelloop.run_id': run.run_id } },
        () =>
          launcher.launch({
            runId: run.run_id,
            modelId: run.model_id,
            datasetId: run.dataset_id,
            datasetVersionId: run.dataset_version_id,
            exportUri: run.export_uri,
            timeoutSeconds: run.timeout_seconds,
          }),
      );
      const next = launchOutcome(result, run.attempts + 1, this.config.RETRAIN_MAX_ATTEMPTS);
      if (next.state === 'running') {
        await retrainRuns.markLaunched(em, run.run_id, next.attempts, next.externalId);
        this.metrics.inc({ state: 'running' });
        this.logger.log({ msg: 'training run launched', runId: run.run_id, attempts: next.attempts }, 'LaunchWorker');
      } else if (next.state === 'failed') {
        await retrainRuns.markLaunchFailed(em, run.run_id, next.attempts, next.error);
        this.logger.error({ msg: 'training run launch failed', runId: run.run_id, attempts: next.attempts, error: next.error }, 'LaunchWorker');
        this.metrics.inc({ state: 'failed' });
      } else {
        await retrainRuns.retryLaunchIn(em, run.run_id, next.attempts, next.error, next.delaySeconds);
      }
      return true;
    });
  }
}

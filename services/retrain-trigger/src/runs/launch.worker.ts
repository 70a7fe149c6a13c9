import { Inject, Injectable } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { backoffMs, sleep } from '@labelloop/messaging';
import { contextFromTraceparent, SpanKind, withSpan } from '@labelloop/observability';
import type { DataSource } from '@labelloop/persistence';
import { CONFIG, DATA_SOURCE, LOGGER, Worker } from '@labelloop/runtime';
import { RetrainConfig, webhookSecret } from '../retrain.config';
import { Launcher, WebhookLauncher } from '../launchers/webhook.launcher';

interface DueRun {
  run_id: string;
  model_id: string;
  dataset_id: string;
  dataset_version_id: string;
  export_uri: string;
  attempts: number;
  traceparent: string | null;
}

/**
 * Launches requested runs. A due run is claimed with FOR UPDATE SKIP LOCKED (replicas never
 * launch the same run at once); failures are retried with backoff up to the attempt limit,
 * then the run is reported `failed` with the last error.
 */
@Injectable()
export class LaunchWorker implements Worker {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;
  private readonly launcher?: Launcher;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: RetrainConfig,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {
    if (config.RETRAIN_WEBHOOK_URL) {
      this.launcher = new WebhookLauncher(config.RETRAIN_WEBHOOK_URL, webhookSecret(), config.RETRAIN_WEBHOOK_TIMEOUT_MS);
    }
  }

  start(): void {
    if (!this.launcher) {
      this.logger.warn({ msg: 'RETRAIN_WEBHOOK_URL is not set: runs stay requested' }, 'LaunchWorker');
      return;
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const launched = await this.launchOne();
        if (!launched) await sleep(this.config.RETRAIN_POLL_MS, this.abort.signal);
      } catch (e) {
        this.logger.warn({ msg: 'launch loop error', error: (e as Error).message }, 'LaunchWorker');
        await sleep(1000, this.abort.signal);
      }
    }
  }

  /** Claims and launches one due run; false when none is due. */
  async launchOne(): Promise<boolean> {
    return this.ds.transaction(async (em) => {
      const [run]: DueRun[] = await em.query(
        `SELECT run_id, model_id, dataset_id, dataset_version_id, export_uri, attempts, traceparent FROM retrain_run
          WHERE state = 'requested' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      if (!run) return false;
      const result = await withSpan('retrain.launch', { parent: contextFromTraceparent(run.traceparent ?? undefined), kind: SpanKind.CLIENT, attributes: { 'labelloop.run_id': run.run_id } }, () =>
        this.launcher!.launch({ runId: run.run_id, modelId: run.model_id, datasetId: run.dataset_id, datasetVersionId: run.dataset_version_id, exportUri: run.export_uri }),
      );
      const attempts = run.attempts + 1;
      if (result.ok) {
        await em.query(`UPDATE retrain_run SET state = 'running', attempts = $2, external_id = $3, last_error = NULL, updated_at = now() WHERE run_id = $1`, [run.run_id, attempts, result.externalId ?? null]);
        this.logger.log({ msg: 'training run launched', runId: run.run_id, attempts }, 'LaunchWorker');
      } else if (!result.retriable || attempts >= this.config.RETRAIN_MAX_ATTEMPTS) {
        await em.query(`UPDATE retrain_run SET state = 'failed', attempts = $2, last_error = $3, updated_at = now() WHERE run_id = $1`, [run.run_id, attempts, result.error]);
        this.logger.error({ msg: 'training run launch failed', runId: run.run_id, attempts, error: result.error }, 'LaunchWorker');
      } else {
        const delay = Math.max(200, backoffMs(attempts, 500, 30_000));
        await em.query(
          `UPDATE retrain_run SET attempts = $2, last_error = $3, next_attempt_at = now() + make_interval(secs => $4), updated_at = now() WHERE run_id = $1`,
          [run.run_id, attempts, result.error, delay / 1000],
        );
      }
      return true;
    });
  }
}

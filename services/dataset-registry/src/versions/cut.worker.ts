import { Inject, Injectable } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { sleep } from '@labelloop/messaging';
import type { DataSource } from '@labelloop/persistence';
import { CONFIG, DATA_SOURCE, LOGGER, Worker } from '@labelloop/runtime';
import type { RegistryConfig } from '../registry.config';
import { datasetHeads } from '../repositories/dataset-head.repository';
import { VersionCutter } from './version-cutter';

/**
 * Every REGISTRY_CUT_POLL_MS: exports and announces approved versions left unexported (cut in
 * a consumer's transaction, or whose upload failed); and, when REGISTRY_CUT_INTERVAL_SECONDS
 * is set, time-based cutting: a dataset with changes pending for that long since its last cut
 * (or since its first pending change) gets a version even if fewer than REGISTRY_CUT_EVERY
 * items changed. Replicas may all run it: a cut holds the dataset's lock and finds nothing
 * pending after another replica's cut; an export is recorded and announced once.
 */
@Injectable()
export class CutWorker implements Worker {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: RegistryConfig,
    @Inject(LOGGER) private readonly logger: LoggerService,
    private readonly cutter: VersionCutter,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const interval = this.config.REGISTRY_CUT_INTERVAL_SECONDS;
    const every = interval > 0 ? Math.min(this.config.REGISTRY_CUT_POLL_MS, interval * 1000) : this.config.REGISTRY_CUT_POLL_MS;
    while (!this.abort.signal.aborted) {
      try {
        if (interval > 0) await this.cutDue();
        else await this.cutter.publishPending(this.ds);
      } catch (e) {
        this.logger.warn({ msg: 'cut or export pass failed, will retry', error: (e as Error).message }, 'CutWorker');
      }
      await sleep(every, this.abort.signal);
    }
  }

  /** Publishes the exports left pending, then cuts (and publishes) every dataset whose pending changes are due; returns their ids. */
  async cutDue(): Promise<string[]> {
    await this.cutter.publishPending(this.ds);
    const due = await datasetHeads.due(this.ds.manager, this.config.REGISTRY_CUT_INTERVAL_SECONDS);
    const cut: string[] = [];
    for (const datasetId of due) {
      if (this.abort.signal.aborted) break;
      const r = await this.ds.transaction((em) => this.cutter.cut(em, datasetId, 'interval'));
      if (!r.created) continue;
      cut.push(datasetId);
      if (r.version) await this.cutter.publishPending(this.ds, datasetId);
    }
    return cut;
  }
}

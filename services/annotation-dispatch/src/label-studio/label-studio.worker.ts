import { Inject, Injectable } from '@nestjs/common';
import type { LoggerService } from '@nestjs/common';
import { sleep } from '@labelloop/messaging';
import { CONFIG, LOGGER, Worker } from '@labelloop/runtime';
import type { DispatchConfig } from '../dispatch.config';
import { LabelStudioConnector } from './label-studio.connector';

/**
 * Runs the connector's sync round every LABEL_STUDIO_POLL_MS: imports new items and pulls
 * annotations (the fallback for a webhook that was lost or never configured). A failing round
 * (Label Studio down) is logged and retried on the next tick; nothing is skipped meanwhile.
 */
@Injectable()
export class LabelStudioWorker implements Worker {
  private readonly abort = new AbortController();
  private loop?: Promise<void>;

  constructor(
    private readonly connector: LabelStudioConnector,
    @Inject(CONFIG) private readonly config: DispatchConfig,
    @Inject(LOGGER) private readonly logger: LoggerService,
  ) {}

  start(): void {
    if (!this.connector.enabled) return;
    this.logger.log({ msg: 'Label Studio connector on', url: this.config.LABEL_STUDIO_URL, projects: this.config.LABEL_STUDIO_PROJECTS }, 'LabelStudioWorker');
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const r = await this.connector.syncAll();
        const submitted = r.outcomes.filter((o) => o === 'submitted').length;
        const superseded = r.outcomes.filter((o) => o === 'superseded').length;
        if (r.imported || submitted || superseded)
          this.logger.log({ msg: 'Label Studio sync', imported: r.imported, submitted, superseded }, 'LabelStudioWorker');
      } catch (e) {
        this.logger.warn({ msg: 'Label Studio sync failed; retrying next round', error: (e as Error).message }, 'LabelStudioWorker');
      }
      await sleep(this.config.LABEL_STUDIO_POLL_MS, this.abort.signal);
    }
  }
}

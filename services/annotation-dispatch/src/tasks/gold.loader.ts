import { readFileSync } from 'node:fs';
import { create, toBinary } from '@bufbuild/protobuf';
import { Inject, Injectable } from '@nestjs/common';
import { LabelSchema as LabelPb } from '@labelloop/contracts';
import { DataSource } from '@labelloop/persistence';
import { CONFIG, DATA_SOURCE, Worker } from '@labelloop/runtime';
import type { DispatchConfig } from '../dispatch.config';
import { checkLabel } from '../labels/label-schema';
import { goldItems } from '../repositories/gold-item.repository';
import { TaskService } from './task.service';

interface GoldEntry {
  projectId: string;
  itemId: string;
  inputUri: string;
  classes: string[];
}

/**
 * Loads DISPATCH_GOLD_FILE into gold_item at start. Every entry is checked against the label
 * schema first; a bad file stops the start with the entry and field named, and nothing is
 * written (one transaction).
 */
@Injectable()
export class GoldLoader implements Worker {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(CONFIG) private readonly config: DispatchConfig,
    private readonly tasks: TaskService,
  ) {}

  async start(): Promise<void> {
    if (!this.config.DISPATCH_GOLD_FILE) return;
    const entries = JSON.parse(readFileSync(this.config.DISPATCH_GOLD_FILE, 'utf8')) as GoldEntry[];
    const rows: (GoldEntry & { answer: Buffer })[] = [];
    for (const [i, g] of entries.entries()) {
      if (!g.projectId || !g.itemId || !g.inputUri) throw new Error(`DISPATCH_GOLD_FILE[${i}]: projectId, itemId and inputUri are required`);
      const answer = create(LabelPb, { value: { case: 'classification', value: { classes: g.classes ?? [] } } });
      try {
        checkLabel(answer, (await this.tasks.schemas.latest(this.ds, g.projectId)).schema);
      } catch (e) {
        throw new Error(`DISPATCH_GOLD_FILE[${i}] (${g.itemId}): ${(e as Error).message}`);
      }
      rows.push({ ...g, answer: Buffer.from(toBinary(LabelPb, answer)) });
    }
    await this.ds.transaction(async (em) => {
      for (const r of rows) {
        await goldItems.upsert(em, r);
      }
    });
  }

  /** Nothing runs after start. */
  stop(): Promise<void> {
    return Promise.resolve();
  }
}

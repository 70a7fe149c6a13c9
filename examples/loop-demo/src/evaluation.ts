/**
 * The report's own yardstick: every model version in the model store measured on the two fixed
 * held-out sets (early groups: "before the drift", later groups: "after the drift"), and the
 * ceiling — the same recipe trained with every later-stream message labelled.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { TextClassifier, type SparseVector } from '@labelloop/text-model';
import { corpus, type Scenario } from './scenario';

/** Accuracy of one model version on the held-out sets. */
export interface HeldOut {
  early: number;
  later: number;
}

/** Featurises held-out sets once and measures model versions on them. */
export class Evaluator {
  private readonly x = new Map<string, SparseVector>();
  private readonly cache = new Map<string, HeldOut>();

  constructor(
    private readonly scenario: Scenario,
    private readonly storeDir: string,
  ) {}

  private label(id: string): string {
    return corpus().get(id)?.label ?? '';
  }

  private feat(id: string): SparseVector {
    let v = this.x.get(id);
    if (!v) this.x.set(id, (v = TextClassifier.featurize(corpus().get(id)?.text ?? '')));
    return v;
  }

  private accuracy(model: TextClassifier, ids: readonly string[]): number {
    let ok = 0;
    for (const id of ids) if (model.predictFeatures(this.feat(id)) === this.label(id)) ok++;
    return ok / ids.length;
  }

  /** Held-out accuracy of a version in the model store. */
  version(version: string): HeldOut {
    let h = this.cache.get(version);
    if (!h) {
      const model = TextClassifier.fromJSON(readFileSync(path.join(this.storeDir, `${version}.json`), 'utf8'));
      h = { early: this.accuracy(model, this.scenario.earlyHoldout), later: this.accuracy(model, this.scenario.laterHoldout) };
      this.cache.set(version, h);
    }
    return h;
  }

  /**
   * The ceiling: what the recipe reaches on the later held-out set when every distinct
   * later-stream message is labelled and, as in the registry, a `trainShare` of them (a fixed
   * hashed subset) is used for training, with the training job's weight for new labels.
   */
  ceiling(trainShare: number, epochs = 5, newLabelWeight = 3): number {
    const inTrain = (id: string) => createHash('sha256').update(`ceiling:${id}`).digest().readUInt32BE(0) / 2 ** 32 < trainShare;
    const laterIds = [...new Set(this.scenario.stream.slice(this.scenario.driftAt))].filter(inTrain);
    const docs = [
      ...this.scenario.earlyTrain.map((id) => ({ x: this.feat(id), label: this.label(id) })),
      ...laterIds.map((id) => ({ x: this.feat(id), label: this.label(id), weight: newLabelWeight })),
    ];
    const model = TextClassifier.trainFeatures(docs, { classes: ['ham', 'spam'], epochs, seed: this.scenario.seed });
    return this.accuracy(model, this.scenario.laterHoldout);
  }
}

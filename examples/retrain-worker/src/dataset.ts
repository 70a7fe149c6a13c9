/**
 * Reading a dataset version exported by LabelLoop's dataset registry, and the texts behind it.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadSpamAssassin, type SpamAssassinRecord } from '@labelloop/text-model';

/** One line of `data.jsonl`. */
export interface ExportRecord {
  itemId: string;
  inputUri: string;
  contentHash: string;
  /** The accepted label (classes joined by `|`). */
  label: string;
  /** Fixed per item across versions; audit samples are always `test`. */
  split: 'train' | 'validation' | 'test';
  /** QA's consensus confidence and the annotators' agreement. */
  confidence: number;
  agreement: number;
}

/** The records of an export (`<exportUri minus file://>/data.jsonl`). */
export function readExport(exportUri: string): ExportRecord[] {
  const file = path.join(exportUri.replace(/^file:\/\//, ''), 'data.jsonl');
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ExportRecord);
}

/** The parts of the scenario file (written by the main job) that training needs. */
export interface TrainingScenario {
  seed: number;
  /** Record ids of the initial training set (the early groups). */
  earlyTrain: string[];
  /** A fixed held-out set from the later groups, reported as the `heldout_later` slice. */
  laterHoldout: string[];
}

/** Reads the scenario file. */
export function readScenario(file: string): TrainingScenario {
  return JSON.parse(readFileSync(file, 'utf8')) as TrainingScenario;
}

/** The corpus, looked up by input URI (`spamassassin://<group>/<number>`) or record id. */
export class Corpus {
  private readonly byId = new Map<string, SpamAssassinRecord>(loadSpamAssassin().map((r) => [r.id, r]));

  /** The record behind a record id or an input URI; undefined when unknown. */
  get(idOrUri: string): SpamAssassinRecord | undefined {
    return this.byId.get(idOrUri.replace(/^spamassassin:\/\//, ''));
  }
}

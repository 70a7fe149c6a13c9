/**
 * The production traffic this example service replays, as the data team wrote it down: which
 * SpamAssassin messages the first model is trained on and which ones arrive in production, in
 * which order. The main job (examples/loop-demo) writes the file; this service only reads it.
 */
import { readFileSync } from 'node:fs';
import { loadSpamAssassin, type SpamAssassinRecord } from '@labelloop/text-model';

/** The scenario file (JSON), see examples/loop-demo/src/scenario.ts. */
export interface Scenario {
  /** Seed of the stream order and of model training. */
  seed: number;
  /** Record ids (`<group>/<number>`) of the initial training set: the early groups. */
  earlyTrain: string[];
  /** Record ids in serving order: early held-out messages, then the later groups. */
  stream: string[];
  /** Index in `stream` of the first message from the later groups (the drift onset). */
  driftAt: number;
}

/** Reads and checks the scenario file. */
export function readScenario(file: string): Scenario {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Scenario;
  if (!Array.isArray(s.earlyTrain) || !Array.isArray(s.stream) || !Number.isInteger(s.driftAt)) throw new Error(`${file}: not a scenario file`);
  return s;
}

/** Every corpus message by record id (loading takes about a second). */
export function corpusById(): Map<string, SpamAssassinRecord> {
  return new Map(loadSpamAssassin().map((r) => [r.id, r]));
}

/** Where a message "lives": the input URI carried by its prediction events. */
export const inputUriOf = (recordId: string): string => `spamassassin://${recordId}`;

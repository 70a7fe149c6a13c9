/**
 * The scenario: which SpamAssassin messages train the first model, which ones production sends
 * and in which order, and the fixed held-out sets every model is measured on.
 *
 * - Early groups (easy-ham-1, spam-1): 20 % of each group is held out (fixed split, seed 2002,
 *   as in bench/label-efficiency) and opens the production stream; the other 80 % train `v1`.
 * - Later groups (easy-ham-2, spam-2, hard-ham-1): 30 % of each group is the fixed evaluation
 *   set `laterHoldout`; the rest, shuffled with the run's seed, is production after the drift.
 *
 * The file is shared with the inference service and the training job (SCENARIO_FILE).
 */
import { writeFileSync } from 'node:fs';
import { Mulberry32, shuffleInPlace } from '@labelloop/drift-stats';
import { loadSpamAssassin, type SpamAssassinRecord } from '@labelloop/text-model';

/** Split seed of the fixed held-out sets (the label-efficiency bench uses the same). */
export const SPLIT_SEED = 2002;
const EARLY = ['easy-ham-1', 'spam-1'];
const LATER = ['easy-ham-2', 'spam-2', 'hard-ham-1'];

/** The scenario file's content. */
export interface Scenario {
  seed: number;
  earlyTrain: string[];
  earlyHoldout: string[];
  laterHoldout: string[];
  /** Serving order: `driftAt` early held-out messages, then later-group messages. */
  stream: string[];
  driftAt: number;
}

/** The corpus by record id, loaded once per process. */
let cache: Map<string, SpamAssassinRecord> | undefined;
export function corpus(): Map<string, SpamAssassinRecord> {
  return (cache ??= new Map(loadSpamAssassin().map((r) => [r.id, r])));
}

/** The record behind an input URI `spamassassin://<group>/<number>`. */
export function recordOfUri(uri: string): SpamAssassinRecord | undefined {
  return corpus().get(uri.replace(/^spamassassin:\/\//, ''));
}

/** Whether an input URI is a message of the later groups (i.e. served after the drift). */
export const isLater = (uri: string): boolean => LATER.some((g) => uri.startsWith(`spamassassin://${g}/`));

function stratified(groups: string[], share: number): { held: string[]; rest: string[] } {
  const rng = new Mulberry32(SPLIT_SEED);
  const held: string[] = [];
  const rest: string[] = [];
  const all = [...corpus().values()];
  for (const g of groups) {
    const members = all.filter((r) => r.group === g);
    const order = shuffleInPlace(Int32Array.from(members.keys()), rng);
    const n = Math.round(members.length * share);
    order.forEach((i, k) => (k < n ? held : rest).push(members[i].id));
  }
  return { held, rest };
}

/**
 * Builds the scenario for `events` production events: about a fifth of them (at most the 600
 * early held-out messages) before the drift, the rest from the later groups (which repeat when
 * `events` asks for more than the 2 132 available).
 */
export function buildScenario(seed: number, events: number): Scenario {
  const early = stratified(EARLY, 0.2);
  const later = stratified(LATER, 0.3);
  const rng = new Mulberry32(seed);
  const shuffled = (ids: string[]) => Array.from(shuffleInPlace(Int32Array.from(ids.keys()), rng), (i) => ids[i]);
  const driftAt = Math.min(early.held.length, Math.round(events * 0.22));
  const pre = shuffled(early.held).slice(0, driftAt);
  const post: string[] = [];
  while (post.length < events - driftAt) post.push(...shuffled(later.rest));
  return { seed, earlyTrain: early.rest, earlyHoldout: early.held, laterHoldout: later.held, stream: [...pre, ...post.slice(0, events - driftAt)], driftAt };
}

/** Writes the scenario file. */
export function writeScenario(file: string, s: Scenario): void {
  writeFileSync(file, JSON.stringify(s));
}

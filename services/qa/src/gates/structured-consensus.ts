import { create } from '@bufbuild/protobuf';
import { type Label, LabelSchema } from '@labelloop/contracts';
import { boxFromXYWH, matchBoxes, spanPRF, type Box, type Span } from '@labelloop/qa-metrics';
import type { ItemDecision } from './consensus';
import { labelKey, STRUCTURED_F1_THRESHOLD, type LabelKind } from './label-kinds';

/** IoU at or above which two boxes of the same label are the same object. */
export const BOX_IOU_THRESHOLD = 0.5;

/** A consensus of structured answers: the label kept, and how well the answers agree. */
export interface StructuredConsensus {
  label: Label;
  /** Mean pairwise F1 of the answers (1 for a single answer). */
  agreement: number;
  /** Each answer's F1 against the consensus label, in the answers' order. */
  scores: number[];
}

const strictMajority = (support: number, answers: number): boolean => support * 2 > answers;
const mean = (xs: number[]): number => (xs.length === 0 ? 1 : xs.reduce((s, x) => s + x, 0) / xs.length);

/** Mean of `f` over every unordered pair of answers; 1 with fewer than two answers. */
function meanPairwise<T>(answers: readonly T[], f: (a: T, b: T) => number): number {
  const pairs: number[] = [];
  for (let i = 0; i < answers.length; i++) for (let j = i + 1; j < answers.length; j++) pairs.push(f(answers[i], answers[j]));
  return mean(pairs);
}

/** F1 of matched elements: 2m / (|a| + |b|), 1 when both are empty. */
const matchedF1 = (m: number, a: number, b: number): number => (a + b === 0 ? 1 : (2 * m) / (a + b));

function spansOf(l: Label): Span[] {
  return l.value.case === 'spans' ? l.value.value.spans.map((s) => ({ start: s.start, end: s.end, label: s.label })) : [];
}

function boxesOf(l: Label): Box[] {
  return l.value.case === 'boxes' ? l.value.value.boxes.map((b) => boxFromXYWH(b.x, b.y, b.width, b.height, b.label)) : [];
}

/** Span F1 of `a` against `b`, exact offsets and label (symmetric). */
export const spanF1 = (a: readonly Span[], b: readonly Span[]): number => spanPRF(a, b).f1;

/** Box F1 of `a` against `b`: one-to-one Hungarian matching at IoU ≥ 0.5 with the same label (symmetric). */
export function boxF1(a: readonly Box[], b: readonly Box[]): number {
  return matchedF1(matchBoxes(a, b, { iouThreshold: BOX_IOU_THRESHOLD, requireSameLabel: true }).matches.length, a.length, b.length);
}

/**
 * Spans: a span (same start, end and label) is kept when a strict majority of the answers give
 * it; agreement is the mean pairwise span F1 (exact match).
 */
export function spanConsensus(answers: readonly Label[]): StructuredConsensus {
  const lists = answers.map(spansOf);
  const support = new Map<string, { span: Span; n: number }>();
  for (const spans of lists) {
    for (const k of new Set(spans.map((s) => JSON.stringify([s.start, s.end, s.label])))) {
      const [start, end, label] = JSON.parse(k) as [number, number, string];
      const e = support.get(k) ?? { span: { start, end, label }, n: 0 };
      e.n++;
      support.set(k, e);
    }
  }
  const kept = [...support.values()].filter((e) => strictMajority(e.n, answers.length)).map((e) => e.span);
  return {
    label: create(LabelSchema, { value: { case: 'spans', value: { spans: kept.map((s) => ({ start: s.start, end: s.end, label: String(s.label) })) } } }),
    agreement: meanPairwise(lists, spanF1),
    scores: lists.map((s) => spanF1(s, kept)),
  };
}

/**
 * Boxes: answers are taken in order and each answer's boxes are matched (Hungarian, IoU ≥ 0.5,
 * same label) to the clusters so far, represented by their mean box; a matched box joins its
 * cluster, an unmatched one opens a new cluster. A cluster holding boxes of a strict majority of
 * the answers is kept as its mean box (mean x, y, width, height). Agreement is the mean pairwise
 * matched F1.
 */
export function boxConsensus(answers: readonly Label[]): StructuredConsensus {
  const lists = answers.map(boxesOf);
  const clusters: { label: string; members: Box[] }[] = [];
  const meanBox = (members: Box[], label: string): Box => {
    const m = (f: (b: Box) => number) => members.reduce((s, b) => s + f(b), 0) / members.length;
    return { xMin: m((b) => b.xMin), yMin: m((b) => b.yMin), xMax: m((b) => b.xMax), yMax: m((b) => b.yMax), label };
  };
  for (const boxes of lists) {
    const centres = clusters.map((c) => meanBox(c.members, c.label));
    const matching = matchBoxes(centres, boxes, { iouThreshold: BOX_IOU_THRESHOLD, requireSameLabel: true });
    for (const m of matching.matches) clusters[m.a].members.push(boxes[m.b]);
    for (const j of matching.unmatchedB) clusters.push({ label: String(boxes[j].label), members: [boxes[j]] });
  }
  const kept = clusters.filter((c) => strictMajority(c.members.length, answers.length)).map((c) => meanBox(c.members, c.label));
  return {
    label: create(LabelSchema, {
      value: {
        case: 'boxes',
        value: { boxes: kept.map((b) => ({ x: b.xMin, y: b.yMin, width: b.xMax - b.xMin, height: b.yMax - b.yMin, label: String(b.label) })) },
      },
    }),
    agreement: meanPairwise(lists, boxF1),
    scores: lists.map((b) => boxF1(b, kept)),
  };
}

/** Multi-label classification: a class is kept when a strict majority of the answers give it; agreement is the mean pairwise F1 of the class sets. */
export function multiLabelConsensus(answers: readonly Label[]): StructuredConsensus {
  const sets = answers.map((l) => new Set(l.value.case === 'classification' ? l.value.value.classes : []));
  const setF1 = (a: Set<string>, b: Set<string>) => matchedF1([...a].filter((c) => b.has(c)).length, a.size, b.size);
  const classes = [...new Set(sets.flatMap((s) => [...s]))].sort();
  const kept = new Set(classes.filter((c) => strictMajority(sets.filter((s) => s.has(c)).length, answers.length)));
  return {
    label: create(LabelSchema, { value: { case: 'classification', value: { classes: [...kept] } } }),
    agreement: meanPairwise(sets, setF1),
    scores: sets.map((s) => setF1(s, kept)),
  };
}

/** The consensus of a round of spans, boxes or multi-label answers. */
export function structuredConsensus(kind: LabelKind, answers: readonly Label[]): StructuredConsensus {
  if (kind === 'spans') return spanConsensus(answers);
  if (kind === 'boxes') return boxConsensus(answers);
  if (kind === 'multi_label') return multiLabelConsensus(answers);
  throw new Error(`no structured consensus for ${kind}`);
}

/** An item gate decision on structured answers, with the consensus it accepts and each answer's score. */
export interface StructuredDecision {
  decision: ItemDecision;
  /** The consensus label (set when accepted). */
  label?: Label;
  /** Each answer's F1 against the consensus, in the answers' order. */
  scores: number[];
}

/**
 * The item gate for spans, boxes and multi-label classification: waits for the overlap; accepts
 * the consensus when the item's agreement (mean pairwise F1) is at least `minConfidence`, and
 * sends it back otherwise, or when a multi-label consensus keeps no class. A single answer is
 * taken as it is. The decision's label is the consensus's canonical key; its confidence is the
 * mean F1 of the answers against the consensus.
 */
export function decideStructured(kind: LabelKind, answers: readonly Label[], required: number, minConfidence: number): StructuredDecision {
  if (answers.length < required) return { decision: { outcome: 'wait' }, scores: [] };
  const c = structuredConsensus(kind, answers);
  const key = labelKey(c.label);
  if (key === undefined) return { decision: { outcome: 'rework', reason: 'no class is given by a majority of the answers' }, scores: c.scores };
  if (answers.length > 1 && c.agreement < minConfidence)
    return {
      decision: { outcome: 'rework', reason: `${kind} agreement (mean pairwise F1) ${c.agreement.toFixed(2)} below ${minConfidence}` },
      scores: c.scores,
    };
  return {
    decision: { outcome: 'accept', label: key, confidence: mean(c.scores), agreement: c.agreement, method: `${kind}_majority` },
    label: c.label,
    scores: c.scores,
  };
}

/**
 * Whether an answer to a gold item is correct: spans and boxes when their F1 against the gold
 * label is at least STRUCTURED_F1_THRESHOLD (0.8), every other kind when its key equals the gold
 * label's (free text after normalising).
 */
export function goldCorrect(answer: Label | undefined, gold: Label | undefined): boolean {
  if (!answer || !gold || answer.value.case !== gold.value.case) return false;
  if (answer.value.case === 'spans') return spanF1(spansOf(answer), spansOf(gold)) >= STRUCTURED_F1_THRESHOLD;
  if (answer.value.case === 'boxes') return boxF1(boxesOf(answer), boxesOf(gold)) >= STRUCTURED_F1_THRESHOLD;
  return labelKey(answer) === labelKey(gold);
}

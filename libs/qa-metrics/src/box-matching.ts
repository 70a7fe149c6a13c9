import { linearSumAssignment } from './hungarian';
import type { Label } from './labels';

/**
 * Axis-aligned bounding box in corner form (pixel or normalised coordinates; any unit works
 * as long as both boxes use the same one). `xMax ≥ xMin` and `yMax ≥ yMin`.
 */
export interface Box {
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  /** Optional class label, used by `matchBoxes` when `requireSameLabel` is set. */
  label?: Label;
}

/**
 * Builds a {@link Box} from COCO-style `[x, y, width, height]`.
 *
 * @param x - left edge
 * @param y - top edge
 * @param width - width (≥ 0)
 * @param height - height (≥ 0)
 * @param label - optional class label
 * @returns the box in corner form
 */
export function boxFromXYWH(x: number, y: number, width: number, height: number, label?: Label): Box {
  const box: Box = { xMin: x, yMin: y, xMax: x + width, yMax: y + height };
  if (label !== undefined) box.label = label;
  return box;
}

function assertBox(b: Box, where: string): void {
  const { xMin, yMin, xMax, yMax } = b;
  if (![xMin, yMin, xMax, yMax].every(Number.isFinite)) throw new RangeError(`${where}: box coordinates must be finite`);
  if (xMax < xMin || yMax < yMin) throw new RangeError(`${where}: box has xMax < xMin or yMax < yMin`);
}

/**
 * Intersection over union of two axis-aligned boxes.
 *
 * @param a - first box
 * @param b - second box
 * @returns area(a ∩ b) / area(a ∪ b) in [0, 1]; 0 when the union has zero area
 * @throws RangeError for non-finite coordinates or inverted corners
 */
export function boxIoU(a: Box, b: Box): number {
  assertBox(a, 'boxIoU');
  assertBox(b, 'boxIoU');
  const iw = Math.min(a.xMax, b.xMax) - Math.max(a.xMin, b.xMin);
  const ih = Math.min(a.yMax, b.yMax) - Math.max(a.yMin, b.yMin);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const union = (a.xMax - a.xMin) * (a.yMax - a.yMin) + (b.xMax - b.xMin) * (b.yMax - b.yMin) - inter;
  if (union <= 0) return 0;
  return Math.min(1, Math.max(0, inter / union));
}

/** Options of {@link matchBoxes} and {@link meanIoUAgreement}. */
export interface MatchBoxesOptions {
  /** Minimum IoU for two boxes to be matched (inclusive; pairs with IoU 0 never match). Default 0.5. */
  iouThreshold?: number;
  /** Only match boxes whose `label`s are equal (default `false`). */
  requireSameLabel?: boolean;
}

/** One matched pair of boxes. */
export interface BoxMatch {
  /** Index in the first list. */
  a: number;
  /** Index in the second list. */
  b: number;
  /** IoU of the pair. */
  iou: number;
}

/** Result of {@link matchBoxes}. */
export interface BoxMatching {
  /** Matched pairs, ordered by index in the first list. */
  matches: BoxMatch[];
  /** Indices of boxes in the first list left unmatched, ascending. */
  unmatchedA: number[];
  /** Indices of boxes in the second list left unmatched, ascending. */
  unmatchedB: number[];
  /** Sum of IoU over the matches (the maximised objective). */
  totalIoU: number;
  /** Mean IoU over matched pairs only; `NaN` when nothing matched. */
  meanMatchedIoU: number;
  /**
   * Mean-IoU agreement: `totalIoU / (matches + unmatchedA + unmatchedB)`, i.e. every
   * unmatched box counts as a pair with IoU 0. 1 when both lists are empty.
   */
  agreement: number;
}

/**
 * One-to-one matching of two annotators' boxes that maximises the total IoU among pairs with
 * IoU ≥ `iouThreshold` (and, optionally, equal labels). Solved exactly with the Hungarian
 * algorithm ({@link linearSumAssignment}) on the IoU matrix with ineligible pairs set to 0.
 *
 * @param a - boxes of annotator A
 * @param b - boxes of annotator B
 * @param options - threshold and label constraint
 * @returns matches, unmatched indices and summary IoU figures
 * @throws RangeError for an invalid box or threshold outside [0, 1]
 */
export function matchBoxes(a: ReadonlyArray<Box>, b: ReadonlyArray<Box>, options: MatchBoxesOptions = {}): BoxMatching {
  const threshold = options.iouThreshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`matchBoxes: iouThreshold must be in [0, 1], got ${threshold}`);
  for (const box of a) assertBox(box, 'matchBoxes');
  for (const box of b) assertBox(box, 'matchBoxes');
  const weights = a.map((ba) =>
    b.map((bb) => {
      const iou = boxIoU(ba, bb);
      if (options.requireSameLabel && ba.label !== bb.label) return 0;
      return iou > 0 && iou >= threshold ? iou : 0;
    }),
  );
  const { rowInd, colInd } = linearSumAssignment(weights, { maximize: true });
  const matches: BoxMatch[] = [];
  rowInd.forEach((r, t) => {
    const w = weights[r][colInd[t]];
    if (w > 0) matches.push({ a: r, b: colInd[t], iou: w });
  });
  const usedA = new Set(matches.map((m) => m.a));
  const usedB = new Set(matches.map((m) => m.b));
  const unmatchedA = a.map((_, i) => i).filter((i) => !usedA.has(i));
  const unmatchedB = b.map((_, i) => i).filter((i) => !usedB.has(i));
  const totalIoU = matches.reduce((s, m) => s + m.iou, 0);
  const denom = matches.length + unmatchedA.length + unmatchedB.length;
  return {
    matches,
    unmatchedA,
    unmatchedB,
    totalIoU,
    meanMatchedIoU: matches.length === 0 ? Number.NaN : totalIoU / matches.length,
    agreement: denom === 0 ? 1 : totalIoU / denom,
  };
}

/**
 * Mean-IoU agreement between two annotators' boxes on one image: the optimal
 * {@link matchBoxes} matching, with each unmatched box (on either side) counted as IoU 0,
 * i.e. `Σ IoU(matched) / (#matched + #unmatchedA + #unmatchedB)`. Symmetric in `a` and `b`;
 * 1 for identical box sets and for two empty sets, 0 when nothing matches.
 *
 * @param a - boxes of annotator A
 * @param b - boxes of annotator B
 * @param options - threshold and label constraint, as for {@link matchBoxes}
 * @returns agreement in [0, 1]
 */
export function meanIoUAgreement(a: ReadonlyArray<Box>, b: ReadonlyArray<Box>, options: MatchBoxesOptions = {}): number {
  return matchBoxes(a, b, options).agreement;
}

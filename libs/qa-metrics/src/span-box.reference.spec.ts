import reference from '../reference/span-box.reference.json';
import { boxFromXYWH, boxIoU, matchBoxes } from './box-matching';
import { spanPRF, type Span } from './span-prf';

// Reference: libs/qa-metrics/reference/span_box_reference.py wrote ../reference/span-box.reference.json
// (generated inputs with the independent libraries' answers; versions in the JSON: Python 3.11.7,
// seqeval 1.2.2, nervaluate 1.2.1, pycocotools 2.0.11, numpy 2.4.6, scipy 1.17.1).
// - spans: seqeval (strict IOB2 over one tag per character) micro and per-label P/R/F1, and
//   nervaluate's per-document 'strict' and 'ent_type' correct counts;
// - boxes: pycocotools.mask.iou on [x, y, w, h], and scipy linear_sum_assignment on the thresholded
//   IoU matrix (number of matches, total IoU).
type Doc = { gold: Span[]; pred: Span[]; nervaluate: { strict: number; ent_type: number } };
type Image = {
  pred: { bbox: number[]; label: string }[];
  gold: { bbox: number[]; label: string }[];
  iou: number[][];
  matchings: { threshold: number; sameLabel: boolean; matches: number; totalIoU: number }[];
};
const docs = reference.spans.documents as Doc[];
const images = reference.boxes as Image[];

describe('span and box agreement against seqeval, nervaluate and pycocotools (generated inputs)', () => {
  it('uses enough generated cases to mean something', () => {
    expect(docs.reduce((a, d) => a + d.gold.length, 0)).toBeGreaterThan(150);
    expect(images.reduce((a, i) => a + i.gold.length * i.pred.length, 0)).toBeGreaterThan(300);
  });

  it("spanPRF 'exact' per document counts what nervaluate 'strict' counts correct", () => {
    for (const d of docs) expect({ doc: docs.indexOf(d), tp: spanPRF(d.pred, d.gold).tp }).toEqual({ doc: docs.indexOf(d), tp: d.nervaluate.strict });
  });

  it("spanPRF 'overlap' per document counts what nervaluate 'ent_type' counts correct", () => {
    for (const d of docs)
      expect({ doc: docs.indexOf(d), tp: spanPRF(d.pred, d.gold, { mode: 'overlap' }).tp }).toEqual({ doc: docs.indexOf(d), tp: d.nervaluate.ent_type });
  });

  it('micro and per-label precision, recall and F1 over all documents equal seqeval strict IOB2', () => {
    const total = { tp: 0, fp: 0, fn: 0 };
    const byLabel = new Map<string, { tp: number; fp: number; fn: number }>();
    for (const d of docs) {
      const r = spanPRF(d.pred, d.gold);
      total.tp += r.tp;
      total.fp += r.fp;
      total.fn += r.fn;
      for (const l of r.byLabel) {
        const t = byLabel.get(String(l.label)) ?? { tp: 0, fp: 0, fn: 0 };
        byLabel.set(String(l.label), { tp: t.tp + l.tp, fp: t.fp + l.fp, fn: t.fn + l.fn });
      }
    }
    const prf = (c: { tp: number; fp: number; fn: number }) => ({
      precision: c.tp / (c.tp + c.fp),
      recall: c.tp / (c.tp + c.fn),
      f1: (2 * c.tp) / (2 * c.tp + c.fp + c.fn),
    });
    const s = reference.spans.seqeval;
    const mine = prf(total);
    expect(mine.precision).toBeCloseTo(s.precision, 12);
    expect(mine.recall).toBeCloseTo(s.recall, 12);
    expect(mine.f1).toBeCloseTo(s.f1, 12);
    for (const [label, ref] of Object.entries(s.byLabel)) {
      const c = byLabel.get(label) ?? { tp: 0, fp: 0, fn: 0 };
      const m = prf(c);
      expect({ label, support: c.tp + c.fn }).toEqual({ label, support: ref.support });
      expect(m.precision).toBeCloseTo(ref.precision, 12);
      expect(m.recall).toBeCloseTo(ref.recall, 12);
      expect(m.f1).toBeCloseTo(ref['f1-score'], 12);
    }
  });

  it('boxIoU equals pycocotools.mask.iou for every predicted × gold pair', () => {
    for (const img of images) {
      img.pred.forEach((p, i) =>
        img.gold.forEach((g, j) => {
          const b = (x: { bbox: number[] }) => boxFromXYWH(x.bbox[0], x.bbox[1], x.bbox[2], x.bbox[3]);
          expect(boxIoU(b(p), b(g))).toBeCloseTo(img.iou[i][j], 12);
        }),
      );
    }
  });

  it('matchBoxes finds as many matches and the same total IoU as scipy on pycocotools IoUs (thresholds 0.5, 0.3; with and without labels)', () => {
    for (const img of images) {
      const boxes = (xs: { bbox: number[]; label: string }[]) => xs.map((x) => boxFromXYWH(x.bbox[0], x.bbox[1], x.bbox[2], x.bbox[3], x.label));
      for (const ref of img.matchings) {
        const m = matchBoxes(boxes(img.pred), boxes(img.gold), { iouThreshold: ref.threshold, requireSameLabel: ref.sameLabel });
        expect(m.matches.length).toBe(ref.matches);
        expect(m.totalIoU).toBeCloseTo(ref.totalIoU, 12);
        expect(m.unmatchedA.length + m.matches.length).toBe(img.pred.length);
      }
    }
  });
});

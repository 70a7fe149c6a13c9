import fc from 'fast-check';
import { boxes, boxTuples, classes, preference as pref, spans, spanTuples, type SpanTuple as S, text } from '../../test/labels.factory';
import { labelFromKey, labelKey } from './label-kinds';
import { boxConsensus, decideStructured, goldCorrect, multiLabelConsensus, spanConsensus } from './structured-consensus';

describe('span consensus', () => {
  it('keeps the spans a majority gave and drops a lone one', () => {
    const c = spanConsensus([spans([0, 5, 'PER'], [10, 16, 'ORG']), spans([0, 5, 'PER'], [10, 16, 'ORG']), spans([0, 5, 'PER'], [20, 24, 'LOC'])]);
    expect(spanTuples(c.label)).toEqual([
      [0, 5, 'PER'],
      [10, 16, 'ORG'],
    ]);
    // Worked by hand: pairs (1,2) F1 1; (1,3) and (2,3) one of two spans each side match: 2·1/(2+2) = 0.5.
    expect(c.agreement).toBeCloseTo((1 + 0.5 + 0.5) / 3, 12);
    expect(c.scores).toEqual([1, 1, 0.5]);
  });

  it('needs the same label and exact offsets for a span to count', () => {
    const c = spanConsensus([spans([0, 5, 'PER']), spans([0, 5, 'ORG']), spans([0, 6, 'PER'])]);
    expect(spanTuples(c.label)).toEqual([]);
    expect(c.agreement).toBe(0);
  });

  it('gives identical answers agreement 1, whatever they are', () => {
    const arb = fc.array(fc.tuple(fc.nat(50), fc.integer({ min: 1, max: 10 }), fc.constantFrom('PER', 'ORG')), { maxLength: 5 });
    fc.assert(
      fc.property(arb, fc.integer({ min: 2, max: 5 }), (raw, n) => {
        const l = spans(...raw.map(([s, len, label]) => [s, s + len, label] as S));
        const c = spanConsensus(Array.from({ length: n }, () => l));
        expect(c.agreement).toBe(1);
        expect(labelKey(c.label)).toBe(labelKey(spans(...[...new Map(spanTuples(l).map((t) => [JSON.stringify(t), t])).values()])));
      }),
    );
  });
});

describe('box consensus', () => {
  it('keeps a box most annotators drew, as the mean box, and drops a lone wrong box', () => {
    const c = boxConsensus([boxes([10, 10, 100, 50, 'car'], [300, 300, 20, 20, 'dog']), boxes([12, 10, 100, 50, 'car']), boxes([14, 10, 100, 50, 'car'])]);
    expect(boxTuples(c.label)).toEqual([[12, 10, 100, 50, 'car']]);
    // Answer 1 vs 2: one match of 2 + 1 boxes: F1 2/3; 1 vs 3 the same; 2 vs 3 F1 1.
    expect(c.agreement).toBeCloseTo((2 / 3 + 2 / 3 + 1) / 3, 12);
  });

  it('does not merge boxes below IoU 0.5 or of another label', () => {
    // IoU of [0,0,10,10] and [5,0,10,10]: intersection 50, union 150 → 1/3 (hand-worked), below 0.5.
    const c = boxConsensus([boxes([0, 0, 10, 10, 'car']), boxes([5, 0, 10, 10, 'car']), boxes([0, 0, 10, 10, 'bus'])]);
    expect(boxTuples(c.label)).toEqual([]);
    expect(c.agreement).toBe(0);
  });

  it('matches at IoU exactly 0.5 and above', () => {
    // [0,0,10,10] vs [0,0,20,10]: intersection 100, union 200 → IoU 0.5, matched.
    const c = boxConsensus([boxes([0, 0, 10, 10, 'car']), boxes([0, 0, 20, 10, 'car'])]);
    expect(boxTuples(c.label)).toEqual([[0, 0, 15, 10, 'car']]);
    expect(c.agreement).toBe(1);
  });

  it('gives identical answers agreement 1 and keeps every box', () => {
    const arb = fc.array(
      fc.tuple(fc.nat(1000), fc.nat(1000), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), fc.constantFrom('car', 'dog')),
      {
        maxLength: 4,
      },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 4 }), (raw, n) => {
        const l = boxes(...raw);
        const c = boxConsensus(Array.from({ length: n }, () => l));
        expect(c.agreement).toBe(1);
        expect(c.label.value.case === 'boxes' && c.label.value.value.boxes.length).toBe(raw.length);
      }),
    );
  });
});

describe('multi-label consensus', () => {
  it('keeps each class a majority gave', () => {
    const c = multiLabelConsensus([classes('news', 'sport'), classes('news'), classes('news', 'sport', 'tech')]);
    expect(labelKey(c.label)).toBe('news|sport');
    // {news,sport}~{news} 2/3; {news,sport}~{news,sport,tech} 4/5; {news}~{news,sport,tech} 2/4.
    expect(c.agreement).toBeCloseTo((2 / 3 + 4 / 5 + 1 / 2) / 3, 12);
  });
});

describe('structured item gate', () => {
  it('accepts the consensus above the agreement gate, with a key that rebuilds it', () => {
    const d = decideStructured('boxes', [boxes([0, 0, 10, 10, 'car']), boxes([0, 0, 10, 10, 'car'])], 2, 0.7);
    expect(d.decision).toMatchObject({ outcome: 'accept', agreement: 1, confidence: 1, method: 'boxes_majority' });
    if (d.decision.outcome !== 'accept') throw new Error('not accepted');
    expect(boxTuples(labelFromKey(d.decision.label))).toEqual([[0, 0, 10, 10, 'car']]);
  });

  it('sends back answers that agree too little, and waits for the overlap', () => {
    expect(decideStructured('spans', [spans([0, 5, 'PER'])], 2, 0.7).decision).toEqual({ outcome: 'wait' });
    const d = decideStructured('spans', [spans([0, 5, 'PER'], [6, 9, 'ORG']), spans([0, 5, 'PER'])], 2, 0.7);
    expect(d.decision).toMatchObject({ outcome: 'rework', reason: 'spans agreement (mean pairwise F1) 0.67 below 0.7' });
  });

  it('sends back a multi-label round where no class has a majority', () => {
    expect(decideStructured('multi_label', [classes('a', 'b'), classes('c', 'd')], 2, 0).decision).toMatchObject({ outcome: 'rework' });
  });
});

describe('gold answers per type', () => {
  it('scores spans and boxes by F1 ≥ 0.8 against the gold label, others exactly', () => {
    const gold = spans([0, 5, 'PER'], [10, 16, 'ORG'], [20, 24, 'LOC'], [30, 34, 'LOC'], [40, 44, 'LOC']);
    // 4 of 5 spans: F1 = 8/9 ≥ 0.8; 3 of 5: F1 = 6/8 = 0.75 < 0.8.
    expect(goldCorrect(spans([0, 5, 'PER'], [10, 16, 'ORG'], [20, 24, 'LOC'], [30, 34, 'LOC']), gold)).toBe(true);
    expect(goldCorrect(spans([0, 5, 'PER'], [10, 16, 'ORG'], [20, 24, 'LOC']), gold)).toBe(false);
    expect(goldCorrect(boxes([1, 1, 10, 10, 'car']), boxes([0, 0, 10, 10, 'car']))).toBe(true);
    expect(goldCorrect(boxes([1, 1, 10, 10, 'dog']), boxes([0, 0, 10, 10, 'car']))).toBe(false);
    expect(goldCorrect(classes('b', 'a'), classes('a', 'b'))).toBe(true);
    expect(goldCorrect(text('  Paris\n is  nice'), text('paris is nice'))).toBe(true);
    expect(goldCorrect(pref('a'), pref('b'))).toBe(false);
  });
});

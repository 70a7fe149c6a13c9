import { answersByItem, judgeBatch } from './batch-gate';

describe('judgeBatch', () => {
  // Fleiss' definition worked by hand for 4 items x 2 raters, [a a] [b b] [a b] [a a]:
  // P_i = 1, 1, 0, 1 -> P = 0.75; p_a = 5/8, p_b = 3/8 -> Pe = 34/64 = 0.53125;
  // kappa = (0.75 - 0.53125) / (1 - 0.53125) = 0.4666667.
  const batch = [
    ['a', 'a'],
    ['b', 'b'],
    ['a', 'b'],
    ['a', 'a'],
  ];

  it('computes Fleiss kappa over the batch and fails it below the threshold, naming the figure', () => {
    const v = judgeBatch(batch, { answers: 0, correct: 0 }, { minBatchKappa: 0.6, minBatchGoldAccuracy: 0 });
    expect(v.kappa).toBeCloseTo(0.4666667, 6);
    expect(v.passed).toBe(false);
    expect(v.reason).toBe("Fleiss' kappa 0.467 over 4 items is below 0.6");
  });

  it('passes at or above the thresholds', () => {
    const v = judgeBatch(batch, { answers: 5, correct: 4 }, { minBatchKappa: 0.4, minBatchGoldAccuracy: 0.8 });
    expect(v).toMatchObject({ passed: true, kappaItems: 4, goldAnswers: 5, goldAccuracy: 0.8, reason: '' });
  });

  it('fails on gold accuracy alone', () => {
    const v = judgeBatch(batch, { answers: 4, correct: 2 }, { minBatchKappa: 0, minBatchGoldAccuracy: 0.75 });
    expect(v.passed).toBe(false);
    expect(v.reason).toBe('gold accuracy 0.500 over 4 gold answers is below 0.75');
  });

  it('runs the kappa over the most common answer count and ignores single answers', () => {
    const v = judgeBatch([...batch, ['a'], ['a', 'b', 'b']], { answers: 0, correct: 0 }, { minBatchKappa: 0, minBatchGoldAccuracy: 0 });
    expect(v.kappaItems).toBe(4);
    expect(v.kappa).toBeCloseTo(0.4666667, 6);
  });

  it('says what it could not check instead of failing', () => {
    const unanimous = judgeBatch(
      [
        ['a', 'a'],
        ['a', 'a'],
      ],
      { answers: 0, correct: 0 },
      { minBatchKappa: 0.9, minBatchGoldAccuracy: 0.9 },
    );
    expect(unanimous).toMatchObject({ passed: true, kappa: null });
    expect(unanimous.reason).toBe('kappa not checked: all 2 overlap items got one class only; gold accuracy not checked: no gold answer during the batch');
    expect(judgeBatch([['a'], ['b']], { answers: 0, correct: 0 }, { minBatchKappa: 0.9, minBatchGoldAccuracy: 0 }).reason).toBe(
      'kappa not checked: no overlap item in the batch',
    );
  });
});

describe('judgeBatch with span, box and free-text items', () => {
  const t = { minBatchKappa: 0.6, minBatchGoldAccuracy: 0 };
  it('checks their mean agreement against the kappa minimum', () => {
    expect(judgeBatch([], { answers: 0, correct: 0 }, t, [0.9, 0.7])).toMatchObject({ passed: true, kappa: null, reason: '' });
    expect(judgeBatch([], { answers: 0, correct: 0 }, t, [0.5, 0.6])).toMatchObject({
      passed: false,
      reason: 'mean agreement 0.550 over 2 span, box or text items is below 0.6',
    });
  });

  it('still judges the classification items of the batch by kappa', () => {
    const v = judgeBatch(
      [
        ['a', 'b'],
        ['b', 'a'],
      ],
      { answers: 0, correct: 0 },
      t,
      [1],
    );
    expect(v.passed).toBe(false);
    expect(v.reason).toMatch(/^Fleiss' kappa -?\d/);
  });
});

describe('answersByItem', () => {
  it("lists each held item's answers in the items' order, keeping items without answers and dropping answers of other items", () => {
    const items = [{ item_id: 'a' }, { item_id: 'b' }, { item_id: 'c' }];
    const answers = [
      { item_id: 'b', label_key: 'x' },
      { item_id: 'a', label_key: 'y' },
      { item_id: 'z', label_key: 'x' },
      { item_id: 'b', label_key: 'y' },
    ];
    expect(answersByItem(items, answers)).toEqual([['y'], ['x', 'y'], []]);
  });
});

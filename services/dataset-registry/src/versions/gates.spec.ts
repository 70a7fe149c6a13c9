import { evaluateGates, GatePolicy } from './gates';

const policy: GatePolicy = { minMeanConfidence: 0.8, minMeanAgreement: 0.6, minItemsPerClass: 3, requiredClasses: ['spam'] };
const counts = [
  { split: 'train', label: 'ham', count: 4 },
  { split: 'test', label: 'ham', count: 1 },
  { split: 'train', label: 'spam', count: 2 },
  { split: 'validation', label: 'spam', count: 1 },
];

describe('approval gates', () => {
  it('passes a version meeting every threshold', () => {
    expect(evaluateGates({ qa: { items: 8, meanConfidence: 0.9, meanAgreement: 0.7 }, counts, leaks: [] }, policy)).toEqual([]);
    // Thresholds are inclusive.
    expect(evaluateGates({ qa: { items: 8, meanConfidence: 0.8, meanAgreement: 0.6 }, counts, leaks: [] }, policy)).toEqual([]);
  });

  it('names every failed gate', () => {
    const reasons = evaluateGates(
      {
        qa: { items: 8, meanConfidence: 0.79, meanAgreement: 0.5 },
        counts: counts.filter((c) => c.label === 'ham'),
        leaks: [{ groupKey: 'sha256:dup', splits: ['test', 'train'], items: ['a', 'b'] }],
      },
      { ...policy, requiredClasses: ['spam', 'eggs'] },
    );
    expect(reasons).toEqual([
      'mean confidence 0.7900 is below 0.8',
      'mean agreement 0.5000 is below 0.6',
      'class "eggs" has 0 items, fewer than 3',
      'class "spam" has 0 items, fewer than 3',
      'leakage: group sha256:dup is in test and train (items a, b)',
    ]);
  });

  it('counts a class over all splits for the minimum', () => {
    expect(evaluateGates({ qa: { items: 8, meanConfidence: 1, meanAgreement: 1 }, counts, leaks: [] }, { ...policy, minItemsPerClass: 4 })).toEqual([
      'class "spam" has 3 items, fewer than 4',
    ]);
    expect(
      evaluateGates(
        { qa: { items: 0, meanConfidence: 0, meanAgreement: 0 }, counts: [], leaks: [] },
        { minMeanConfidence: 0, minMeanAgreement: 0, minItemsPerClass: 1, requiredClasses: [] },
      ),
    ).toEqual(['empty version']);
  });
});

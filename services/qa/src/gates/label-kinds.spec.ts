import fc from 'fast-check';
import { boxes, classes, preference, spans, text } from '../../test/labels.factory';
import { kindOf, labelFromKey, labelKey, labelProblem } from './label-kinds';
import { roundKind } from './submission.consumer';

describe('label keys', () => {
  it('keeps classification keys as they were: classes sorted, joined by |', () => {
    expect(labelKey(classes('spam'))).toBe('spam');
    expect(labelKey(classes('tech', 'news'))).toBe('news|tech');
    expect(labelKey(preference('b'))).toBe('b');
  });

  it('gives spans and boxes one key whatever their order, and rebuilds the label from it', () => {
    const span = fc.tuple(fc.nat(100), fc.integer({ min: 1, max: 20 }), fc.constantFrom('PER', 'ORG', 'LOC'));
    fc.assert(
      fc.property(fc.array(span, { maxLength: 6 }), (raw) => {
        const l = spans(...raw.map(([s, len, lab]) => [s, s + len, lab] as [number, number, string]));
        const shuffled = spans(...[...raw].reverse().map(([s, len, lab]) => [s, s + len, lab] as [number, number, string]));
        const key = labelKey(l);
        expect(labelKey(shuffled)).toBe(key);
        expect(labelKey(labelFromKey(key!))).toBe(key);
      }),
    );
    const box = fc.tuple(
      fc.double({ min: 0, max: 1000, noNaN: true }),
      fc.double({ min: 0, max: 1000, noNaN: true }),
      fc.nat(300),
      fc.nat(300),
      fc.constantFrom('car', 'dog'),
    );
    fc.assert(
      fc.property(fc.array(box, { maxLength: 5 }), (raw) => {
        const key = labelKey(boxes(...raw));
        expect(labelKey(boxes(...[...raw].reverse()))).toBe(key);
        expect(labelKey(labelFromKey(key!))).toBe(key);
      }),
    );
  });

  it('compares free text trimmed, with whitespace collapsed and case folded', () => {
    expect(labelKey(text(' A  red\nbus '))).toBe(labelKey(text('a red bus')));
    expect(labelKey(text('a red bus'))).not.toBe(labelKey(text('a red car')));
  });

  it('names the field of a label QA cannot judge', () => {
    expect(labelProblem(spans([5, 5, 'PER']))).toBe('label.spans.spans[0] needs end > start');
    expect(labelProblem(boxes([0, 0, -1, 4, 'car']))).toBe('label.boxes.boxes[0] needs finite coordinates with width, height >= 0');
    expect(labelProblem(boxes([0, 0, 1, 4, '']))).toBe('label.boxes.boxes[0].label is required');
    expect(labelProblem(preference('c'))).toBe('label.preference.chosen must be "a" or "b"');
    expect(labelProblem(text('  '))).toBe('label.text must not be blank');
    expect(labelProblem(classes())).toBe('label.classification.classes needs at least one non-empty class');
    expect(labelProblem(undefined)).toBe('label is missing');
    expect(labelProblem(spans())).toBeUndefined(); // no entity in the text is an answer
  });

  it('judges a classification round class by class once any answer gives several classes', () => {
    expect(kindOf(classes('a'))).toBe('classification');
    expect(roundKind([classes('a'), classes('a')])).toBe('classification');
    expect(roundKind([classes('a'), classes('a', 'b')])).toBe('multi_label');
    expect(roundKind([spans(), spans([0, 1, 'X'])])).toBe('spans');
  });
});

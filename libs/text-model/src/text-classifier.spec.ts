import { TextClassifier } from './text-classifier';

const docs = [
  { text: 'cheap meds online, buy now, free offer', label: 'spam' },
  { text: 'click here to win money, limited offer', label: 'spam' },
  { text: 'earn money from home, buy our free guide', label: 'spam' },
  { text: 'the build is broken on the main branch', label: 'ham' },
  { text: 'meeting notes from the release planning call', label: 'ham' },
  { text: 'can you review the patch for the parser', label: 'ham' },
];

describe('TextClassifier', () => {
  it('trains, predicts class probabilities and serialises', () => {
    const m = TextClassifier.train(docs, { seed: 3, epochs: 30 });
    expect(m.classes).toEqual(['ham', 'spam']);
    const p = m.predictProba('free money offer, buy now');
    expect(Object.keys(p).sort()).toEqual(['ham', 'spam']);
    expect(p.ham + p.spam).toBeCloseTo(1, 12);
    expect(p.spam).toBeGreaterThan(0.7);
    expect(m.predict('please review the release branch patch')).toBe('ham');
    const back = TextClassifier.fromJSON(m.toJSON());
    expect(back.predictProba('free money offer')).toEqual(m.predictProba('free money offer'));
    expect(back.embed('free money offer')).toEqual(m.embed('free money offer'));
    expect(back.features).toEqual(m.features);
  });

  it('uses the given class order and feature settings', () => {
    const m = TextClassifier.train(docs, { classes: ['spam', 'ham', 'other'], features: { hashBits: 10 }, epochs: 2 });
    expect(m.classes).toEqual(['spam', 'ham', 'other']);
    expect(m.model.dim).toBe(1024);
    expect(m.classIndex('other')).toBe(2);
    expect(m.classIndex('nope')).toBe(-1);
    expect(Object.keys(m.predictProba('x'))).toEqual(['spam', 'ham', 'other']);
  });

  it('rejects bad input', () => {
    expect(() => TextClassifier.train([{ text: 'a', label: 'x' }])).toThrow(RangeError);
    expect(() => TextClassifier.train(docs, { classes: ['ham'] as string[] })).toThrow(RangeError);
    expect(() => TextClassifier.train(docs, { classes: ['ham', 'other'] })).toThrow(RangeError);
    expect(() =>
      TextClassifier.fromJSON({ ...TextClassifier.train(docs).toJSON(), features: { ...TextClassifier.train(docs).features, hashBits: 10 } }),
    ).toThrow(TypeError);
    expect(() => TextClassifier.fromJSON('{"format":"other"}')).toThrow(TypeError);
  });
});

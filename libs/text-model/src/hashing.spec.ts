import { featurize, fmix32, fnv1a32, hashTokens } from './hashing';

describe('hash functions', () => {
  it('FNV-1a 32 matches the published test vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('fmix32 matches MurmurHash3 (values from a Python transcription of fmix32)', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(0xdeadbeef)).toBe(0x0de5c6a9);
  });
});

describe('hashTokens / featurize', () => {
  it('builds a sorted, unit-norm, sublinear TF vector in 2^18 buckets', () => {
    const v = hashTokens(['spam', 'spam', 'spam', 'ham']);
    expect(v.indices).toHaveLength(2);
    expect(v.indices[0]).toBeLessThan(v.indices[1]);
    for (const i of v.indices) expect(i >= 0 && i < 2 ** 18).toBe(true);
    const bucket = (t: string): number => fmix32(fnv1a32(t)) & (2 ** 18 - 1);
    const spamPos = Array.from(v.indices).indexOf(bucket('spam'));
    const hamPos = Array.from(v.indices).indexOf(bucket('ham'));
    expect(spamPos).toBeGreaterThanOrEqual(0);
    expect(hamPos).toBeGreaterThanOrEqual(0);
    expect(v.values[spamPos] / v.values[hamPos]).toBeCloseTo(1 + Math.log(3), 12);
    expect(Math.hypot(...v.values)).toBeCloseTo(1, 12);
  });

  it('featurize = hashTokens ∘ tokenize, honouring hashBits', () => {
    const v = featurize('Free MONEY free', { hashBits: 4 });
    expect(v).toEqual(hashTokens(['free', 'money', 'free'], 4));
    for (const i of v.indices) expect(i < 16).toBe(true);
    expect(featurize('...')).toEqual({ indices: new Int32Array(0), values: new Float64Array(0) });
    expect(() => hashTokens(['a'], 0)).toThrow(RangeError);
    expect(() => hashTokens(['a'], 25)).toThrow(RangeError);
  });
});

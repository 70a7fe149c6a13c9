import fc from 'fast-check';
import { krippendorffAlpha, type MeasurementLevel } from './krippendorff-alpha';

/**
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section E (several observers,
 * any metric, missing data): 4 observers × 12 units. Published results: nominal α = 0.743,
 * ordinal 0.815, interval 0.849, ratio 0.797.
 */
const K2011 = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];

// Reference values: PyPI `krippendorff` 0.9.0, `krippendorff.alpha(reliability_data=..., level_of_measurement=...)`,
// computed by libs/qa-metrics/reference/agreement_reference.py (Python 3.11.7, numpy 2.4.6).
const PACKAGE_K2011: Record<MeasurementLevel, number> = {
  nominal: 0.743421052631579,
  ordinal: 0.8153875037548814,
  interval: 0.8491071428571428,
  ratio: 0.7974027747116121,
};
const PUBLISHED_K2011: Record<MeasurementLevel, string> = { nominal: '0.743', ordinal: '0.815', interval: '0.849', ratio: '0.797' };

/** 5 coders × 15 units, non-integer values, ~25 % missing, unit 15 coded once (numpy seed 20240611, see reference script). */
const RANDOM = [
  [5.0, null, 5.0, 8.0, 2.0, 2.0, 8.0, 6.5, 2.0, 6.5, 8.0, null, 2.0, 6.5, 0.5],
  [2.0, 0.5, 5.0, null, 2.0, null, 8.0, 8.0, 2.0, 6.5, 8.0, 0.5, 6.5, 3.5, null],
  [3.5, 2.0, 5.0, null, null, 5.0, 8.0, null, 5.0, null, 8.0, 2.0, 6.5, 6.5, null],
  [3.5, null, null, null, null, 5.0, null, 5.0, null, 2.0, 3.5, 0.5, 0.5, null, null],
  [null, null, 8.0, 0.5, null, 0.5, 8.0, null, null, 2.0, 8.0, 0.5, null, null, null],
];
const PACKAGE_RANDOM: Record<MeasurementLevel, number> = {
  nominal: 0.2599079971691437,
  ordinal: 0.4329227134660816,
  interval: 0.42185543030953665,
  ratio: 0.3225831464140029,
};
const LEVELS: MeasurementLevel[] = ['nominal', 'ordinal', 'interval', 'ratio'];

describe('krippendorffAlpha', () => {
  it.each(LEVELS)("reproduces Krippendorff's 2011 reliability-data example at the %s level", (level) => {
    const a = krippendorffAlpha(K2011, level);
    expect(a.toFixed(3)).toBe(PUBLISHED_K2011[level]);
    expect(a).toBeCloseTo(PACKAGE_K2011[level], 9);
  });

  it.each(LEVELS)('matches the krippendorff package on non-integer data with missing values (%s)', (level) => {
    expect(krippendorffAlpha(RANDOM, level)).toBeCloseTo(PACKAGE_RANDOM[level], 9);
  });

  it('accepts NaN as missing and ragged rows (missing trailing cells)', () => {
    const withNaN = K2011.map((row) => row.map((v) => (v === null ? Number.NaN : v)));
    expect(krippendorffAlpha(withNaN, 'interval')).toBeCloseTo(PACKAGE_K2011.interval, 9);
    const ragged = K2011.map((row) => row.slice(0, row.length - 1));
    ragged[1].push(3); // only observer B coded unit 12: that unit is not pairable either way
    expect(krippendorffAlpha(ragged, 'nominal')).toBeCloseTo(PACKAGE_K2011.nominal, 9);
  });

  it('matches the package on string data, nominal and ordinal with an explicit value domain', () => {
    const s = [
      ['a', 'b', 'b', 'c', null, 'a'],
      ['a', 'b', 'c', 'c', 'a', null],
      ['b', 'b', 'c', 'c', 'a', 'a'],
    ];
    // krippendorff.alpha(sdata, level_of_measurement='nominal') / (..., 'ordinal', value_domain=['c','b','a'])
    expect(krippendorffAlpha(s, 'nominal')).toBeCloseTo(0.6470588235294118, 9);
    expect(krippendorffAlpha(s, 'ordinal', { valueDomain: ['c', 'b', 'a'] })).toBeCloseTo(0.8287706611570248, 9);
    expect(() => krippendorffAlpha(s, 'ordinal')).toThrow(TypeError);
    expect(() => krippendorffAlpha(s, 'interval', { valueDomain: ['c', 'b', 'a'] })).toThrow(TypeError);
    expect(() => krippendorffAlpha(s, 'nominal', { valueDomain: ['a', 'b'] })).toThrow(RangeError);
  });

  it('is NaN when undefined (no pairable unit, or a single value throughout)', () => {
    expect(
      krippendorffAlpha(
        [
          [1, null],
          [null, 2],
        ],
        'nominal',
      ),
    ).toBeNaN();
    expect(
      krippendorffAlpha(
        [
          [3, 3],
          [3, 3],
        ],
        'interval',
      ),
    ).toBeNaN();
  });

  it('property: α ≤ 1, α = 1 under perfect agreement, and α ignores the order of coders', () => {
    const data = fc.array(fc.array(fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }), { minLength: 6, maxLength: 6 }), {
      minLength: 2,
      maxLength: 4,
    });
    fc.assert(
      fc.property(data, fc.constantFrom(...LEVELS), (d, level) => {
        const a = krippendorffAlpha(d, level);
        const b = krippendorffAlpha([...d].reverse(), level);
        if (Number.isNaN(a)) return Number.isNaN(b);
        return a <= 1 + 1e-12 && Math.abs(a - b) < 1e-9;
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 10 }), fc.constantFrom(...LEVELS), (units, level) => {
        fc.pre(new Set(units).size >= 2);
        return Math.abs(krippendorffAlpha([units, units, units], level) - 1) < 1e-12;
      }),
    );
  });
});

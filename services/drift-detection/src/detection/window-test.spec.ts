import { testWindow } from './window-test';

// Deterministic pseudo-uniform values (no RNG state to share between runs).
const u = (i: number) => (Math.sin(i * 12.9898) * 43758.5453) % 1;
const frac = (i: number) => Math.abs(u(i));

describe('testWindow', () => {
  const reference = {
    confidences: Array.from({ length: 500 }, (_, i) => 0.7 + 0.3 * frac(i)),
    labelCounts: { ham: 300, spam: 200 },
  };

  it('stays quiet on a window from the same distribution', () => {
    const window = { confidences: Array.from({ length: 500 }, (_, i) => 0.7 + 0.3 * frac(i + 10_000)), labelCounts: { ham: 290, spam: 210 } };
    expect(testWindow(reference, window, 0.01).some((t) => t.drifted)).toBe(false);
  });

  it('flags a confidence drop', () => {
    const window = { confidences: Array.from({ length: 500 }, (_, i) => 0.4 + 0.3 * frac(i + 10_000)), labelCounts: { ham: 300, spam: 200 } };
    const out = testWindow(reference, window, 0.01);
    expect(out.find((t) => t.feature === 'confidence')!.drifted).toBe(true);
  });

  it('flags a predicted-label shift', () => {
    const window = { confidences: reference.confidences, labelCounts: { ham: 100, spam: 400 } };
    expect(testWindow(reference, window, 0.01).find((t) => t.feature === 'predicted_label')!.drifted).toBe(true);
  });
});

import { auditDraw, itemIdOf } from './select';

describe('audit draw and item ids', () => {
  it('draws the audit sample from the event id only, uniformly', () => {
    const n = 20000;
    let under = 0;
    for (let i = 0; i < n; i++) if (auditDraw(`e${i}`) < 0.05) under++;
    // Binomial(20000, 0.05): sd ≈ 30.8; ±5 sd.
    expect(Math.abs(under - 1000)).toBeLessThan(155);
    expect(auditDraw('x')).toBe(auditDraw('x'));
  });

  it('gives one item id per content', () => {
    expect(itemIdOf('sha256:abc')).toBe(itemIdOf('sha256:abc'));
    expect(itemIdOf('sha256:abc')).not.toBe(itemIdOf('sha256:abd'));
  });
});

import fc from 'fast-check';
import { findPii } from './redact';

/**
 * Milliseconds of one call of findPii on `text`: the fastest of at least 3 calls and 50 ms of
 * calls, so a garbage collection or a busy neighbour on the machine does not count.
 */
function msPerCall(text: string): number {
  let best = Infinity;
  const t0 = performance.now();
  for (let calls = 0; calls < 3 || performance.now() - t0 < 50; calls++) {
    const t = performance.now();
    findPii(text);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

describe('PII detection time', () => {
  // Inputs that make a backtracking e-mail pattern rescan from every position, and many findings
  // (each checked against the findings before it), with the size n to start from.
  const adversarial: Record<string, [(n: number) => string, number]> = {
    'a run of address characters': [(n) => 'a'.repeat(n), 10_000],
    'a domain of one-letter labels': [(n) => `a@${'a.'.repeat(n / 2)}`, 10_000],
    'a domain of dashes': [(n) => `a@${'a-'.repeat(n / 2)}`, 10_000],
    'thousands of addresses and phone numbers': [(n) => 'x@y.io 415-555-0132 '.repeat(n / 20), 40_000],
  };

  it.each(Object.keys(adversarial))('grows linearly with the input on %s', (name) => {
    const [make, n] = adversarial[name];
    findPii(make(1000)); // warm-up
    // Four times the input: about four times the time when linear, sixteen when quadratic. The
    // best of three tries, so that a busy machine does not fail a linear detector.
    let ratio = Infinity;
    for (let i = 0; i < 3 && ratio >= 8; i++) ratio = Math.min(ratio, msPerCall(make(4 * n)) / msPerCall(make(n)));
    expect(ratio).toBeLessThan(8);
  });

  it('finds exactly what the e-mail regular expression finds', () => {
    const email = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
    const text = fc.stringOf(fc.constantFrom('a', 'b', 'Z', '1', '.', '-', '_', '+', '@', ' ', '!'), { maxLength: 40 });
    fc.assert(
      fc.property(text, (t) => {
        const expected = [...t.matchAll(email)].map((m) => [m.index, m.index! + m[0].length]);
        expect(findPii(t, ['email']).map((f) => [f.start, f.end])).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });
});

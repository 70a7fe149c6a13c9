import { Admission } from './admission';

describe('Admission', () => {
  it('refuses the call over the in-flight limit and admits again once one is released', () => {
    const a = new Admission(2, 1000);
    const r1 = a.tryAcquire(10);
    const r2 = a.tryAcquire(10);
    expect(typeof r1).toBe('function');
    expect(typeof r2).toBe('function');
    expect(a.tryAcquire(10)).toBe('requests');
    (r1 as () => void)();
    (r1 as () => void)(); // a second release changes nothing
    expect(a.inFlight).toEqual({ calls: 1, bytes: 10 });
    expect(typeof a.tryAcquire(10)).toBe('function');
  });

  it('refuses a call whose bytes do not fit beside those held', () => {
    const a = new Admission(10, 100);
    const r = a.tryAcquire(60);
    expect(a.tryAcquire(41)).toBe('bytes');
    expect(typeof a.tryAcquire(40)).toBe('function');
    (r as () => void)();
    expect(a.inFlight).toEqual({ calls: 1, bytes: 40 });
  });
});

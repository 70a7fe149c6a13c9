import fc from 'fast-check';
import { majorityVote } from './majority-vote';

describe('majorityVote', () => {
  it('returns the plurality label and its share (hand-computed)', () => {
    expect(majorityVote(['cat', 'dog', 'cat', null, 'bird', 'cat'])).toEqual({ label: 'cat', tie: false, share: 3 / 5, leaders: ['cat'] });
    expect(majorityVote([2, 2, 1])).toEqual({ label: 2, tie: false, share: 2 / 3, leaders: [2] });
  });

  it('returns label null and tie true when the top count is shared', () => {
    expect(majorityVote(['b', 'a', 'a', 'b', 'c'])).toEqual({ label: null, tie: true, share: 2 / 5, leaders: ['a', 'b'] });
  });

  it('handles no votes', () => {
    expect(majorityVote([])).toEqual({ label: null, tie: false, share: 0, leaders: [] });
    expect(majorityVote([null, undefined])).toEqual({ label: null, tie: false, share: 0, leaders: [] });
  });

  it('property: the winner has the strictly highest count; share = count / votes; order-independent', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }), { maxLength: 20 }), (votes) => {
        const r = majorityVote(votes);
        const cast = votes.filter((v): v is number => v !== null);
        const count = (l: number): number => cast.filter((v) => v === l).length;
        const rev = majorityVote([...votes].reverse());
        if (cast.length === 0) return r.label === null && !r.tie && r.share === 0;
        const top = Math.max(...cast.map(count));
        const okWinner = r.tie ? r.label === null && r.leaders.length > 1 : r.label !== null && count(r.label as number) === top;
        return okWinner && r.share === top / cast.length && r.leaders.every((l) => count(l as number) === top) && JSON.stringify(rev) === JSON.stringify(r);
      }),
    );
  });
});

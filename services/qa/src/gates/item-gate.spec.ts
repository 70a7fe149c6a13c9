import { decideItem } from './item-gate';

describe('decideItem', () => {
  it('waits until the overlap is complete', () => {
    expect(decideItem(['spam'], 3, 0.5)).toEqual({ outcome: 'wait' });
  });
  it('accepts a clear majority with its share as confidence', () => {
    expect(decideItem(['spam', 'spam', 'ham'], 3, 0.5)).toMatchObject({ outcome: 'accept', label: 'spam' });
    expect((decideItem(['spam', 'spam', 'ham'], 3, 0.5) as { confidence: number }).confidence).toBeCloseTo(2 / 3, 12);
  });
  it('sends ties and weak agreement back for rework', () => {
    expect(decideItem(['spam', 'ham'], 2, 0.5)).toMatchObject({ outcome: 'rework', reason: 'tie between ham, spam' });
    expect(decideItem(['a', 'a', 'b', 'c'], 4, 0.6)).toMatchObject({ outcome: 'rework' });
  });
});

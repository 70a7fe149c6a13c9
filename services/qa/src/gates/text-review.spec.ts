import { normaliseText } from './label-kinds';
import { decideText, type TextAnswer } from './text-review';

const answer = (text: string, review = false): TextAnswer => ({ key: normaliseText(text), text, review });

describe('free-text gate', () => {
  it('accepts two answers equal after trimming, collapsing whitespace and case-folding', () => {
    const d = decideText([answer('The  cat sat.'), answer(' the cat SAT. ')], 2, false);
    expect(d).toEqual({ outcome: 'accept', index: 0, confidence: 1, agreement: 1, method: 'text_match' });
  });

  it('takes the most common text when three answers split 2–1', () => {
    const d = decideText([answer('a dog'), answer('a cat'), answer('A cat')], 3, false);
    expect(d).toMatchObject({ outcome: 'accept', index: 1, agreement: 2 / 3 });
  });

  it('asks a reviewer to accept or edit the first answer when no two agree', () => {
    expect(decideText([answer('a dog'), answer('a cat')], 2, false)).toEqual({
      outcome: 'review',
      text: 'a dog',
      reason: 'no two of 2 free-text answers agree',
    });
    expect(decideText([answer('a dog')], 1, false)).toMatchObject({ outcome: 'review', text: 'a dog' });
  });

  it('waits for the reviewer once asked, then accepts the reviewer’s text', () => {
    expect(decideText([answer('a dog'), answer('a cat')], 2, true)).toEqual({ outcome: 'wait' });
    const d = decideText([answer('a dog'), answer('a cat'), answer('A dog.', true)], 3, true);
    expect(d).toEqual({ outcome: 'accept', index: 2, confidence: 1, agreement: 0, method: 'text_review' });
    expect(decideText([answer('a dog'), answer('a cat'), answer('a dog', true)], 3, true)).toMatchObject({ agreement: 0.5 });
  });
});

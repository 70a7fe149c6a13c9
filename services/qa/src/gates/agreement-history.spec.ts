import { bucketFor, roundAgreement } from './agreement-history';

describe('roundAgreement', () => {
  it('counts the answers that gave the round’s most common label', () => {
    expect(roundAgreement(['spam', 'ham', 'spam'], false)).toEqual({ answers: 3, agreeing: 2, sentBack: false });
    expect(roundAgreement(['spam', 'spam', 'spam', 'spam'], false)).toEqual({ answers: 4, agreeing: 4, sentBack: false });
  });

  it('counts one of the tied labels on a tie', () => {
    expect(roundAgreement(['spam', 'ham'], true)).toEqual({ answers: 2, agreeing: 1, sentBack: true });
    expect(roundAgreement(['a', 'b', 'c', 'a', 'b'], true)).toEqual({ answers: 5, agreeing: 2, sentBack: true });
  });

  it('leaves out a round without overlap', () => {
    expect(roundAgreement(['spam'], false)).toBeUndefined();
    expect(roundAgreement([], false)).toBeUndefined();
  });
});

describe('bucketFor', () => {
  it('opens bucket 1 for a project without history', () => {
    expect(bucketFor(undefined, 50)).toEqual({ bucketNo: 1, opens: true });
  });

  it('fills the newest bucket up to bucketRounds, then opens the next', () => {
    expect(bucketFor({ bucket_no: 4, rounds: 49 }, 50)).toEqual({ bucketNo: 4, opens: false });
    expect(bucketFor({ bucket_no: 4, rounds: 50 }, 50)).toEqual({ bucketNo: 5, opens: true });
    expect(bucketFor({ bucket_no: 1, rounds: 1 }, 1)).toEqual({ bucketNo: 2, opens: true });
  });
});

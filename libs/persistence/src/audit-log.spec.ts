import { entryHash, GENESIS, verifyChain } from './audit-log';

function chain(n: number) {
  const out = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const e = { seq, at: `2026-01-01T00:00:0${seq}.000Z`, actor: `user-${seq}`, action: 'label.submitted', subject: `task-${seq}`, detail: { label: seq % 2 ? 'spam' : 'ham' } };
    const hash = entryHash(e, prev);
    out.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('audit chain', () => {
  it('verifies an intact chain', () => {
    expect(verifyChain(chain(5))).toEqual({ ok: true, entries: 5 });
  });

  it('points at the first altered, re-linked or missing entry', () => {
    const altered = chain(5);
    altered[2] = { ...altered[2], detail: { label: 'ham-edited' } };
    expect(verifyChain(altered)).toMatchObject({ ok: false, firstBrokenSeq: 3, problem: 'entry 3 was altered (its content no longer matches its hash)' });
    const removed = chain(5).filter((e) => e.seq !== 4);
    expect(verifyChain(removed)).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    // Rewriting an entry AND its hash still breaks the next link.
    const forged = chain(5);
    forged[1] = { ...forged[1], actor: 'mallory' };
    forged[1].hash = entryHash(forged[1], forged[1].prevHash);
    expect(verifyChain(forged)).toMatchObject({ ok: false, firstBrokenSeq: 3, problem: "entry 3 does not point at the previous entry's hash" });
  });
});

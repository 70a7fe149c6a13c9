import { chainHead, entryHash, GENESIS, verifyChain } from './audit-log';

function chain(n: number) {
  const out = [];
  let prev = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const e = {
      seq,
      at: `2026-01-01T00:00:0${seq}.000Z`,
      actor: `user-${seq}`,
      action: 'label.submitted',
      subject: `task-${seq}`,
      detail: { label: seq % 2 ? 'spam' : 'ham' },
    };
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

describe('audit chain against recorded heads', () => {
  it('fails an empty log', () => {
    expect(verifyChain([])).toEqual({
      ok: false,
      entries: 0,
      firstBrokenSeq: 1,
      problem: 'the log is empty (its first entry is written when it is created, so entries were deleted)',
    });
  });

  it('fails a rewritten chain with recomputed successors against a recorded head, and a shortened one', () => {
    const original = chain(6);
    const head = { ...chainHead(original), source: 'ops notebook' };
    expect(head.entries).toBe(6);
    // Rewrite entry 3 and recompute every later hash: the chain is consistent in itself.
    const rewritten = original.map((e) => ({ ...e }));
    rewritten[2].detail = { label: 'ham-edited' };
    for (let i = 2; i < rewritten.length; i++) {
      rewritten[i].prevHash = i ? rewritten[i - 1].hash : GENESIS;
      rewritten[i].hash = entryHash(rewritten[i], rewritten[i].prevHash);
    }
    expect(verifyChain(rewritten)).toEqual({ ok: true, entries: 6 });
    expect(verifyChain(rewritten, [head])).toMatchObject({
      ok: false,
      firstBrokenSeq: 6,
      problem: expect.stringContaining('a recorded head (ops notebook) says'),
    });
    // An older head the rewrite did not reach still matches; a later one it did does not.
    expect(verifyChain(rewritten, [chainHead(original.slice(0, 2))])).toEqual({ ok: true, entries: 6 });
    expect(verifyChain(rewritten, [chainHead(original.slice(0, 2)), chainHead(original.slice(0, 4))])).toMatchObject({ ok: false, firstBrokenSeq: 4 });
    // Cut back to 4 entries: the head of 6 is missing.
    expect(verifyChain(original.slice(0, 4), [head])).toMatchObject({
      ok: false,
      firstBrokenSeq: 5,
      problem: expect.stringContaining('fewer than the 6 of a recorded head'),
    });
    // A chain that grew past the head is fine.
    expect(verifyChain(chain(8), [head])).toEqual({ ok: true, entries: 8 });
  });
});

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelAnnotator } from './model-annotator';

/** A real HTTP model endpoint: a nearest-threshold "model" on the number of links. */
async function modelServer(reply?: (input: { features?: Record<string, number> }) => unknown) {
  const seen: unknown[] = [];
  const s = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      const input = JSON.parse(data) as { features?: Record<string, number> };
      seen.push(input);
      const links = input.features?.links ?? 0;
      const body = reply ? reply(input) : { probabilities: { spam: Math.min(1, links / 10), ham: 1 - Math.min(1, links / 10) } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/predict`, seen, close: () => new Promise((r) => s.close(r)) };
}

const opts = (url: string) => ({
  url,
  name: 'spam-candidate',
  version: 'v7',
  classes: ['spam', 'ham'],
  minConfidence: 0.8,
  timeoutMs: 2000,
  maxCallsPerSecond: 100,
});

describe('ModelAnnotator over HTTP', () => {
  it('answers the most probable class at or above the confidence floor, abstains below it', async () => {
    const m = await modelServer();
    try {
      const a = new ModelAnnotator(opts(m.url));
      expect(a.annotator).toBe('machine:model-spam-candidate@v7');
      expect(await a.annotate({ id: 'i1', text: 'x', features: { links: 9 } })).toMatchObject({ label: 'spam', cost: 0 });
      expect(await a.annotate({ id: 'i2', features: { links: 1 } })).toMatchObject({ label: 'ham' });
      const unsure = await a.annotate({ id: 'i3', features: { links: 5 } });
      expect(unsure.label).toBeUndefined();
      expect(unsure.abstainReason).toBe('most probable class spam at 0.500 is below 0.8');
      expect(m.seen[0]).toEqual({ id: 'i1', text: 'x', features: { links: 9 } });
    } finally {
      await m.close();
    }
  });

  it('abstains, naming the problem, on a reply outside the contract', async () => {
    const replies = [{ probabilities: { spam: 1.2 } }, { probabilities: { eggs: 0.9 } }, { predictions: [0.9] }];
    const m = await modelServer(() => replies.shift());
    try {
      const a = new ModelAnnotator(opts(m.url));
      expect((await a.annotate({ id: 'a' })).abstainReason).toMatch(
        /^the reply is not \{"probabilities": \{class: p\}\}: probabilities\.spam: Number must be less than or equal to 1/,
      );
      expect((await a.annotate({ id: 'b' })).abstainReason).toBe('the reply names classes outside the schema: eggs');
      expect((await a.annotate({ id: 'c' })).abstainReason).toMatch(/^the reply is not .*: probabilities: Required/);
    } finally {
      await m.close();
    }
  });
});

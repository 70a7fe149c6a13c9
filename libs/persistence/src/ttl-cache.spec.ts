import { TtlCache } from './ttl-cache';

describe('TtlCache', () => {
  it('reloads a value once its TTL has passed, and at once after delete', async () => {
    let now = 0;
    let stored = 'v1';
    const cache = new TtlCache<string>(5000, () => now);
    const read = () => cache.get('m', async () => stored);
    expect(await read()).toBe('v1');
    stored = 'v2'; // written by another replica
    now = 4999;
    expect(await read()).toBe('v1');
    now = 5000;
    expect(await read()).toBe('v2');
    stored = 'v3'; // written by this replica
    cache.delete('m');
    expect(await read()).toBe('v3');
  });
});

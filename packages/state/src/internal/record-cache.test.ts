import { describe, expect, it } from 'vitest';
import { RecordCache } from './record-cache.js';

const entry = (size: number, tag = '') => ({ size, tag });

describe('RecordCache', () => {
  it('evicts the least recently used entries once their sizes pass the budget', () => {
    const cache = new RecordCache<ReturnType<typeof entry>>(100);
    cache.set('a', entry(40));
    cache.set('b', entry(40));
    cache.get('a');
    cache.set('c', entry(40));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.stats).toEqual({ entries: 2, bytes: 80 });
  });

  it('replaces an entry under the same key and keeps the byte count exact', () => {
    const cache = new RecordCache<ReturnType<typeof entry>>(100);
    cache.set('a', entry(30, 'old'));
    cache.set('a', entry(50, 'new'));
    expect(cache.get('a')?.tag).toBe('new');
    expect(cache.stats).toEqual({ entries: 1, bytes: 50 });
    cache.delete('a');
    cache.delete('a');
    expect(cache.stats).toEqual({ entries: 0, bytes: 0 });
  });

  it('keeps nothing larger than the budget, and nothing at all with a budget of 0', () => {
    const cache = new RecordCache<ReturnType<typeof entry>>(100);
    cache.set('a', entry(10));
    cache.set('huge', entry(101));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    const off = new RecordCache<ReturnType<typeof entry>>(0);
    off.set('a', entry(1));
    expect(off.stats).toEqual({ entries: 0, bytes: 0 });
  });
});

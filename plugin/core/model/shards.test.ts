import { describe, expect, it } from 'vitest';
import { parseShard, shareOf } from './shards';

describe('shares', () => {
  it('are disjoint, cover every item, and differ in size by at most one', () => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    for (const count of [1, 3, 4, 7, 200, 250]) {
      const shares = Array.from({ length: count }, (_, i) => shareOf(items, { index: i + 1, count }));
      expect(shares.flat()).toEqual(items);
      const sizes = shares.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('are written i/N', () => {
    expect(parseShard('2/4')).toEqual({ ok: true, value: { index: 2, count: 4 } });
    for (const bad of ['0/4', '5/4', '2', 'a/b', '1/0']) expect(parseShard(bad).ok).toBe(false);
  });
});

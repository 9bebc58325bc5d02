/**
 * Property-based tests of the canonical key encoding: the mistakes of the
 * peers (Scalable's sorted hash list, untagged types, 32-bit digests,
 * flowyml's printed-form hashing) must be impossible here.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CanonicalValue } from './canonical';
import { canonicalDigest, canonicalEncode } from './canonical';

const json: fc.Arbitrary<CanonicalValue> = fc.jsonValue() as fc.Arbitrary<CanonicalValue>;
const value: fc.Arbitrary<CanonicalValue> = fc.letrec<{ v: CanonicalValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.double(),
    fc.bigInt(),
    fc.string(),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(fc.string(), tie('v'), { maxKeys: 5 }),
  ),
})).v;

/** The same object with its keys in another order, at every depth. */
function shuffleKeys(v: CanonicalValue, seed: number): CanonicalValue {
  if (Array.isArray(v)) return v.map((x, i) => shuffleKeys(x, seed + i));
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, CanonicalValue>);
    const rotated = entries.length ? [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)].reverse() : entries;
    return Object.fromEntries(rotated.map(([k, x], i) => [k, shuffleKeys(x, seed + i)]));
  }
  return v;
}

describe('canonical encoding', () => {
  it('ignores object key order at every depth', () => {
    fc.assert(fc.property(value, fc.nat(), (v, seed) => canonicalEncode(shuffleKeys(v, seed)) === canonicalEncode(v)));
  });

  it('is injective: different values never share an encoding', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        fc.pre(!deepEqual(a, b));
        return canonicalEncode(a) !== canonicalEncode(b);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps names bound to values: sub(a=1, b=2) and sub(a=2, b=1) differ (Scalable sorts the hashes)', () => {
    fc.assert(
      fc.property(json, json, (x, y) => {
        fc.pre(!deepEqual(x, y));
        return canonicalDigest({ a: x, b: y }) !== canonicalDigest({ a: y, b: x });
      }),
    );
  });

  it('tags types: 1, "1", 1n, true and [1] all differ', () => {
    const digests = [1, '1', 1n, true, [1], { 1: 1 }, null, undefined, -0, 0].map((v) => canonicalDigest(v as CanonicalValue));
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('distinguishes values that differ only in the middle of large arrays (flowyml hashes a truncated printout)', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => i);
    const changed = [...big];
    changed[50_000] = -1;
    expect(canonicalDigest(big)).not.toBe(canonicalDigest(changed));
  });

  it('has 128-bit digests', () => {
    fc.assert(fc.property(value, (v) => /^[0-9a-f]{32}$/.test(canonicalDigest(v))));
  });
});

function deepEqual(a: CanonicalValue, b: CanonicalValue): boolean {
  // Object.is semantics for numbers (0 vs -0, NaN), key-order-insensitive objects.
  if (typeof a !== typeof b) return false;
  if (a === null || b === null || typeof a !== 'object') return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i] as CanonicalValue));
  const ao = a as Record<string, CanonicalValue>;
  const bo = b as Record<string, CanonicalValue>;
  const ak = Object.keys(ao).sort();
  const bk = Object.keys(bo).sort();
  return ak.length === bk.length && ak.every((k, i) => k === bk[i] && deepEqual(ao[k], bo[k]));
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, UnstorableValue } from './codec';

const roundTrip = (v: unknown, outDir?: string) => decodeValue(encodeValue(v, outDir ? { outDir } : {}), outDir ? { outDir } : {});

describe('result codec', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['NaN', NaN],
    ['-0', -0],
    ['Infinity', [Infinity, -Infinity]],
    ['BigInt', 12345678901234567890n],
    ['Date', new Date('2026-11-22T10:00:00.123Z')],
    ['invalid Date', new Date(NaN)],
    ['Map with object keys', new Map<unknown, unknown>([[{ a: 1 }, 'x'], [2, new Set([1, 2])]])],
    ['Set', new Set(['a', 1, null])],
    ['RegExp', /a+b/gi],
    ['Buffer', Buffer.from([0, 1, 2, 255])],
    ['Float64Array', new Float64Array([1.5, NaN, -0])],
    ['BigInt64Array', new BigInt64Array([1n, -2n])],
    ['Uint8Array', new Uint8Array([9, 8, 7])],
    ['ArrayBuffer', new Uint8Array([1, 2, 3]).buffer],
    ['an object that uses the tag key', { $nxs: 'Map', v: [] }],
    ['sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['nested', { rows: [{ id: 1, at: new Date(0), tags: new Set(['x']) }], total: 10n }],
  ])('round-trips %s exactly', (_name, v) => {
    const back = roundTrip(v);
    expect(back).toStrictEqual(v instanceof Array ? Array.from(v as unknown[]) : v);
    if (v !== null && typeof v === 'object') expect(Object.getPrototypeOf(back)).toBe(Object.getPrototypeOf(v));
  });

  it('keeps an own __proto__ key as data (JSON can carry one)', () => {
    const v = JSON.parse('{"__proto__":{"a":1},"b":2}') as Record<string, unknown>;
    const back = roundTrip(v) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toEqual({ a: 1 });
  });

  it('keeps -0 and NaN distinct from 0', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true);
    expect(Number.isNaN(roundTrip(NaN))).toBe(true);
  });

  it('round-trips any JSON value unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(roundTrip(v)).toStrictEqual(v);
      }),
    );
  });

  it('stores paths inside the output folder relative to it, and rebuilds them elsewhere', () => {
    const text = encodeValue({ model: '/ws/a/.nx-steps/out/train/files/model.bin', other: '/etc/hosts' }, { outDir: '/ws/a/.nx-steps/out/train/files' });
    expect(text).not.toContain('/ws/a');
    expect(decodeValue(text, { outDir: '/elsewhere/files' })).toEqual({ model: '/elsewhere/files/model.bin', other: '/etc/hosts' });
  });

  it.each<[string, unknown, string, string]>([
    ['a function', { fit: () => 1 }, 'result.fit', 'a function'],
    ['a symbol', [Symbol('x')], 'result[0]', 'a symbol'],
    ['a class instance', { models: [{}, new (class LinearModel {})()] }, 'result.models[1]', 'an instance of class LinearModel'],
    ['an Error', { e: new Error('boom') }, 'result.e', 'an Error'],
    ['a Promise', Promise.resolve(1), 'result', 'a Promise'],
    ['a Map value', new Map([['k', () => 1]]), 'result.get(<key 0>)', 'a function'],
  ])('refuses %s, naming the path inside the value', (_what, v, at, what) => {
    let caught: unknown;
    try {
      encodeValue(v);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UnstorableValue);
    expect((caught as UnstorableValue).path).toBe(at);
    expect((caught as UnstorableValue).what).toContain(what);
  });

  it('refuses cycles', () => {
    const a: Record<string, unknown> = {};
    a['self'] = a;
    expect(() => encodeValue(a)).toThrow(/result\.self is a reference back/);
  });

  it('reads stored values without running code', () => {
    expect(() => decodeValue('{"$nxs":"Function","v":"() => process.exit(1)"}')).toThrow(/malformed Function entry/);
  });
});

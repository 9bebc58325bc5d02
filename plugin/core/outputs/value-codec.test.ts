import { createRequire } from 'node:module';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { registerType } from '../../api/types';
import { typeRegistry } from '../../shared/type-registry';
import { readValue, UnknownType } from './decode';
import type { EncodeOptions } from './encode';
import { BLOB_MIN, SEGMENT_MIN, writeValue } from './encode';
import type { PartFile } from './part-io';
import { UnstorableValue } from './unstorable';
import { CorruptValue, Marker, MarkerKind, packer } from './wire';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-value-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

async function store(v: unknown, options: EncodeOptions = {}): Promise<{ dir: string; parts: readonly PartFile[] }> {
  const dir = path.join(root, String(n++));
  return { dir, parts: await writeValue(dir, v, options) };
}

async function roundTrip(v: unknown, outDir?: string): Promise<unknown> {
  const { dir, parts } = await store(v, outDir ? { outDir } : {});
  return readValue(dir, parts, outDir ? { outDir } : {});
}

const digests = async (v: unknown): Promise<string> => (await store(v)).parts.map((p) => `${p.path}:${p.digest}`).join(',');

describe('result codec', () => {
  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['NaN', NaN],
    ['-0', -0],
    ['Infinity', [Infinity, -Infinity]],
    ['BigInt', 12345678901234567890n],
    ['negative and huge BigInts', [-5n, 2n ** 70n, -(2n ** 90n)]],
    ['Date', new Date('2026-11-22T10:00:00.123Z')],
    ['invalid Date', new Date(NaN)],
    [
      'Map with object keys',
      new Map<unknown, unknown>([
        [{ a: 1 }, 'x'],
        [2, new Set([1, 2])],
      ]),
    ],
    ['Set', new Set(['a', 1, null])],
    ['RegExp', /a+b/gi],
    ['Buffer', Buffer.from([0, 1, 2, 255])],
    ['Float64Array', new Float64Array([1.5, NaN, -0])],
    ['BigInt64Array', new BigInt64Array([1n, -2n])],
    ['Uint8Array', new Uint8Array([9, 8, 7])],
    ['ArrayBuffer', new Uint8Array([1, 2, 3]).buffer],
    ['an object that uses the old tag key', { $nxs: 'Map', v: [] }],
    ['sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['an object with a null prototype, read as a plain one', Object.assign(Object.create(null) as object, { a: 1 })],
    ['nested', { rows: [{ id: 1, at: new Date(0), tags: new Set(['x']), neg: -0 }], total: 10n, none: undefined }],
  ])('round-trips %s exactly', async (_name, v) => {
    const back = await roundTrip(v);
    const expected = Array.isArray(v) ? Array.from(v) : v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === null ? { ...v } : v;
    expect(back).toStrictEqual(expected);
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) !== null) expect(Object.getPrototypeOf(back)).toBe(Object.getPrototypeOf(v));
  });

  it('keeps -0 and NaN distinct from 0, wherever they sit', async () => {
    const back = (await roundTrip({ a: -0, b: [0, -0], c: new Map([['k', -0]]), d: new Set([NaN]) })) as {
      a: number;
      b: number[];
      c: Map<string, number>;
      d: Set<number>;
    };
    expect(Object.is(back.a, -0)).toBe(true);
    expect(Object.is(back.b[0], 0) && Object.is(back.b[1], -0)).toBe(true);
    expect(Object.is(back.c.get('k'), -0)).toBe(true);
    expect(back.d.has(NaN)).toBe(true);
  });

  it('keeps an own __proto__ key as data (JSON can carry one)', async () => {
    const v = JSON.parse('{"__proto__":{"a":1},"b":2}') as Record<string, unknown>;
    const back = (await roundTrip({ nested: v })) as { nested: Record<string, unknown> };
    expect(Object.getPrototypeOf(back.nested)).toBe(Object.prototype);
    expect(Object.keys(back.nested)).toEqual(['__proto__', 'b']);
    expect(Object.getOwnPropertyDescriptor(back.nested, '__proto__')?.value).toEqual({ a: 1 });
  });

  it('round-trips any JSON value unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => {
        expect(await roundTrip(v)).toStrictEqual(v);
      }),
      { numRuns: 60 },
    );
  });

  it('stores large typed arrays and binaries as raw bytes, in parts of their own', { timeout: 60_000 }, async () => {
    const f64 = Float64Array.from({ length: BLOB_MIN }, (_, i) => i / 3);
    const buf = Buffer.alloc(BLOB_MIN, 7);
    const { dir, parts } = await store({ f64, buf, big: new BigUint64Array(BLOB_MIN / 8).fill(2n ** 63n) });
    const blobs = parts.filter((p) => p.path.endsWith('.bin'));
    expect(blobs.map((p) => p.size)).toEqual([f64.byteLength, buf.byteLength, BLOB_MIN]);
    expect(parts.find((p) => p.path === 'value.msgpack')?.size).toBeLessThan(200);
    const back = readValue(dir, parts) as { f64: Float64Array; buf: Buffer; big: BigUint64Array };
    expect(back.f64).toStrictEqual(f64);
    expect(Buffer.isBuffer(back.buf) && back.buf.equals(buf)).toBe(true);
    expect(back.big[0]).toBe(2n ** 63n);
  });

  it('stores large arrays, Maps and Sets in chunks, nested ones too', { timeout: 60_000 }, async () => {
    const rows = Array.from({ length: SEGMENT_MIN + 5 }, (_, i) => ({ id: i, x: i / 7, label: `l${i % 10}`, neg: i === SEGMENT_MIN + 2 ? -0 : 0 }));
    const v = {
      rows,
      index: new Map(rows.slice(0, SEGMENT_MIN).map((r) => [r.id, r.label])),
      ids: new Set(rows.map((r) => r.id)),
      deep: [{ inner: Array.from({ length: SEGMENT_MIN }, (_, i) => i) }],
    };
    const { dir, parts } = await store(v);
    expect(parts.filter((p) => /^\d+\.msgpack$/.test(p.path))).toHaveLength(4);
    const back = readValue(dir, parts) as typeof v;
    expect(back).toStrictEqual(v);
    expect(Object.is(back.rows[SEGMENT_MIN + 2]?.neg, -0)).toBe(true);
    expect(Object.is(back.rows[SEGMENT_MIN + 1]?.neg, 0)).toBe(true);
  });

  it('gives the same bytes for the same value, and different bytes for values JavaScript tells apart', { timeout: 60_000 }, async () => {
    const make = () => ({
      a: [1, 2, { b: 'x' }],
      m: new Map([
        ['k', 1],
        ['j', 2],
      ]),
      s: new Set([1, 2]),
      big: Array.from({ length: SEGMENT_MIN }, (_, i) => ({ i })),
    });
    expect(await digests(make())).toBe(await digests(make()));
    expect(await digests({ a: 1, b: 2 })).not.toBe(await digests({ b: 2, a: 1 })); // key order is observable (Object.keys)
    expect(
      await digests(
        new Map([
          ['k', 1],
          ['j', 2],
        ]),
      ),
    ).not.toBe(
      await digests(
        new Map([
          ['j', 2],
          ['k', 1],
        ]),
      ),
    );
    expect(await digests(new Set([1, 2]))).not.toBe(await digests(new Set([2, 1])));
    expect(await digests([0])).not.toBe(await digests([-0]));
    expect(await digests(1)).not.toBe(await digests(1n));
  });

  it('stores paths inside the output folder relative to it, and rebuilds them elsewhere', async () => {
    const out = '/ws/a/.nx-steps/out/train/files';
    const v = { model: `${out}/model.bin`, dir: out, sibling: `${out}-old/x`, other: '/etc/hosts', inMap: new Map([[`${out}/k`, 1]]) };
    const { dir, parts } = await store(v, { outDir: out });
    expect(fs.readFileSync(path.join(dir, 'value.msgpack')).includes(`${out}/`)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'value.msgpack')).includes(`${out}-old`)).toBe(true);
    expect(readValue(dir, parts, { outDir: '/elsewhere/files' })).toEqual({
      model: '/elsewhere/files/model.bin',
      dir: '/elsewhere/files',
      sibling: `${out}-old/x`,
      other: '/etc/hosts',
      inMap: new Map([['/elsewhere/files/k', 1]]),
    });
  });

  it.each<[string, unknown, string, string]>([
    ['a function', { fit: () => 1 }, 'result.fit', 'a function'],
    ['a symbol', [Symbol('x')], 'result[0]', 'a symbol'],
    ['a class instance', { models: [{}, new (class LinearModel {})()] }, 'result.models[1]', 'an instance of class LinearModel'],
    ['an Error', { e: new Error('boom') }, 'result.e', 'an Error'],
    ['a Promise', Promise.resolve(1), 'result', 'a Promise'],
    ['a Map value', new Map([['k', () => 1]]), 'result.get(<key 0>)', 'a function'],
    ['a Set item', new Set([1, Symbol.iterator]), 'result.<item 1>', 'a symbol'],
    ['a symbol-keyed property', { a: { [Symbol('s')]: 1 } }, 'result.a', 'symbol-keyed'],
    ['a DataView', { v: new DataView(new ArrayBuffer(2)) }, 'result.v', 'DataView'],
    [
      'a function deep inside a chunked array',
      { rows: Array.from({ length: SEGMENT_MIN + 10 }, (_, i) => (i === SEGMENT_MIN + 3 ? { f: () => 1 } : { i })) },
      `result.rows[${SEGMENT_MIN + 3}].f`,
      'a function',
    ],
    ['an odd key', { 'a b': [1, () => 1] }, 'result["a b"][1]', 'a function'],
  ])('refuses %s, naming the path inside the value', { timeout: 30_000 }, async (_what, v, at, what) => {
    const caught = await store(v).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught).toBeInstanceOf(UnstorableValue);
    expect((caught as UnstorableValue).path).toBe(at);
    expect((caught as UnstorableValue).message).toContain(what);
  });

  it('refuses cycles, naming where the cycle closes', async () => {
    const a: Record<string, unknown> = { list: [] };
    (a['list'] as unknown[]).push({ back: a });
    await expect(store(a)).rejects.toThrow(/result\.list\[0\]\.back is a reference back/);
  });

  it('stores instances of a registered class through its serializer', async () => {
    class Forest {
      constructor(readonly trees: Float64Array) {}
      toJSON() {
        return { trees: this.trees };
      }
      static fromJSON(d: { trees: Float64Array }) {
        return new Forest(d.trees);
      }
    }
    registerType('test.Forest', Forest);
    const back = (await roundTrip({ model: new Forest(new Float64Array([1, 2])) })) as { model: Forest };
    expect(back.model).toBeInstanceOf(Forest);
    expect(back.model.trees).toStrictEqual(new Float64Array([1, 2]));
  });

  it('says which registered type a process lacks', async () => {
    class Gone {
      toJSON() {
        return 1;
      }
      static fromJSON() {
        return new Gone();
      }
    }
    registerType('test.Gone', Gone);
    const { dir, parts } = await store([new Gone()]);
    typeRegistry().byName.delete('test.Gone');
    expect(() => readValue(dir, parts)).toThrow(UnknownType);
  });

  it('stores apache-arrow Tables as Arrow IPC files and reads them back as Tables', async () => {
    // The CommonJS build, as a CommonJS pipeline run by tsx gets it (vitest would load a copy of its own).
    const { Table, tableFromArrays } = createRequire(__filename)('apache-arrow') as typeof import('apache-arrow');
    const table = tableFromArrays({ id: Int32Array.from([1, 2, 3]), x: Float64Array.from([0.5, 1.5, 2.5]), label: ['a', 'b', 'c'] });
    const { dir, parts } = await store({ table, n: 3 });
    expect(parts.map((p) => p.path)).toContain('1.arrow');
    expect(fs.readFileSync(path.join(dir, '1.arrow')).subarray(0, 6).toString()).toBe('ARROW1');
    const back = readValue(dir, parts) as { table: InstanceType<typeof Table>; n: number };
    expect(back.table).toBeInstanceOf(Table);
    expect(back.table.numRows).toBe(3);
    expect(back.table.getChild('label')?.toArray()).toEqual(['a', 'b', 'c']);
    expect(Array.from(back.table.getChild('x')?.toArray() as Float64Array)).toEqual([0.5, 1.5, 2.5]);
  });

  it('writes a Table with the very build of apache-arrow that made it (another build breaks dictionary columns)', async () => {
    // An ES module import: the ES module build, which `instanceof` the CommonJS Table passes for.
    const { tableFromArrays } = await import('apache-arrow');
    const { dir, parts } = await store({ table: tableFromArrays({ label: ['a', 'b', 'a'] }) });
    const back = readValue(dir, parts) as { table: { getChild(n: string): { toArray(): unknown } } };
    expect(back.table.getChild('label').toArray()).toEqual(['a', 'b', 'a']);
  });

  it('refuses a Table of a copy of apache-arrow it cannot find, rather than write it wrongly', async () => {
    const { tableFromArrays } = createRequire(__filename)('apache-arrow') as typeof import('apache-arrow');
    const foreign = tableFromArrays({ label: ['a'] });
    Object.setPrototypeOf(foreign, Object.create(Object.getPrototypeOf(foreign) as object, { constructor: { value: class Table {} } }));
    await expect(store({ foreign })).rejects.toThrow(/a copy of apache-arrow other than the one/);
  });

  it('reads stored values without running code, and never outside the output folder', async () => {
    const tampered = async (marker: Marker) => {
      const dir = path.join(root, String(n++));
      fs.mkdirSync(dir);
      const bytes = packer().pack(marker);
      fs.writeFileSync(path.join(dir, 'value.msgpack'), bytes);
      return () => readValue(dir, [{ path: 'value.msgpack', size: bytes.byteLength, digest: '' }], { outDir: '/ws/out/files' });
    };
    expect(await tampered(new Marker([99, 'process.exit(1)']))).toThrow(CorruptValue);
    expect(await tampered(new Marker([MarkerKind.outPath, '../../../etc/passwd']))).toThrow(/leaves its output folder/);
    expect(await tampered(new Marker([MarkerKind.outPath, '/etc/passwd']))).toThrow(/leaves its output folder/);
    expect(await tampered(new Marker([MarkerKind.segment, 5, 0, 1]))).toThrow(/missing part/);
  });
});

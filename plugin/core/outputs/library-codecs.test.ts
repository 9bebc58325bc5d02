/**
 * The data libraries' values through the result codec, with the real
 * libraries (this repo's devDependencies): what goes in comes out as the
 * same kind of object of the library, with the same schema and values; the
 * same value gives the same bytes; what still cannot be stored is named with
 * its class, its package and what to return instead.
 */
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readValue } from './decode';
import { writeValue } from './encode';
import type { PartFile } from './part-io';
import { PeerMissing } from './peers';
import { renderValue } from './render-value';
import { UnstorableValue } from './unstorable';

const req = createRequire(__filename);
const REPO = path.resolve(__dirname, '../../..');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-libs-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;

async function store(v: unknown, from = REPO): Promise<{ dir: string; parts: readonly PartFile[] }> {
  const dir = path.join(root, String(n++));
  return { dir, parts: await writeValue(dir, v, { arrowFrom: from }) };
}
async function roundTrip<T>(v: T): Promise<T> {
  const { dir, parts } = await store(v);
  return readValue(dir, parts, { arrowFrom: REPO }) as T;
}
const digests = async (v: unknown): Promise<string> => (await store(v)).parts.map((p) => `${p.path}:${p.size}:${p.digest}`).join(',');
async function refusal(v: unknown, from = REPO): Promise<UnstorableValue> {
  const caught = await store(v, from).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(caught).toBeInstanceOf(UnstorableValue);
  return caught as UnstorableValue;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- the libraries are loaded untyped, as the codec loads them */
const fl = req('@uwdata/flechette') as any;
const aq = req('arquero') as any;
const pl = req('nodejs-polars') as any;
const tf = req('@tensorflow/tfjs') as any;
const ort = req('onnxruntime-node') as any;
const duck = req('@duckdb/node-api') as any;

describe('flechette tables', () => {
  it('round-trip with schema, nulls, dictionaries and the extraction options they were made with', async () => {
    const t = fl.tableFromArrays(
      { id: Int32Array.of(1, 2, 3), x: [1.5, null, -0], s: ['a', null, 'a'], at: [new Date(0), null, new Date(86_400_000)], big: BigInt64Array.of(1n, 2n, 3n) },
      { useDate: true, useBigInt: true },
    );
    const back = await roundTrip(t);
    expect(back).toBeInstanceOf(fl.Table);
    expect(back.schema.fields.map((f: any) => `${f.name}:${f.type.typeId}`)).toEqual(t.schema.fields.map((f: any) => `${f.name}:${f.type.typeId}`));
    expect(back.toArray()).toEqual(t.toArray());
    expect(back.toArray()[1]).toEqual({ id: 2, x: null, s: null, at: null, big: 2n });
    expect(back.getChild('at').at(0)).toBeInstanceOf(Date);
    expect(await digests({ t })).toBe(await digests({ t: fl.tableFromIPC(fl.tableToIPC(t, { format: 'file' }), { useDate: true, useBigInt: true }) }));
  });

  it('a table made without options reads back without them (timestamps stay numbers)', async () => {
    const t = fl.tableFromIPC(fl.tableToIPC(fl.tableFromArrays({ at: [new Date(5)] }), { format: 'file' }));
    expect((await roundTrip(t)).getChild('at').at(0)).toBe(5);
  });
});

describe('arquero tables', () => {
  it('round-trip as ColumnTables: values, nulls, column order, the rows a filter keeps in their order, params', async () => {
    const dt = aq
      .table({ b: [3, 1, 2, 4], a: ['x', null, 'y', 'z'], at: [new Date(0), null, new Date(2), new Date(3)], n: [10n, 20n, null, 40n] })
      .params({ k: 2 })
      .filter((d: any) => d.b > 1)
      .orderby('b');
    const back = await roundTrip(dt);
    expect(back).toBeInstanceOf(aq.ColumnTable);
    expect(back.columnNames()).toEqual(['b', 'a', 'at', 'n']);
    expect(back.objects()).toEqual(dt.objects());
    expect(back.params()).toEqual({ k: 2 });
    expect(await digests(dt)).toBe(
      await digests(aq.table({ b: [2, 3, 4], a: ['y', 'x', 'z'], at: [new Date(2), new Date(0), new Date(3)], n: [null, 10n, 40n] }).params({ k: 2 })),
    );
  });

  it('an Arrow-backed table keeps its dictionary column', async () => {
    const dt = aq.fromArrow(fl.tableToIPC(fl.tableFromArrays({ s: ['a', 'b', 'a'] }), { format: 'file' }));
    const back = await roundTrip(dt);
    expect(back.objects()).toEqual([{ s: 'a' }, { s: 'b' }, { s: 'a' }]);
    expect(back.toArrow().schema.fields[0].type.typeId).toBe(fl.Type.Dictionary);
  });

  it("a table its own Arrow writer refuses is NXS205 with the library's reason", async () => {
    expect((await refusal({ t: aq.table({ m: [1, 'x'] }) })).message).toBe(
      'result.t is an arquero table that arquero cannot write (Mixed types detected, please define a union type.), which cannot be stored in the cache',
    );
  });

  it('a grouped table is refused with what to do', async () => {
    const e = await refusal({ t: aq.table({ g: [1, 1, 2] }).groupby('g') });
    expect(e.message).toBe(
      'result.t is a grouped arquero table (its groups are functions of the rows, which cannot be stored); return table.ungroup() and group it again downstream, which cannot be stored in the cache',
    );
  });
});

describe('nodejs-polars', () => {
  it('DataFrames round-trip with dtypes, nulls, categoricals and nested columns; Series keep their name', async () => {
    const df = pl
      .DataFrame({ a: [1, null, 3], s: ['x', 'y', null], l: [[1], [2, 3], []] })
      .withColumns(pl.col('s').cast(pl.Categorical).alias('c'), pl.col('a').cast(pl.Int64).alias('i'));
    const back = await roundTrip({ df, s: df.getColumn('i') });
    expect(pl.DataFrame.isDataFrame(back.df)).toBe(true);
    expect(String(back.df.schema.c)).toBe('DataType(Categorical)');
    expect(back.df.frameEqual(df, true)).toBe(true);
    expect(back.df.columns).toEqual(['a', 's', 'l', 'c', 'i']);
    expect(pl.Series.isSeries(back.s)).toBe(true);
    expect([back.s.name, String(back.s.dtype), back.s.toArray()]).toEqual(['i', 'DataType(Int64)', [1, null, 3]]);
    expect(await digests(df)).toBe(await digests(pl.readIPC(df.writeIPC())));
  });

  it('a LazyDataFrame is refused, naming the class, the package and the conversion', async () => {
    const e = await refusal({ lazy: pl.DataFrame({ a: [1] }).lazy() });
    expect(e.message).toContain(
      'result.lazy is an instance of class LazyDataFrame from nodejs-polars (a query plan, not data; return lazy.collectSync(), a DataFrame)',
    );
  });
});

describe('tensors', () => {
  it('tfjs Tensors round-trip with dtype, shape and values (float32, int32, bool, string, complex64, a large one as raw bytes)', async () => {
    const big = tf.randomUniform([300, 100], 0, 1, 'float32', 7);
    const v = {
      f: tf.tensor2d([
        [1.5, -0],
        [NaN, 4],
      ]),
      i: tf.tensor1d([1, 2, 3], 'int32'),
      b: tf.tensor([true, false], [2], 'bool'),
      s: tf.tensor([
        ['a', 'é'],
        ['', 'z'],
      ]),
      c: tf.complex([1, 2], [3, 4]),
      big,
    };
    const { dir, parts } = await store(v);
    expect(parts.map((p) => p.path).sort()).toEqual(['1.bin', 'value.msgpack']); // big: 120,000 raw bytes
    const back = readValue(dir, parts, { arrowFrom: REPO }) as typeof v;
    for (const k of Object.keys(v) as Array<keyof typeof v>) {
      expect(back[k]).toBeInstanceOf(tf.Tensor);
      expect([back[k].dtype, back[k].shape]).toEqual([v[k].dtype, v[k].shape]);
      expect(back[k].dataSync()).toEqual(v[k].dataSync());
    }
    expect(Object.is(back.f.dataSync()[1], -0)).toBe(true);
    expect(await digests(v.big)).toBe(await digests(tf.clone(v.big)));
  });

  it('a Variable and a disposed Tensor are refused with what to do; a model names tfjs', async () => {
    expect((await refusal({ w: tf.variable(tf.zeros([2])) })).message).toContain('result.w is a tfjs Variable');
    const gone = tf.zeros([1]);
    gone.dispose();
    expect((await refusal([gone])).message).toContain('result[0] is a disposed tfjs Tensor');
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    expect((await refusal({ model })).message).toContain('result.model is an instance of class Sequential from @tensorflow/tfjs (a model with its code');
  });

  it('onnxruntime Tensors round-trip; an InferenceSession is refused with the conversion', async () => {
    const v = {
      f: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [2, 2]),
      l: new ort.Tensor('int64', BigInt64Array.of(1n, -2n), [2]),
      s: new ort.Tensor('string', ['a', 'b'], [2]),
    };
    const back = await roundTrip(v);
    for (const k of ['f', 'l', 's'] as const) {
      expect(back[k]).toBeInstanceOf(ort.Tensor);
      expect([back[k].type, back[k].dims, back[k].data]).toEqual([v[k].type, v[k].dims, v[k].data]);
    }
    // An ES module pipeline's Tensor is of onnxruntime-common's ES module build: it comes back of that build.
    const esm = req(path.join(REPO, 'node_modules/onnxruntime-common/dist/esm/index.js')) as any;
    expect(esm.Tensor).not.toBe(ort.Tensor);
    const fromEsm = await roundTrip(new esm.Tensor('float32', Float32Array.of(5), [1]));
    expect(fromEsm).toBeInstanceOf(esm.Tensor);
    expect(Array.from(fromEsm.data as Float32Array)).toEqual([5]);
    const session = Object.create(ort.InferenceSession.prototype) as object;
    Object.assign(session, { handler: {} });
    expect((await refusal({ session })).message).toContain(
      'result.session is an instance of class InferenceSession from onnxruntime-node (a loaded model; return the model bytes',
    );
  });
});

describe('@duckdb/node-api', () => {
  it("a result's rows round-trip with DuckDB's value classes; a reader is refused with the conversion", async () => {
    const instance = await duck.DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        "select 1.25::DECIMAL(9,3) d, TIMESTAMP '2026-01-02 03:04:05.123456' t, [1, 2] l, {'k': 'v'} s, NULL::INTEGER n, 'e'::VARCHAR v, 12345678901234567890::HUGEINT h, MAP {'a': 1} m, '00000000-0000-0000-0000-000000000001'::UUID u, INTERVAL 3 DAY i",
      );
      const rows = reader.getRowObjects();
      const back = await roundTrip(rows);
      expect(back).toEqual(rows);
      expect(back[0].d).toBeInstanceOf(duck.DuckDBDecimalValue);
      expect(back[0].d.toString()).toBe('1.250');
      expect(back[0].t.toString()).toBe(rows[0].t.toString());
      expect(back[0].l).toBeInstanceOf(duck.DuckDBListValue);
      expect([back[0].s, back[0].m, back[0].u, back[0].i].map((x: any) => x.constructor.name)).toEqual([
        'DuckDBStructValue',
        'DuckDBMapValue',
        'DuckDBUUIDValue',
        'DuckDBIntervalValue',
      ]);
      expect([back[0].m.toString(), back[0].u.toString(), back[0].i.toString()]).toEqual([rows[0].m.toString(), rows[0].u.toString(), rows[0].i.toString()]);
      expect(renderValue([...back, ...back])).toMatch(/d\s+t\s+l.*\n.*\n\s+1\.250\s+2026-01-02 03:04:05\.123…\s+\[1, 2\]/);
      expect((await refusal({ reader })).message).toContain(
        'result.reader is an instance of class DuckDBResultReader from @duckdb/node-api (a reader bound to its connection; return reader.getRowObjects()',
      );
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});

describe('detection', () => {
  it('a class of the user named Table, shaped like no library, is still an unstorable class; nothing is loaded for it', async () => {
    class Table {
      rows = [1];
      get(): number {
        return 1;
      }
    }
    // Stored from a folder where no library resolves: had any codec tried to load its library, this would be PeerMissing.
    expect((await refusal({ t: new Table(), rows: [{ _df: 1, _s: 2 }] }, root)).message).toContain(
      'result.t is an instance of class Table (its prototype would be lost)',
    );
    const named = await refusal({ v: new (class DuckDBMoneyValue {})() }, root);
    expect(named.message).toContain(
      'result.v is an instance of class DuckDBMoneyValue, named like a @duckdb/node-api value, but @duckdb/node-api cannot be loaded',
    );
    // Plain rows with polars-like keys stay plain rows; an object of a class under such a key is that class.
    expect((await refusal({ rows: [{ _df: 1 }, { _s: new (class JsSeries {})() }] }, root)).message).toContain(
      'result.rows[1]._s is an instance of class JsSeries',
    );
  });

  it('a table of a library the workspace does not resolve is NXS212 naming the package', async () => {
    const t = fl.tableFromArrays({ a: [1] });
    const caught = await store(t, root).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught).toBeInstanceOf(PeerMissing);
    expect((caught as PeerMissing).pkg).toBe('@uwdata/flechette');
  });

  it('a class from an installed package is named with its package', async () => {
    const { Packr } = req('msgpackr') as { Packr: new () => object };
    expect((await refusal({ p: new Packr() })).message).toContain('result.p is an instance of class Packr from msgpackr');
  });
});

describe('nx-steps show', () => {
  it('prints tables as tables and tensors by dtype and shape', () => {
    const shown = renderValue(
      {
        df: pl.DataFrame({ a: [1, 2, 3], s: ['x', 'y', 'z'], l: [[1], [], [2]] }),
        t: tf.zeros([2, 3], 'int32'),
        aq: aq.table({ k: ['u', 'v'] }),
        fl: fl.tableFromArrays({ n: [1, 2] }),
      },
      { rows: 2 },
    );
    expect(shown).toContain('df: nodejs-polars DataFrame: 3 rows × 3 columns (a: Float64, s: String, l: List(Float64))');
    expect(shown).toMatch(/a\s+s\s+l\n\s+-+\s+-+\s+-+\n\s+1\s+x\s+\[1\]\n\s+2\s+y\s+\[0\]\n\s+… 1 more rows/);
    expect(shown).toContain('t: tfjs Tensor: int32 [2, 3]');
    expect(shown).toContain('aq: arquero table: 2 rows × 1 columns');
    expect(shown).toContain('fl: flechette Table: 2 rows × 1 columns');
  });
});

describe('the stored tables are Arrow IPC files other readers open', () => {
  it('polars reads the flechette and arquero files; apache-arrow and flechette read the polars file', async () => {
    const arrow = req('apache-arrow') as any;
    const part = async (v: unknown): Promise<Buffer> => {
      const { dir, parts } = await store(v);
      const p = parts.find((x) => x.path.endsWith('.arrow'));
      return fs.readFileSync(path.join(dir, p!.path));
    };
    const fromFlechette = pl.readIPC(await part(fl.tableFromArrays({ a: [1, 2], s: ['x', null] })));
    expect(fromFlechette.toRecords()).toEqual([
      { a: 1, s: 'x' },
      { a: 2, s: null },
    ]);
    expect(pl.readIPC(await part(aq.table({ k: ['u', 'v'] }))).toRecords()).toEqual([{ k: 'u' }, { k: 'v' }]);
    const polarsFile = await part(pl.DataFrame({ a: [1, null], s: ['x', 'y'] }).withColumns(pl.col('s').cast(pl.Categorical)));
    expect(
      arrow
        .tableFromIPC(polarsFile)
        .toArray()
        .map((r: any) => r.toJSON()),
    ).toEqual([
      { a: 1, s: 'x' },
      { a: null, s: 'y' },
    ]);
    expect(fl.tableFromIPC(polarsFile).toArray()).toEqual([
      { a: 1, s: 'x' },
      { a: null, s: 'y' },
    ]);
  });
});

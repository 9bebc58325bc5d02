/**
 * Issue 26: the data libraries a TypeScript data user returns from steps are
 * stored faithfully without a serializer of theirs: a flechette Table, an
 * arquero table, a nodejs-polars DataFrame and Series, a tfjs Tensor, an
 * onnxruntime Tensor and ONNX model bytes, the rows of a @duckdb/node-api
 * result. One workspace, one pipeline (make → check → final), each value
 * crossing a step boundary, a remote cache restore in a fresh checkout and
 * `loadResult` in a plain script; the downstream step compares what it got
 * with what the upstream step described, and checks it is an object of its
 * own copy of the library.
 *
 * The libraries are the repo's devDependencies, linked into the test
 * workspace (the shared template does not carry 800 MB of them for every
 * other e2e file).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { remoteCachePerFile, workspacesPerTest } from './rig';
import { REPO_ROOT } from './rig/template';

const open = workspacesPerTest();
const remote = remoteCachePerFile();

/** The packages a pipeline imports; tfjs-core and onnxruntime-common are reached through them (as without a direct dependency). */
const LIBRARIES = ['@uwdata/flechette', 'arquero', 'nodejs-polars', '@tensorflow/tfjs', 'onnxruntime-node', '@duckdb/node-api'];

function linkLibraries(ws: Workspace, names: readonly string[] = LIBRARIES): void {
  for (const name of names) {
    const link = ws.path(`node_modules/${name}`);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', name), link);
  }
}

/** A precise description of a value: class names, bigints, -0, Dates, typed arrays (type and values), key order. */
const DESCRIBE = `
export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'bigint') return v + 'n';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v !== 'object') return JSON.stringify(v);
  const cls = Object.getPrototypeOf(v)?.constructor?.name ?? 'null';
  if (v instanceof Date) return 'Date(' + v.getTime() + ')';
  if (ArrayBuffer.isView(v)) return cls + '[' + Array.from(v as unknown as ArrayLike<unknown>, describe).join(',') + ']';
  if (Array.isArray(v)) return '[' + v.map(describe).join(',') + ']';
  if (v instanceof Map) return 'Map{' + [...v].map(([k, x]) => describe(k) + '=>' + describe(x)).join(',') + '}';
  return cls + '{' + Object.keys(v).map((k) => k + ':' + describe((v as Record<string, unknown>)[k])).join(',') + '}';
}
`;

/** A tiny ONNX model (y = x + x, x: float32[3]), encoded by hand as the protobuf it is. */
const ONNX_MODEL = `
const varint = (n: number): number[] => { const out: number[] = []; while (n > 127) { out.push((n & 127) | 128); n >>>= 7; } out.push(n); return out; };
const field = (no: number, wire: number, payload: number[]) => [...varint((no << 3) | wire), ...payload];
const bytes = (no: number, b: number[]) => field(no, 2, [...varint(b.length), ...b]);
const str = (no: number, s: string) => bytes(no, [...Buffer.from(s)]);
const int = (no: number, n: number) => field(no, 0, varint(n));
const valueInfo = (name: string) => [...str(1, name), ...bytes(2, bytes(1, [...int(1, 1), ...bytes(2, bytes(1, int(1, 3)))]))];
const graph = [...bytes(1, [...str(1, 'x'), ...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Add')]), ...str(2, 'g'), ...bytes(11, valueInfo('x')), ...bytes(12, valueInfo('y'))];
export const onnxModel = (): Uint8Array => Uint8Array.from([...int(1, 8), ...bytes(8, int(2, 13)), ...bytes(7, graph)]);
`;

const PIPELINE = `import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline, step } from 'nx-steps';
import * as fl from '@uwdata/flechette';
import * as aq from 'arquero';
import pl from 'nodejs-polars';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { DuckDBDecimalValue, DuckDBInstance } from '@duckdb/node-api';
import { count } from '../tools/count';
import { describe } from './describe';
import { onnxModel } from './onnx-model';
export default pipeline({ name: 'data' });

/** What each value is, as its own library shows it. */
export function views(v: any): Record<string, string> {
  return {
    flechette: describe(v.fl.schema.fields.map((f: any) => [f.name, f.type.typeId, f.nullable])) + describe(v.fl.toArray()),
    arquero: describe(v.aq.columnNames()) + describe(v.aq.objects()),
    polars: describe(v.df.columns) + describe(v.df.dtypes.map(String)) + describe(v.df.toRecords()),
    series: describe([v.s.name, String(v.s.dtype), v.s.toArray()]),
    tfjs: describe([v.t.dtype, v.t.shape, v.t.dataSync()]) + describe([v.big.shape, tf.sum(v.big).dataSync()]),
    onnxruntime: describe([v.ot.type, v.ot.dims, v.ot.data]),
    model: describe(v.model),
    duckdb: describe(v.rows.map((r: any) => Object.fromEntries(Object.entries(r).map(([k, x]: [string, any]) => [k, [x?.constructor?.name, String(x)]])))),
  };
}

/** Whether each value is an object of this process's own copy of its library. */
export function kinds(v: any): Record<string, boolean> {
  return {
    flechette: v.fl instanceof fl.Table,
    arquero: v.aq instanceof aq.ColumnTable,
    polars: pl.DataFrame.isDataFrame(v.df),
    series: pl.Series.isSeries(v.s),
    tfjs: v.t instanceof tf.Tensor && v.big instanceof tf.Tensor,
    onnxruntime: v.ot instanceof ort.Tensor,
    model: v.model instanceof Uint8Array,
    duckdb: v.rows[0].d instanceof DuckDBDecimalValue,
  };
}

export const make = step(async (_: {}, ctx) => {
  count('make');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll("select 1.25::DECIMAL(9,3) d, TIMESTAMP '2026-01-02 03:04:05.123456' ts, [1, 2] l, NULL::INTEGER n, 12345678901234567890::HUGEINT h");
  const rows = reader.getRowObjects();
  connection.closeSync();
  instance.closeSync();
  const df = pl.DataFrame({ a: [1, null, 3], s: ['x', 'y', null], l: [[1], [2, 3], []] }).withColumns(pl.col('s').cast(pl.Categorical).alias('c'), pl.col('a').cast(pl.Int64).alias('i'));
  const value = {
    fl: fl.tableFromArrays({ id: Int32Array.of(1, 2, 3), x: [1.5, null, -0], s: ['a', null, 'a'], at: [new Date(0), null, new Date(86_400_000)], big: BigInt64Array.of(1n, 2n, 3n) }, { useDate: true, useBigInt: true }),
    aq: aq.table({ b: [3, 1, 2], a: ['x', null, 'y'], at: [new Date(0), null, new Date(2)], n: [10n, 20n, null] }).params({ k: 2 }).orderby('b'),
    df,
    s: df.getColumn('i'),
    t: tf.tensor2d([[1.5, -0], [NaN, 4]]),
    big: tf.range(0, 200_000, 1, 'float32').reshape([400, 500]),
    ot: new ort.Tensor('int64', BigInt64Array.of(1n, -2n, 3n), [3]),
    model: onnxModel(),
    rows,
  };
  fs.writeFileSync(path.join(ctx.outDir, 'views.json'), JSON.stringify(views(value)));
  return value;
});

export const check = step({ needs: { v: make }, params: { tag: 'a' } }, async ({ v, tag }) => {
  count('check');
  const made = JSON.parse(fs.readFileSync(path.join('data/.nx-steps/out/make/files/views.json'), 'utf8'));
  const got = views(v);
  const same = Object.fromEntries(Object.keys(made).map((k) => [k, made[k] === got[k] ? true : got[k]]));
  const session = await ort.InferenceSession.create(v.model);
  const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3), [3]) });
  return { tag, kinds: kinds(v), same, y };
});

/** Still not storable: a query plan (tsc rejects this step too: plugin/api/storable.test.ts; tsx does not check types). */
export const plan = step(() => ({ lazy: pl.DataFrame({ a: [1] }).lazy() }));

export const final = step({ needs: { c: check } }, ({ c }) => {
  count('final');
  return { yIsTensor: c.y instanceof ort.Tensor, y: Array.from(c.y.data as Float32Array), dims: c.y.dims };
});
`;

const FILES = { 'data/data.pipeline.ts': PIPELINE, 'data/describe.ts': DESCRIBE, 'data/onnx-model.ts': ONNX_MODEL };
const ALL = { flechette: true, arquero: true, polars: true, series: true, tfjs: true, onnxruntime: true, model: true, duckdb: true };
const FINAL = { yIsTensor: true, y: [2, 4, 6], dims: [3] };

/** Where the last run got a step's result from, as `nx-steps report --last` says. */
function lastSource(ws: Workspace, step: string): string | undefined {
  const report = JSON.parse(ws.cli(['report', '--last', '--json']).stdout) as { lastRun: { steps: Array<{ step: string; source: string }> } };
  return report.lastRun.steps.find((s) => s.step === step)?.source;
}

const SCRIPT = `const { loadResult } = require('nx-steps/results');
require('tsx/cjs');
const { kinds, views } = require('./data/data.pipeline.ts');
(async () => {
  const v = await loadResult('data:make');
  const made = JSON.parse(require('fs').readFileSync('data/.nx-steps/out/make/files/views.json', 'utf8'));
  const got = views(v);
  console.log(JSON.stringify({ kinds: kinds(v), same: Object.keys(made).every((k) => made[k] === got[k]) }));
})();
`;

describe('data libraries as results', () => {
  it('round-trip through a step boundary, a remote cache restore in a fresh checkout and loadResult', () => {
    const env = remote.server.nxEnv('read-write');
    const a = open.create('data-a', FILES);
    linkLibraries(a);
    expect(a.runSteps('data:final', [], { env }).calls).toEqual({ make: 1, check: 1, final: 1 });
    expect(a.stored('data/.nx-steps/out/check')).toMatchObject({ tag: 'a', kinds: ALL, same: ALL });
    expect(a.stored('data/.nx-steps/out/final')).toEqual(FINAL);
    // Tables as Arrow IPC files (pyarrow, polars and DuckDB open them), the big tensor as raw bytes.
    const parts = fs.readdirSync(a.path('data/.nx-steps/out/make/value')).sort();
    expect(parts).toEqual(['1.arrow', '2.arrow', '3.arrow', '4.arrow', '5.bin', 'value.msgpack']);
    for (const p of parts.filter((x) => x.endsWith('.arrow')))
      expect(
        fs
          .readFileSync(a.path(`data/.nx-steps/out/make/value/${p}`))
          .subarray(0, 6)
          .toString(),
      ).toBe('ARROW1');
    expect(fs.statSync(a.path('data/.nx-steps/out/make/value/5.bin')).size).toBe(800_000);
    // `nx-steps show` prints them as tables and tensors.
    const shown = a.cli(['show', 'data:make', '--rows', '2']).stdout;
    expect(shown).toContain('df: nodejs-polars DataFrame: 3 rows × 5 columns (a: Float64, s: String, l: List(Float64), c: Categorical, i: Int64)');
    expect(shown).toContain('t: tfjs Tensor: float32 [2, 2]');
    expect(shown).toContain('aq: arquero table: 3 rows × 4 columns');
    // Equal values give equal bytes: a forced recompute stores the same result digest (early cutoff holds).
    const digest = a.read('data/.nx-steps/out/make/result.xxh128');
    fs.rmSync(a.path('data/.nx-steps/out/make'), { recursive: true });
    expect(a.runSteps('data:make', ['--skip-nx-cache'], { env }).calls).toEqual({ make: 1 });
    expect(a.read('data/.nx-steps/out/make/result.xxh128')).toBe(digest);

    // What is still not stored is NXS205 naming the class, its package and what to return instead.
    const plan = a.nx(['run', 'data:plan']);
    expect(plan.code).not.toBe(0);
    expect(plan.output).toContain(
      "NXS205: The step's result cannot be cached: result.lazy is an instance of class LazyDataFrame from nodejs-polars (a query plan, not data; return lazy.collectSync(), a DataFrame)",
    );

    // A fresh checkout on another machine: make is restored from the remote cache, check and final run on it.
    const b = open.create('data-b', FILES);
    linkLibraries(b);
    expect(b.runSteps('data:final', ['--tag=b'], { env }).calls).toEqual({ check: 1, final: 1 });
    expect(lastSource(b, 'make')).toBe('step-remote');
    expect(b.stored('data/.nx-steps/out/check')).toMatchObject({ tag: 'b', kinds: ALL, same: ALL });
    expect(b.stored('data/.nx-steps/out/final')).toEqual(FINAL);

    // A plain script reads the restored result with loadResult.
    b.write('script.js', SCRIPT);
    const r = spawnSync(process.execPath, ['script.js'], { cwd: b.root, env: b.env(), encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '')).toEqual({ kinds: ALL, same: true });

    // Without the library, reading the value is NXS212 naming the package and how to install it.
    fs.rmSync(b.path('node_modules/nodejs-polars'));
    const missing = b.cli(['show', 'data:make']);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toContain('NXS212: The stored result holds a nodejs-polars DataFrame, but nodejs-polars cannot be loaded');
    expect(missing.output).toContain('npm install nodejs-polars');
  });

  it('tfjs-node Tensors', (ctx) => {
    // Its Tensors are tfjs-core's, the class the case above round-trips; only the backend differs.
    ctx.skip(
      '@tensorflow/tfjs-node cannot install here: its install script downloads libtensorflow from storage.googleapis.com, and this machine reaches only the npm registry',
    );
  });
});

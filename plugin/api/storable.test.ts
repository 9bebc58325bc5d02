import * as path from 'node:path';
import type { Tree } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { typeErrors } from '../../generators/test-utils/typecheck';

const noTree = { read: () => null } as unknown as Tree;
const REPO_ROOT = path.resolve(__dirname, '../..');

describe('a step whose result cannot be stored is a type error', { timeout: 120_000 }, () => {
  it('at the step, naming the path inside the value, before anything runs', () => {
    const file = [
      "import { pipeline, step } from 'nx-steps';",
      "export default pipeline({ name: 'ml' });",
      'class Forest { trees = [1]; predict(x: number) { return x; } }',
      'export const load = step(() => [{ id: 1, x: 0.5 }]);',
      'export const train = step({ needs: { rows: load } }, async ({ rows }) => ({ n: rows.length, model: new Forest() }));',
      '',
    ].join('\n');
    const errors = typeErrors(noTree, [], { 'ml/ml.pipeline.ts': file });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ml\/ml\.pipeline\.ts:5: /); // line 5: export const train = step(...)
    expect(errors[0]).toContain('result.model.predict is a function');
    expect(file.split('\n')[4]).toContain('export const train');
  });

  it('accepts a class once it is registered and declared in StorableTypes, and apache-arrow-like tables', () => {
    const file = [
      "import { registerType, step } from 'nx-steps';",
      'export class Forest { trees = [1]; predict(x: number) { return x; } toJSON() { return { trees: this.trees }; } static fromJSON(d: { trees: number[] }) { return new Forest(); } }',
      "registerType('ml.Forest', Forest);",
      "declare module 'nx-steps' { interface StorableTypes { forest: Forest } }",
      'declare const table: { schema: object; batches: object[]; numRows: number; numCols: number; getChild(name: string): unknown };',
      'export const train = step(async () => ({ model: new Forest(), table }));',
      '',
    ].join('\n');
    expect(typeErrors(noTree, [], { 'ml/ml.pipeline.ts': file })).toEqual([]);
  });
});

describe('the data libraries nx-steps stores pass the type check; those it cannot store are named', { timeout: 120_000 }, () => {
  // Written inside the repo, so the libraries' own types (devDependencies) resolve.
  const within = path.join(REPO_ROOT, 'node_modules/.cache/nxs-storable-typecheck');
  const HEAD = [
    "import { step } from 'nx-steps';",
    "import * as fl from '@uwdata/flechette';",
    "import * as aq from 'arquero';",
    "import pl from 'nodejs-polars';",
    "import * as tf from '@tensorflow/tfjs';",
    "import * as ort from 'onnxruntime-node';",
    "import { DuckDBInstance } from '@duckdb/node-api';",
  ];

  it('accepts the tables, frames, tensors, model bytes and DuckDB rows, with the libraries’ own types', () => {
    const file = [
      ...HEAD,
      'export const make = step(async () => {',
      '  const df = pl.DataFrame({ a: [1, 2] });',
      "  const reader = await (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll('select 1 a');",
      '  return {',
      "    fl: fl.tableFromArrays({ a: [1] }), aq: aq.table({ a: [1] }), df, s: df.getColumn('a'),",
      "    t: tf.tensor([1]), ot: new ort.Tensor('float32', Float32Array.of(1), [1]), model: new Uint8Array(4), rows: reader.getRowObjects(),",
      '  };',
      '});',
      'export const use = step({ needs: { m: make } }, ({ m }) => m.df.height + m.t.size + m.ot.dims.length + m.aq.numRows() + m.fl.numRows + m.rows.length);',
      '',
    ].join('\n');
    expect(typeErrors(noTree, [], { 'data/data.pipeline.ts': file }, within)).toEqual([]);
  });

  it.each<[string, string, string]>([
    ['a polars LazyDataFrame', 'pl.DataFrame({ a: [1] }).lazy()', 'result.x is a nodejs-polars LazyDataFrame: return lazy.collectSync(), a DataFrame'],
    ['a tfjs Variable', 'tf.variable(tf.zeros([1]))', 'result.x is a tfjs Variable: return tf.clone(variable), a Tensor'],
    ['a tfjs model', 'tf.sequential()', 'result.x is a tfjs model: return model.getWeights() (Tensors) and rebuild it downstream'],
    [
      'an InferenceSession',
      'await ort.InferenceSession.create(new Uint8Array(4))',
      'result.x is an onnxruntime InferenceSession: return the model bytes (a Uint8Array) and create the session downstream',
    ],
    [
      'a DuckDB reader',
      "await (await (await DuckDBInstance.create(':memory:')).connect()).runAndReadAll('select 1')",
      'result.x is a @duckdb/node-api result: return its rows, reader.getRowObjects() (DuckDB values are stored exactly)',
    ],
    ['a class of the user named Table', 'new (class Table { rows = [1]; toColumns() { return {}; } })()', 'result.x.toColumns is a function'],
  ])('refuses %s, with what to return instead', (_what, expr, message) => {
    const file = [...HEAD, `export const make = step(async () => ({ x: ${expr} }));`, ''].join('\n');
    const errors = typeErrors(noTree, [], { 'data/data.pipeline.ts': file }, within);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^data\/data\.pipeline\.ts:8: /);
    expect(errors[0]).toContain(message);
  });
});

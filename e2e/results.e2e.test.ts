/**
 * Issue 15: data-scale results. Every type nx-steps promises crosses a step
 * boundary and a cache restore in another checkout exactly; an Arrow table of
 * 1M rows flows through three steps; a result over 1 GiB is stored and
 * restored; a registered class round-trips; scripts read results with
 * loadResult and runPipeline; a failed store keeps the last good outputs.
 * Issue 14, category 7: the exec bit and empty folders of ctx.outDir are part
 * of a result (proved against a forced recompute).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { workspacesPerTest } from './rig';
import { RemoteCacheServer } from './rig/remote-cache-server';

const open = workspacesPerTest();
const workspace = (name: string, files: Record<string, string>): Workspace => open.create(name, files);
const servers: RemoteCacheServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.remove()));
});

const HEAD =
  "import * as fs from 'node:fs';\nimport * as path from 'node:path';\nimport { file, pipeline, registerType, step } from 'nx-steps';\nimport { count } from '../tools/count';\n";

/** A precise, deterministic description of a value: types, -0, binary contents, key and entry order. */
const DESCRIBE = `
import { createHash } from 'node:crypto';
export function describe(v: unknown, outDir: string): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number': return Object.is(v, -0) ? 'number:-0' : 'number:' + String(v);
    case 'bigint': return 'bigint:' + String(v);
    case 'string': return v.startsWith(outDir + '/') ? 'outpath:' + v.slice(outDir.length + 1) : 'string:' + JSON.stringify(v);
    case 'undefined': return 'undefined';
    case 'boolean': return 'boolean:' + String(v);
    default: break;
  }
  const o = v as object;
  const proto = Object.getPrototypeOf(o);
  const name = proto === null ? 'null-proto' : proto.constructor.name;
  const hash = (b: ArrayBufferView | ArrayBuffer) => createHash('sha1').update(b instanceof ArrayBuffer ? new Uint8Array(b) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).digest('hex');
  if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer) return name + '(' + String((o as ArrayBufferView).byteLength) + ':' + hash(o as ArrayBuffer) + ')';
  if (o instanceof Date) return 'Date:' + String(o.getTime());
  if (o instanceof RegExp) return 'RegExp:' + String(o);
  if (o instanceof Map) return 'Map{' + [...o].map(([k, x]) => describe(k, outDir) + '=>' + describe(x, outDir)).join(',') + '}';
  if (o instanceof Set) return 'Set{' + [...o].map((x) => describe(x, outDir)).join(',') + '}';
  if (Array.isArray(o)) return 'Array[' + Array.from(o, (x) => describe(x, outDir)).join(',') + ']';
  return name + '{' + Object.keys(o).map((k) => JSON.stringify(k) + ':' + describe((o as Record<string, unknown>)[k], outDir)).join(',') + '}';
}
`;

const TYPES_PIPELINE = `${HEAD}import { describe } from './describe';
export default pipeline({ name: 'types' });

export const produce = step((_: {}, ctx) => {
  count('produce');
  fs.writeFileSync(path.join(ctx.outDir, 'model.bin'), 'weights');
  const value = {
    u: undefined, nan: NaN, negz: -0, inf: -Infinity, huge: 2n ** 70n, small: -5n,
    date: new Date('2026-01-02T03:04:05.678Z'), bad: new Date(NaN),
    map: new Map<unknown, unknown>([[{ k: 1 }, 'object key'], [2, new Set([1, 'a'])], ['z', -0]]),
    set: new Set(['x', 1, null]), re: /a+b/gi, buf: Buffer.from([0, 1, 255]), u8: new Uint8Array([9, 8]),
    f64: new Float64Array([1.5, NaN, -0]), i64: new BigInt64Array([1n, -2n]), ab: new Uint8Array([1, 2, 3]).buffer,
    proto: JSON.parse('{"__proto__":{"a":1},"b":2}') as Record<string, unknown>, model: path.join(ctx.outDir, 'model.bin'),
    bigF64: Float64Array.from({ length: 100_000 }, (_, i) => i / 3), bigBuf: Buffer.alloc(200_000, 7),
    rows: Array.from({ length: 70_000 }, (_, i) => ({ id: i, x: i / 7, neg: i === 69_999 ? -0 : 0, at: new Date(i) })),
    index: new Map(Array.from({ length: 70_000 }, (_, i) => [i, 'v' + (i % 3)] as const)),
  };
  fs.writeFileSync(path.join(ctx.outDir, 'expected.txt'), describe(value, ctx.outDir));
  return value;
});

export const check = step({ needs: { v: produce }, params: { tag: 'a' } }, ({ v, tag }) => {
  count('check');
  const outDir = path.dirname(v.model);
  const expected = fs.readFileSync(path.join(outDir, 'expected.txt'), 'utf8');
  const got = describe(v, outDir);
  return { tag, same: got === expected, modelReadable: fs.readFileSync(v.model, 'utf8') === 'weights', outDirIsUpstreams: outDir.endsWith('/types/.nx-steps/out/produce/files') };
});
`;

/** Where the last run got a step's result from, as `nx-steps report --last` says. */
function lastSource(ws: Workspace, step: string): string | undefined {
  const report = JSON.parse(ws.cli(['report', '--last', '--json']).stdout) as { lastRun: { steps: Array<{ step: string; source: string }> } };
  return report.lastRun.steps.find((s) => s.step === step)?.source;
}

describe('every type nx-steps promises crosses a step boundary exactly', () => {
  it('through a step boundary, and through a cache restore in a fresh checkout', async () => {
    const server = await RemoteCacheServer.start();
    servers.push(server);
    const files = { 'types/types.pipeline.ts': TYPES_PIPELINE, 'types/describe.ts': DESCRIBE };
    const a = workspace('types-a', files);
    const first = a.runSteps('types:check', [], { env: server.nxEnv('read-write') });
    expect(first.calls).toEqual({ produce: 1, check: 1 });
    expect(a.stored('types/.nx-steps/out/check')).toEqual({ tag: 'a', same: true, modelReadable: true, outDirIsUpstreams: true });
    // Split into parts as designed: chunked rows and index, raw bytes for the big binaries.
    expect(fs.readdirSync(a.path('types/.nx-steps/out/produce/value')).sort()).toEqual(['1.bin', '2.bin', '3.msgpack', '4.msgpack', 'value.msgpack']);

    // A fresh checkout on another machine (same remote cache): produce is restored, check runs on the restored value.
    const b = workspace('types-b', files);
    const second = b.runSteps('types:check', ['--tag=b'], { env: server.nxEnv('read-write') });
    // --tag reaches produce's task too (every override does), so Nx misses it and the executor restores it by its step key.
    expect(lastSource(b, 'produce')).toBe('step-remote');
    expect(second.calls).toEqual({ check: 1 });
    expect(b.stored('types/.nx-steps/out/check')).toEqual({ tag: 'b', same: true, modelReadable: true, outDirIsUpstreams: true });
  });
});

const ARROW_PIPELINE = `${HEAD}import { Table, tableFromArrays } from 'apache-arrow';
export default pipeline({ name: 'arrow' });

export const make = step(() => {
  count('make');
  const n = 1_000_000;
  return tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i), x: Float64Array.from({ length: n }, (_, i) => i / 2), label: Array.from({ length: n }, (_, i) => 'l' + (i % 10)) });
});

export const enrich = step({ needs: { t: make } }, ({ t }) => {
  count('enrich');
  const x = t.getChild('x')!.toArray() as Float64Array;
  const labels = t.getChild('label')!;
  return { receivedTable: t instanceof Table, rows: t.numRows, firstLabel: labels.get(3), table: tableFromArrays({ id: t.getChild('id')!.toArray() as Int32Array, y: x.map((v) => v * 2) }) };
});

export const summarize = step({ needs: { e: enrich } }, ({ e }) => {
  count('summarize');
  const y = e.table.getChild('y')!.toArray() as Float64Array;
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i]!;
  return { upstreamSawTable: e.receivedTable, isTable: e.table instanceof Table, rows: e.table.numRows, firstLabel: e.firstLabel, sum };
});
`;

describe('apache-arrow tables', () => {
  it('a table of 1M rows flows between three steps as Arrow IPC files, and Tables arrive', () => {
    const ws = workspace('arrow', { 'arrow/arrow.pipeline.ts': ARROW_PIPELINE });
    const r = ws.runSteps('arrow:summarize');
    expect(r.calls).toEqual({ make: 1, enrich: 1, summarize: 1 });
    expect(ws.stored('arrow/.nx-steps/out/summarize')).toEqual({
      upstreamSawTable: true,
      isTable: true,
      rows: 1_000_000,
      firstLabel: 'l3',
      sum: 499_999_500_000,
    });
    expect(fs.readdirSync(ws.path('arrow/.nx-steps/out/make/value')).sort()).toEqual(['1.arrow', 'value.msgpack']);
    expect(fs.readFileSync(ws.path('arrow/.nx-steps/out/make/value/1.arrow')).subarray(0, 6).toString()).toBe('ARROW1');

    const shown = ws.cli(['show', 'arrow:make', '--rows', '2']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('Arrow Table: 1,000,000 rows × 3 columns (id: Int32, x: Float64, label: Dictionary<Int32, Utf8>)');
    expect(shown.stdout).toContain('… 999,998 more rows');

    expect(ws.runSteps('arrow:summarize').calls).toEqual({});
  });
});

describe('a result over 1 GiB', () => {
  it('is stored as raw bytes and restored from the Nx cache', () => {
    const pipelineFile = `${HEAD}export default pipeline({ name: 'big' });
export const huge = step(() => {
  count('huge');
  const a = new Uint8Array(1.05 * 2 ** 30);
  for (let i = 0; i < a.length; i += 4096) a[i] = (i / 4096) % 251;
  a[a.length - 1] = 7;
  return { a, n: a.length };
});
export const read_huge = step({ needs: { h: huge }, params: { tag: 'a' } }, ({ h, tag }) => {
  count('read_huge');
  let ok = h.a instanceof Uint8Array && h.a.length === h.n && h.a[h.a.length - 1] === 7;
  for (let i = 0; i < h.a.length && ok; i += 4096) ok = h.a[i] === (i / 4096) % 251;
  return { ok, n: h.a.length, tag };
});
`;
    const ws = workspace('big', { 'big/big.pipeline.ts': pipelineFile });
    const n = Math.floor(1.05 * 2 ** 30);
    expect(ws.runSteps('big:read_huge').calls).toEqual({ huge: 1, read_huge: 1 });
    expect(ws.stored('big/.nx-steps/out/read_huge')).toEqual({ ok: true, n, tag: 'a' });
    expect(fs.statSync(ws.path('big/.nx-steps/out/huge/value/1.bin')).size).toBe(n);

    fs.rmSync(ws.path('big/.nx-steps'), { recursive: true });
    const restored = ws.runSteps('big:read_huge', ['--tag=b']);
    expect(lastSource(ws, 'huge')).toBe('step-local');
    expect(restored.calls).toEqual({ read_huge: 1 });
    expect(ws.stored('big/.nx-steps/out/read_huge')).toEqual({ ok: true, n, tag: 'b' });
  });
});

const MODEL = `import { registerType } from 'nx-steps';
export class Model {
  constructor(readonly w: Float64Array) {}
  predict(x: number): number { return this.w[0]! * x + this.w[1]!; }
  toJSON() { return { w: this.w }; }
  static fromJSON(d: { w: Float64Array }): Model { return new Model(d.w); }
}
registerType('ml.Model', Model);
declare module 'nx-steps' { interface StorableTypes { model: Model } }
`;

const ML_PIPELINE = `${HEAD}import { Model } from './model';
export default pipeline({ name: 'ml' });
export const train = step(() => { count('train'); return { model: new Model(new Float64Array([2, 1])), at: new Date(0) }; });
export const evaluate = step({ needs: { t: train } }, ({ t }) => { count('evaluate'); return { isModel: t.model instanceof Model, y: t.model.predict(3), scores: new Map([['a', 1]]) }; });
`;

describe('classes the user owns', () => {
  it('a registered class round-trips between steps; tsc accepts it once declared', () => {
    const ws = workspace('registered', { 'ml/ml.pipeline.ts': ML_PIPELINE, 'ml/model.ts': MODEL });
    expect(ws.runSteps('ml:evaluate').calls).toEqual({ train: 1, evaluate: 1 });
    expect(ws.stored('ml/.nx-steps/out/evaluate')).toEqual({ isModel: true, y: 7, scores: new Map([['a', 1]]) });
    expect(ws.cli(['show', 'ml:train']).stdout).toContain('model: ml.Model (registered type; its stored data:)');
  });
});

describe('results in a plain Node script', () => {
  it('loadResult and runPipeline values', () => {
    const ws = workspace('script', {
      'ml/ml.pipeline.ts': ML_PIPELINE,
      'ml/model.ts': MODEL,
      'script.js': [
        "const { loadResult, runPipeline, ResultError } = require('nx-steps/results');",
        '(async () => {',
        "  const run = await runPipeline('ml', { quiet: true });",
        '  const fromRun = run.values.evaluate;',
        "  const loaded = await loadResult('ml:evaluate');",
        "  let missing = '';",
        "  try { await loadResult('ml:train'); } catch (e) { missing = e instanceof ResultError ? e.code : String(e); }",
        '  console.log(JSON.stringify({ ok: run.ok, steps: Object.keys(run.values).sort(), fromRun: { ...fromRun, scores: [...fromRun.scores] }, loaded: { ...loaded, scores: [...loaded.scores] }, missing }));',
        '})();',
        '',
      ].join('\n'),
    });
    const r = spawnSync(process.execPath, ['script.js'], { cwd: ws.root, env: ws.env(), encoding: 'utf8', timeout: 180_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as unknown;
    const value = { isModel: true, y: 7, scores: [['a', 1]] };
    // ml:train holds an ml.Model; this script registered no serializer for it: NXS213, not a wrong value.
    expect(out).toEqual({ ok: true, steps: ['evaluate', 'train'], fromRun: value, loaded: value, missing: 'NXS213' });
  });
});

describe('a failed store never deletes the last good outputs', () => {
  it('an unstorable result fails with NXS205 naming the path, and the previous outputs stay', () => {
    const ws = workspace('fragile', {
      'f/f.pipeline.ts': `${HEAD}export default pipeline({ name: 'f' });
export const fragile = step({ params: { broken: false } }, ({ broken }, ctx) => {
  count('fragile');
  fs.writeFileSync(path.join(ctx.outDir, 'a.txt'), broken ? 'new' : 'good');
  return broken ? { rows: [1, { fit: (x: number) => x }] } : { ok: 1 };
});
`,
    });
    ws.runSteps('f:fragile');
    const failed = ws.nx(['run', 'f:fragile', '--broken=true']);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('NXS205');
    expect(failed.output).toContain('result.rows[1].fit is a function');
    expect(failed.output).toContain('the outputs of the last successful run are kept');
    expect(ws.read('f/.nx-steps/out/fragile/files/a.txt')).toBe('good');
    expect(ws.stored('f/.nx-steps/out/fragile')).toEqual({ ok: 1 });
  });
});

describe('issue 14, category 7: the exec bit and empty folders of ctx.outDir are part of the result', () => {
  const UP = `${HEAD}export default pipeline({ name: 'up' });
export const make = step({ args: { cfg: file('cfg.json') } }, ({ cfg }, ctx) => {
  count('make');
  const c = JSON.parse(fs.readFileSync(cfg, 'utf8')) as { exec: boolean; logs: boolean };
  fs.writeFileSync(path.join(ctx.outDir, 'tool.sh'), '#!/bin/sh\\necho hi\\n');
  fs.chmodSync(path.join(ctx.outDir, 'tool.sh'), c.exec ? 0o755 : 0o644);
  if (c.logs) fs.mkdirSync(path.join(ctx.outDir, 'logs'));
  return { dir: ctx.outDir };
});
export const inspect = step({ needs: { m: make }, params: { tag: 'a' } }, ({ m }) => {
  count('inspect');
  return { exec: (fs.statSync(path.join(m.dir, 'tool.sh')).mode & 0o100) !== 0, entries: fs.readdirSync(m.dir).sort() };
});
`;

  /** inspect's result after a recompute from scratch: outputs removed, Nx's cache skipped. */
  function forced(ws: Workspace): unknown {
    fs.rmSync(ws.path('up/.nx-steps'), { recursive: true, force: true });
    ws.runSteps('up:inspect', ['--skip-nx-cache']);
    return ws.stored('up/.nx-steps/out/inspect');
  }

  it.each<[string, string]>([
    ['the exec bit', '{ "exec": true, "logs": false, "v": 1 }'],
    ['an empty folder', '{ "exec": false, "logs": true, "v": 1 }'],
  ])('changing %s of an upstream output re-runs the downstream step, as a forced recompute shows', (_what, cfg) => {
    const ws = workspace('outdir-modes', { 'up/up.pipeline.ts': UP, 'up/cfg.json': '{ "exec": false, "logs": false, "v": 1 }' });
    expect(ws.runSteps('up:inspect').calls).toEqual({ make: 1, inspect: 1 });
    ws.write('up/cfg.json', cfg);
    const after = ws.runSteps('up:inspect');
    expect(after.calls).toEqual({ make: 1, inspect: 1 }); // before the fix: { make: 1 }, inspect a stale hit
    const served = ws.stored('up/.nx-steps/out/inspect');
    expect(served).toEqual(forced(ws));

    // Restored from Nx's cache (which may drop modes and empty folders), a downstream step that runs sees them.
    // (--tag reaches make's task too, as every override does, so Nx misses make and the executor restores it
    // from Nx's cache by its step key: make is not called.)
    fs.rmSync(ws.path('up/.nx-steps'), { recursive: true });
    const restored = ws.runSteps('up:inspect', ['--tag=restored']);
    expect(restored.calls).toEqual({ inspect: 1 });
    expect(ws.stored('up/.nx-steps/out/inspect')).toEqual(served);
  });
});

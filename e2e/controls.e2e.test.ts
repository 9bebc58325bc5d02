/**
 * Issue 5: every caching control, each proved by counting step calls in a
 * fresh workspace.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stepKey } from '../plugin/core/fingerprint/env-name';
import { ttlWindow } from '../plugin/core/fingerprint/ttl';
import type { Workspace } from './rig';
import { workspacesPerTest } from './rig';
import { ETL_FILES } from './fixtures/etl';

const open = workspacesPerTest();
const workspace = (name: string, files: Record<string, string>): Workspace => open.create(name, files);

const header = "import { pipeline, step } from 'nx-steps';\nimport { count } from '../tools/count';\n";

describe('pipeline-wide switch', () => {
  it('pipeline({ cache: false }) runs every step every time', () => {
    const ws = workspace('pipeline-off', {
      'dev/dev.pipeline.ts': `${header}export default pipeline({ name: 'dev', cache: false });
export const first = step({ cache: 'input_hash' }, () => { count('first'); return 1; });
export const second = step({ needs: { first } }, ({ first }) => { count('second'); return first + 1; });
`,
    });
    expect(ws.runSteps('dev:second').calls).toEqual({ first: 1, second: 1 });
    expect(ws.runSteps('dev:second').calls).toEqual({ first: 1, second: 1 });
    const project = JSON.parse(ws.nxOk(['show', 'project', 'dev', '--json']).stdout) as { targets: Record<string, { cache: boolean }> };
    expect(project.targets['first']?.cache).toBe(false);
  });
});

describe('custom keys', () => {
  const KEYED = `${header}export default pipeline({ name: 'ml' });
export const train = step({ params: { lr: 0.1 }, cache: { strategy: 'input_hash', key: ({ params, env }) => ({ tag: env.MODEL_TAG ?? 'none', lr: params.lr }) } }, ({ lr }) => {
  count('train');
  return { lr, tag: process.env.MODEL_TAG ?? 'none' };
});
export const broken = step({ cache: { key: () => { throw new Error('registry unreachable'); } } }, () => {
  count('broken');
  return 1;
});
`;

  it("the key's value joins the key: it reads the environment, and is evaluated before hashing", () => {
    const ws = workspace('custom-key', { 'ml/ml.pipeline.ts': KEYED });
    expect(ws.runSteps('ml:train', [], { env: { MODEL_TAG: 'v1' } }).calls).toEqual({ train: 1 });
    const hit = ws.runSteps('ml:train', [], { env: { MODEL_TAG: 'v1' } });
    expect(hit.calls).toEqual({});
    expect(hit.statuses['ml:train']).toBe('local');
    expect(ws.runSteps('ml:train', [], { env: { MODEL_TAG: 'v2' } }).calls).toEqual({ train: 1 });
    expect(ws.runSteps('ml:train', [], { env: { MODEL_TAG: 'v1' } }).calls).toEqual({});
    const fp = JSON.parse(ws.cli(['fingerprint', 'ml:train', '--json'], { env: { MODEL_TAG: 'v1' } }).stdout) as {
      stored: { matches: boolean };
      record: { key?: string };
    };
    expect(fp.record.key).toMatch(/^[0-9a-f]{32}$/);
    expect(fp.stored.matches).toBe(true);
  });

  it('a key function that throws is a clear error naming the step, and nothing is cached', () => {
    const ws = workspace('key-throws', { 'ml/ml.pipeline.ts': KEYED });
    for (let i = 0; i < 2; i++) {
      const r = ws.nx(['run', 'ml:broken']);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain('error NXS210: The custom cache key of ml:broken threw:');
      expect(r.output).toContain('Error: registry unreachable');
      expect(r.output).toMatch(/ml\/ml\.pipeline\.ts:\d+:\d+/);
    }
    expect(ws.calls()).toEqual({});
  });
});

describe('version salt', () => {
  it("changing version invalidates that step's results only", () => {
    const ws = workspace('version', ETL_FILES);
    ws.runSteps('etl:report');
    ws.edit('etl/etl.pipeline.ts', 'params: { scale: 1 } }', "params: { scale: 1 }, version: '2' }");
    const r = ws.runSteps('etl:report');
    expect(r.calls).toEqual({ summary: 1 });
    expect(r.statuses['etl:report']).toBe('local'); // same result: early cutoff
  });
});

describe('time to live', () => {
  it('an entry is reused within its window and recomputed after it', () => {
    const ws = workspace('ttl', {
      'feed/feed.pipeline.ts': `${header}export default pipeline({ name: 'feed' });
export const fetch_rates = step({ cache: { strategy: 'input_hash', ttl: '1h' } }, () => { count('fetch_rates'); return { eur: 1.1 }; });
export const convert = step({ needs: { rates: fetch_rates } }, ({ rates }) => { count('convert'); return 100 * rates.eur; });
`,
    });
    const hour = 3_600_000;
    const w = ttlWindow(stepKey('feed', 'fetch_rates'), hour, Date.UTC(2026, 10, 22, 12));
    const at = (ms: number) => ({ env: { NX_STEPS_NOW: String(ms) } });
    expect(ws.runSteps('feed:convert', [], at(w.startsAt + 1_000)).calls).toEqual({ fetch_rates: 1, convert: 1 });
    expect(ws.runSteps('feed:convert', [], at(w.startsAt + hour - 1_000)).calls).toEqual({});
    const expired = ws.runSteps('feed:convert', [], at(w.endsAt + 1_000));
    expect(expired.calls).toEqual({ fetch_rates: 1 }); // same rates: convert stays cached
    expect(ws.runSteps('feed:convert', [], at(w.endsAt + 2_000)).calls).toEqual({});
  });
});

describe('bypass and clear', () => {
  const CLOCK = `${header}import { readFileSync, writeFileSync, existsSync } from 'node:fs';
export default pipeline({ name: 'clock' });
/** Returns a new number each time it really runs. */
export const tick = step(() => {
  count('tick');
  const n = existsSync('tick.txt') ? Number(readFileSync('tick.txt', 'utf8')) + 1 : 1;
  writeFileSync('tick.txt', String(n));
  return n;
});
export const base = step(() => { count('base'); return 'base'; });
export const both = step({ needs: { tick, base } }, ({ tick, base }) => { count('both'); return \`\${base}-\${tick}\`; });
`;
  const value = (ws: Workspace, step: string) => ws.stored(`clock/.nx-steps/out/${step}`) as unknown;

  it('NX_STEPS_FRESH recomputes one step for one run, keeps its upstream cached, and makes the new result the cached one', () => {
    const ws = workspace('bypass', { 'clock/clock.pipeline.ts': CLOCK });
    ws.runSteps('clock:both');
    expect(value(ws, 'both')).toBe('base-1');

    const fresh = ws.runSteps('clock:both', [], { env: { NX_STEPS_FRESH: 'clock:tick' } });
    expect(fresh.calls).toEqual({ tick: 1, both: 1 });
    expect(fresh.statuses['clock:base']).toBe('local');
    expect(value(ws, 'both')).toBe('base-2');

    const after = ws.runSteps('clock:both');
    expect(after.calls).toEqual({});
    expect(value(ws, 'tick')).toBe(2);
    expect(value(ws, 'both')).toBe('base-2');
  });

  it('nx-steps clear recomputes exactly what was cleared: one step, a project, everything', () => {
    const ws = workspace('clear', { 'clock/clock.pipeline.ts': CLOCK, ...ETL_FILES });
    ws.runSteps('clock:both');
    ws.runSteps('etl:report');

    const one = ws.cli(['clear', 'clock:base']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('Cleared 1 step(s): clock:base.');
    expect(ws.exists('clock/.nx-steps/out/base')).toBe(false);
    const r1 = ws.runSteps('clock:both');
    expect(r1.calls).toEqual({ base: 1 }); // same result: both stays cached
    expect(ws.runSteps('clock:both').calls).toEqual({});

    ws.cli(['clear', 'clock']);
    expect(ws.runSteps('clock:both').calls).toEqual({ tick: 1, base: 1, both: 1 });
    expect(ws.runSteps('etl:report').calls).toEqual({});

    ws.cli(['clear']);
    expect(ws.runSteps('etl:report').calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1 });

    const unknown = ws.cli(['clear', 'etl:nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('nx-steps: project etl has no step "nope". Steps: clean_data, load_data, report, summary, upload.');
  });
});

describe('a clear lasts', () => {
  const RANDOM = `${header}import { readFileSync } from 'node:fs';
import { file } from 'nx-steps';
export default pipeline({ name: 'rnd' });
// Not deterministic on purpose: each computation is told apart by its value.
export const draw = step({ args: { seed: file('seed.txt') } }, ({ seed }) => {
  count('draw');
  return \`\${readFileSync(seed, 'utf8').trim()}:\${Math.random()}\`;
});
`;

  it('after nx-steps clear, an input changed and changed back, or .nx-steps deleted, never brings the cleared result back', () => {
    const ws = workspace('clear-lasts', { 'rnd/rnd.pipeline.ts': RANDOM, 'rnd/seed.txt': 'a\n' });
    const draw = () => {
      ws.runSteps('rnd:draw');
      return ws.stored('rnd/.nx-steps/out/draw') as string;
    };
    const cleared = draw();
    expect(ws.cli(['clear', 'rnd:draw']).code).toBe(0);
    const recomputed = draw();
    expect(recomputed).not.toBe(cleared);
    expect(draw()).toBe(recomputed);

    ws.write('rnd/seed.txt', 'b\n');
    expect(draw()).toMatch(/^b:/);
    ws.write('rnd/seed.txt', 'a\n');
    expect(draw()).toBe(recomputed);

    // What git clean does to nx-steps' own folders: the clear is kept beside Nx's cache index.
    fs.rmSync(ws.path('.nx-steps'), { recursive: true, force: true });
    fs.rmSync(ws.path('rnd/.nx-steps'), { recursive: true, force: true });
    expect(draw()).toBe(recomputed);

    // NX_STEPS_FRESH: the same, for a bypass.
    ws.runSteps('rnd:draw', [], { env: { NX_STEPS_FRESH: 'rnd:draw' } });
    const fresh = ws.stored('rnd/.nx-steps/out/draw') as string;
    expect(fresh).not.toBe(recomputed);
    ws.write('rnd/seed.txt', 'c\n');
    draw();
    ws.write('rnd/seed.txt', 'a\n');
    expect(draw()).toBe(fresh);
  });
});

describe('serialization', () => {
  const TYPES = `${header}import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
export default pipeline({ name: 'types' });
export const make = step((_input, ctx) => {
  count('make');
  writeFileSync(join(ctx.outDir, 'model.bin'), Buffer.from([1, 2, 3]));
  return {
    map: new Map<unknown, unknown>([['a', 1], [2, new Set([3])]]),
    set: new Set(['x']),
    date: new Date('2026-01-02T03:04:05.006Z'),
    big: 2n ** 70n,
    f64: new Float64Array([1.5, -0]),
    buf: Buffer.from('hi'),
    undef: undefined,
    nan: NaN,
    negZero: -0,
    model: join(ctx.outDir, 'model.bin'),
  };
});
export const check = step({ needs: { made: make } }, ({ made }) => {
  count('check');
  return {
    map: made.map instanceof Map && made.map.get(2) instanceof Set,
    set: made.set instanceof Set && made.set.has('x'),
    date: made.date instanceof Date && made.date.getTime() === Date.UTC(2026, 0, 2, 3, 4, 5, 6),
    big: made.big === 2n ** 70n,
    f64: made.f64 instanceof Float64Array && Object.is(made.f64[1], -0),
    buf: Buffer.isBuffer(made.buf) && made.buf.toString() === 'hi',
    undef: 'undef' in made && made.undef === undefined,
    nan: Number.isNaN(made.nan),
    negZero: Object.is(made.negZero, -0),
    model: [...readFileSync(made.model)].join(','),
  };
});
export const bad = step(() => {
  count('bad');
  return { ok: 1, nested: [{ fit: () => 1 }] };
});
`;

  it('rich values round-trip exactly, and files in ctx.outDir are cached and restored with the result', () => {
    const ws = workspace('types', { 'types/types.pipeline.ts': TYPES });
    ws.runSteps('types:check');
    const expected = { map: true, set: true, date: true, big: true, f64: true, buf: true, undef: true, nan: true, negZero: true, model: '1,2,3' };
    expect(ws.stored('types/.nx-steps/out/check')).toEqual(expected);

    fs.rmSync(ws.path('types/.nx-steps'), { recursive: true });
    const restored = ws.runSteps('types:check');
    expect(restored.calls).toEqual({});
    expect(restored.statuses['types:make']).toBe('local');
    expect([...fs.readFileSync(ws.path('types/.nx-steps/out/make/files/model.bin'))]).toEqual([1, 2, 3]);
  });

  it('a result that cannot be stored is a clear error naming the step and the path, and nothing is cached', () => {
    const ws = workspace('unstorable', { 'types/types.pipeline.ts': TYPES });
    for (let i = 0; i < 2; i++) {
      const r = ws.nx(['run', 'types:bad']);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain("error NXS205: The step's result cannot be cached: result.nested[0].fit is a function");
      expect(r.output).toContain('project types, step bad, argument result.nested[0].fit');
    }
    expect(ws.calls()).toEqual({ bad: 2 });
    expect(ws.exists('types/.nx-steps/out/bad')).toBe(false);
  });
});

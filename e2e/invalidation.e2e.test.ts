/**
 * Issue 3: a step re-runs only when its own code, data or configuration
 * changed. Each case counts real step calls in a fresh workspace.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { workspacesPerTest } from './rig';

const open = workspacesPerTest();
const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
const workspace = (name: string, files: Record<string, string>): Workspace => open.create(name, files);

const LAB = `import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';
import { forA, forB } from './helpers';

export default pipeline({ name: 'lab' });

const onlyA = (x: number) => x + 1;
const shared = (x: number) => x * 2;

export const step_a = step(() => {
  count('step_a');
  return onlyA(shared(forA(1)));
});

export const step_b = step(() => {
  count('step_b');
  // Loaded inside the step: a package imported at the top would be loaded (and count) for every step of the file.
  const isNumber = require('is-number') as (x: unknown) => boolean;
  return shared(forB(2)) + (isNumber(3) ? 1 : 0);
});

export const step_c = step({ params: { n: 3 } }, ({ n }) => {
  count('step_c');
  return n;
});
`;

const HELPERS = `export function forA(x: number): number {
  return x + 10;
}

export function forB(x: number): number {
  return x + 20;
}
`;

function lab(name: string): Workspace {
  const ws = workspace(name, { 'lab/lab.pipeline.ts': LAB, 'lab/helpers.ts': HELPERS });
  runAll(ws);
  return ws;
}

/** Runs every step of the lab project; returns how often each function ran. */
function runAll(ws: Workspace): Record<string, number> {
  ws.resetCalls();
  ws.nxOk(['run-many', '-p', 'lab', '-t', 'step_a', 'step_b', 'step_c']);
  return ws.calls();
}

describe('function-level code', () => {
  it('editing a step, or a helper only it uses, re-runs that step only; a shared helper re-runs both', () => {
    const ws = lab('function-level');
    expect(runAll(ws)).toEqual({});

    ws.edit('lab/lab.pipeline.ts', 'const onlyA = (x: number) => x + 1;', 'const onlyA = (x: number) => x + 2;');
    expect(runAll(ws)).toEqual({ step_a: 1 });

    ws.edit('lab/helpers.ts', 'return x + 10;', 'return x + 11;');
    expect(runAll(ws)).toEqual({ step_a: 1 });

    ws.edit('lab/lab.pipeline.ts', 'const shared = (x: number) => x * 2;', 'const shared = (x: number) => x * 3;');
    expect(runAll(ws)).toEqual({ step_a: 1, step_b: 1 });

    ws.edit('lab/lab.pipeline.ts', "count('step_b');", "count('step_b');\n  void 'edited';");
    expect(runAll(ws)).toEqual({ step_b: 1 });
  });

  it('upgrading a package re-runs only the steps that load it', () => {
    const ws = lab('package-upgrade');
    ws.replacePackage('is-number', (dir) => {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
      pkg.version = '99.0.0';
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
    });
    expect(runAll(ws)).toEqual({ step_b: 1 });
    const fp = JSON.parse(ws.cli(['fingerprint', 'lab:step_b', '--json']).stdout) as { record: { code: { packages: Record<string, string> } } };
    // nx-steps is loaded by the pipeline file itself (`import { step } from 'nx-steps'`).
    expect(fp.record.code.packages).toEqual({ 'is-number': '99.0.0', 'nx-steps': expect.any(String) });
  });

  it('comment, whitespace and formatting-only edits do not count; a token change does', () => {
    const ws = lab('layout');
    ws.edit(
      'lab/lab.pipeline.ts',
      "export const step_a = step(() => {\n  count('step_a');\n  return onlyA(shared(forA(1)));\n});",
      "// Step A, documented.\nexport const step_a = step(() => {\n  /* why: counting */ count('step_a');\n\n\n      return onlyA(\n        shared(forA(1)),\n      );\n});",
    );
    ws.edit(
      'lab/helpers.ts',
      'export function forA(x: number): number {\n  return x + 10;\n}',
      '/** Adds ten. */\nexport function forA(x: number): number { return x + 10; }',
    );
    expect(runAll(ws)).toEqual({});

    ws.edit('lab/lab.pipeline.ts', 'shared(forA(1)),', 'shared(forA(1)) + 0,');
    expect(runAll(ws)).toEqual({ step_a: 1 });
  });
});

describe('sibling churn never re-executes an unaffected step', () => {
  it('adding, removing or renaming a step, or changing another step, calls no other step function', () => {
    const ws = lab('siblings');

    ws.write('lab/lab.pipeline.ts', `${ws.read('lab/lab.pipeline.ts')}\nexport const step_d = step(() => {\n  count('step_d');\n  return 4;\n});\n`);
    ws.resetCalls();
    ws.nxOk(['run-many', '-p', 'lab', '-t', 'step_a', 'step_b', 'step_c', 'step_d']);
    expect(ws.calls()).toEqual({ step_d: 1 });

    // Another step's declaration: its siblings are plain Nx cache hits.
    ws.edit('lab/lab.pipeline.ts', 'params: { n: 3 }', 'params: { n: 4 }');
    const changed = ws.runSteps('lab:step_a');
    expect(changed.calls).toEqual({});
    expect(changed.statuses['lab:step_a']).toBe('local');
    expect(ws.runSteps('lab:step_c').calls).toEqual({ step_c: 1 });

    // Removing one step and renaming another.
    ws.edit('lab/lab.pipeline.ts', /\nexport const step_d = step\(\(\) => \{\n {2}count\('step_d'\);\n {2}return 4;\n\}\);\n/, '\n');
    ws.edit('lab/lab.pipeline.ts', 'export const step_c = step(', 'export const step_c2 = step(');
    ws.resetCalls();
    ws.nxOk(['run-many', '-p', 'lab', '-t', 'step_a', 'step_b', 'step_c2']);
    // The renamed step's code and inputs did not change: restored by its own key, like a and b are kept.
    expect(ws.calls()).toEqual({});
  });
});

describe('data outside the workspace', () => {
  it('file() and dir() with absolute paths are hashed by content', () => {
    const ext = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-external-'));
    scratch.push(ext);
    fs.writeFileSync(path.join(ext, 'table.csv'), 'a,b\n1,2\n');
    fs.mkdirSync(path.join(ext, 'images'));
    fs.writeFileSync(path.join(ext, 'images', 'one.txt'), 'one');
    const ws = workspace('external', {
      'ext/ext.pipeline.ts': `import { readFile, readdir } from 'node:fs/promises';
import { dir, file, pipeline, step } from 'nx-steps';
import { count } from '../tools/count';
export default pipeline({ name: 'ext' });
export const read_table = step({ args: { table: file(${JSON.stringify(path.join(ext, 'table.csv'))}) } }, async ({ table }) => {
  count('read_table');
  return (await readFile(table, 'utf8')).length;
});
export const list_images = step({ args: { images: dir(${JSON.stringify(path.join(ext, 'images'))}) } }, async ({ images }) => {
  count('list_images');
  return (await readdir(images)).sort();
});
`,
    });
    const runExt = () => {
      ws.resetCalls();
      ws.nxOk(['run-many', '-p', 'ext', '-t', 'read_table', 'list_images']);
      return ws.calls();
    };
    expect(runExt()).toEqual({ read_table: 1, list_images: 1 });
    expect(runExt()).toEqual({});

    const t = new Date(Date.now() + 10_000);
    fs.utimesSync(path.join(ext, 'table.csv'), t, t);
    expect(runExt()).toEqual({});

    fs.writeFileSync(path.join(ext, 'table.csv'), 'a,b\n1,3\n');
    expect(runExt()).toEqual({ read_table: 1 });

    fs.writeFileSync(path.join(ext, 'images', 'two.txt'), 'two');
    expect(runExt()).toEqual({ list_images: 1 });

    fs.renameSync(path.join(ext, 'images', 'two.txt'), path.join(ext, 'images', 'three.txt'));
    expect(runExt()).toEqual({ list_images: 1 });
  });
});

describe('the fingerprint is inspectable', () => {
  it('nx-steps fingerprint lists every part with its digest, and matches what the run stored', () => {
    const ws = workspace('inspect', {
      'etl/etl.pipeline.ts': `import { file, pipeline, step } from 'nx-steps';
import { readFile } from 'node:fs/promises';
export default pipeline({ name: 'etl' });
export const load = step({ args: { src: file('raw.csv'), limit: 5 } }, async ({ src, limit }) => (await readFile(src, 'utf8')).split('\\n').slice(0, limit));
export const clean = step({ needs: { rows: load }, params: { drop: 'x' }, version: '2' }, ({ rows, drop }) => rows.filter((r) => r !== drop));
`,
      'etl/raw.csv': 'a\nx\nb\n',
    });
    ws.nxOk(['run', 'etl:clean']);
    const json = JSON.parse(ws.cli(['fingerprint', 'etl:clean', '--json']).stdout) as {
      digest: string;
      stored: { digest: string; matches: boolean };
      record: {
        strategy: string;
        version: string;
        code: { digest: string; files: Record<string, string[]> };
        params: Record<string, { digest: string }>;
        needs: Record<string, { step: string; digest: string }>;
      };
      params: Record<string, unknown>;
    };
    expect(json.stored).toEqual({ digest: json.digest, matches: true });
    expect(json.record.strategy).toBe('code_hash');
    expect(json.record.version).toBe('2');
    expect(Object.keys(json.record.code.files)).toEqual(['etl/etl.pipeline.ts']);
    // The record (as step.json keeps it, so as every cache entry holds it) has the param's digest; its value is shown beside it.
    expect(Object.keys(json.record.params['drop'] ?? {})).toEqual(['digest']);
    expect(json.params).toEqual({ drop: 'x' });
    expect(json.record.needs['rows']).toMatchObject({ step: 'load', digest: ws.read('etl/.nx-steps/out/load/result.xxh128').trim() });
    const stepJson = JSON.parse(ws.read('etl/.nx-steps/out/clean/step.json')) as { fingerprint: { digest: string; record: unknown } };
    expect(stepJson.fingerprint.digest).toBe(json.digest);
    expect(stepJson.fingerprint.record).toEqual(json.record);

    const text = ws.cli(['fingerprint', 'etl:load']).stdout;
    expect(text).toMatch(/arg src +[0-9a-f]{12} {2}file etl\/raw\.csv/);
    expect(text).toMatch(/arg limit +[0-9a-f]{12} {2}value/);
    expect(text).toContain('(outputs match: the next run can reuse them)');
  });
});

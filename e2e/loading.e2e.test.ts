/**
 * Issue 17 (item 5) and issue 14 ("Also"): pipeline modules load as Node
 * would run them, in CommonJS and ES module workspaces.
 *
 * - vega and vega-lite (the real packages) ship ES modules with top-level
 *   await, which no CommonJS module can require: the loader makes the
 *   pipeline module, and the workspace modules it imports, ES modules.
 * - `await import('./helper')` inside a step of a CommonJS workspace finds
 *   the TypeScript helper.
 *
 * Each case proves the steps ran (counted calls, the chart on disk), that a
 * second run is a cache hit, and that editing a helper re-runs only the step
 * that uses it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { workspacesPerTest } from './rig';
import { REPO_ROOT } from './rig/template';

const CHARTS_PIPELINE = `import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, step } from 'nx-steps';
import { compile } from 'vega-lite';
import { count } from '../tools/count';
import { renderSvg } from './render';

export default pipeline({ name: 'charts' });

export const spec = step({ params: { mark: 'bar' } }, ({ mark }) => {
  count('spec');
  const lite = compile({
    data: { values: [{ city: 'Lyon', rain: 830 }, { city: 'Brest', rain: 1210 }] },
    mark,
    encoding: { x: { field: 'city', type: 'nominal' }, y: { field: 'rain', type: 'quantitative' } },
  });
  // The compiled spec holds class instances (signal references): keep its JSON form.
  return JSON.parse(JSON.stringify(lite.spec)) as Record<string, unknown>;
});

export const chart = step({ needs: { spec } }, async ({ spec }, ctx) => {
  count('chart');
  const svg = await renderSvg(spec);
  await writeFile(join(ctx.outDir, 'chart.svg'), svg);
  return { bytes: svg.length };
});
`;

/** A helper that imports vega itself: it must load as an ES module too. */
const RENDER = `import * as vega from 'vega';

export async function renderSvg(spec: unknown): Promise<string> {
  const view = new vega.View(vega.parse(spec as vega.Spec), { renderer: 'none' });
  return view.toSVG();
}
`;

const CHART_FILES = { 'charts/charts.pipeline.ts': CHARTS_PIPELINE, 'charts/render.ts': RENDER };

const open = workspacesPerTest();
const workspace = (name: string, files: Record<string, string>): Workspace => open.create(name, files);

/** Turns the workspace into an ES module package, as `"type": "module"` in its root package.json does. */
function makeEsm(ws: Workspace): void {
  const pkg = JSON.parse(ws.read('package.json')) as Record<string, unknown>;
  ws.write('package.json', `${JSON.stringify({ ...pkg, type: 'module' }, null, 2)}\n`);
}

function chartsRunAndCache(ws: Workspace): void {
  const first = ws.runSteps('charts:chart');
  expect(first.calls).toEqual({ spec: 1, chart: 1 });
  const svg = ws.read('charts/.nx-steps/out/chart/files/chart.svg');
  expect(svg.startsWith('<svg')).toBe(true);
  // One bar per city, drawn by vega from vega-lite's spec.
  expect(svg.match(/<path aria-label="[^"]*"/g)).toEqual(['<path aria-label="city: Lyon; rain: 830"', '<path aria-label="city: Brest; rain: 1210"']);
  expect(ws.stored('charts/.nx-steps/out/chart')).toEqual({ bytes: svg.length });

  const second = ws.runSteps('charts:chart');
  expect(second.calls).toEqual({});
  expect(second.statuses).toEqual({ 'charts:spec': 'local', 'charts:chart': 'local' });

  // The helper (loaded as an ES module) is part of chart's code, not spec's.
  ws.edit('charts/render.ts', "{ renderer: 'none' }", "{ renderer: 'none', logLevel: vega.Warn }");
  expect(ws.runSteps('charts:chart').calls).toEqual({ chart: 1 });
}

describe('pipeline modules that import ES modules with top-level await (vega, vega-lite)', () => {
  it('run in a CommonJS workspace', () => {
    chartsRunAndCache(workspace('vega-cjs', CHART_FILES));
  });

  it('run in an ES module workspace', () => {
    const ws = workspace('vega-esm', CHART_FILES);
    makeEsm(ws);
    chartsRunAndCache(ws);
  });
});

describe("the README's ES-module library example, in a CommonJS workspace", () => {
  const example = path.join(REPO_ROOT, 'examples/snippets/esm-library');
  const files = {
    'charts/charts.pipeline.ts': fs.readFileSync(path.join(example, 'charts.pipeline.ts'), 'utf8'),
    'charts/data/rain.csv': fs.readFileSync(path.join(example, 'data/rain.csv'), 'utf8'),
    // Code written for CommonJS, in a module that imports vega (so it is loaded as an ES module too).
    'charts/where.ts':
      "import * as vega from 'vega';\nexport const where = (): string[] => [__dirname, __filename, require.resolve('vega'), typeof vega.View];\n",
  };

  it('type-checks as CommonJS (tsc --noEmit, module nodenext) and runs, __dirname, __filename and require included', () => {
    const ws = workspace('esm-library-cjs', files);
    expect(JSON.parse(ws.read('package.json')).type).toBeUndefined();
    ws.edit('charts/charts.pipeline.ts', "import { compile } from 'vega-lite';", "import { compile } from 'vega-lite';\nimport { where } from './where';");
    ws.edit('charts/charts.pipeline.ts', 'return { bytes: svg.length };', 'return { bytes: svg.length, where: where() };');
    const tsc = ws.sh('npx tsc --noEmit -p tsconfig.base.json');
    expect(tsc.output.trim()).toBe('');
    expect(tsc.code).toBe(0);
    // import.meta, the README's old advice, does not type-check there.
    ws.write('charts/meta.ts', 'export const here = import.meta.dirname;\n');
    expect(ws.sh('npx tsc --noEmit -p tsconfig.base.json').output).toContain('error TS1470');
    ws.deleteFile('charts/meta.ts');

    expect(ws.runSteps('charts:chart').statuses).toEqual({ 'charts:spec': 'run', 'charts:chart': 'run' });
    expect(ws.read('charts/.nx-steps/out/chart/files/chart.svg').match(/<path aria-label="[^"]*"/g)).toEqual([
      '<path aria-label="city: Lyon; rain: 830"',
      '<path aria-label="city: Brest; rain: 1210"',
    ]);
    const result = ws.stored('charts/.nx-steps/out/chart') as { where: string[] };
    expect(result.where).toEqual([ws.path('charts'), ws.path('charts/where.ts'), expect.stringContaining('/node_modules/vega/'), 'function']);
    expect(ws.runSteps('charts:chart').statuses).toEqual({ 'charts:spec': 'local', 'charts:chart': 'local' });
  });
});

describe('a dynamic import() inside a step', () => {
  const files = {
    'lazy/lazy.pipeline.ts': `import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'lazy' });

export const doubled = step(async () => {
  count('doubled');
  const { double } = await import('./double');
  return double(21);
});
`,
    'lazy/double.ts': 'export const double = (x: number): number => x * 2;\n',
  };

  for (const esm of [false, true]) {
    it(`finds a TypeScript helper in ${esm ? 'an ES module' : 'a CommonJS'} workspace, and an edit of the helper re-runs the step`, () => {
      const ws = workspace(`dynamic-import-${esm ? 'esm' : 'cjs'}`, files);
      if (esm) makeEsm(ws);
      expect(ws.runSteps('lazy:doubled').calls).toEqual({ doubled: 1 });
      expect(ws.stored('lazy/.nx-steps/out/doubled')).toBe(42);
      expect(ws.runSteps('lazy:doubled').calls).toEqual({});

      ws.edit('lazy/double.ts', 'x * 2', 'x * 2 + 1');
      expect(ws.runSteps('lazy:doubled').calls).toEqual({ doubled: 1 });
      expect(ws.stored('lazy/.nx-steps/out/doubled')).toBe(43);
    });
  }
});

// In a CommonJS workspace (no "type": "module"): vega and vega-lite are ES modules with top-level await,
// which no CommonJS module can require. nx-steps loads this file as an ES module; TypeScript checks it as
// CommonJS, so write it as CommonJS code (__dirname, __filename and require work; import.meta does not
// type-check here). Type-checked and run by e2e/loading.e2e.test.ts in a CommonJS workspace.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { file, pipeline, step } from 'nx-steps';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { compile } from 'vega-lite';

export default pipeline({ name: 'charts' });

export const spec = step({ args: { csv: file('data/rain.csv') } }, async ({ csv }) => {
  const [, ...lines] = (await readFile(csv, 'utf8')).trim().split('\n');
  const values = lines.map((line) => ({ city: line.split(',')[0] ?? '', rain: Number(line.split(',')[1]) }));
  const lite: TopLevelSpec = { data: { values }, mark: 'bar', encoding: { x: { field: 'city', type: 'nominal' }, y: { field: 'rain', type: 'quantitative' } } };
  // The compiled spec holds class instances (signal references): keep its JSON form.
  return JSON.parse(JSON.stringify(compile(lite).spec)) as Record<string, unknown>;
});

export const chart = step({ needs: { spec } }, async ({ spec }, ctx) => {
  const view = new vega.View(vega.parse(spec as vega.Spec), { renderer: 'none' });
  const svg = await view.toSVG();
  await writeFile(join(ctx.outDir, 'chart.svg'), svg);
  return { bytes: svg.length };
});

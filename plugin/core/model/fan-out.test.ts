/**
 * Fan-out steps as the graph sees them: one runnable step per item with a
 * stable target name, a group, and the diagnostics users see when a fan-out
 * cannot be read.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../diagnostics';
import { listFiles } from '../discovery/list-files';
import { parsePipelineFile } from '../discovery/parse-pipeline';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import { analyzeWorkspace } from './analyze';
import { fanOutStepOf, itemTarget } from './fan-out';
import type { ProjectModel } from './project-model';

const head = "import { dir, pipeline, range, step } from 'nx-steps';\nexport default pipeline({ name: 'sims' });\n";
const FILE = 'sims/sims.pipeline.ts';

function project(source: string, root = '/ws'): ProjectModel {
  const model = analyzeWorkspace({ workspaceRoot: root, files: [parsePipelineFile(FILE, source)], existingProject: () => undefined, listFiles });
  const p = model.projects[0];
  if (!p) throw new Error('no project');
  return p;
}

function problems(source: string, root = '/ws'): string {
  return formatDiagnostics([...project(source, root).diagnostics], () => source);
}

describe('fan-out steps', () => {
  it('a range: one step per item, named <step>.<item>, receiving the item under its name; a group lists them in order', () => {
    const p = project(
      `${head}export const simulate = step({ each: { scenario: range(1, 4) }, params: { scale: 2 } }, ({ scenario, scale }) => scenario * scale);\n`,
    );
    expect(p.diagnostics).toEqual([]);
    expect(p.steps.map((s) => s.name)).toEqual(['simulate.1', 'simulate.2', 'simulate.3']);
    expect(p.steps[1]).toMatchObject({
      exportName: 'simulate',
      params: { scale: 2 },
      item: { fanOut: { step: 'simulate', input: 'scenario' }, key: '2', source: { kind: 'value', value: 2 } },
    });
    expect(p.fanOuts['simulate']).toMatchObject({
      name: 'simulate',
      input: 'scenario',
      items: [
        { key: '1', target: 'simulate.1' },
        { key: '2', target: 'simulate.2' },
        { key: '3', target: 'simulate.3' },
      ],
    });
  });

  it('a list of values, with keys that are not safe in a target name made stable and distinct', () => {
    const p = project(`${head}export const train = step({ each: { lr: [0.01, 0.05, 'a b', { depth: 2, lr: 1 }] } }, ({ lr }) => lr);\n`);
    const names = p.steps.map((s) => s.name);
    expect(names.slice(0, 2)).toEqual(['train.0.01', 'train.0.05']);
    expect(names[2]).toMatch(/^train\.a_b_[0-9a-f]{8}$/);
    expect(p.steps[3]?.item?.key).toBe('{"depth":2,"lr":1}');
    expect(names[3]).toMatch(/^train\.depth_2_lr_1_[0-9a-f]{8}$/);
    // The same key always gives the same target, and the step is found back from it.
    expect(itemTarget('train', 'a b')).toBe(names[2]);
    expect(fanOutStepOf(names[2] as string, 'a b')).toBe('train');
  });

  it('a folder: one item per selected file, keyed by its path inside the folder, listed when the graph is built', () => {
    const root = tempDir('nxs-fanout-');
    writeTree(root, { 'sims/data/b.json': '2', 'sims/data/a.json': '1', 'sims/data/sub/c.json': '3', 'sims/data/notes.txt': 'x' });
    const p = project(`${head}export const per_file = step({ each: { file: dir('data', { include: ['**/*.json'] }) } }, ({ file }) => file);\n`, root);
    expect(p.diagnostics).toEqual([]);
    expect(p.fanOuts['per_file']?.items.map((i) => i.key)).toEqual(['a.json', 'b.json', 'sub/c.json']);
    expect(p.steps.find((s) => s.item?.key === 'sub/c.json')?.item?.source).toEqual({
      kind: 'file',
      location: { scope: 'workspace', path: 'sims/data/sub/c.json' },
    });
  });

  it("a step that needs a fan-out step keeps the need by the fan-out's name; a cycle through a fan-out is found", () => {
    const p = project(
      `${head}export const simulate = step({ each: { n: [1, 2] } }, ({ n }) => n);\nexport const summary = step({ needs: { sims: simulate } }, ({ sims }) => Object.keys(sims).length);\n`,
    );
    expect(p.steps.find((s) => s.name === 'summary')?.needs).toEqual({ sims: 'simulate' });
    const cyclic = project(
      `${head}export const aa = step({ each: { n: [1, 2] }, needs: { bb } }, ({ n }) => n);\nexport const bb = step({ needs: { all: aa } }, ({ all }) => all);\n`,
    );
    // Once for aa (all its items) and once for bb, in declared names.
    expect(cyclic.diagnostics.map((d) => `${d.code} ${d.location?.line} ${d.message}`)).toEqual([
      'NXS105 3 Steps need each other in a cycle: aa → bb → aa.',
      'NXS105 4 Steps need each other in a cycle: aa → bb → aa.',
    ]);
  });

  it('problems, located', () => {
    expect(problems(`${head}export const s1 = step({ each: { a: [1], b: [2] } }, () => 1);\n`)).toContain(
      'error NXS115: `each` names exactly one item input; found 2.',
    );
    expect(problems(`${head}export const s2 = step({ each: { n: [1, '1'] } }, ({ n }) => n);\n`)).toMatchInlineSnapshot(`
      "sims/sims.pipeline.ts:3:37 - error NXS115: items 1 and 2 of \`each.n\` have the same key "1": they would be one target.

        3 | export const s2 = step({ each: { n: [1, '1'] } }, ({ n }) => n);
          |                                     ^^^^^^^^

        Remove the duplicate (1 and "1", or 0 and -0, are the same item)."
    `);
    expect(problems(`${head}export const s3 = step({ each: { n: range(0, 1e9) } }, ({ n }) => n);\n`)).toContain(
      'error NXS115: range(0, 1000000000) has 1000000000 items; a fan-out has at most 10000 (one Nx target each).',
    );
    expect(problems(`${head}export const s4 = step({ each: { n: range(0, 0.5) } }, ({ n }) => n);\n`)).toContain(
      'error NXS115: The end of range(...) must be an integer; found 0.5.',
    );
    expect(problems(`${head}const N = Number(process.env.N);\nexport const s5 = step({ each: { n: range(0, N) } }, ({ n }) => n);\n`)).toContain(
      'error NXS101: The end of range(...) must be a literal value',
    );
    expect(problems(`${head}export const s6 = step({ each: { f: dir('missing') } }, ({ f }) => f);\n`, tempDir('nxs-fanout-'))).toContain(
      'error NXS117: The folder of `each.f` cannot be listed: it does not exist (sims/missing).',
    );
    expect(problems(`${head}export const s7 = step({ each: { x: [] } }, ({ x }) => x);\n`)).toContain('warning NXS115: `each.x` has no items');
    expect(problems(`${head}export const s8 = step({ each: { n: [1] }, params: { n: 2 } }, ({ n }) => n);\n`)).toContain(
      'error NXS110: `n` is declared both in params and in each',
    );
  });

  it('a broken fan-out stays one target of its name that fails with the reason', () => {
    const p = project(`${head}export const sweep = step({ each: { n: range(0, 0.5) } }, ({ n }) => n);\n`);
    expect(p.steps.map((s) => s.name)).toEqual(['sweep']);
    expect(p.steps[0]?.errors.map((e) => e.code)).toEqual(['NXS115']);
    expect(p.fanOuts).toEqual({});
  });
});

describe('shared pipeline params', () => {
  it('a step declares a shared param by name; its default comes from the pipeline', () => {
    const src =
      "import { pipeline, step } from 'nx-steps';\nconst ml = pipeline({ name: 'ml', params: { lr: 0.1, seed: 7 } });\nexport default ml;\nexport const train = step({ params: { lr: ml.params.lr, epochs: 3 } }, ({ lr }) => lr);\n";
    const p = project(src);
    expect(p.diagnostics).toEqual([]);
    expect(p.params).toEqual({ lr: 0.1, seed: 7 });
    expect(p.steps[0]?.params).toEqual({ lr: 0.1, epochs: 3 });
  });

  it('a shared param under another name, or one the pipeline does not declare, is a located error', () => {
    const src =
      "import { pipeline, step } from 'nx-steps';\nconst ml = pipeline({ params: { lr: 0.1 } });\nexport default ml;\nexport const train = step({ params: { rate: ml.params.lr } }, () => 1);\nexport const test = step({ params: { seed: ml.params.seed } }, () => 1);\n";
    const text = problems(src);
    expect(text).toContain(
      "sims/sims.pipeline.ts:4:45 - error NXS102: Param `rate` takes the pipeline's param `lr`: a shared param keeps its name, so that --lr reaches every step that uses it.",
    );
    expect(text).toContain('error NXS101: `params.seed` must be a literal value: pipeline `ml` declares no param `seed`');
  });
});

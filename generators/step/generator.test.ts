import { describe, expect, it } from 'vitest';
import { pipelineGenerator } from '../pipeline/generator';
import { readPipelines } from '../shared/workspace';
import { emptyWorkspace, expectFailure } from '../test-utils/tree';
import { typeErrors } from '../test-utils/typecheck';
import { stepGenerator } from './generator';
import type { StepGeneratorSchema } from './schema';

const ETL = `import { file, pipeline, step } from 'nx-steps';

export default pipeline({ name: 'etl' });

export const load_data = step({ args: { path: file('data/raw.csv') } }, ({ path }) => parse(path));

export const clean_data = step({ needs: { raw: load_data } }, ({ raw }) => raw.filter(Boolean));

function parse(path: string): string[] {
  return [path];
}
`;

function etlWorkspace(files: Record<string, string> = {}): ReturnType<typeof emptyWorkspace> {
  const tree = emptyWorkspace({ 'etl/etl.pipeline.ts': ETL, ...files });
  tree.write('nx.json', JSON.stringify({ plugins: ['nx-steps/plugin'] }));
  return tree;
}

/** The project's steps as the static reader sees them: name → needs, with no errors anywhere. */
async function stepsOf(tree: ReturnType<typeof emptyWorkspace>, project = 'etl'): Promise<Record<string, Record<string, string>>> {
  const p = (await readPipelines(tree)).model.projects.find((x) => x.displayName === project);
  expect(p?.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return Object.fromEntries((p?.steps ?? []).map((s) => [s.name, s.needs]));
}

describe('nx-steps:step', () => {
  it('adds a typed step after the existing steps, broken over lines as formatters do when it is long', async () => {
    const tree = etlWorkspace();
    await stepGenerator(tree, { name: 'report', pipeline: 'etl', needs: 'clean_data,load_data', cache: 'input_hash' });
    expect(tree.read('etl/etl.pipeline.ts', 'utf-8')).toBe(
      ETL.replace(
        '\n\nfunction parse',
        `

export const report = step(
  { needs: { clean_data, load_data }, cache: 'input_hash' },
  ({ clean_data, load_data }, ctx) => {
    // clean_data, load_data: the results of the steps this one needs, typed by them.
    ctx.log.info('report: replace this body with the real work');
    return { clean_data, load_data };
  },
);

function parse`,
      ),
    );
    expect(await stepsOf(tree)).toEqual({
      load_data: {},
      clean_data: { raw: 'load_data' },
      report: { clean_data: 'clean_data', load_data: 'load_data' },
    });
  });

  it('writes the cache setting only when given; false means always run', async () => {
    const tree = etlWorkspace();
    await stepGenerator(tree, { name: 'plain', pipeline: 'etl' });
    await stepGenerator(tree, { name: 'always', pipeline: 'etl', cache: 'false' });
    await stepGenerator(tree, { name: 'by_code', pipeline: 'etl', cache: 'code_hash', needs: ['plain'] });
    const text = tree.read('etl/etl.pipeline.ts', 'utf-8') ?? '';
    expect(text).toContain('export const plain = step((_input, ctx) => {');
    expect(text).toContain('export const always = step({ cache: false }, (_input, ctx) => {');
    expect(text).toContain("export const by_code = step({ needs: { plain }, cache: 'code_hash' }, ({ plain }, ctx) => {");
    // In the order they were added, before the helper.
    expect(text.indexOf('export const plain')).toBeLessThan(text.indexOf('export const always'));
    expect(text.indexOf('export const by_code')).toBeLessThan(text.indexOf('function parse'));
    const project = (await readPipelines(tree)).model.projects[0];
    expect(project?.steps.find((s) => s.name === 'always')?.cache).toEqual({ enabled: false });
    expect(project?.steps.find((s) => s.name === 'by_code')?.cache).toEqual({ enabled: true, strategy: 'code_hash' });
  });

  it('follows double quotes, no semicolons, four spaces and CRLF; imports step when the file does not', async () => {
    const source = [
      'import { pipeline } from "nx-steps"',
      'import { a } from "./a.pipeline"',
      '',
      'export default pipeline({ name: "etl" })',
      '',
      'function helper() {',
      '    return 1',
      '}',
      '',
    ].join('\r\n');
    const tree = etlWorkspace({ 'etl/etl.pipeline.ts': source, 'etl/a.pipeline.ts': "import { step } from 'nx-steps';\nexport const a = step(() => 1);\n" });
    await stepGenerator(tree, { name: 'b2', pipeline: 'etl', needs: 'a', file: 'etl.pipeline.ts' });
    expect(tree.read('etl/etl.pipeline.ts', 'utf-8')).toBe(
      [
        'import { pipeline, step } from "nx-steps"',
        'import { a } from "./a.pipeline"',
        '',
        'export default pipeline({ name: "etl" })',
        '',
        'function helper() {',
        '    return 1',
        '}',
        '',
        'export const b2 = step({ needs: { a } }, ({ a }, ctx) => {',
        '    // a: the results of the steps this one needs, typed by them.',
        '    ctx.log.info("b2: replace this body with the real work")',
        '    return { a }',
        '})',
        '',
      ].join('\r\n'),
    );
    expect(await stepsOf(tree)).toEqual({ a: {}, b2: { a: 'a' } });
  });

  it('reaches step through its import, whatever the name', async () => {
    const tree = etlWorkspace({ 'etl/other.pipeline.ts': "import { step as nxStep } from 'nx-steps';\nexport const step = nxStep(() => 1);\n" });
    await stepGenerator(tree, { name: 'report', pipeline: 'etl', file: 'other.pipeline.ts', needs: 'step' });
    expect(tree.read('etl/other.pipeline.ts', 'utf-8')).toContain('export const report = nxStep({ needs: { step } }, ({ step }, ctx) => {');
    // A file that does import step() itself cannot import an upstream step called step.
    const e = await expectFailure(tree, () => stepGenerator(tree, { name: 'more', pipeline: 'etl', file: 'etl.pipeline.ts', needs: 'step' }));
    expect(e.message).toContain('etl/etl.pipeline.ts already declares or imports "step", so it cannot import the step step of etl/other.pipeline.ts.');
  });

  it('reaches step through a namespace import', async () => {
    const tree = etlWorkspace({ 'etl/etl.pipeline.ts': "import * as nx from 'nx-steps';\n\nexport const first = nx.step(() => 1);\n" });
    await stepGenerator(tree, { name: 'second', pipeline: 'etl', needs: ['first'] });
    expect(tree.read('etl/etl.pipeline.ts', 'utf-8')).toContain('export const second = nx.step({ needs: { first } }, ({ first }, ctx) => {');
    expect(await stepsOf(tree)).toEqual({ first: {}, second: { first: 'first' } });
  });

  it('creates a new pipeline file with --file, importing the steps it needs from the others', async () => {
    const tree = etlWorkspace();
    await stepGenerator(tree, { name: 'train', pipeline: 'etl', needs: 'clean_data', file: 'train.pipeline.ts' });
    expect(tree.read('etl/train.pipeline.ts', 'utf-8')).toBe(
      [
        "import { step } from 'nx-steps';",
        "import { clean_data } from './etl.pipeline';",
        '',
        'export const train = step({ needs: { clean_data } }, ({ clean_data }, ctx) => {',
        '  // clean_data: the results of the steps this one needs, typed by them.',
        "  ctx.log.info('train: replace this body with the real work');",
        '  return { clean_data };',
        '});',
        '',
      ].join('\n'),
    );
    // A second step goes into the same file, reusing its imports; the project now needs --file.
    await stepGenerator(tree, { name: 'evaluate', pipeline: 'etl', needs: 'train,clean_data', file: 'etl/train.pipeline.ts' });
    expect(tree.read('etl/train.pipeline.ts', 'utf-8')).toContain('export const evaluate = step({ needs: { train, clean_data } }');
    expect(await stepsOf(tree)).toMatchObject({ train: { clean_data: 'clean_data' }, evaluate: { train: 'train', clean_data: 'clean_data' } });
    const e = await expectFailure(tree, () => stepGenerator(tree, { name: 'more', pipeline: 'etl' }));
    expect(e.message).toBe(
      'nx-steps:step: Project etl has 2 pipeline files (etl/etl.pipeline.ts, etl/train.pipeline.ts).\nSay which one gets the step: --file <name>.pipeline.ts.',
    );
  });

  // Type-checking loads TypeScript and @types/node: allow it time on a loaded machine.
  it('generates a step whose inputs are typed by the steps it needs', { timeout: 60_000 }, async () => {
    const tree = emptyWorkspace();
    await pipelineGenerator(tree, { name: 'etl' });
    await stepGenerator(tree, { name: 'report', pipeline: 'etl', needs: 'summarize' });
    const probe =
      "import { report } from './etl/etl.pipeline';\nimport type { StepResult } from 'nx-steps';\nexport const total: number = ({} as StepResult<typeof report>).summarize.total;\n";
    expect(typeErrors(tree, ['etl/etl.pipeline.ts'], { 'right.ts': probe, 'wrong.ts': probe.replace('.summarize.total', '.summarize.missing') })).toEqual([
      "wrong.ts:3: Property 'missing' does not exist on type '{ count: number; total: number; }'.",
    ]);
  });

  describe('refuses, writing nothing', () => {
    it.each<[string, Partial<StepGeneratorSchema>, string]>([
      [
        'a name the project already has, saying where',
        { name: 'clean_data' },
        'Project etl already has a step named clean_data (etl/etl.pipeline.ts:7:14).\nStep names are target names and unique within a project: choose another name.',
      ],
      [
        'an unknown need, listing the steps there are',
        { name: 'report', needs: 'clean_data,summary' },
        'Unknown need "summary": project etl has no step of that name.\nSteps of etl: clean_data, load_data. Add it first with nx g nx-steps:step summary --pipeline etl.',
      ],
      [
        'a pipeline that does not exist',
        { name: 'report', pipeline: 'ml' },
        'There is no pipeline project named "ml".\nPipeline projects: etl. To start a new one: nx g nx-steps:pipeline ml.',
      ],
    ])('%s', async (_title, options, message) => {
      const tree = etlWorkspace();
      const e = await expectFailure(tree, () => stepGenerator(tree, { name: '', pipeline: 'etl', ...options }));
      expect(e.message).toBe(`nx-steps:step: ${message}`);
    });

    it('a pipeline in a workspace that has none yet', async () => {
      const tree = emptyWorkspace();
      const e = await expectFailure(tree, () => stepGenerator(tree, { name: 'report', pipeline: 'ml' }));
      expect(e.failure.hint).toBe('This workspace has no pipelines yet. Create one: nx g nx-steps:pipeline ml.');
    });

    it.each([
      ['class', 'not a valid step name'],
      ['2fast', 'not a valid step name'],
      ['train-model', 'not a valid step name'],
      ['b', 'is an alias of another target'],
      ['parse', 'etl/etl.pipeline.ts already declares or imports "parse"'],
      ['file', 'etl/etl.pipeline.ts already declares or imports "file"'],
    ])('the name %s', async (name, message) => {
      const tree = etlWorkspace();
      const e = await expectFailure(tree, () => stepGenerator(tree, { name, pipeline: 'etl' }));
      expect(e.message).toContain(message);
    });

    it('a file that uses the name step for something else', async () => {
      const tree = etlWorkspace({
        'etl/etl.pipeline.ts': "import { pipeline } from 'nx-steps';\nimport { step } from './helpers';\n\nexport default pipeline({ name: 'etl' });\n",
      });
      const e = await expectFailure(tree, () => stepGenerator(tree, { name: 'report', pipeline: 'etl' }));
      expect(e.message).toContain('etl/etl.pipeline.ts uses the name "step" for something other than nx-steps\' step()');
    });

    it('a file outside the project folder, or one the plugin would not read', async () => {
      const tree = etlWorkspace();
      const outside = await expectFailure(tree, () => stepGenerator(tree, { name: 'train', pipeline: 'etl', file: 'sub/train.pipeline.ts' }));
      expect(outside.message).toContain("etl/sub/train.pipeline.ts is not in etl's folder (etl): the folder of a pipeline file is its project.");
      const notPipeline = await expectFailure(tree, () => stepGenerator(tree, { name: 'train', pipeline: 'etl', file: 'train.ts' }));
      expect(notPipeline.message).toContain(
        'etl/train.ts is not a pipeline file: nx-steps/plugin finds pipeline files with the glob "**/*.pipeline.ts" (nx.json).',
      );
    });

    it('a pipeline file with a syntax error', async () => {
      const tree = etlWorkspace({ 'etl/etl.pipeline.ts': `${ETL}\nexport const broken = step(() => {\n` });
      const e = await expectFailure(tree, () => stepGenerator(tree, { name: 'report', pipeline: 'etl' }));
      expect(e.failure.reason).toBe('unreadable-file');
      expect(e.message).toMatch(/^nx-steps:step: etl\/etl\.pipeline\.ts:\d+:\d+: Syntax error: /);
    });

    it('an unknown cache strategy', async () => {
      const tree = etlWorkspace();
      const e = await expectFailure(tree, () => stepGenerator(tree, { name: 'report', pipeline: 'etl', cache: 'sometimes' as never }));
      expect(e.message).toContain('--cache sometimes is not a cache strategy.');
    });
  });
});

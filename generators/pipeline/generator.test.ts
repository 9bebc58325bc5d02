import { readJson } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { emptyLock, LOCK_FILE } from '../shared/lock';
import { readPipelines } from '../shared/workspace';
import { emptyWorkspace, expectFailure } from '../test-utils/tree';
import { typeErrors } from '../test-utils/typecheck';
import { LAST_STEP, pipelineGenerator } from './generator';

describe('nx-steps:pipeline', () => {
  it('creates a project with a pipeline file, sample data and two steps the static reader accepts', async () => {
    const tree = emptyWorkspace();
    await pipelineGenerator(tree, { name: 'etl' });
    expect(tree.read('etl/data/sample.csv', 'utf-8')).toBe('id,value\n1,10\n2,20\n3,30\n');
    const ws = await readPipelines(tree);
    expect(ws.model.projects).toHaveLength(1);
    const [project] = ws.model.projects;
    expect(project).toMatchObject({ root: 'etl', displayName: 'etl', pipelineFiles: ['etl/etl.pipeline.ts'], diagnostics: [] });
    expect(project?.steps.map((s) => [s.name, s.needs, s.errors])).toEqual([
      ['load_data', {}, []],
      [LAST_STEP, { rows: 'load_data' }, []],
    ]);
    // The data argument points at the generated sample.
    expect(project?.steps[0]?.args['csv']).toMatchObject({ kind: 'file', location: { scope: 'workspace', path: 'etl/data/sample.csv' } });
  });

  it('sets nx-steps up on the way, as nx add would', async () => {
    const tree = emptyWorkspace();
    await pipelineGenerator(tree, { name: 'etl' });
    expect(readJson(tree, 'nx.json').plugins).toEqual(['nx-steps/plugin']);
    expect(tree.read('.gitignore', 'utf-8')).toContain('.nx-steps');
    // Entries for the new steps are written by the callback, once the files are on disk.
    expect(tree.read(LOCK_FILE, 'utf-8')).toBe(emptyLock());
  });

  // Type-checking loads TypeScript and @types/node: allow it time on a loaded machine.
  it('generates code that type-checks, with the summary typed by load_data', { timeout: 60_000 }, async () => {
    const tree = emptyWorkspace();
    await pipelineGenerator(tree, { name: 'etl' });
    const probe =
      "import { summarize } from './etl/etl.pipeline';\nimport type { StepResult } from 'nx-steps';\nexport const total: number = ({} as StepResult<typeof summarize>).total;\n";
    // One program for both: the right type checks, the wrong one is caught (so the check can fail).
    expect(typeErrors(tree, ['etl/etl.pipeline.ts'], { 'right.ts': probe, 'wrong.ts': probe.replace('const total: number', 'const total: string') })).toEqual([
      "wrong.ts:3: Type 'number' is not assignable to type 'string'.",
    ]);
  });

  it('adds @types/node for this Node major when the workspace has none (the generated code imports node:fs/promises), and keeps a declared one', async () => {
    const tree = emptyWorkspace();
    await pipelineGenerator(tree, { name: 'etl' });
    expect(tree.read('etl/etl.pipeline.ts', 'utf-8')).toContain("from 'node:fs/promises'");
    expect(readJson(tree, 'package.json').devDependencies['@types/node']).toBe(`^${process.versions.node.split('.')[0]}.0.0`);

    // Nothing else: no empty "dependencies" (devkit's addDependenciesToPackageJson writes one).
    const devOnly = emptyWorkspace({ 'package.json': JSON.stringify({ name: 'ws', devDependencies: { nx: '24.0.6' } }) });
    await pipelineGenerator(devOnly, { name: 'etl' });
    expect(readJson(devOnly, 'package.json')).toEqual({
      name: 'ws',
      devDependencies: { '@types/node': `^${process.versions.node.split('.')[0]}.0.0`, nx: '24.0.6' },
    });

    const declared = emptyWorkspace();
    declared.write('package.json', JSON.stringify({ name: 'ws', devDependencies: { '@types/node': '~22.1.0' } }));
    await pipelineGenerator(declared, { name: 'etl' });
    expect(readJson(declared, 'package.json').devDependencies).toEqual({ '@types/node': '~22.1.0' });
  });

  it('puts the project in --directory', async () => {
    const tree = emptyWorkspace();
    await pipelineGenerator(tree, { name: 'churn', directory: './pipelines/churn/' });
    expect(tree.exists('pipelines/churn/churn.pipeline.ts')).toBe(true);
    expect(tree.read('pipelines/churn/churn.pipeline.ts', 'utf-8')).toContain("export default pipeline({ name: 'churn' });");
    const ws = await readPipelines(tree);
    expect(ws.model.projects.map((p) => [p.displayName, p.root])).toEqual([['churn', 'pipelines/churn']]);
  });

  describe('refuses, writing nothing', () => {
    it('an invalid name', async () => {
      const tree = emptyWorkspace();
      const e = await expectFailure(tree, () => pipelineGenerator(tree, { name: 'my pipeline' }));
      expect(e.message).toBe(
        `nx-steps:pipeline: "my pipeline" is not a valid pipeline name.\nUse letters, digits, '.', '_' and '-', starting with a letter or digit: nx g nx-steps:pipeline etl.`,
      );
    });

    it('a folder that already holds a pipeline', async () => {
      const tree = emptyWorkspace();
      await pipelineGenerator(tree, { name: 'etl' });
      const e = await expectFailure(tree, () => pipelineGenerator(tree, { name: 'etl2', directory: 'etl' }));
      expect(e.failure.reason).toBe('directory-taken');
      expect(e.message).toContain('etl already holds the pipeline project etl (etl/etl.pipeline.ts).');
    });

    it('a folder that already holds another project', async () => {
      const tree = emptyWorkspace({ 'apps/web/project.json': JSON.stringify({ name: 'web' }) });
      const e = await expectFailure(tree, () => pipelineGenerator(tree, { name: 'etl', directory: 'apps/web' }));
      expect(e.message).toContain('apps/web already holds the project web (apps/web/project.json).');
    });

    it('a name another project has', async () => {
      const tree = emptyWorkspace({ 'apps/etl-app/project.json': JSON.stringify({ name: 'etl' }) });
      const e = await expectFailure(tree, () => pipelineGenerator(tree, { name: 'etl' }));
      expect(e.failure.reason).toBe('name-taken');
      expect(e.message).toContain('A project named etl already exists (in apps/etl-app).');
    });

    it('a folder the plugin would not look in', async () => {
      const tree = emptyWorkspace();
      tree.write('nx.json', JSON.stringify({ plugins: [{ plugin: 'nx-steps/plugin', options: { pipelines: 'pipelines/**/*.pipeline.ts' } }] }));
      const e = await expectFailure(tree, () => pipelineGenerator(tree, { name: 'etl' }));
      expect(e.message).toContain('nx-steps/plugin would not find etl/etl.pipeline.ts: its "pipelines" glob in nx.json is "pipelines/**/*.pipeline.ts".');
      await pipelineGenerator(tree, { name: 'etl', directory: 'pipelines/etl' });
      expect(tree.exists('pipelines/etl/etl.pipeline.ts')).toBe(true);
    });

    it('a folder outside the workspace', async () => {
      const tree = emptyWorkspace();
      const e = await expectFailure(tree, () => pipelineGenerator(tree, { name: 'etl', directory: '../etl' }));
      expect(e.failure.reason).toBe('invalid-option');
    });
  });
});

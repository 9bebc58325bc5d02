/**
 * Issue 2: steps become cached Nx tasks. Every case runs real `nx` in a fresh
 * workspace with the packed plugin, and proves caching by counting how often
 * each step function really ran.
 */
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { createWorkspace, workspacesPerTest } from './rig';
import { ETL_FILES } from './fixtures/etl';

const open = workspacesPerTest();
function etl(name: string, files: Record<string, string> = {}): Workspace {
  const ws = createWorkspace(name, { ...ETL_FILES, ...files });
  open.push(ws);
  return ws;
}

/** The value a step stored, read back from its output folder. */
function storedValue(ws: Workspace, step: string): unknown {
  return ws.stored(`etl/.nx-steps/out/${step}`);
}

describe('steps as cached Nx tasks', () => {
  it('1. a second run is a cache hit and the step function is not called', () => {
    const ws = etl('second-run');
    const first = ws.runSteps('etl:clean_data');
    expect(first.calls).toEqual({ load_data: 1, clean_data: 1 });
    expect(first.statuses).toEqual({ 'etl:load_data': 'run', 'etl:clean_data': 'run' });

    const second = ws.runSteps('etl:clean_data');
    expect(second.calls).toEqual({});
    expect(second.statuses).toEqual({ 'etl:load_data': 'local', 'etl:clean_data': 'local' });
    expect(storedValue(ws, 'clean_data')).toEqual([
      { id: 1, value: 10 },
      { id: 3, value: 30 },
    ]);
  });

  it('2. changing the bytes of a file argument re-runs the step; touching it does not', () => {
    const ws = etl('file-arg');
    ws.runSteps('etl:load_data');

    ws.touch('etl/data/raw.csv');
    expect(ws.runSteps('etl:load_data').calls).toEqual({});

    ws.write('etl/data/raw.csv', 'id,value\n1,11\n2,\n3,30\n');
    const changed = ws.runSteps('etl:load_data');
    expect(changed.calls).toEqual({ load_data: 1 });
    expect(storedValue(ws, 'load_data')).toContainEqual({ id: 1, value: 11 });
  });

  it('3. code_hash re-runs on a code edit; input_hash does not', () => {
    const ws = etl('strategies');
    ws.runSteps('etl:clean_data');

    // input_hash: clean_data's code changes, its inputs do not.
    ws.edit('etl/etl.pipeline.ts', 'raw.filter((r) => r.value !== null)', 'raw.filter((row) => row.value !== null)');
    expect(ws.runSteps('etl:clean_data').calls).toEqual({});

    // code_hash (default): load_data's code changes.
    ws.edit('etl/etl.pipeline.ts', "count('load_data');", "count('load_data');\n  const unused = 1;\n  void unused;");
    const after = ws.runSteps('etl:clean_data');
    expect(after.calls).toEqual({ load_data: 1 });
    // Its result is byte-identical, so clean_data is not re-run (early cutoff).
    expect(after.statuses['etl:clean_data']).toBe('local');
  });

  it('4. cache: false runs every time', () => {
    const ws = etl('cache-false');
    expect(ws.runSteps('etl:upload').calls).toEqual({ load_data: 1, clean_data: 1, upload: 1 });
    const again = ws.runSteps('etl:upload');
    expect(again.calls).toEqual({ upload: 1 });
    expect(again.statuses['etl:upload']).toBe('run');
  });

  it('5. an upstream input change re-runs it and the downstream steps whose upstream result changed, never a stale hit', () => {
    const ws = etl('upstream');
    ws.runSteps('etl:report');
    expect(storedValue(ws, 'report')).toBe('total=40');

    // A new row without a value: load_data's result changes, clean_data's does not.
    ws.write('etl/data/raw.csv', 'id,value\n1,10\n2,\n3,30\n4,\n');
    const cutoff = ws.runSteps('etl:report');
    expect(cutoff.calls).toEqual({ load_data: 1, clean_data: 1 });
    expect(cutoff.statuses['etl:summary']).toBe('local');
    expect(cutoff.statuses['etl:report']).toBe('local');

    // A changed value: every downstream result changes, and none is a stale hit.
    ws.write('etl/data/raw.csv', 'id,value\n1,10\n2,\n3,35\n4,\n');
    const changed = ws.runSteps('etl:report');
    expect(changed.calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1 });
    expect(storedValue(ws, 'report')).toBe('total=45');

    // Back to the original data: every result comes from the cache, and is the original one.
    ws.write('etl/data/raw.csv', 'id,value\n1,10\n2,\n3,30\n');
    const back = ws.runSteps('etl:report');
    expect(back.calls).toEqual({});
    expect(storedValue(ws, 'report')).toBe('total=40');
  });

  it("6. changing one step's params re-runs that step only (downstream only through its result)", () => {
    const ws = etl('params');
    ws.runSteps('etl:report');

    ws.edit('etl/etl.pipeline.ts', 'params: { scale: 1 }', 'params: { scale: 2 }');
    const edited = ws.runSteps('etl:report');
    expect(edited.calls).toEqual({ summary: 1, report: 1 });
    expect(storedValue(ws, 'report')).toBe('total=80');

    // A command-line override, for one run.
    const overridden = ws.runSteps('etl:summary', ['--scale=3']);
    expect(overridden.calls).toEqual({ summary: 1 });
    expect(storedValue(ws, 'summary')).toEqual({ total: 120 });

    // Without the override, the declared value's result comes back from the cache.
    const plain = ws.runSteps('etl:summary');
    expect(plain.calls).toEqual({});
    expect(storedValue(ws, 'summary')).toEqual({ total: 80 });

    // An override of the wrong type is a clear error naming the step and param.
    const bad = ws.nx(['run', 'etl:summary', '--scale=lots']);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('Param `scale` is a number (default 2), but --scale gave "lots".');
  });

  it('7. a lockfile change for a package that no step imports invalidates nothing', () => {
    const ws = etl('lockfile');
    ws.runSteps('etl:report');
    const lock = JSON.parse(ws.read('package-lock.json')) as { packages: Record<string, { version?: string }> };
    const unrelated = Object.keys(lock.packages).find((k) => k === 'node_modules/ejs') ?? Object.keys(lock.packages).find((k) => k.startsWith('node_modules/'));
    expect(unrelated).toBeDefined();
    const entry = lock.packages[unrelated as string] as { version?: string };
    entry.version = `${entry.version ?? '0.0.0'}-changed`;
    ws.write('package-lock.json', JSON.stringify(lock, null, 2));
    const after = ws.runSteps('etl:report');
    expect(after.calls).toEqual({});
    expect(Object.values(after.statuses).every((s) => s === 'local')).toBe(true);
  });
});

describe('projects', () => {
  it('several pipeline files share a project, and a step needs a step of another file', () => {
    const ws = createWorkspace('two-files', {
      'lab/load.pipeline.ts': `import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';
export default pipeline({ name: 'lab' });
export const load = step(() => { count('load'); return [1, 2, 3]; });
export const other = step(() => { count('other'); return 'other'; });
`,
      'lab/train.pipeline.ts': `import { step } from 'nx-steps';
import { count } from '../tools/count';
import { load } from './load.pipeline';
export const train = step({ needs: { rows: load } }, ({ rows }) => { count('train'); return rows.length; });
`,
    });
    open.push(ws);
    const first = ws.runSteps('lab:train');
    expect(first.calls).toEqual({ load: 1, train: 1 });
    expect(ws.stored('lab/.nx-steps/out/train')).toBe(3);
    // Editing a step of the other file that train does not need leaves train alone.
    ws.edit('lab/load.pipeline.ts', "return 'other';", "return 'changed';");
    expect(ws.runSteps('lab:train').calls).toEqual({});
    ws.edit('lab/load.pipeline.ts', 'return [1, 2, 3];', 'return [1, 2, 3, 4];');
    expect(ws.runSteps('lab:train').calls).toEqual({ load: 1, train: 1 });
  });

  it('steps join a project that already stands in the folder', () => {
    const ws = createWorkspace('join', {
      'svc/project.json': JSON.stringify({ name: 'service', targets: { hello: { command: 'echo hello' } } }),
      'svc/svc.pipeline.ts': `import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';
export default pipeline({ name: 'ignored-because-project-json-names-it' });
export const refresh = step(() => { count('refresh'); return 1; });
`,
    });
    open.push(ws);
    const project = JSON.parse(ws.nxOk(['show', 'project', 'service', '--json']).stdout) as { targets: Record<string, { executor: string }> };
    expect(Object.keys(project.targets).sort()).toEqual(['hello', 'refresh']);
    expect(project.targets['refresh']?.executor).toBe('nx-steps:step');
    expect(ws.runSteps('service:refresh').calls).toEqual({ refresh: 1 });
    expect(ws.runSteps('service:refresh').calls).toEqual({});
  });
});

describe('the project graph', () => {
  it('documents every step and keeps outputs inside the project, gitignored', () => {
    const ws = etl('graph');
    const project = JSON.parse(ws.nxOk(['show', 'project', 'etl', '--json']).stdout) as {
      root: string;
      targets: Record<string, { executor: string; dependsOn?: unknown[]; cache?: boolean; outputs?: string[]; metadata?: { description?: string } }>;
    };
    expect(project.root).toBe('etl');
    expect(Object.keys(project.targets).sort()).toEqual(['clean_data', 'load_data', 'report', 'summary', 'upload']);
    expect(project.targets['clean_data']).toMatchObject({
      executor: 'nx-steps:step',
      // Every override of the command reaches the steps it needs (issue 16: params that flow).
      dependsOn: [{ target: 'load_data', params: 'forward' }],
      cache: true,
      outputs: ['{projectRoot}/.nx-steps/out/clean_data'],
      metadata: { description: 'Step clean_data of etl/etl.pipeline.ts (input_hash; needs load_data)' },
    });
    expect(project.targets['upload']?.cache).toBe(false);

    ws.initGit();
    ws.runSteps('etl:clean_data');
    expect(ws.git('status', '--porcelain', '--untracked-files=all')).not.toContain('.nx-steps/');
    expect(ws.git('check-ignore', 'etl/.nx-steps/out/clean_data/step.json').trim()).toBe('etl/.nx-steps/out/clean_data/step.json');
  });

  it('reports a declaration that cannot be read statically with file:line:col, and every other project still loads', () => {
    const ws = etl('broken', {
      'ml/ml.pipeline.ts': [
        "import { pipeline, step } from 'nx-steps';",
        "export default pipeline({ name: 'ml' });",
        'const pick = () => 0.1;',
        'export const train = step({ params: { lr: pick() } }, ({ lr }) => lr);',
        'export const evaluate = step({ needs: { model: train } }, ({ model }) => model);',
        '',
      ].join('\n'),
    });
    const projects = ws.nxOk(['show', 'projects']);
    expect(projects.stdout.split('\n').filter(Boolean).sort()).toEqual(['etl', 'ml']);
    expect(projects.output).toContain('ml/ml.pipeline.ts:4:43 - error NXS101: `params.lr` must be a literal value');

    const failed = ws.nx(['run', 'ml:evaluate']);
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('ml/ml.pipeline.ts:4:43 - error NXS101');
    expect(failed.output).toContain('export const train = step({ params: { lr: pick() } }');

    expect(ws.runSteps('etl:clean_data').calls).toEqual({ load_data: 1, clean_data: 1 });
  });
});

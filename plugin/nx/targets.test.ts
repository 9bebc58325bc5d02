import { describe, expect, it } from 'vitest';
import { parsePipelineFile } from '../core/discovery/parse-pipeline';
import { analyzeWorkspace } from '../core/model/analyze';
import { projectConfiguration } from './targets';

function targets(source: string) {
  const model = analyzeWorkspace({ workspaceRoot: '/ws', files: [parsePipelineFile('etl/etl.pipeline.ts', source)], existingProject: () => undefined });
  const project = model.projects[0];
  if (!project) throw new Error('no project');
  return projectConfiguration(project).targets ?? {};
}

const head = "import { dir, file, pipeline, step } from 'nx-steps';\nexport default pipeline({ name: 'etl' });\n";

describe('inferred targets', () => {
  it('keep step data out of options (hashed into every task of the project) and in metadata', () => {
    const t = targets(
      `${head}export const load = step({ args: { src: file('raw.csv') }, params: { n: 1 } }, ({ src }) => src);\nexport const clean = step({ needs: { rows: load }, cache: 'input_hash' }, ({ rows }) => rows);\n`,
    );
    expect(t['load']?.options).toEqual({});
    expect(t['clean']?.options).toEqual({});
    // Overrides flow upstream: `nx run etl:clean --n=2` reaches load (core/run/params.ts).
    expect(t['clean']?.dependsOn).toEqual([{ target: 'load', params: 'forward' }]);
    expect(t['clean']?.outputs).toEqual(['{projectRoot}/.nx-steps/out/clean']);
    expect(t['clean']?.metadata?.['nxSteps']).toEqual({ file: 'etl/etl.pipeline.ts', export: 'clean', pipelineFiles: ['etl/etl.pipeline.ts'] });
    expect(t['load']?.inputs).toEqual([
      { json: '{workspaceRoot}/nx-steps.lock.json', fields: [expect.stringMatching(/^steps\.etl_load_[0-9a-f]{8}$/)] },
      { env: expect.stringMatching(/^NX_STEPS_FP_etl_load_[0-9a-f]{8}$/) },
      '{workspaceRoot}/etl/raw.csv',
      { externalDependencies: [] },
    ]);
    expect(t['clean']?.inputs).toContainEqual({ dependentTasksOutputFiles: '**/.nx-steps/out/*/result.xxh128', transitive: false });
  });

  it("read the step's lock field only where the context says it is stable (lock-check.ts)", () => {
    const model = analyzeWorkspace({
      workspaceRoot: '/ws',
      files: [parsePipelineFile('etl/etl.pipeline.ts', `${head}export const load = step(() => 1);\n`)],
      existingProject: () => undefined,
    });
    const project = model.projects[0];
    if (!project) throw new Error('no project');
    const inputs = projectConfiguration(project, { lockField: () => false }).targets?.['load']?.inputs ?? [];
    expect(inputs.some((i) => typeof i === 'object' && 'json' in i)).toBe(false);
    expect(inputs[0]).toEqual({ env: expect.stringMatching(/^NX_STEPS_FP_etl_load_[0-9a-f]{8}$/) });
  });

  it('turn `!` include patterns of a folder into Nx exclusions', () => {
    const t = targets(
      `${head}export const scan = step({ args: { data: dir('data', { include: ['*.csv', '!secret.csv'], exclude: ['tmp/**'] }) } }, ({ data }) => data);\n`,
    );
    const files = (t['scan']?.inputs ?? []).filter((i) => typeof i === 'string');
    expect(files).toEqual(['{workspaceRoot}/etl/data/*.csv', '!{workspaceRoot}/etl/data/tmp/**', '!{workspaceRoot}/etl/data/secret.csv']);
  });

  it('write folder patterns as the hasher reads them: no leading ./ or trailing /', () => {
    const t = targets(`${head}export const scan = step({ args: { data: dir('data', { include: ['./raw/**'], exclude: ['tmp/'] }) } }, ({ data }) => data);\n`);
    const files = (t['scan']?.inputs ?? []).filter((i) => typeof i === 'string');
    expect(files).toEqual(['{workspaceRoot}/etl/data/raw/**', '!{workspaceRoot}/etl/data/tmp']);
  });

  it('give a custom key a runtime input that can never fail silently, and cache: false no cache', () => {
    const t = targets(
      `${head}export const train = step({ cache: { key: ({ env }) => env.TAG } }, () => 1);\nexport const send = step({ cache: false }, () => 1);\n`,
    );
    expect(t['train']?.inputs).toContainEqual({ runtime: `node_modules/.bin/nx-steps key 'etl' 'train' || echo "key-unavailable-$$"` });
    expect(t['send']?.cache).toBe(false);
  });

  it('keep a broken step as a target that fails with its diagnostic, never cached', () => {
    const t = targets(`${head}export const bad = step({ params: { n: f() } }, () => 1);\n`);
    expect(t['bad']?.cache).toBe(false);
    expect(t['bad']?.metadata?.['description']).toMatch(/^BROKEN: `params\.n` must be a literal value/);
  });

  it("a fan-out step: one target per item sharing its step's lock field, a no-op group over them, and a step needing it depends on every item", () => {
    const t = targets(
      `${head.replace('dir, file,', 'dir, file, range,')}export const sim = step({ each: { n: range(1, 3) } }, ({ n }) => n);\nexport const total = step({ needs: { all: sim } }, ({ all }) => all);\n`,
    );
    expect(Object.keys(t).sort()).toEqual(['sim', 'sim.1', 'sim.2', 'total']);
    expect(t['sim']).toMatchObject({
      executor: 'nx:noop',
      dependsOn: [
        { target: 'sim.1', params: 'forward' },
        { target: 'sim.2', params: 'forward' },
      ],
    });
    expect(t['total']?.dependsOn).toEqual([
      { target: 'sim.1', params: 'forward' },
      { target: 'sim.2', params: 'forward' },
    ]);
    const field = (name: string) => (t[name]?.inputs?.[0] as { fields: string[] }).fields[0];
    expect(field('sim.1')).toBe(field('sim.2'));
    expect(field('sim.1')).toMatch(/^steps\.etl_sim_[0-9a-f]{8}$/);
    // Each item has its own live fingerprint.
    expect(t['sim.1']?.inputs?.[1]).not.toEqual(t['sim.2']?.inputs?.[1]);
    expect(t['sim.1']?.outputs).toEqual(['{projectRoot}/.nx-steps/out/sim.1']);
    expect(t['sim.1']?.metadata?.['nxSteps']).toMatchObject({ export: 'sim' });
  });
});

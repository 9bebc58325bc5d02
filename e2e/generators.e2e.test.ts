/**
 * Issue 7: the generators, as a user meets them. One workspace goes through
 * the whole story in order: `nx add` from the packed plugin in a workspace
 * without nx-steps, a generated pipeline and step that run and then come from
 * the cache (proved by counting step calls), and the lock kept current by
 * `nx sync` and checked by `nx sync:check`.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Workspace } from './rig';
import { createBareWorkspace } from './rig';

const PIPELINE = 'etl/etl.pipeline.ts';
const SETUP_FILES = ['nx.json', '.gitignore', 'nx-steps.lock.json', 'package.json'];

/** The files `nx g` says it created or updated. */
function written(output: string): string[] {
  return [...output.matchAll(/^(?:CREATE|UPDATE) (\S+)/gm)].map((m) => m[1] ?? '');
}

describe('generators: nx add nx-steps, a new pipeline, a new step', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = createBareWorkspace('generators');
  });
  afterAll(() => ws.remove());

  it('nx add installs the packed plugin and sets the workspace up; init again changes nothing', () => {
    expect(ws.exists('node_modules/nx-steps')).toBe(false);
    // `nx add <pkg>@<version>` hands the version to the package manager, so a tarball's file: spec installs it.
    const added = ws.nxOk(['add', `nx-steps@file:${inject('tarball')}`]);
    expect(added.output).toContain('Package nx-steps added successfully.');
    expect(ws.exists('node_modules/nx-steps/package.json')).toBe(true);
    expect(JSON.parse(ws.read('package.json')).devDependencies['nx-steps']).toMatch(/^file:.*nx-steps-.*\.tgz$/);
    expect(JSON.parse(ws.read('nx.json'))).toMatchObject({ plugins: ['nx-steps/plugin'], sync: { globalGenerators: ['nx-steps:sync'] } });
    expect(ws.read('.gitignore').split('\n')).toContain('.nx-steps');
    expect(JSON.parse(ws.read('nx-steps.lock.json'))).toMatchObject({ lockfileVersion: 1, steps: {} });

    const before = SETUP_FILES.map((f) => ws.read(f));
    const again = ws.nxOk(['g', 'nx-steps:init']);
    expect(written(again.output)).toEqual([]);
    expect(SETUP_FILES.map((f) => ws.read(f))).toEqual(before);
  });

  it('a generated pipeline and step run at once, and a second run comes from the cache', () => {
    // The generated code imports node:fs/promises: the generator adds Node's types, which a fresh workspace lacks.
    const dry = ws.nxOk(['g', 'nx-steps:pipeline', 'etl', '--dry-run']);
    expect(written(dry.output).sort()).toEqual(['etl/data/sample.csv', PIPELINE, 'package.json']);
    expect(ws.exists('etl')).toBe(false);

    expect(written(ws.nxOk(['g', 'nx-steps:pipeline', 'etl']).output).sort()).toEqual(['etl/data/sample.csv', PIPELINE, 'package.json']);
    expect(ws.exists('node_modules/@types/node/package.json')).toBe(true);
    expect(written(ws.nxOk(['g', 'nx-steps:step', 'report', '--pipeline', 'etl', '--needs', 'summarize']).output)).toEqual([PIPELINE]);
    // The generators left the lock current: nothing for `nx sync` to do before any run.
    expect(ws.nxOk(['sync:check']).output).toContain('The workspace is up to date');

    // A duplicate is refused with a clear message, and nothing is written.
    const generated = ws.read(PIPELINE);
    const duplicate = ws.nx(['g', 'nx-steps:step', 'report', '--pipeline', 'etl']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.output).toContain(`nx-steps:step: Project etl already has a step named report (${PIPELINE}:`);
    expect(ws.read(PIPELINE)).toBe(generated);

    // Count the calls of each step function (the e2e convention: tools/count.ts).
    ws.edit(PIPELINE, "from 'nx-steps';", "from 'nx-steps';\nimport { count } from '../tools/count';");
    ws.edit(PIPELINE, 'async ({ csv }) => {', "async ({ csv }) => {\n    count('load_data');");
    ws.edit(PIPELINE, '({ rows }) => ({', "({ rows }) => (count('summarize'), {");
    ws.edit(PIPELINE, "ctx.log.info('report:", "count('report');\n  ctx.log.info('report:");

    const first = ws.runSteps('etl:report');
    expect(first.calls).toEqual({ load_data: 1, summarize: 1, report: 1 });
    expect(first.statuses).toEqual({ 'etl:load_data': 'run', 'etl:summarize': 'run', 'etl:report': 'run' });
    expect(ws.stored('etl/.nx-steps/out/report')).toEqual({ summarize: { count: 3, total: 60 } });

    const second = ws.runSteps('etl:report');
    expect(second.calls).toEqual({});
    expect(second.statuses).toEqual({ 'etl:load_data': 'local', 'etl:summarize': 'local', 'etl:report': 'local' });

    const project = JSON.parse(ws.nxOk(['show', 'project', 'etl', '--json']).stdout) as { root: string; targets: Record<string, unknown> };
    expect(project.root).toBe('etl');
    expect(Object.keys(project.targets).sort()).toEqual(['load_data', 'report', 'summarize']);
  });

  it('nx sync:check fails in CI while the lock is stale, and nx sync fixes it', () => {
    // The runs above kept the lock current (the pre-task hook does, outside CI).
    expect(ws.nxOk(['sync:check'], { env: { CI: 'true' } }).output).toContain('The workspace is up to date');

    ws.edit(PIPELINE, "ctx.log.info('report: replace this body with the real work');", "ctx.log.info('report: done');");
    const stale = ws.nx(['sync:check'], { env: { CI: 'true' } });
    expect(stale.code).toBe(1);
    expect(stale.output).toContain('nx-steps.lock.json is stale: 1 step differs. Run `nx sync` and commit it');
    expect(stale.output).toContain(`changed  ${PIPELINE}: report`);

    const lockBefore = ws.read('nx-steps.lock.json');
    expect(ws.nxOk(['sync'], { env: { CI: 'true' } }).output).toContain('The workspace was synced successfully!');
    expect(ws.read('nx-steps.lock.json')).not.toBe(lockBefore);
    expect(ws.nxOk(['sync:check'], { env: { CI: 'true' } }).output).toContain('The workspace is up to date');
  });
});

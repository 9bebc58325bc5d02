/**
 * The exact text users see for each kind of bad declaration: where (file,
 * line, column, with the code underlined) and what to do.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../diagnostics';
import { parsePipelineFile } from '../discovery/parse-pipeline';
import { analyzeWorkspace } from './analyze';

function problems(files: Record<string, string>): string {
  const model = analyzeWorkspace({
    workspaceRoot: '/ws',
    files: Object.entries(files).map(([f, text]) => parsePipelineFile(f, text)),
    existingProject: () => undefined,
  });
  const all = model.projects.flatMap((p) => [...p.diagnostics]);
  return formatDiagnostics(all, (f) => files[f]);
}

const head = "import { file, pipeline, step } from 'nx-steps';\nexport default pipeline({ name: 'p' });\n";

describe('bad declarations', () => {
  it('duplicate step names', () => {
    expect(problems({ 'p/a.pipeline.ts': `${head}export const load = step(() => 1);\n`, 'p/b.pipeline.ts': `${head}export const load = step(() => 2);\n` }))
      .toMatchInlineSnapshot(`
      "p/a.pipeline.ts:3:14 - error NXS104: Step name \`load\` is declared 2 times in project p (p/a.pipeline.ts:3:14, p/b.pipeline.ts:3:14).

        3 | export const load = step(() => 1);
          |              ^^^^

        Step names are target names and must be unique within a project: rename all but one.

      p/b.pipeline.ts:3:14 - error NXS104: Step name \`load\` is declared 2 times in project p (p/a.pipeline.ts:3:14, p/b.pipeline.ts:3:14).

        3 | export const load = step(() => 2);
          |              ^^^^

        Step names are target names and must be unique within a project: rename all but one."
    `);
  });

  it('a cycle', () => {
    expect(
      problems({
        'p/p.pipeline.ts': `${head}export const prep = step({ needs: { x: fit } }, ({ x }) => x);\nexport const fit = step({ needs: { y: prep } }, ({ y }) => y);\n`,
      }),
    ).toMatchInlineSnapshot(`
      "p/p.pipeline.ts:4:14 - error NXS105: Steps need each other in a cycle: fit → prep → fit.

        4 | export const fit = step({ needs: { y: prep } }, ({ y }) => y);
          |              ^^^

        A step can only need steps that run before it; remove one of these needs.

      p/p.pipeline.ts:3:14 - error NXS105: Steps need each other in a cycle: fit → prep → fit.

        3 | export const prep = step({ needs: { x: fit } }, ({ x }) => x);
          |              ^^^^

        A step can only need steps that run before it; remove one of these needs."
    `);
  });

  it('an unknown need', () => {
    expect(problems({ 'p/p.pipeline.ts': `${head}export const train = step({ needs: { data: prepare } }, ({ data }) => data);\n` })).toMatchInlineSnapshot(`
      "p/p.pipeline.ts:3:44 - error NXS103: Unknown need \`prepare\`: no step of that name in p/p.pipeline.ts.

        3 | export const train = step({ needs: { data: prepare } }, ({ data }) => data);
          |                                            ^^^^^^^

        Steps of this project: train. A step of another pipeline file must be imported from it."
    `);
  });

  it('a value that must be static but is not', () => {
    expect(problems({ 'p/p.pipeline.ts': `${head}export const train = step({ params: { epochs: Number(process.env.EPOCHS) } }, () => 1);\n` }))
      .toMatchInlineSnapshot(`
      "p/p.pipeline.ts:3:47 - error NXS101: \`params.epochs\` must be a literal value: function calls run at run time, not when the graph is built.

        3 | export const train = step({ params: { epochs: Number(process.env.EPOCHS) } }, () => 1);
          |                                               ^^^^^^^^^^^^^^^^^^^^^^^^^^

        nx-steps reads declarations without running them. Write the value inline (or as a top-level const); to vary a param for one run, override it: nx run <project>:<step> --<param>=<value>."
    `);
  });

  it('an invalid cache strategy', () => {
    expect(problems({ 'p/p.pipeline.ts': `${head}export const train = step({ cache: 'always' }, () => 1);\n` })).toMatchInlineSnapshot(`
      "p/p.pipeline.ts:3:36 - error NXS106: Unknown cache strategy "always".

        3 | export const train = step({ cache: 'always' }, () => 1);
          |                                    ^^^^^^^^

        Use 'code_hash' (re-run when code or inputs change; the default), 'input_hash' (only inputs), or false (always run)."
    `);
  });

  it('an invalid time-to-live', () => {
    expect(problems({ 'p/p.pipeline.ts': `${head}export const fetch_rates = step({ cache: { ttl: '1 fortnight' } }, () => 1);\n` })).toMatchInlineSnapshot(`
      "p/p.pipeline.ts:3:49 - error NXS113: Invalid time-to-live "1 fortnight".

        3 | export const fetch_rates = step({ cache: { ttl: '1 fortnight' } }, () => 1);
          |                                                 ^^^^^^^^^^^^^

        Write a positive duration with a unit: '90s', '30m', '24h', '7d' or '2w'."
    `);
  });

  it('a syntax error', () => {
    expect(problems({ 'p/p.pipeline.ts': `${head}export const train = step(() => {\n  return [1, 2;\n});\n` })).toMatchInlineSnapshot(`
      "p/p.pipeline.ts:4:15 - error NXS100: Syntax error: ',' expected.

        4 |   return [1, 2;
          |               ^

        Fix the syntax; until then the steps of this file keep their last known targets and fail when run."
    `);
  });

  it('a file argument that leaves the workspace through .. without being declared external', () => {
    expect(problems({ 'p/p.pipeline.ts': `${head}export const load = step({ args: { src: file('../../shared/raw.csv') } }, ({ src }) => src);\n` }))
      .toMatchInlineSnapshot(`
      "p/p.pipeline.ts:3:41 - error NXS109: file('../../shared/raw.csv') leaves the workspace (it resolves to /shared/raw.csv).

        3 | export const load = step({ args: { src: file('../../shared/raw.csv') } }, ({ src }) => src);
          |                                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^

        If that is intended, say so: file('../../shared/raw.csv', { external: true }). Paths are relative to the pipeline file's folder."
    `);
  });

  it('a pipeline name that an existing project.json overrides', () => {
    const model = analyzeWorkspace({
      workspaceRoot: '/ws',
      files: [parsePipelineFile('svc/svc.pipeline.ts', `${head.replace("name: 'p'", "name: 'pipes'")}export const refresh = step(() => 1);\n`)],
      existingProject: () => ({ name: 'service', source: 'project.json' }),
    });
    expect(model.projects[0]?.displayName).toBe('service');
    expect(model.projects[0]?.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`)).toEqual([
      'warning NXS112: The steps join project "service" (named by svc/project.json); pipeline name "pipes" is not used.',
    ]);
  });

  it('a step name nx run cannot reach', () => {
    expect(problems({ 'p/p.pipeline.ts': `${head}export const t = step(() => 1);\n` })).toContain(
      'error NXS108: Step name `t` cannot be run: Nx reads `nx run p:t` as an alias of another target.',
    );
  });
});

/**
 * Factories with literal arguments are steps; every other step(...) call
 * that would make no target is a located diagnostic, never dropped.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '../diagnostics';
import { analyzeWorkspace } from '../model/analyze';
import { parsePipelineFile } from './parse-pipeline';

const head = "import { pipeline, step } from 'nx-steps';\nexport default pipeline({ name: 'sims' });\n";

function read(source: string) {
  const parsed = parsePipelineFile('sims/sims.pipeline.ts', source);
  const project = analyzeWorkspace({ workspaceRoot: '/ws', files: [parsed], existingProject: () => undefined }).projects[0];
  return { parsed, project, text: formatDiagnostics([...(project?.diagnostics ?? [])], () => source) };
}

describe('step factories', () => {
  it('a factory called with literal arguments makes a step: options read with the arguments bound, the arguments its item', () => {
    const { parsed, project, text } =
      read(`${head}const simStep = (scenario: number, scale = 2) => step({ params: { scenario, scale } }, ({ scenario, scale }) => scenario * scale);
export const sim_a = simStep(1);
export const sim_b = simStep(2, 10);
`);
    expect(text).toBe('');
    expect(parsed.steps.map((s) => [s.exportedAs, s.params, s.factory])).toEqual([
      ['sim_a', { scenario: 1, scale: 2 }, { name: 'simStep', args: [1, 2] }],
      ['sim_b', { scenario: 2, scale: 10 }, { name: 'simStep', args: [2, 10] }],
    ]);
    // The code is the whole factory (the step function closes over its parameters).
    expect(parsed.steps[0]?.fn).toEqual(parsed.module.decls['simStep']?.[0]);
    expect(project?.steps.map((s) => s.item?.key)).toEqual(['simStep(1, 2)', 'simStep(2, 10)']);
  });

  it('a function declaration works too; a factory whose step reads a parameter in its function has it in the key through its item', () => {
    const { project, text } = read(
      `${head}function region(name: string) {\n  return step(() => name.toUpperCase());\n}\nexport const north = region('north');\n`,
    );
    expect(text).toBe('');
    expect(project?.steps[0]?.item).toEqual({ key: 'region("north")', source: { kind: 'value', value: { factory: 'region', args: ['north'] } } });
  });

  it('a computed argument is a located error, and the step a target that fails with it', () => {
    const { project, text } = read(`${head}const simStep = (id: number) => step(() => id);\nexport const sim_env = simStep(Number(process.env.ID));\n`);
    expect(text).toMatchInlineSnapshot(`
      "sims/sims.pipeline.ts:4:32 - error NXS116: Argument \`id\` of factory \`simStep\` must be a literal value for \`sim_env\` to be a step: function calls run at run time, not when the graph is built.

        4 | export const sim_env = simStep(Number(process.env.ID));
          |                                ^^^^^^^^^^^^^^^^^^^^^^

        nx-steps reads declarations without running them. Declare each step as its own top-level export, or one step over many items: step({ each: { id: [1, 2, 3] } }, ({ id }) => ...)."
    `);
    expect(project?.steps.map((s) => [s.name, s.errors.map((e) => e.code)])).toEqual([['sim_env', ['NXS116']]]);
  });

  it('loops and .map(...) are located errors; a factory nobody calls is a warning', () => {
    const { text } = read(`${head}const make = (id: number) => step(() => id);
for (const id of [1, 2]) {
  module.exports['s' + id] = make(id);
}
export const all = [1, 2].map((i) => step(() => i));
const unused = (n: number) => step(() => n);
`);
    expect(text.split('\n').filter((l) => / - (error|warning) /.test(l))).toEqual([
      'sims/sims.pipeline.ts:5:30 - error NXS116: This call of factory `make` makes a step nx-steps cannot see (inside a loop): it becomes no target.',
      'sims/sims.pipeline.ts:7:38 - error NXS116: This step(...) is inside a callback of .map(...): it becomes no target.',
      'sims/sims.pipeline.ts:8:31 - warning NXS116: Factory `unused` is never called as `export const name = unused(...)`: its step becomes no target.',
    ]);
  });
});

/**
 * No silent blind spots (issue 22): every load the analysis cannot name is
 * followed (an alias of `require`, a specifier behind `as`, `satisfies`,
 * `!`, `<string>` or parentheses, which erase to the literal) or makes the
 * step take its module's whole folder, and is named in the run's output and
 * in `nx-steps fingerprint` (e2e/rig/engine/unnamed-loads.test.ts checks the
 * words). Each case edits the module the hidden load reaches.
 */
import type { AdversarialCase } from '../harness';
import { pipelineFile } from '../harness';

const U = 'unnamed loads';

const A = "export const value = 'a1';\n";

function hidden(id: string, title: string, body: string, extra: { imports?: string; smoke?: boolean } = {}): AdversarialCase {
  return {
    id,
    category: U,
    title,
    files: { 'main.pipeline.ts': pipelineFile(id, { ...(extra.imports ? { imports: extra.imports } : {}), steps: { subject: body } }), 'a.ts': A },
    edit: { 'a.ts': ["'a1'", "'a2'"] },
    changes: true,
    ...(extra.smoke ? { smoke: true } : {}),
  };
}

export const UNNAMED_LOAD_CASES: readonly AdversarialCase[] = [
  hidden('ul-require-alias', "an alias of require: const load = require; load('./a')", "const load = require;\nreturn load('./a').value;", { smoke: true }),
  hidden(
    'ul-require-bound',
    'module.require bound to a name: const r = module.require.bind(module)',
    "const r = module.require.bind(module);\nreturn r('./a').value;",
  ),
  hidden(
    'ul-require-destructured',
    'require taken out of an object: const { require: r } = { require }',
    "const { require: r } = { require };\nreturn r('./a').value;",
  ),
  hidden('ul-module-require', "module.require('./a')", "return module.require('./a').value;"),
  hidden('ul-require-as-value', 'require handed to map as a value', "return ['./a'].map(require)[0].value;"),
  hidden('ul-require-call', "require.call(null, './a')", "return require.call(null, './a').value;"),
  hidden('ul-specifier-as', "a specifier behind a type assertion: require(('./a' as string))", "return require(('./a' as string)).value;", { smoke: true }),
  hidden('ul-specifier-angle', 'a specifier behind <string>', "return require(<string>'./a').value;"),
  hidden('ul-specifier-satisfies', 'a specifier behind satisfies', "return require('./a' satisfies string).value;"),
  hidden('ul-specifier-non-null', "a specifier behind ! ('./a'!)", "return require('./a'!).value;"),
  hidden('ul-import-as', "import(('./a' as string)) in the step", "return (await import(('./a' as string))).value;"),
  hidden(
    'ul-computed-specifier',
    'a specifier computed from a variable: the whole folder counts',
    "const name = './' + ['a'].join('');\nvoid name;\nconst which = name;\nreturn require(which).value;",
    { smoke: true },
  ),
  hidden('ul-eval-require', 'eval of a string that requires: the whole folder counts', 'return eval("require(\'./a\')").value;'),
  hidden(
    'ul-create-require-other',
    'createRequire of a computed path: the whole folder counts',
    "const req = createRequire(join(process.cwd(), 'cases/ul-create-require-other/x.js'));\nreturn req('./a').value;",
    { imports: "import { createRequire } from 'node:module';\nimport { join } from 'node:path';" },
  ),
];

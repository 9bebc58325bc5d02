/**
 * Attacks on the identity rule (issue 22): identity stays out of a step's
 * key only when its code provably cannot see it (plugin/core/code/identity.ts).
 * Each case renames a step, or moves its folder, while the code learns its
 * name or place another way: its context aliased, passed on, spread, read by
 * a computed key, through `arguments` or a rest parameter; its function
 * declared elsewhere; Nx's task variables; a package; `module.exports`; its
 * own path through `__dirname`, `import.meta`, `require.resolve` or a stack
 * trace; a tsconfig that stops applying. Each must re-run; the blind twins
 * restore (issue 13).
 */
import * as fs from 'node:fs';
import type { AdversarialCase, FileSpec } from '../harness';

const A = 'identity attacks';

/** A pipeline whose step `before` (renamed `after` by the edit) runs `fn`, counting under a fixed key. */
function renamed(id: string, fn: string, extra: { imports?: string; top?: string; files?: Record<string, FileSpec> } = {}): AdversarialCase {
  return {
    id,
    category: A,
    title: '',
    files: {
      'main.pipeline.ts': `import { pipeline, step } from 'nx-steps';\nimport { count } from '../../tools/count';\n${extra.imports ?? ''}\n\nexport default pipeline({ name: '${id}' });\n\n${extra.top ?? ''}\nexport const before = step(${fn});\n`,
      ...extra.files,
    },
    targets: { [`${id}:subject`]: ':before' },
    targetsAfter: { [`${id}:subject`]: ':after' },
    edit: { 'main.pipeline.ts': ['export const before =', 'export const after ='] },
    changes: true,
  };
}

const titled = (c: AdversarialCase, title: string, more: Partial<AdversarialCase> = {}): AdversarialCase => ({ ...c, title, ...more });

const counted = (id: string) => `count('${id}:subject');`;

/** A folder `p` holding the pipeline, moved to `q` by the edit. */
function moved(
  id: string,
  body: string,
  extra: { imports?: string; files?: Record<string, FileSpec>; outer?: Record<string, FileSpec>; changes?: boolean } = {},
): AdversarialCase {
  return {
    id,
    category: A,
    title: '',
    files: {
      'p/main.pipeline.ts': `import * as path from 'node:path';\nimport { pipeline, step } from 'nx-steps';\nimport { count } from '../../../tools/count';\n${extra.imports ?? ''}\n\nexport default pipeline({ name: '${id}' });\n\nexport const subject = step(async () => {\n  ${counted(id)}\n  void path;\n  ${body}\n});\n`,
      ...Object.fromEntries(Object.entries(extra.files ?? {}).map(([k, v]) => [`p/${k}`, v])),
      ...extra.outer,
    },
    targets: { [`${id}:subject`]: 'p:subject' },
    targetsAfter: { [`${id}:subject`]: 'q:subject' },
    // `mv p q`: the outputs on disk move with it.
    edit: (c) => fs.renameSync(c.path('p'), c.path('q')),
    changes: extra.changes ?? true,
  };
}

const CLASS_FIELDS = `class Base {
  value = 'base';
  constructor() {
    this.init();
  }
  init() {}
}
class Derived extends Base {
  value: string | undefined;
  override init() {
    this.value = 'set';
  }
}
export function fieldValue() {
  return String(new Derived().value);
}
`;

export const IDENTITY_ATTACK_CASES: readonly AdversarialCase[] = [
  titled(
    renamed('ia-ctx-alias', `async (_i: {}, ctx) => {\n  ${counted('ia-ctx-alias')}\n  const c = ctx;\n  return c.step;\n}`),
    'ctx aliased (const c = ctx), the step renamed',
  ),
  titled(
    renamed('ia-ctx-passed', `async (_i: {}, ctx) => {\n  ${counted('ia-ctx-passed')}\n  return nameOf(ctx);\n}`, {
      top: 'function nameOf(c: { step: string }) {\n  return c.step;\n}\n',
    }),
    'ctx passed to a helper, the step renamed',
    { smoke: true },
  ),
  titled(
    renamed(
      'ia-ctx-computed',
      `async (_i: {}, ctx) => {\n  ${counted('ia-ctx-computed')}\n  const k = 'st' + 'ep';\n  return (ctx as unknown as Record<string, string>)[k];\n}`,
    ),
    'ctx read by a computed key',
  ),
  titled(renamed('ia-ctx-spread', `async (_i: {}, ctx) => {\n  ${counted('ia-ctx-spread')}\n  return { ...ctx }.step;\n}`), 'ctx spread into an object'),
  titled(
    renamed('ia-ctx-destructured', `async (_i: {}, ctx) => {\n  ${counted('ia-ctx-destructured')}\n  const { step: s } = ctx;\n  return s;\n}`),
    'ctx destructured in the body',
  ),
  titled(
    renamed('ia-ctx-param-pattern', `async (_i: {}, { log, step: s }) => {\n  ${counted('ia-ctx-param-pattern')}\n  void log;\n  return s;\n}`),
    'ctx destructured in the parameter list, with step',
  ),
  titled(
    renamed(
      'ia-ctx-values',
      `async (_i: {}, ctx) => {\n  ${counted('ia-ctx-values')}\n  return Object.values(ctx).filter((v) => typeof v === 'string' && !v.includes('/')).join();\n}`,
    ),
    'Object.values(ctx)',
  ),
  titled(
    renamed('ia-ctx-arguments', `async function (_i: {}) {\n  ${counted('ia-ctx-arguments')}\n  return (arguments[1] as { step: string }).step;\n}`),
    "a function's arguments object",
  ),
  titled(
    renamed('ia-ctx-rest', `async (...all: unknown[]) => {\n  ${counted('ia-ctx-rest')}\n  return (all[1] as { step: string }).step;\n}`),
    'a rest parameter',
  ),
  titled(
    renamed('ia-ctx-default', `async (_i: {}, ctx: { step: string }, s = ctx.step) => {\n  ${counted('ia-ctx-default')}\n  return s;\n}`),
    "a later parameter's default",
  ),
  titled(
    renamed('ia-fn-declared', 'impl', { top: `async function impl(_i: {}, ctx: { step: string }) {\n  ${counted('ia-fn-declared')}\n  return ctx.step;\n}\n` }),
    'the step function declared by name in the file',
  ),
  titled(
    renamed('ia-fn-imported', 'impl', {
      imports: "import { impl } from './impl';",
      files: {
        'impl.ts': `import { count } from '../../tools/count';\nexport async function impl(_i: {}, ctx: { step: string }) {\n  ${counted('ia-fn-imported')}\n  return ctx.step;\n}\n`,
      },
    }),
    'the step function imported from another module',
  ),
  titled(renamed('ia-eval', `async (_i: {}, ctx) => {\n  ${counted('ia-eval')}\n  void ctx;\n  return eval('ctx.step');\n}`), "eval('ctx.step')"),
  titled(
    renamed('ia-env-task', `async () => {\n  ${counted('ia-env-task')}\n  return process.env.NX_TASK_TARGET_TARGET;\n}`),
    "Nx's task variable NX_TASK_TARGET_TARGET",
    { smoke: true },
  ),
  titled(
    renamed(
      'ia-env-enumerated',
      `async () => {\n  ${counted('ia-env-enumerated')}\n  return Object.entries(process.env).find(([k]) => k.endsWith('TARGET_TARGET'))?.[1];\n}`,
    ),
    'process.env enumerated',
  ),
  titled(
    renamed(
      'ia-env-destructured',
      `async () => {\n  ${counted('ia-env-destructured')}\n  const { env } = process;\n  return env['NX_TASK_' + 'TARGET_TARGET'];\n}`,
    ),
    'process.env taken out of process',
  ),
  titled(
    renamed('ia-env-builtin', `async () => {\n  ${counted('ia-env-builtin')}\n  return env.NX_TASK_TARGET_TARGET;\n}`, {
      imports: "import { env } from 'node:process';",
    }),
    "env imported from 'node:process'",
  ),
  titled(
    renamed('ia-package-reads-env', `async () => {\n  ${counted('ia-package-reads-env')}\n  return whoami();\n}`, {
      imports: "import whoami from 'fake-whoami';",
      files: {
        'node_modules/fake-whoami/package.json': JSON.stringify({ name: 'fake-whoami', version: '1.0.0', main: 'index.js' }),
        'node_modules/fake-whoami/index.js': 'module.exports = () => process.env.NX_TASK_TARGET_TARGET;\nmodule.exports.default = module.exports;\n',
      },
    }),
    'a package that reads the task variables',
  ),
  titled(
    renamed(
      'ia-module-exports',
      `async () => {\n  ${counted('ia-module-exports')}\n  return Object.keys(module.exports).filter((k) => k !== 'default').join();\n}`,
    ),
    "the module's own exports (module.exports) list the step's name",
  ),
  titled(moved('ia-moved-dirname', 'return path.basename(__dirname);'), 'the folder moved: a step returning __dirname', { smoke: true }),
  titled(
    moved('ia-moved-helper-filename', 'return where();', {
      imports: "import { where } from './where';",
      files: { 'where.ts': "export function where() {\n  return __filename.split('/').slice(-2).join('/');\n}\n" },
    }),
    'the folder moved: a helper returning its own __filename',
  ),
  titled(moved('ia-moved-import-meta', 'return path.basename(path.dirname(new URL(import.meta.url).pathname));'), 'the folder moved: import.meta.url'),
  titled(
    moved('ia-moved-require-resolve', "return path.basename(path.dirname(require.resolve('./h')));", { files: { 'h.ts': 'export const h = 1;\n' } }),
    'the folder moved: require.resolve',
  ),
  titled(moved('ia-moved-stack', "return (new Error().stack ?? '').includes('/p/');"), 'the folder moved: a stack trace'),
  titled(moved('ia-moved-blind', 'return 42;', { changes: false }), 'the folder moved: a step that cannot see where it is is kept (issue 13)', {
    precise: true,
  }),
  titled(
    moved('ia-moved-out-of-tsconfig', 'return fieldValue();', {
      imports: "import { fieldValue } from './fields';",
      files: { 'fields.ts': CLASS_FIELDS },
      outer: { 'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', useDefineForClassFields: false }, include: ['p/**/*'] }) },
    }),
    'the folder moved out of the include of the tsconfig that compiled it (useDefineForClassFields off there)',
  ),
  {
    id: 'ia-factory-ctx-step',
    category: A,
    title: 'two steps made by one factory with the same argument, each returning ctx.step (first run)',
    files: {
      'main.pipeline.ts': `import { pipeline, step } from 'nx-steps';\nimport { count } from '../../tools/count';\n\nexport default pipeline({ name: 'ia-factory-ctx-step' });\n\nconst mk = (n: number) =>\n  step(async (_i: {}, ctx) => {\n    count(\`ia-factory-ctx-step:\${ctx.step}\`);\n    return \`\${ctx.step}:\${n}\`;\n  });\n\nexport const one = mk(1);\nexport const two = mk(1);\n`,
    },
    targets: { 'ia-factory-ctx-step:one': ':one', 'ia-factory-ctx-step:two': ':two' },
    edit: {},
    changes: false,
    smoke: true,
  },
];

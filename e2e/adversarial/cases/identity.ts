/**
 * Identity (issue 22): no step is ever served another step's result. Two
 * steps whose inputs are equal, in one project or two, behind equal
 * upstream results, as fan-out items or factory calls; bodies swapped; a
 * project renamed, a step renamed, a folder moved, while the code reads
 * `ctx.step`, `ctx.project` or its own path. Most of these need no edit at
 * all: the first run is judged against a recompute too (the engine rig
 * does; e2e/adversarial.e2e.test.ts for its smoke set).
 *
 * Steps count their calls with a fixed key where the edit renames them, so
 * a call is attributed across the edit (`targets`, `targetsAfter`).
 */
import type { AdversarialCase } from '../harness';

const I = 'identity';

/** A pipeline file with the given body, importing the API and the counter (`../..` from a case folder, deeper with `depth`). */
function file(name: string, body: string, depth = 2, api = 'pipeline, step'): string {
  return `import { ${api} } from 'nx-steps';\nimport { count } from '${'../'.repeat(depth)}tools/count';\n\nexport default pipeline({ name: '${name}' });\n\n${body}`;
}

const csv = 'x\n1\n2\n9\n';

export const IDENTITY_CASES: readonly AdversarialCase[] = [
  {
    id: 'id-input-hash-twins',
    category: I,
    title: 'two input_hash steps of one project, no inputs, different results: each gets its own (first run)',
    files: {
      'main.pipeline.ts': file(
        'id-input-hash-twins',
        `export const first = step({ cache: 'input_hash' }, async () => {\n  count('id-input-hash-twins:first');\n  return 'one';\n});\n\nexport const second = step({ cache: 'input_hash' }, async () => {\n  count('id-input-hash-twins:second');\n  return 'two';\n});\n`,
      ),
    },
    edit: {},
    changes: false,
    smoke: true,
  },
  {
    id: 'id-input-hash-two-projects',
    category: I,
    title: 'alpha (mean) and beta (max) of a CSV with the same bytes, input_hash, in two projects (first run)',
    files: {
      'shared/data.csv': csv,
      'alpha/main.pipeline.ts': file(
        'id-input-hash-two-projects-alpha',
        `import * as fs from 'node:fs';\n\nexport const stat = step({ cache: 'input_hash', args: { data: file('../shared/data.csv') } }, async ({ data }) => {\n  count('id-input-hash-two-projects-alpha:stat');\n  const xs = fs.readFileSync(data, 'utf8').trim().split('\\n').slice(1).map(Number);\n  return xs.reduce((a, b) => a + b, 0) / xs.length;\n});\n`,
        3,
        'file, pipeline, step',
      ),
      'beta/main.pipeline.ts': file(
        'id-input-hash-two-projects-beta',
        `import * as fs from 'node:fs';\n\nexport const stat = step({ cache: 'input_hash', args: { data: file('../shared/data.csv') } }, async ({ data }) => {\n  count('id-input-hash-two-projects-beta:stat');\n  const xs = fs.readFileSync(data, 'utf8').trim().split('\\n').slice(1).map(Number);\n  return Math.max(...xs);\n});\n`,
        3,
        'file, pipeline, step',
      ),
    },
    edit: {},
    changes: false,
    smoke: true,
  },
  {
    id: 'id-equal-needs',
    category: I,
    title: 'two input_hash steps whose needs have equal results, returning different things (first run)',
    files: {
      'main.pipeline.ts': file(
        'id-equal-needs',
        [
          "export const up1 = step(async () => {\n  count('id-equal-needs:up1');\n  return [1, 2];\n});\n",
          "export const up2 = step(async () => {\n  count('id-equal-needs:up2');\n  return [1, 2];\n});\n",
          "export const sum = step({ cache: 'input_hash', needs: { xs: up1 } }, async ({ xs }) => {\n  count('id-equal-needs:sum');\n  return xs[0] + xs[1];\n});\n",
          "export const product = step({ cache: 'input_hash', needs: { xs: up2 } }, async ({ xs }) => {\n  count('id-equal-needs:product');\n  return xs[0] * xs[1] * 10;\n});\n",
        ].join('\n'),
      ),
    },
    edit: {},
    changes: false,
  },
  {
    id: 'id-fan-out-twins',
    category: I,
    title: 'two input_hash fan-outs over equal items, returning different things (first run)',
    files: {
      'main.pipeline.ts': file(
        'id-fan-out-twins',
        `export const square = step({ cache: 'input_hash', each: { n: [2, 3] } }, async ({ n }) => {\n  count(\`id-fan-out-twins:square.\${n}\`);\n  return n * n;\n});\n\nexport const double = step({ cache: 'input_hash', each: { n: [2, 3] } }, async ({ n }) => {\n  count(\`id-fan-out-twins:double.\${n}\`);\n  return n + n + 1;\n});\n`,
      ),
    },
    targets: {
      'id-fan-out-twins:square.2': ':square.2',
      'id-fan-out-twins:square.3': ':square.3',
      'id-fan-out-twins:double.2': ':double.2',
      'id-fan-out-twins:double.3': ':double.3',
    },
    edit: {},
    changes: false,
    smoke: true,
  },
  {
    id: 'id-ctx-step-twins',
    category: I,
    title: 'two code_hash steps with the same text `(_i, ctx) => ctx.step` in one file (first run)',
    files: {
      'main.pipeline.ts': file(
        'id-ctx-step-twins',
        'export const one = step(async (_i: {}, ctx) => {\n  count(`id-ctx-step-twins:${ctx.step}`);\n  return ctx.step;\n});\n\nexport const two = step(async (_i: {}, ctx) => {\n  count(`id-ctx-step-twins:${ctx.step}`);\n  return ctx.step;\n});\n',
      ),
    },
    edit: {},
    changes: false,
    smoke: true,
  },
  {
    id: 'id-swapped-bodies',
    category: I,
    title: 'two code_hash steps whose bodies (each built from ctx.step) are swapped',
    files: {
      'main.pipeline.ts': file(
        'id-swapped-bodies',
        'export const left = step(async (_i: {}, ctx) => {\n  count(`id-swapped-bodies:${ctx.step}`);\n  return `L:${ctx.step}`;\n});\n\nexport const right = step(async (_i: {}, ctx) => {\n  count(`id-swapped-bodies:${ctx.step}`);\n  return `R:${ctx.step}`;\n});\n',
      ),
    },
    edit: (c) => {
      c.apply({ 'main.pipeline.ts': ['return `L:${ctx.step}`;', 'return `TMP:${ctx.step}`;'] });
      c.apply({ 'main.pipeline.ts': ['return `R:${ctx.step}`;', 'return `L:${ctx.step}`;'] });
      c.apply({ 'main.pipeline.ts': ['return `TMP:${ctx.step}`;', 'return `R:${ctx.step}`;'] });
    },
    changes: true,
    smoke: true,
  },
  {
    id: 'id-project-renamed',
    category: I,
    title: 'the project renamed through pipeline({ name }): a code_hash step returning ctx.project re-runs',
    files: {
      'main.pipeline.ts': file(
        'id-project-renamed-old',
        "export const subject = step(async (_i: {}, ctx) => {\n  count('id-project-renamed:subject');\n  return ctx.project;\n});\n",
      ),
    },
    targets: { 'id-project-renamed:subject': ':subject' },
    edit: { 'main.pipeline.ts': ["name: 'id-project-renamed-old'", "name: 'id-project-renamed-new'"] },
    changes: true,
    smoke: true,
  },
  {
    id: 'id-project-renamed-input-hash',
    category: I,
    title: 'the project renamed: an input_hash step returning ctx.project re-runs too',
    files: {
      'main.pipeline.ts': file(
        'id-project-renamed-ih-old',
        "export const subject = step({ cache: 'input_hash' }, async (_i: {}, ctx) => {\n  count('id-project-renamed-input-hash:subject');\n  return ctx.project;\n});\n",
      ),
    },
    targets: { 'id-project-renamed-input-hash:subject': ':subject' },
    edit: { 'main.pipeline.ts': ["name: 'id-project-renamed-ih-old'", "name: 'id-project-renamed-ih-new'"] },
    changes: true,
  },
  {
    id: 'id-project-renamed-blind',
    category: I,
    title: 'the project renamed: a step that cannot see its name is kept (issue 13)',
    files: {
      'main.pipeline.ts': file(
        'id-project-renamed-blind-old',
        "export const subject = step(async (_i: {}, ctx) => {\n  count('id-project-renamed-blind:subject');\n  ctx.log.info('working');\n  return 42;\n});\n",
      ),
    },
    targets: { 'id-project-renamed-blind:subject': ':subject' },
    edit: { 'main.pipeline.ts': ["name: 'id-project-renamed-blind-old'", "name: 'id-project-renamed-blind-new'"] },
    changes: false,
    precise: true,
  },
  {
    id: 'id-step-renamed',
    category: I,
    title: 'a step renamed: one returning ctx.step re-runs, one that cannot see its name restores',
    files: {
      'main.pipeline.ts': file(
        'id-step-renamed',
        "export const named = step(async (_i: {}, ctx) => {\n  count('id-step-renamed:named');\n  return ctx.step;\n});\n\nexport const blind = step(async () => {\n  count('id-step-renamed:blind');\n  return 'same';\n});\n",
      ),
    },
    targets: { 'id-step-renamed:named': ':named', 'id-step-renamed:blind': ':blind' },
    targetsAfter: { 'id-step-renamed:named': ':called', 'id-step-renamed:blind': ':unseen' },
    edit: (c) => {
      c.apply({ 'main.pipeline.ts': ['export const named =', 'export const called ='] });
      c.apply({ 'main.pipeline.ts': ['export const blind =', 'export const unseen ='] });
    },
    changes: true,
    smoke: true,
  },
];

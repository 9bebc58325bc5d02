/**
 * Category 4, continued: modules a step loads while it runs (require() and import() of a computed
 * specifier, workers, createRequire, an ES module package). The file Node and tsx load at run time is the
 * file that must be hashed.
 */
import type { AdversarialCase } from '../harness';
import { pipelineFile } from '../harness';

const R = '4 resolution';

export const RUNTIME_LOAD_CASES: readonly AdversarialCase[] = [
  {
    id: 'c4-require-template-literal',
    category: R,
    title: 'require() of a template literal naming one of several plugins',
    files: {
      'main.pipeline.ts': pipelineFile('c4-require-template-literal', {
        steps: { subject: "const name = ['b', 'eta'].join('');\nreturn require(`./plugins/${name}`).value();" },
      }),
      'plugins/alpha.ts': 'export function value() {\n  return 1;\n}\n',
      'plugins/beta.ts': 'export function value() {\n  return 2;\n}\n',
    },
    edit: { 'plugins/beta.ts': ['return 2;', 'return 3;'] },
    changes: true,
  },
  {
    id: 'c4-dynamic-import-template-mjs',
    category: R,
    title: 'await import() of a template literal (an ES module)',
    files: {
      'main.pipeline.ts': pipelineFile('c4-dynamic-import-template-mjs', {
        steps: { subject: "const name = 'beta';\nconst m = await import(`./plugins/${name}.mjs`);\nreturn m.value();" },
      }),
      'plugins/alpha.mjs': 'export function value() {\n  return 1;\n}\n',
      'plugins/beta.mjs': 'export function value() {\n  return 2;\n}\n',
    },
    edit: { 'plugins/beta.mjs': ['return 2;', 'return 3;'] },
    changes: true,
  },
  {
    id: 'c4-dynamic-import-literal-mjs',
    category: R,
    title: "await import('./x.mjs') inside the step",
    files: {
      'main.pipeline.ts': pipelineFile('c4-dynamic-import-literal-mjs', { steps: { subject: "const m = await import('./x.mjs');\nreturn m.value();" } }),
      'x.mjs': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'x.mjs': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-worker-path',
    category: R,
    title: "new Worker('./cases/.../w.js'): a path from the process's working folder",
    files: {
      'main.pipeline.ts': pipelineFile('c4-worker-path', {
        imports: "import { Worker } from 'node:worker_threads';",
        steps: {
          subject:
            "return await new Promise((resolve, reject) => {\n  const w = new Worker('./cases/c4-worker-path/w.js');\n  w.once('message', resolve);\n  w.once('error', reject);\n});",
        },
      }),
      'w.js': "const { parentPort } = require('node:worker_threads');\nparentPort.postMessage('w1');\n",
    },
    edit: { 'w.js': ["'w1'", "'w2'"] },
    changes: true,
  },
  {
    id: 'c4-worker-url',
    category: R,
    title: "new Worker(new URL('./w.js', import.meta.url))",
    files: {
      'main.pipeline.ts': pipelineFile('c4-worker-url', {
        imports: "import { Worker } from 'node:worker_threads';",
        steps: {
          subject:
            "return await new Promise((resolve, reject) => {\n  const w = new Worker(new URL('./w.js', import.meta.url));\n  w.once('message', resolve);\n  w.once('error', reject);\n});",
        },
      }),
      'w.js': "const { parentPort } = require('node:worker_threads');\nparentPort.postMessage('w1');\n",
    },
    edit: { 'w.js': ["'w1'", "'w2'"] },
    changes: true,
  },
  {
    id: 'c4-require-resolve-read',
    category: R,
    title: 'require.resolve() of a data file the step then reads',
    files: {
      'main.pipeline.ts': pipelineFile('c4-require-resolve-read', {
        imports: "import { readFileSync } from 'node:fs';",
        steps: { subject: "return JSON.parse(readFileSync(require.resolve('./table.json'), 'utf8')).rows;" },
      }),
      'table.json': '{ "rows": 3 }\n',
    },
    edit: { 'table.json': ['3', '4'] },
    changes: true,
  },
  {
    id: 'c4-json-import',
    category: R,
    title: 'an imported JSON module',
    files: {
      'main.pipeline.ts': pipelineFile('c4-json-import', { imports: "import table from './table.json';", steps: { subject: 'return table.rows;' } }),
      'table.json': '{ "rows": 3 }\n',
    },
    edit: { 'table.json': ['3', '4'] },
    changes: true,
  },
  {
    id: 'c4-folder-with-main',
    category: R,
    title: 'a folder import resolved through its package.json "main"',
    files: {
      'main.pipeline.ts': pipelineFile('c4-folder-with-main', { imports: "import { value } from './lib';", steps: { subject: 'return value();' } }),
      'lib/package.json': JSON.stringify({ main: 'impl.ts' }),
      'lib/impl.ts': 'export function value() {\n  return 1;\n}\n',
      'lib/index.ts': 'export function value() {\n  return 100;\n}\n',
    },
    edit: { 'lib/impl.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-ts-and-js-siblings',
    category: R,
    title: 'a.ts and a.js side by side: a.ts runs, a.js is hashed too',
    files: {
      'main.pipeline.ts': pipelineFile('c4-ts-and-js-siblings', { imports: "import { value } from './a';", steps: { subject: 'return value();' } }),
      'a.ts': 'export function value() {\n  return 1;\n}\n',
      'a.js': 'exports.value = function () {\n  return 100;\n};\n',
    },
    edit: { 'a.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-js-extension-means-ts',
    category: R,
    title: "import './a.js' runs a.ts",
    files: {
      'main.pipeline.ts': pipelineFile('c4-js-extension-means-ts', { imports: "import { value } from './a.js';", steps: { subject: 'return value();' } }),
      'a.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'a.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-cjs-helper',
    category: R,
    title: 'a CommonJS .js helper (module.exports) taken whole',
    files: {
      'main.pipeline.ts': pipelineFile('c4-cjs-helper', { imports: "import { value } from './legacy.js';", steps: { subject: 'return value();' } }),
      'legacy.js': 'function base() {\n  return 1;\n}\nmodule.exports = { value: () => base() };\n',
    },
    edit: { 'legacy.js': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-namespace-import-dynamic-key',
    category: R,
    title: 'a namespace import indexed by a computed name',
    files: {
      'main.pipeline.ts': pipelineFile('c4-namespace-import-dynamic-key', {
        imports: "import * as ops from './ops';",
        steps: { subject: "const name = ['do', 'uble'].join('');\nreturn (ops as any)[name](2);" },
      }),
      'ops.ts': 'export function double(x: number) {\n  return x * 2;\n}\nexport function triple(x: number) {\n  return x * 3;\n}\n',
    },
    edit: { 'ops.ts': ['x * 2', 'x * 20'] },
    changes: true,
  },
  {
    id: 'c4-reexport-star',
    category: R,
    title: 'a helper reached through `export *`',
    files: {
      'main.pipeline.ts': pipelineFile('c4-reexport-star', { imports: "import { value } from './index';", steps: { subject: 'return value();' } }),
      'index.ts': "export * from './impl';\n",
      'impl.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'impl.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-esm-package',
    category: R,
    title: 'a pipeline in a "type": "module" folder and its helper',
    files: {
      'package.json': JSON.stringify({ name: 'c4-esm-package', private: true, type: 'module' }),
      'main.pipeline.ts': pipelineFile('c4-esm-package', { imports: "import { value } from './helper.js';", steps: { subject: 'return value();' } }),
      'helper.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'helper.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-import-meta-resolve',
    category: R,
    title: 'import.meta.resolve() of a data file the step then reads (an ES module pipeline)',
    files: {
      'package.json': JSON.stringify({ name: 'c4-import-meta-resolve', private: true, type: 'module' }),
      'main.pipeline.ts': pipelineFile('c4-import-meta-resolve', {
        imports: "import { readFileSync } from 'node:fs';",
        steps: { subject: "return JSON.parse(readFileSync(new URL(import.meta.resolve('./table.json')), 'utf8')).rows;" },
      }),
      'table.json': '{ "rows": 3 }\n',
    },
    edit: { 'table.json': ['3', '4'] },
    changes: true,
  },
  {
    id: 'c4-esm-dynamic-import',
    category: R,
    title: "await import('./a') in an ES module pipeline",
    files: {
      'package.json': JSON.stringify({ name: 'c4-esm-dynamic-import', private: true, type: 'module' }),
      'main.pipeline.ts': pipelineFile('c4-esm-dynamic-import', { steps: { subject: "const m = await import('./a');\nreturn m.value();" } }),
      'a.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'a.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-module-type-flips',
    category: R,
    title: 'package.json "type" flips from commonjs to module: the same code runs differently',
    files: {
      'package.json': JSON.stringify({ name: 'c4-module-type-flips', private: true, type: 'commonjs' }),
      'main.pipeline.ts': pipelineFile('c4-module-type-flips', { imports: "import { kind } from './helper.js';", steps: { subject: 'return kind();' } }),
      'helper.ts': "export function kind() {\n  return typeof require === 'function' ? 'commonjs' : 'module';\n}\n",
    },
    edit: { 'package.json': ['"commonjs"', '"module"'] },
    changes: true,
  },
];

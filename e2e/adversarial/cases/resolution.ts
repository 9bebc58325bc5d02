/**
 * Category 4: resolution that differs from what runs. The file Node and tsx
 * load at run time is the file that must be hashed.
 */
import type { AdversarialCase } from '../harness';
import { pipelineFile } from '../harness';

const R = '4 resolution';

const pkg = (name: string, extra: Record<string, unknown> = {}) => JSON.stringify({ name, version: '1.0.0', ...extra }, null, 2);

export const RESOLUTION_CASES: readonly AdversarialCase[] = [
  {
    id: 'c4-import-equals-require',
    category: R,
    title: "`import h = require('./a')`",
    files: {
      'main.pipeline.ts': pipelineFile('c4-import-equals-require', { imports: "import h = require('./a');", steps: { subject: 'return h.value();' } }),
      'a.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'a.ts': ['return 1;', 'return 2;'] },
    changes: true,
    daemon: true,
  },
  {
    id: 'c4-create-require',
    category: R,
    title: 'a module loaded through createRequire(__filename)',
    files: {
      'main.pipeline.ts': pipelineFile('c4-create-require', {
        imports: "import { createRequire } from 'node:module';\nconst load = createRequire(__filename);",
        steps: { subject: "return load('./a').value();" },
      }),
      'a.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'a.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-package-imports',
    category: R,
    title: 'package.json "imports" (#util)',
    files: {
      'package.json': JSON.stringify({ name: 'c4-package-imports', private: true, imports: { '#util': './util.ts' } }),
      'main.pipeline.ts': pipelineFile('c4-package-imports', { imports: "import { value } from '#util';", steps: { subject: 'return value();' } }),
      'util.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'util.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-package-imports-retarget',
    category: R,
    title: 'package.json "imports" pointed at another file',
    files: {
      'package.json': JSON.stringify({ name: 'c4-package-imports-retarget', private: true, imports: { '#util': './one.ts' } }),
      'main.pipeline.ts': pipelineFile('c4-package-imports-retarget', { imports: "import { value } from '#util';", steps: { subject: 'return value();' } }),
      'one.ts': 'export function value() {\n  return 1;\n}\n',
      'two.ts': 'export function value() {\n  return 2;\n}\n',
    },
    edit: { 'package.json': ['./one.ts', './two.ts'] },
    changes: true,
  },
  {
    id: 'c4-baseurl-without-paths',
    category: R,
    title: 'tsconfig baseUrl without paths: a bare specifier found under baseUrl',
    files: {
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.' } }),
      'main.pipeline.ts': pipelineFile('c4-baseurl-without-paths', { imports: "import { value } from 'helpers/calc';", steps: { subject: 'return value();' } }),
      'helpers/calc.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'helpers/calc.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-baseurl-shadows-package',
    category: R,
    title: 'a folder under baseUrl named like an installed package wins over node_modules',
    files: {
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.' } }),
      'main.pipeline.ts': pipelineFile('c4-baseurl-shadows-package', {
        imports: "import isNumber from 'is-number';",
        steps: { subject: 'return isNumber(5);' },
      }),
      'is-number/index.ts': 'export default function isNumber(x: unknown) {\n  return `local ${String(x)}`;\n}\n',
    },
    edit: { 'is-number/index.ts': ['`local ', '`shadow '] },
    changes: true,
  },
  {
    id: 'c4-paths-alias',
    category: R,
    title: 'a tsconfig paths alias',
    files: {
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@c4/*': ['./libs/*/index.ts'] } } }),
      'main.pipeline.ts': pipelineFile('c4-paths-alias', { imports: "import { value } from '@c4/math';", steps: { subject: 'return value();' } }),
      'libs/math/index.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'libs/math/index.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-paths-retarget',
    category: R,
    title: 'a tsconfig paths alias pointed at another file',
    files: {
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@c4/math': ['./one.ts'] } } }),
      'main.pipeline.ts': pipelineFile('c4-paths-retarget', { imports: "import { value } from '@c4/math';", steps: { subject: 'return value();' } }),
      'one.ts': 'export function value() {\n  return 1;\n}\n',
      'two.ts': 'export function value() {\n  return 2;\n}\n',
    },
    edit: { 'tsconfig.json': ['./one.ts', './two.ts'] },
    changes: true,
  },
  {
    id: 'c4-paths-from-nearest-tsconfig-only',
    category: R,
    title: "a helper folder's own tsconfig paths are not what tsx uses: the pipeline's tsconfig decides",
    files: {
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@lib': ['./lib-a.ts'] } } }),
      'main.pipeline.ts': pipelineFile('c4-paths-from-nearest-tsconfig-only', {
        imports: "import { value } from './sub/helper';",
        steps: { subject: 'return value();' },
      }),
      'sub/tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@lib': ['./lib-b.ts'] } } }),
      'sub/helper.ts': "import { lib } from '@lib';\nexport function value() {\n  return lib();\n}\n",
      'sub/lib-b.ts': "export function lib() {\n  return 'b';\n}\n",
      'lib-a.ts': "export function lib() {\n  return 'a';\n}\n",
    },
    edit: { 'lib-a.ts': ["'a'", "'A'"] },
    changes: true,
  },
  {
    id: 'c4-workspace-package-built-main',
    category: R,
    title: 'a workspace package whose "main" points at built JavaScript: the built file runs',
    files: {
      'main.pipeline.ts': pipelineFile('c4-workspace-package-built-main', {
        imports: "import { value } from '@c4/lib';",
        steps: { subject: 'return value();' },
      }),
      'lib/package.json': pkg('@c4/lib', { main: 'dist/index.js' }),
      'lib/src/index.ts': 'export function value() {\n  return 1;\n}\n',
      'lib/dist/index.js': 'exports.value = function () {\n  return 1;\n};\n',
      'node_modules/@c4/lib': { link: '../../lib' },
    },
    edit: { 'lib/dist/index.js': ['return 1;', 'return 2;'] },
    changes: true,
    daemon: true,
  },
  {
    id: 'c4-workspace-package-source-not-run',
    category: R,
    title: 'the same package: editing its TypeScript source does not change what runs',
    files: {
      'main.pipeline.ts': pipelineFile('c4-workspace-package-source-not-run', {
        imports: "import { value } from '@c4/lib';",
        steps: { subject: 'return value();' },
      }),
      'lib/package.json': pkg('@c4/lib', { main: 'dist/index.js' }),
      'lib/src/index.ts': 'export function value() {\n  return 1;\n}\n',
      'lib/dist/index.js': 'exports.value = function () {\n  return 1;\n};\n',
      'node_modules/@c4/lib': { link: '../../lib' },
    },
    edit: { 'lib/src/index.ts': ['return 1;', 'return 2;'] },
    changes: false,
    precise: true,
  },
  {
    id: 'c4-workspace-package-exports',
    category: R,
    title: 'a workspace package with conditional "exports": the require condition runs',
    files: {
      'main.pipeline.ts': pipelineFile('c4-workspace-package-exports', { imports: "import { value } from '@c4/exp';", steps: { subject: 'return value();' } }),
      'exp/package.json': pkg('@c4/exp', { exports: { '.': { import: './esm.mjs', require: './cjs.js' } } }),
      'exp/esm.mjs': 'export function value() {\n  return 1;\n}\n',
      'exp/cjs.js': 'exports.value = function () {\n  return 1;\n};\n',
      'node_modules/@c4/exp': { link: '../../exp' },
    },
    edit: { 'exp/cjs.js': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'c4-symlinked-package-repointed',
    category: R,
    title: 'a symlinked package re-pointed to another folder (same name and version)',
    files: {
      'main.pipeline.ts': pipelineFile('c4-symlinked-package-repointed', {
        imports: "import { value } from '@c4/impl';",
        steps: { subject: 'return value();' },
      }),
      'impl-a/package.json': pkg('@c4/impl', { main: 'index.js' }),
      'impl-a/index.js': "exports.value = function () {\n  return 'a';\n};\n",
      'impl-b/package.json': pkg('@c4/impl', { main: 'index.js' }),
      'impl-b/index.js': "exports.value = function () {\n  return 'b';\n};\n",
      'node_modules/@c4/impl': { link: '../../impl-a' },
    },
    edit: { 'node_modules/@c4/impl': { link: '../../impl-b' } },
    changes: true,
    daemon: true,
  },
  {
    id: 'c4-symlinked-file-repointed',
    category: R,
    title: 'a helper that is a symbolic link, re-pointed to another file',
    files: {
      'main.pipeline.ts': pipelineFile('c4-symlinked-file-repointed', { imports: "import { value } from './helper';", steps: { subject: 'return value();' } }),
      'impl-a.ts': "export function value() {\n  return 'a';\n}\n",
      'impl-b.ts': "export function value() {\n  return 'b';\n}\n",
      'helper.ts': { link: 'impl-a.ts' },
    },
    edit: { 'helper.ts': { link: 'impl-b.ts' } },
    changes: true,
  },
  {
    id: 'c4-symlinked-folder-relative-import',
    category: R,
    title: 'a helper reached through a linked folder imports relative to its real folder',
    files: {
      'main.pipeline.ts': pipelineFile('c4-symlinked-folder-relative-import', {
        imports: "import { value } from './linked/helper';",
        steps: { subject: 'return value();' },
      }),
      'real/helper.ts': "import { base } from './base';\nexport function value() {\n  return base();\n}\n",
      'real/base.ts': "export function base() {\n  return 'real';\n}\n",
      linked: { link: 'real' },
    },
    edit: { 'real/base.ts': ["'real'", "'REAL'"] },
    changes: true,
  },
];

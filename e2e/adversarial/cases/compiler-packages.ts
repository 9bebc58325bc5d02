/**
 * Category 5: compiler settings that change the JavaScript tsx emits.
 * Category 6: npm packages, direct and transitive, as installed.
 *
 * Each case carries its own tsconfig.json or node_modules in its folder:
 * tsx reads the tsconfig nearest the pipeline file, and Node finds the
 * nearest node_modules, so these stay case-local.
 */
import type { AdversarialCase, FileSpec } from '../harness';
import { pipelineFile } from '../harness';

const K = '5 compiler settings';
const P = '6 npm packages';

const tsconfig = (compilerOptions: Record<string, unknown>) => JSON.stringify({ compilerOptions }, null, 2);

/** A field declared in a subclass hides what the base constructor set, when fields use define semantics. */
const CLASS_FIELDS = `class Base {
  value: number | undefined;
  constructor() {
    this.init();
  }
  init() {}
}
class Derived extends Base {
  value: number | undefined;
  override init() {
    this.value = 1;
  }
}
export function fieldValue() {
  return String(new Derived().value);
}
`;

/** A fake installed package: package.json and an index.js. */
function npmPackage(dir: string, name: string, version: string, index: string, extra: Record<string, unknown> = {}): Record<string, FileSpec> {
  return {
    [`${dir}/package.json`]: JSON.stringify({ name, version, main: 'index.js', ...extra }, null, 2),
    [`${dir}/index.js`]: index,
  };
}

/** Replaces a fake package's version and code, as an upgrade would. */
function upgrade(dir: string, name: string, version: string, index: string, extra: Record<string, unknown> = {}): Record<string, string> {
  return {
    [`${dir}/package.json`]: JSON.stringify({ name, version, main: 'index.js', ...extra }, null, 2),
    [`${dir}/index.js`]: index,
  };
}

export const COMPILER_CASES: readonly AdversarialCase[] = [
  {
    id: 'c5-use-define-for-class-fields',
    category: K,
    title: 'useDefineForClassFields turned off',
    files: {
      'tsconfig.json': tsconfig({ target: 'ES2022', useDefineForClassFields: true }),
      'main.pipeline.ts': pipelineFile('c5-use-define-for-class-fields', {
        imports: "import { fieldValue } from './fields';",
        steps: { subject: 'return fieldValue();' },
      }),
      'fields.ts': CLASS_FIELDS,
    },
    edit: { 'tsconfig.json': ['"useDefineForClassFields": true', '"useDefineForClassFields": false'] },
    changes: true,
    daemon: true,
  },
  {
    id: 'c5-target',
    category: K,
    title: 'target ES2022 → ES2020 (which changes the class-field default)',
    files: {
      'tsconfig.json': tsconfig({ target: 'ES2022' }),
      'main.pipeline.ts': pipelineFile('c5-target', { imports: "import { fieldValue } from './fields';", steps: { subject: 'return fieldValue();' } }),
      'fields.ts': CLASS_FIELDS,
    },
    edit: { 'tsconfig.json': ['ES2022', 'ES2020'] },
    changes: true,
  },
  {
    id: 'c5-experimental-decorators',
    category: K,
    title: 'experimentalDecorators turned on (legacy decorators get other arguments)',
    files: {
      'tsconfig.json': tsconfig({ target: 'ES2022', experimentalDecorators: false }),
      'main.pipeline.ts': pipelineFile('c5-experimental-decorators', { imports: "import { seen } from './decorated';", steps: { subject: 'return seen;' } }),
      'decorated.ts':
        'export const seen: string[] = [];\nfunction tag(_value: unknown, context?: unknown) {\n  seen.push(typeof context);\n}\n@tag\nclass Model {}\n',
    },
    edit: { 'tsconfig.json': ['"experimentalDecorators": false', '"experimentalDecorators": true'] },
    changes: true,
  },
  {
    id: 'c5-jsx-factory',
    category: K,
    title: 'jsxFactory changed',
    files: {
      'tsconfig.json': tsconfig({ target: 'ES2022', jsx: 'react', jsxFactory: 'h' }),
      'main.pipeline.ts': pipelineFile('c5-jsx-factory', { imports: "import { render } from './view';", steps: { subject: 'return render();' } }),
      'view.tsx':
        'export function h(tag: string) {\n  return `h:${tag}`;\n}\nexport function h2(tag: string) {\n  return `h2:${tag}`;\n}\nexport function render() {\n  return <div /> as unknown as string;\n}\n',
    },
    edit: { 'tsconfig.json': ['"jsxFactory": "h"', '"jsxFactory": "h2"'] },
    changes: true,
  },
  {
    id: 'c5-strict-off',
    category: K,
    title: 'strict turned off: modules stop being emitted in strict mode',
    files: {
      'tsconfig.json': tsconfig({ target: 'ES2022', strict: true }),
      'main.pipeline.ts': pipelineFile('c5-strict-off', {
        imports: "import { thisIsUndefined } from './mode';",
        steps: { subject: 'return thisIsUndefined();' },
      }),
      'mode.ts': 'export function thisIsUndefined() {\n  return (function (this: unknown) {\n    return this === undefined;\n  })();\n}\n',
    },
    edit: { 'tsconfig.json': ['"strict": true', '"strict": false'] },
    changes: true,
  },
  {
    id: 'c5-verbatim-module-syntax',
    category: K,
    title: 'verbatimModuleSyntax keeps an import whose bindings are only types, and its effect',
    files: {
      'tsconfig.json': tsconfig({ target: 'ES2022', verbatimModuleSyntax: false }),
      'main.pipeline.ts': pipelineFile('c5-verbatim-module-syntax', {
        imports: "import { Shape } from './shape';",
        steps: { subject: "const s: Shape | undefined = undefined;\nreturn [s ?? null, (globalThis as any).shapeLoaded ?? 'no'];" },
      }),
      'shape.ts': "(globalThis as any).shapeLoaded = 'yes';\nexport interface Shape {\n  sides: number;\n}\n",
    },
    edit: { 'tsconfig.json': ['"verbatimModuleSyntax": false', '"verbatimModuleSyntax": true'] },
    changes: true,
  },
  {
    id: 'c5-nearer-tsconfig-appears',
    category: K,
    title: 'a tsconfig.json appears next to the pipeline file, nearer than the root one',
    files: {
      'main.pipeline.ts': pipelineFile('c5-nearer-tsconfig-appears', {
        imports: "import { thisIsUndefined } from './mode';",
        steps: { subject: 'return thisIsUndefined();' },
      }),
      'mode.ts': 'export function thisIsUndefined() {\n  return (function (this: unknown) {\n    return this === undefined;\n  })();\n}\n',
    },
    edit: { 'tsconfig.json': tsconfig({ target: 'ES2022', strict: false, alwaysStrict: false }) },
    changes: true,
  },
  {
    id: 'c5-extends-chain',
    category: K,
    title: 'a setting changed in the tsconfig the pipeline tsconfig extends',
    files: {
      'tsconfig.json': JSON.stringify({ extends: './tsconfig.shared.json' }),
      'tsconfig.shared.json': tsconfig({ target: 'ES2022', useDefineForClassFields: true }),
      'main.pipeline.ts': pipelineFile('c5-extends-chain', { imports: "import { fieldValue } from './fields';", steps: { subject: 'return fieldValue();' } }),
      'fields.ts': CLASS_FIELDS,
    },
    edit: { 'tsconfig.shared.json': ['"useDefineForClassFields": true', '"useDefineForClassFields": false'] },
    changes: true,
  },
  {
    id: 'c5-type-check-option',
    category: K,
    title: 'a type-checking option (noUnusedLocals) changes nothing that runs',
    files: {
      'tsconfig.json': tsconfig({ target: 'ES2022', noUnusedLocals: false }),
      'main.pipeline.ts': pipelineFile('c5-type-check-option', { steps: { subject: 'return 1;' } }),
    },
    edit: { 'tsconfig.json': ['"noUnusedLocals": false', '"noUnusedLocals": true'] },
    changes: false,
    precise: true,
  },
  {
    id: 'c5-unrelated-paths-alias',
    category: K,
    title: 'a new paths alias nothing imports changes nothing that runs',
    files: {
      'tsconfig.json': tsconfig({ target: 'ES2022', paths: { '@a/*': ['./a/*'] } }),
      'main.pipeline.ts': pipelineFile('c5-unrelated-paths-alias', { steps: { subject: 'return 1;' } }),
    },
    edit: { 'tsconfig.json': ['"@a/*": [', '"@b/*": [\n        "./b/*"\n      ],\n      "@a/*": ['] },
    changes: false,
    precise: true,
  },
];

export const PACKAGE_CASES: readonly AdversarialCase[] = [
  {
    id: 'c6-direct-upgrade',
    category: P,
    title: 'a package the step imports is upgraded',
    files: {
      'main.pipeline.ts': pipelineFile('c6-direct-upgrade', { imports: "import { value } from 'fake-a';", steps: { subject: 'return value();' } }),
      ...npmPackage('node_modules/fake-a', 'fake-a', '1.0.0', "exports.value = () => 'a1';\n"),
    },
    edit: upgrade('node_modules/fake-a', 'fake-a', '1.1.0', "exports.value = () => 'a2';\n"),
    changes: true,
    daemon: true,
  },
  {
    id: 'c6-transitive-upgrade',
    category: P,
    title: "a dependency of the step's package is upgraded (the direct one is not)",
    files: {
      'main.pipeline.ts': pipelineFile('c6-transitive-upgrade', { imports: "import { value } from 'fake-a';", steps: { subject: 'return value();' } }),
      ...npmPackage('node_modules/fake-a', 'fake-a', '1.0.0', "exports.value = () => require('fake-b').value();\n", { dependencies: { 'fake-b': '^1.0.0' } }),
      ...npmPackage('node_modules/fake-b', 'fake-b', '1.0.0', "exports.value = () => 'b1';\n"),
    },
    edit: upgrade('node_modules/fake-b', 'fake-b', '1.0.1', "exports.value = () => 'b2';\n"),
    changes: true,
    daemon: true,
  },
  {
    id: 'c6-transitive-two-levels',
    category: P,
    title: 'a dependency two levels down is upgraded',
    files: {
      'main.pipeline.ts': pipelineFile('c6-transitive-two-levels', { imports: "import { value } from 'fake-a';", steps: { subject: 'return value();' } }),
      ...npmPackage('node_modules/fake-a', 'fake-a', '1.0.0', "exports.value = () => require('fake-b').value();\n", { dependencies: { 'fake-b': '^1.0.0' } }),
      ...npmPackage('node_modules/fake-b', 'fake-b', '1.0.0', "exports.value = () => require('fake-c').value();\n", { dependencies: { 'fake-c': '^1.0.0' } }),
      ...npmPackage('node_modules/fake-c', 'fake-c', '1.0.0', "exports.value = () => 'c1';\n"),
    },
    edit: upgrade('node_modules/fake-c', 'fake-c', '1.2.0', "exports.value = () => 'c2';\n"),
    changes: true,
  },
  {
    id: 'c6-nested-dependency',
    category: P,
    title: 'a dependency installed nested under its dependent is upgraded',
    files: {
      'main.pipeline.ts': pipelineFile('c6-nested-dependency', { imports: "import { value } from 'fake-a';", steps: { subject: 'return value();' } }),
      ...npmPackage('node_modules/fake-a', 'fake-a', '1.0.0', "exports.value = () => require('fake-b').value();\n", { dependencies: { 'fake-b': '^2.0.0' } }),
      ...npmPackage('node_modules/fake-b', 'fake-b', '1.0.0', "exports.value = () => 'hoisted';\n"),
      ...npmPackage('node_modules/fake-a/node_modules/fake-b', 'fake-b', '2.0.0', "exports.value = () => 'nested-1';\n"),
    },
    edit: upgrade('node_modules/fake-a/node_modules/fake-b', 'fake-b', '2.0.1', "exports.value = () => 'nested-2';\n"),
    changes: true,
  },
  {
    id: 'c6-peer-dependency',
    category: P,
    title: 'a peer dependency of the step’s package is upgraded',
    files: {
      'main.pipeline.ts': pipelineFile('c6-peer-dependency', { imports: "import { value } from 'fake-plugin';", steps: { subject: 'return value();' } }),
      ...npmPackage('node_modules/fake-plugin', 'fake-plugin', '1.0.0', "exports.value = () => require('fake-host').name();\n", {
        peerDependencies: { 'fake-host': '*' },
      }),
      ...npmPackage('node_modules/fake-host', 'fake-host', '3.0.0', "exports.name = () => 'host3';\n"),
    },
    edit: upgrade('node_modules/fake-host', 'fake-host', '4.0.0', "exports.name = () => 'host4';\n"),
    changes: true,
  },
  {
    id: 'c6-optional-dependency-installed',
    category: P,
    title: 'a missing optional dependency gets installed',
    files: {
      'main.pipeline.ts': pipelineFile('c6-optional-dependency-installed', {
        imports: "import { value } from 'fake-a';",
        steps: { subject: 'return value();' },
      }),
      ...npmPackage(
        'node_modules/fake-a',
        'fake-a',
        '1.0.0',
        "exports.value = () => {\n  try {\n    return require('fake-opt').value();\n  } catch {\n    return 'none';\n  }\n};\n",
        { optionalDependencies: { 'fake-opt': '*' } },
      ),
    },
    edit: upgrade('node_modules/fake-opt', 'fake-opt', '1.0.0', "exports.value = () => 'opt';\n"),
    changes: true,
  },
  {
    id: 'c6-package-loaded-for-sibling',
    category: P,
    title: 'a package the pipeline file imports for another step patches a global when loaded, and is upgraded',
    files: {
      'main.pipeline.ts': pipelineFile('c6-package-loaded-for-sibling', {
        imports: "import { fmt } from 'fake-fmt';",
        steps: { subject: 'return (globalThis as any).fmtMode ?? null;', sibling: "return fmt('x');" },
      }),
      ...npmPackage('node_modules/fake-fmt', 'fake-fmt', '1.0.0', "globalThis.fmtMode = 'v1';\nexports.fmt = (s) => `[${s}]`;\n"),
    },
    edit: upgrade('node_modules/fake-fmt', 'fake-fmt', '2.0.0', "globalThis.fmtMode = 'v2';\nexports.fmt = (s) => `[${s}]`;\n"),
    changes: true,
  },
  {
    id: 'c6-pnpm-layout',
    category: P,
    title: 'a pnpm-style layout: the link is re-pointed at a new version in the store',
    files: {
      'main.pipeline.ts': pipelineFile('c6-pnpm-layout', { imports: "import { value } from 'fake-p';", steps: { subject: 'return value();' } }),
      ...npmPackage('node_modules/.pnpm/fake-p@1.0.0/node_modules/fake-p', 'fake-p', '1.0.0', "exports.value = () => require('fake-q').value();\n", {
        dependencies: { 'fake-q': '1' },
      }),
      ...npmPackage('node_modules/.pnpm/fake-q@1.0.0/node_modules/fake-q', 'fake-q', '1.0.0', "exports.value = () => 'q1';\n"),
      ...npmPackage('node_modules/.pnpm/fake-q@1.1.0/node_modules/fake-q', 'fake-q', '1.1.0', "exports.value = () => 'q2';\n"),
      'node_modules/.pnpm/fake-p@1.0.0/node_modules/fake-q': { link: '../../fake-q@1.0.0/node_modules/fake-q' },
      'node_modules/fake-p': { link: '.pnpm/fake-p@1.0.0/node_modules/fake-p' },
    },
    edit: { 'node_modules/.pnpm/fake-p@1.0.0/node_modules/fake-q': { link: '../../fake-q@1.1.0/node_modules/fake-q' } },
    changes: true,
  },
  {
    id: 'c6-package-required-in-step',
    category: P,
    title: 'a package required inside the step function only',
    files: {
      'main.pipeline.ts': pipelineFile('c6-package-required-in-step', { steps: { subject: "return require('fake-a').value();" } }),
      ...npmPackage('node_modules/fake-a', 'fake-a', '1.0.0', "exports.value = () => 'a1';\n"),
    },
    edit: upgrade('node_modules/fake-a', 'fake-a', '1.0.1', "exports.value = () => 'a2';\n"),
    changes: true,
  },
  {
    id: 'c6-unused-package-of-unloaded-module',
    category: P,
    title: 'a package only a module the step never loads imports is upgraded',
    files: {
      'main.pipeline.ts': pipelineFile('c6-unused-package-of-unloaded-module', {
        steps: { subject: 'return 1;', sibling: "return require('./lazy').value();" },
      }),
      'lazy.ts': "import { value as v } from 'fake-a';\nexport function value() {\n  return v();\n}\n",
      ...npmPackage('node_modules/fake-a', 'fake-a', '1.0.0', "exports.value = () => 'a1';\n"),
    },
    edit: upgrade('node_modules/fake-a', 'fake-a', '1.0.1', "exports.value = () => 'a2';\n"),
    changes: true,
    precise: true,
  },
];

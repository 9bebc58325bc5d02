/**
 * Category 1: module code that runs on import, outside the declarations a
 * step reaches: top-level calls, modules imported for their effects,
 * decorators and static blocks registering classes, prototypes patched from
 * another module, and the order all of this runs in.
 */
import type { AdversarialCase } from '../harness';
import { pipelineFile } from '../harness';

const C = '1 load-time code';

const SCALE = `let scale = 1;
export function setScale(n: number): number {
  scale = n;
  return n;
}
export function getScale(): number {
  return scale;
}
`;

const REGISTRY = 'export const registry: string[] = [];\nexport function register(name: string): string {\n  registry.push(name);\n  return name;\n}\n';

export const LOAD_TIME_CASES: readonly AdversarialCase[] = [
  {
    id: 'c1-init-call',
    category: C,
    title: 'a top-level `export const init = setScale(10)` the step never reaches',
    files: {
      'main.pipeline.ts': pipelineFile('c1-init-call', {
        imports: "import { getScale } from './scale';\nimport { other } from './init';",
        steps: { subject: 'return getScale() + other;' },
      }),
      'scale.ts': SCALE,
      'init.ts': "import { setScale } from './scale';\nexport const init = setScale(10);\nexport const other = 1;\n",
    },
    edit: { 'init.ts': ['setScale(10)', 'setScale(20)'] },
    changes: true,
    daemon: true,
  },
  {
    id: 'c1-side-effect-import',
    category: C,
    title: 'a module imported only for its effects',
    files: {
      'main.pipeline.ts': pipelineFile('c1-side-effect-import', { imports: "import './setup';", steps: { subject: 'return (globalThis as any).mode;' } }),
      'setup.ts': "(globalThis as any).mode = 'fast';\n",
    },
    edit: { 'setup.ts': ["'fast'", "'slow'"] },
    changes: true,
    daemon: true,
  },
  {
    id: 'c1-side-effect-import-of-helper',
    category: C,
    title: 'a helper module imports a module for its effects',
    files: {
      'main.pipeline.ts': pipelineFile('c1-side-effect-import-of-helper', {
        imports: "import { mode } from './helpers';",
        steps: { subject: 'return mode();' },
      }),
      'helpers.ts': "import './setup';\nexport function mode(): string {\n  return (globalThis as any).mode;\n}\n",
      'setup.ts': "(globalThis as any).mode = 'fast';\n",
    },
    edit: { 'setup.ts': ["'fast'", "'slow'"] },
    changes: true,
  },
  {
    id: 'c1-import-for-unreached-function',
    category: C,
    title: 'a helper imports a module for a function the step never calls; that module has top-level code',
    files: {
      'main.pipeline.ts': pipelineFile('c1-import-for-unreached-function', {
        imports: "import { mode } from './helpers';",
        steps: { subject: 'return mode();' },
      }),
      'helpers.ts':
        "import { unused } from './registry';\nexport function mode(): string {\n  return (globalThis as any).mode;\n}\nexport function later() {\n  return unused();\n}\n",
      'registry.ts': "(globalThis as any).mode = 'a';\nexport function unused() {\n  return 1;\n}\n",
    },
    edit: { 'registry.ts': ["'a'", "'b'"] },
    changes: true,
  },
  {
    id: 'c1-decorator-registers',
    category: C,
    title: 'a class registered by a decorator in a module the step loads for something else',
    files: {
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', experimentalDecorators: true } }),
      'main.pipeline.ts': pipelineFile('c1-decorator-registers', {
        imports: "import { registry } from './registry';\nimport { version } from './models';",
        steps: { subject: 'return [...registry, version];' },
      }),
      'registry.ts': REGISTRY,
      'models.ts':
        "import { register } from './registry';\nfunction model(c: Function) {\n  register(c.name);\n}\n@model\nclass Customer {}\nexport const version = 1;\n",
    },
    edit: { 'models.ts': ['class Customer {}', 'class Client {}'] },
    changes: true,
  },
  {
    id: 'c1-static-block-registers',
    category: C,
    title: 'a `static {}` block registering a class',
    files: {
      'main.pipeline.ts': pipelineFile('c1-static-block-registers', {
        imports: "import { registry } from './registry';\nimport { version } from './models';",
        steps: { subject: 'return [...registry, version];' },
      }),
      'registry.ts': REGISTRY,
      'models.ts': "import { register } from './registry';\nclass Customer {\n  static {\n    register('customer');\n  }\n}\nexport const version = 1;\n",
    },
    edit: { 'models.ts': ["register('customer')", "register('client')"] },
    changes: true,
  },
  {
    id: 'c1-static-field-registers',
    category: C,
    title: 'a static field initialised by a call',
    files: {
      'main.pipeline.ts': pipelineFile('c1-static-field-registers', {
        imports: "import { registry } from './registry';\nimport { version } from './models';",
        steps: { subject: 'return [...registry, version];' },
      }),
      'registry.ts': REGISTRY,
      'models.ts': "import { register } from './registry';\nclass Customer {\n  static id = register('customer');\n}\nexport const version = 1;\n",
    },
    edit: { 'models.ts': ["register('customer')", "register('client')"] },
    changes: true,
  },
  {
    id: 'c1-prototype-patch',
    category: C,
    title: 'a prototype patched from another module',
    files: {
      'main.pipeline.ts': pipelineFile('c1-prototype-patch', { imports: "import { total } from './helpers';", steps: { subject: 'return total([1, 2, 3]);' } }),
      'helpers.ts': "import './patch';\nexport function total(xs: number[]): number {\n  return (xs as any).sum();\n}\n",
      'patch.ts': '(Array.prototype as any).sum = function (this: number[]) {\n  return this.reduce((a, b) => a + b, 0);\n};\n',
    },
    edit: { 'patch.ts': ['(a, b) => a + b, 0', '(a, b) => a + b, 100'] },
    changes: true,
  },
  {
    id: 'c1-prototype-patch-by-sibling-import',
    category: C,
    title: 'the pipeline file imports, for another step, a module that patches a prototype',
    files: {
      'main.pipeline.ts': pipelineFile('c1-prototype-patch-by-sibling-import', {
        imports: "import { shout } from './strings';",
        steps: { subject: "return 'abc'.padStart(5, '-');", sibling: "return shout('x');" },
      }),
      'strings.ts':
        "const original = String.prototype.padStart;\nString.prototype.padStart = function (this: string, n: number, f?: string) {\n  return original.call(this, n, f).replace(/-/g, '=');\n};\nexport function shout(s: string): string {\n  return s.toUpperCase();\n}\n",
    },
    edit: { 'strings.ts': ["replace(/-/g, '=')", "replace(/-/g, '+')"] },
    changes: true,
  },
  {
    id: 'c1-effect-order-imports',
    category: C,
    title: 'two modules imported for their effects, swapped',
    files: {
      'main.pipeline.ts': pipelineFile('c1-effect-order-imports', {
        imports: "import './a';\nimport './b';",
        steps: { subject: 'return (globalThis as any).last;' },
      }),
      'a.ts': "(globalThis as any).last = 'a';\n",
      'b.ts': "(globalThis as any).last = 'b';\n",
    },
    edit: { 'main.pipeline.ts': ["import './a';\nimport './b';", "import './b';\nimport './a';"] },
    changes: true,
  },
  {
    id: 'c1-effect-order-statements',
    category: C,
    title: 'two top-level statements of a loaded module, swapped',
    files: {
      'main.pipeline.ts': pipelineFile('c1-effect-order-statements', { imports: "import { read } from './state';", steps: { subject: 'return read();' } }),
      'state.ts': '(globalThis as any).v = 1;\n(globalThis as any).v = 2;\nexport function read() {\n  return (globalThis as any).v;\n}\n',
    },
    edit: { 'state.ts': ['(globalThis as any).v = 1;\n(globalThis as any).v = 2;', '(globalThis as any).v = 2;\n(globalThis as any).v = 1;'] },
    changes: true,
  },
  {
    id: 'c1-duplicated-statement',
    category: C,
    title: 'a top-level statement that runs twice instead of once',
    files: {
      'main.pipeline.ts': pipelineFile('c1-duplicated-statement', { imports: "import { read } from './state';", steps: { subject: 'return read();' } }),
      'state.ts': 'let n = 0;\nfunction bump() {\n  n += 1;\n}\nbump();\nexport function read() {\n  return n;\n}\n',
    },
    edit: { 'state.ts': ['bump();\n', 'bump();\nbump();\n'] },
    changes: true,
  },
  {
    id: 'c1-getter-read-at-load',
    category: C,
    title: 'a top-level property read that runs a getter',
    files: {
      'main.pipeline.ts': pipelineFile('c1-getter-read-at-load', {
        imports: "import { counter } from './counter';\nimport { label } from './reader';",
        steps: { subject: 'return [counter.n, label];' },
      }),
      'counter.ts': 'export const counter = {\n  n: 0,\n  get tick() {\n    this.n += 1;\n    return this.n;\n  },\n};\n',
      'reader.ts': "import { counter } from './counter';\nconst first = counter.tick;\nexport const label = 'x';\n",
    },
    edit: { 'reader.ts': ['const first = counter.tick;', 'const first = counter.tick + counter.tick;'] },
    changes: true,
  },
  {
    id: 'c1-enum-member-call',
    category: C,
    title: 'an enum member computed by a call with an effect',
    files: {
      'main.pipeline.ts': pipelineFile('c1-enum-member-call', {
        imports: "import { registry } from './registry';\nimport { version } from './codes';",
        steps: { subject: 'return [...registry, version];' },
      }),
      'registry.ts': REGISTRY,
      'codes.ts': "import { register } from './registry';\nenum Code {\n  A = register('a').length,\n}\nexport const version = 1;\n",
    },
    edit: { 'codes.ts': ["register('a')", "register('aa')"] },
    changes: true,
  },
  {
    id: 'c1-namespace-statement',
    category: C,
    title: 'a namespace whose body runs a statement',
    files: {
      'main.pipeline.ts': pipelineFile('c1-namespace-statement', {
        imports: "import { registry } from './registry';\nimport { version } from './ns';",
        steps: { subject: 'return [...registry, version];' },
      }),
      'registry.ts': REGISTRY,
      'ns.ts': "import { register } from './registry';\nnamespace Setup {\n  register('one');\n}\nexport const version = 1;\n",
    },
    edit: { 'ns.ts': ["register('one')", "register('two')"] },
    changes: true,
  },
  {
    id: 'c1-export-default-call',
    category: C,
    title: '`export default register(...)` in a module the step imports something else from',
    files: {
      'main.pipeline.ts': pipelineFile('c1-export-default-call', {
        imports: "import { registry } from './registry';\nimport { version } from './plugin';",
        steps: { subject: 'return [...registry, version];' },
      }),
      'registry.ts': REGISTRY,
      'plugin.ts': "import { register } from './registry';\nexport const version = 1;\nexport default register('p1');\n",
    },
    edit: { 'plugin.ts': ["register('p1')", "register('p2')"] },
    changes: true,
  },
  {
    id: 'c1-pipeline-top-level',
    category: C,
    title: 'a top-level statement in the pipeline file itself',
    files: {
      'main.pipeline.ts': pipelineFile('c1-pipeline-top-level', {
        top: "(globalThis as any).unit = 'cm';\n",
        steps: { subject: 'return (globalThis as any).unit;' },
      }),
    },
    edit: { 'main.pipeline.ts': ["'cm'", "'mm'"] },
    changes: true,
  },
  {
    id: 'c1-iife',
    category: C,
    title: 'an immediately invoked function in a loaded module',
    files: {
      'main.pipeline.ts': pipelineFile('c1-iife', { imports: "import { read } from './state';", steps: { subject: 'return read();' } }),
      'state.ts': '(() => {\n  (globalThis as any).limit = 5;\n})();\nexport function read() {\n  return (globalThis as any).limit;\n}\n',
    },
    edit: { 'state.ts': ['limit = 5', 'limit = 6'] },
    changes: true,
  },
  {
    id: 'c1-destructuring-call',
    category: C,
    title: 'a destructuring declaration whose initialiser has an effect',
    files: {
      'main.pipeline.ts': pipelineFile('c1-destructuring-call', {
        imports: "import { getScale } from './scale';\nimport { tag } from './pair';",
        steps: { subject: 'return [getScale(), tag];' },
      }),
      'scale.ts': SCALE,
      'pair.ts': "import { setScale } from './scale';\nexport const { a, b } = { a: setScale(3), b: 1 };\nexport const tag = 't';\n",
    },
    edit: { 'pair.ts': ['setScale(3)', 'setScale(4)'] },
    changes: true,
  },
  {
    id: 'c1-shared-state-mutated-by-sibling-module',
    category: C,
    title: 'module state mutated at load by a module imported only for another step',
    files: {
      'main.pipeline.ts': pipelineFile('c1-shared-state-mutated-by-sibling-module', {
        imports: "import { list } from './state';\nimport { forSibling } from './other';",
        steps: { subject: 'return list.length;', sibling: 'return forSibling();' },
      }),
      'state.ts': 'export const list: number[] = [];\n',
      'other.ts': "import { list } from './state';\nlist.push(1);\nexport function forSibling() {\n  return 'b';\n}\n",
    },
    edit: { 'other.ts': ['list.push(1);', 'list.push(1, 2);'] },
    changes: true,
  },
  {
    id: 'c1-circular-import-effect',
    category: C,
    title: 'a top-level effect in a module reached through an import cycle',
    files: {
      'main.pipeline.ts': pipelineFile('c1-circular-import-effect', { imports: "import { fromA } from './a';", steps: { subject: 'return fromA();' } }),
      'a.ts': "import { fromB } from './b';\nexport function fromA() {\n  return fromB() + (globalThis as any).cycle;\n}\n",
      'b.ts':
        "import { fromA } from './a';\n(globalThis as any).cycle = 10;\nexport function fromB() {\n  return 1;\n}\nexport function again() {\n  return fromA();\n}\n",
    },
    edit: { 'b.ts': ['cycle = 10', 'cycle = 20'] },
    changes: true,
  },
  {
    id: 'c1-require-at-top',
    category: C,
    title: 'a top-level require of a CommonJS helper with an effect',
    files: {
      'main.pipeline.ts': pipelineFile('c1-require-at-top', { imports: "import { read } from './reader';", steps: { subject: 'return read();' } }),
      'reader.ts': "const legacy = require('./legacy.js');\nexport function read() {\n  return (globalThis as any).legacy;\n}\n",
      'legacy.js': "globalThis.legacy = 'v1';\nmodule.exports = {};\n",
    },
    edit: { 'legacy.js': ["'v1'", "'v2'"] },
    changes: true,
  },
];

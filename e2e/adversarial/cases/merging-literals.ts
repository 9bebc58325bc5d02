/**
 * Category 2: declaration merging (every declaration of a name must enter
 * the key). Category 3: literal text that a tag or the parser sees raw.
 */
import type { AdversarialCase } from '../harness';
import { pipelineFile } from '../harness';

const M = '2 declaration merging';
const L = '3 literal text';

export const MERGING_CASES: readonly AdversarialCase[] = [
  {
    id: 'c2-two-enums',
    category: M,
    title: 'two `enum E` blocks: the first one edited',
    files: {
      'main.pipeline.ts': pipelineFile('c2-two-enums', { imports: "import { Color } from './colors';", steps: { subject: 'return [Color.Red, Color.Blue];' } }),
      'colors.ts': 'export enum Color {\n  Red = 1,\n}\nexport enum Color {\n  Blue = 2,\n}\n',
    },
    edit: { 'colors.ts': ['Red = 1', 'Red = 10'] },
    changes: true,
    daemon: true,
  },
  {
    id: 'c2-two-namespaces',
    category: M,
    title: 'two `namespace N` blocks: the first one edited',
    files: {
      'main.pipeline.ts': pipelineFile('c2-two-namespaces', { imports: "import { Units } from './units';", steps: { subject: 'return Units.cm * Units.m;' } }),
      'units.ts': 'export namespace Units {\n  export const cm = 1;\n}\nexport namespace Units {\n  export const m = 100;\n}\n',
    },
    edit: { 'units.ts': ['cm = 1', 'cm = 2'] },
    changes: true,
  },
  {
    id: 'c2-function-and-namespace',
    category: M,
    title: 'a function and a namespace of the same name',
    files: {
      'main.pipeline.ts': pipelineFile('c2-function-and-namespace', { imports: "import { scale } from './scale';", steps: { subject: 'return scale(2);' } }),
      'scale.ts': 'export function scale(x: number): number {\n  return x * scale.factor;\n}\nexport namespace scale {\n  export const factor = 3;\n}\n',
    },
    edit: { 'scale.ts': ['factor = 3', 'factor = 4'] },
    changes: true,
  },
  {
    id: 'c2-class-and-namespace',
    category: M,
    title: 'a class and a namespace of the same name',
    files: {
      'main.pipeline.ts': pipelineFile('c2-class-and-namespace', {
        imports: "import { Shape } from './shape';",
        steps: { subject: 'return new Shape().sides + Shape.extra;' },
      }),
      'shape.ts': 'export class Shape {\n  sides = 3;\n}\nexport namespace Shape {\n  export const extra = 10;\n}\n',
    },
    edit: { 'shape.ts': ['extra = 10', 'extra = 20'] },
    changes: true,
  },
  {
    id: 'c2-var-twice',
    category: M,
    title: '`var v` declared twice, the second reading the first',
    files: {
      'main.pipeline.ts': pipelineFile('c2-var-twice', { imports: "import { read } from './v';", steps: { subject: 'return read();' } }),
      'v.ts': 'var v = 1;\nvar v = v + 1;\nexport function read() {\n  return v;\n}\n',
    },
    edit: { 'v.ts': ['var v = 1;', 'var v = 5;'] },
    changes: true,
  },
  {
    id: 'c2-function-twice',
    category: M,
    title: 'a function declared twice in a CommonJS script: the last one wins at run time',
    files: {
      'main.pipeline.ts': pipelineFile('c2-function-twice', { imports: "import { pick } from './pick.js';", steps: { subject: 'return pick();' } }),
      'pick.js': 'function inner() {\n  return 1;\n}\nfunction inner() {\n  return 2;\n}\nexports.pick = function () {\n  return inner();\n};\n',
    },
    edit: { 'pick.js': ['return 2;', 'return 3;'] },
    changes: true,
  },
  {
    id: 'c2-enum-merge-in-pipeline-file',
    category: M,
    title: 'merged enums declared in the pipeline file',
    files: {
      'main.pipeline.ts': pipelineFile('c2-enum-merge-in-pipeline-file', {
        top: 'enum Level {\n  Low = 1,\n}\nenum Level {\n  High = 9,\n}\n',
        steps: { subject: 'return Level.Low + Level.High;' },
      }),
    },
    edit: { 'main.pipeline.ts': ['Low = 1', 'Low = 2'] },
    changes: true,
  },
];

export const LITERAL_CASES: readonly AdversarialCase[] = [
  {
    id: 'c3-string-raw',
    category: L,
    title: 'String.raw`^d+$` becomes String.raw`^\\d+$`',
    files: {
      'main.pipeline.ts': pipelineFile('c3-string-raw', {
        top: 'const digits = new RegExp(String.raw`^d+$`);\n',
        steps: { subject: "return digits.test('123');" },
      }),
    },
    edit: { 'main.pipeline.ts': ['String.raw`^d+$`', 'String.raw`^\\d+$`'] },
    changes: true,
    daemon: true,
  },
  {
    id: 'c3-tag-reads-raw',
    category: L,
    title: 'a tag function that reads the raw strings of a template with substitutions',
    files: {
      'main.pipeline.ts': pipelineFile('c3-tag-reads-raw', {
        imports: "import { raw } from './tag';",
        steps: { subject: 'const n = 1;\nreturn raw`a${n}\\q`;' },
      }),
      'tag.ts': 'export function raw(s: TemplateStringsArray, ...v: unknown[]): string {\n  return s.raw.join(String(v[0]));\n}\n',
    },
    edit: { 'main.pipeline.ts': ['raw`a${n}\\q`', 'raw`a${n}q`'] },
    changes: true,
  },
  {
    id: 'c3-directive-escape',
    category: L,
    title: "'use strict' written with an escape is no directive (in a CommonJS script Node runs as written)",
    files: {
      'main.pipeline.ts': pipelineFile('c3-directive-escape', { imports: "import { isStrict } from './mode.js';", steps: { subject: 'return isStrict();' } }),
      'mode.js': "exports.isStrict = function () {\n  'use strict';\n  return (function () {\n    return this === undefined;\n  })();\n};\n",
    },
    edit: { 'mode.js': ["'use strict';", "'use\\x20strict';"] },
    changes: true,
  },
  {
    id: 'c3-directive-escape-through-esbuild',
    category: L,
    title: 'the same escape in TypeScript: esbuild prints it back as a directive, so nothing changes (hashed anyway)',
    files: {
      'tsconfig.json': JSON.stringify({ compilerOptions: { target: 'ES2022', strict: false } }),
      'main.pipeline.ts': pipelineFile('c3-directive-escape-through-esbuild', {
        imports: "import { isStrict } from './mode';",
        steps: { subject: 'return isStrict();' },
      }),
      'mode.ts': "export function isStrict(): boolean {\n  'use strict';\n  return (function (this: unknown) {\n    return this === undefined;\n  })();\n}\n",
    },
    edit: { 'mode.ts': ["'use strict';", "'use\\x20strict';"] },
    changes: false,
  },
  {
    id: 'c3-template-cooked-same',
    category: L,
    title: 'an untagged template whose escape changes but whose value does not',
    files: {
      'main.pipeline.ts': pipelineFile('c3-template-cooked-same', { steps: { subject: 'return `a\\d`;' } }),
    },
    edit: { 'main.pipeline.ts': ['`a\\d`', '`ad`'] },
    changes: false,
  },
  {
    id: 'c3-regex-flag',
    category: L,
    title: 'a regular expression flag',
    files: {
      'main.pipeline.ts': pipelineFile('c3-regex-flag', { steps: { subject: "return /abc/.test('ABC');" } }),
    },
    edit: { 'main.pipeline.ts': ['/abc/.test', '/abc/i.test'] },
    changes: true,
  },
  {
    id: 'c3-number-literal-same-value',
    category: L,
    title: 'a number written differently with the same value',
    files: {
      'main.pipeline.ts': pipelineFile('c3-number-literal-same-value', { steps: { subject: 'return 1000;' } }),
    },
    edit: { 'main.pipeline.ts': ['return 1000;', 'return 1_000;'] },
    changes: false,
  },
  {
    id: 'c3-string-escape-same-value',
    category: L,
    title: "a string escape with the same value: 'A' and '\\x41'",
    files: {
      'main.pipeline.ts': pipelineFile('c3-string-escape-same-value', { steps: { subject: "return 'A';" } }),
    },
    edit: { 'main.pipeline.ts': ["return 'A';", "return '\\x41';"] },
    changes: false,
    precise: true,
  },
];

/**
 * What must never re-run a step: comments and formatting, a sibling step's
 * edit, an unreached helper, type-only edits, .d.ts files. Every case here
 * is `precise`: a needless re-run fails the suite.
 */
import type { AdversarialCase } from '../harness';
import { pipelineFile } from '../harness';

const PR = 'precision';

const HELPERS = `export interface Options {
  readonly factor: number;
}

export type Mode = 'fast' | 'slow';

/** Used by the subject step. */
export function used(x: number, options: Options = { factor: 2 }): number {
  return x * options.factor;
}

/** Used by nobody. */
export function unreached(x: number): number {
  return x + 1;
}

export const TABLE = { a: 1, b: 2 };
`;

const base = (id: string) =>
  pipelineFile(id, {
    imports: "import { used, type Options } from './helpers';",
    top: 'const opts: Options = { factor: 3 };\n',
    steps: { subject: 'return used(2, opts);', sibling: "return 'sibling-1';" },
  });

/** A pipeline with a shared param: train declares it through ml.params.lr, subject does not. */
function sharedParamPipeline(id: string): string {
  return `import { pipeline, step } from 'nx-steps';
import { count } from '../../tools/count';

const ml = pipeline({ name: '${id}', params: { lr: 0.1 } });
export default ml;

export const subject = step(async () => {
  count('${id}:subject');
  return 'plain';
});

export const train = step({ params: { lr: ml.params.lr, epochs: 1 } }, async ({ lr, epochs }) => {
  count('${id}:train');
  return lr * epochs;
});
`;
}

export const PRECISION_CASES: readonly AdversarialCase[] = [
  {
    id: 'p-comments',
    category: PR,
    title: 'comments and JSDoc added everywhere',
    files: { 'main.pipeline.ts': base('p-comments'), 'helpers.ts': HELPERS },
    edit: (c) =>
      c.apply({
        'main.pipeline.ts': ['return used(2, opts);', '// why two\n  return used(/* x */ 2, opts); // done'],
        'helpers.ts': ['export function used(', '/**\n * Multiplies.\n * @param x the value\n */\nexport function used('],
      }),
    changes: false,
    precise: true,
    daemon: true,
  },
  {
    id: 'p-formatting',
    category: PR,
    title: 'the pipeline file and helper reformatted (quotes, semicolons, trailing commas, parentheses, line breaks)',
    files: { 'main.pipeline.ts': base('p-formatting'), 'helpers.ts': HELPERS },
    edit: (c) =>
      c.apply({
        'main.pipeline.ts': ['return used(2, opts);', 'return (used(\n    2,\n    opts,\n  ))'],
        'helpers.ts': ['export const TABLE = { a: 1, b: 2 };', 'export const TABLE = {\n  \'a\': 1,\n  "b": 2,\n}'],
      }),
    changes: false,
    precise: true,
  },
  {
    id: 'p-sibling-step-edit',
    category: PR,
    title: "a sibling step's body edited",
    files: { 'main.pipeline.ts': base('p-sibling-step-edit'), 'helpers.ts': HELPERS },
    edit: { 'main.pipeline.ts': ["return 'sibling-1';", "return 'sibling-2';"] },
    changes: true,
    precise: true,
    daemon: true,
  },
  {
    id: 'p-sibling-uses-new-local-helper',
    category: PR,
    title: 'a sibling step starts using a helper from a new (effect-free) local module',
    files: {
      'main.pipeline.ts': base('p-sibling-uses-new-local-helper'),
      'helpers.ts': HELPERS,
      'extra.ts': "export function extra() {\n  return 'extra';\n}\n",
    },
    edit: {
      'main.pipeline.ts': [
        "import { used, type Options } from './helpers';",
        "import { used, type Options } from './helpers';\nimport { extra } from './extra';",
      ],
    },
    changes: false,
    precise: true,
  },
  {
    id: 'p-sibling-new-helper-used',
    category: PR,
    title: 'a sibling step calls a new helper from a new module',
    files: { 'main.pipeline.ts': base('p-sibling-new-helper-used'), 'helpers.ts': HELPERS },
    edit: (c) => {
      c.apply({ 'extra.ts': "export function extra() {\n  return 'extra';\n}\n" });
      c.apply({
        'main.pipeline.ts': [
          "import { used, type Options } from './helpers';",
          "import { used, type Options } from './helpers';\nimport { extra } from './extra';",
        ],
      });
      c.apply({ 'main.pipeline.ts': ["return 'sibling-1';", 'return extra();'] });
    },
    changes: true,
    precise: true,
  },
  {
    id: 'p-unreached-helper',
    category: PR,
    title: 'a helper no step reaches edited',
    files: { 'main.pipeline.ts': base('p-unreached-helper'), 'helpers.ts': HELPERS },
    edit: { 'helpers.ts': ['return x + 1;', 'return x + 100;'] },
    changes: false,
    precise: true,
  },
  {
    id: 'p-unreached-constant',
    category: PR,
    title: 'an unreached constant object edited',
    files: { 'main.pipeline.ts': base('p-unreached-constant'), 'helpers.ts': HELPERS },
    edit: { 'helpers.ts': ['{ a: 1, b: 2 }', '{ a: 1, b: 3, c: [4] }'] },
    changes: false,
    precise: true,
  },
  {
    id: 'p-type-only-edits',
    category: PR,
    title: 'interfaces, type aliases and annotations edited',
    files: { 'main.pipeline.ts': base('p-type-only-edits'), 'helpers.ts': HELPERS },
    edit: (c) =>
      c.apply({
        'helpers.ts': ['readonly factor: number;', 'readonly factor: number;\n  readonly label?: string;'],
        'main.pipeline.ts': ['const opts: Options = { factor: 3 };', 'const opts = { factor: 3 } satisfies Options as Options;'],
      }),
    changes: false,
    precise: true,
  },
  {
    id: 'p-annotation-in-step',
    category: PR,
    title: 'a type annotation and generic inside the step body',
    files: { 'main.pipeline.ts': pipelineFile('p-annotation-in-step', { steps: { subject: 'const xs: number[] = [1, 2];\nreturn xs.map((x) => x * 2);' } }) },
    edit: {
      'main.pipeline.ts': [
        'const xs: number[] = [1, 2];\n  return xs.map((x) => x * 2);',
        'const xs: ReadonlyArray<number> = [1, 2];\n  return xs.map<number>((x: number): number => x * 2);',
      ],
    },
    changes: false,
    precise: true,
  },
  {
    id: 'p-dts',
    category: PR,
    title: 'a .d.ts file the step’s types come from',
    files: {
      'main.pipeline.ts': pipelineFile('p-dts', {
        imports: "import type { Row } from './types';",
        steps: { subject: 'const r: Row = { id: 1 };\nreturn r.id;' },
      }),
      'types.d.ts': 'export interface Row {\n  id: number;\n}\n',
    },
    edit: { 'types.d.ts': ['id: number;', 'id: number;\n  name?: string;'] },
    changes: false,
    precise: true,
  },
  {
    id: 'p-import-type-module',
    category: PR,
    title: 'a module imported with `import type` edited',
    files: {
      'main.pipeline.ts': pipelineFile('p-import-type-module', {
        imports: "import type { Row } from './model';",
        steps: { subject: 'const r: Row = { id: 1 };\nreturn r.id;' },
      }),
      'model.ts': "export interface Row {\n  id: number;\n}\n(globalThis as any).modelLoaded = 'yes';\n",
    },
    edit: { 'model.ts': ["'yes'", "'YES'"] },
    changes: false,
    precise: true,
  },
  {
    id: 'p-reordered-declarations',
    category: PR,
    title: 'two helper functions swapped in their file',
    files: { 'main.pipeline.ts': base('p-reordered-declarations'), 'helpers.ts': HELPERS },
    edit: (c) => {
      const text = c.ws.read(`${c.dir}/helpers.ts`);
      const used = text.slice(text.indexOf('/** Used by the subject'), text.indexOf('/** Used by nobody'));
      const unreached = text.slice(text.indexOf('/** Used by nobody'), text.indexOf('export const TABLE'));
      c.ws.write(`${c.dir}/helpers.ts`, text.replace(used + unreached, unreached + used));
    },
    changes: false,
    precise: true,
  },
  {
    id: 'p-shadowing-parameter',
    category: PR,
    title: 'a top-level helper shadowed by a parameter of the step’s callback',
    files: {
      'main.pipeline.ts': pipelineFile('p-shadowing-parameter', {
        top: 'const scale = (x: number) => x * 1000;\n',
        steps: { subject: 'return [1, 2].map((scale) => scale + 1);' },
      }),
    },
    edit: { 'main.pipeline.ts': ['x * 1000', 'x * 2000'] },
    changes: false,
    precise: true,
  },
  {
    id: 'p-other-pipeline-file-helper',
    category: PR,
    title: 'a helper of another pipeline file in the same folder',
    files: {
      'main.pipeline.ts': base('p-other-pipeline-file-helper'),
      'helpers.ts': HELPERS,
      'other.ts': "export function otherHelper() {\n  return 'o1';\n}\n",
    },
    edit: { 'other.ts': ["'o1'", "'o2'"] },
    changes: false,
    precise: true,
  },
  {
    id: 'p-json-other-step',
    category: PR,
    title: 'a JSON file the pipeline imports, read by one step only, edited: the other step stays',
    files: {
      'main.pipeline.ts': pipelineFile('p-json-other-step', {
        imports: "import cfg from './cfg.json';",
        steps: { subject: "return 'plain';", reader: 'return cfg.n;' },
      }),
      'cfg.json': '{ "n": 1 }\n',
    },
    edit: { 'cfg.json': ['"n": 1', '"n": 2'] },
    changes: true,
    precise: true,
  },
  {
    id: 'p-shared-param-sibling',
    category: PR,
    title: "a sibling's params edited, one of them a shared pipeline param (ml.params.lr): the other step stays",
    files: { 'main.pipeline.ts': sharedParamPipeline('p-shared-param-sibling') },
    edit: { 'main.pipeline.ts': ['epochs: 1', 'epochs: 2'] },
    changes: true,
    precise: true,
  },
  {
    id: 'p-shared-param-default',
    category: PR,
    title: "a shared param's default edited in pipeline({ params }): the step that declares it re-runs, the other stays",
    files: { 'main.pipeline.ts': sharedParamPipeline('p-shared-param-default') },
    edit: { 'main.pipeline.ts': ['params: { lr: 0.1 }', 'params: { lr: 0.2 }'] },
    changes: true,
    precise: true,
  },
];

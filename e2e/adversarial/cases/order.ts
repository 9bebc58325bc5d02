/**
 * Observable order (issue 22): a step receives its literal args, params,
 * fan-out items and factory arguments with their keys in source order, and
 * its input object with its names in declaration order, so `Object.keys`
 * sees the order: reordering must re-run it. Where the order cannot be seen
 * (integer-like keys, which every object lists in ascending order; a custom
 * key's value, which never reaches the step) nothing re-runs.
 */
import { itemTarget } from '../../../plugin/core/model/fan-out';
import type { AdversarialCase } from '../harness';
import { pipelineFile } from '../harness';

const O = 'observable order';

const head = (id: string, api = 'pipeline, step') =>
  `import { ${api} } from 'nx-steps';\nimport { count } from '../../tools/count';\n\nexport default pipeline({ name: '${id}' });\n\n`;

export const ORDER_CASES: readonly AdversarialCase[] = [
  {
    id: 'ord-literal-arg',
    category: O,
    title: 'a literal argument object reordered ({ a, b } → { b, a }), the step lists its keys',
    files: {
      'main.pipeline.ts': `${head('ord-literal-arg')}export const subject = step({ args: { cfg: { a: 1, b: 2 } } }, async ({ cfg }) => {\n  count('ord-literal-arg:subject');\n  return Object.keys(cfg).join();\n});\n`,
    },
    edit: { 'main.pipeline.ts': ['{ a: 1, b: 2 }', '{ b: 2, a: 1 }'] },
    changes: true,
    smoke: true,
  },
  {
    id: 'ord-param',
    category: O,
    title: 'a param object reordered',
    files: {
      'main.pipeline.ts': `${head('ord-param')}export const subject = step({ params: { opts: { x: 'p', y: 'q' } } }, async ({ opts }) => {\n  count('ord-param:subject');\n  return JSON.stringify(opts);\n});\n`,
    },
    edit: { 'main.pipeline.ts': ["{ x: 'p', y: 'q' }", "{ y: 'q', x: 'p' }"] },
    changes: true,
  },
  {
    id: 'ord-fan-out-item',
    category: O,
    title: "a fan-out item's keys reordered (the same item, the same target)",
    files: {
      'main.pipeline.ts': `${head('ord-fan-out-item')}export const sweep = step({ each: { cfg: [{ lr: 1, depth: 2 }] } }, async ({ cfg }) => {\n  count('ord-fan-out-item:sweep');\n  return Object.keys(cfg).join();\n});\n`,
    },
    targets: { 'ord-fan-out-item:sweep': `:${itemTarget('sweep', '{"depth":2,"lr":1}')}` },
    edit: { 'main.pipeline.ts': ['{ lr: 1, depth: 2 }', '{ depth: 2, lr: 1 }'] },
    changes: true,
  },
  {
    id: 'ord-factory-argument',
    category: O,
    title: "a factory's object argument reordered",
    files: {
      'main.pipeline.ts': `${head('ord-factory-argument')}const mk = (cfg: Record<string, number>) =>\n  step(async () => {\n    count('ord-factory-argument:subject');\n    return Object.keys(cfg).join();\n  });\n\nexport const subject = mk({ a: 1, b: 2 });\n`,
    },
    targets: { 'ord-factory-argument:subject': ':subject' },
    edit: { 'main.pipeline.ts': ['mk({ a: 1, b: 2 })', 'mk({ b: 2, a: 1 })'] },
    changes: true,
  },
  {
    id: 'ord-argument-names',
    category: O,
    title: 'two arguments declared in the other order, the step lists its input',
    files: {
      'main.pipeline.ts': `${head('ord-argument-names')}export const subject = step({ args: { x: 1, y: 2 } }, async (input) => {\n  count('ord-argument-names:subject');\n  return Object.keys(input).join();\n});\n`,
    },
    edit: { 'main.pipeline.ts': ['{ x: 1, y: 2 }', '{ y: 2, x: 1 }'] },
    changes: true,
  },
  {
    id: 'ord-need-names',
    category: O,
    title: 'two needs declared in the other order, the step lists its input',
    files: {
      'main.pipeline.ts': `${head('ord-need-names')}export const up = step(async () => {\n  count('ord-need-names:up');\n  return 1;\n});\n\nexport const subject = step({ needs: { p: up, q: up } }, async (input) => {\n  count('ord-need-names:subject');\n  return Object.keys(input).join();\n});\n`,
    },
    edit: { 'main.pipeline.ts': ['{ p: up, q: up }', '{ q: up, p: up }'] },
    changes: true,
  },
  {
    id: 'ord-json-module',
    category: O,
    title: 'an imported JSON file with its keys reordered',
    files: {
      'main.pipeline.ts': pipelineFile('ord-json-module', { imports: "import cfg from './cfg.json';", steps: { subject: 'return Object.keys(cfg).join();' } }),
      'cfg.json': '{ "a": 1, "b": 2 }\n',
    },
    edit: { 'cfg.json': ['{ "a": 1, "b": 2 }', '{ "b": 2, "a": 1 }'] },
    changes: true,
  },
  {
    id: 'ord-integer-keys',
    category: O,
    title: 'integer-like keys reordered: every object lists them in ascending order, so the step cannot tell',
    files: {
      'main.pipeline.ts': `${head('ord-integer-keys')}export const subject = step({ args: { cfg: { 2: 'b', 1: 'a' } } }, async ({ cfg }) => {\n  count('ord-integer-keys:subject');\n  return Object.keys(cfg).join();\n});\n`,
    },
    edit: { 'main.pipeline.ts': ["{ 2: 'b', 1: 'a' }", "{ 1: 'a', 2: 'b' }"] },
    changes: false,
    precise: true,
  },
  {
    id: 'ord-custom-key-value',
    category: O,
    title: "a custom key's object value reordered: it never reaches the step",
    files: {
      'main.pipeline.ts': `${head('ord-custom-key-value')}export const subject = step({ cache: { key: () => ({ a: 1, b: 2 }) } }, async () => {\n  count('ord-custom-key-value:subject');\n  return 'v';\n});\n`,
    },
    edit: { 'main.pipeline.ts': ['({ a: 1, b: 2 })', '({ b: 2, a: 1 })'] },
    changes: false,
    precise: true,
  },
];

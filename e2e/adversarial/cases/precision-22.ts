/**
 * The needless re-runs issue 22 found, each a precision case (no needless
 * re-run allowed), and the attacks on the rules that made them precise:
 * `export *` leaves a module out only when its exports are
 * closed; `ns.f` is `f` alone unless `f` may see the namespace through
 * `this`; TypeScript-only modifiers and arrow parentheses are erased but a
 * parameter property is not; a JSON module counts by its data, key order
 * included.
 */
import type { AdversarialCase } from '../harness';
import { pipelineFile } from '../harness';

const P = 'precision';
const PA = 'precision attacks';

const head = (id: string) =>
  `import { pipeline, step } from 'nx-steps';\nimport { count } from '../../tools/count';\n\nexport default pipeline({ name: '${id}' });\n\n`;

/** A step factory whose steps count under `<id>:<label>`; `subject` is a plain step. */
function factoryPipeline(id: string, factory: string, calls: string): string {
  return `${head(id)}${factory}\n\nexport const subject = step(async () => {\n  count('${id}:subject');\n  return (globalThis as { stamp?: string }).stamp ?? 'plain';\n});\n\n${calls}\n`;
}

const MK = (id: string) => `const mk = (label: string, n: number) =>\n  step(async () => {\n    count(\`${id}:\${label}\`);\n    return n * 10;\n  });`;

const LIB_A = 'export function value() {\n  return 1;\n}\n';
const LIB_B = "export function other() {\n  return 'o1';\n}\nexport const B = 2;\n";

const NS = "export function f() {\n  return 'f1';\n}\nexport function g() {\n  return 'g1';\n}\n";

export const PRECISION_22_CASES: readonly AdversarialCase[] = [
  {
    id: 'p-sibling-factory-argument',
    category: P,
    title: 'a sibling made by a factory: its argument changed (mk(1) → mk(2)), the other step stays',
    files: { 'main.pipeline.ts': factoryPipeline('p-sibling-factory-argument', MK('p-sibling-factory-argument'), "export const made = mk('made', 1);") },
    targets: { 'p-sibling-factory-argument:subject': ':subject', 'p-sibling-factory-argument:made': ':made' },
    edit: { 'main.pipeline.ts': ["mk('made', 1)", "mk('made', 2)"] },
    changes: true,
    precise: true,
    smoke: true,
  },
  {
    id: 'p-barrel-star-unreached',
    category: P,
    title: 'a function nothing reaches, in a module a barrel re-exports with export *, edited',
    files: {
      'main.pipeline.ts': pipelineFile('p-barrel-star-unreached', { imports: "import { value } from './lib';", steps: { subject: 'return value();' } }),
      'lib/index.ts': "export * from './a';\nexport * from './b';\n",
      'lib/a.ts': LIB_A,
      'lib/b.ts': LIB_B,
    },
    edit: { 'lib/b.ts': ["'o1'", "'o2'"] },
    changes: false,
    precise: true,
  },
  {
    id: 'p-namespace-member',
    category: P,
    title: 'ns.g edited while the step uses only ns.f',
    files: {
      'main.pipeline.ts': pipelineFile('p-namespace-member', { imports: "import * as ns from './ns';", steps: { subject: 'return ns.f();' } }),
      'ns.ts': NS,
    },
    edit: { 'ns.ts': ["'g1'", "'g2'"] },
    changes: false,
    precise: true,
  },
  {
    id: 'p-class-implements',
    category: P,
    title: 'a class gains implements, its annotations change, private readonly → private',
    files: {
      'main.pipeline.ts': pipelineFile('p-class-implements', { imports: "import { Box } from './box';", steps: { subject: 'return new Box(3).twice();' } }),
      'box.ts':
        'export interface Sized {\n  size(): number;\n}\nexport class Box {\n  private readonly label: string = "b";\n  constructor(private readonly n: number) {}\n  twice(): number {\n    return this.n * 2;\n  }\n}\n',
    },
    edit: {
      'box.ts': [
        'export class Box {\n  private readonly label: string = "b";\n  constructor(private readonly n: number) {}\n  twice(): number {',
        'export class Box implements Sized {\n  protected label = "b";\n  constructor(private n: number) {}\n  public twice() {',
      ],
    },
    changes: false,
    precise: true,
  },
  {
    id: 'p-arrow-parentheses',
    category: P,
    title: '(x) => (x) rewritten x => x',
    files: { 'main.pipeline.ts': pipelineFile('p-arrow-parentheses', { steps: { subject: 'return [1, 2].map((x) => (x));' } }) },
    edit: { 'main.pipeline.ts': ['(x) => (x)', 'x => x'] },
    changes: false,
    precise: true,
  },
  {
    id: 'p-json-reformatted',
    category: P,
    title: 'a JSON module reformatted, the same data',
    files: {
      'main.pipeline.ts': pipelineFile('p-json-reformatted', { imports: "import cfg from './cfg.json';", steps: { subject: 'return cfg.rows.length;' } }),
      'cfg.json': '{"rows":[1,2,3],"name":"x"}\n',
    },
    edit: { 'cfg.json': '{\n  "rows": [\n    1,\n    2,\n    3\n  ],\n  "name": "\\u0078"\n}\n' },
    changes: false,
    precise: true,
  },
  {
    id: 'pa-barrel-star-commonjs',
    category: PA,
    title: 'export * from a CommonJS module (exports.value = ...): its exports are not static, so it counts whole',
    files: {
      'main.pipeline.ts': pipelineFile('pa-barrel-star-commonjs', { imports: "import { value } from './lib';", steps: { subject: 'return value();' } }),
      'lib/index.ts': "export * from './b';\n",
      'lib/b.js': "exports.value = () => 'v1';\n",
    },
    edit: { 'lib/b.js': ["'v1'", "'v2'"] },
    changes: true,
  },
  {
    id: 'pa-namespace-member-this',
    category: PA,
    title: 'ns.f() where f reads this (the namespace): ns.g, which it calls through this, edited',
    files: {
      'main.pipeline.ts': pipelineFile('pa-namespace-member-this', { imports: "import * as ns from './ns';", steps: { subject: 'return ns.f();' } }),
      'ns.ts': "export function f(this: { g(): string }) {\n  return this.g();\n}\nexport function g() {\n  return 'g1';\n}\n",
    },
    edit: { 'ns.ts': ["'g1'", "'g2'"] },
    changes: true,
  },
  {
    id: 'pa-parameter-property-removed',
    category: PA,
    title: 'private removed from a constructor parameter: no longer a parameter property (not only types)',
    files: {
      'main.pipeline.ts': pipelineFile('pa-parameter-property-removed', {
        imports: "import { Box } from './box';",
        steps: { subject: 'return Object.keys(new Box(3)).join();' },
      }),
      'box.ts': 'export class Box {\n  constructor(private n: number) {\n    void n;\n  }\n}\n',
    },
    edit: { 'box.ts': ['private n: number', 'n: number'] },
    changes: true,
  },
];

/**
 * More that Node does and a static reader may not see: code in strings,
 * defaults, resolution orders, barrels, conditional loads, functions called
 * only at load time, and module paths the code itself reads.
 */
import type { AdversarialCase } from '../harness';
import { pipelineFile } from '../harness';

const A = 'attacker';

export const ATTACKER_CASES: readonly AdversarialCase[] = [
  {
    id: 'a-eval-string',
    category: A,
    title: 'code inside a string passed to eval',
    files: { 'main.pipeline.ts': pipelineFile('a-eval-string', { steps: { subject: "return eval('2 * 21');" } }) },
    edit: { 'main.pipeline.ts': ["'2 * 21'", "'2 * 22'"] },
    changes: true,
  },
  {
    id: 'a-new-function-body',
    category: A,
    title: 'code inside a string passed to new Function, in a helper',
    files: {
      'main.pipeline.ts': pipelineFile('a-new-function-body', { imports: "import { compiled } from './compile';", steps: { subject: 'return compiled(2);' } }),
      'compile.ts': "export const compiled = new Function('x', 'return x * 10') as (x: number) => number;\n",
    },
    edit: { 'compile.ts': ["'return x * 10'", "'return x * 11'"] },
    changes: true,
  },
  {
    id: 'a-default-parameter-helper',
    category: A,
    title: 'a helper reached only through a default parameter value',
    files: {
      'main.pipeline.ts': pipelineFile('a-default-parameter-helper', { imports: "import { run } from './run';", steps: { subject: 'return run();' } }),
      'run.ts': 'function fallback() {\n  return 7;\n}\nexport function run(x = fallback()) {\n  return x;\n}\n',
    },
    edit: { 'run.ts': ['return 7;', 'return 8;'] },
    changes: true,
  },
  {
    id: 'a-function-called-only-at-load',
    category: A,
    title: 'a function the step never calls, called by a load-time statement',
    files: {
      'main.pipeline.ts': pipelineFile('a-function-called-only-at-load', { imports: "import { read } from './mode';", steps: { subject: 'return read();' } }),
      'mode.ts': "let mode = 'a';\nfunction configure() {\n  mode = 'b';\n}\nconfigure();\nexport function read() {\n  return mode;\n}\n",
    },
    edit: { 'mode.ts': ["mode = 'b';", "mode = 'c';"] },
    changes: true,
  },
  {
    id: 'a-computed-key-effect',
    category: A,
    title: 'a computed object key with an effect, at load',
    files: {
      'main.pipeline.ts': pipelineFile('a-computed-key-effect', {
        imports: "import { hits } from './hits';\nimport { table } from './table';",
        steps: { subject: 'return [hits.n, Object.keys(table).length];' },
      }),
      'hits.ts': 'export const hits = { n: 0 };\nexport function key(k: string) {\n  hits.n += 1;\n  return k;\n}\n',
      'table.ts': "import { key } from './hits';\nexport const table = { [key('a')]: 1 };\n",
    },
    edit: { 'table.ts': ["{ [key('a')]: 1 }", "{ [key('a')]: 1, [key('b')]: 2 }"] },
    changes: true,
  },
  {
    id: 'a-barrel-sibling-effect',
    category: A,
    title: 'a barrel re-exports two modules; the step uses one, the other has a load-time effect',
    files: {
      'main.pipeline.ts': pipelineFile('a-barrel-sibling-effect', { imports: "import { value } from './lib';", steps: { subject: 'return value();' } }),
      'lib/index.ts': "export * from './a';\nexport * from './b';\n",
      'lib/a.ts': 'export function value() {\n  return (globalThis as any).fromB;\n}\n',
      'lib/b.ts': "(globalThis as any).fromB = 'b1';\nexport const other = 1;\n",
    },
    edit: { 'lib/b.ts': ["'b1'", "'b2'"] },
    changes: true,
  },
  {
    id: 'a-conditional-require-at-load',
    category: A,
    title: 'a require inside a top-level if',
    files: {
      'main.pipeline.ts': pipelineFile('a-conditional-require-at-load', { imports: "import { read } from './reader';", steps: { subject: 'return read();' } }),
      'reader.ts': "if (typeof process !== 'undefined') {\n  require('./setup');\n}\nexport function read() {\n  return (globalThis as any).setupValue;\n}\n",
      'setup.ts': '(globalThis as any).setupValue = 1;\n',
    },
    edit: { 'setup.ts': ['= 1', '= 2'] },
    changes: true,
  },
  {
    id: 'a-filename-read-by-helper',
    category: A,
    title: 'a helper that reads its own file name, moved to another name',
    files: {
      'main.pipeline.ts': pipelineFile('a-filename-read-by-helper', { imports: "import { me } from './first';", steps: { subject: 'return me();' } }),
      'first.ts': "import { basename } from 'node:path';\nexport function me() {\n  return basename(__filename);\n}\n",
    },
    edit: (c) => {
      c.apply({ 'second.ts': c.ws.read(`${c.dir}/first.ts`), 'first.ts': null });
      c.apply({ 'main.pipeline.ts': ["from './first'", "from './second'"] });
    },
    changes: true,
  },
  {
    id: 'a-folder-index-js-wins',
    category: A,
    title: "a folder with index.js and index.ts: Node's order runs index.js",
    files: {
      'main.pipeline.ts': pipelineFile('a-folder-index-js-wins', { imports: "import { value } from './dir';", steps: { subject: 'return value();' } }),
      'dir/index.js': "exports.value = () => 'js1';\n",
      'dir/index.ts': "export function value() {\n  return 'ts';\n}\n",
    },
    edit: { 'dir/index.js': ["'js1'", "'js2'"] },
    changes: true,
  },
  {
    id: 'a-extensionless-file-loses',
    category: A,
    title: 'a file named without extension next to a.ts: tsx runs a.ts',
    files: {
      'main.pipeline.ts': pipelineFile('a-extensionless-file-loses', { imports: "import { value } from './a';", steps: { subject: 'return value();' } }),
      a: "exports.value = () => 'plain';\n",
      'a.ts': "export function value() {\n  return 'ts1';\n}\n",
    },
    edit: { 'a.ts': ["'ts1'", "'ts2'"] },
    changes: true,
  },
  {
    id: 'a-ts-before-json',
    category: A,
    title: './data with data.ts and data.json: data.ts runs',
    files: {
      'main.pipeline.ts': pipelineFile('a-ts-before-json', { imports: "import data from './data';", steps: { subject: 'return data;' } }),
      'data.ts': 'export default { rows: 1 };\n',
      'data.json': '{ "rows": 100 }\n',
    },
    edit: { 'data.ts': ['rows: 1', 'rows: 2'] },
    changes: true,
  },
  {
    id: 'a-unused-import-dropped',
    category: A,
    title: 'an import whose binding is never used is dropped by esbuild: its effect never runs (hashed anyway)',
    files: {
      'main.pipeline.ts': pipelineFile('a-unused-import-dropped', {
        imports: "import { unused } from './effects';",
        steps: { subject: "return (globalThis as any).effect ?? 'none';" },
      }),
      'effects.ts': "(globalThis as any).effect = 'e1';\nexport const unused = 1;\n",
    },
    edit: { 'effects.ts': ["'e1'", "'e2'"] },
    changes: false,
  },
  {
    id: 'a-json-unrelated-key',
    category: A,
    title: 'an imported JSON file: a key the step does not read (the whole file is hashed)',
    files: {
      'main.pipeline.ts': pipelineFile('a-json-unrelated-key', { imports: "import cfg from './cfg.json';", steps: { subject: 'return cfg.used;' } }),
      'cfg.json': '{ "used": 1, "other": 2 }\n',
    },
    edit: { 'cfg.json': ['"other": 2', '"other": 3'] },
    changes: false,
  },
  {
    id: 'a-class-instance-field',
    category: A,
    title: 'an instance field initialised by a helper, evaluated when the step constructs',
    files: {
      'main.pipeline.ts': pipelineFile('a-class-instance-field', {
        imports: "import { Model } from './model';",
        steps: { subject: 'return new Model().size;' },
      }),
      'model.ts': 'function defaultSize() {\n  return 3;\n}\nexport class Model {\n  size = defaultSize();\n}\n',
    },
    edit: { 'model.ts': ['return 3;', 'return 4;'] },
    changes: true,
  },
  {
    id: 'a-exported-let-reassigned-at-load',
    category: A,
    title: 'an exported `let` reassigned by a later top-level statement',
    files: {
      'main.pipeline.ts': pipelineFile('a-exported-let-reassigned-at-load', {
        imports: "import { limit } from './limits';",
        steps: { subject: 'return limit;' },
      }),
      'limits.ts': 'export let limit = 1;\nlimit = 2;\n',
    },
    edit: { 'limits.ts': ['limit = 2;', 'limit = 3;'] },
    changes: true,
  },
  {
    id: 'a-getter-export',
    category: A,
    title: 'an object with a getter, the getter edited',
    files: {
      'main.pipeline.ts': pipelineFile('a-getter-export', { imports: "import { config } from './config';", steps: { subject: 'return config.size;' } }),
      'config.ts': 'export const config = {\n  get size() {\n    return 5;\n  },\n};\n',
    },
    edit: { 'config.ts': ['return 5;', 'return 6;'] },
    changes: true,
  },
  {
    id: 'a-eval-reaches-helper',
    category: A,
    title: 'a direct eval calls a top-level helper by name, inside a string',
    files: {
      'main.pipeline.ts': pipelineFile('a-eval-reaches-helper', {
        top: 'function helper() {\n  return 1;\n}\n',
        steps: { subject: "return eval('helper()');" },
      }),
    },
    edit: { 'main.pipeline.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'a-tostring-legal-comment',
    category: A,
    title: "a helper's source text (fn.toString()) with a comment esbuild keeps (/*! ... */)",
    files: {
      'main.pipeline.ts': pipelineFile('a-tostring-legal-comment', {
        imports: "import { helper } from './helper';",
        steps: { subject: 'return helper.toString();' },
      }),
      'helper.ts': 'export function helper() {\n  /*! v1 */\n  return 1;\n}\n',
    },
    edit: { 'helper.ts': ['/*! v1 */', '/*! v2 */'] },
    changes: true,
  },
  {
    id: 'a-tostring-plain-comment',
    category: A,
    title: "a helper's source text (fn.toString()) with a plain comment: esbuild drops it",
    files: {
      'main.pipeline.ts': pipelineFile('a-tostring-plain-comment', {
        imports: "import { helper } from './helper';",
        steps: { subject: 'return helper.toString();' },
      }),
      'helper.ts': 'export function helper() {\n  // v1\n  return 1;\n}\n',
    },
    edit: { 'helper.ts': ['// v1', '// v2'] },
    changes: false,
    precise: true,
  },
  {
    id: 'a-tostring-javascript-comment',
    category: A,
    title: "a CommonJS .js helper's source text (fn.toString()): Node keeps its comments",
    files: {
      'main.pipeline.ts': pipelineFile('a-tostring-javascript-comment', {
        imports: "import { helper } from './helper.js';",
        steps: { subject: 'return helper.toString();' },
      }),
      'helper.js': 'exports.helper = function () {\n  // v1\n  return 1;\n};\n',
    },
    edit: { 'helper.js': ['// v1', '// v2'] },
    changes: true,
  },
  {
    id: 'a-require-dirname-join',
    category: A,
    title: 'require(path.join(__dirname, ...)) of a helper',
    files: {
      'main.pipeline.ts': pipelineFile('a-require-dirname-join', {
        imports: "import * as path from 'node:path';",
        steps: { subject: "return require(path.join(__dirname, 'lib', 'calc')).value();" },
      }),
      'lib/calc.ts': 'export function value() {\n  return 1;\n}\n',
    },
    edit: { 'lib/calc.ts': ['return 1;', 'return 2;'] },
    changes: true,
  },
  {
    id: 'a-worker-dirname-join',
    category: A,
    title: 'new Worker(path.join(__dirname, ...))',
    files: {
      'main.pipeline.ts': pipelineFile('a-worker-dirname-join', {
        imports: "import * as path from 'node:path';\nimport { Worker } from 'node:worker_threads';",
        steps: {
          subject:
            "return await new Promise((resolve, reject) => {\n  const w = new Worker(path.join(__dirname, 'w.js'));\n  w.once('message', resolve);\n  w.once('error', reject);\n});",
        },
      }),
      'w.js': "const { parentPort } = require('node:worker_threads');\nparentPort.postMessage('w1');\n",
    },
    edit: { 'w.js': ["'w1'", "'w2'"] },
    changes: true,
  },
  {
    id: 'a-upstream-step-code',
    category: A,
    title: "an upstream step's code edited: the downstream sees its new result",
    files: {
      'main.pipeline.ts': `import { pipeline, step } from 'nx-steps';
import { count } from '../../tools/count';

export default pipeline({ name: 'a-upstream-step-code' });

export const upstream = step(async () => {
  count('a-upstream-step-code:upstream');
  return 10;
});

export const downstream = step({ needs: { u: upstream } }, async ({ u }) => {
  count('a-upstream-step-code:downstream');
  return u + 1;
});
`,
    },
    edit: { 'main.pipeline.ts': ['return 10;', 'return 20;'] },
    changes: true,
    daemon: true,
  },
  {
    id: 'a-upstream-same-result',
    category: A,
    title: 'an upstream re-runs to the same result: the downstream is kept (early cutoff)',
    files: {
      'main.pipeline.ts': `import { pipeline, step } from 'nx-steps';
import { count } from '../../tools/count';

export default pipeline({ name: 'a-upstream-same-result' });

export const upstream = step(async () => {
  count('a-upstream-same-result:upstream');
  return 5 + 5;
});

export const downstream = step({ needs: { u: upstream } }, async ({ u }) => {
  count('a-upstream-same-result:downstream');
  return u + 1;
});
`,
    },
    edit: { 'main.pipeline.ts': ['return 5 + 5;', 'return 2 * 5;'] },
    changes: false,
  },
];

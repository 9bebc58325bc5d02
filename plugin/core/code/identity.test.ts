/**
 * Whether the code analysis says a step may see who it is (identity.ts), on
 * real files: each way into `ctx.step`, `ctx.project` or the module's path is
 * a reason, named with file:line:col; the uses that cannot reveal anything
 * (ctx.log and its kin, a static process.env name, writing module.exports)
 * are none. The adversarial tables (e2e/adversarial/cases/identity*.ts)
 * check the same rules end to end against a forced recompute.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipelineFile } from '../discovery/parse-pipeline';
import { FileHasher } from '../hash/file-hasher';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import type { Tree } from '../hash/test-utils/tree';
import { DiskCache } from '../util/disk-cache';
import { CodeAnalyzer } from './closure';
import type { StepCode } from './closure';

const PIPELINE = 'p/main.pipeline.ts';

const NX_STEPS: Tree = {
  'node_modules/nx-steps/package.json': '{"name":"nx-steps","version":"1.0.0","main":"index.js"}',
  'node_modules/nx-steps/index.js': 'exports.step = (a, b) => ({ a, b });\nexports.pipeline = (o) => o;\n',
};

/** The code of each step of a pipeline whose step definitions are `steps` (after the imports). */
function codes(steps: string, files: Tree = {}, imports = ''): Record<string, StepCode> {
  const root = tempDir('nxs-identity-');
  const text = `import { pipeline, step } from 'nx-steps';\n${imports}\nexport default pipeline({ name: 'p' });\n${steps}\n`;
  writeTree(root, { 'package.json': '{"name":"ws","private":true}', 'tsconfig.json': '{}', ...NX_STEPS, [PIPELINE]: text, ...files });
  const cache = new DiskCache(root);
  const analyzer = new CodeAnalyzer(root, cache, new FileHasher(cache.path('stat-memo')));
  const parsed = parsePipelineFile(PIPELINE, fs.readFileSync(path.join(root, PIPELINE), 'utf8'));
  return analyzer.stepCodes(
    PIPELINE,
    parsed.steps.map((s) => ({ name: s.exportedAs ?? s.local, fn: s.fn })),
  );
}

/** A step's reasons, each `file what` (its line:col checked to be there, then left out). */
function reasons(body: string, files: Tree = {}, imports = ''): readonly string[] {
  const code = codes(`export const s = step(${body});`, files, imports)['s'];
  if (!code) throw new Error('no code');
  expect(code.identity.observable).toBe(code.identity.reasons.length > 0);
  return code.identity.reasons.map(withoutPosition);
}

function withoutPosition(reason: string): string {
  return reason.replace(/^([^ ]+\.[a-z]+):\d+:\d+ /, '$1 ');
}

describe('identity: what may reveal who a step is', () => {
  it('the context parameter: only log, metric, progress and outDir read are harmless', () => {
    expect(reasons("async (_i, ctx) => { ctx.log.info('x'); ctx.metric('m', 1); ctx.progress(1); return ctx.outDir.length; }")).toEqual([]);
    expect(reasons('async (_i, { log, outDir }) => { log.info(outDir); return 1; }')).toEqual([]);
    expect(reasons('async () => 1')).toEqual([]);
    expect(codes('export const s = step(async (_i, ctx) => ctx.step);')['s']?.identity.reasons).toEqual(['p/main.pipeline.ts:4:42 ctx.step']);
    expect(reasons('async (_i, ctx) => ctx.step')).toEqual(['p/main.pipeline.ts ctx.step']);
    expect(reasons('async (_i, ctx) => ctx.project')).toEqual(['p/main.pipeline.ts ctx.project']);
    expect(reasons("async (_i, ctx) => (ctx as any)['st' + 'ep']")).toEqual(["p/main.pipeline.ts (ctx as any)['st' + 'ep']"]);
    expect(reasons('async (_i, ctx) => f(ctx)', {}, 'const f = (c: unknown) => c;')).toEqual(['p/main.pipeline.ts ctx']);
    expect(reasons('async (_i, ctx) => ({ ...ctx })')).toEqual(['p/main.pipeline.ts ctx']);
    expect(reasons('async (_i, ctx) => { const { step: s } = ctx; return s; }')).toEqual(['p/main.pipeline.ts ctx: step: s']);
    expect(reasons('async (_i, { step }) => step')).toEqual(['p/main.pipeline.ts ctx: step']);
    expect(reasons('async (_i, { ...rest }) => rest')).toEqual(['p/main.pipeline.ts ctx: ...rest']);
    expect(reasons('async (...a) => a')).toEqual(['p/main.pipeline.ts ...a (a rest parameter receives ctx)']);
    expect(reasons('async function (_i) { return arguments.length; }')).toEqual(['p/main.pipeline.ts arguments']);
  });

  it('a step function given by name: its declaration in the file is read; one imported is a reason', () => {
    expect(
      codes('async function run(_i: {}, ctx: { step: string }) { return ctx.step; }\nexport const s = step(run);')['s']?.identity.reasons.map(withoutPosition),
    ).toEqual(['p/main.pipeline.ts ctx.step']);
    expect(codes('async function run() { return 1; }\nexport const s = step(run);')['s']?.identity.reasons).toEqual([]);
    const imported = codes('export const s = step(run);', { 'p/run.ts': 'export async function run() {\n  return 1;\n}\n' }, "import { run } from './run';");
    expect(imported['s']?.identity.reasons.map(withoutPosition)).toEqual(['p/main.pipeline.ts the step function `run` is not declared in this file']);
  });

  it("the module's own path, Nx's task variables, stack traces and code from strings, in the step or any unit it reaches", () => {
    expect(reasons('async () => __dirname')).toEqual(['p/main.pipeline.ts __dirname']);
    expect(reasons('async () => import.meta.url')).toEqual(['p/main.pipeline.ts import.meta']);
    expect(reasons("async () => require.resolve('./h')", { 'p/h.ts': 'export const h = 1;\n' })).toEqual([
      'p/main.pipeline.ts require.resolve(...) (an absolute path)',
    ]);
    expect(reasons('async () => new Error().stack')).toEqual(["p/main.pipeline.ts .stack (stack traces name this module's file)"]);
    expect(reasons('async () => process.env.HOME + process.cwd()')).toEqual([]);
    expect(reasons('async () => process.env.NX_TASK_TARGET_PROJECT')).toEqual([
      "p/main.pipeline.ts process.env.NX_TASK_TARGET_PROJECT (Nx's task variables name the step)",
    ]);
    expect(reasons('async () => Object.keys(process.env)')).toEqual(["p/main.pipeline.ts process.env (Nx's task variables name the step)"]);
    expect(
      reasons('async () => where()', { 'p/where.ts': 'export function where() {\n  return __filename;\n}\n' }, "import { where } from './where';"),
    ).toEqual(['p/where.ts __filename']);
    expect(reasons("async () => eval('1')")).toContain('p/main.pipeline.ts eval (code from a string sees what this code sees)');
  });

  it("the module's exports read (not written) count, and make the whole module part of the step", () => {
    const read = codes("export const s = step(async () => Object.keys(module.exports));\nexport const t = step(async () => 't');")['s'];
    expect(read?.identity.reasons.map(withoutPosition)).toEqual(["p/main.pipeline.ts the module's own exports (module.exports, exports, top-level this)"]);
    expect(read?.files['p/main.pipeline.ts']?.length).toBeGreaterThan(2);
    expect(reasons('async () => w()', { 'p/w.js': 'module.exports.w = function () {\n  return 1;\n};\n' }, "import { w } from './w.js';")).toEqual([]);
  });

  it('what nx-steps does not analyse: npm packages (but nx-steps), process-level builtins, unresolved imports', () => {
    const files: Tree = {
      'node_modules/left/package.json': '{"name":"left","version":"2.0.0","main":"index.js"}',
      'node_modules/left/index.js': 'module.exports = 1;\n',
    };
    expect(reasons('async () => left', files, "import left from 'left';")).toEqual(['package left@2.0.0 (code nx-steps does not analyse)']);
    expect(reasons('async () => cp', {}, "import * as cp from 'node:child_process';")).toEqual([
      'node:child_process (it reaches the process: its environment, its modules)',
    ]);
    expect(reasons('async () => path.sep', {}, "import * as path from 'node:path';")).toEqual([]);
    expect(reasons('async () => x', {}, "import { x } from './missing';")).toEqual(['an import that does not resolve (p/main.pipeline.ts: ./missing)']);
  });
});

describe('unnamed loads: followed, or the whole folder and a name', () => {
  const A: Tree = { 'p/a.ts': "export const value = 'a';\n", 'p/b.ts': "export const other = 'b';\n" };

  it('an alias of require and a specifier behind a type-only wrapper are followed', () => {
    for (const body of [
      "{ const load = require; return load('./a'); }",
      "require(('./a' as string))",
      "require(<string>'./a')",
      "require('./a'!)",
      "require('./a' satisfies string)",
    ]) {
      const code = codes(`export const s = step(async () => ${body});`, A)['s'];
      expect(Object.keys(code?.files ?? {}), body).toEqual(['p/a.ts', 'p/main.pipeline.ts']);
      expect(code?.dynamic, body).toEqual([]);
    }
  });

  it("a load nx-steps cannot name takes the module's whole folder, is named, and puts identity in the key", () => {
    for (const body of ['require(name)', "['./a'].map(require)", 'eval("require(\'./a\')")']) {
      const code = codes(`const name = './a';\nexport const s = step(async () => ${body});`, A)['s'];
      expect(Object.keys(code?.files ?? {}), body).toEqual(['p/a.ts', 'p/b.ts', 'p/main.pipeline.ts']);
      expect(code?.dynamic?.length, body).toBe(1);
      expect(code?.identity.observable, body).toBe(true);
    }
  });
});

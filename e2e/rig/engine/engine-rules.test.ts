/**
 * Rules of the engine the adversarial tables cannot state as one edit, on
 * the engine rig (real engine, real files, counted calls):
 * - a load nx-steps cannot name is named in every run's output, with where
 *   it is and what the key takes instead;
 * - a workspace copied with its nx-steps caches (`cp -r`, a CI cache
 *   restored elsewhere) never reuses the original's closures: an edit in the
 *   copy re-runs the step there;
 * - two steps that provably run the same computation share a result, and
 *   only those.
 */
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RigWorkspace } from './index';
import { createRigWorkspace, newStore, removeStore, runCommand } from './index';

const made: Array<RigWorkspace | string> = [];
afterEach(() => {
  for (const m of made.splice(0)) {
    if (typeof m === 'string') removeStore(m);
    else m.remove();
  }
});

function workspace(files: Record<string, string>): RigWorkspace {
  const ws = createRigWorkspace('rules', files);
  made.push(ws);
  return ws;
}

function store(): string {
  const s = newStore('rules');
  made.push(s);
  return s;
}

const head = "import { pipeline, step } from 'nx-steps';\nimport { count } from '../tools/count';\nexport default pipeline({ name: 'p' });\n";

describe('the engine on the rig', () => {
  it("a load nx-steps cannot name is named in every run's output: where, and what the key takes instead", async () => {
    const ws = workspace({
      'p/main.pipeline.ts': `${head}const name = './a';\nexport const subject = step(async () => {\n  count('p:subject');\n  return require(name).value;\n});\n`,
      'p/a.ts': "export const value = 'a';\n",
    });
    const nx = store();
    for (let run = 0; run < 2; run++) {
      const r = await runCommand(ws, { nxCache: nx });
      expect(r.warnings).toEqual([
        expect.stringMatching(
          /^p:subject loads modules nx-steps cannot name: p\/main\.pipeline\.ts:7:10 require\(name\)\. Its key covers every file under the folder/,
        ),
      ]);
    }
    expect(ws.calls()).toEqual({ 'p:subject': 1 });
  });

  it("a workspace copied with its caches does not reuse the original's closures: an edit in the copy re-runs there", async () => {
    const ws = workspace({
      'p/main.pipeline.ts': `${head}import { rate } from './helper';\nexport const subject = step(async () => {\n  count('p:subject');\n  return rate();\n});\n`,
      'p/helper.ts': 'export function rate() {\n  return 1;\n}\n',
    });
    await runCommand(ws);
    const copy = createRigWorkspace('rules-copy');
    made.push(copy);
    fs.rmSync(copy.root, { recursive: true, force: true });
    fs.cpSync(ws.root, copy.root, { recursive: true, verbatimSymlinks: true });
    copy.write('p/helper.ts', 'export function rate() {\n  return 2;\n}\n');
    copy.resetCalls();
    const r = await runCommand(copy);
    expect(r.tasks.map((t) => t.status)).toEqual(['executed']);
    expect(copy.calls()).toEqual({ 'p:subject': 1 });
  });

  it('two steps running the same blind code share a result; with ctx.step, or input_hash, each runs', async () => {
    const ws = workspace({
      'p/main.pipeline.ts': `${head}export const first = step(async () => {\n  count('p:same');\n  return 7;\n});\nexport const second = step(async () => {\n  count('p:same');\n  return 7;\n});\nexport const third = step(async (_i: {}, ctx) => {\n  count('p:sees');\n  return ctx.step.length;\n});\nexport const fourth = step(async (_i: {}, ctx) => {\n  count('p:sees');\n  return ctx.step.length;\n});\n`,
    });
    const r = await runCommand(ws, { localEntries: store() });
    expect(Object.fromEntries(r.tasks.map((t) => [t.target, t.status]))).toEqual({
      first: 'executed',
      fourth: 'executed',
      second: 'restored',
      third: 'executed',
    });
    expect(ws.calls()).toEqual({ 'p:same': 1, 'p:sees': 2 });
  });
});

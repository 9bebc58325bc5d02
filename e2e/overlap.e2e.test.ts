/**
 * Issue 14, categories 8 and 9: overlapping commands and killed runs never
 * leave a cache entry whose contents belong to another key.
 *
 * A step writes its output over a few hundred milliseconds, in several files,
 * each naming the param it was made with. Commands on the same step (with
 * different params) and on its downstream step overlap at random offsets; runs
 * are killed at random points. Then every entry of the local Nx cache is
 * opened and checked: the result, every file and step.json agree with each
 * other, and the folder was produced for the very key it is stored under (the
 * task stamp names the Nx hash; a step-keyed entry's fingerprint gives its
 * key). Finally each step's result is compared with a forced recompute.
 *
 * Slow (dozens of nx commands): runs when NX_STEPS_STRESS=1 (.ci/run sets it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryKeyOf } from '../plugin/core/fingerprint/step-key';
import type { Workspace } from './rig';
import { createWorkspace, workspacesPerTest } from './rig';

const STRESS = process.env['NX_STEPS_STRESS'] === '1';
const ROUNDS = 20;

const FILES: Record<string, string> = {
  'c/c.pipeline.ts': `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'c' });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const up = step({ params: { k: 1 } }, async ({ k }, ctx) => {
  count('up');
  for (let part = 0; part < 4; part++) {
    writeFileSync(join(ctx.outDir, \`part-\${part}.txt\`), \`k=\${k}\\n\`);
    await sleep(60);
  }
  return { k };
});

export const down = step({ needs: { u: up } }, async ({ u }, ctx) => {
  count('down');
  await sleep(100);
  return { fromK: u.k, doubled: u.k * 2 };
});
`,
};

const open = workspacesPerTest();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every cache entry folder (Nx's and step-keyed) holding a step output of project c. */
function entries(ws: Workspace): Array<{ key: string; dir: string }> {
  const out: Array<{ key: string; dir: string }> = [];
  for (const key of fs.readdirSync(ws.cacheDir)) {
    if (!/^\d+$/.test(key)) continue;
    const root = path.join(ws.cacheDir, key);
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (fs.existsSync(path.join(p, 'step.json'))) found.push(p);
          else walk(p);
        }
      }
    };
    walk(root);
    for (const dir of found) out.push({ key, dir });
  }
  return out;
}

/** Why an entry is inconsistent, or undefined when it is sound. */
function entryProblem(ws: Workspace, entry: { key: string; dir: string }): string | undefined {
  const meta = JSON.parse(fs.readFileSync(path.join(entry.dir, 'step.json'), 'utf8')) as {
    step: string;
    fingerprint: { digest: string };
  };
  let value: { k?: number; fromK?: number };
  try {
    value = ws.storedIn(entry.dir) as typeof value;
  } catch (e) {
    return `entry ${entry.key} does not verify: ${(e as Error).message}`;
  }
  const stamp = fs.existsSync(path.join(entry.dir, 'task.json'))
    ? (JSON.parse(fs.readFileSync(path.join(entry.dir, 'task.json'), 'utf8')) as { nxHash?: string })
    : undefined;
  const isStepKeyed = entry.key.length > 20;
  if (isStepKeyed && entryKeyOf(meta.fingerprint.digest) !== entry.key) return `step-keyed entry ${entry.key} holds fingerprint ${meta.fingerprint.digest}`;
  if (!isStepKeyed && stamp?.nxHash !== entry.key) return `Nx entry ${entry.key} holds a folder produced for ${stamp?.nxHash ?? 'an unknown task'}`;
  if (meta.step === 'up') {
    // The param's value is not in the entry (only its digest): this machine kept it beside the workspace.
    const kept = JSON.parse(ws.read(`.nx-steps/params/${meta.fingerprint.digest}.json`)) as { params: { k?: number } };
    const k = kept.params.k;
    if (value.k !== k) return `up: value k=${value.k} but key k=${String(k)}`;
    for (let part = 0; part < 4; part++) {
      const text = fs.readFileSync(path.join(entry.dir, 'files', `part-${part}.txt`), 'utf8');
      if (text !== `k=${k}\n`) return `up: part-${part} says ${text.trim()} but key k=${String(k)}`;
    }
  }
  return undefined;
}

function expectSoundEntries(ws: Workspace): void {
  const all = entries(ws);
  expect(all.length).toBeGreaterThan(0);
  expect(all.map((e) => entryProblem(ws, e)).filter(Boolean)).toEqual([]);
}

/** Each step's result now, against a forced recompute in a copy made for that purpose. */
function expectFresh(ws: Workspace, k: number): void {
  ws.nxOk(['run', 'c:up', `--k=${k}`]);
  const up = ws.stored('c/.nx-steps/out/up');
  ws.nxOk(['run', 'c:down']);
  const down = ws.stored('c/.nx-steps/out/down');
  fs.rmSync(ws.path('c/.nx-steps/out'), { recursive: true, force: true });
  ws.nxOk(['run', 'c:up', `--k=${k}`, '--skip-nx-cache']);
  expect(ws.stored('c/.nx-steps/out/up')).toEqual(up);
  ws.nxOk(['run', 'c:down', '--skip-nx-cache']);
  expect(ws.stored('c/.nx-steps/out/down')).toEqual(down);
}

describe.runIf(STRESS)('overlapping commands and killed runs (NX_STEPS_STRESS=1; set by .ci/run)', () => {
  it(`${ROUNDS} rounds of two commands on the same and on related steps, at random offsets: every stored entry is sound`, { timeout: 1_800_000 }, async () => {
    const ws = createWorkspace('overlap', FILES);
    open.push(ws);
    const commands = [
      ['run', 'c:up', '--k=2'],
      ['run', 'c:up'],
      ['run', 'c:down'],
      ['run', 'c:up', '--k=3'],
    ];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const first = commands[random(commands.length)] ?? commands[0]!;
      const second = commands[random(commands.length)] ?? commands[1]!;
      const a = ws.nxAsync(first);
      await sleep(random(1500));
      const b = ws.nxAsync(second);
      const results = await Promise.all([a.done, b.done]);
      // A command may fail (NXS211 when the other replaced what it was reading), never silently.
      for (const r of results) if (r.code !== 0) expect(r.output).toMatch(/NXS2\d\d|was produced for another task/);
      // Start each round from a clean slate of outputs half the time: the folder Nx restores into.
      if (random(2) === 0) fs.rmSync(ws.path('c/.nx-steps/out'), { recursive: true, force: true });
    }
    expectSoundEntries(ws);
    expectFresh(ws, 2);
    expectFresh(ws, 1);
  });

  it(`${ROUNDS} runs killed at random points: every stored entry is sound, and the next runs are correct`, { timeout: 1_800_000 }, async () => {
    const ws = createWorkspace('killed-runs', FILES);
    open.push(ws);
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < ROUNDS; round++) {
      const args = random(2) === 0 ? ['run', 'c:down'] : ['run', 'c:up', `--k=${1 + random(3)}`];
      const run = ws.nxAsync(args, { detached: true });
      // Every fourth run is left to finish, so the cache holds entries to check.
      if (round % 4 === 3) {
        await run.done;
        continue;
      }
      await sleep(500 + random(8000));
      // Half the time the whole command (nx, its workers, the step's process: a cancelled CI job, the
      // OOM killer), half the time nx alone (its task processes are orphaned mid-write).
      const group = random(2) === 0;
      try {
        process.kill(group ? -(run.child.pid ?? 0) : (run.child.pid ?? 0), 'SIGKILL');
      } catch {
        // it had already finished
      }
      await run.done;
    }
    await sleep(3000); // orphaned task processes finish or die
    expectSoundEntries(ws);
    expectFresh(ws, 1);
  });
});

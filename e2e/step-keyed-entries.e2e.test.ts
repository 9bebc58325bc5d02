/**
 * Issue 13: a step's result survives pipeline edits on every machine. Nx's
 * task hash covers every target of the project, so any change to the list or
 * options of its targets makes every step miss; the step-keyed entry (stored
 * by the executor in Nx's local and remote cache under the step's own key)
 * then restores each step whose own code, data and inputs did not change.
 *
 * "Machines" are workspace copies with their own local Nx cache, sharing one
 * real remote cache server (nginx, e2e/rig/remote-cache-remote.server.ts). Every
 * claim is a count of step function calls.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { createWorkspace, remoteCachePerFile, workspacesPerTest } from './rig';

const PIPELINE = 'etl/etl.pipeline.ts';
const STEPS = ['one', 'two', 'three'];

const BASE: Record<string, string> = {
  [PIPELINE]: `import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'etl' });

export const one = step(() => {
  count('one');
  return [1, 2, 3];
});

export const two = step({ needs: { xs: one } }, ({ xs }) => {
  count('two');
  return xs.map((x) => x * 10);
});

export const three = step({ needs: { ys: two } }, ({ ys }) => {
  count('three');
  return ys.reduce((a, b) => a + b, 0);
});
`,
  // Another target of the same project, from project.json: Nx hashes its options into every step's hash.
  'etl/project.json': `${JSON.stringify({ name: 'etl', targets: { lint: { command: 'echo lint v1' } } }, null, 2)}\n`,
};

const open = workspacesPerTest();
const remote = remoteCachePerFile();

function machine(name: string, files: Record<string, string> = BASE): Workspace {
  const ws = createWorkspace(name, files);
  open.push(ws);
  return ws;
}

/** Runs the given steps of etl (and what they need) against the shared server; returns step calls and the run's report. */
function run(
  ws: Workspace,
  steps: readonly string[],
  extra: string[] = [],
  role: 'read-write' | 'read-only' = 'read-write',
): { calls: Record<string, number>; output: string } {
  ws.resetCalls();
  const r = ws.nxOk(['run-many', '-t', ...steps, '-p', 'etl', '--output-style=static', ...extra], { env: remote.server.nxEnv(role) });
  return { calls: ws.calls(), output: r.output };
}

/** Each step's source in the last run, from `nx-steps report --last --json`. */
function sources(ws: Workspace): Record<string, string> {
  const report = JSON.parse(ws.cli(['report', '--last', '--json']).stdout) as { lastRun: { steps: Array<{ step: string; source: string }> } };
  return Object.fromEntries(report.lastRun.steps.map((s) => [s.step, s.source]));
}

describe('step-keyed entries across machines (shared remote cache)', () => {
  let seeded = false;
  /** Machine A runs the three-step pipeline once and uploads it (once per file: every case below starts from it). */
  function seed(): void {
    if (seeded) return;
    const a = machine('a');
    expect(run(a, STEPS).calls).toEqual({ one: 1, two: 1, three: 1 });
    seeded = true;
  }

  it('a step added: only the new step is called on a fresh machine; the others are hits by step key', () => {
    seed();
    const b = machine('b-added');
    b.edit(
      PIPELINE,
      /$/,
      `
export const four = step({ needs: { total: three } }, ({ total }) => {
  count('four');
  return total * 2;
});
`,
    );
    const r = run(b, [...STEPS, 'four']);
    expect(r.calls).toEqual({ four: 1 });
    expect(sources(b)).toEqual({ one: 'step-remote', two: 'step-remote', three: 'step-remote', four: 'executed' });
    expect(b.stored('etl/.nx-steps/out/four')).toBe(120);
    expect(r.output).toContain("restored from the remote cache by this step's own key");
  });

  it('a step renamed (its code unchanged): nothing is called', () => {
    seed();
    const b = machine('b-renamed');
    b.edit(PIPELINE, 'export const three = step(', 'export const total = step(');
    const r = run(b, ['one', 'two', 'total']);
    expect(r.calls).toEqual({});
    expect(sources(b)).toEqual({ one: 'step-remote', two: 'step-remote', total: 'step-remote' });
    expect(b.stored('etl/.nx-steps/out/total')).toBe(60);
  });

  it("another target's options changed in project.json: nothing is called", () => {
    seed();
    const b = machine('b-other-target');
    b.edit('etl/project.json', 'echo lint v1', 'echo lint v2');
    expect(run(b, STEPS).calls).toEqual({});
    expect(sources(b)).toEqual({ one: 'step-remote', two: 'step-remote', three: 'step-remote' });
  });

  it('a needs edge added between unchanged steps: only the step that gained an input is called', () => {
    seed();
    const b = machine('b-new-edge');
    b.edit(PIPELINE, 'step({ needs: { ys: two } }', 'step({ needs: { ys: two, xs: one } }');
    expect(run(b, STEPS).calls).toEqual({ three: 1 });
    // dependsOn is not part of Nx's hash: one and two are Nx's own hits here.
    expect(sources(b)).toEqual({ one: 'remote', two: 'remote', three: 'executed' });
  });

  it('--batch on a fresh machine after one step changed: only that step and what its new result reaches are called', () => {
    seed();
    const b = machine('b-batch');
    b.edit(PIPELINE, 'x * 10', 'x * 100');
    expect(run(b, STEPS, ['--batch']).calls).toEqual({ two: 1, three: 1 });
    const c = machine('c-batch');
    c.edit(PIPELINE, "count('two');", "count('two'); // a comment only");
    expect(run(c, STEPS, ['--batch']).calls).toEqual({});
  });

  it('a read-only token reads entries and writes none; a server that is down costs one warning, not the run', async () => {
    seed();
    const b = machine('b-read-only');
    b.edit(PIPELINE, /$/, "\nexport const four = step({ needs: { t: three } }, ({ t }) => { count('four'); return t + 1; });\n");
    const before = new Set(remote.server.entries().keys());
    expect(run(b, [...STEPS, 'four'], [], 'read-only').calls).toEqual({ four: 1 });
    expect([...remote.server.entries().keys()].filter((k) => !before.has(k))).toEqual([]);

    const down = machine('b-down');
    down.edit('etl/project.json', 'echo lint v1', 'echo lint v3');
    down.resetCalls();
    const r = down.nxOk(['run-many', '-t', ...STEPS, '-p', 'etl', '--output-style=static'], {
      env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: 'http://127.0.0.1:9', NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: 'x' },
    });
    expect(down.calls()).toEqual({ one: 1, two: 1, three: 1 });
    expect(r.output.split('\n').filter((l) => l.includes('nx-steps: the remote cache'))).toHaveLength(1);
  });
});

/** Issue 22: who may restore an entry by a step's own key after a rename or a move (docs/hashing.md, the identity rule). */
describe('renamed and moved, on a fresh machine: only code that cannot see the difference restores', () => {
  const pipeline = (countFrom: string) => `import * as path from 'node:path';
import { pipeline, step } from 'nx-steps';
import { count } from '${countFrom}';

export default pipeline({ name: 'lab' });

export const plain = step(() => {
  count('plain');
  return 1;
});

export const named = step((_i: {}, ctx) => {
  count('named');
  return ctx.step;
});

export const located = step(() => {
  count('located');
  return path.basename(__dirname);
});
`;
  const FILES = { 'lab/lab.pipeline.ts': pipeline('../tools/count') };
  const labRun = (ws: Workspace, steps: readonly string[]) => {
    ws.resetCalls();
    ws.nxOk(['run-many', '-t', ...steps, '-p', 'lab', '--output-style=static'], { env: remote.server.nxEnv('read-write') });
    return ws.calls();
  };
  let seeded = false;
  function seed(): void {
    if (seeded) return;
    expect(labRun(machine('lab-a', FILES), ['plain', 'named', 'located'])).toEqual({ plain: 1, named: 1, located: 1 });
    seeded = true;
  }

  it('steps renamed: the one that reads ctx.step runs, the others are restored by their own key', () => {
    seed();
    const b = machine('lab-renamed', FILES);
    b.edit('lab/lab.pipeline.ts', 'export const plain =', 'export const plain2 =');
    b.edit('lab/lab.pipeline.ts', 'export const named =', 'export const named2 =');
    expect(labRun(b, ['plain2', 'named2', 'located'])).toEqual({ named: 1 });
    expect(sources(b)).toEqual({ plain2: 'step-remote', named2: 'executed', located: 'step-remote' });
    expect(b.stored('lab/.nx-steps/out/named2')).toBe('named2');
  });

  it('the folder moved (same project name): the steps that can see their folder run, the other is restored', () => {
    seed();
    const c = machine('lab-moved', { 'pipelines/lab/lab.pipeline.ts': pipeline('../../tools/count') });
    expect(labRun(c, ['plain', 'named', 'located'])).toEqual({ named: 1, located: 1 });
    expect(sources(c)).toEqual({ plain: 'step-remote', named: 'executed', located: 'executed' });
    expect(c.stored('pipelines/lab/.nx-steps/out/located')).toBe('lab');
  });
});

describe('step-keyed entries on one machine', () => {
  it('a branch that adds a step, git clean -fdx, and back: every unchanged step is a local hit, nothing is called', () => {
    // A user's machine: Nx keeps its cache and its index under ~/.nx/<workspace id>, outside the
    // checkout (Nx refuses a home under /tmp, so this one sits under the real home).
    const homes = path.join(os.homedir(), '.cache', 'nx-steps-e2e');
    fs.mkdirSync(homes, { recursive: true });
    const home = fs.mkdtempSync(path.join(homes, 'home-'));
    const ws = machine('branches');
    const env = { HOME: home, NX_CACHE_DIRECTORY: undefined };
    try {
      ws.initGit();
      ws.git('remote', 'add', 'origin', `https://example.com/${path.basename(ws.root)}.git`);
      const runHere = (steps: string[]) => {
        ws.resetCalls();
        ws.nxOk(['run-many', '-t', ...steps, '-p', 'etl', '--output-style=static'], { env });
        return ws.calls();
      };
      expect(runHere(STEPS)).toEqual({ one: 1, two: 1, three: 1 });
      ws.commitAll('lock');
      ws.git('checkout', '-q', '-b', 'four');
      ws.edit(PIPELINE, /$/, "\nexport const four = step({ needs: { t: three } }, ({ t }) => { count('four'); return t + 1; });\n");
      ws.git('clean', '-qfdx', '-e', 'calls.log', '-e', 'node_modules');
      expect(runHere([...STEPS, 'four'])).toEqual({ four: 1 });
      ws.commitAll('four');
      for (const branch of ['main', 'four', 'main']) {
        ws.git('checkout', '-q', branch);
        ws.git('clean', '-qfdx', '-e', 'calls.log', '-e', 'node_modules');
        expect(runHere(branch === 'main' ? STEPS : [...STEPS, 'four']), `on ${branch}`).toEqual({});
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

/**
 * Issue 26: the smoke path on every Nx version nx-steps supports (22.7, 23.3
 * and 24.0: package.json's peer range), each in a workspace of that version
 * with the @nx/devkit such a workspace has: `nx add` from the packed
 * tarball, generate, run, cache hit, a sibling step added, the remote cache
 * (a real server) on another machine, a sibling added there (step-keyed
 * entries through Nx's cache classes: plugin/nx/nx-internals.ts), and
 * `nx affected`. Every claim is a count of step function calls.
 *
 * Where the versions differ, each case says what its Nx does: `nx affected`
 * selects single tasks on Nx 24 (by default) and on 23.3 (with
 * NX_LEGACY_AFFECTED=false); Nx 22.7 (and 23.x by default) select whole
 * projects, so every step of a changed pipeline is selected, and the steps'
 * own keys still call only what changed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Workspace } from './rig';
import { createBareWorkspace, workspacesPerTest } from './rig';
import { RemoteCacheServer } from './rig/remote-cache-server';
import { REPO_ROOT } from './rig/template';
import { createWorkspaceFrom } from './rig/workspace';

const open = workspacesPerTest();

type Affected = 'tasks' | 'tasks-when-asked' | 'projects';

interface NxCase {
  readonly nx: string;
  /** The installed template of that version, without nx-steps. */
  readonly template: () => string;
  readonly affected: Affected;
}

const MAIN_NX = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies[
  'nx'
] as string;

const CASES: readonly NxCase[] = [
  { nx: '22.7.12', template: () => inject('nxTemplates')['22.7.12'] as string, affected: 'projects' },
  { nx: '23.3.2', template: () => inject('nxTemplates')['23.3.2'] as string, affected: 'tasks-when-asked' },
  { nx: MAIN_NX, template: () => inject('templateDir'), affected: 'tasks' },
];

const PIPELINE = 'etl/etl.pipeline.ts';

function sh(ws: Workspace, command: string, env: Record<string, string> = {}): string {
  const r = ws.sh(command, { env });
  if (r.code !== 0) throw new Error(`${command} exited ${r.code}:\n${r.output.replace(/^/gm, '│ ')}`);
  return r.output;
}

function installedVersion(ws: Workspace, pkg: string, from = ws.root): string {
  const file = require.resolve(`${pkg}/package.json`, { paths: [from] });
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Another machine: a clone of the workspace's repository, with its own (empty) Nx cache and no outputs. */
function anotherMachine(ws: Workspace, name: string): Workspace {
  const other = createWorkspaceFrom(ws.root, name);
  open.push(other);
  for (const rel of ['.nx', '.nx-steps', 'etl/.nx-steps', 'calls.log']) other.deleteFile(rel);
  return other;
}

/** The tasks `nx affected` selects between the last two commits (Nx's --explain), without running them. */
function affectedTasks(ws: Workspace, env: Record<string, string>): string[] {
  const r = ws.nxOk(['affected', '-t', 'load_data', 'summarize', 'report', '--base=HEAD~1', '--head=HEAD', '--explain=stdout'], { env });
  return Object.keys((JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { affected: Record<string, unknown> }).affected).sort();
}

describe.each(CASES)('Nx $nx', ({ nx, template, affected }) => {
  it('nx add from the tarball, generate, run, cache hit, a sibling added, the remote cache on another machine, nx affected', { timeout: 900_000 }, async () => {
    // Its own server: the cases share step keys (same pipeline, same nx-steps), and a step-keyed entry of one Nx is a hit for another.
    const server = await RemoteCacheServer.start();
    try {
      smokePath(nx, template(), affected, server);
    } finally {
      await server.remove();
    }
  });
});

function smokePath(nx: string, template: string, affected: Affected, server: RemoteCacheServer): void {
  const ws = createBareWorkspace(`nx-${nx}`, {}, undefined, template);
  open.push(ws);
  ws.initGit();
  expect(installedVersion(ws, 'nx')).toBe(nx);
  // A team's machine: the remote cache is on for every run.
  const rw = { env: server.nxEnv('read-write') };

  expect(sh(ws, `npx nx add nx-steps@file:${inject('tarball')}`)).toContain('Package nx-steps added successfully.');
  // nx-steps uses the workspace's @nx/devkit (its dependency range covers every supported Nx).
  expect(installedVersion(ws, '@nx/devkit', ws.path('node_modules/nx-steps'))).toBe(installedVersion(ws, '@nx/devkit'));

  sh(ws, 'npx nx g nx-steps:pipeline etl');
  ws.edit(PIPELINE, "from 'nx-steps';", "from 'nx-steps';\nimport { count } from '../tools/count';");
  ws.edit(PIPELINE, 'async ({ csv }) => {', "async ({ csv }) => {\n    count('load_data');");
  ws.edit(PIPELINE, '({ rows }) => ({', "({ rows }) => (count('summarize'), {");
  // The edits made the lock stale: nx sync:check fails (as in CI), nx sync brings it up to date.
  expect(ws.nx(['sync:check']).code).not.toBe(0);
  ws.nxOk(['sync']);
  ws.nxOk(['sync:check']);
  const first = ws.runSteps('etl:summarize', [], rw);
  expect(first.calls).toEqual({ load_data: 1, summarize: 1 });
  // The lock on disk is current (nx sync), the commit has no entry for these steps: the warning says to commit it, once.
  const lockWarning = (output: string) => output.split('nx-steps.lock.json as committed does not describe 2 step(s)').length - 1;
  expect(lockWarning(first.result.output)).toBe(1);
  expect(first.result.output).toContain('and the file on disk does: commit it (git add nx-steps.lock.json)');
  const hit = ws.runSteps('etl:summarize', [], rw);
  expect(hit.calls).toEqual({});
  expect(hit.statuses).toEqual({ 'etl:load_data': 'local', 'etl:summarize': 'local' });
  ws.commitAll('a pipeline');

  // A sibling: Nx misses every step of the project (its targets changed); the executor keeps the others.
  sh(ws, 'npx nx g nx-steps:step report --pipeline etl --needs summarize');
  ws.edit(PIPELINE, "ctx.log.info('report:", "count('report');\n  ctx.log.info('report:");
  expect(ws.runSteps('etl:report', [], rw).calls).toEqual({ report: 1 });
  ws.commitAll('a step added');

  otherMachines(ws, server);
  affectedAfterAnEdit(ws, affected);
  clearedBesideNxsIndex(ws);
}

function otherMachines(ws: Workspace, server: RemoteCacheServer): void {
  const ro = { env: server.nxEnv('read-only') };
  // Another machine, its local cache empty: every step restored from the remote cache.
  const b = anotherMachine(ws, `${path.basename(ws.root)}-b`);
  const restored = b.runSteps('etl:report', [], ro);
  expect(restored.calls).toEqual({});
  expect(restored.statuses).toEqual({ 'etl:load_data': 'remote', 'etl:summarize': 'remote', 'etl:report': 'run' });
  // report ran on the first machine before its lock entry was committed, so its Nx hash read its code files then
  // (core/fingerprint/lock-check.ts): Nx misses it here, and its own key restores it.
  expect(restored.result.output).toContain("nx-steps ▸ etl:report restored from the remote cache by this step's own key");

  // A sibling added on a third machine: Nx misses every task; each step's own key restores it from the remote cache,
  // in a batch too (one process for every task Nx did not restore).
  const c = anotherMachine(ws, `${path.basename(ws.root)}-c`);
  sh(c, 'npx nx g nx-steps:step extra --pipeline etl --needs load_data');
  const byKey = c.runSteps('etl:report', ['--batch'], ro);
  expect(byKey.calls).toEqual({});
  for (const step of ['load_data', 'summarize', 'report'])
    expect(byKey.result.output).toContain(`nx-steps ▸ etl:${step} restored from the remote cache by this step's own key`);
}

/** nx affected after a change of summarize's code, committed with the lock. */
function affectedAfterAnEdit(ws: Workspace, affected: Affected): void {
  ws.edit(PIPELINE, 'sum + row.value, 0)', 'sum + row.value, 1)');
  const edited = ws.runSteps('etl:summarize');
  expect(edited.calls).toEqual({ summarize: 1 });
  // Each target reads its own field of the lock ({ json, fields }): load_data's Nx hash did not move.
  expect(edited.statuses['etl:load_data']).toBe('local');
  ws.commitAll('summarize changed');
  if (affected === 'projects') {
    expect(sh(ws, 'npx nx show projects --affected --base=HEAD~1 --head=HEAD').trim().split('\n').pop()).toBe('etl');
  } else {
    expect(affectedTasks(ws, affected === 'tasks-when-asked' ? { NX_LEGACY_AFFECTED: 'false' } : {})).toEqual(['etl:report', 'etl:summarize']);
  }
  // Whatever Nx selects, the steps' own keys call only what the change reaches: report (its upstream result changed).
  expect(ws.runSteps('etl:report').calls).toEqual({ report: 1 });
  ws.resetCalls();
  ws.nxOk(['affected', '-t', 'load_data', 'summarize', 'report', '--base=HEAD~1', '--head=HEAD']);
  expect(ws.calls()).toEqual({});
}

/** `nx-steps clear` salts the step beside Nx's cache index (its database), wherever this Nx keeps it (plugin/nx/nx-internals.ts). */
function clearedBesideNxsIndex(ws: Workspace): void {
  sh(ws, 'npx nx-steps clear etl:load_data');
  const dataDir = fs.readdirSync(ws.path('.nx/workspace-data'));
  expect(dataDir.filter((f) => f.endsWith('.db')).length).toBeGreaterThan(0);
  expect(dataDir).toContain('nx-steps-salts.json');
  expect(ws.exists('.nx-steps/state')).toBe(false);
  expect(ws.runSteps('etl:load_data').calls).toEqual({ load_data: 1 });
}

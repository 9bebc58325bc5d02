/**
 * Benchmarks that run `nx` in real workspaces: each workspace is a copy of the
 * e2e rig's template (a fresh Nx 24 install with the packed plugin, as users
 * get it), with its own Nx cache folder and the daemon off.
 *
 * Every node process of a measured command (nx itself, its plugin workers,
 * the processes that run tasks) reports its own CPU time and peak RSS when it
 * exits, through a module preloaded with NODE_OPTIONS. Node has no way to ask
 * for its children's usage, and Nx's plugin workers are detached (never
 * reaped by nx), so this is the one way that sees every process.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packPlugin, prepareTemplate } from '../../e2e/rig/template';
import type { Workspace } from '../../e2e/rig/workspace';
import { createWorkspaceFrom, stripAnsi } from '../../e2e/rig/workspace';
import { REPO_ROOT } from './dist';
import type { Metrics } from './runner';
import { benchTempDir, removeDir } from './temp-files';

export type { Workspace } from '../../e2e/rig/workspace';

let template: string | undefined;

/** The installed template workspace for the plugin as built now (packed and installed once per tarball). */
export function benchTemplate(): string {
  template ??= prepareTemplate(packPlugin(path.join(REPO_ROOT, 'bench', '.artifacts')));
  return template;
}

/** nx.json of a workspace without nx-steps: what the controls run in. */
const NX_JSON_WITHOUT_PLUGIN = `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2)}\n`;

/**
 * A plugin that does nothing, with the hooks nx-steps has: what Nx charges
 * for any plugin (its own worker process, started and loaded by Nx, and the
 * hook calls), whatever the plugin does. Installed as a package, as nx-steps
 * is: Nx resolves a plugin that lives in the workspace's own folders by
 * reading every project first, which costs more.
 */
export const EMPTY_PLUGIN_NAME = 'nxs-bench-empty-plugin';
export const EMPTY_PLUGIN: Readonly<Record<string, string>> = {
  [`node_modules/${EMPTY_PLUGIN_NAME}/package.json`]: `${JSON.stringify({ name: EMPTY_PLUGIN_NAME, version: '0.0.0', main: 'index.js' })}\n`,
  [`node_modules/${EMPTY_PLUGIN_NAME}/index.js`]: [
    `exports.name = '${EMPTY_PLUGIN_NAME}';`,
    "exports.createNodes = ['nx.json', () => []];",
    'exports.createNodesV2 = exports.createNodes;',
    'exports.preTasksExecution = async () => {};',
    'exports.postTasksExecution = async () => {};',
    '',
  ].join('\n'),
};

export function nxJsonWithPlugins(plugins: readonly string[]): string {
  return `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json', plugins }, null, 2)}\n`;
}

/**
 * A workspace in a fresh temporary folder. `plugin: false` gives the control
 * shape: no nx-steps in nx.json and no lock file (the package stays in
 * node_modules, where Nx never looks at it unless nx.json names it).
 */
export function benchWorkspace(name: string, files: Readonly<Record<string, string>>, opts: { plugin: boolean }): Workspace {
  const root = path.join(benchTempDir(name), 'ws');
  const ws = createWorkspaceFrom(benchTemplate(), name, files, root);
  if (!opts.plugin) {
    if (!('nx.json' in files)) ws.write('nx.json', NX_JSON_WITHOUT_PLUGIN);
    fs.rmSync(ws.path('nx-steps.lock.json'), { force: true });
  }
  return ws;
}

/** Removes a workspace made by benchWorkspace, its Nx cache and its temporary folder. */
export function removeWorkspace(ws: Workspace): void {
  ws.remove();
  removeDir(path.dirname(ws.root));
}

/** Empties the workspace's Nx cache folder (the local cache, not the graph's workspace data). */
export function clearNxCache(ws: Workspace): void {
  removeDir(ws.cacheDir);
  fs.mkdirSync(ws.cacheDir, { recursive: true });
}

// The preloaded module. Plain JavaScript: NODE_OPTIONS can only preload what
// node runs as is. Worker threads share their process's usage figures, so
// only the main thread reports.
const USAGE_HOOK = `'use strict';
const fs = require('fs');
const file = process.env.NXS_BENCH_USAGE;
if (file && require('worker_threads').isMainThread) {
  fs.appendFileSync(file, JSON.stringify({ pid: process.pid, event: 'start' }) + '\\n');
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.appendFileSync(file, JSON.stringify({ pid: process.pid, event: 'exit', cpuUs: u.userCPUTime + u.systemCPUTime, maxRssKiB: u.maxRSS }) + '\\n');
  });
}
`;

// Opt-in (NXS_BENCH_PROFILE=<folder>): a CPU profile of every node process of
// every measured command, for finding where the time goes (summarize them
// with bench/profile.ts). Node refuses --cpu-prof in NODE_OPTIONS; a
// preloaded inspector session works in every process.
const PROFILE_HOOK = `'use strict';
const dir = process.env.NXS_BENCH_PROFILE;
if (dir && require('worker_threads').isMainThread) {
  const fs = require('fs');
  const path = require('path');
  const session = new (require('inspector').Session)();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 250 });
  session.post('Profiler.start');
  const started = Date.now();
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      const what = process.argv.slice(1, 4).join(' ').replace(/.*node_modules\\//, '').replace(/\\W+/g, '_').slice(-60);
      fs.writeFileSync(path.join(dir, started + '-' + process.pid + '-' + what + '.cpuprofile'), JSON.stringify(result.profile));
    });
  });
}
`;

let hooksDir: string | undefined;

function hookFiles(): { usage: string; profile: string } {
  if (hooksDir === undefined) {
    const dir = benchTempDir('hooks');
    process.on('exit', () => removeDir(dir));
    hooksDir = dir;
  }
  const usage = path.join(hooksDir, 'usage-hook.js');
  const profile = path.join(hooksDir, 'profile-hook.js');
  if (!fs.existsSync(usage)) fs.writeFileSync(usage, USAGE_HOOK);
  if (!fs.existsSync(profile)) fs.writeFileSync(profile, PROFILE_HOOK);
  return { usage, profile };
}

interface UsageLine {
  readonly pid: number;
  readonly event: 'start' | 'exit';
  readonly cpuUs?: number;
  readonly maxRssKiB?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads the usage lines once every process that started has exited (plugin
 * workers leave a moment after nx, when their socket closes). A process that
 * died without reporting (killed) is counted in `unreported`.
 */
function collectUsage(file: string, timeoutMs = 15_000): Metrics {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const lines = fs.existsSync(file)
      ? fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as UsageLine)
      : [];
    const exited = new Map(lines.filter((l) => l.event === 'exit').map((l) => [l.pid, l]));
    const started = lines.filter((l) => l.event === 'start').map((l) => l.pid);
    const running = started.filter((pid) => !exited.has(pid) && alive(pid));
    if (running.length === 0 || Date.now() > until) {
      const reports = [...exited.values()];
      const unreported = started.filter((pid) => !exited.has(pid)).length;
      return {
        cpuSeconds: reports.reduce((sum, l) => sum + (l.cpuUs ?? 0), 0) / 1e6,
        // MB as in the issue (10^6 bytes); the kernel counts KiB.
        peakRssMB: Math.max(0, ...reports.map((l) => ((l.maxRssKiB ?? 0) * 1024) / 1e6)),
        processes: started.length,
        // Only when it happens: their CPU time and memory are missing from the figures.
        ...(unreported > 0 ? { unreported } : {}),
      };
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

export interface NxRunOptions {
  readonly env?: Record<string, string | undefined>;
  /**
   * What the output must show for the run to measure what the benchmark
   * says (say, every task a cache hit). A run that does not is an error,
   * not a figure.
   */
  /** What the output must show (a RegExp, or any check with a test method and a description). */
  readonly expect?: { test(output: string): boolean };
  readonly timeoutMs?: number;
  /**
   * Nx performance measures to report (NX_PERF_LOGGING), by name, such as
   * 'nx-steps:preTasksExecution': each becomes a metric `<name> ms` (summed
   * when Nx measures it more than once in the command).
   */
  readonly perf?: readonly string[];
}

function perfMetrics(output: string, names: readonly string[]): Metrics {
  const metrics: Metrics = {};
  for (const m of output.matchAll(/Time taken for '([^']+)' ([\d.]+)ms/g)) {
    const [, name = '', ms = '0'] = m;
    if (names.includes(name)) metrics[`${name} ms`] = (metrics[`${name} ms`] ?? 0) + Number(ms);
  }
  return metrics;
}

/**
 * Runs `nx <args>` in the workspace and measures it: wall time until nx
 * exits (what a user waits for), CPU time summed over every node process of
 * the command, the largest peak RSS of any one of them, and how many node
 * processes it started.
 */
export function measureNx(ws: Workspace, args: readonly string[], opts: NxRunOptions = {}): Metrics {
  const hooks = hookFiles();
  const usageFile = path.join(path.dirname(hooks.usage), `usage-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.jsonl`);
  const profileDir = process.env['NXS_BENCH_PROFILE'];
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
  const preload = [`--require ${hooks.usage}`, ...(profileDir ? [`--require ${hooks.profile}`] : [])].join(' ');
  const env = ws.env({
    ...opts.env,
    ...(opts.perf?.length ? { NX_PERF_LOGGING: 'true' } : {}),
    NODE_OPTIONS: [process.env['NODE_OPTIONS'], preload].filter(Boolean).join(' '),
    NXS_BENCH_USAGE: usageFile,
    ...(profileDir ? { NXS_BENCH_PROFILE: path.resolve(profileDir) } : {}),
  });
  const started = performance.now();
  const r = spawnSync(process.execPath, [ws.path('node_modules/nx/dist/bin/nx.js'), ...args], {
    cwd: ws.root,
    env,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 600_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  const output = stripAnsi(`${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  try {
    if (r.status !== 0) throw new Error(`nx ${args.join(' ')} exited ${r.status ?? r.signal} in ${ws.root}:\n${output.slice(-4000)}`);
    if (opts.expect && !opts.expect.test(output))
      throw new Error(`nx ${args.join(' ')} in ${ws.root} did not show ${String(opts.expect)}:\n${output.slice(-4000)}`);
    const usage = collectUsage(usageFile);
    return { seconds, ...usage, ...perfMetrics(output, opts.perf ?? []) };
  } finally {
    fs.rmSync(usageFile, { force: true });
  }
}

/** Nx's summary line for a run whose `n` tasks were all cache hits. */
export function allHits(n: number): RegExp {
  return new RegExp(`Cache:\\s+${n}/${n} hit`);
}

/** Nx's summary line for a run whose `n` tasks all missed the cache. */
export function allMisses(n: number): RegExp {
  return new RegExp(`Cache:\\s+0/${n} hit`);
}

/**
 * Issue 13: the cached 50-step chain on a fresh machine after a sibling step
 * was added to the pipeline. Nx's task hash covers every target of the
 * project, so every step misses Nx's cache; each is restored from the remote
 * cache by its own key instead (a step-keyed entry), and no step function is
 * called. Control: the same chain without the sibling on a fresh machine,
 * where every step is an Nx remote hit. Both against one real remote cache
 * server (nginx, e2e/rig/remote-cache-server.ts), seeded by a third machine.
 *
 * "Fresh machine": before each run, the machine's local Nx cache, Nx's
 * workspace data and every output are removed.
 */
import { chainFiles } from './lib/chain';
import type { Workspace } from './lib/nx';
import { allHits, allMisses, benchWorkspace, clearNxCache, measureNx, removeWorkspace } from './lib/nx';
import type { Benchmark } from './lib/runner';
import { removeDir, settleTimestamps } from './lib/temp-files';
import { RemoteCacheServer } from '../e2e/rig/remote-cache-server';

const N = 50;
const PIPELINE = 'chain/chain.pipeline.ts';

interface State {
  readonly server: RemoteCacheServer;
  readonly seed: Workspace;
  readonly plain: Workspace;
  readonly sibling: Workspace;
}

const CONTROL = `the cached ${N}-step chain on a fresh machine (Nx remote hits)`;
const SIBLING = `the same chain after a sibling step was added, on a fresh machine (restored by step key)`;

/** N restores by step key, and not one step executed (counted, not matched: a repeated [\s\S]* group backtracks for minutes). */
const ALL_RESTORED_BY_KEY = {
  test: (output: string) => output.split("restored from the remote cache by this step's own key").length - 1 === N,
  toString: () => `${N} lines "restored from the remote cache by this step's own key"`,
};

function fresh(ws: Workspace): void {
  clearNxCache(ws);
  removeDir(ws.path('.nx'));
  removeDir(ws.path('.nx-steps'));
  removeDir(ws.path('chain/.nx-steps'));
}

const bench: Benchmark<State> = {
  name: 'sibling-added',
  issueRow: 13,
  title: `${N}-step chain, cached by another machine, after a sibling step was added: nx run of the last step`,
  runs: 5,
  async setup() {
    const server = await RemoteCacheServer.start();
    const withSibling = { ...chainFiles(N) };
    withSibling[PIPELINE] = `${withSibling[PIPELINE]}export const side = step(() => 'a sibling');\n`;
    const s: State = {
      server,
      seed: benchWorkspace('sibling-seed', chainFiles(N), { plugin: true }),
      plain: benchWorkspace('sibling-plain', chainFiles(N), { plugin: true }),
      sibling: benchWorkspace('sibling-added', withSibling, { plugin: true }),
    };
    settleTimestamps();
    measureNx(s.seed, ['run', `chain:s${N}`], { env: server.nxEnv('read-write'), expect: allMisses(N) });
    return s;
  },
  async teardown(s) {
    for (const ws of [s.seed, s.plain, s.sibling]) removeWorkspace(ws);
    await s.server.remove();
  },
  control: CONTROL,
  cases: [
    {
      name: CONTROL,
      before: (s) => fresh(s.plain),
      run: (s) => measureNx(s.plain, ['run', `chain:s${N}`], { env: s.server.nxEnv('read-only'), expect: allHits(N) }),
    },
    {
      name: SIBLING,
      before: (s) => fresh(s.sibling),
      run: (s) => measureNx(s.sibling, ['run', `chain:s${N}`], { env: s.server.nxEnv('read-only'), expect: ALL_RESTORED_BY_KEY }),
    },
  ],
  goals: [
    {
      label: 'after a sibling was added, fresh machine: wall time / the plain cached chain (0 step calls)',
      control: CONTROL,
      value: (r) => r.ratio(SIBLING, CONTROL),
      unit: '×',
    },
  ],
};

export default bench;

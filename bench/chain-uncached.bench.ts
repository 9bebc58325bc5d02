/**
 * Issue 9, workload 2: the 50 trivial steps of workload 1 with nothing
 * cached (an empty Nx cache, no outputs on disk), `nx run` of the last step,
 * against a chain of 50 `nx:run-commands` targets each running `node`
 * (goal ≤ 0.5× the control's time).
 *
 * The goal needs `--batch` (README, "Many small steps"): without it Nx starts
 * one process per step, as it does for the control, plus the step loader.
 * Both are measured; the default (one process per step) takes many times
 * longer, so it is measured fewer times, next to the same chain through a
 * trivial executor package: Nx's own cost of a process per task.
 *
 * The project graph and nx-steps' own caches of declarations stay warm, as
 * Nx's workspace data does for the control: what is measured is running the
 * tasks.
 */
import * as path from 'node:path';
import { CHAIN_OUTPUTS, chainFiles, controlChainFiles } from './lib/chain';
import type { Workspace } from './lib/nx';
import { allMisses, benchWorkspace, clearNxCache, measureNx, removeWorkspace } from './lib/nx';
import type { Benchmark } from './lib/runner';
import { removeDir, settleTimestamps } from './lib/temp-files';

const N = 50;

interface State {
  readonly control: Workspace;
  readonly executor: Workspace;
  readonly steps: Workspace;
}

const CONTROL = `Nx alone: ${N} nx:run-commands targets running node`;
const BATCH = `nx-steps --batch: ${N}-step pipeline, one process`;
const PER_PROCESS = `nx-steps (default): one process per step`;
const EXECUTOR = 'Nx alone: the same chain through an executor package (a process per task)';

function uncached(ws: Workspace, outputs: string): void {
  clearNxCache(ws);
  removeDir(path.join(ws.root, outputs));
}

const bench: Benchmark<State> = {
  name: 'chain-uncached',
  issueRow: 2,
  title: `${N}-step chain, nothing cached: nx run of the last step`,
  runs: 7,
  setup() {
    const s: State = {
      control: benchWorkspace('chain-uncached-control', controlChainFiles(N), { plugin: false }),
      executor: benchWorkspace('chain-uncached-executor', controlChainFiles(N, { executorPackage: true }), { plugin: false }),
      steps: benchWorkspace('chain-uncached-steps', chainFiles(N), { plugin: true }),
    };
    settleTimestamps();
    // One untimed run each: the graph, the lock file and nx-steps' caches of declarations.
    measureNx(s.control, ['run', 'chain:t50']);
    measureNx(s.executor, ['run', 'chain:t50']);
    measureNx(s.steps, ['run', 'chain:s50', '--batch']);
    return s;
  },
  teardown: (s) => Object.values(s).forEach(removeWorkspace),
  control: CONTROL,
  cases: [
    {
      name: CONTROL,
      before: (s) => uncached(s.control, CHAIN_OUTPUTS.control),
      run: (s) => measureNx(s.control, ['run', 'chain:t50'], { expect: allMisses(N) }),
    },
    {
      name: BATCH,
      before: (s) => uncached(s.steps, CHAIN_OUTPUTS.steps),
      run: (s) => measureNx(s.steps, ['run', 'chain:s50', '--batch'], { expect: allMisses(N) }),
    },
    {
      name: EXECUTOR,
      runs: 3,
      before: (s) => uncached(s.executor, CHAIN_OUTPUTS.control),
      run: (s) => measureNx(s.executor, ['run', 'chain:t50'], { expect: allMisses(N) }),
    },
    {
      name: PER_PROCESS,
      runs: 3,
      before: (s) => uncached(s.steps, CHAIN_OUTPUTS.steps),
      run: (s) => measureNx(s.steps, ['run', 'chain:s50'], { expect: allMisses(N) }),
    },
  ],
  goals: [
    {
      label: 'nx-steps --batch wall time / control',
      control: `${N} nx:run-commands targets running node`,
      value: (r) => r.ratio(BATCH, CONTROL),
      op: '<=',
      target: 0.5,
      unit: '×',
    },
    {
      label: 'nx-steps without --batch (one process per step) / control',
      control: `${N} nx:run-commands targets running node`,
      value: (r) => r.ratio(PER_PROCESS, CONTROL),
      unit: '×',
    },
    {
      label: "nx-steps without --batch / Nx's floor for a process per task",
      control: 'the chain through an executor package',
      value: (r) => r.ratio(PER_PROCESS, EXECUTOR),
      unit: '×',
    },
  ],
};

export default bench;

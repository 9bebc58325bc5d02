/**
 * Issue 9, workload 1: a 50-step chained pipeline with every step cached,
 * `nx run` of the last step (a fresh process, daemon off), against 50 plain
 * cached Nx targets with the same inputs (goal ≤ 1.10× the control's time).
 *
 * Two more cases show Nx's own floor for what nx-steps has to do: the plain
 * chain hashing its upstream outputs (`dependentTasksOutputFiles`, without
 * which a plain chain gives stale hits), and that plus a plugin that does
 * nothing (the worker process Nx starts for any plugin).
 */
import { chainFiles, controlChainFiles } from './lib/chain';
import type { Workspace } from './lib/nx';
import { allHits, benchWorkspace, measureNx, removeWorkspace } from './lib/nx';
import type { Benchmark } from './lib/runner';
import { settleTimestamps } from './lib/temp-files';

const N = 50;

interface State {
  readonly control: Workspace;
  readonly chained: Workspace;
  readonly floor: Workspace;
  readonly steps: Workspace;
}

const CONTROL = `Nx alone: ${N} plain cached targets`;
const CHAINED = 'Nx alone, chained by output (dependentTasksOutputFiles)';
const FLOOR = 'Nx alone, chained by output + an empty plugin';
const STEPS = `nx-steps: ${N}-step pipeline`;

const bench: Benchmark<State> = {
  name: 'chain-cached',
  issueRow: 1,
  title: `${N}-step chain, everything cached: nx run of the last step`,
  runs: 9,
  setup() {
    const s: State = {
      control: benchWorkspace('chain-cached-control', controlChainFiles(N), { plugin: false }),
      chained: benchWorkspace('chain-cached-chained', controlChainFiles(N, { chainedByOutput: true }), { plugin: false }),
      floor: benchWorkspace('chain-cached-floor', controlChainFiles(N, { chainedByOutput: true, emptyPlugin: true }), { plugin: false }),
      steps: benchWorkspace('chain-cached-steps', chainFiles(N), { plugin: true }),
    };
    settleTimestamps();
    // Fill the caches: the first run executes, the second proves every task hits.
    for (const [ws, target] of [[s.control, 'chain:t50'], [s.chained, 'chain:t50'], [s.floor, 'chain:t50'], [s.steps, 'chain:s50']] as const) {
      measureNx(ws, ['run', target]);
      measureNx(ws, ['run', target], { expect: allHits(N) });
    }
    return s;
  },
  teardown: (s) => Object.values(s).forEach(removeWorkspace),
  control: CONTROL,
  cases: [
    { name: CONTROL, run: (s) => measureNx(s.control, ['run', 'chain:t50'], { expect: allHits(N) }) },
    { name: CHAINED, run: (s) => measureNx(s.chained, ['run', 'chain:t50'], { expect: allHits(N) }) },
    { name: FLOOR, run: (s) => measureNx(s.floor, ['run', 'chain:t50'], { expect: allHits(N) }) },
    { name: STEPS, run: (s) => measureNx(s.steps, ['run', 'chain:s50'], { expect: allHits(N) }) },
  ],
  goals: [
    { label: 'nx-steps wall time / control', control: `${N} plain cached Nx targets, same inputs`, value: (r) => r.ratio(STEPS, CONTROL), op: '<=', target: 1.1, unit: '×' },
    { label: "Nx's floor (chained by output + an empty plugin) / control", control: `${N} plain cached Nx targets`, value: (r) => r.ratio(FLOOR, CONTROL), unit: '×' },
    { label: "nx-steps wall time / Nx's floor", control: 'chained by output + an empty plugin', value: (r) => r.ratio(STEPS, FLOOR), unit: '×' },
  ],
};

export default bench;

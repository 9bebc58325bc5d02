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
// Nx starts a worker process per plugin, its own built-in ones included,
// unless NX_ISOLATE_PLUGINS=false. Both sides again without those workers:
// the same comparison in Nx's other mode.
const CONTROL_IN_PROCESS = `${CONTROL}, NX_ISOLATE_PLUGINS=false`;
const CHAINED_IN_PROCESS = `${CHAINED}, NX_ISOLATE_PLUGINS=false`;
const STEPS_IN_PROCESS = `nx-steps: ${N}-step pipeline, NX_ISOLATE_PLUGINS=false`;
const IN_PROCESS = { NX_ISOLATE_PLUGINS: 'false' };
// nx-steps' pre-task hook (fingerprints every step of the run), as Nx
// measures it. A case of its own: NX_PERF_LOGGING slows Nx down, so no ratio
// uses that case's wall time.
const HOOK = 'nx-steps:preTasksExecution';
const STEPS_PERF = `nx-steps: ${N}-step pipeline, NX_PERF_LOGGING=true (for the hook's time only)`;

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
    for (const [ws, target] of [
      [s.control, 'chain:t50'],
      [s.chained, 'chain:t50'],
      [s.floor, 'chain:t50'],
      [s.steps, 'chain:s50'],
    ] as const) {
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
    { name: CONTROL_IN_PROCESS, run: (s) => measureNx(s.control, ['run', 'chain:t50'], { expect: allHits(N), env: IN_PROCESS }) },
    { name: CHAINED_IN_PROCESS, run: (s) => measureNx(s.chained, ['run', 'chain:t50'], { expect: allHits(N), env: IN_PROCESS }) },
    { name: STEPS_IN_PROCESS, run: (s) => measureNx(s.steps, ['run', 'chain:s50'], { expect: allHits(N), env: IN_PROCESS }) },
    { name: STEPS_PERF, run: (s) => measureNx(s.steps, ['run', 'chain:s50'], { expect: allHits(N), perf: [HOOK] }) },
  ],
  goals: [
    {
      label: 'nx-steps wall time / control',
      control: `${N} plain cached Nx targets, same inputs`,
      value: (r) => r.ratio(STEPS, CONTROL),
      op: '<=',
      target: 1.1,
      unit: '×',
    },
    {
      label: "Nx's floor (chained by output + an empty plugin) / control",
      control: `${N} plain cached Nx targets`,
      value: (r) => r.ratio(FLOOR, CONTROL),
      unit: '×',
    },
    { label: "nx-steps wall time / Nx's floor", control: 'chained by output + an empty plugin', value: (r) => r.ratio(STEPS, FLOOR), unit: '×' },
    {
      label: 'with NX_ISOLATE_PLUGINS=false on both sides: nx-steps / control',
      control: `${N} plain cached Nx targets, NX_ISOLATE_PLUGINS=false`,
      value: (r) => r.ratio(STEPS_IN_PROCESS, CONTROL_IN_PROCESS),
      unit: '×',
    },
    {
      label: "with NX_ISOLATE_PLUGINS=false: nx-steps / Nx's floor (chained by output)",
      control: 'chained by output, NX_ISOLATE_PLUGINS=false',
      value: (r) => r.ratio(STEPS_IN_PROCESS, CHAINED_IN_PROCESS),
      unit: '×',
    },
    {
      label: "nx-steps' pre-task hook for the 50 steps",
      control: 'as Nx measures it (NX_PERF_LOGGING)',
      value: (r) => r.metric(STEPS_PERF, `${HOOK} ms`),
      unit: ' ms',
    },
  ],
};

export default bench;

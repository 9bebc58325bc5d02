/**
 * Issue 13, whether to batch by default: the other side of row 2. Row 2 shows
 * `--batch` saving Nx's process start per step on a chain of trivial steps;
 * here four independent steps that each compute for about a second, and one
 * that needs them all, nothing cached. Without `--batch` Nx runs the four in
 * parallel processes (its default parallelism, 3); in a batch they run one
 * after another in one process.
 */
import type { Workspace } from './lib/nx';
import { allMisses, benchWorkspace, clearNxCache, measureNx, removeWorkspace } from './lib/nx';
import type { Benchmark } from './lib/runner';
import { removeDir, settleTimestamps } from './lib/temp-files';

const WORK_MS = 1000;

const PIPELINE = `import { pipeline, step } from 'nx-steps';

export default pipeline({ name: 'par' });

/** About ${WORK_MS} ms of CPU: what a small model fit or a parse costs. */
function work(seed: number): number {
  const until = Date.now() + ${WORK_MS};
  let x = seed;
  while (Date.now() < until) x = (x * 1103515245 + 12345) % 2147483648;
  return x;
}

export const a = step(() => work(1));
export const b2 = step(() => work(2));
export const c = step(() => work(3));
export const d = step(() => work(4));
export const joined = step({ needs: { a, b2, c, d } }, ({ a, b2, c, d }) => a + b2 + c + d);
`;

interface State {
  readonly ws: Workspace;
}

const DEFAULT = 'one process per step (the default), parallel 3';
const BATCH = '--batch: one process, steps one after another';

function uncached(ws: Workspace): void {
  clearNxCache(ws);
  removeDir(ws.path('par/.nx-steps'));
}

const bench: Benchmark<State> = {
  name: 'batch-parallel',
  issueRow: 13,
  title: `4 independent steps of ~${WORK_MS} ms CPU and one that needs them, nothing cached: nx run of the last`,
  runs: 5,
  setup() {
    const s: State = { ws: benchWorkspace('batch-parallel', { 'par/par.pipeline.ts': PIPELINE }, { plugin: true }) };
    settleTimestamps();
    measureNx(s.ws, ['run', 'par:joined']);
    return s;
  },
  teardown: (s) => removeWorkspace(s.ws),
  control: DEFAULT,
  cases: [
    { name: DEFAULT, before: (s) => uncached(s.ws), run: (s) => measureNx(s.ws, ['run', 'par:joined'], { expect: allMisses(5) }) },
    { name: BATCH, before: (s) => uncached(s.ws), run: (s) => measureNx(s.ws, ['run', 'par:joined', '--batch'], { expect: allMisses(5) }) },
  ],
  goals: [
    { label: '--batch wall time / one process per step, for independent heavy steps', control: DEFAULT, value: (r) => r.ratio(BATCH, DEFAULT), unit: '×' },
  ],
};

export default bench;

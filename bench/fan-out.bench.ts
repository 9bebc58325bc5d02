/**
 * Issue 16: a fan-out of 500 items (one step declared with `each: { scenario:
 * range(1, 501) }`, Scalable's 500 scenarios), against the same 500 targets
 * written out in a project.json with no nx-steps (each `node step.js <i>`,
 * cached, plus a no-op target over all of them, as the fan-out's group is).
 *
 * - graph: `nx show projects` (a fresh process, daemon off), cold (no
 *   `.nx/workspace-data`, no `.nx-steps/cache`) and warm;
 * - fully cached run: `nx run sims:simulate`, every item a cache hit
 *   (goal ≤ 1.1× the control).
 *
 * A third workspace, the control plus a plugin that does nothing, shows what
 * Nx charges for any plugin (bench/graph.bench.ts says why it matters).
 */
import * as path from 'node:path';
import type { Workspace } from './lib/nx';
import { benchWorkspace, EMPTY_PLUGIN, EMPTY_PLUGIN_NAME, measureNx, nxJsonWithPlugins, removeWorkspace } from './lib/nx';
import type { Benchmark } from './lib/runner';
import { removeDir, settleTimestamps } from './lib/temp-files';

const N = Number(process.env['NXS_BENCH_FAN_OUT_ITEMS'] ?? 500);
const PROJECT = 'sims';

function pipelineFile(): string {
  return [
    "import { pipeline, range, step } from 'nx-steps';",
    '',
    `export default pipeline({ name: '${PROJECT}' });`,
    '',
    `export const simulate = step({ each: { scenario: range(1, ${N + 1}) } }, ({ scenario }) => ({ demand_mwh: scenario * 1000 + 42 }));`,
    '',
  ].join('\n');
}

const STEP_SCRIPT = `const fs = require('node:fs');
const i = Number(process.argv[2]);
fs.mkdirSync('out/simulate.' + i, { recursive: true });
fs.writeFileSync('out/simulate.' + i + '/result.json', JSON.stringify({ demand_mwh: i * 1000 + 42 }));
`;

function projectJson(): string {
  const targets: Record<string, unknown> = {};
  for (let i = 1; i <= N; i++) {
    targets[`simulate.${i}`] = {
      executor: 'nx:run-commands',
      options: { command: `node step.js ${i}`, cwd: PROJECT },
      cache: true,
      inputs: ['{projectRoot}/step.js', { externalDependencies: [] }],
      outputs: [`{projectRoot}/out/simulate.${i}`],
    };
  }
  targets['simulate'] = { executor: 'nx:noop', dependsOn: Array.from({ length: N }, (_, i) => `simulate.${i + 1}`) };
  return `${JSON.stringify({ name: PROJECT, root: PROJECT, targets }, null, 2)}\n`;
}

function files(kind: 'steps' | 'control' | 'empty'): Record<string, string> {
  if (kind === 'steps') return { [`${PROJECT}/${PROJECT}.pipeline.ts`]: pipelineFile() };
  const control = { [`${PROJECT}/project.json`]: projectJson(), [`${PROJECT}/step.js`]: STEP_SCRIPT };
  return kind === 'control' ? control : { ...control, ...EMPTY_PLUGIN, 'nx.json': nxJsonWithPlugins([EMPTY_PLUGIN_NAME]) };
}

interface Trio {
  readonly control: Workspace;
  readonly empty: Workspace;
  readonly steps: Workspace;
}

/**
 * Graph and runs in separate workspaces: a cold graph removes
 * `.nx/workspace-data`, which holds Nx's cache index, so the runs' cache
 * would be gone after every cold case.
 */
interface State {
  readonly graph: Trio;
  readonly run: Trio;
}

function trio(kind: 'graph' | 'run'): Trio {
  return {
    control: benchWorkspace(`fan-out-${kind}-control`, files('control'), { plugin: false }),
    empty: benchWorkspace(`fan-out-${kind}-empty`, files('empty'), { plugin: false }),
    steps: benchWorkspace(`fan-out-${kind}-steps`, files('steps'), { plugin: true }),
  };
}

function cold(ws: Workspace): void {
  removeDir(path.join(ws.root, '.nx', 'workspace-data'));
  removeDir(path.join(ws.root, '.nx-steps', 'cache'));
}

const graph = (ws: Workspace) => measureNx(ws, ['show', 'projects'], { expect: new RegExp(`^${PROJECT}$`, 'm') });
// N items and the group (a no-op, which Nx counts as a task but never caches): N/N+1 hits.
const ALL_ITEMS_HIT = new RegExp(`Cache:\\s+${N}/${N + 1} hit`);
const cachedRun = (ws: Workspace) => measureNx(ws, ['run', `${PROJECT}:simulate`, '--output-style=static'], { expect: ALL_ITEMS_HIT, timeoutMs: 900_000 });

const CONTROL_COLD = `graph cold: Nx alone (${N} targets in project.json)`;
const EMPTY_COLD = 'graph cold: Nx alone + an empty plugin';
const STEPS_COLD = `graph cold: nx-steps (a ${N}-item fan-out)`;
const CONTROL_WARM = `graph warm: Nx alone (${N} targets in project.json)`;
const EMPTY_WARM = 'graph warm: Nx alone + an empty plugin';
const STEPS_WARM = `graph warm: nx-steps (a ${N}-item fan-out)`;
const CONTROL_RUN = `cached run: Nx alone, ${N} plain cached targets`;
const EMPTY_RUN = `cached run: Nx alone + an empty plugin`;
const STEPS_RUN = `cached run: nx-steps, ${N}-item fan-out`;

const bench: Benchmark<State> = {
  name: 'fan-out',
  title: `a ${N}-item fan-out (Scalable's scenarios): graph cold and warm, and its fully cached run, against ${N} targets in project.json`,
  runs: 5,
  setup() {
    const s: State = { graph: trio('graph'), run: trio('run') };
    settleTimestamps();
    for (const ws of Object.values(s.graph)) graph(ws);
    for (const ws of Object.values(s.run)) {
      // Fill the caches: the first run executes (nx-steps in one process, as a user runs many small items), the second proves every item hits.
      for (const extra of [ws === s.run.steps ? ['--batch'] : ['--parallel=2'], []]) {
        const r = ws.nx(['run', `${PROJECT}:simulate`, '--output-style=static', ...extra], { timeoutMs: 1_800_000 });
        const summary = /Cache:.*/.exec(r.output)?.[0];
        if (r.code !== 0 || (extra.length === 0 && !ALL_ITEMS_HIT.test(r.output)))
          throw new Error(`setup of ${ws.root}: nx exited ${r.code}, ${summary ?? 'no cache summary'}:\n${r.output.slice(-3000)}`);
      }
    }
    return s;
  },
  teardown: (s) => [...Object.values(s.graph), ...Object.values(s.run)].forEach(removeWorkspace),
  control: CONTROL_RUN,
  cases: [
    { name: CONTROL_COLD, before: (s) => cold(s.graph.control), run: (s) => graph(s.graph.control) },
    { name: EMPTY_COLD, before: (s) => cold(s.graph.empty), run: (s) => graph(s.graph.empty) },
    { name: STEPS_COLD, before: (s) => cold(s.graph.steps), run: (s) => graph(s.graph.steps) },
    { name: CONTROL_WARM, run: (s) => graph(s.graph.control) },
    { name: EMPTY_WARM, run: (s) => graph(s.graph.empty) },
    { name: STEPS_WARM, run: (s) => graph(s.graph.steps) },
    { name: CONTROL_RUN, run: (s) => cachedRun(s.run.control) },
    { name: EMPTY_RUN, run: (s) => cachedRun(s.run.empty) },
    { name: STEPS_RUN, run: (s) => cachedRun(s.run.steps) },
  ],
  goals: [
    {
      label: `fully cached run of a ${N}-item fan-out: nx-steps / control`,
      control: `${N} plain cached Nx targets`,
      value: (r) => r.ratio(STEPS_RUN, CONTROL_RUN),
      op: '<=',
      target: 1.1,
      unit: '×',
    },
    {
      label: "fully cached run: Nx's floor for any plugin (control + an empty plugin) / control",
      control: `${N} plain cached Nx targets`,
      value: (r) => r.ratio(EMPTY_RUN, CONTROL_RUN),
      unit: '×',
    },
    {
      label: 'fan-out graph cold: nx-steps / control',
      control: `the same ${N} targets in project.json, no plugin`,
      value: (r) => r.ratio(STEPS_COLD, CONTROL_COLD),
      op: '<=',
      target: 2,
      unit: '×',
    },
    {
      label: 'fan-out graph warm: nx-steps / control',
      control: `the same ${N} targets in project.json, no plugin`,
      value: (r) => r.ratio(STEPS_WARM, CONTROL_WARM),
      op: '<=',
      target: 1.1,
      unit: '×',
    },
    { label: "fan-out graph warm: nx-steps / Nx's floor", control: 'control + an empty plugin', value: (r) => r.ratio(STEPS_WARM, EMPTY_WARM), unit: '×' },
  ],
};

export default bench;

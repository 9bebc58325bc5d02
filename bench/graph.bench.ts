/**
 * Issue 9, workload 3: the project graph of 100 pipelines of 10 steps each
 * (`nx show projects`, a fresh process, daemon off), cold and warm, against
 * the same 100 projects with 10 targets each in project.json files and no
 * nx-steps (goals: cold ≤ 2×, warm ≤ 1.1× the control's time).
 *
 * Cold: no `.nx/workspace-data` (Nx's graph and file caches) and no
 * `.nx-steps/cache` (nx-steps' parse cache), as after a fresh clone. Warm:
 * both as the previous command left them. Nx reruns every plugin's
 * createNodes on every command without the daemon; what a warm run saves is
 * what the plugins and Nx keep on disk.
 *
 * A third workspace, the control plus a plugin that does nothing, shows
 * what Nx charges for any plugin.
 */
import * as path from 'node:path';
import type { Workspace } from './lib/nx';
import { benchWorkspace, EMPTY_PLUGIN, EMPTY_PLUGIN_NAME, measureNx, nxJsonWithPlugins, removeWorkspace } from './lib/nx';
import type { Benchmark } from './lib/runner';
import { removeDir, settleTimestamps } from './lib/temp-files';

const PIPELINES = Number(process.env['NXS_BENCH_GRAPH_PIPELINES'] ?? 100);
const STEPS = 10;

const name = (p: number): string => `p${String(p).padStart(3, '0')}`;

function pipelineFile(p: number): string {
  const lines = [
    "import { readFile } from 'node:fs/promises';",
    "import { file, pipeline, step } from 'nx-steps';",
    '',
    `export default pipeline({ name: '${name(p)}' });`,
    '',
    "export const s1 = step({ args: { input: file('data/input.csv') } }, async ({ input }) => (await readFile(input, 'utf8')).length);",
  ];
  for (let i = 2; i <= STEPS; i++)
    lines.push(`export const s${i} = step({ needs: { prev: s${i - 1} }, params: { scale: ${i} } }, ({ prev, scale }) => prev * scale);`);
  return `${lines.join('\n')}\n`;
}

function projectJson(p: number): string {
  const targets: Record<string, unknown> = {};
  for (let i = 1; i <= STEPS; i++) {
    targets[`s${i}`] = {
      executor: 'nx:run-commands',
      options: { command: `node step.js ${i}`, cwd: name(p) },
      cache: true,
      inputs: ['{projectRoot}/step.js', ...(i === 1 ? ['{projectRoot}/data/input.csv'] : []), { externalDependencies: [] }],
      outputs: [`{projectRoot}/out/s${i}`],
      dependsOn: i > 1 ? [`s${i - 1}`] : [],
    };
  }
  return `${JSON.stringify({ name: name(p), root: name(p), targets }, null, 2)}\n`;
}

function files(kind: 'steps' | 'control'): Record<string, string> {
  const out: Record<string, string> = {};
  for (let p = 1; p <= PIPELINES; p++) {
    out[`${name(p)}/data/input.csv`] = 'a,b\n1,2\n';
    if (kind === 'steps') out[`${name(p)}/${name(p)}.pipeline.ts`] = pipelineFile(p);
    else {
      out[`${name(p)}/project.json`] = projectJson(p);
      out[`${name(p)}/step.js`] = 'process.exit(0);\n';
    }
  }
  return out;
}

interface State {
  readonly control: Workspace;
  readonly empty: Workspace;
  readonly steps: Workspace;
}

function cold(ws: Workspace): void {
  removeDir(path.join(ws.root, '.nx', 'workspace-data'));
  removeDir(path.join(ws.root, '.nx-steps', 'cache'));
}

const graph = (ws: Workspace, env?: Record<string, string>) =>
  measureNx(ws, ['show', 'projects'], { expect: new RegExp(`^${name(PIPELINES)}$`, 'm'), ...(env ? { env } : {}) });

const CONTROL_COLD = 'cold: Nx alone (project.json files)';
const EMPTY_COLD = 'cold: Nx alone + an empty plugin';
const STEPS_COLD = 'cold: nx-steps (pipeline files)';
const CONTROL_WARM = 'warm: Nx alone (project.json files)';
const EMPTY_WARM = 'warm: Nx alone + an empty plugin';
const STEPS_WARM = 'warm: nx-steps (pipeline files)';
// Both again without Nx's worker process per plugin (see chain-cached.bench.ts).
const CONTROL_WARM_IN_PROCESS = 'warm: Nx alone, NX_ISOLATE_PLUGINS=false';
const STEPS_WARM_IN_PROCESS = 'warm: nx-steps, NX_ISOLATE_PLUGINS=false';
const IN_PROCESS = { NX_ISOLATE_PLUGINS: 'false' };

const bench: Benchmark<State> = {
  name: 'graph',
  issueRow: 3,
  title: `project graph of ${PIPELINES} pipelines × ${STEPS} steps: nx show projects`,
  runs: 9,
  setup() {
    const s: State = {
      control: benchWorkspace('graph-control', files('control'), { plugin: false }),
      empty: benchWorkspace('graph-empty', { ...files('control'), ...EMPTY_PLUGIN, 'nx.json': nxJsonWithPlugins([EMPTY_PLUGIN_NAME]) }, { plugin: false }),
      steps: benchWorkspace('graph-steps', files('steps'), { plugin: true }),
    };
    settleTimestamps();
    for (const ws of Object.values(s)) graph(ws);
    return s;
  },
  teardown: (s) => Object.values(s).forEach(removeWorkspace),
  control: CONTROL_WARM,
  cases: [
    { name: CONTROL_COLD, before: (s) => cold(s.control), run: (s) => graph(s.control) },
    { name: EMPTY_COLD, before: (s) => cold(s.empty), run: (s) => graph(s.empty) },
    { name: STEPS_COLD, before: (s) => cold(s.steps), run: (s) => graph(s.steps) },
    { name: CONTROL_WARM, run: (s) => graph(s.control) },
    { name: EMPTY_WARM, run: (s) => graph(s.empty) },
    { name: STEPS_WARM, run: (s) => graph(s.steps) },
    { name: CONTROL_WARM_IN_PROCESS, run: (s) => graph(s.control, IN_PROCESS) },
    { name: STEPS_WARM_IN_PROCESS, run: (s) => graph(s.steps, IN_PROCESS) },
  ],
  goals: [
    {
      label: 'cold graph: nx-steps / control',
      control: 'the same projects in project.json files, no plugin',
      value: (r) => r.ratio(STEPS_COLD, CONTROL_COLD),
      op: '<=',
      target: 2,
      unit: '×',
    },
    {
      label: 'warm graph: nx-steps / control',
      control: 'the same projects in project.json files, no plugin',
      value: (r) => r.ratio(STEPS_WARM, CONTROL_WARM),
      op: '<=',
      target: 1.1,
      unit: '×',
    },
    {
      label: "warm graph: Nx's floor for any plugin (control + an empty plugin) / control",
      control: 'the same projects, no plugin',
      value: (r) => r.ratio(EMPTY_WARM, CONTROL_WARM),
      unit: '×',
    },
    { label: "warm graph: nx-steps / Nx's floor", control: 'control + an empty plugin', value: (r) => r.ratio(STEPS_WARM, EMPTY_WARM), unit: '×' },
    {
      label: 'warm graph with NX_ISOLATE_PLUGINS=false on both sides: nx-steps / control',
      control: 'the same projects, no plugin, NX_ISOLATE_PLUGINS=false',
      value: (r) => r.ratio(STEPS_WARM_IN_PROCESS, CONTROL_WARM_IN_PROCESS),
      unit: '×',
    },
  ],
};

export default bench;

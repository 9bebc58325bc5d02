/**
 * Issue 9, workload 6: one step whose file argument lies outside the
 * workspace, run again with nothing changed (a cache hit, a fresh process,
 * daemon off), against the same step with the same file inside the
 * workspace. The issue asks for the extra milliseconds.
 *
 * Nx cannot hash a file outside the workspace; nx-steps' pre-task hook does
 * (through the stat memo, as for any file argument), and the step's target
 * then has no fileset input for it. Inside, the file is committed data: Nx
 * hashes it too, as a fileset input that lets `nx affected` see it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Workspace } from './lib/nx';
import { allHits, benchWorkspace, measureNx, removeWorkspace } from './lib/nx';
import type { Benchmark } from './lib/runner';
import { benchTempDir, removeDir, settleTimestamps } from './lib/temp-files';

const TABLE = `id,value\n${Array.from({ length: 2000 }, (_, i) => `${i},${(i * 7919) % 1000}`).join('\n')}\n`;

const pipeline = (arg: string): string => `import { readFile } from 'node:fs/promises';
import { file, pipeline, step } from 'nx-steps';

export default pipeline({ name: 'ext' });

export const load = step({ args: { table: file(${JSON.stringify(arg)}) } }, async ({ table }) => (await readFile(table, 'utf8')).split('\\n').length);
`;

interface State {
  readonly outside: string;
  readonly inWorkspace: Workspace;
  readonly external: Workspace;
}

// The pre-task hook hashes every file argument (Nx's own measure of it).
const HOOK = 'nx-steps:preTasksExecution';
const INSIDE = 'nx-steps: the file inside the workspace';
const OUTSIDE = 'nx-steps: the file outside the workspace';
// The hook's time as Nx measures it (NX_PERF_LOGGING), in cases of their
// own: the logging slows Nx down, so wall and CPU figures come from the two
// cases above.
const INSIDE_PERF = `${INSIDE}, NX_PERF_LOGGING=true`;
const OUTSIDE_PERF = `${OUTSIDE}, NX_PERF_LOGGING=true`;

const bench: Benchmark<State> = {
  name: 'external-arg',
  issueRow: 6,
  title: 'one step with a file argument outside the workspace, cached run',
  runs: 11,
  setup() {
    const outside = benchTempDir('external-data');
    fs.writeFileSync(path.join(outside, 'table.csv'), TABLE);
    const s: State = {
      outside,
      inWorkspace: benchWorkspace('external-inside', { 'ext/ext.pipeline.ts': pipeline('data/table.csv'), 'ext/data/table.csv': TABLE }, { plugin: true }),
      external: benchWorkspace('external-outside', { 'ext/ext.pipeline.ts': pipeline(path.join(outside, 'table.csv')) }, { plugin: true }),
    };
    settleTimestamps();
    measureNx(s.inWorkspace, ['run', 'ext:load']);
    measureNx(s.external, ['run', 'ext:load']);
    return s;
  },
  teardown(s) {
    removeWorkspace(s.inWorkspace);
    removeWorkspace(s.external);
    removeDir(s.outside);
  },
  control: INSIDE,
  cases: [
    { name: INSIDE, run: (s) => measureNx(s.inWorkspace, ['run', 'ext:load'], { expect: allHits(1) }) },
    { name: OUTSIDE, run: (s) => measureNx(s.external, ['run', 'ext:load'], { expect: allHits(1) }) },
    { name: INSIDE_PERF, run: (s) => measureNx(s.inWorkspace, ['run', 'ext:load'], { expect: allHits(1), perf: [HOOK] }) },
    { name: OUTSIDE_PERF, run: (s) => measureNx(s.external, ['run', 'ext:load'], { expect: allHits(1), perf: [HOOK] }) },
  ],
  goals: [
    {
      label: 'extra wall time with the file outside',
      control: 'the same step with the file inside',
      value: (r) => scaled(r.difference(OUTSIDE, INSIDE), 1000),
      unit: ' ms',
    },
    {
      label: 'extra time in the pre-task hook (which hashes the argument)',
      control: 'the same step with the file inside',
      value: (r) => r.difference(OUTSIDE_PERF, INSIDE_PERF, `${HOOK} ms`),
      unit: ' ms',
    },
    {
      label: 'extra CPU time with the file outside',
      control: 'the same step with the file inside',
      value: (r) => scaled(r.difference(OUTSIDE, INSIDE, 'cpuSeconds'), 1000),
      unit: ' ms',
    },
  ],
};

function scaled(s: ReturnType<import('./lib/runner').Results['difference']>, k: number): typeof s {
  return s && { median: s.median * k, min: s.min * k, max: s.max * k, values: s.values.map((v) => v * k) };
}

export default bench;

/**
 * Issue 3, case 4: `nx affected` (task mode, Nx 24's default) selects exactly
 * the steps a change reaches, compared against a real git base. Each change is
 * made the way a developer makes it: edit, run (which keeps
 * nx-steps.lock.json current), commit.
 */
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { createWorkspace, workspacesPerTest } from './rig';

const open = workspacesPerTest();

const STEPS = ['load_sales', 'total_sales', 'sales_report', 'ingest_ops', 'mean_ops', 'ops_alert'];

const FILES: Record<string, string> = {
  'tsconfig.base.json': `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, baseUrl: '.', paths: { '@ws/shared': ['libs/shared/src/index.ts'] } } }, null, 2)}\n`,
  'libs/shared/project.json': `${JSON.stringify({ name: 'shared', sourceRoot: 'libs/shared/src', projectType: 'library' }, null, 2)}\n`,
  'libs/shared/src/index.ts': `export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

export function mean(xs: readonly number[]): number {
  return xs.length ? sum(xs) / xs.length : 0;
}
`,
  'pipelines/sales/sales.pipeline.ts': `import { readFile } from 'node:fs/promises';
import { file, pipeline, step } from 'nx-steps';
import { sum } from '@ws/shared';

export default pipeline({ name: 'sales' });

export const load_sales = step({ args: { src: file('data/sales.csv') } }, async ({ src }) =>
  (await readFile(src, 'utf8')).trim().split('\\n').slice(1).map(Number));

export const total_sales = step({ needs: { values: load_sales } }, ({ values }) => sum(values));

export const sales_report = step({ needs: { total: total_sales } }, ({ total }) => \`total \${total}\`);
`,
  'pipelines/sales/data/sales.csv': 'amount\n10\n20\n',
  'pipelines/ops/ops.pipeline.ts': `import { readFile } from 'node:fs/promises';
import { file, pipeline, step } from 'nx-steps';
import { mean } from '@ws/shared';

export default pipeline({ name: 'ops' });

export const ingest_ops = step({ args: { src: file('data/ops.csv') } }, async ({ src }) =>
  (await readFile(src, 'utf8')).trim().split('\\n').slice(1).map(Number));

export const mean_ops = step({ needs: { values: ingest_ops } }, ({ values }) => mean(values));

export const ops_alert = step({ needs: { avg: mean_ops } }, ({ avg }) => (avg > 100 ? 'alert' : 'ok'));
`,
  'pipelines/ops/data/ops.csv': 'latency\n90\n120\n',
};

/** The tasks `nx affected` selects between the last two commits, without running them. */
function affected(ws: Workspace, env: Record<string, string> = {}): string[] {
  return affectedRun(ws, env).tasks;
}

function affectedRun(ws: Workspace, env: Record<string, string> = {}): { tasks: string[]; output: string } {
  const r = ws.nxOk(['affected', '-t', ...STEPS, '--base=HEAD~1', '--head=HEAD', '--explain=stdout'], { env });
  const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { affected: Record<string, unknown> };
  return { tasks: Object.keys(json.affected).sort(), output: r.output };
}

/** Edit, run (the pre-task hook refreshes nx-steps.lock.json), commit: what a developer does. */
function change(ws: Workspace, edit: () => void, runTarget: string): void {
  edit();
  ws.nxOk(['run', runTarget]);
  ws.commitAll('change');
}

describe('nx affected selects exactly the steps a change reaches', () => {
  it('data file, library helper, step code: each selects its own steps and their downstream steps only', () => {
    const ws = createWorkspace('affected', FILES);
    open.push(ws);
    ws.nxOk(['run-many', '-t', ...STEPS]);
    ws.initGit();

    change(ws, () => ws.write('pipelines/sales/data/sales.csv', 'amount\n10\n25\n'), 'sales:load_sales');
    expect(affected(ws)).toEqual(['sales:load_sales', 'sales:sales_report', 'sales:total_sales']);

    change(
      ws,
      () => ws.edit('libs/shared/src/index.ts', 'return xs.length ? sum(xs) / xs.length : 0;', 'return xs.length === 0 ? 0 : sum(xs) / xs.length;'),
      'ops:mean_ops',
    );
    expect(affected(ws)).toEqual(['ops:mean_ops', 'ops:ops_alert']);

    change(
      ws,
      () => ws.edit('pipelines/sales/sales.pipeline.ts', '({ total }) => `total ${total}`', '({ total }) => `sales total: ${total}`'),
      'sales:sales_report',
    );
    expect(affected(ws)).toEqual(['sales:sales_report']);

    change(ws, () => ws.edit('pipelines/sales/sales.pipeline.ts', '({ values }) => sum(values)', '({ values }) => sum(values) * 1'), 'sales:total_sales');
    expect(affected(ws)).toEqual(['sales:sales_report', 'sales:total_sales']);

    // A helper both projects reach (mean calls sum): both projects' users of it.
    change(
      ws,
      () => ws.edit('libs/shared/src/index.ts', 'return xs.reduce((a, b) => a + b, 0);', 'return xs.reduce((acc, x) => acc + x, 0);'),
      'sales:total_sales',
    );
    expect(affected(ws)).toEqual(['ops:mean_ops', 'ops:ops_alert', 'sales:sales_report', 'sales:total_sales']);
  });

  it('a code change committed without the lock update is still selected, in CI and locally, with a warning', () => {
    const ws = createWorkspace('affected-stale-lock', FILES);
    open.push(ws);
    ws.nxOk(['run-many', '-t', ...STEPS]);
    ws.initGit();
    // Committed as is: no run, so nx-steps.lock.json still holds the old digest of total_sales.
    ws.edit('pipelines/sales/sales.pipeline.ts', '({ values }) => sum(values)', '({ values }) => sum(values) * 2');
    ws.commitAll('code without the lock');
    for (const env of [{ CI: 'true' }, {}]) {
      const r = affectedRun(ws, env);
      expect(r.tasks, JSON.stringify(env)).toEqual(expect.arrayContaining(['sales:total_sales', 'sales:sales_report']));
      expect(r.tasks).not.toContain('ops:mean_ops');
      expect(r.output).toContain('nx-steps.lock.json as committed does not describe');
    }
    // A helper edit committed without the lock: the steps that reach it are selected too.
    ws.nxOk(['sync']);
    ws.git('add', '-A');
    ws.git('commit', '-qm', 'lock', '--allow-empty');
    ws.edit('libs/shared/src/index.ts', 'return xs.length ? sum(xs) / xs.length : 0;', 'return xs.length ? sum(xs) / xs.length : -1;');
    ws.commitAll('helper without the lock');
    expect(affected(ws, { CI: 'true' })).toEqual(expect.arrayContaining(['ops:mean_ops', 'ops:ops_alert']));
  });
});

/**
 * Issue 16: a step over the 200 files of a folder is 200 Nx tasks, each
 * cached and restored on its own, and a downstream step receives every
 * item's result keyed by item. Adding a file calls the step function once;
 * editing one file calls it once, for that file's item. Factories with
 * literal arguments are steps; anything else that makes a step the graph
 * cannot see is a located diagnostic. Every claim is a count of calls.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWorkspace, workspacesPerTest } from './rig';

const ITEMS = 200;

const SIMS = `import { readFileSync } from 'node:fs';
import { dir, pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'sims' });

/** Scalable's run_simulation(scenario_id), once per scenario file. */
export const simulate = step({ each: { scenario: dir('scenarios', { include: ['*.json'] }) } }, ({ scenario }) => {
  count('simulate');
  const { id } = JSON.parse(readFileSync(scenario, 'utf8')) as { id: number };
  return { demand_mwh: id * 1000 + 42 };
});

export const total = step({ needs: { sims: simulate } }, ({ sims }) => {
  count('total');
  return { scenarios: Object.keys(sims).length, demand_mwh: Object.values(sims).reduce((sum, s) => sum + s.demand_mwh, 0) };
});
`;

const scenario = (i: number) => [`sims/scenarios/s${String(i).padStart(3, '0')}.json`, `${JSON.stringify({ id: i })}\n`] as const;

const open = workspacesPerTest();

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

describe('a fan-out over 200 files', () => {
  it('adding one file calls one item; editing one file calls its item; the total is the one a forced recompute gives', () => {
    const ws = createWorkspace('fan-out-200', {
      'sims/sims.pipeline.ts': SIMS,
      ...Object.fromEntries(Array.from({ length: ITEMS }, (_, i) => scenario(i + 1))),
    });
    open.push(ws);
    const timings: string[] = [];
    const step = (label: string, target: string, args: string[] = []) => {
      const t = Date.now();
      const r = ws.runSteps(target, ['--output-style=static', ...args]);
      timings.push(`${label} ${seconds(t)}`);
      return r;
    };
    const totalValue = () => ws.stored('sims/.nx-steps/out/total') as { scenarios: number; demand_mwh: number };
    const expected = (n: number) => ({ scenarios: n, demand_mwh: (n * (n + 1) * 1000) / 2 + 42 * n });

    // Many small items: one process for all of them, as a user would run them.
    expect(step('first run (--batch)', 'sims:total', ['--batch']).calls).toEqual({ simulate: ITEMS, total: 1 });
    expect(totalValue()).toEqual(expected(ITEMS));
    expect(step('again', 'sims:total').calls).toEqual({});

    // A new scenario: a new target, so Nx misses every item of the project; each is kept by its own key.
    ws.write(...scenario(ITEMS + 1));
    expect(step('a file added (--batch)', 'sims:simulate', ['--batch']).calls).toEqual({ simulate: 1 });
    expect(step('the total after it', 'sims:total').calls).toEqual({ total: 1 });
    expect(totalValue()).toEqual(expected(ITEMS + 1));

    // One scenario edited: Nx misses that item alone.
    ws.write('sims/scenarios/s007.json', `${JSON.stringify({ id: 1007 })}\n`);
    const edited = step('a file edited', 'sims:total');
    expect(edited.calls).toEqual({ simulate: 1, total: 1 });
    expect(Object.values(edited.statuses).filter((s) => s === 'run')).toHaveLength(2);
    const value = totalValue();
    expect(value.demand_mwh).toBe(expected(ITEMS + 1).demand_mwh + 1000 * 1000);

    // Freshness against a forced recompute: outputs removed, no cache.
    fs.rmSync(ws.path('sims/.nx-steps'), { recursive: true, force: true });
    expect(step('forced recompute (--batch --skip-nx-cache)', 'sims:total', ['--batch', '--skip-nx-cache']).calls).toEqual({ simulate: ITEMS + 1, total: 1 });
    expect(totalValue()).toEqual(value);
    console.log(`fan-out e2e timings: ${timings.join(', ')}`);
  });
});

describe('factories and loops', () => {
  const FACTORY = `import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'sims' });

const simStep = (scenario: number) => step({ params: { scale: 2 } }, ({ scale }) => {
  count(\`sim_\${scenario}\`);
  return scenario * scale;
});

export const sim_a = simStep(1);
export const sim_b = simStep(2);
export const sim_env = simStep(Number(process.env.SCENARIO));
`;

  it('a factory with literal arguments makes steps; a computed argument is a located diagnostic, in check and in the graph', () => {
    const ws = createWorkspace('factories', { 'sims/sims.pipeline.ts': FACTORY });
    open.push(ws);
    expect(ws.runSteps('sims:sim_b').calls).toEqual({ sim_2: 1 });
    expect(ws.stored('sims/.nx-steps/out/sim_b')).toBe(4);
    expect(ws.runSteps('sims:sim_a').calls).toEqual({ sim_1: 1 });
    expect(ws.runSteps('sims:sim_b').calls).toEqual({});
    // A different argument is a different key: the cached result of another call is never reused.
    ws.edit('sims/sims.pipeline.ts', 'simStep(2)', 'simStep(3)');
    expect(ws.runSteps('sims:sim_b').calls).toEqual({ sim_3: 1 });

    const where = 'sims/sims.pipeline.ts:13:32 - error NXS116: Argument `scenario` of factory `simStep` must be a literal value for `sim_env` to be a step';
    const check = ws.cli(['check']);
    expect(check.code).toBe(1);
    expect(check.output).toContain(where);
    const graph = ws.nx(['show', 'projects']);
    expect(graph.output).toContain(where);
    const run = ws.nx(['run', 'sims:sim_env']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('error NXS116');

    ws.edit('sims/sims.pipeline.ts', /export const sim_env = .*\n/, 'for (const s of [4, 5]) module.exports[`sim_${s}`] = simStep(s);\n');
    expect(ws.cli(['check']).output).toContain(
      'sims/sims.pipeline.ts:13:54 - error NXS116: This call of factory `simStep` makes a step nx-steps cannot see (inside a loop): it becomes no target.',
    );
  });
});

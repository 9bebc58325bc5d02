/**
 * Issue 16: machines that share a fan-out's items through the remote cache.
 * Three clones of one workspace are three machines (each its own local Nx
 * cache); each runs its share (`nx-steps shard sims:simulate i/3`, through
 * `nx run-many`) against the real remote cache server
 * (e2e/rig/remote-cache-remote.server.ts). A fourth, fresh clone then runs the step
 * that needs every item: every item is a remote hit, and no item function is
 * called there. A fifth clone that adds an item calls only that item: every
 * other one is restored by its own key. Every claim is a count of step
 * function calls.
 */
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { createWorkspace, remoteCachePerFile, workspacesPerTest } from './rig';

const ITEMS = 30;

const SIMS = `import { pipeline, range, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'sims' });

export const simulate = step({ each: { scenario: range(1, ${ITEMS + 1}) } }, ({ scenario }) => {
  count('simulate');
  return { scenario, demand_mwh: scenario * 1000 + 42 };
});

export const total = step({ needs: { sims: simulate } }, ({ sims }) => {
  count('total');
  return Object.values(sims).reduce((sum, s) => sum + s.demand_mwh, 0);
});
`;

const open = workspacesPerTest();
const remote = remoteCachePerFile();

function machine(name: string, items = ITEMS): Workspace {
  const ws = createWorkspace(name, { 'sims/sims.pipeline.ts': SIMS.replace(`range(1, ${ITEMS + 1})`, `range(1, ${items + 1})`) });
  open.push(ws);
  return ws;
}

describe('shards across machines', () => {
  it('three machines each run a disjoint share; a fourth runs the aggregate with every item a remote hit; a fifth adds an item', () => {
    const started = Date.now();
    const shares: string[][] = [];
    for (const i of [1, 2, 3]) {
      const ws = machine(`shard-${i}`);
      const share = ws.cli(['shard', 'sims:simulate', `${i}/3`]).stdout.trim();
      shares.push(share.split(','));
      ws.resetCalls();
      ws.nxOk(['run-many', '-p', 'sims', '-t', share, '--batch', '--output-style=static'], { env: remote.server.nxEnv('read-write') });
      expect(ws.calls(), `machine ${i}`).toEqual({ simulate: ITEMS / 3 });
    }
    // Disjoint, and together every item.
    const all = shares.flat();
    expect(new Set(all).size).toBe(ITEMS);
    expect(all.sort()).toEqual(Array.from({ length: ITEMS }, (_, i) => `simulate.${i + 1}`).sort());

    const fresh = machine('aggregate');
    fresh.resetCalls();
    const run = fresh.nxOk(['run', 'sims:total', '--output-style=static'], { env: remote.server.nxEnv('read-write') });
    expect(fresh.calls()).toEqual({ total: 1 });
    expect(fresh.stored('sims/.nx-steps/out/total')).toBe((ITEMS * (ITEMS + 1) * 1000) / 2 + 42 * ITEMS);
    const report = JSON.parse(fresh.cli(['report', '--last', '--json']).stdout) as { lastRun: { steps: Array<{ step: string; source: string }> } };
    const items = report.lastRun.steps.filter((s) => s.step.startsWith('simulate.'));
    expect(items).toHaveLength(ITEMS);
    expect(new Set(items.map((s) => s.source))).toEqual(new Set(['remote']));
    expect(run.output).toContain(`Cache:`);

    // Another fresh machine adds a scenario: a new target changes every item's Nx hash, and each old item
    // is restored from the remote cache by its own key; only the new item and the total are called.
    const grown = machine('grown', ITEMS + 1);
    grown.resetCalls();
    grown.nxOk(['run', 'sims:total', '--batch', '--output-style=static'], { env: remote.server.nxEnv('read-write') });
    expect(grown.calls()).toEqual({ simulate: 1, total: 1 });
    const grownReport = JSON.parse(grown.cli(['report', '--last', '--json']).stdout) as { lastRun: { steps: Array<{ step: string; source: string }> } };
    expect(new Set(grownReport.lastRun.steps.filter((s) => s.step.startsWith('simulate.') && s.step !== `simulate.${ITEMS + 1}`).map((s) => s.source))).toEqual(
      new Set(['step-remote']),
    );
    console.log(`shards e2e: 3 shards of ${ITEMS} items and the aggregate in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  });
});

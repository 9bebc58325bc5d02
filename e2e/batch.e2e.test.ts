/**
 * `nx run ... --batch`: every uncached step of the run in one process.
 * Same caching results as without it, counted step by step.
 */
import { describe, expect, it } from 'vitest';
import { createWorkspace, workspacesPerTest } from './rig';
import { ETL_FILES } from './fixtures/etl';

const open = workspacesPerTest();

describe('batch mode', () => {
  it('runs, caches and keeps steps like the one-process-per-step mode', () => {
    const ws = createWorkspace('batch', ETL_FILES);
    open.push(ws);
    const first = ws.runSteps('etl:report', ['--batch']);
    expect(first.calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1 });
    expect(ws.stored('etl/.nx-steps/out/report')).toBe('total=40');
    expect(first.result.output).toContain('nx-steps ▸ etl:summary result computed in');

    expect(ws.runSteps('etl:report', ['--batch']).calls).toEqual({});

    // An upstream change with the same clean result: downstream functions are not called.
    ws.write('etl/data/raw.csv', 'id,value\n1,10\n2,\n3,30\n4,\n');
    expect(ws.runSteps('etl:report', ['--batch']).calls).toEqual({ load_data: 1, clean_data: 1 });
  });

  it('a failing step fails the run with its error, and its dependents do not run', () => {
    const ws = createWorkspace('batch-fail', ETL_FILES);
    open.push(ws);
    ws.edit('etl/etl.pipeline.ts', "count('summary');", "count('summary');\n  throw new Error('summary exploded');");
    ws.resetCalls();
    const r = ws.nx(['run', 'etl:report', '--batch']);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('error NXS204: The step function threw');
    expect(r.output).toContain('Error: summary exploded');
    expect(ws.calls()).toEqual({ load_data: 1, clean_data: 1, summary: 1 });
  });
});

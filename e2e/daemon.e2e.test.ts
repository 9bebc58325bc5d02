/**
 * With the Nx daemon on (the default on developers' machines): the graph and
 * the pre-task hook run in the daemon's plugin workers, which must still see
 * edits to pipeline files (createNodes is anchored on nx.json, not on them) and
 * the environment of each command.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { createWorkspace } from './rig';
import { ETL_FILES } from './fixtures/etl';

const open: Workspace[] = [];
afterEach(() => {
  for (const ws of open.splice(0)) {
    ws.nx(['daemon', '--stop'], { env: { NX_DAEMON: 'true' } });
    ws.remove();
  }
});

describe('with the Nx daemon', () => {
  it('caches, sees edits to pipeline files and data, and each command’s environment', () => {
    const ws = createWorkspace('daemon', ETL_FILES);
    open.push(ws);
    const daemon = { env: { NX_DAEMON: 'true' } };
    expect(ws.runSteps('etl:report', [], daemon).calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1 });
    expect(ws.runSteps('etl:report', [], daemon).calls).toEqual({});
    // The daemon really served these commands (Nx turns it off in some environments).
    expect(ws.nx(['daemon'], daemon).output).toMatch(/Nx Daemon is currently running/);

    // A new step appears in the graph the daemon serves.
    ws.write(
      'etl/etl.pipeline.ts',
      `${ws.read('etl/etl.pipeline.ts')}\nexport const audit = step({ needs: { clean: clean_data } }, ({ clean }) => { count('audit'); return clean.length; });\n`,
    );
    expect(ws.runSteps('etl:audit', [], daemon).calls).toEqual({ audit: 1 });

    // A code edit re-runs that step only; a data edit re-runs what reads it.
    ws.edit('etl/etl.pipeline.ts', '`total=${summary.total}`', '`total: ${summary.total}`');
    expect(ws.runSteps('etl:report', [], daemon).calls).toEqual({ report: 1 });
    ws.write('etl/data/raw.csv', 'id,value\n1,10\n2,\n3,31\n');
    expect(ws.runSteps('etl:report', [], daemon).calls).toEqual({ load_data: 1, clean_data: 1, summary: 1, report: 1 });

    // The hook sees this command's environment (NX_STEPS_FRESH), not the daemon's.
    expect(ws.runSteps('etl:report', [], { env: { NX_DAEMON: 'true', NX_STEPS_FRESH: 'etl:summary' } }).calls).toEqual({ summary: 1 });
    expect(ws.runSteps('etl:report', [], daemon).calls).toEqual({});
  });
});

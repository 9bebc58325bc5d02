/**
 * Issue 28: the first run in a workspace without nx-steps.lock.json must not make the second miss. Nx
 * hashes a file only when it was in its file map when the command started (without the daemon, the map is
 * made once per command), so a lock the pre-task hook creates made every step's lock field hash as absent
 * in the first command and as present in the second: every step missed Nx's cache once more, each costing
 * a process ("kept, not re-run"), at any length of chain. A step now reads its lock field only where it is
 * stable (core/fingerprint/lock-check.ts). The smallest chain that showed it runs always; the 250-step
 * chain of the report runs with NXS_E2E_LARGE=1.
 */
import { describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { taskStatuses, workspacesPerTest } from './rig';

const open = workspacesPerTest();

function chain(n: number): Record<string, string> {
  const steps = Array.from({ length: n }, (_, i) =>
    i === 0 ? "export const s0 = step(() => (count('s0'), 0));" : `export const s${i} = step({ needs: { x: s${i - 1} } }, ({ x }) => (count('s${i}'), x + 1));`,
  );
  return {
    'c/c.pipeline.ts': [
      "import { pipeline, step } from 'nx-steps';",
      "import { count } from '../tools/count';",
      "export default pipeline({ name: 'c' });",
      ...steps,
      '',
    ].join('\n'),
  };
}

/** Runs the chain twice from a workspace with no lock: the second run must be Nx cache hits only. */
function twice(ws: Workspace, n: number): void {
  ws.deleteFile('nx-steps.lock.json');
  // A process per step the first time (about a second each on a busy machine).
  const timeoutMs = 60_000 + n * 6_000;
  ws.resetCalls();
  ws.nxOk(['run', `c:s${n - 1}`], { timeoutMs });
  expect(Object.keys(ws.calls())).toHaveLength(n);
  expect(ws.exists('nx-steps.lock.json')).toBe(true);
  ws.resetCalls();
  const second = ws.nxOk(['run', `c:s${n - 1}`], { timeoutMs });
  expect(ws.calls()).toEqual({});
  const statuses = Object.values(taskStatuses(second.output));
  expect(statuses).toHaveLength(n);
  expect(new Set(statuses)).toEqual(new Set(['local']));
}

describe('a workspace without nx-steps.lock.json', () => {
  it('outside git: the second run of a chain is all Nx hits', () => {
    twice(open.create('lock-first-nogit', chain(3)), 3);
  });

  it('in git, the lock never committed: the second run of a chain is all Nx hits', () => {
    const ws = open.create('lock-first-git', chain(3));
    ws.deleteFile('nx-steps.lock.json');
    ws.initGit();
    twice(ws, 3);
  });

  it.runIf(process.env['NXS_E2E_LARGE'] === '1')(
    'the 250-step chain of the report: the second run is all Nx hits',
    () => {
      twice(open.create('lock-first-250', chain(250)), 250);
    },
    3_600_000,
  );
});

/**
 * The adversarial suite of issue 14: never a stale result.
 *
 * Each case is a set of files, an edit, and whether the edit changes what a
 * step computes. The verdict never trusts that column: every case runs three
 * times in a real workspace with the packed plugin,
 *   1. `nx run-many` over every case (results recorded),
 *   2. the edits applied, the same command again (what nx-steps serves, and
 *      which step functions really ran),
 *   3. every case's outputs removed and the command run with --skip-nx-cache
 *      (the ground truth),
 * and compares, per step, the result digest served in 2 with the one
 * recomputed in 3. A difference for a step that did not run is a STALE hit
 * (the suite fails on any). A step that ran although the recompute equals
 * its first result is a needless re-run: counted and printed, and a failure
 * for cases marked `precise`. A case whose recompute contradicts its
 * `changes` column fails as mislabelled.
 *
 * Cheap by construction: all cases of a group share one workspace (one
 * project per case, under cases/<id>), so a group costs three nx commands
 * however many cases it holds. Cases whose edit reaches outside their folder
 * (nx-steps' caches, workspace files) get a `group` of their own.
 *
 * Adding a case: append an `AdversarialCase` to one of the tables in
 * e2e/adversarial/cases/ (or a new table file, listed in ALL_CASES below):
 *   {
 *     id: 'c7-empty-dir-in-outdir',        // unique; folder cases/<id>, project <id>
 *     category: '7 upstream results',
 *     title: 'an empty folder in the upstream outDir',
 *     files: { 'main.pipeline.ts': pipelineFile('c7-empty-dir-in-outdir', { steps: { up: '...', down: '...' } }) },
 *     edit: { 'main.pipeline.ts': ['mkdir(a)', 'mkdir(b)'] }, // or (c) => { ...anything: c.ws, c.path(rel), c.apply({...}) }
 *     changes: true,                       // does the edit change what a step computes?
 *     precise: false,                      // true: no needless re-run allowed
 *     group: 'main',                       // own workspace when the edit reaches outside the case folder
 *     daemon: false,                       // also run in the NX_DAEMON=true workspace
 *   }
 * Steps may need each other within a case (upstream results). Each step
 * must call count('<id>:<step>') (pipelineFile() writes that) and return a
 * value that reveals the behaviour under test, deterministically.
 */
import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Workspace } from './rig';
import { createWorkspace } from './rig';
import type { AdversarialCase, CaseSummary, StepVerdict } from './adversarial/harness';
import { applyEdit, CASE_ROOT, failedTasks, judge, report, resultDigest, stepsOf, writeCase } from './adversarial/harness';
import { ALL_CASES } from './adversarial/cases';

const summaries: CaseSummary[] = [];
const started = Date.now();

function runMany(ws: Workspace, cases: readonly AdversarialCase[], env: Record<string, string>, extra: string[] = []) {
  const targets = [...new Set(cases.flatMap(stepsOf))];
  return ws.nx(['run-many', '-t', ...targets, '-p', cases.map((c) => c.id).join(','), '--parallel=3', '--output-style=static', ...extra], {
    env,
    timeoutMs: 900_000,
  });
}

function digests(ws: Workspace, cases: readonly AdversarialCase[], failed: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of cases) {
    for (const step of stepsOf(c)) {
      const key = `${c.id}:${step}`;
      out.set(key, failed.has(key) ? 'failed' : (resultDigest(ws, c, step) ?? 'failed'));
    }
  }
  return out;
}

/** Runs one workspace's cases through the three phases and judges them. */
function runGroup(name: string, cases: readonly AdversarialCase[], daemon: boolean): CaseSummary[] {
  const ws = createWorkspace(`adv-${name}`);
  const env: Record<string, string> = daemon ? { NX_DAEMON: 'true' } : {};
  try {
    for (const c of cases) writeCase(ws, c);
    const first = runMany(ws, cases, env);
    if (first.code !== 0) throw new Error(`first run of group ${name} failed:\n${first.output.slice(-6000)}`);
    const before = digests(ws, cases, new Set());

    for (const c of cases) applyEdit(ws, c);
    ws.resetCalls();
    const second = runMany(ws, cases, env);
    const ran = ws.calls();
    const served = digests(ws, cases, failedTasks(second.output));

    for (const c of cases) fs.rmSync(ws.path(`${CASE_ROOT}/${c.id}/.nx-steps/out`), { recursive: true, force: true });
    const recompute = runMany(ws, cases, env, ['--skip-nx-cache']);
    const truth = digests(ws, cases, failedTasks(recompute.output));

    return cases.map((c) => {
      const steps: StepVerdict[] = stepsOf(c).map((step) => {
        const key = `${c.id}:${step}`;
        return {
          caseId: c.id,
          step,
          before: before.get(key) ?? 'failed',
          served: served.get(key) ?? 'failed',
          truth: truth.get(key) ?? 'failed',
          ran: (ran[key] ?? 0) > 0,
        };
      });
      return judge(c, steps);
    });
  } finally {
    if (daemon) ws.nx(['daemon', '--stop'], { env });
    if (!process.env['NXS_KEEP_ADVERSARIAL']) ws.remove();
    else console.log(`adversarial workspace kept: ${ws.root}`);
  }
}

function groupsOf(cases: readonly AdversarialCase[]): Map<string, AdversarialCase[]> {
  const groups = new Map<string, AdversarialCase[]>();
  for (const c of cases) groups.set(c.group ?? 'main', [...(groups.get(c.group ?? 'main') ?? []), c]);
  return groups;
}

function assertClean(results: readonly CaseSummary[]): void {
  const stale = results.flatMap((s) => s.stale.map((v) => `${v.caseId}:${v.step} (${s.c.title})`));
  const problems = results.flatMap((s) => s.problems.map((p) => `${s.c.id}: ${p}`));
  expect({ stale, problems }).toEqual({ stale: [], problems: [] });
}

/**
 * To iterate on a few cases: NXS_ADVERSARIAL_ONLY=<comma-separated parts of ids or categories, or group names>;
 * NXS_KEEP_ADVERSARIAL=1 keeps the workspaces.
 */
const only = process.env['NXS_ADVERSARIAL_ONLY']?.split(',').filter(Boolean);
const selected = only ? ALL_CASES.filter((c) => only.some((o) => c.id.includes(o) || c.category.includes(o) || (c.group ?? 'main') === o)) : ALL_CASES;

describe('adversarial suite: never a stale result', () => {
  it('case ids are unique and well formed', () => {
    const ids = ALL_CASES.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids.filter((id) => !/^[a-z0-9][a-z0-9-]*$/.test(id))).toEqual([]);
    for (const c of ALL_CASES) expect(stepsOf(c).length, c.id).toBeGreaterThan(0);
  });

  for (const [group, cases] of groupsOf(selected)) {
    it(`group ${group} (${cases.length} cases), daemon off`, { timeout: 3_600_000 }, () => {
      const results = runGroup(group, cases, false);
      summaries.push(...results);
      assertClean(results);
    });
  }

  const daemonCases = selected.filter((c) => c.daemon);
  for (const [group, cases] of groupsOf(daemonCases)) {
    it(`group ${group} (${cases.length} cases), daemon on`, { timeout: 3_600_000 }, () => {
      const results = runGroup(`${group}-daemon`, cases, true);
      summaries.push(...results.map((r) => ({ ...r, c: { ...r.c, category: `${r.c.category} (daemon)` } })));
      assertClean(results);
    });
  }

  afterAll(() => {
    if (summaries.length > 0) console.log(report(summaries, (Date.now() - started) / 1000, 'stale must be 0'));
  });
});

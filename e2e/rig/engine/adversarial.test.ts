/**
 * The adversarial suite on the engine rig (adversarial.ts): every case of
 * e2e/adversarial/cases in plain, batch and step-keyed modes, each verdict
 * against a forced recompute. Runs with the unit tests; the Nx e2e suite
 * (e2e/adversarial.e2e.test.ts) runs a smoke set that proves Nx and the rig
 * agree.
 *
 * NXS_ADVERSARIAL_ONLY=<parts of ids, categories or group names> runs a few;
 * NXS_KEEP_ADVERSARIAL=1 keeps the workspaces.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { CaseSummary } from '../../adversarial/harness';
import { report } from '../../adversarial/harness';
import { ALL_CASES, groupsOf, selectCases } from '../../adversarial/cases';
import { runGroup } from './adversarial';

const summaries: CaseSummary[] = [];
const started = Date.now();

describe('adversarial suite on the engine rig: never a stale result, in any mode', () => {
  it('case ids are unique and well formed', () => {
    const ids = ALL_CASES.map((c) => c.id);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    expect(ids.filter((id) => !/^[a-z0-9][a-z0-9-]*$/.test(id))).toEqual([]);
  });

  for (const [group, cases] of groupsOf(selectCases(ALL_CASES, process.env['NXS_ADVERSARIAL_ONLY']))) {
    it(`group ${group} (${cases.length} cases): plain, batch, step-keyed`, { timeout: 900_000 }, async () => {
      const { summaries: results } = await runGroup(group, cases);
      summaries.push(...results);
      const stale = results.flatMap((s) => s.stale.map((v) => `${v.caseId}:${v.step} ${s.c.category} (${s.c.title})`));
      const problems = results.flatMap((s) => s.problems.map((p) => `${s.c.id} ${s.c.category}: ${p}`));
      expect({ stale, problems }).toEqual({ stale: [], problems: [] });
    });
  }

  afterAll(() => {
    if (summaries.length > 0) console.log(report(summaries, (Date.now() - started) / 1000, 'engine rig; stale must be 0'));
  });
});

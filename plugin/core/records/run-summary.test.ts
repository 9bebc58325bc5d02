import { describe, expect, it } from 'vitest';
import type { RunRecord, StepRunRecord, StepSource } from './run-record';
import { RUN_RECORD_SCHEMA } from './run-record';
import { runSummaryLine } from './run-summary';

const step = (name: string, source: StepSource, madeAt?: string): StepRunRecord => ({
  project: 'etl',
  projectRoot: 'etl',
  step: name,
  source,
  startMs: 0,
  durationMs: 10,
  ...(madeAt ? { madeAt } : {}),
});

const run = (...steps: StepRunRecord[]): RunRecord => ({
  schema: RUN_RECORD_SCHEMA,
  id: '1',
  startedAt: '2026-12-07T15:00:00.000Z',
  durationMs: 100,
  command: ['run'],
  steps,
});

describe('the run summary line', () => {
  it('says a replayed result was restored, and when it was made', () => {
    expect(runSummaryLine(run(step('load_data', 'local', '2026-12-07T14:19:51.123Z'), step('summarize', 'local', '2026-12-07T14:19:51.500Z')))).toBe(
      'nx-steps: step functions called: 0 of 2. Not called: 2 restored from the local cache (results made 2026-12-07 14:19:51 UTC).',
    );
  });

  it("counts what Nx's own Cache line counts as misses: kept on disk, restored by the step's key", () => {
    expect(
      runSummaryLine(
        run(
          step('load_data', 'kept'),
          step('summarize', 'step-remote'),
          step('report', 'executed'),
          step('upload', 'uncached'),
          step('old', 'remote', '2026-12-01T08:00:00Z'),
        ),
      ),
    ).toBe(
      'nx-steps: step functions called: 2 of 5 (etl:report, etl:upload). Not called: 1 restored from the remote cache (result made 2026-12-01 08:00:00 UTC), ' +
        "1 restored from the remote cache by the step's own key, 1 kept on disk.",
    );
  });

  it('names three called steps at most, and says what failed or did not run', () => {
    const many = ['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => step(n, 'executed'));
    expect(runSummaryLine(run(...many, step('bad', 'failed'), step('after', 'skipped')))).toBe(
      'nx-steps: step functions called: 5 of 7 (etl:a1, etl:a2, etl:a3 and 2 more). 1 failed, 1 not run.',
    );
    expect(runSummaryLine(run())).toBeUndefined();
  });

  it('gives the span when restored results were made at different times', () => {
    expect(runSummaryLine(run(step('x', 'local', '2026-12-07T10:00:00Z'), step('y', 'local', '2026-12-07T11:30:00Z')))).toContain(
      '2 restored from the local cache (results made 2026-12-07 10:00:00 UTC to 2026-12-07 11:30:00 UTC)',
    );
  });
});

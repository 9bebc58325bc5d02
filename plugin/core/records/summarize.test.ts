import { describe, expect, it } from 'vitest';
import type { RunRecord, StepRunRecord, StepSource } from './run-record';
import { summarize } from './summarize';

const step = (name: string, source: StepSource, durationMs: number, savedMs?: number): StepRunRecord => ({
  project: 'etl',
  projectRoot: 'etl',
  step: name,
  source,
  startMs: 0,
  durationMs,
  ...(savedMs !== undefined ? { savedMs } : {}),
});
const run = (startedAt: string, ...steps: StepRunRecord[]): RunRecord => ({ schema: 1, id: startedAt, startedAt, durationMs: 1, command: ['run'], steps });

describe('summarize', () => {
  it('counts lookups, hits by source, misses, hit rate and time saved, per step and in total', () => {
    const s = summarize([
      run('2026-01-01T00:00:00.000Z', step('load', 'executed', 1500), step('upload', 'uncached', 10)),
      run('2026-01-02T00:00:00.000Z', step('load', 'local', 20, 1480), step('upload', 'uncached', 10)),
      run('2026-01-03T00:00:00.000Z', step('load', 'remote', 100, 1400), step('clean', 'kept', 300, 0), step('upload', 'skipped', 0)),
      run('2026-01-04T00:00:00.000Z', step('load', 'failed', 5)),
    ]);
    expect(s.runs).toBe(4);
    expect(s.first).toBe('2026-01-01T00:00:00.000Z');
    expect(s.last).toBe('2026-01-04T00:00:00.000Z');
    const load = s.steps.find((x) => x.step === 'load');
    expect(load).toMatchObject({ id: 'etl:load', tasks: 4, lookups: 4, hits: 2, misses: 2, hitRate: 0.5, savedMs: 2880, timeMs: 1625 });
    expect(load?.by).toMatchObject({ executed: 1, local: 1, remote: 1, failed: 1, kept: 0 });
    expect(s.steps.find((x) => x.step === 'upload')).toMatchObject({ tasks: 3, lookups: 0, hitRate: null });
    expect(s.total).toMatchObject({ tasks: 8, lookups: 5, hits: 3, misses: 2, hitRate: 0.6, savedMs: 2880 });
    expect(s.total.by).toMatchObject({ local: 1, remote: 1, kept: 1, uncached: 2, skipped: 1 });
  });

  it('is empty without runs', () => {
    expect(summarize([])).toMatchObject({ runs: 0, steps: [], total: { lookups: 0, hitRate: null } });
  });
});

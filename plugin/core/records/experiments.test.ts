import { describe, expect, it } from 'vitest';
import { renderExperiments } from '../../../cli/report/experiments';
import { experimentTable } from './experiments';
import type { RunRecord, StepRunRecord, StepSource } from './run-record';

const step = (name: string, source: StepSource, extra: Partial<StepRunRecord> = {}): StepRunRecord => ({
  project: 'ml',
  projectRoot: 'ml',
  step: name,
  source,
  startMs: 0,
  durationMs: 1,
  result: 'r',
  ...extra,
});
const withoutResult = ({ result: _result, ...rest }: StepRunRecord): StepRunRecord => rest;
const run = (at: string, ...steps: StepRunRecord[]): RunRecord => ({
  schema: 1,
  id: at,
  startedAt: at,
  durationMs: 1,
  command: ['run', 'ml:evaluate', '--lr'],
  steps,
});

describe('experimentTable', () => {
  it('one row per run: params by name, metrics by name, what ran and what was cached', () => {
    const t = experimentTable([
      run(
        '2026-01-01T00:00:00.000Z',
        step('prep', 'executed'),
        step('train', 'executed', { params: { lr: 0.05, epochs: 3 } }),
        step('evaluate', 'executed', { params: { lr: 0.05 }, metrics: { f1: 0.8 } }),
      ),
      run(
        '2026-01-02T00:00:00.000Z',
        step('prep', 'kept'),
        step('train', 'executed', { params: { lr: 0.1, epochs: 3 } }),
        step('evaluate', 'executed', { params: { lr: 0.1 }, metrics: { f1: 0.7 } }),
      ),
      run(
        '2026-01-03T00:00:00.000Z',
        step('prep', 'local'),
        step('train', 'local', { params: { lr: 0.05, epochs: 3 } }),
        step('evaluate', 'local', { params: { lr: 0.05 }, metrics: { f1: 0.8 } }),
      ),
    ]);
    expect(t.params).toEqual(['epochs', 'lr']);
    expect(t.metrics).toEqual(['f1']);
    expect(t.rows.map((r) => [r.params['lr'], r.metrics['f1'], r.ran.join(' '), r.cached.join(' ')])).toEqual([
      [0.05, 0.8, 'prep train evaluate', ''],
      [0.1, 0.7, 'train evaluate', 'prep'],
      [0.05, 0.8, '', 'prep train evaluate'],
    ]);
  });

  it('a param its steps disagree on, and a metric several steps report, get a column per step; fan-out items count as their step', () => {
    const t = experimentTable([
      run(
        '2026-01-01T00:00:00.000Z',
        step('sim.1', 'executed', { item: '1', params: { scale: 2 }, metrics: { demand: 10 } }),
        step('sim.2', 'local', { item: '2', params: { scale: 2 }, metrics: { demand: 20 } }),
        step('report', 'executed', { params: { scale: 3 }, metrics: { demand: 1 } }),
      ),
    ]);
    expect(t.params).toEqual(['report.scale', 'sim.scale']);
    expect(t.metrics).toEqual(['report.demand', 'sim.demand']);
    expect(t.rows[0]).toMatchObject({
      params: { 'sim.scale': 2, 'report.scale': 3 },
      metrics: { 'sim.demand': 15, 'report.demand': 1 },
      ran: ['sim', 'report'],
      cached: ['sim'],
    });
  });

  it('a result restored from a cache with no metrics here was made on another machine: its metrics are unknown (null)', () => {
    const t = experimentTable([
      run('2026-01-01T00:00:00.000Z', step('evaluate', 'executed', { metrics: { f1: 0.8 } })),
      run('2026-01-02T00:00:00.000Z', step('evaluate', 'remote')),
      run('2026-01-03T00:00:00.000Z', withoutResult(step('evaluate', 'failed'))),
    ]);
    expect(t.rows.map((r) => r.metrics)).toEqual([{ f1: 0.8 }, { f1: null }, {}]);
    expect(t.rows[2]?.failed).toEqual(['evaluate']);
  });
});

describe('experimentTable and its view, with names of Object.prototype', () => {
  it('a param or metric named `constructor`, `toString` or `__proto__` is a column like any other', () => {
    const records = [
      run('2026-01-01T00:00:00.000Z', step('train', 'executed', { params: JSON.parse('{"constructor":1,"__proto__":2}'), metrics: { toString: 0.5 } })),
      run('2026-01-02T00:00:00.000Z', step('train', 'executed', { params: { lr: 0.1 } })),
    ];
    const t = experimentTable(records);
    expect(t.params).toEqual(['__proto__', 'constructor', 'lr']);
    expect(t.metrics).toEqual(['toString']);
    expect(t.rows.map((r) => [Object.keys(r.params), Object.keys(r.metrics)])).toEqual([
      [['constructor', '__proto__'], ['toString']],
      [['lr'], []],
    ]);
    const lines = renderExperiments(t, 'recorded', undefined).split('\n');
    expect(lines[2]).toMatch(/#\s+started\s+__proto__\s+constructor\s+lr\s+toString/);
    expect(lines[4]).not.toMatch(/function|native code/);
  });
});

import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../plugin/core/records/run-record';
import { summarize } from '../../plugin/core/records/summarize';
import { layoutDag } from './dag-layout';
import { renderHtmlReport } from './html';

describe('DAG layout', () => {
  it('puts each step one column right of its deepest need', () => {
    const layout = layoutDag([
      { name: 'load', needs: [] },
      { name: 'clean', needs: ['load'] },
      { name: 'summary', needs: ['clean'] },
      { name: 'upload', needs: ['clean'] },
      { name: 'report', needs: ['summary', 'load'] },
    ]);
    const col = (n: string) => layout.nodes.find((p) => p.name === n)?.x;
    // One column per depth, left to right in dependency order.
    const [load, clean, summary, report] = [col('load'), col('clean'), col('summary'), col('report')].map((x) => x ?? Number.NaN);
    expect(load).toBeLessThan(clean ?? Number.NaN);
    expect(clean).toBeLessThan(summary ?? Number.NaN);
    expect(summary).toBeLessThan(report ?? Number.NaN);
    expect(col('summary')).toBe(col('upload'));
    expect(layout.edges).toContainEqual({ from: 'load', to: 'report' });
    expect(layout.width).toBeGreaterThan(0);
  });
});

describe('HTML report', () => {
  const run: RunRecord = {
    schema: 1,
    id: '1',
    startedAt: '2026-03-01T00:00:00.000Z',
    durationMs: 2000,
    command: ['run', 'etl:report'],
    steps: [
      { project: 'etl', projectRoot: 'etl', step: 'load', source: 'local', startMs: 0, durationMs: 20, originalMs: 1500, savedMs: 1480 },
      { project: 'etl', projectRoot: 'etl', step: 'clean<x>', source: 'executed', startMs: 30, durationMs: 900, originalMs: 800 },
    ],
  };
  const page = renderHtmlReport({
    run,
    summary: summarize([run]),
    window: 'in the last run',
    generatedAt: '2026-03-01T00:00:05.000Z',
    pipelines: [{ project: 'etl', steps: [{ name: 'load', needs: [], cache: 'code_hash' }, { name: 'clean<x>', needs: ['load'], cache: 'input_hash' }, { name: 'upload', needs: ['clean<x>'], cache: 'cache: false' }] }],
  });

  it('is self-contained: no script and no external resource', () => {
    expect(page).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org)/);
  });

  it('has one node per step with its status, steps outside the run included, and escapes names', () => {
    expect(page.match(/class="step-node [^"]+"/g)).toEqual(['class="step-node status-local"', 'class="step-node status-executed"', 'class="step-node status-not-run"']);
    expect(page).toContain('clean&#60;x&#62;');
    expect(page).not.toContain('clean<x>');
  });
});

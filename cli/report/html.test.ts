import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../plugin/core/records/run-record';
import { summarize } from '../../plugin/core/records/summarize';
import { renderHtmlReport } from './html';

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
    pipelines: [
      {
        project: 'etl',
        steps: [
          { name: 'load', needs: [], cache: 'code_hash' },
          { name: 'clean<x>', needs: ['load'], cache: 'input_hash' },
          { name: 'upload', needs: ['clean<x>'], cache: 'cache: false' },
        ],
      },
    ],
  });

  it('is self-contained: no script and no external resource', () => {
    expect(page).not.toMatch(/<script|<link|src=|https?:\/\/(?!www\.w3\.org)/);
  });

  it('has one node per step with its status, steps outside the run included, and escapes names', () => {
    expect(page.match(/class="step-node [^"]+"/g)).toEqual([
      'class="step-node status-local"',
      'class="step-node status-executed"',
      'class="step-node status-not-run"',
    ]);
    expect(page).toContain('clean&#60;x&#62;');
    expect(page).not.toContain('clean<x>');
  });
});

/** `nx-steps report` as text: a table per step, then the totals. */
import type { RunRecord } from '../../plugin/core/records/run-record';
import { byStepKey, stepId } from '../../plugin/core/records/run-record';
import type { Counts, Summary } from '../../plugin/core/records/summarize';
import { commandText, ms, percent, runTime, SOURCE_LABEL, SUMMARY_HEAD, summaryRows, when } from './labels';

/** Left-aligns the first column and right-aligns the others. */
export function table(rows: readonly (readonly string[])[], leftColumns = 1): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')}`.trimEnd());
}

function totals(c: Counts): string[] {
  const rate = c.hitRate === null ? '' : ` (${percent(c.hitRate)})`;
  return [
    'Cache performance:',
    `  Lookups:     ${c.lookups}`,
    `  Hits:        ${c.hits}${rate}: ${c.by.local} local, ${c.by.remote} remote, ${byStepKey(c.by)} by step key (${c.by['step-local']} local, ${c.by['step-remote']} remote), ${c.by.kept} kept on disk`,
    `  Misses:      ${c.misses}${c.by.failed ? ` (${c.by.failed} failed)` : ''}`,
    `  Time saved:  ${ms(c.savedMs)} (each hit: the step's original duration minus the time the hit took)`,
    ...(c.by.uncached ? [`  Not cached:  ${c.by.uncached} run(s) of cache: false steps (not lookups)`] : []),
  ];
}

/** One run, step by step. */
export function renderRun(run: RunRecord, summary: Summary): string {
  const rows = [
    ['step', 'result', 'time', 'original', 'saved'],
    ...run.steps.map((s) => [stepId(s), SOURCE_LABEL[s.source], ms(s.durationMs), ms(s.originalMs), ms(s.savedMs)]),
  ];
  return [`Last run: ${commandText(run.command)}, ${when(run.startedAt)}: ${runTime(run)}`, '', ...table(rows, 2), '', ...totals(summary.total), ''].join('\n');
}

/** Several runs, aggregated per step. */
export function renderRuns(summary: Summary, window: string): string {
  if (!summary.first || !summary.last) return `No runs recorded ${window}.\n`;
  const rows = [SUMMARY_HEAD, ...summaryRows(summary)];
  return [`${summary.runs} run(s) ${window}, ${when(summary.first)} to ${when(summary.last)}`, '', ...table(rows), '', ...totals(summary.total), ''].join('\n');
}

/** Words and numbers shared by the text and HTML reports, so both say the same thing. */
import type { RunRecord, StepSource } from '../../plugin/core/records/run-record';
import { byStepKey } from '../../plugin/core/records/run-record';
import type { Counts, Summary } from '../../plugin/core/records/summarize';
import { formatDuration } from '../../plugin/core/util/duration';

export const SOURCE_LABEL: Readonly<Record<StepSource, string>> = {
  executed: 'executed',
  local: 'hit: local cache',
  remote: 'hit: remote cache',
  'step-local': 'hit: step key, local',
  'step-remote': 'hit: step key, remote',
  kept: 'hit: kept on disk',
  uncached: 'ran (cache: false)',
  failed: 'failed',
  skipped: 'skipped',
};

/** The per-step table of several runs: its header, then one row per step. */
export const SUMMARY_HEAD = ['step', 'lookups', 'hits', 'local', 'remote', 'by key', 'kept', 'misses', 'hit rate', 'saved'];

export function summaryRow(id: string, c: Counts): string[] {
  return [
    id,
    String(c.lookups),
    String(c.hits),
    String(c.by.local),
    String(c.by.remote),
    String(byStepKey(c.by)),
    String(c.by.kept),
    String(c.misses),
    percent(c.hitRate),
    ms(c.savedMs),
  ];
}

/** Every step's row, in the summary's order. */
export function summaryRows(summary: Summary): string[][] {
  return summary.steps.map((s) => summaryRow(s.id, s));
}

export function ms(value: number | undefined): string {
  return value === undefined ? '' : formatDuration(value);
}

export function percent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)}%`;
}

/** 2026-11-22T02:53:10.123Z → 2026-11-22 02:53:10 UTC */
export function when(iso: string): string {
  return `${iso.replace('T', ' ').slice(0, 19)} UTC`;
}

/** The command a run came from, as typed (values of non-selection flags were never recorded). */
export function commandText(command: readonly string[]): string {
  return command.length ? `nx ${command.join(' ')}` : 'nx';
}

/**
 * How long a run took. The command's wall time (what a reader timed) when it
 * was measured, with the part of it that ran tasks; otherwise the task phase,
 * said to be only that.
 */
export function runTime(run: Pick<RunRecord, 'durationMs' | 'commandMs'>): string {
  return run.commandMs !== undefined
    ? `${ms(run.commandMs)} wall time, ${ms(run.durationMs)} of it running tasks`
    : `${ms(run.durationMs)} running tasks (the command's start-up, with the project graph, was not measured)`;
}

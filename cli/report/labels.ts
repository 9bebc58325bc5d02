/** Words and numbers shared by the text and HTML reports, so both say the same thing. */
import type { StepSource } from '../../plugin/core/records/run-record';
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

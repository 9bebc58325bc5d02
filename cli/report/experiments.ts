/** `nx-steps report --experiments`: runs side by side (params, metrics, what ran), as `dvc exp show` does. */
import type { Json } from '../../plugin/api/json';
import type { ExperimentTable } from '../../plugin/core/records/experiments';
import { own } from '../../plugin/core/util/own';
import { commandText, when } from './labels';

/** Columns aligned right where `right[i]` (numbers), left elsewhere. */
function aligned(rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `  ${row.map((cell, i) => (right[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd());
}

function shownParam(v: Json | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function shownMetric(v: number | null | undefined): string {
  if (v === undefined) return '';
  if (v === null) return '?';
  return String(Number(v.toPrecision(4)));
}

function list(names: readonly string[]): string {
  return names.length ? names.join(', ') : '–';
}

export function renderExperiments(t: ExperimentTable, window: string, project: string | undefined): string {
  const rows = [
    ['#', 'started', ...t.params, ...t.metrics, 'ran', 'cached', 'command'],
    ...t.rows.map((r, i) => [
      String(i + 1),
      when(r.startedAt).replace(' UTC', ''),
      // Own keys only: a param or metric may be named `constructor`.
      ...t.params.map((c) => shownParam(own(r.params, c))),
      ...t.metrics.map((c) => shownMetric(own(r.metrics, c))),
      list(r.failed.length ? [...r.ran, ...r.failed.map((f) => `${f} (failed)`)] : r.ran),
      list(r.cached),
      commandText(r.command),
    ]),
  ];
  const unknown = t.rows.some((r) => Object.values(r.metrics).includes(null));
  return [
    `Experiments: ${t.rows.length} run(s)${project ? ` of ${project}` : ''} ${window}, oldest first (times UTC)`,
    '',
    // Numbers (the run's number, params, metrics) right-aligned; time and step lists left-aligned.
    ...aligned(rows, [true, false, ...t.params.map(() => true), ...t.metrics.map(() => true), false, false, false]),
    '',
    `Params: the values each run's results were made with (overrides applied). Metrics: what the steps reported (ctx.metric; a fan-out's items: their mean), kept on this machine only.${unknown ? ' ? marks a result restored from a cache that another machine made: its metrics stayed there.' : ''}`,
    '',
  ].join('\n');
}

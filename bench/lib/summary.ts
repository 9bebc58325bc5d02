/**
 * The table of issue 9: every goal of every benchmark, from the latest
 * bench/results/<name>.json of each, in the issue's order. Built from the
 * files rather than from this run's results, so running one benchmark again
 * updates its rows and keeps the others.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface GoalJson {
  readonly label: string;
  readonly value: number | null;
  readonly min?: number;
  readonly max?: number;
  /** The figure's own values (run-by-run ratios): fewer than the benchmark's runs when a case runs less often. */
  readonly values?: readonly number[];
  readonly op: string | null;
  readonly target: number | null;
  readonly unit: string;
  readonly control: string | null;
  readonly met: boolean | null;
}

interface ResultJson {
  readonly benchmark: string;
  readonly issueRow?: number | null;
  readonly date: string;
  readonly runs: number;
  readonly machine: { readonly loadAverage1m?: number; readonly loadAverage1mAfter?: number };
  readonly goals: readonly GoalJson[];
}

interface SummaryRow {
  readonly row: number | null;
  readonly benchmark: string;
  readonly figure: string;
  readonly value: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly unit: string;
  readonly goal: string | null;
  readonly met: boolean | null;
  readonly control: string | null;
  readonly runs: number;
  readonly date: string;
  readonly load: string;
}

const SUMMARY_FILE = 'summary.json';

function fmt(n: number): string {
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
}

function summaryRows(resultsDir: string): SummaryRow[] {
  const files = fs.existsSync(resultsDir)
    ? fs.readdirSync(resultsDir).filter((f) => f.endsWith('.json') && f !== SUMMARY_FILE && !f.endsWith('.tmp.json'))
    : [];
  const results = files.map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as ResultJson);
  results.sort((a, b) => (a.issueRow ?? 99) - (b.issueRow ?? 99) || a.benchmark.localeCompare(b.benchmark));
  return results.flatMap((r) =>
    r.goals.map((g) => ({
      row: r.issueRow ?? null,
      benchmark: r.benchmark,
      figure: g.label,
      value: g.value,
      min: g.min ?? null,
      max: g.max ?? null,
      unit: g.unit,
      goal: g.op !== null && g.target !== null ? `${g.op} ${g.target}${g.unit}` : null,
      met: g.met,
      control: g.control,
      runs: g.values?.length ?? r.runs,
      date: r.date.slice(0, 10),
      load: `${r.machine.loadAverage1m ?? '?'}→${r.machine.loadAverage1mAfter ?? '?'}`,
    })),
  );
}

/** The rows as a Markdown table (what BENCHMARKS.md shows). */
function renderSummary(rows: readonly SummaryRow[]): string {
  const head = ['#', 'benchmark', 'figure', 'median [min–max]', 'goal', '', 'control', 'runs', 'load 1m'];
  const body = rows.map((r) => [
    r.row === null ? '' : String(r.row),
    r.benchmark,
    r.figure,
    r.value === null ? 'n/a' : `${fmt(r.value)}${r.unit}${r.min !== null && r.max !== null ? ` [${fmt(r.min)}–${fmt(r.max)}]` : ''}`,
    r.goal ?? 'report',
    r.met === null ? '' : r.met ? 'met' : '**missed**',
    r.control ?? '',
    String(r.runs),
    r.load,
  ]);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}

export function writeSummary(resultsDir: string): { file: string; text: string } {
  const rows = summaryRows(resultsDir);
  const file = path.join(resultsDir, SUMMARY_FILE);
  fs.writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`);
  return { file, text: renderSummary(rows) };
}

/** Prints a benchmark's results as a table and keeps them as JSON in bench/results/. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Benchmark, Results } from './runner';
import { goalMet, goalNumber } from './runner';
import type { Summary } from './stats';

const GIB = 1024 ** 3;

function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  return abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : abs >= 0.01 ? n.toFixed(3) : n.toExponential(2);
}

function cell(s: Summary | undefined): string {
  return s ? `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]` : '';
}

/** A goal's value: the median, with [min–max] when it has a spread. */
export function figure(v: number | Summary | undefined, unit: string): string {
  if (v === undefined) return 'n/a';
  if (typeof v === 'number') return `${fmt(v)}${unit}`;
  return `${fmt(v.median)}${unit} [${fmt(v.min)}–${fmt(v.max)}]`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / GIB),
    loadAverage1m: Number(os.loadavg()[0]?.toFixed(2)),
  };
}

export function render<S>(bench: Benchmark<S>, r: Results, runs: number): string {
  const extra = [...new Set(r.cases.flatMap((c) => Object.keys(c.metrics)))].filter((m) => m !== 'seconds' && m !== 'cpuSeconds');
  const head = ['case', 'wall s', 'cpu s', ...(bench.bytesPerRun ? ['GiB/s'] : []), ...extra, ...(bench.control ? ['wall / control'] : [])];
  const rows = r.cases.map((c) => {
    const t = c.metrics['seconds']?.median;
    const bytes = bench.cases.find((bc) => bc.name === c.name)?.bytes ?? bench.bytesPerRun ?? 0;
    return [
      c.name,
      cell(c.metrics['seconds']),
      cell(c.metrics['cpuSeconds']),
      ...(bench.bytesPerRun ? [t && bytes ? fmt(bytes / GIB / t) : ''] : []),
      ...extra.map((m) => cell(c.metrics[m])),
      ...(bench.control ? [c.name === bench.control ? 'control' : figure(r.ratio(c.name, bench.control), '×')] : []),
    ];
  });
  const goals = (bench.goals ?? []).map((g) => {
    const v = g.value(r);
    const met = goalMet(g, v);
    const verdict = g.op === undefined ? 'figure ' : met === undefined ? '?      ' : met ? 'met    ' : 'NOT met';
    return `  ${verdict}  ${g.label}: ${figure(v, g.unit)}${g.op !== undefined ? ` (goal ${g.op} ${g.target}${g.unit})` : ''}`;
  });
  return [`${bench.title} (${runs} runs each, median [min–max])`, table([head, ...rows]), ...(goals.length ? ['goals:', ...goals] : [])].join('\n');
}

export function writeJson<S>(
  dir: string,
  bench: Benchmark<S>,
  r: Results,
  runs: number,
  setupFacts: Record<string, string | number>,
  machineBefore: Record<string, string | number>,
): string {
  const file = path.join(dir, `${bench.name}.json`);
  fs.mkdirSync(dir, { recursive: true });
  const json = {
    benchmark: bench.name,
    title: bench.title,
    issueRow: bench.issueRow ?? null,
    date: new Date().toISOString(),
    machine: { ...machineBefore, loadAverage1mAfter: machine()['loadAverage1m'] },
    setup: setupFacts,
    runs,
    control: bench.control ?? null,
    cases: r.cases,
    goals: (bench.goals ?? []).map((g) => {
      const value = g.value(r);
      const spread = typeof value === 'object' ? { min: value.min, max: value.max, values: value.values } : {};
      return {
        label: g.label,
        value: goalNumber(value) ?? null,
        ...spread,
        op: g.op ?? null,
        target: g.target ?? null,
        unit: g.unit,
        control: g.control ?? null,
        met: goalMet(g, value) ?? null,
      };
    }),
  };
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  return file;
}

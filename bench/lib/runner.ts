/**
 * The benchmark runner's contract. A benchmark is a module whose default
 * export is a `Benchmark`: a setup, a few cases (one of them the control),
 * and the goals to compare against. The runner measures every case N times,
 * interleaved (case A, B, C, then C, B, A...) so that a change in the
 * machine's load hits every case alike, and reports each metric as median
 * [min–max] with the ratio to the control measured in the same run (run i
 * of a case against run i of the control: the two were measured close
 * together).
 *
 * Figures, never verdicts: goals are printed as met or not, never asserted,
 * and nothing here runs in `npm test`.
 */
import { summarize } from './stats';
import type { Summary } from './stats';

/** What one run of a case measured. `seconds` is wall time; the runner fills it in unless the case does. */
export interface Metrics {
  seconds?: number;
  /** User + system CPU time of the process that did the work. */
  cpuSeconds?: number;
  [metric: string]: number | undefined;
}

export interface BenchCase<S> {
  readonly name: string;
  /** Bytes one run processes, for throughput (default: the benchmark's `bytesPerRun`; 0 for none). */
  readonly bytes?: number;
  /** Untimed preparation before each run (for example: empty a cache). */
  readonly before?: (state: S) => void | Promise<void>;
  /** The work. Return metrics measured elsewhere (a child process) to override or add to the runner's own. */
  readonly run: (state: S) => Metrics | void | Promise<Metrics | void>;
  /** At most this many measured runs (fewer than the benchmark's): for a case too slow to repeat as often. */
  readonly runs?: number;
}

/**
 * A goal from an issue, checked against the medians of this run. A figure
 * the issue asks to report without a target has no `op` and `target`.
 * A value with a spread (a `Summary`) is judged by its median.
 */
export interface Goal {
  readonly label: string;
  readonly value: (r: Results) => number | Summary | undefined;
  readonly op?: '>=' | '<=' | '<';
  readonly target?: number;
  readonly unit: string;
  /** The control the figure is measured against, in words (for the summary table). */
  readonly control?: string;
}

export interface Benchmark<S> {
  /** File-safe name: the results go to bench/results/<name>.json. */
  readonly name: string;
  readonly title: string;
  /** The workload's row in the table of issue 9 (the summary lists benchmarks in that order). */
  readonly issueRow?: number;
  /** Measured runs per case (default 5; `--runs` overrides). */
  readonly runs?: number;
  readonly setup: () => S | Promise<S>;
  readonly teardown: (state: S) => void | Promise<void>;
  /** The case others are compared with; none when no case is a fair baseline for time. */
  readonly control?: string;
  readonly cases: readonly BenchCase<S>[];
  /** Bytes each run processes, to print throughput. */
  readonly bytesPerRun?: number;
  readonly goals?: readonly Goal[];
  /** Facts about the setup worth keeping with the figures (file sizes, counts). */
  readonly describe?: (state: S) => Record<string, string | number>;
}

export interface CaseResult {
  readonly name: string;
  readonly metrics: Readonly<Record<string, Summary>>;
  /** Control's median wall time / this case's: above 1 means faster than the control. */
  readonly speedVsControl: number | undefined;
}

export interface Results {
  readonly cases: readonly CaseResult[];
  median(caseName: string, metric?: string): number | undefined;
  /** A case's metric: median [min–max] over its runs. */
  metric(caseName: string, metric?: string): Summary | undefined;
  /** How many times faster `a` is than `b`: b's median wall time over a's. */
  speedup(a: string, b: string): number | undefined;
  /**
   * `a`'s metric over `b`'s, run by run (run i of `a` with run i of `b`,
   * measured next to each other): median [min–max] of those ratios.
   */
  ratio(a: string, b: string, metric?: string): Summary | undefined;
  /** `a`'s metric minus `b`'s, run by run, like `ratio`. */
  difference(a: string, b: string, metric?: string): Summary | undefined;
}

function results(cases: readonly CaseResult[]): Results {
  const median = (name: string, metric = 'seconds'): number | undefined => cases.find((c) => c.name === name)?.metrics[metric]?.median;
  const paired = (a: string, b: string, metric: string, combine: (x: number, y: number) => number): Summary | undefined => {
    const va = cases.find((c) => c.name === a)?.metrics[metric]?.values ?? [];
    const vb = cases.find((c) => c.name === b)?.metrics[metric]?.values ?? [];
    const n = Math.min(va.length, vb.length);
    const pairs: number[] = [];
    for (let i = 0; i < n; i++) pairs.push(combine(va[i] ?? 0, vb[i] ?? 0));
    return pairs.length ? summarize(pairs) : undefined;
  };
  return {
    cases,
    median,
    metric: (name, metric = 'seconds') => cases.find((c) => c.name === name)?.metrics[metric],
    speedup(a, b) {
      const ta = median(a);
      const tb = median(b);
      return ta && tb ? tb / ta : undefined;
    },
    ratio: (a, b, metric = 'seconds') => paired(a, b, metric, (x, y) => x / y),
    difference: (a, b, metric = 'seconds') => paired(a, b, metric, (x, y) => x - y),
  };
}

/** The number a goal is judged by: the median when the value has a spread. */
export function goalNumber(value: number | Summary | undefined): number | undefined {
  return typeof value === 'object' ? value.median : value;
}

export function goalMet(goal: Goal, value: number | Summary | undefined): boolean | undefined {
  const v = goalNumber(value);
  if (v === undefined || goal.op === undefined || goal.target === undefined) return undefined;
  return goal.op === '>=' ? v >= goal.target : goal.op === '<=' ? v <= goal.target : v < goal.target;
}

export async function measure<S>(bench: Benchmark<S>, state: S, runs: number, progress: (line: string) => void): Promise<Results> {
  const samples = new Map<string, Metrics[]>(bench.cases.map((c) => [c.name, []]));
  for (let i = 0; i < runs; i++) {
    // Every other round in reverse order, so that no case always runs first
    // (after the setup, or right after the same other case).
    for (const c of i % 2 === 0 ? bench.cases : [...bench.cases].reverse()) {
      if (c.runs !== undefined && i >= c.runs) continue;
      await c.before?.(state);
      const cpu = process.cpuUsage();
      const start = performance.now();
      const reported = (await c.run(state)) ?? {};
      const seconds = (performance.now() - start) / 1000;
      const used = process.cpuUsage(cpu);
      const m: Metrics = { seconds, cpuSeconds: (used.user + used.system) / 1e6, ...reported };
      samples.get(c.name)?.push(m);
      progress(`  run ${i + 1}/${Math.min(runs, c.runs ?? runs)} ${c.name}: ${(m.seconds ?? seconds).toFixed(3)} s`);
    }
  }
  const summarized = bench.cases.map((c) => {
    const runsOf = samples.get(c.name) ?? [];
    const names = [...new Set(runsOf.flatMap((m) => Object.keys(m)))];
    const metrics: Record<string, Summary> = {};
    for (const name of names) {
      const values = runsOf.map((m) => m[name]).filter((v): v is number => v !== undefined);
      if (values.length > 0) metrics[name] = summarize(values);
    }
    return { name: c.name, metrics };
  });
  const control = summarized.find((c) => c.name === bench.control)?.metrics['seconds']?.median;
  return results(
    summarized.map((c) => {
      const t = c.metrics['seconds']?.median;
      return { ...c, speedVsControl: control && t ? control / t : undefined };
    }),
  );
}

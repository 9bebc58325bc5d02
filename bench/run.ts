/**
 * Runs the benchmarks in bench/*.bench.ts (each a module exporting a
 * `Benchmark` as default), prints a table per benchmark and writes
 * bench/results/<name>.json.
 *
 *   npm run bench                         every benchmark
 *   npm run bench -- hash-dir --runs 3    one benchmark, 3 runs per case
 *
 * Then it prints the table of every goal (bench/results/summary.json), from
 * the latest results of each benchmark.
 *
 * `npm run bench` builds first: the benchmarks measure dist/, the code
 * users run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { machine, render, writeJson } from './lib/report';
import type { Benchmark } from './lib/runner';
import { measure } from './lib/runner';
import { writeSummary } from './lib/summary';

const BENCH_DIR = __dirname;

interface Options {
  readonly names: readonly string[];
  readonly runs: number | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const names: string[] = [];
  let runs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--runs') runs = Number(argv[++i]);
    else if (a.startsWith('--runs=')) runs = Number(a.slice('--runs='.length));
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (known: --runs N)`);
    else names.push(a);
  }
  if (runs !== undefined && !(Number.isInteger(runs) && runs > 0)) throw new Error('--runs takes a positive integer');
  return { names, runs };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const files = fs
    .readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const all = files.map((f) => ({ name: f.replace(/\.bench\.ts$/, ''), file: path.join(BENCH_DIR, f) }));
  const unknown = opts.names.filter((n) => !all.some((b) => b.name === n));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')} (known: ${all.map((b) => b.name).join(', ')})`);
  const chosen = opts.names.length ? all.filter((b) => opts.names.includes(b.name)) : all;

  for (const { file } of chosen) {
    // require, not import(): the benchmarks are CommonJS modules, like the package.
    const bench = (require(file) as { default: Benchmark<unknown> }).default;
    const runs = opts.runs ?? bench.runs ?? 5;
    console.log(`\n== ${bench.name}: ${bench.title}`);
    const before = machine();
    const state = await bench.setup();
    try {
      const facts = bench.describe?.(state) ?? {};
      if (Object.keys(facts).length)
        console.log(
          `   ${Object.entries(facts)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')}`,
        );
      const results = await measure(bench, state, runs, (line) => console.log(line));
      console.log(`\n${render(bench, results, runs)}`);
      console.log(`   -> ${path.relative(process.cwd(), writeJson(path.join(BENCH_DIR, 'results'), bench, results, runs, facts, before))}`);
    } finally {
      await bench.teardown(state);
    }
  }
  const summary = writeSummary(path.join(BENCH_DIR, 'results'));
  console.log(`\n== Issue 9: every goal, from the latest results of each benchmark\n\n${summary.text}\n   -> ${path.relative(process.cwd(), summary.file)}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

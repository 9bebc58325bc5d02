/**
 * Summarizes CPU profiles written by `NXS_BENCH_PROFILE=<folder> npm run
 * bench -- <name> --runs 1` (one .cpuprofile per node process of every
 * measured command): for each process, its sampled time and the functions
 * that took the most, inclusive of what they called.
 *
 *   node --import tsx bench/profile.ts <folder or file> [--match nx-steps/] [--top 25]
 *
 * `--match` keeps the functions whose file matches (a regular expression),
 * which shows one package's share of a process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

function label(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  return `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '')}:${lineNumber + 1}`;
}

/** Inclusive milliseconds per function (a function counted once per sample, however deep its recursion). */
function inclusive(p: Profile): { totalMs: number; byFunction: Map<string, number> } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    total += us;
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (!node) break;
      const key = label(node);
      if (seen.has(key)) continue;
      seen.add(key);
      byFunction.set(key, (byFunction.get(key) ?? 0) + us / 1000);
    }
  }
  return { totalMs: total / 1000, byFunction };
}

function main(argv: readonly string[]): void {
  const target = argv[0];
  if (!target) throw new Error('usage: bench/profile.ts <folder or .cpuprofile> [--match REGEX] [--top N]');
  const match = argv.includes('--match') ? new RegExp(argv[argv.indexOf('--match') + 1] ?? '') : undefined;
  const top = argv.includes('--top') ? Number(argv[argv.indexOf('--top') + 1]) : 25;
  const files = fs.statSync(target).isDirectory()
    ? fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .sort()
        .map((f) => path.join(target, f))
    : [target];
  for (const file of files) {
    const { totalMs, byFunction } = inclusive(JSON.parse(fs.readFileSync(file, 'utf8')) as Profile);
    const rows = [...byFunction]
      .filter(([key]) => !match || match.test(key))
      .filter(([key]) => !/^\((root|program|idle|garbage collector)\)/.test(key))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top);
    console.log(`\n== ${path.basename(file)}: ${totalMs.toFixed(0)} ms sampled (idle ${(byFunction.get('(idle) :0') ?? 0).toFixed(0)} ms)`);
    for (const [key, ms] of rows) console.log(`${ms.toFixed(1).padStart(9)} ms  ${key}`);
  }
}

main(process.argv.slice(2));

/**
 * Runs a measurement in a fresh Node.js process, as a new `nx run` would:
 * nothing warmed up, its own heap, its own peak RSS. The script prints one
 * JSON object (its metrics) as its last line of output; `peakRssMB` is
 * added from the child's own resource usage.
 */
import { spawnSync } from 'node:child_process';
import type { Metrics } from './runner';

/** Appended to every child script: reports `metrics` (a variable the script defines) with the process's peak RSS. */
const REPORT = `
process.stdout.write('\\n' + JSON.stringify({ ...metrics, peakRssMB: process.resourceUsage().maxRSS * 1024 / 1e6 }) + '\\n');`;

export function runChild(script: string): Metrics {
  const r = spawnSync(process.execPath, ['-e', `${script}\n${REPORT}`], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`benchmark child failed (${r.status ?? r.signal}):\n${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Metrics;
}

/** Script text that times `body` (synchronous JavaScript) into `metrics.seconds` and `metrics.cpuSeconds`. */
export function timed(prelude: string, body: string, extra = ''): string {
  return `${prelude}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
${body}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const metrics = { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6${extra ? `, ${extra}` : ''} };`;
}

/**
 * Metrics a step reports (`ctx.metric('f1', 0.83)`), kept on this machine
 * only: `.nx-steps/metrics/<fingerprint digest>.json` at the workspace root,
 * never in a step's outputs, so never in a cache entry. Keyed by the digest
 * of the key the result was made with: a later run that restores that
 * result (a hit) finds the metrics of the run that made it, and the run
 * record shows them (observe.ts). A result made on another machine has no
 * metrics here; the experiments view says so.
 *
 * Bounded: past 5,000 files, the oldest go (down to 4,000, so the folder
 * is sorted rarely, not on every write).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureIgnoredDir, stateDir } from '../util/disk-cache';
import { readJsonIfExists, writeFileAtomic } from '../util/fs-atomic';
import { defineOwn } from '../util/own';

export type Metrics = Readonly<Record<string, number>>;

const MAX_FILES = 5_000;
const KEEP_FILES = 4_000;

export function metricsDir(workspaceRoot: string): string {
  return path.join(stateDir(workspaceRoot), 'metrics');
}

function fileOf(workspaceRoot: string, fingerprint: string): string | undefined {
  // The digest names a file: anything but hex is not ours.
  return /^[0-9a-f]{8,64}$/.test(fingerprint) ? path.join(metricsDir(workspaceRoot), `${fingerprint}.json`) : undefined;
}

/** ctx.metric: a name and a finite number; the last value for a name wins. */
export function metricSink(into: Record<string, number>): (name: string, value: number) => void {
  return (name, value) => {
    if (typeof name !== 'string' || name.length === 0)
      throw new TypeError(`ctx.metric(name, value): name must be a non-empty string, got ${JSON.stringify(name)}`);
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new TypeError(`ctx.metric('${name}', value): value must be a finite number, got ${String(value)}`);
    defineOwn(into, name, value);
  };
}

/** Keeps a run's metrics for the result made with this fingerprint. Never fails the run. */
export function writeMetrics(workspaceRoot: string, fingerprint: string, metrics: Metrics): void {
  const file = fileOf(workspaceRoot, fingerprint);
  if (!file || Object.keys(metrics).length === 0) return;
  try {
    ensureIgnoredDir(stateDir(workspaceRoot));
    writeFileAtomic(file, `${JSON.stringify({ metrics })}\n`);
    prune(metricsDir(workspaceRoot));
  } catch {
    // Metrics are a report, not a result: losing them must not fail the step.
  }
}

export function readMetrics(workspaceRoot: string, fingerprint: string): Metrics | undefined {
  const file = fileOf(workspaceRoot, fingerprint);
  const read = file ? readJsonIfExists<{ metrics?: Record<string, unknown> }>(file) : undefined;
  if (!read?.metrics || typeof read.metrics !== 'object') return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(read.metrics)) if (typeof v === 'number' && Number.isFinite(v)) defineOwn(out, k, v);
  return out;
}

function prune(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return;
  }
  if (names.length <= MAX_FILES) return;
  const aged = names.flatMap((n) => {
    try {
      return [{ n, t: fs.statSync(path.join(dir, n)).mtimeMs }];
    } catch {
      return [];
    }
  });
  aged.sort((a, b) => b.t - a.t);
  for (const { n } of aged.slice(KEEP_FILES)) fs.rmSync(path.join(dir, n), { force: true });
}

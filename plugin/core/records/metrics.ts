/**
 * Metrics a step reports (`ctx.metric('f1', 0.83)`), kept on this machine only:
 * `.nx-steps/metrics/<fingerprint digest>.json` at the workspace root (local-store.ts), never in a step's
 * outputs, so never in a cache entry. A result made on another machine has no metrics here; the
 * experiments view says so.
 */
import { defineOwn } from '../util/own';
import { LocalStore } from './local-store';

export type Metrics = Readonly<Record<string, number>>;

const store = new LocalStore<{ readonly metrics: Metrics }>('metrics', (raw) => {
  const metrics = (raw as { metrics?: unknown } | undefined)?.metrics;
  if (!metrics || typeof metrics !== 'object') return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) if (typeof v === 'number' && Number.isFinite(v)) defineOwn(out, k, v);
  return { metrics: out };
});

export function metricsDir(workspaceRoot: string): string {
  return store.dir(workspaceRoot);
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
  if (Object.keys(metrics).length > 0) store.write(workspaceRoot, fingerprint, { metrics });
}

export function readMetrics(workspaceRoot: string, fingerprint: string): Metrics | undefined {
  return store.read(workspaceRoot, fingerprint)?.metrics;
}

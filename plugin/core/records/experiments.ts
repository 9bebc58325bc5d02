/**
 * Runs side by side, as `dvc exp show` shows experiments: for each recorded
 * run, the params its steps' results were made with, the metrics those steps
 * reported, and which steps ran and which came from a cache. What
 * `nx-steps report --experiments` prints.
 *
 * Columns are named by param or metric alone when that name is unambiguous
 * across the runs shown (`lr`, `f1`); a param whose declaring steps disagree
 * in some run, or a metric reported by several steps, gets one column per
 * step (`train.lr`). The items of a fan-out count as their step: a metric
 * they report is shown as the mean over the items that reported it.
 */
import type { Json } from '../../api/json';
import { canonicalEncode } from '../hash/canonical';
import type { CanonicalValue } from '../hash/canonical';
import { fanOutStepOf } from '../model/fan-out';
import { defineOwn } from '../util/own';
import type { RunRecord, StepRunRecord } from './run-record';
import { isHit } from './run-record';

/** A metric of a step whose result was made on another machine: not known here. */
export const UNKNOWN = null;

export interface ExperimentRow {
  readonly startedAt: string;
  readonly command: readonly string[];
  /** By column. */
  readonly params: Readonly<Record<string, Json>>;
  /** By column; null where the result was made elsewhere (metrics stay on the machine that made them). */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Declared steps that ran, and that came from a cache or were kept (a fan-out with its item count). */
  readonly ran: readonly string[];
  readonly cached: readonly string[];
  readonly failed: readonly string[];
}

export interface ExperimentTable {
  readonly params: readonly string[];
  readonly metrics: readonly string[];
  readonly rows: readonly ExperimentRow[];
}

/** The declared step a step task belongs to: a fan-out item's step, or itself. */
function declaredStep(s: StepRunRecord): string {
  return (s.item !== undefined ? fanOutStepOf(s.step, s.item) : undefined) ?? s.step;
}

/** Per run: param name → declared step → value. */
function paramsOf(run: RunRecord): Map<string, Map<string, Json>> {
  const out = new Map<string, Map<string, Json>>();
  for (const s of run.steps) {
    for (const [name, value] of Object.entries(s.params ?? {})) {
      const byStep = out.get(name) ?? new Map<string, Json>();
      byStep.set(declaredStep(s), value);
      out.set(name, byStep);
    }
  }
  return out;
}

interface MetricCell {
  sum: number;
  n: number;
}

/** Per run: metric name → declared step → sum and count over the tasks that reported it. */
function metricsOf(run: RunRecord): Map<string, Map<string, MetricCell>> {
  const out = new Map<string, Map<string, MetricCell>>();
  for (const s of run.steps) {
    for (const [name, value] of Object.entries(s.metrics ?? {})) {
      const byStep = out.get(name) ?? new Map<string, MetricCell>();
      const cell = byStep.get(declaredStep(s)) ?? { sum: 0, n: 0 };
      cell.sum += value;
      cell.n += 1;
      byStep.set(declaredStep(s), cell);
      out.set(name, byStep);
    }
  }
  return out;
}

/** `simulate×200` for a fan-out's items, the name for a step. */
function counted(names: readonly string[]): string[] {
  const n = new Map<string, number>();
  for (const x of names) n.set(x, (n.get(x) ?? 0) + 1);
  return [...n].map(([x, k]) => (k > 1 ? `${x}×${k}` : x));
}

const encode = (v: Json): string => canonicalEncode(v as CanonicalValue);

/** Param columns of one run: by name, or `step.name` for a name its steps disagree on in some run. */
function paramColumns(params: Map<string, Map<string, Json>>, split: ReadonlySet<string>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [name, byStep] of params) {
    if (split.has(name)) for (const [step, v] of byStep) defineOwn(out, `${step}.${name}`, v);
    else defineOwn(out, name, [...byStep.values()][0] as Json);
  }
  return out;
}

export function experimentTable(records: readonly RunRecord[]): ExperimentTable {
  const params = records.map(paramsOf);
  const metrics = records.map(metricsOf);
  const splitParams = new Set<string>();
  for (const p of params) for (const [name, byStep] of p) if (new Set([...byStep.values()].map(encode)).size > 1) splitParams.add(name);
  // Metric columns: the name alone when one step reports it across the runs, else one per step.
  const reporters = new Map<string, Set<string>>();
  for (const m of metrics) for (const [name, byStep] of m) for (const step of byStep.keys()) reporters.set(name, (reporters.get(name) ?? new Set()).add(step));
  const columns = new Map<string, { step: string; name: string }>();
  for (const [name, steps] of reporters) for (const step of steps) columns.set(steps.size > 1 ? `${step}.${name}` : name, { step, name });
  const paramNames = new Set<string>();
  const rows = records.map((run, i): ExperimentRow => {
    const rowParams = paramColumns(params[i] ?? new Map(), splitParams);
    Object.keys(rowParams).forEach((c) => paramNames.add(c));
    const rowMetrics: Record<string, number | null> = {};
    for (const [column, { step, name }] of columns) {
      const cell = metrics[i]?.get(name)?.get(step);
      if (cell) defineOwn(rowMetrics, column, cell.sum / cell.n);
      // A result restored here with no metrics beside it was made on another machine.
      else if (run.steps.some((s) => declaredStep(s) === step && isHit(s.source) && s.metrics === undefined)) defineOwn(rowMetrics, column, UNKNOWN);
    }
    const by = (pick: (s: StepRunRecord) => boolean) => counted(run.steps.filter(pick).map(declaredStep));
    return {
      startedAt: run.startedAt,
      command: run.command,
      params: rowParams,
      metrics: rowMetrics,
      ran: by((s) => s.source === 'executed' || s.source === 'uncached'),
      cached: by((s) => isHit(s.source)),
      failed: by((s) => s.source === 'failed'),
    };
  });
  return { params: [...paramNames].sort(), metrics: [...columns.keys()].sort(), rows };
}

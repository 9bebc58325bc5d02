/**
 * Cache performance over a set of runs, per step and in total: what
 * `nx-steps report` prints (Scalable's `report --last`, with measured
 * figures instead of estimates).
 *
 * A lookup is a cacheable step task that Nx tried to run. A hit is a lookup
 * whose step function was not called: restored from the local or remote Nx
 * cache, or kept on disk. `cache: false` steps and skipped steps are listed
 * but are not lookups.
 */
import type { RunRecord, StepRunRecord, StepSource } from './run-record';
import { isHit, isLookup, STEP_SOURCES, stepId } from './run-record';

export interface Counts {
  /** Times a step appeared in the runs. */
  readonly tasks: number;
  readonly lookups: number;
  readonly hits: number;
  readonly misses: number;
  /** hits / lookups, or null without lookups. */
  readonly hitRate: number | null;
  /** Tasks by source. */
  readonly by: Readonly<Record<StepSource, number>>;
  /** Sum of the time hits saved. */
  readonly savedMs: number;
  /** Sum of task wall times. */
  readonly timeMs: number;
}

export interface StepSummary extends Counts {
  readonly id: string;
  readonly project: string;
  readonly step: string;
}

export interface Summary {
  readonly runs: number;
  /** Start of the first and the last run (ISO 8601), when there is one. */
  readonly first?: string;
  readonly last?: string;
  readonly steps: readonly StepSummary[];
  readonly total: Counts;
}

function count(tasks: readonly StepRunRecord[]): Counts {
  const by = Object.fromEntries(STEP_SOURCES.map((s) => [s, 0])) as Record<StepSource, number>;
  let savedMs = 0;
  let timeMs = 0;
  for (const t of tasks) {
    by[t.source] += 1;
    savedMs += t.savedMs ?? 0;
    timeMs += t.durationMs;
  }
  const lookups = tasks.filter((t) => isLookup(t.source)).length;
  const hits = tasks.filter((t) => isHit(t.source)).length;
  return { tasks: tasks.length, lookups, hits, misses: lookups - hits, hitRate: lookups > 0 ? hits / lookups : null, by, savedMs, timeMs };
}

export function summarize(records: readonly RunRecord[]): Summary {
  const byStep = new Map<string, StepRunRecord[]>();
  for (const r of records) for (const s of r.steps) byStep.set(stepId(s), [...(byStep.get(stepId(s)) ?? []), s]);
  const steps = [...byStep.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, tasks]) => ({ id, project: tasks[0]?.project ?? '', step: tasks[0]?.step ?? '', ...count(tasks) }));
  return {
    runs: records.length,
    ...(records.length ? { first: records[0]?.startedAt as string, last: records[records.length - 1]?.startedAt as string } : {}),
    steps,
    total: count(records.flatMap((r) => r.steps)),
  };
}

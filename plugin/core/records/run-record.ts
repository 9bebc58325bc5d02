/**
 * A run record: what one Nx command did with each step it touched. Written
 * by the post-task hook, read by `nx-steps report`, `nx-steps why` and
 * `runPipeline()`.
 *
 * What a record holds: names, statuses, durations and digests; and, for the
 * experiments view (`nx-steps report --experiments`), each step's params
 * (with this run's overrides) and the metrics it reported. Records stay on
 * this machine (`.nx-steps/runs`, ignored by git, never in a cache entry):
 * param values are there because comparing runs by them is the point, so a
 * secret does not belong in a param (read it from the environment in the
 * step). No flag values from the command line, no environment.
 */

import type { Json } from '../../api/json';

export const RUN_RECORD_SCHEMA = 1;

/**
 * Set by runPipeline() on the nx process it spawns, so it can find its own
 * record. (Without the daemon the hook sees it; with the daemon the hook
 * runs in the daemon, and runPipeline falls back to the run's start time.)
 */
export const RUN_ID_ENV = 'NX_STEPS_RUN_ID';

/**
 * Where a step's result came from in one run:
 * - executed  Nx missed and the step function ran
 * - local     restored from the local Nx cache (or already in place, Nx's `local-cache-kept-existing`)
 * - remote    restored from the remote Nx cache
 * - kept      Nx missed, but the outputs on disk already matched the step's
 *             own fingerprint, so the step function was not called
 * - step-local, step-remote
 *             Nx missed, and the result was restored by the step's own key
 *             (a step-keyed entry, core/run/step-entries.ts) from the local
 *             or the remote cache: the step function was not called
 * - uncached  a `cache: false` step: it always runs, and is not a lookup
 * - failed    Nx missed, and the step failed
 * - skipped   not run (a dependency failed, or the run was stopped)
 */
export type StepSource = 'executed' | 'local' | 'remote' | 'step-local' | 'step-remote' | 'kept' | 'uncached' | 'failed' | 'skipped';

export const STEP_SOURCES: readonly StepSource[] = ['executed', 'local', 'remote', 'step-local', 'step-remote', 'kept', 'uncached', 'failed', 'skipped'];

/** Sources where the step function was not called because its result was known. */
export function isHit(source: StepSource): boolean {
  return source === 'local' || source === 'remote' || source === 'step-local' || source === 'step-remote' || source === 'kept';
}

/** Hits by the step's own key, from either cache. */
export function byStepKey(by: Readonly<Record<StepSource, number>>): number {
  return by['step-local'] + by['step-remote'];
}

/** Sources that count as a cache lookup: every cacheable step that Nx tried to run. */
export function isLookup(source: StepSource): boolean {
  return isHit(source) || source === 'executed' || source === 'failed';
}

export interface StepRunRecord {
  readonly project: string;
  readonly projectRoot: string;
  readonly step: string;
  readonly source: StepSource;
  /** When Nx started the task, in ms after the run started. */
  readonly startMs: number;
  /** Wall time of the task as Nx measured it: running the step, or restoring it. */
  readonly durationMs: number;
  /**
   * How long the step function took when its stored result was made (this
   * run for `executed`, an earlier run for hits): from step.json.
   */
  readonly originalMs?: number;
  /** Hits only: originalMs − durationMs, never below 0 (see savedTime). */
  readonly savedMs?: number;
  /** Hits only: when the result was made (ISO 8601, from step.json), so a replayed result is not mistaken for a fresh one. */
  readonly madeAt?: string;
  /** Digest of the step's fingerprint (the key part nx-steps controls), when it produced or restored a result. */
  readonly fingerprint?: string;
  /** Digest of the step's result (value and files). */
  readonly result?: string;
  /** Nx's task hash. */
  readonly nxHash?: string;
  /** The params its result was made with (overrides applied), when it has a result. */
  readonly params?: Readonly<Record<string, Json>>;
  /** The metrics the run that made its result reported, when that run was on this machine (records/metrics.ts). */
  readonly metrics?: Readonly<Record<string, number>>;
  /** A fan-out item's key (or a factory call), for a step that is one. */
  readonly item?: string;
}

export interface RunRecord {
  readonly schema: typeof RUN_RECORD_SCHEMA;
  /** Nx's id of the command. */
  readonly id: string;
  /** Set when the run was started by runPipeline() (NX_STEPS_RUN_ID), to find its own record. */
  readonly runId?: string;
  /** ISO 8601. */
  readonly startedAt: string;
  /** From the first step task's start to the end of the task phase. */
  readonly durationMs: number;
  /** Wall time of the whole nx command (project graph and hooks included), when it could be measured (Linux, no daemon). */
  readonly commandMs?: number;
  /** The nx command without option values: e.g. ['run', 'etl:upload', '--scale']. */
  readonly command: readonly string[];
  readonly steps: readonly StepRunRecord[];
}

/**
 * Time a hit saved: the original duration of the step function minus the
 * time the hit took. Never negative: a run would have cost the original
 * duration plus the executor's own start-up (loading the module, hashing),
 * which the original duration leaves out, so a hit slower than the bare
 * function time still saved something, just not a measurable amount.
 */
export function savedTime(originalMs: number, hitMs: number): number {
  return Math.max(0, Math.round(originalMs - hitMs));
}

export function stepId(s: Pick<StepRunRecord, 'project' | 'step'>): string {
  return `${s.project}:${s.step}`;
}

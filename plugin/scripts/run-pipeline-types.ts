/** The types of `runPipeline` (run-pipeline.ts), apart so that 'nx-steps' can name them without loading it. */
import type { StepSource } from '../core/records/run-record';
import type { Json } from '../api/json';

export interface RunPipelineOptions {
  /** Steps to run, each with the steps it needs. Default: every step of the pipeline. */
  readonly steps?: readonly string[];
  /**
   * Recompute every step this run touches (the selected steps and the steps
   * they need), as `NX_STEPS_FRESH` does: their keys get a local salt, so no
   * cached or kept result is reused, and the new results become the cached
   * ones (see the README's "Bypass and clear").
   */
  readonly fresh?: boolean;
  /** A folder inside the Nx workspace. Default: the current directory. */
  readonly cwd?: string;
  /** Do not echo nx's output. Default: false (it is echoed as it comes). */
  readonly quiet?: boolean;
  /**
   * Param overrides for this run, as `--name=value` on `nx run`: each reaches
   * every step of the run that declares it (a sweep: one call per value).
   */
  readonly params?: Readonly<Record<string, Json>>;
}

export interface StepRun {
  /** True when the step function was not called: restored from a cache or kept on disk. */
  readonly cached: boolean;
  /** Where the result came from (executed, local, remote, step-local, step-remote, kept, uncached, failed, skipped). */
  readonly source: StepSource;
  /** Wall time of the step's task in this run. */
  readonly durationMs: number;
  /** For a cached step: its original duration minus the time the hit took (0 otherwise). */
  readonly savedMs: number;
}

export interface RunFigures {
  /** By step name. */
  readonly steps: Readonly<Record<string, StepRun>>;
  /** Hits / lookups (cacheable steps), or null when no step was a lookup. */
  readonly hitRate: number | null;
  readonly savedMs: number;
  /**
   * The result of each step of this run that has one (executed, restored or
   * kept), by step name, decoded on first access. Reading one that cannot be
   * read throws a ResultError (NXS code and what to do).
   */
  readonly values: Readonly<Record<string, unknown>>;
  /** nx's combined output. */
  readonly output: string;
}

export type PipelineRun =
  | ({ readonly ok: true; readonly project: string; readonly durationMs: number } & RunFigures)
  | ({
      readonly ok: false;
      readonly project: string;
      /** What went wrong: no workspace or nx found, no such pipeline or step, a step failed, no record of the run. */
      readonly reason: 'no-workspace' | 'unknown-project' | 'unknown-step' | 'failed' | 'no-record';
      readonly message: string;
      readonly exitCode?: number;
    } & RunFigures);

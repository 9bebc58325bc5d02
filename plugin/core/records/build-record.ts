/** Builds the record of one Nx command from its step tasks. */
import { describeCommand } from './command-line';
import type { ObservedTask } from './observe';
import { observeStep } from './observe';
import type { RunRecord } from './run-record';
import { RUN_RECORD_SCHEMA } from './run-record';

export interface ObservedRun {
  /** Nx's id of the command. */
  readonly id: string;
  readonly runId?: string;
  readonly argv: readonly string[];
  /** Epoch ms. */
  readonly startTime: number;
  readonly endTime: number;
  /** Epoch ms at which the nx command started, when known (before the project graph and the pre-task hooks). */
  readonly commandStartTime?: number | undefined;
  /** The run's step tasks (other tasks are not nx-steps' business). */
  readonly tasks: readonly ObservedTask[];
}

/** undefined when the run touched no step: nothing to record. */
export function buildRunRecord(workspaceRoot: string, run: ObservedRun): RunRecord | undefined {
  if (run.tasks.length === 0) return undefined;
  // Nx's startTime is taken after its pre-task hooks; a task can only start later, but keep the earliest.
  const started = Math.min(run.startTime, ...run.tasks.map((t) => t.startTime ?? run.startTime));
  const steps = run.tasks
    .map((t) => observeStep(workspaceRoot, t, started))
    .sort((a, b) => a.startMs - b.startMs || `${a.project}:${a.step}`.localeCompare(`${b.project}:${b.step}`));
  return {
    schema: RUN_RECORD_SCHEMA,
    id: run.id,
    ...(run.runId ? { runId: run.runId } : {}),
    startedAt: new Date(started).toISOString(),
    durationMs: Math.max(0, run.endTime - started),
    ...(run.commandStartTime !== undefined && run.commandStartTime <= started ? { commandMs: run.endTime - run.commandStartTime } : {}),
    command: describeCommand(run.argv),
    steps,
  };
}

/**
 * Turns what Nx reports about a finished step task into a StepRunRecord,
 * reading the step's step.json for what Nx does not know (the original
 * duration and the fingerprint).
 *
 * Nx reports a step that the executor kept (outputs on disk matched its
 * fingerprint) or restored by its own key as a plain `success`, like one
 * that executed, and its terminal output cannot tell them apart either: a
 * local hit replays the output of whichever run made the entry. The task
 * stamp the executor writes at the end of every run (outputs/task-stamp.ts)
 * says which, when it was written during this task. Without one (a step
 * that ran before stamps existed) step.json decides: a step that executed
 * in this task has a step.json created after the task started.
 */
import * as path from 'node:path';
import { META_FILE, outputDir } from '../outputs/layout';
import type { TaskStamp } from '../outputs/task-stamp';
import { readTaskStamp } from '../outputs/task-stamp';
import type { StepMeta } from '../outputs/store';
import { readJsonIfExists } from '../util/fs-atomic';
import type { StepRunRecord, StepSource } from './run-record';
import { isHit, savedTime } from './run-record';
import { experimentOf } from './experiment-fields';

/** Nx's task statuses (Nx 24), as strings: the core does not import Nx. */
export type NxTaskStatus = 'success' | 'failure' | 'skipped' | 'stopped' | 'local-cache-kept-existing' | 'local-cache' | 'remote-cache';

/** What the post-task hook knows about one step task. */
export interface ObservedTask {
  readonly project: string;
  readonly projectRoot: string;
  readonly step: string;
  readonly nxStatus: NxTaskStatus | (string & {});
  /** Whether Nx caches the task (false for `cache: false` steps). */
  readonly cacheable: boolean;
  /** Epoch ms, as Nx sets them on the task. */
  readonly startTime?: number;
  readonly endTime?: number;
  readonly nxHash?: string;
}

function sourceOf(task: ObservedTask, meta: StepMeta | undefined, stamp: TaskStamp | undefined): StepSource {
  switch (task.nxStatus) {
    case 'local-cache':
    case 'local-cache-kept-existing':
      return 'local';
    case 'remote-cache':
      return 'remote';
    case 'failure':
      return 'failed';
    case 'success': {
      if (!task.cacheable) return 'uncached';
      if (stamp && task.startTime !== undefined && stamp.at >= task.startTime) return stamp.source;
      const created = meta ? Date.parse(meta.createdAt) : NaN;
      return task.startTime !== undefined && Number.isFinite(created) && created < task.startTime ? 'kept' : 'executed';
    }
    default:
      // 'skipped', 'stopped', and any status a later Nx adds: the step did not run here.
      return 'skipped';
  }
}

/** Reads step.json without verifying the outputs: the record only needs its durations and digests. */
export function readStepMeta(workspaceRoot: string, projectRoot: string, step: string): StepMeta | undefined {
  const meta = readJsonIfExists<StepMeta>(path.join(workspaceRoot, outputDir(projectRoot, step), META_FILE));
  return meta && typeof meta.durationMs === 'number' && meta.fingerprint && meta.result ? meta : undefined;
}

export function observeStep(workspaceRoot: string, task: ObservedTask, runStartedAt: number): StepRunRecord {
  // A failed or skipped task may have left an older step.json behind; it says nothing about this run.
  const mayHaveMeta = task.nxStatus !== 'failure' && task.nxStatus !== 'skipped' && task.nxStatus !== 'stopped';
  const meta = mayHaveMeta ? readStepMeta(workspaceRoot, task.projectRoot, task.step) : undefined;
  const stamp = mayHaveMeta ? readTaskStamp(path.join(workspaceRoot, outputDir(task.projectRoot, task.step))) : undefined;
  const source = sourceOf(task, meta, stamp);
  const durationMs = task.startTime !== undefined && task.endTime !== undefined ? Math.max(0, task.endTime - task.startTime) : 0;
  const base = {
    project: task.project,
    projectRoot: task.projectRoot,
    step: task.step,
    source,
    startMs: task.startTime !== undefined ? Math.max(0, task.startTime - runStartedAt) : 0,
    durationMs,
    ...(task.nxHash !== undefined ? { nxHash: task.nxHash } : {}),
  };
  if (!meta || source === 'skipped' || source === 'failed') return base;
  const hit = isHit(source);
  return {
    ...base,
    originalMs: meta.durationMs,
    ...(hit ? { savedMs: savedTime(meta.durationMs, durationMs), madeAt: meta.createdAt } : {}),
    fingerprint: meta.fingerprint.digest,
    result: meta.result.digest,
    ...experimentOf(workspaceRoot, meta),
  };
}

/**
 * A step Nx restored from its cache whose outputs say they were produced for
 * another task hash: the entry holds another key's result (see
 * outputs/task-stamp.ts for how an overlapping command can cause that).
 */
export interface MisfiledResult {
  readonly task: ObservedTask;
  /** The task hash the restored outputs were produced for. */
  readonly madeFor: string;
}

export function misfiledResults(workspaceRoot: string, tasks: readonly ObservedTask[]): MisfiledResult[] {
  const out: MisfiledResult[] = [];
  for (const task of tasks) {
    if (task.nxStatus !== 'local-cache' && task.nxStatus !== 'remote-cache' && task.nxStatus !== 'local-cache-kept-existing') continue;
    const stamp = readTaskStamp(path.join(workspaceRoot, outputDir(task.projectRoot, task.step)));
    if (stamp?.nxHash !== undefined && task.nxHash !== undefined && stamp.nxHash !== task.nxHash) out.push({ task, madeFor: stamp.nxHash });
  }
  return out;
}

/**
 * `task.json`, written into a step's output folder at the end of every run of
 * the executor: which Nx task (by hash) the folder was produced for, and how
 * (executed, kept, restored by step key). Nx caches it with the folder.
 *
 * Two readers, in the post-task hook:
 * - reports: Nx says "success" for a task whose step ran and for one the
 *   engine kept or restored by step key; a stamp written during the task says
 *   which.
 * - the entry check: when Nx restores a step from its cache, the stamp must
 *   name the task hash Nx restored it for. It does not when an overlapping
 *   command restored another entry into the folder between this run's
 *   install and Nx storing the folder: then the restored result belongs to
 *   another key, and is not used (plugin/nx/post-tasks.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonIfExists, replaceFileAtomic } from '../util/fs-atomic';

export const TASK_STAMP_FILE = 'task.json';

export type StampSource = 'executed' | 'kept' | 'step-local' | 'step-remote' | 'uncached';

export interface TaskStamp {
  /** Nx's task hash (NX_TASK_HASH), when known. */
  readonly nxHash?: string;
  readonly source: StampSource;
  /** Epoch ms. */
  readonly at: number;
  /** The fingerprint digest of the result in the folder. */
  readonly fingerprint: string;
}

/**
 * Never fails the step: a stamp that cannot be written (the folder read-only, damage in the way) leaves
 * none, and a folder without a stamp is judged by its step.json alone. An old stamp is never left behind
 * to speak for this run (a stale hash makes the post-task hook drop the folder: a recompute, never a
 * wrong result).
 */
export function writeTaskStamp(outDir: string, stamp: TaskStamp): void {
  const file = path.join(outDir, TASK_STAMP_FILE);
  try {
    replaceFileAtomic(file, `${JSON.stringify(stamp)}\n`);
  } catch {
    fs.rmSync(file, { recursive: true, force: true });
  }
}

export function readTaskStamp(outDir: string): TaskStamp | undefined {
  const s = readJsonIfExists<Partial<TaskStamp>>(path.join(outDir, TASK_STAMP_FILE));
  return s && typeof s.source === 'string' && typeof s.at === 'number' && typeof s.fingerprint === 'string' ? (s as TaskStamp) : undefined;
}

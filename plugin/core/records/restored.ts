/**
 * Step outputs that Nx restored from its cache in this command and that
 * cannot be used: a cache entry that held no outputs (only Nx's terminal
 * output and exit code), a damaged or altered one, or with signing on one
 * that no trusted key signed (outputs/trust.ts). Nx reports such a task as a
 * cache hit; a downstream step of the same command recovers it in process
 * (run/run-step.ts), but a final step has no reader in the command, so the
 * post-task hook checks every restored step here, drops what fails and makes
 * the next run recompute it.
 */
import * as path from 'node:path';
import { outputDir } from '../outputs/layout';
import type { ReadOptions } from '../outputs/store';
import { readOutputs } from '../outputs/store';
import type { StepLock } from '../outputs/step-lock';
import { lockOutputDir } from '../outputs/step-lock';
import type { ObservedTask } from './observe';

/** Nx's statuses of a task it restored from its cache. */
export const RESTORED_STATUSES: ReadonlySet<string> = new Set(['local-cache', 'remote-cache', 'local-cache-kept-existing']);

export interface UnusableRestore {
  readonly task: ObservedTask;
  /** Why, for the message. */
  readonly detail: string;
}

export function unusableRestores(workspaceRoot: string, tasks: readonly ObservedTask[], read: ReadOptions): UnusableRestore[] {
  return tasks.flatMap((task) => {
    if (!RESTORED_STATUSES.has(task.nxStatus)) return [];
    const r = readOutputs(path.join(workspaceRoot, outputDir(task.projectRoot, task.step)), read);
    if (r.ok) return [];
    return [{ task, detail: r.problem === 'missing' ? 'the cache entry held no outputs' : r.detail }];
  });
}

/**
 * Checks `candidates` again, each under its step's output lock (another
 * command may have been installing a new result while they were read), and
 * keeps the locks of those still unusable, so the caller removes them before
 * anyone writes there again.
 */
export async function confirmUnusable(
  workspaceRoot: string,
  candidates: readonly UnusableRestore[],
  read: ReadOptions,
): Promise<{ readonly confirmed: UnusableRestore[]; release(): void }> {
  const confirmed: UnusableRestore[] = [];
  const locks: StepLock[] = [];
  for (const c of candidates) {
    const dir = path.join(workspaceRoot, outputDir(c.task.projectRoot, c.task.step));
    const lock = await lockOutputDir(dir, () => undefined);
    const again = readOutputs(dir, read);
    if (again.ok) {
      lock.release();
      continue;
    }
    confirmed.push(c);
    locks.push(lock);
  }
  return { confirmed, release: () => locks.forEach((l) => l.release()) };
}

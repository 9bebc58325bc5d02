/**
 * Whether the committed lock still describes a step, at graph time; and so whether the step's target
 * reads its field of nx-steps.lock.json at all (plugin/nx/create-nodes.ts).
 *
 * A field is read only where it cannot change between two commands that change nothing: in git, where
 * HEAD's lock describes the step and the working-tree lock is a file when the graph is made. Nx hashes a
 * file only when it was in its file map when the command started (without the daemon the map is made once
 * per command, before the pre-task hook runs), so a lock that the hook creates (a workspace without one)
 * or rewrites for a step (a change not yet committed) would hash as absent, or as the old field, in this
 * command and as the new one in the next: every such step missed Nx's cache once more, each costing a
 * process, at any length of chain. Outside git there is no `nx affected` to serve: the field is never
 * read. Correctness never depends on the lock (the live fingerprint is an env input).
 *
 *
 * `nx affected` reads a step's code and declaration through its field of
 * nx-steps.lock.json. When a change is committed without the lock update (the
 * pre-task hook rewrites it on every local run, but a commit can still miss
 * it, and CI never writes it), the field does not move and affected would
 * select nothing. Affected may select too much, never too little: a step
 * whose committed entry disagrees with its code also reads the files its code
 * is made of (its pipeline file and every local module it reaches), so a
 * change to any of them selects it.
 */
import type { ProjectModel, StepModel } from '../model/project-model';
import type { LockedStep } from './lock-file';
import type { KeyBuilder } from './step-key';
import { lockId } from './step-key';

export interface LockCheck {
  /** Workspace-relative files the step's target reads besides the lock, when the lock is stale for it. */
  readonly fallbackFiles?: readonly string[];
}

export function checkLock(keys: KeyBuilder, project: ProjectModel, step: StepModel, committed: Readonly<Record<string, LockedStep>> | undefined): LockCheck {
  if (step.errors.length > 0 || !step.cache.enabled) return {};
  const actual = keys.lock(project, step);
  const entry = committed?.[lockId(step)];
  if (entry && entry.config === actual.config && entry.code === actual.code) return {};
  const code = keys.code(project, step);
  const files = new Set<string>([step.file, ...Object.keys(code?.files ?? {})]);
  return { fallbackFiles: [...files].filter((f) => !f.startsWith('/') && !f.startsWith('..')).sort() };
}

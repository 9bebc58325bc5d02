/**
 * Whether the committed lock still describes a step, at graph time.
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

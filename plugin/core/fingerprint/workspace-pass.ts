/**
 * One pass over every step of the workspace: each step's live fingerprint
 * (for its env input) and its lock entry. Shared by the pre-task hook, the
 * sync generator and the CLI, so they can never disagree.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ProjectModel, WorkspaceModel } from '../model/project-model';
import { nxStepsVersion } from '../version';
import type { Services } from '../workspace';
import { fingerprintEnvName, stepKey } from './env-name';
import { evaluateArgs, evaluateCode, liveDigest } from './evaluate';
import { lockEntry } from './fingerprint';
import type { LockedStep } from './lock-file';
import { readLock, renderLock } from './lock-file';

export interface WorkspacePass {
  /** Env var name → value, for every step. */
  readonly env: Record<string, string>;
  /** The lock file as it should be. */
  readonly lockText: string;
  /** Whether it differs from the file on disk. */
  readonly lockChanged: boolean;
  /** Problems that forced a project's steps to miss (bugs of ours, never silent). */
  readonly warnings: readonly string[];
}

function fingerprintProject(services: Services, project: ProjectModel, previous: Readonly<Record<string, LockedStep>>, env: Record<string, string>, lock: Map<string, LockedStep>): void {
  const version = nxStepsVersion();
  const codes = evaluateCode(services, project);
  for (const step of project.steps) {
    const key = stepKey(step.projectRoot, step.name);
    const envName = fingerprintEnvName(step.projectRoot, step.name);
    if (step.errors.length > 0) {
      // Broken: it fails when run. Keep its last lock entry so a typo does not churn the lock.
      const kept = previous[key];
      if (kept) lock.set(key, kept);
      env[envName] = `broken:${randomUUID()}`;
      continue;
    }
    const entry = lockEntry(step, codes.get(step.name));
    lock.set(key, { file: step.file, step: step.name, ...entry });
    if (!step.cache.enabled) {
      env[envName] = 'not-cached';
      continue;
    }
    const args = evaluateArgs(services, step, project.displayName);
    // A missing input makes the step fail when run; the value only has to be unique.
    env[envName] = args.ok ? liveDigest(entry, args.value, version) : `unavailable:${createHash('sha1').update(args.error.message).digest('hex')}`;
  }
}

export function fingerprintWorkspace(services: Services, model: WorkspaceModel): WorkspacePass {
  const previous = readLock(services.workspaceRoot);
  const env: Record<string, string> = {};
  const lock = new Map<string, LockedStep>();
  const warnings: string[] = [];
  for (const project of model.projects) {
    try {
      fingerprintProject(services, project, previous?.steps ?? {}, env, lock);
    } catch (e) {
      // A bug of ours must never produce a stale hit: force misses for this
      // project (a fresh value per run), keep its lock entries, and say so.
      const keys = new Set(project.steps.map((s) => stepKey(s.projectRoot, s.name)));
      for (const step of project.steps) env[fingerprintEnvName(step.projectRoot, step.name)] = `error:${randomUUID()}`;
      for (const [key, entry] of Object.entries(previous?.steps ?? {})) if (keys.has(key)) lock.set(key, entry);
      warnings.push(`could not fingerprint the steps of ${project.displayName}; they run without the cache this time.\n  ${(e as Error).stack ?? String(e)}`);
    }
  }
  const lockText = renderLock(lock);
  return { env, lockText, lockChanged: previous?.text !== lockText, warnings };
}

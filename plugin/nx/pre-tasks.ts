/**
 * Runs before Nx hashes any task. For every step it computes the live
 * fingerprint (code closure, data contents by digest, declaration, plugin
 * version) and hands it to Nx as the step's env input; and it keeps
 * nx-steps.lock.json current (outside CI), for `nx affected`.
 *
 * Data files are hashed through the stat memo, so an unchanged file is not
 * read again; code closures are reused while their observations hold, so a
 * warm run loads no parser.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { PreTasksExecutionContext } from '@nx/devkit';
import { evaluateArgs, evaluateCode, liveDigest } from '../core/fingerprint/evaluate';
import { fingerprintEnvName, stepKey } from '../core/fingerprint/env-name';
import { lockEntry } from '../core/fingerprint/fingerprint';
import type { LockedStep } from '../core/fingerprint/lock-file';
import { LOCK_FILE, readLock, renderLock, writeLockIfChanged } from '../core/fingerprint/lock-file';
import type { ProjectModel, WorkspaceModel } from '../core/model/project-model';
import { isCI } from '../core/util/ci';
import { nxStepsVersion } from '../core/version';
import type { Services } from '../core/workspace';
import { createServices, loadWorkspaceModel } from '../core/workspace';
import { discoverPipelineFiles } from './discover';
import type { NxStepsPluginOptions } from './options';
import { normalizeOptions } from './options';

export interface FingerprintPass {
  /** Env var name → value for every step. */
  readonly env: Record<string, string>;
  /** The lock as it should be, by step key. */
  readonly lock: Map<string, LockedStep>;
}

/** Live fingerprints and lock entries of every step of one project. */
function fingerprintProject(services: Services, project: ProjectModel, previous: Readonly<Record<string, LockedStep>>, pass: FingerprintPass): void {
  const version = nxStepsVersion();
  const codes = evaluateCode(services, project);
  for (const step of project.steps) {
    const key = stepKey(step.projectRoot, step.name);
    const envName = fingerprintEnvName(step.projectRoot, step.name);
    if (step.errors.length > 0) {
      // Broken: it fails when run. Keep its last lock entry so a typo does not churn the lock.
      const kept = previous[key];
      if (kept) pass.lock.set(key, kept);
      pass.env[envName] = `broken:${randomUUID()}`;
      continue;
    }
    const entry = lockEntry(step, codes.get(step.name));
    pass.lock.set(key, { file: step.file, step: step.name, ...entry });
    if (!step.cache.enabled) {
      pass.env[envName] = 'not-cached';
      continue;
    }
    const args = evaluateArgs(services, step, project.displayName);
    // A missing input makes the step fail when run; the value only has to be unique.
    pass.env[envName] = args.ok ? liveDigest(entry, args.value, version) : `unavailable:${createHash('sha1').update(args.error.message).digest('hex')}`;
  }
}

/** Fingerprints every step; returns the env values and the lock text. */
export function fingerprintWorkspace(services: Services, model: WorkspaceModel): { env: Record<string, string>; lockText: string; lockChanged: boolean } {
  const previous = readLock(services.workspaceRoot);
  const pass: FingerprintPass = { env: {}, lock: new Map() };
  for (const project of model.projects) {
    try {
      fingerprintProject(services, project, previous?.steps ?? {}, pass);
    } catch (e) {
      // A bug of ours must never produce a stale hit: force misses for this
      // project (a fresh value per run) and say so.
      for (const step of project.steps) pass.env[fingerprintEnvName(step.projectRoot, step.name)] = `error:${randomUUID()}`;
      for (const [key, entry] of Object.entries(previous?.steps ?? {})) {
        if (project.steps.some((s) => stepKey(s.projectRoot, s.name) === key)) pass.lock.set(key, entry);
      }
      console.warn(`nx-steps: could not fingerprint the steps of ${project.displayName}; they run without the cache this time.\n  ${(e as Error).stack ?? String(e)}`);
    }
  }
  const lockText = renderLock(pass.lock);
  return { env: pass.env, lockText, lockChanged: previous?.text !== lockText };
}

export async function preTasksExecution(rawOptions: NxStepsPluginOptions | undefined, context: PreTasksExecutionContext): Promise<void> {
  const options = normalizeOptions(rawOptions);
  const files = await discoverPipelineFiles(context.workspaceRoot, options.pipelines);
  if (files.length === 0) return;
  const services = createServices(context.workspaceRoot);
  try {
    const result = fingerprintWorkspace(services, loadWorkspaceModel(services, files));
    Object.assign(process.env, result.env);
    if (!result.lockChanged) return;
    if (!isCI()) {
      writeLockIfChanged(context.workspaceRoot, result.lockText);
    } else {
      console.warn(`nx-steps: ${LOCK_FILE} is out of date. Runs stay correct, but \`nx affected\` reads this file: run \`nx sync\` locally and commit it; \`nx sync:check\` in CI catches this.`);
    }
  } finally {
    services.flush();
  }
}

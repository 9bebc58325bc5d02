/**
 * One pass over every step of the workspace: each step's `{env}` input value
 * (its live digest, salted where this machine cleared it) and its lock entry.
 * Shared by the pre-task hook, the sync generator and the CLI; every value
 * comes from the key builder (step-key.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { ProjectModel, StepModel, WorkspaceModel } from '../model/project-model';
import type { Salts } from '../state/salts';
import { FRESH_ENV } from '../state/salts';
import { damagedMessage, freshSelector, readSaltFile, saltFor, updateSalts, withSalt, writeSalts } from '../state/salts';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';
import type { Services } from '../workspace';
import { fingerprintEnvName, stepKey } from './env-name';
import type { LockedStep } from './lock-file';
import { readLock, renderLock } from './lock-file';
import { codeName } from './evaluate';
import { envValue, KeyBuilder, liveDigest, lockId } from './step-key';

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

export interface PassOptions {
  /** The run's clock (for TTL windows). */
  readonly now: number;
  /** The environment of the command (NX_STEPS_FRESH). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Only the lock is wanted (`nx sync`, generators): lock entries never
   * depend on data, so file and dir arguments are not hashed, no salt is
   * read or written, and `env` comes back empty.
   */
  readonly lockOnly?: boolean;
}

interface PassState {
  readonly keys: KeyBuilder;
  readonly env: Record<string, string>;
  readonly lock: Map<string, LockedStep>;
  salts: Salts;
  /** Steps NX_STEPS_FRESH names (every step, when the salts file is damaged), with their live digest: salted once the pass is over. */
  readonly fresh: Array<{ id: string; live: string; envName: string }>;
  readonly isFresh: (project: string, step: string) => boolean;
  readonly lockOnly: boolean;
}

function passStep(project: ProjectModel, step: StepModel, previous: Readonly<Record<string, LockedStep>>, st: PassState): void {
  const id = stepKey(step.projectRoot, step.name);
  const locked = lockId(step);
  const envName = fingerprintEnvName(step.projectRoot, step.name);
  if (step.errors.length > 0) {
    // Broken: it fails when run. Keep its last lock entry so a typo does not churn the lock.
    const kept = previous[locked];
    if (kept) st.lock.set(locked, kept);
    st.env[envName] = `broken:${randomUUID()}`;
    return;
  }
  // The items of a fan-out share one entry (their step's), computed once.
  if (!st.lock.has(locked) || locked === id) st.lock.set(locked, { file: step.file, step: codeName(step), ...st.keys.lock(project, step) });
  if (st.lockOnly) return;
  if (!step.cache.enabled) {
    st.env[envName] = 'not-cached';
    return;
  }
  const parts = st.keys.parts(project, step);
  if (!parts.ok) {
    // The step fails when run; the value only has to be unique.
    st.env[envName] = `unavailable:${createHash('sha1').update(parts.error.message).digest('hex')}`;
    return;
  }
  const live = liveDigest(parts.value);
  if (st.isFresh(project.displayName, step.name)) st.fresh.push({ id, live, envName });
  st.env[envName] = envValue(live, saltFor(st.salts, id, live));
}

export function fingerprintWorkspace(services: Services, model: WorkspaceModel, options: PassOptions): WorkspacePass {
  const previous = readLock(services.workspaceRoot);
  const lockOnly = options.lockOnly ?? false;
  const saltRead = lockOnly ? { salts: {} } : readSaltFile(services.saltsFile);
  const st: PassState = {
    keys: new KeyBuilder(services, options.now),
    env: {},
    lock: new Map(),
    salts: saltRead.salts,
    fresh: [],
    // A damaged salts file: which steps were cleared is unknown, so every step recomputes once (below).
    isFresh: saltRead.damaged !== undefined ? () => true : freshSelector(options.env),
    lockOnly,
  };
  const warnings: string[] = [];
  for (const project of model.projects) {
    try {
      for (const step of project.steps) passStep(project, step, previous?.steps ?? {}, st);
    } catch (e) {
      // A bug of ours must never produce a stale hit: force misses for this
      // project (a fresh value per run), keep its lock entries, and say so.
      const ids = new Set(project.steps.map(lockId));
      for (const step of project.steps) st.env[fingerprintEnvName(step.projectRoot, step.name)] = `error:${randomUUID()}`;
      for (const [id, entry] of Object.entries(previous?.steps ?? {})) if (ids.has(id)) st.lock.set(id, entry);
      warnings.push(`could not fingerprint the steps of ${project.displayName}; they run without the cache this time.\n  ${(e as Error).stack ?? String(e)}`);
    }
  }
  if (saltRead.damaged !== undefined) {
    warnings.push(rebuildSalts(services, st, saltRead.damaged));
  } else {
    if (saltRead.repaired !== undefined) warnings.push(repairSalts(services, st.salts, saltRead.repaired));
    if (st.fresh.length > 0) warnings.push(...saltFresh(services, st));
  }
  const lockText = renderLock(st.lock);
  if (!lockOnly) warnings.push(...unnamedLoadWarnings(model, st.keys));
  return { env: st.env, lockText, lockChanged: previous?.text !== lockText, warnings };
}

/** A bypass: a new salt per named step, so this run recomputes it and later runs reuse the new result. */
function saltFresh(services: Services, st: PassState): string[] {
  const salts = updateSalts(services.saltsFile, (current) => st.fresh.reduce((acc, f) => withSalt(acc, f.id, f.live, 'fresh'), current));
  if (!salts.ok) {
    for (const f of st.fresh) st.env[f.envName] = `unsalted:${randomUUID()}`;
    return [`${salts.error}; the steps ${FRESH_ENV} names run without the cache this time.`];
  }
  for (const f of st.fresh) st.env[f.envName] = envValue(f.live, saltFor(salts.value, f.id, f.live));
  return [];
}

/** The salts file was damaged and its backup sound: the file is rewritten from it, with a word. */
function repairSalts(services: Services, salts: Salts, why: string): string {
  try {
    writeSalts(services.saltsFile, salts, true);
    return `${damagedMessage(services.saltsFile, why)}; it was rebuilt from its backup (no salt lost).`;
  } catch (e) {
    return `${damagedMessage(services.saltsFile, why)}; its backup was read instead, and the file cannot be rewritten (${(e as Error).message}).`;
  }
}

/**
 * A damaged salts file (and backup) is rebuilt, never read as "no salts" (that would bring back results cleared on
 * this machine): every step gets a new salt, so each recomputes once here, and the damaged file is kept
 * aside. Loud, since it costs a run of everything.
 */
function rebuildSalts(services: Services, st: PassState, why: string): string {
  const salts = st.fresh.reduce<Salts>((acc, f) => withSalt(acc, f.id, f.live, 'recovery'), {});
  try {
    writeSalts(services.saltsFile, salts, true);
  } catch (e) {
    for (const f of st.fresh) st.env[f.envName] = `unsalted:${randomUUID()}`;
    return `${damagedMessage(services.saltsFile, why)}, and it cannot be replaced (${(e as Error).message}): every step runs without the cache until it is removed.`;
  }
  for (const f of st.fresh) st.env[f.envName] = envValue(f.live, saltFor(salts, f.id, f.live));
  return `${damagedMessage(services.saltsFile, why)}. It was set aside (${path.basename(services.saltsFile)}.damaged) and rebuilt: so that no result cleared on this machine comes back, every step recomputes once here.`;
}

/**
 * Loads nx-steps cannot name are never silent: each step whose code makes
 * one is named in every run's output (once per declared step), with the
 * loads and what its key takes instead.
 */
export function unnamedLoadWarnings(model: WorkspaceModel, keys: KeyBuilder): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const project of model.projects) {
    for (const step of project.steps) {
      const id = lockId(step);
      const loads = seen.has(id) || step.errors.length > 0 ? undefined : keys.code(project, step)?.dynamic;
      seen.add(id);
      if (!loads?.length) continue;
      out.push(
        `${project.displayName}:${codeName(step)} loads modules nx-steps cannot name: ${loads.join('; ')}. Its key covers every file under the folder of the module that loads them instead, and its name and folder (it may see them); a module elsewhere (an npm package, ../) is not in it. Write the specifier as a literal ('./plugins/a'), or as a template under a folder (\`./plugins/\${name}\`).`,
      );
    }
  }
  return out;
}

/**
 * Salts one step's key on this machine at its current inputs, so that its
 * next run misses every existing cache entry (`nx-steps clear`, and recovery
 * from a damaged entry). Fails, with the reason, when the step cannot be
 * fingerprinted now (a broken declaration or a missing input).
 */
export function saltStep(services: Services, project: ProjectModel, step: StepModel, reason: 'clear' | 'recovery', now: number): Result<void, string> {
  if (step.errors.length > 0) return fail(step.errors[0]?.message ?? 'its declaration is broken');
  const parts = new KeyBuilder(services, now).parts(project, step);
  if (!parts.ok) return fail(parts.error.message);
  const live = liveDigest(parts.value);
  const salted = updateSalts(services.saltsFile, (salts) => withSalt(salts, parts.value.id, live, reason));
  return salted.ok ? ok(undefined) : fail(`${salted.error} (run any nx command in the workspace: it rebuilds the file), so the step's key was not salted`);
}

/**
 * One pass over every step of the workspace: each step's live fingerprint
 * (for its env input) and its lock entry. Shared by the pre-task hook, the
 * sync generator and the CLI, so they can never disagree.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ProjectModel, StepModel, WorkspaceModel } from '../model/project-model';
import { nxStepsVersion } from '../version';
import type { Services } from '../workspace';
import { fingerprintEnvName, stepKey } from './env-name';
import type { Salt } from '../state/salts';
import { freshSelector, newSalt, readSalts, writeSalts } from '../state/salts';
import { evaluateArgs, evaluateCode, liveDigest, salted } from './evaluate';
import { lockEntry } from './fingerprint';
import type { LockedStep } from './lock-file';
import { readLock, renderLock } from './lock-file';
import { ttlWindow } from './ttl';

export interface WorkspacePass {
  /** Env var name → value, for every step. */
  readonly env: Record<string, string>;
  /** The lock file as it should be. */
  readonly lockText: string;
  /** Whether it differs from the file on disk. */
  readonly lockChanged: boolean;
  /** Problems that forced a project's steps to miss (bugs of ours, never silent). */
  readonly warnings: readonly string[];
  /** Unsalted live digest of every cached step that could be fingerprinted, by step key. */
  readonly live: ReadonlyMap<string, string>;
  /** The salts as they should be after this pass (new bypasses added, outdated ones dropped). */
  readonly salts: Readonly<Record<string, Salt>>;
  readonly saltsChanged: boolean;
}

export interface PassOptions {
  /** The run's clock (for TTL windows). */
  readonly now: number;
  /** The environment of the command (NX_STEPS_FRESH). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Only the lock is wanted (`nx sync`, generators): lock entries never
   * depend on data, so file and dir arguments are not hashed, and `env`,
   * `live` and the salts come back empty or unchanged.
   */
  readonly lockOnly?: boolean;
}

interface PassState {
  readonly env: Record<string, string>;
  readonly lock: Map<string, LockedStep>;
  readonly live: Map<string, string>;
  readonly salts: Record<string, Salt>;
  saltsChanged: boolean;
  readonly fresh: (project: string, step: string) => boolean;
  readonly now: number;
  readonly lockOnly: boolean;
}

function fingerprintProject(services: Services, project: ProjectModel, previous: Readonly<Record<string, LockedStep>>, st: PassState): void {
  const { env, lock } = st;
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
    if (st.lockOnly) continue;
    if (!step.cache.enabled) {
      env[envName] = 'not-cached';
      continue;
    }
    const args = evaluateArgs(services, step, project.displayName);
    if (!args.ok) {
      // The step fails when run; the value only has to be unique.
      env[envName] = `unavailable:${createHash('sha1').update(args.error.message).digest('hex')}`;
      continue;
    }
    const ttl = step.cache.ttl ? ttlWindow(key, step.cache.ttl.ms, st.now).window : undefined;
    const live = liveDigest(entry, args.value, version, ttl);
    st.live.set(key, live);
    const existing = st.salts[key];
    if (st.fresh(project.displayName, step.name)) {
      st.salts[key] = newSalt(live, 'fresh');
      st.saltsChanged = true;
    } else if (existing && existing.base !== live) {
      // Its inputs changed since it was salted: back to the key every machine shares.
      delete st.salts[key];
      st.saltsChanged = true;
    }
    env[envName] = salted(live, st.salts[key]?.salt);
  }
}

export function fingerprintWorkspace(services: Services, model: WorkspaceModel, options: PassOptions): WorkspacePass {
  const previous = readLock(services.workspaceRoot);
  const st: PassState = {
    env: {},
    lock: new Map(),
    live: new Map(),
    salts: readSalts(services.workspaceRoot),
    saltsChanged: false,
    fresh: freshSelector(options.env),
    now: options.now,
    lockOnly: options.lockOnly ?? false,
  };
  const { env, lock } = st;
  const warnings: string[] = [];
  for (const project of model.projects) {
    try {
      fingerprintProject(services, project, previous?.steps ?? {}, st);
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
  return { env, lockText, lockChanged: previous?.text !== lockText, warnings, live: st.live, salts: st.salts, saltsChanged: st.saltsChanged };
}

/**
 * Salts the keys of `steps` on this machine, so that their next run misses
 * every existing cache entry (`nx-steps clear`, and recovery from a corrupt
 * upstream entry; see state/salts.ts). Returns the steps that cannot be
 * fingerprinted now (a broken declaration or a missing input): those are not
 * salted.
 */
export function saltSteps(services: Services, model: WorkspaceModel, steps: readonly StepModel[], now: number): StepModel[] {
  const pass = fingerprintWorkspace(services, model, { now, env: {} });
  const salts = readSalts(services.workspaceRoot);
  const unsalted: StepModel[] = [];
  for (const step of steps) {
    const key = stepKey(step.projectRoot, step.name);
    const live = pass.live.get(key);
    if (live === undefined) unsalted.push(step);
    else salts[key] = newSalt(live, 'clear');
  }
  writeSalts(services.workspaceRoot, salts);
  return unsalted;
}

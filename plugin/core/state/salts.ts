/**
 * Salts: how `nx-steps clear` and a bypass (`NX_STEPS_FRESH`) make the next
 * run recompute a step, although Nx's cache has no per-entry delete and a
 * remote cache must never be overwritten (entries are immutable, 409).
 *
 * A salt is a random value mixed into one step's key on this machine. The
 * old entry (local or remote) is then unreachable, the step recomputes, and
 * its new result is cached under the salted key, so later runs reuse it. The
 * salt is kept until the step's own inputs change (its unsalted live
 * fingerprint differs from `base`); then it is dropped, and this machine's
 * keys agree with every other machine's again.
 *
 * State lives in <workspace>/.nx-steps/state/salts.json: machine-local, never
 * committed.
 */
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { ensureIgnoredDir, stateDir } from '../util/disk-cache';
import { readJsonIfExists, writeFileAtomic } from '../util/fs-atomic';

export interface Salt {
  readonly salt: string;
  /** The step's unsalted live fingerprint when it was salted. */
  readonly base: string;
  readonly reason: 'clear' | 'fresh';
  readonly at: string;
}

interface SaltFile {
  readonly version: 1;
  readonly steps: Record<string, Salt>;
}

function saltsPath(workspaceRoot: string): string {
  return path.join(stateDir(workspaceRoot), 'state', 'salts.json');
}

export function readSalts(workspaceRoot: string): Record<string, Salt> {
  const file = readJsonIfExists<SaltFile>(saltsPath(workspaceRoot));
  return file && file.version === 1 && file.steps && typeof file.steps === 'object' ? { ...file.steps } : {};
}

export function writeSalts(workspaceRoot: string, steps: Readonly<Record<string, Salt>>): void {
  ensureIgnoredDir(stateDir(workspaceRoot));
  writeFileAtomic(saltsPath(workspaceRoot), `${JSON.stringify({ version: 1, steps } satisfies SaltFile, null, 2)}\n`);
}

export function newSalt(base: string, reason: Salt['reason'], now = new Date()): Salt {
  return { salt: randomUUID(), base, reason, at: now.toISOString() };
}

/**
 * Which steps the environment asks to recompute: NX_STEPS_FRESH is a comma-
 * or space-separated list of `project:step`, `project` (all its steps) or `*`.
 */
export const FRESH_ENV = 'NX_STEPS_FRESH';

export function freshSelector(env: NodeJS.ProcessEnv = process.env): (project: string, step: string) => boolean {
  const raw = (env[FRESH_ENV] ?? '').split(/[\s,]+/).filter(Boolean);
  if (raw.length === 0) return () => false;
  return (project, step) => raw.some((s) => s === '*' || s === project || s === `${project}:${step}`);
}

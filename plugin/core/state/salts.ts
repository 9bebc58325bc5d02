/**
 * Salts: how `nx-steps clear` and a bypass (`NX_STEPS_FRESH`) make a step
 * recompute, although Nx's cache has no per-entry delete and a remote cache
 * must never be overwritten (entries are immutable, 409).
 *
 * A salt is a random value mixed into one step's key on this machine, for one
 * value of its unsalted live digest (its `base`: code, declaration, data). The
 * entries made under the unsalted key (local or remote) are unreachable from
 * this machine while the step's inputs are that base; the step recomputes and
 * its new result is cached under the salted key, so later runs reuse it.
 *
 * Why per base, and kept: a clear must last. When the step's inputs change,
 * its key is the one every machine shares again (no salt applies); when they
 * change back, the cleared base's salt applies again, so the cleared result
 * never returns. Each step keeps its newest MAX_PER_STEP salts.
 *
 * Where: beside Nx's cache index (the adapter passes the folder; see
 * machineStateDir in plugin/nx/nx-cache.ts), not in the workspace. Nx serves a local entry
 * only while its index holds it, so salts and the local entries they shadow
 * are kept, and removed (`nx reset`), together; deleting `.nx-steps/` (say,
 * `git clean -fdx`) cannot bring a cleared result back. A remote cache still
 * holds the old entry: clearing is local. Bump the step's `version` to replace
 * a result for everyone.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonIfExists, writeFileAtomic } from '../util/fs-atomic';

export interface Salt {
  readonly salt: string;
  /** The step's unsalted live digest this salt applies to. */
  readonly base: string;
  readonly reason: 'clear' | 'fresh' | 'recovery';
  readonly at: string;
}

/** Salts by step id (`stepKey`), newest first. */
export type Salts = Readonly<Record<string, readonly Salt[]>>;

const MAX_PER_STEP = 16;
export const SALTS_FILE = 'nx-steps-salts.json';

interface SaltFile {
  readonly version: 2;
  readonly steps: Salts;
}

function isSalt(s: unknown): s is Salt {
  const x = s as Partial<Salt> | null;
  return !!x && typeof x.salt === 'string' && typeof x.base === 'string' && typeof x.at === 'string';
}

/**
 * Reads the salts; a damaged file reads as no salts (a clear is then lost,
 * never a run). Version 1 files (one salt per step) are read as lists.
 */
export function readSalts(file: string): Salts {
  const raw = readJsonIfExists<{ version?: number; steps?: Record<string, unknown> }>(file);
  if (!raw || typeof raw.steps !== 'object' || raw.steps === null) return {};
  const out: Record<string, Salt[]> = {};
  for (const [id, value] of Object.entries(raw.steps)) {
    const list = (Array.isArray(value) ? value : [value]).filter(isSalt);
    if (list.length) out[id] = list;
  }
  return out;
}

/** The salt that applies to a step whose unsalted live digest is `live`. */
export function saltFor(salts: Salts, id: string, live: string): string | undefined {
  return salts[id]?.find((s) => s.base === live)?.salt;
}

/** A new salt for `id` at base `live`, replacing any salt of that base. */
export function withSalt(salts: Salts, id: string, live: string, reason: Salt['reason'], now = new Date()): Salts {
  const fresh: Salt = { salt: randomUUID(), base: live, reason, at: now.toISOString() };
  const rest = (salts[id] ?? []).filter((s) => s.base !== live);
  return { ...salts, [id]: [fresh, ...rest].slice(0, MAX_PER_STEP) };
}

/**
 * Applies `change` to the salts on disk and writes the result. Re-reads just
 * before writing, so concurrent writers lose nothing but in a tiny window.
 */
export function updateSalts(file: string, change: (salts: Salts) => Salts): Salts {
  const next = change(readSalts(file));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, `${JSON.stringify({ version: 2, steps: next } satisfies SaltFile, null, 2)}\n`);
  return next;
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

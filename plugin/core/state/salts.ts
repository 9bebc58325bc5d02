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
import { writeFileAtomic } from '../util/fs-atomic';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';

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
  /** The folder the file was written in: a salts file copied from another workspace is not this one's. */
  readonly home?: string;
  readonly steps: Salts;
}

function isSalt(s: unknown): s is Salt {
  const x = s as Partial<Salt> | null;
  return !!x && typeof x.salt === 'string' && typeof x.base === 'string' && typeof x.at === 'string';
}

/**
 * The salts on disk. `damaged`: why neither the file nor its backup can be read as salts (absent is no
 * salts, not damage); `repaired`: why the file could not be, its backup was read instead.
 */
export interface SaltFileRead {
  readonly salts: Salts;
  readonly damaged?: string;
  readonly repaired?: string;
}

/**
 * Reads the salts: the file, else its backup (every write writes both, so the backup holds the same salts).
 * Version 1 files (one salt per step) are read as lists.
 */
export function readSaltFile(file: string): SaltFileRead {
  const main = readOne(file);
  if (main.damaged === undefined) return main;
  const backup = readOne(backupOf(file));
  if (backup.damaged === undefined && fs.existsSync(backupOf(file))) return { salts: backup.salts, repaired: main.damaged };
  return main;
}

function homeOf(file: string): string {
  return path.dirname(path.resolve(file.endsWith('.bak') ? file.slice(0, -4) : file));
}

export function backupOf(file: string): string {
  return `${file}.bak`;
}

function readOne(file: string): SaltFileRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { salts: {} } : { salts: {}, damaged: `it cannot be read (${code ?? (e as Error).message})` };
  }
  let raw: { version?: number; home?: unknown; steps?: Record<string, unknown> } | null;
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch {
    return { salts: {}, damaged: 'it is not JSON (truncated or overwritten)' };
  }
  if (!raw || typeof raw !== 'object' || typeof raw.steps !== 'object' || raw.steps === null) return { salts: {}, damaged: 'it holds no salts' };
  if (raw.home !== undefined && raw.home !== homeOf(file)) return { salts: {}, damaged: `it was written for ${String(raw.home)}, not here` };
  const out: Record<string, Salt[]> = {};
  for (const [id, value] of Object.entries(raw.steps)) {
    const list = (Array.isArray(value) ? value : [value]).filter(isSalt);
    if (list.length) out[id] = list;
  }
  return { salts: out };
}

/**
 * The salts for a lookup. A damaged file reads as none here: the pre-task hook rebuilt it before Nx hashed
 * anything (workspace-pass.ts), so a step whose salt is lost meanwhile differs from what Nx hashed and
 * fails with NXS214 instead of reusing a cleared result.
 */
export function readSalts(file: string): Salts {
  return readSaltFile(file).salts;
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
 * Applies `change` to the salts on disk and writes the result. Re-reads just before writing, so concurrent
 * writers lose nothing but in a tiny window. A damaged file is never overwritten from what could be read of
 * it (that would drop the salts it held, bringing cleared results back): the change fails, with the reason.
 */
export function updateSalts(file: string, change: (salts: Salts) => Salts): Result<Salts, string> {
  // A damaged file whose backup is sound is rewritten from the backup.
  const current = readSaltFile(file);
  if (current.damaged !== undefined) return fail(damagedMessage(file, current.damaged));
  const next = change(current.salts);
  try {
    writeSalts(file, next);
  } catch (e) {
    return fail(`the salts file ${file} cannot be written (${(e as Error).message})`);
  }
  return ok(next);
}

export function damagedMessage(file: string, why: string): string {
  return `the salts file ${file} is damaged: ${why}`;
}

/** Replaces the salts file and its backup; a damaged file is kept beside them (`.damaged`) for a post-mortem. */
export function writeSalts(file: string, salts: Salts, damaged = false): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (damaged) {
    fs.rmSync(`${file}.damaged`, { recursive: true, force: true });
    if (fs.existsSync(file)) fs.renameSync(file, `${file}.damaged`);
  }
  const text = `${JSON.stringify({ version: 2, home: homeOf(file), steps: salts } satisfies SaltFile, null, 2)}\n`;
  for (const target of [backupOf(file), file]) {
    // A folder (or anything but a file) where a salts file belongs is in the way of an atomic rename.
    if (fs.existsSync(target) && !fs.statSync(target).isFile()) fs.rmSync(target, { recursive: true, force: true });
    writeFileAtomic(target, text);
  }
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

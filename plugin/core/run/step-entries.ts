/**
 * Step-keyed cache entries: a step's result stored in Nx's cache (local and
 * remote) under a key derived from the step's own fingerprint alone
 * (`FullKey.entryKey`), beside Nx's own entry for the task.
 *
 * Why: Nx's task hash covers every target of the project, so adding,
 * renaming or removing any target (a sibling step, a target another plugin
 * infers) changes the hash of every step and makes every existing entry
 * unreachable, on every machine. When Nx misses, the engine looks the step up
 * by its own key before calling it; a step whose code, data and inputs did not
 * change is then restored, from the local cache or from the remote cache the
 * workspace uses, on any machine.
 *
 * The cache itself is Nx's (the adapter in plugin/nx implements `EntryCache`);
 * this file only decides where an entry's files sit while it is stored or
 * restored, and verifies everything restored before it is used.
 *
 * An entry's files sit under `.nx-steps/entries/<key>` at the workspace root
 * while they travel: the path depends on the key alone. What the key holds
 * decides who may restore an entry (fingerprint/step-key.ts): the step's code,
 * inputs and, unless its code provably cannot see them, its identity (project
 * name and folder, step name). So an entry made under another name or in
 * another folder (a renamed step, a moved pipeline) restores only for code
 * that cannot see the difference, and one step's entry never reaches another
 * step unless both run the same computation (docs/hashing.md, the identity rule).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readOutputs } from '../outputs/store';
import type { ReadOptions, StepMeta } from '../outputs/store';
import { lockOutputDir } from '../outputs/step-lock';
import { ensureIgnoredDir, STATE_DIR } from '../util/disk-cache';
import { toPosix } from '../util/paths';
import type { RunLog } from './log';
import { moveDir, newWorkDir } from './staging';

export type EntrySource = 'local' | 'remote';

/** Nx's cache, by key. Implementations never throw: a failure is a miss (and a warning of their own). */
export interface EntryCache {
  /** Restores entry `key` into the workspace-relative folder `relDir`, or says it is not there. */
  restore(key: string, relDir: string): Promise<EntrySource | 'miss'>;
  /** Stores the workspace-relative folder `relDir` as entry `key` (local, and remote where writable). */
  store(key: string, relDir: string, terminalOutput: string): Promise<void>;
}

function entryDir(key: string): string {
  return `${STATE_DIR}/entries/${key}`;
}

/** The entry's absolute path, its parent folder created (the lock file sits beside it). */
function entryPath(workspaceRoot: string, rel: string): string {
  ensureIgnoredDir(path.join(workspaceRoot, STATE_DIR));
  const abs = path.join(workspaceRoot, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  return abs;
}

export interface RestoredEntry {
  readonly source: EntrySource;
  /** A work folder holding the verified result, ready to install. */
  readonly dir: string;
  readonly meta: StepMeta;
}

/**
 * Looks the step up by its own key. A restored entry is verified in full
 * (fingerprint, value and every file against their digests) before it is
 * used; one that fails is dropped with a note, and the step runs.
 */
export async function restoreEntry(
  cache: EntryCache,
  workspaceRoot: string,
  entry: { readonly key: string; readonly digest: string },
  verify: Pick<ReadOptions, 'digestOf' | 'trust'>,
  log: RunLog,
): Promise<RestoredEntry | undefined> {
  const rel = entryDir(entry.key);
  const abs = entryPath(workspaceRoot, rel);
  const lock = await lockOutputDir(abs, () => undefined);
  try {
    fs.rmSync(abs, { recursive: true, force: true });
    const source = await cache.restore(entry.key, rel);
    if (source === 'miss') return undefined;
    const read = readOutputs(abs, { ...verify, fingerprint: entry.digest });
    if (!read.ok) {
      log.note(`the cache entry for this step's key failed verification (${read.detail}); running the step instead.`);
      return undefined;
    }
    const dir = path.join(newWorkDir(workspaceRoot), 'result');
    moveDir(abs, dir);
    return { source, dir, meta: read.meta };
  } finally {
    fs.rmSync(abs, { recursive: true, force: true });
    lock.release();
  }
}

/**
 * Stores a finished output folder as the step's entry. The folder is moved
 * to the entry's path and back (no copy), so the caller must not be reading
 * it. A failure costs a note, never the run.
 */
export async function storeEntry(cache: EntryCache, workspaceRoot: string, entryKey: string, dir: string, terminalOutput: string, log: RunLog): Promise<void> {
  const rel = entryDir(entryKey);
  const abs = entryPath(workspaceRoot, rel);
  const lock = await lockOutputDir(abs, () => undefined);
  try {
    fs.rmSync(abs, { recursive: true, force: true });
    moveDir(dir, abs);
    try {
      await cache.store(entryKey, toPosix(rel), terminalOutput);
    } finally {
      moveDir(abs, dir);
    }
  } catch (e) {
    log.note(`could not store the result under this step's own key: ${(e as Error).message}`);
  } finally {
    lock.release();
  }
}

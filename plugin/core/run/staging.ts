/**
 * Where a step's outputs are made before they are installed.
 *
 * A step never writes its output folder (`{projectRoot}/.nx-steps/out/<step>`,
 * the target's Nx `outputs`) while it runs: another Nx command may restore a
 * cache entry into that folder at any moment (Nx's restore takes no lock of
 * ours), and a step writing there for hours would end up storing a mix. The
 * step writes a private work folder instead; the finished folder is moved
 * into place by `install` in two renames, under the step's output lock.
 *
 * Work folders are named after their process, so the folders of a killed run
 * are recognised and removed by the next run (`sweepWorkDirs`).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureIgnoredDir, stateDir } from '../util/disk-cache';
import { removeOwnTree } from '../util/fs-atomic';
import { processAlive } from '../util/process';

const WORK = 'work';

function workRoot(workspaceRoot: string): string {
  return path.join(stateDir(workspaceRoot), WORK);
}

/** A new, empty work folder of this process. */
export function newWorkDir(workspaceRoot: string): string {
  ensureIgnoredDir(stateDir(workspaceRoot));
  const dir = path.join(workRoot(workspaceRoot), `${process.pid}-${randomBytes(6).toString('hex')}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Removes the work folders of processes that are gone (a killed run). */
export function sweepWorkDirs(workspaceRoot: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(workRoot(workspaceRoot));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) removeOwnTree(path.join(workRoot(workspaceRoot), name));
  }
}

/** Moves a folder, copying when it must cross file systems. */
export function moveDir(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    fs.cpSync(from, to, { recursive: true });
    fs.rmSync(from, { recursive: true, force: true });
  }
}

/**
 * Replaces `target` with the finished folder `ready`. The caller holds the
 * step's output lock. A crash between the two renames leaves no folder (a
 * miss, never a mix); the set-aside old folder is removed here or by the next
 * install.
 */
export function install(ready: string, target: string): void {
  const parent = path.dirname(target);
  const base = path.basename(target);
  fs.mkdirSync(parent, { recursive: true });
  for (const name of fs.readdirSync(parent)) {
    if (name.startsWith(`${base}.old-`)) removeOwnTree(path.join(parent, name));
  }
  const aside = path.join(parent, `${base}.old-${randomBytes(6).toString('hex')}`);
  let setAside = false;
  try {
    fs.renameSync(target, aside);
    setAside = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  moveDir(ready, target);
  // The old folder is gone from the outputs either way; one that cannot be removed is retried by the next install.
  if (setAside) removeOwnTree(aside);
}

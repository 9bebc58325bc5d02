/**
 * A failed run never deletes a good result. Before a step runs, its last
 * outputs are moved aside to `<step>.prev` (a rename: instant, whatever their
 * size) and the step gets an empty folder at the usual path, so ctx.outDir
 * is the path its files will keep. When the step throws, or its result
 * cannot be stored, the new folder is removed and the old one moved back;
 * when the result is stored, the old one is removed.
 *
 * A run killed in between leaves `<step>.prev` behind: the next run that
 * takes the step's lock keeps whichever of the two folders is complete
 * (step.json is written last), before anything else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FILES_DIR, META_FILE } from './layout';

export const previousDir = (dir: string): string => `${dir}.prev`;

/** Settles what a killed run left (the caller holds the step's lock). */
export function recoverOutputs(dir: string): void {
  const prev = previousDir(dir);
  if (!fs.existsSync(prev)) return;
  if (fs.existsSync(path.join(dir, META_FILE))) {
    fs.rmSync(prev, { recursive: true, force: true });
  } else {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(prev, dir);
  }
}

/** Moves the last outputs aside and returns a new, empty files folder (ctx.outDir). */
export function beginOutputs(dir: string): string {
  recoverOutputs(dir);
  if (fs.existsSync(dir)) fs.renameSync(dir, previousDir(dir));
  const files = path.join(dir, FILES_DIR);
  fs.mkdirSync(files, { recursive: true });
  return files;
}

/** The new outputs are complete: the old ones go. */
export function commitOutputs(dir: string): void {
  fs.rmSync(previousDir(dir), { recursive: true, force: true });
}

/** The run failed: its partial outputs go and the last good ones come back. */
export function rollbackOutputs(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  if (fs.existsSync(previousDir(dir))) fs.renameSync(previousDir(dir), dir);
}

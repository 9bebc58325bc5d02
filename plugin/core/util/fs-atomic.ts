/**
 * Writes that a crash cannot tear: write a sibling temporary file, then
 * rename it over the target (rename is atomic within a file system).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

export function tempSibling(target: string): string {
  counter += 1;
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${counter}.tmp`);
}

export function writeFileAtomic(target: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = tempSibling(target);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * writeFileAtomic for nx-steps' own state files (caches, stamps, records): a folder (or anything but a
 * file) standing where the file goes is removed first, so such damage is repaired by the next write
 * instead of failing every write after it.
 */
export function replaceFileAtomic(target: string, data: string | Buffer): void {
  try {
    if (!fs.lstatSync(target).isFile()) fs.rmSync(target, { recursive: true, force: true });
  } catch {
    // nothing there
  }
  writeFileAtomic(target, data);
}

export function readJsonIfExists<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // a torn or foreign file is treated as absent
  }
}

/**
 * Removes a folder nx-steps made, also when its modes deny it (`chmod 000` on a folder of ours: its owner
 * may give itself access back). Never throws: what cannot be removed stays, and says so by returning false.
 */
export function removeOwnTree(target: string): boolean {
  try {
    fs.rmSync(target, { recursive: true, force: true });
    return true;
  } catch {
    // below
  }
  try {
    allowOwner(target);
    fs.rmSync(target, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}

function allowOwner(target: string): void {
  const st = fs.lstatSync(target);
  if (st.isSymbolicLink()) return;
  fs.chmodSync(target, st.isDirectory() ? 0o700 : 0o600);
  if (st.isDirectory()) for (const name of fs.readdirSync(target)) allowOwner(path.join(target, name));
}

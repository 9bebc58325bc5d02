/**
 * The files of a folder a fan-out runs over (`each: { x: dir(...) }`): one
 * item each. Read when the graph is built, names only (contents are hashed
 * per item when the item runs). The selection is the one a `dir` argument
 * uses (hash/dir-selection.ts: include, exclude, pruning, `.nx-steps`
 * never counts), and links are followed as the hasher follows them; a link
 * back to a folder being listed is not followed again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareCodePoints } from '../hash/canonical';
import type { DirSelection } from '../hash/dir-selection';
import { Selection } from '../hash/dir-selection';
import type { ListFiles } from '../model/fan-out';

export const listFiles: ListFiles = (absDir, sel: DirSelection) => {
  try {
    if (!fs.statSync(absDir).isDirectory()) return { ok: false, message: 'it is a file, not a folder' };
  } catch (e) {
    return { ok: false, message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message };
  }
  const selection = new Selection(sel);
  const out: string[] = [];
  const walking = new Set<string>();
  const walk = (abs: string, rel: string): void => {
    const real = fs.realpathSync(abs);
    if (walking.has(real)) return;
    walking.add(real);
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (selection.prunes(entry.name, childRel)) continue;
      const childAbs = path.join(abs, entry.name);
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDir = fs.statSync(childAbs).isDirectory();
        } catch {
          isDir = false; // a broken link is an item; hashing it fails with a clear message when it runs
        }
      }
      if (isDir) walk(childAbs, childRel);
      else if (selection.selects(childRel)) out.push(childRel);
    }
    walking.delete(real);
  };
  try {
    walk(absDir, '');
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
  return { ok: true, files: out.sort(compareCodePoints) };
};

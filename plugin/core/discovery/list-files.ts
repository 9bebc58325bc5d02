/**
 * The files of a folder a fan-out runs over (`each: { x: dir(...) }`): one
 * item each. Read when the graph is built, names only (contents are hashed
 * per item when the item runs). The walk is the one a `dir` argument's
 * manifest is (hash/dir-walk.ts: the same selection, links followed, loops
 * not followed, `.nx-steps` never counts), so an item is exactly a file the
 * folder's digest would cover. A selected entry that cannot be read as a
 * file (a broken link, a pipe) is an item all the same: it fails with the
 * hasher's reason when it runs, and the other items still run. Items are in
 * code-unit order of their whole paths.
 */
import * as fs from 'node:fs';
import { compareCodePoints } from '../hash/canonical';
import type { DirSelection } from '../hash/dir-selection';
import { Selection } from '../hash/dir-selection';
import { diskFolders, walkFolder } from '../hash/dir-walk';
import { HashError } from '../hash/hash-failure';
import type { ListFiles } from '../model/fan-out';

export const listFiles: ListFiles = (absDir, sel: DirSelection) => {
  let st: fs.BigIntStats;
  try {
    st = fs.statSync(absDir, { bigint: true });
  } catch (e) {
    return { ok: false, message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message };
  }
  if (!st.isDirectory()) return { ok: false, message: 'it is a file, not a folder' };
  const out: string[] = [];
  try {
    walkFolder(absDir, st, new Selection(sel), diskFolders, {
      file: (rel) => out.push(rel),
      loop: () => undefined, // a link back to a folder being listed holds no file of its own
      unreadable: (rel) => out.push(rel),
    });
  } catch (e) {
    if (!(e instanceof HashError)) throw e;
    return { ok: false, message: e.message };
  }
  return { ok: true, files: out.sort(compareCodePoints) };
};

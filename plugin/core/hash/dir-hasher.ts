/**
 * Digest of a folder argument: XXH3-128 of its manifest, the list of
 * (relative POSIX path, content digest) of the files it selects, in
 * canonical order (dir-walk.ts). Paths are relative to the folder, so
 * renaming a file inside changes the digest and moving the whole folder
 * does not. Files are listed from disk: gitignored data counts.
 *
 * The selection rules are in dir-selection.ts, the treatment of links,
 * loops and special files in dir-walk.ts; docs/hashing.md has the table.
 */
import * as path from 'node:path';
import type { Result } from '../util/result';
import { fail } from '../util/result';
import type { DirSelection } from './dir-selection';
import { Selection } from './dir-selection';
import type { ManifestEntry } from './dir-walk';
import { walkFolder } from './dir-walk';
import type { FileHasher } from './file-hasher';
import { statArgument } from './path-stat';
import type { HashFailure } from './hash-failure';
import { catchHashError } from './hash-failure';
import { hashBytes } from './xxhash';

export type { DirSelection } from './dir-selection';

export interface DirDigest {
  readonly digest: string;
  /** Files in the manifest (loops not counted). */
  readonly files: number;
}

/** Bumped when the manifest's encoding or the selection rules change: every folder digest changes with it. */
const MANIFEST_VERSION = 'nx-steps-dir-v2';

/**
 * The manifest as one string. Each entry is framed by the length of its
 * path, and a file's digest has a fixed length, so no two manifests share
 * an encoding: `F<len>:<path><digest>` for a file, `L<len>:<path><len>:<ancestor>`
 * for a link back to an ancestor folder.
 */
export function encodeManifest(entries: readonly ManifestEntry[]): string {
  const parts: string[] = [`${MANIFEST_VERSION}\n`];
  for (const e of entries) {
    parts.push('digest' in e ? `F${e.rel.length}:${e.rel}${e.digest}` : `L${e.rel.length}:${e.rel}${e.loopTo.length}:${e.loopTo}`);
  }
  return parts.join('');
}

export function hashDir(dir: string, sel: DirSelection, hasher: FileHasher): Result<DirDigest, HashFailure> {
  const abs = path.resolve(dir);
  const stat = statArgument(abs, hasher.io);
  if (!stat.ok) return stat;
  const st = stat.value;
  if (!st.isDirectory()) return fail({ reason: 'not-folder', path: abs });
  return catchHashError(() => {
    const entries = walkFolder(abs, st, new Selection(sel), hasher);
    let files = 0;
    for (const e of entries) if ('digest' in e) files += 1;
    return { digest: hashBytes(encodeManifest(entries)), files };
  });
}

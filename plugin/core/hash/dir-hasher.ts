/**
 * Digest of a folder argument: a sorted manifest of (relative POSIX path,
 * content digest). Renaming a file inside changes it; moving the whole folder
 * does not. Files are listed from disk, so gitignored data counts.
 */
import * as fs from 'node:fs';
import type FastGlob from 'fast-glob';
import { compareCodePoints } from './canonical';
import type { FileHasher } from './file-hasher';
import { hashParts } from './xxhash';

export interface DirSelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

export interface DirDigest {
  readonly digest: string;
  readonly files: number;
}

export function listDir(absDir: string, sel: DirSelection): string[] {
  // Loaded on first use: most commands never hash a folder, and it costs ~0.1 s to load.
  const fg = require('fast-glob') as typeof FastGlob;
  const entries = fg.sync(sel.include.length > 0 ? [...sel.include] : ['**'], {
    cwd: absDir,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: true,
    ignore: [...sel.exclude],
    unique: true,
    suppressErrors: false,
  });
  return entries.sort(compareCodePoints);
}

export function hashDir(absDir: string, sel: DirSelection, hasher: FileHasher): DirDigest {
  const files = listDir(absDir, sel);
  const parts: string[] = ['nx-steps-dir-v1'];
  for (const rel of files) {
    const abs = `${absDir}/${rel}`;
    parts.push(rel, hasher.digest(abs, fs.statSync(abs, { bigint: true })));
  }
  return { digest: hashParts(parts), files: files.length };
}

import * as path from 'node:path';

/** Workspace-relative paths are always POSIX, never start with './', and '.' is the root. */
export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export function relativePosix(from: string, to: string): string {
  const rel = toPosix(path.relative(from, to));
  return rel === '' ? '.' : rel;
}

/** Joins workspace-relative POSIX segments, normalising '.' and '..'. */
export function joinPosix(...parts: string[]): string {
  const joined = path.posix.normalize(path.posix.join(...parts));
  return joined === '' ? '.' : joined.replace(/\/$/, '');
}

export function dirnamePosix(p: string): string {
  return path.posix.dirname(p);
}

/** True when a workspace-relative path leaves the workspace ('..' or absolute). */
export function escapesRoot(rel: string): boolean {
  return rel === '..' || rel.startsWith('../') || path.posix.isAbsolute(rel);
}

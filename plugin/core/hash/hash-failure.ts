/**
 * Why a file or folder could not be hashed. The hasher reports these as
 * values; `evaluateArgs` turns them into diagnostics that name the project,
 * step and argument. Every `path` is absolute: the caller decides how to
 * show it.
 */
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';

export type SpecialKind = 'named pipe' | 'socket' | 'device' | 'unknown file type';

export type HashFailure =
  /** Nothing at the path (or a parent is not a folder). */
  | { readonly reason: 'missing'; readonly path: string }
  /** A symbolic link whose target does not exist or that resolves in a cycle (a -> b -> a). */
  | { readonly reason: 'broken-link'; readonly path: string; readonly target: string }
  | { readonly reason: 'permission'; readonly path: string }
  /** The content, size or identity changed between the stat and the end of the read, or an entry vanished. */
  | { readonly reason: 'changed'; readonly path: string }
  /** A folder where a file was declared. */
  | { readonly reason: 'is-folder'; readonly path: string }
  /** A file (or a special file) where a folder was declared. */
  | { readonly reason: 'not-folder'; readonly path: string }
  /** Reading it would block or means nothing (FIFO, socket, device). */
  | { readonly reason: 'special'; readonly path: string; readonly kind: SpecialKind }
  | { readonly reason: 'io'; readonly path: string; readonly message: string };

/**
 * A HashFailure in flight. The hasher's inner loops throw it so that they
 * stay free of Result plumbing; the public entry points (`FileHasher.hashFile`,
 * `hashDir`) catch it and return the failure as a value. Code that only needs
 * a digest or nothing (code closures, stored outputs) may call the throwing
 * variants and catch.
 */
export class HashError extends Error {
  constructor(readonly failure: HashFailure) {
    super(describeFailure(failure));
  }
}

/** Runs hashing code that throws HashError, returning its failure as a value (other errors are bugs: rethrown). */
export function catchHashError<T>(f: () => T): Result<T, HashFailure> {
  try {
    return ok(f());
  } catch (e) {
    if (e instanceof HashError) return fail(e.failure);
    throw e;
  }
}

/** The failure an errno error means at `path`. */
export function failureFromErrno(e: unknown, path: string): HashFailure {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { reason: 'missing', path };
    case 'EACCES':
    case 'EPERM':
      return { reason: 'permission', path };
    default:
      return { reason: 'io', path, message: err.message ?? String(e) };
  }
}

function describeFailure(f: HashFailure): string {
  switch (f.reason) {
    case 'missing':
      return `${f.path} does not exist`;
    case 'broken-link':
      return `${f.path} is a broken symbolic link (to ${f.target})`;
    case 'permission':
      return `permission denied on ${f.path}`;
    case 'changed':
      return `${f.path} changed while it was being hashed`;
    case 'is-folder':
      return `${f.path} is a folder`;
    case 'not-folder':
      return `${f.path} is not a folder`;
    case 'special':
      return `${f.path} is a ${f.kind}, not a regular file`;
    case 'io':
      return `${f.path} could not be read: ${f.message}`;
  }
}

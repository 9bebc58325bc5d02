/**
 * The stat of a path the hasher was asked about, and what its absence or
 * its kind means: a broken link is told apart from a missing path (and
 * names its target), and special files are named by kind, so that messages
 * say what the user sees with `ls -l`.
 */
import * as fs from 'node:fs';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';
import type { ContentIo } from './content';
import type { HashFailure, SpecialKind } from './hash-failure';
import { failureFromErrno } from './hash-failure';

export function specialKind(st: fs.BigIntStats): SpecialKind {
  if (st.isFIFO()) return 'named pipe';
  if (st.isSocket()) return 'socket';
  if (st.isBlockDevice() || st.isCharacterDevice()) return 'device';
  return 'unknown file type';
}

/** Why `abs` cannot be stat'ed: a broken link is named as such, with its target. */
export function statFailure(e: unknown, abs: string): HashFailure {
  const failure = failureFromErrno(e, abs);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ELOOP') {
    try {
      if (fs.lstatSync(abs).isSymbolicLink()) return { reason: 'broken-link', path: abs, target: fs.readlinkSync(abs) };
    } catch {
      // not there at all: missing
    }
  }
  return failure;
}

/** The stat of an argument's own path (links followed), or why it has none. */
export function statArgument(abs: string, io: ContentIo): Result<fs.BigIntStats, HashFailure> {
  try {
    return ok(io.stat(abs));
  } catch (e) {
    return fail(statFailure(e, abs));
  }
}

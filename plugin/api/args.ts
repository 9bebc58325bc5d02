/**
 * `file(...)` and `dir(...)`: a step's data inputs, identified by content.
 *
 * Relative paths are resolved against the folder of the pipeline file, like an
 * import. A path outside the workspace must say so with `external: true`
 * (absolute paths are external by definition), so that a stray `..` is
 * caught rather than silently reading another checkout's data.
 */

/** Brand shared by every copy of this module, even when loaded twice. */
export const ARG_KIND = Symbol.for('nx-steps.arg');

export interface FileOptions {
  /** The path may be outside the workspace (default false; absolute paths always may). */
  readonly external?: boolean;
}

export interface DirOptions extends FileOptions {
  /** Globs, relative to the folder, of files to include (default: every file). */
  readonly include?: readonly string[];
  /** Globs, relative to the folder, of files to leave out; applied after `include`. */
  readonly exclude?: readonly string[];
}

export interface FileArg {
  readonly [ARG_KIND]: 'file';
  readonly path: string;
  readonly options: FileOptions;
}

export interface DirArg {
  readonly [ARG_KIND]: 'dir';
  readonly path: string;
  readonly options: DirOptions;
}

/** A file argument: the step receives its absolute path; its content is part of the key. */
export function file(path: string, options: FileOptions = {}): FileArg {
  return { [ARG_KIND]: 'file', path, options };
}

/** A folder argument: the step receives its absolute path; its files' names and contents are part of the key. */
export function dir(path: string, options: DirOptions = {}): DirArg {
  return { [ARG_KIND]: 'dir', path, options };
}

/** Brand of `range(...)`: a list of numbers a fan-out step runs once for each of. */
export const RANGE_KIND = Symbol.for('nx-steps.range');

export interface RangeArg {
  readonly [RANGE_KIND]: true;
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

/**
 * The integers from `start` up to, but not including, `end` (as Python's and
 * lodash's `range`), `step` apart: `each: { scenario: range(1, 501) }` runs
 * a step once for each of 1..500. Read statically: the arguments must be
 * literal integers (or top-level consts).
 */
export function range(start: number, end: number, step = 1): RangeArg {
  return { [RANGE_KIND]: true, start, end, step };
}

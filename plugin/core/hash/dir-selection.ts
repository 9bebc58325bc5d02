/**
 * Which files of a `dir(path, { include, exclude })` argument count. The
 * contract (docs/hashing.md has the table, dir-hasher.test.ts checks it):
 *
 * - Patterns are picomatch 4 globs over POSIX paths relative to the folder,
 *   matched by picomatch/posix (no detection of the operating system: the
 *   paths matched are always POSIX). A backslash escapes the next character.
 *   Wildcards match dotfiles (`*` matches `.env`); matching is
 *   case-sensitive on every platform, so a manifest does not depend on
 *   the machine or file system it was made on.
 * - `include` selects files (default: every file). It is matched against
 *   file paths only: take a whole folder with `raw/**`.
 * - `exclude` removes files, and a pattern that matches a folder removes the
 *   folder with everything under it, without reading it (`raw`, `raw/**`
 *   and `**\/node_modules` all prune). Exclude always wins, whatever the
 *   order of the lists or of the patterns in them.
 * - A pattern that starts with `!` means "leave out" in either list, as in
 *   Nx inputs and glob tools: `include: ['*.csv', '!secret.csv']` selects
 *   the CSV files but `secret.csv`.
 * - nx-steps' own state folders (`.nx-steps`, which hold step outputs and
 *   caches) never count: a `dir('.')` argument would otherwise change every
 *   time its own step ran.
 */
import type Picomatch from 'picomatch/posix';
import { STATE_DIR } from '../util/disk-cache';

export interface DirSelection {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

type Matcher = (rel: string) => boolean;

function normalize(pattern: string): string {
  return pattern.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

function matcher(patterns: readonly string[]): Matcher | undefined {
  if (patterns.length === 0) return undefined;
  // Loaded on first use: every process that fingerprints steps loads this
  // module, and most folder arguments have no patterns.
  const picomatch = require('picomatch/posix') as typeof Picomatch;
  return picomatch([...patterns], { dot: true });
}

/**
 * A selection's patterns as Nx-style positive and negative globs, normalised
 * (no leading `./`, no trailing `/`): `!pattern` leaves files out in either
 * list. The hasher and the targets' Nx inputs both read patterns through this.
 */
export function splitPatterns(sel: DirSelection): { include: string[]; exclude: string[] } {
  const include: string[] = [];
  const excludedByInclude: string[] = [];
  for (const p of sel.include) (p.startsWith('!') ? excludedByInclude : include).push(normalize(p.replace(/^!/, '')));
  return { include, exclude: [...sel.exclude.map((p) => normalize(p.replace(/^!/, ''))), ...excludedByInclude] };
}

export class Selection {
  private readonly include: Matcher | undefined;
  private readonly exclude: Matcher | undefined;

  constructor(sel: DirSelection) {
    const { include, exclude } = splitPatterns(sel);
    this.include = matcher(include);
    this.exclude = matcher(exclude);
  }

  /** Whether nothing under this entry (file or folder) counts: it is not even read. */
  prunes(name: string, rel: string): boolean {
    return name === STATE_DIR || (this.exclude !== undefined && this.exclude(rel));
  }

  /** Whether a file (or something that would be read as one) at `rel` counts, given it is not pruned. */
  selects(rel: string): boolean {
    return this.include === undefined || this.include(rel);
  }
}

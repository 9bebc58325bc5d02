/**
 * Which files of a `dir(...)` argument changed between two runs: the
 * manifests stored under the two folder digests (hash/dir-listings.ts),
 * compared path by path.
 */
import type { ArgPart } from '../fingerprint/fingerprint';
import type { ManifestEntry } from '../hash/dir-hasher';
import type { DirListings } from '../hash/dir-listings';
import type { KeyChange } from './fingerprint-diff';

export interface DirFileChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly modified: readonly string[];
}

/** Paths inside the folder, each with what it holds (a file's digest, or the ancestor a looping link points to). */
function byPath(entries: readonly ManifestEntry[]): Map<string, string> {
  return new Map(entries.map((e) => [e.rel, 'digest' in e ? e.digest : `loop:${e.loopTo}`]));
}

export function diffListings(before: readonly ManifestEntry[], after: readonly ManifestEntry[]): DirFileChanges {
  const b = byPath(before);
  const a = byPath(after);
  const sorted = (xs: string[]) => xs.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return {
    added: sorted([...a.keys()].filter((p) => !b.has(p))),
    removed: sorted([...b.keys()].filter((p) => !a.has(p))),
    modified: sorted([...a.keys()].filter((p) => b.has(p) && b.get(p) !== a.get(p))),
  };
}

/** Names shown per kind of change before "and N more". */
const SHOWN = 3;
/** Paths kept per kind in `--json`. */
const LISTED = 100;

function phrase(kind: string, paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const shown = paths.slice(0, SHOWN).join(', ');
  return `${paths.length} ${kind} (${shown}${paths.length > SHOWN ? ` and ${paths.length - SHOWN} more` : ''})`;
}

/** A sentence for a person: "1 added (d.csv), 2 modified (a.csv, b.csv)". */
export function describeFileChanges(c: DirFileChanges): string {
  return [phrase('added', c.added), phrase('removed', c.removed), phrase('modified', c.modified)].filter(Boolean).join(', ');
}

export type DirKeyChange = KeyChange & {
  readonly files?: DirFileChanges & { readonly counts: { readonly added: number; readonly removed: number; readonly modified: number } };
};

/**
 * The change of a dir argument's content, with the files that changed when
 * both manifests are at hand; otherwise it says why they cannot be named.
 */
export function withDirFiles(change: KeyChange, before: ArgPart | undefined, after: ArgPart | undefined, listings: DirListings | undefined): DirKeyChange {
  if (change.part !== 'args' || change.kind !== 'changed' || before?.kind !== 'dir' || after?.kind !== 'dir' || before.path !== after.path) return change;
  const counts = before.files !== undefined && after.files !== undefined && before.files !== after.files ? ` (${before.files} → ${after.files} files)` : '';
  const head = `argument ${change.name ?? ''}: content of ${after.path} changed${counts}`;
  const old = listings?.load(before.digest);
  const now = listings?.load(after.digest);
  if (!old || !now) {
    return {
      ...change,
      message: `${head}; which files changed is not known: the listing of ${old ? 'its new' : 'its earlier'} content is not in .nx-steps/cache (deleted, or too large to keep)`,
    };
  }
  const files = diffListings(old, now);
  const named = describeFileChanges(files);
  if (!named) return { ...change, message: `${head} (the same files with the same contents: the folder digest's encoding changed with an nx-steps update)` };
  const cap = (xs: readonly string[]) => xs.slice(0, LISTED);
  return {
    ...change,
    message: `${head}: ${named}`,
    files: {
      added: cap(files.added),
      removed: cap(files.removed),
      modified: cap(files.modified),
      counts: { added: files.added.length, removed: files.removed.length, modified: files.modified.length },
    },
  };
}

/**
 * The one folder walker: a `dir(...)` argument's manifest (dir-hasher.ts)
 * and a fan-out's items (discovery/list-files.ts) are both this walk, so
 * the files a step is keyed on and the files it fans out over never
 * disagree. The contract (docs/hashing.md has the table, dir-walk.test.ts
 * and dir-hasher.test.ts check it):
 *
 * - Order: depth first, the entries of each folder in code-unit order of
 *   their names; paths are POSIX and relative to the walked folder. The
 *   order depends on nothing but the names (not on the order the file
 *   system lists them in).
 * - Selection (dir-selection.ts): an entry an exclude pattern matches (or a
 *   `.nx-steps` folder) is pruned before it is even stat'ed; a file is
 *   reported only when include selects it. Dotfiles and dot folders are
 *   entries like any other.
 * - Folders are walked; an empty one reports nothing.
 * - Symbolic links are followed, wherever they point (inside the folder or
 *   out of it), and reported under the link's own path: a step that reads
 *   the folder reads the target.
 * - A link to a folder being walked (one of its own ancestors, found by
 *   device and inode, so a bind mount or a second path to it counts too) is
 *   not followed: it is reported as a loop to that ancestor ('.' is the
 *   root), so the walk ends and retargeting the link is seen.
 * - An entry that cannot be read as a file (a broken link: missing target,
 *   or a link cycle a -> b -> a; a FIFO, socket or device) is reported as
 *   unreadable, with why, when it is selected, and skipped otherwise: the
 *   caller decides (dir() fails on it, a fan-out makes it an item that
 *   fails with the same reason when it runs).
 * - An entry whose type the file system does not report (DT_UNKNOWN) is
 *   stat'ed and treated as what it is.
 * - Anything else that fails (a folder that cannot be read, an entry that
 *   vanishes between the listing and its stat) throws HashError.
 */
import * as fs from 'node:fs';
import { compareCodePoints } from './canonical';
import type { Selection } from './dir-selection';
import type { HashFailure } from './hash-failure';
import { failureFromErrno, HashError } from './hash-failure';
import { specialKind, statFailure } from './path-stat';
import { EntryType } from './memo-record';
import { inodeId } from './stat-key';

/** A folder's entries in code-unit order of their names, with each entry's type as its dirent said. */
export interface Listing {
  readonly names: readonly string[];
  readonly types: Uint8Array;
}

/**
 * How the walk reads the file system. `F` is what the caller keeps per
 * folder (the hasher: the folder's stat memo), handed back with each file.
 */
export interface FolderSource<F> {
  /** The folder `abs` (stat `st`): its listing, and the caller's state for it. Throws HashError. */
  open(abs: string, st: fs.BigIntStats): { readonly listing: Listing; readonly folder: F };
  /** Stat, links followed; throws the file system's error. */
  stat(abs: string): fs.BigIntStats;
}

export interface WalkVisitor<F> {
  /** A selected regular file (or a link to one), in walk order. */
  file(rel: string, abs: string, st: fs.BigIntStats, folder: F, name: string): void;
  /** A link back to the folder `ancestor`, reported when selected. */
  loop(rel: string, ancestor: string): void;
  /** A selected entry that cannot be read as a file ('broken-link' or 'special'). */
  unreadable(rel: string, failure: HashFailure): void;
}

function direntType(d: fs.Dirent): EntryType {
  if (d.isFile()) return EntryType.file;
  if (d.isDirectory()) return EntryType.dir;
  if (d.isSymbolicLink()) return EntryType.link;
  return EntryType.other; // special files, and file systems that do not report types
}

/** Reads a folder's listing from disk. Throws HashError (a folder that vanished since its stat changed under us). */
export function readListing(abs: string): Listing {
  let dirents: fs.Dirent[];
  try {
    dirents = fs.readdirSync(abs, { withFileTypes: true });
  } catch (e) {
    const f = failureFromErrno(e, abs);
    throw new HashError(f.reason === 'missing' ? { reason: 'changed', path: abs } : f);
  }
  dirents.sort((a, b) => compareCodePoints(a.name, b.name));
  return { names: dirents.map((d) => d.name), types: Uint8Array.from(dirents, direntType) };
}

/** Folders as they are on disk, nothing kept per folder (a fan-out's listing). */
export const diskFolders: FolderSource<undefined> = {
  open: (abs) => ({ listing: readListing(abs), folder: undefined }),
  stat: (abs) => fs.statSync(abs, { bigint: true }),
};

type Resolved = { readonly type: EntryType; readonly st: fs.BigIntStats | undefined } | { readonly unreadable: HashFailure };

class Walk<F> {
  /** Folders on the current path, by inode id → their relative path: a link to one of them is a loop. */
  private readonly ancestors = new Map<string, string>();

  constructor(
    private readonly selection: Selection,
    private readonly source: FolderSource<F>,
    private readonly visitor: WalkVisitor<F>,
  ) {}

  private stat(abs: string, viaLink: boolean): fs.BigIntStats {
    try {
      return this.source.stat(abs);
    } catch (e) {
      const f = statFailure(e, abs);
      // Listed a moment ago: a plain entry that is gone now changed under us.
      throw new HashError(!viaLink && f.reason === 'missing' ? { reason: 'changed', path: abs } : f);
    }
  }

  /** What a link or an untyped entry is, once followed; a broken link is unreadable, not an error. */
  private resolve(abs: string, type: EntryType): Resolved {
    if (type !== EntryType.link && type !== EntryType.other) return { type, st: undefined };
    let st: fs.BigIntStats;
    try {
      st = this.stat(abs, type === EntryType.link);
    } catch (e) {
      if (e instanceof HashError && e.failure.reason === 'broken-link') return { unreadable: e.failure };
      throw e;
    }
    const followed = st.isDirectory() ? EntryType.dir : st.isFile() ? EntryType.file : EntryType.other;
    if (followed === EntryType.other) return { unreadable: { reason: 'special', path: abs, kind: specialKind(st) } };
    return { type: followed, st };
  }

  private entry(abs: string, rel: string, name: string, type: EntryType, folder: F): void {
    const resolved = this.resolve(abs, type);
    if ('unreadable' in resolved) {
      if (this.selection.selects(rel)) this.visitor.unreadable(rel, resolved.unreadable);
      return;
    }
    if (resolved.type === EntryType.dir) {
      const st = resolved.st ?? this.stat(abs, false);
      const loopTo = this.ancestors.get(inodeId(st));
      if (loopTo === undefined) this.visit(abs, rel, st);
      else if (this.selection.selects(rel)) this.visitor.loop(rel, loopTo);
    } else if (this.selection.selects(rel)) {
      const st = resolved.st ?? this.stat(abs, false);
      if (!st.isFile()) throw new HashError({ reason: 'changed', path: abs });
      this.visitor.file(rel, abs, st, folder, name);
    }
  }

  visit(abs: string, rel: string, st: fs.BigIntStats): void {
    const id = inodeId(st);
    this.ancestors.set(id, rel === '' ? '.' : rel);
    const { listing, folder } = this.source.open(abs, st);
    for (let i = 0; i < listing.names.length; i++) {
      const name = listing.names[i] ?? '';
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (this.selection.prunes(name, childRel)) continue;
      this.entry(`${abs}/${name}`, childRel, name, (listing.types[i] ?? EntryType.other) as EntryType, folder);
    }
    this.ancestors.delete(id);
  }
}

/** Walks the folder `abs` (whose stat is `st`), reporting what `selection` selects to `visitor` in walk order. Throws HashError. */
export function walkFolder<F>(abs: string, st: fs.BigIntStats, selection: Selection, source: FolderSource<F>, visitor: WalkVisitor<F>): void {
  new Walk(selection, source, visitor).visit(abs, '', st);
}

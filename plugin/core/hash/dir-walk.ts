/**
 * Walks a folder argument and hashes the files it selects, in manifest
 * order: depth first, entries of each folder in code-unit order of their
 * names. The order depends on nothing but the names (not on the order the
 * file system lists them in), so it is the manifest's canonical order.
 * Entries go to a sink as they are found: a 100,000-file manifest is
 * hashed on the way instead of being held.
 *
 * What it does with each kind of entry (docs/hashing.md has the table):
 * - regular file: hashed (through the stat memo) when selected;
 * - folder: walked, unless an exclude pattern prunes it; an empty folder
 *   adds nothing;
 * - symbolic link: followed, wherever it points (inside the folder or out
 *   of it): a step that reads the folder reads the link's target, so the
 *   target's content is what counts, under the link's own path;
 * - a link to a folder that is already being walked (one of its own
 *   ancestors): not followed, but recorded as a loop to that ancestor, so
 *   the manifest is finite and retargeting the link changes it;
 * - broken link (missing target, or a link cycle), FIFO, socket, device:
 *   an error when selected (reading it would fail or block), ignored when
 *   excluded.
 *
 * Failures are thrown as HashError; dir-hasher.ts returns them as values.
 */
import * as fs from 'node:fs';
import { compareCodePoints } from './canonical';
import type { Selection } from './dir-selection';
import type { FileHasher } from './file-hasher';
import { specialKind, statFailure } from './path-stat';
import { HashError, failureFromErrno } from './hash-failure';
import { EntryType } from './memo-record';
import type { FolderMemo } from './stat-memo';
import { dirKey, inodeId, isSettled } from './stat-key';

/** Receives the manifest's entries in canonical order, as the walk finds them. */
export interface ManifestSink {
  file(rel: string, digest: string): void;
  /** A link back to an ancestor folder ('.' is the argument's root). */
  loop(rel: string, ancestor: string): void;
}

function direntType(d: fs.Dirent): EntryType {
  if (d.isFile()) return EntryType.file;
  if (d.isDirectory()) return EntryType.dir;
  if (d.isSymbolicLink()) return EntryType.link;
  return EntryType.other; // special files, and file systems that do not report types
}

interface Listing {
  readonly names: readonly string[];
  readonly types: Uint8Array;
}

class Walk {
  /** Folders on the current path, by inode id → their relative path: a link to one of them is a loop. */
  private readonly ancestors = new Map<string, string>();

  constructor(
    private readonly selection: Selection,
    private readonly hasher: FileHasher,
    private readonly sink: ManifestSink,
  ) {}

  /** The folder's entries in code-unit order of their names, from the memo when the folder did not change. */
  private list(abs: string, st: fs.BigIntStats, memo: FolderMemo): Listing {
    const key = dirKey(st);
    const known = memo.listing(key);
    if (known) return known;
    const started = this.hasher.now();
    let dirents: fs.Dirent[];
    try {
      dirents = fs.readdirSync(abs, { withFileTypes: true });
    } catch (e) {
      const f = failureFromErrno(e, abs);
      // It was a folder a moment ago: gone or replaced means it changed under us.
      throw new HashError(f.reason === 'missing' ? { reason: 'changed', path: abs } : f);
    }
    dirents.sort((a, b) => compareCodePoints(a.name, b.name));
    const listing = { names: dirents.map((d) => d.name), types: Uint8Array.from(dirents, direntType) };
    if (isSettled(st, started)) memo.setListing(key, listing.names, listing.types);
    return listing;
  }

  private stat(abs: string, viaLink: boolean): fs.BigIntStats {
    try {
      return this.hasher.io.stat(abs);
    } catch (e) {
      const f = statFailure(e, abs);
      // Listed a moment ago: a plain entry that is gone now changed under us.
      throw new HashError(!viaLink && f.reason === 'missing' ? { reason: 'changed', path: abs } : f);
    }
  }

  visit(abs: string, rel: string, st: fs.BigIntStats): void {
    const id = inodeId(st);
    this.ancestors.set(id, rel === '' ? '.' : rel);
    const memo = this.hasher.folder(abs);
    const { names, types } = this.list(abs, st, memo);
    for (let i = 0; i < names.length; i++) {
      const name = names[i] ?? '';
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (this.selection.prunes(name, childRel)) continue;
      const childAbs = `${abs}/${name}`;
      let type = (types[i] ?? EntryType.other) as EntryType;
      let childSt: fs.BigIntStats | undefined;
      if (type === EntryType.link || type === EntryType.other) {
        try {
          childSt = this.stat(childAbs, type === EntryType.link);
        } catch (e) {
          // A broken link that is not selected is never read: ignore it.
          if (e instanceof HashError && e.failure.reason === 'broken-link' && !this.selection.selects(childRel)) continue;
          throw e;
        }
        type = childSt.isDirectory() ? EntryType.dir : childSt.isFile() ? EntryType.file : EntryType.other;
      }
      if (type === EntryType.dir) {
        childSt ??= this.stat(childAbs, false);
        const loopTo = this.ancestors.get(inodeId(childSt));
        if (loopTo !== undefined) {
          if (this.selection.selects(childRel)) this.sink.loop(childRel, loopTo);
        } else {
          this.visit(childAbs, childRel, childSt);
        }
      } else if (this.selection.selects(childRel)) {
        childSt ??= this.stat(childAbs, false);
        if (type === EntryType.other) throw new HashError({ reason: 'special', path: childAbs, kind: specialKind(childSt) });
        if (!childSt.isFile()) throw new HashError({ reason: 'changed', path: childAbs });
        this.sink.file(childRel, this.hasher.digestIn(memo, name, childAbs, childSt));
      }
    }
    this.ancestors.delete(id);
  }
}

/**
 * Hashes the selected files of the folder `abs` (whose stat is `st`) and
 * hands them to `sink` in manifest order. Throws HashError.
 */
export function walkFolder(abs: string, st: fs.BigIntStats, selection: Selection, hasher: FileHasher, sink: ManifestSink): void {
  new Walk(selection, hasher, sink).visit(abs, '', st);
}

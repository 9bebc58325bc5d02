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
import { fail, ok } from '../util/result';
import type { DirSelection } from './dir-selection';
import { Selection } from './dir-selection';
import type * as fs from 'node:fs';
import type { FolderSource, Listing } from './dir-walk';
import { readListing, walkFolder } from './dir-walk';
import type { FileHasher } from './file-hasher';
import type { HashFailure } from './hash-failure';
import { catchHashError, HashError } from './hash-failure';
import { statArgument } from './path-stat';
import type { FolderMemo } from './stat-memo';
import { dirKey, isSettled } from './stat-key';
import type { DirListings } from './dir-listings';
import { MAX_FILES } from './dir-listings';
import { createHasher } from '../util/xxhash';

export type { DirSelection } from './dir-selection';

export interface DirDigest {
  readonly digest: string;
  /** Files in the manifest (loops not counted). */
  readonly files: number;
}

export type ManifestEntry = { readonly rel: string; readonly digest: string } | { readonly rel: string; readonly loopTo: string };

/** Bumped when the manifest's encoding or the selection rules change: every folder digest changes with it. */
const MANIFEST_VERSION = 'nx-steps-dir-v2';
const BLOCK_BYTES = 64 * 1024;

/** Receives the manifest's entries in canonical order, as the walk finds them. */
interface ManifestSink {
  file(rel: string, digest: string): void;
  /** A link back to an ancestor folder ('.' is the argument's root). */
  loop(rel: string, ancestor: string): void;
}

/**
 * Hashes the manifest as the walk produces it, in 64 KiB blocks (memory
 * stays flat whatever the folder's size). Each entry is framed by the
 * length of its path, and a file's digest has a fixed length, so no two
 * manifests share an encoding: `F<len>:<path><digest>` for a file,
 * `L<len>:<path><len>:<ancestor>` for a link back to an ancestor folder.
 */
class ManifestDigest implements ManifestSink {
  files = 0;
  private readonly hasher = createHasher();
  private readonly block = Buffer.allocUnsafe(BLOCK_BYTES);
  private used = 0;

  constructor() {
    this.put(`${MANIFEST_VERSION}\n`);
  }

  private put(text: string): void {
    const most = text.length * 3; // utf8 bytes of a UTF-16 string, at most
    if (this.used + most > BLOCK_BYTES) this.flush();
    if (most > BLOCK_BYTES) this.hasher.update(text);
    else this.used += this.block.write(text, this.used);
  }

  private flush(): void {
    this.hasher.update(this.block.subarray(0, this.used));
    this.used = 0;
  }

  file(rel: string, digest: string): void {
    this.files += 1;
    this.put(`F${rel.length}:${rel}${digest}`);
  }

  loop(rel: string, ancestor: string): void {
    this.put(`L${rel.length}:${rel}${ancestor.length}:${ancestor}`);
  }

  digest(): DirDigest {
    this.flush();
    return { digest: this.hasher.digest(), files: this.files };
  }
}

/** A folder's listing from the stat memo when the folder did not change (its key is the same), else from disk. */
function memoListing(hasher: FileHasher, abs: string, st: fs.BigIntStats, memo: FolderMemo): Listing {
  const key = dirKey(st);
  const known = memo.listing(key);
  if (known) return known;
  const started = hasher.now();
  const listing = readListing(abs);
  if (isSettled(st, started)) memo.setListing(key, listing.names, listing.types);
  return listing;
}

/** Folders as the hasher sees them: each with its stat memo, stats through the hasher's io. */
function memoFolders(hasher: FileHasher): FolderSource<FolderMemo> {
  return {
    open: (abs, st) => {
      const memo = hasher.folder(abs);
      return { listing: memoListing(hasher, abs, st, memo), folder: memo };
    },
    stat: (abs) => hasher.io.stat(abs),
  };
}

/** Checks the argument's own path, then walks it into `sink`: files are hashed through the memo, an unreadable entry fails. */
function walkArgument(dir: string, sel: DirSelection, hasher: FileHasher, sink: ManifestSink): Result<void, HashFailure> {
  const abs = path.resolve(dir);
  const stat = statArgument(abs, hasher.io);
  if (!stat.ok) return stat;
  if (!stat.value.isDirectory()) return fail({ reason: 'not-folder', path: abs });
  return catchHashError(() =>
    walkFolder(abs, stat.value, new Selection(sel), memoFolders(hasher), {
      file: (rel, fileAbs, st, memo, name) => sink.file(rel, hasher.digestIn(memo, name, fileAbs, st)),
      loop: (rel, ancestor) => sink.loop(rel, ancestor),
      unreadable: (_rel, failure) => {
        throw new HashError(failure);
      },
    }),
  );
}

export function hashDir(dir: string, sel: DirSelection, hasher: FileHasher): Result<DirDigest, HashFailure> {
  const manifest = new ManifestDigest();
  const walked = walkArgument(dir, sel, hasher, manifest);
  if (!walked.ok) return walked;
  const digest = manifest.digest();
  if (hasher.listings && !hasher.listings.has(digest.digest)) rememberListing(dir, sel, hasher, hasher.listings, digest.digest);
  return ok(digest);
}

/**
 * Keeps the manifest of a folder content seen for the first time (for
 * `nx-steps why`). A second walk, so that hashing an unchanged folder costs
 * nothing more; the files were just hashed, so it only stats them. Kept only
 * if it hashes to the same digest: a folder that changed in between is not
 * stored under the digest of another content.
 */
function rememberListing(dir: string, sel: DirSelection, hasher: FileHasher, listings: DirListings, digest: string): void {
  const again = new ManifestDigest();
  const entries: ManifestEntry[] = [];
  const walked = walkArgument(dir, sel, hasher, {
    file: (rel, d) => {
      again.file(rel, d);
      if (entries.length <= MAX_FILES) entries.push({ rel, digest: d });
    },
    loop: (rel, loopTo) => {
      again.loop(rel, loopTo);
      if (entries.length <= MAX_FILES) entries.push({ rel, loopTo });
    },
  });
  if (walked.ok && again.digest().digest === digest) listings.save(digest, entries);
}

/** The manifest itself, entry by entry: what a folder argument's digest covers (for tests and for explaining a miss). */
export function listManifest(dir: string, sel: DirSelection, hasher: FileHasher): Result<ManifestEntry[], HashFailure> {
  const entries: ManifestEntry[] = [];
  const walked = walkArgument(dir, sel, hasher, {
    file: (rel, digest) => entries.push({ rel, digest }),
    loop: (rel, loopTo) => entries.push({ rel, loopTo }),
  });
  return walked.ok ? ok(entries) : walked;
}

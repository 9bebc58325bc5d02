/**
 * Content digests of files, at the speed of the disk, and only once.
 *
 * - The digest is the content alone (XXH3-128, streamed: content.ts): the
 *   same bytes at another path are the same input.
 * - A persistent stat memo (stat-memo.ts) skips reading files whose stat
 *   key (dev, ino, size, mtime ns, ctime ns) is unchanged.
 * - Racy edits: a digest is only remembered when the file's timestamps were
 *   settled before hashing started (stat-key.ts `isSettled`, with the
 *   write-back window of `contentSettleNs`), so neither an edit in the same
 *   timestamp tick nor a write through a memory map can hide behind an
 *   equal key.
 *
 * One instance per process (`createServices`); `save()` writes the memo.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Result } from '../util/result';
import { fail } from '../util/result';
import type { ContentIo } from './content';
import { nodeIo, readDigest } from './content';
import type { HashFailure } from './hash-failure';
import { HashError, catchHashError } from './hash-failure';
import { specialKind, statArgument } from './path-stat';
import type { FolderMemo } from './stat-memo';
import { StatMemo } from './stat-memo';
import { contentSettleNs, fileKey, isSettled, wallClockNs } from './stat-key';
import type { DirListings } from './dir-listings';

export interface HashStats {
  /** Files whose content was read. */
  hashed: number;
  /** Files whose digest came from the memo. */
  memoHits: number;
  bytesRead: number;
}

export interface FileHasherOptions {
  /** Wall-clock time in ns (tests move it to either side of the racy window). */
  readonly clock?: () => bigint;
  /** System calls (tests wrap them). */
  readonly io?: ContentIo;
  /** Where folder manifests are kept for `nx-steps why` (dir-listings.ts); none when absent. */
  readonly listings?: DirListings;
}

/** Digest of a file's bytes with no memo; throws HashError. For callers that hash their own outputs. */
export function hashFileContent(file: string): string {
  return readDigest(file, undefined);
}

export class FileHasher {
  readonly stats: HashStats = { hashed: 0, memoHits: 0, bytesRead: 0 };
  readonly io: ContentIo;
  readonly listings: DirListings | undefined;
  private readonly memo: StatMemo;
  private readonly clock: () => bigint;

  /** @param memoDir the folder the memo persists in; undefined keeps it in memory only. */
  constructor(memoDir: string | undefined, options: FileHasherOptions = {}) {
    this.memo = new StatMemo(memoDir);
    this.clock = options.clock ?? wallClockNs;
    this.io = options.io ?? nodeIo;
    this.listings = options.listings;
  }

  now(): bigint {
    return this.clock();
  }

  /** The memo record of an absolute folder path (for the folder walker). */
  folder(dir: string): FolderMemo {
    return this.memo.folder(dir);
  }

  /**
   * Digest of the regular file `name` in `folder`, whose stat is `st`.
   * Throws HashError.
   */
  digestIn(folder: FolderMemo, name: string, abs: string, st: fs.BigIntStats): string {
    const key = fileKey(st);
    const known = folder.digest(name, key);
    if (known !== undefined) {
      this.stats.memoHits += 1;
      return known;
    }
    const started = this.clock();
    const digest = readDigest(abs, st, this.io);
    this.stats.hashed += 1;
    this.stats.bytesRead += Number(st.size);
    if (isSettled(st, started, contentSettleNs())) folder.remember(name, key, digest);
    return digest;
  }

  /** Digest of a file argument: a regular file, or why not. Symbolic links are followed. */
  hashFile(file: string): Result<string, HashFailure> {
    const abs = path.resolve(file);
    const stat = statArgument(abs, this.io);
    if (!stat.ok) return stat;
    const st = stat.value;
    if (st.isDirectory()) return fail({ reason: 'is-folder', path: abs });
    if (!st.isFile()) return fail({ reason: 'special', path: abs, kind: specialKind(st) });
    return catchHashError(() => this.digestIn(this.folder(path.dirname(abs)), path.basename(abs), abs, st));
  }

  /** Digest of a file, or a thrown HashError (for callers that treat any failure alike). */
  digest(file: string): string {
    const r = this.hashFile(file);
    if (!r.ok) throw new HashError(r.error);
    return r.value;
  }

  save(): void {
    this.memo.save();
  }
}

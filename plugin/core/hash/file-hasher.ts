/**
 * Content digests of files, at the speed of the disk, and only once.
 *
 * - Streaming XXH3-128 in 1 MiB reads: memory stays flat whatever the size.
 * - A persistent stat memo keyed by (device, inode, size, mtime ns, ctime ns)
 *   skips reading files that did not change.
 * - Racy timestamps (git's "racily clean" problem): a file modified in the
 *   same timestamp tick as it was hashed would keep its stat and fool the
 *   memo. So an entry is only trusted when the file's mtime and ctime are
 *   older than the moment hashing started by more than RACY_WINDOW_NS;
 *   otherwise the file is hashed again (and the entry refreshed), until its
 *   timestamps are safely in the past.
 * - A file that changes while it is read (size or mtime differ before and
 *   after) is an error, not a digest of a mix of two versions.
 */
import * as fs from 'node:fs';
import { createHasher } from './xxhash';
import { readJsonIfExists, writeFileAtomic } from '../util/fs-atomic';

const CHUNK = 1024 * 1024;
/** Coarsest timestamp granularity we guard against (FAT: 2 s; ext4/APFS: ns). */
export const RACY_WINDOW_NS = 2_000_000_000n;

interface MemoEntry {
  /** dev:ino:size:mtimeNs:ctimeNs */
  readonly stat: string;
  readonly digest: string;
  /** When hashing started, ns since epoch. */
  readonly at: string;
}

export class FileChangedWhileHashing extends Error {
  constructor(readonly file: string) {
    super(`${file} changed while it was being hashed`);
  }
}

function statKey(st: fs.BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Hashes a file's bytes by streaming; throws FileChangedWhileHashing if it changed meanwhile. */
export function hashFileContent(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const before = fs.fstatSync(fd, { bigint: true });
    const h = createHasher();
    const buf = Buffer.allocUnsafe(CHUNK);
    let total = 0n;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      h.update(n === CHUNK ? buf : buf.subarray(0, n));
      total += BigInt(n);
    }
    const after = fs.fstatSync(fd, { bigint: true });
    if (total !== before.size || after.size !== before.size || after.mtimeNs !== before.mtimeNs) {
      throw new FileChangedWhileHashing(file);
    }
    return h.digest();
  } finally {
    fs.closeSync(fd);
  }
}

export interface HashStats {
  hashed: number;
  memoHits: number;
  bytesRead: number;
}

/**
 * A file hasher with a stat memo. One instance per process; `save()` writes
 * the memo back (merging is unnecessary: a lost entry only costs a re-read).
 */
export class FileHasher {
  private memo: Map<string, MemoEntry> | undefined;
  private dirty = false;
  readonly stats: HashStats = { hashed: 0, memoHits: 0, bytesRead: 0 };

  /** @param memoFile where the memo persists; undefined keeps it in memory only. */
  constructor(private readonly memoFile: string | undefined) {}

  private load(): Map<string, MemoEntry> {
    if (!this.memo) {
      const raw = this.memoFile ? readJsonIfExists<Record<string, MemoEntry>>(this.memoFile) : undefined;
      this.memo = new Map(raw && typeof raw === 'object' ? Object.entries(raw) : []);
    }
    return this.memo;
  }

  /** Digest of a file's content; `st` may be passed when the caller already has it. */
  digest(file: string, st: fs.BigIntStats = fs.statSync(file, { bigint: true })): string {
    const memo = this.load();
    const key = statKey(st);
    const hit = memo.get(file);
    if (hit && hit.stat === key && BigInt(hit.at) - RACY_WINDOW_NS > (st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs)) {
      this.stats.memoHits += 1;
      return hit.digest;
    }
    const at = nowNs();
    const digest = hashFileContent(file);
    this.stats.hashed += 1;
    this.stats.bytesRead += Number(st.size);
    memo.set(file, { stat: key, digest, at: String(at) });
    this.dirty = true;
    return digest;
  }

  save(): void {
    if (!this.dirty || !this.memoFile || !this.memo) return;
    try {
      writeFileAtomic(this.memoFile, JSON.stringify(Object.fromEntries(this.memo)));
      this.dirty = false;
    } catch {
      // The memo only saves time.
    }
  }
}

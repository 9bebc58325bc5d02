/**
 * What the stat memo compares, and when it may trust a comparison.
 *
 * A file's key is (device, inode, size, mtime ns, ctime ns), 40 bytes. Any
 * write changes mtime and ctime, a replacement by rename changes the inode,
 * and ctime cannot be set back by `utimes` (the kernel sets it to "now" on
 * every metadata change), so an equal key means an unchanged file, except
 * in one case: the racy edit (git's "racily clean" entries). Timestamps
 * have a granularity (a kernel tick on ext4, 2 s on FAT, the server's clock
 * on NFS); a file edited again within the same tick after it was hashed
 * keeps its size and both timestamps. The guard: a digest is only
 * remembered when the file's mtime and ctime are older than the moment
 * hashing started by more than RACY_WINDOW_NS. A file that changed that
 * recently is hashed again on the next look-up, until its timestamps are
 * safely in the past; an edit after that moves them forward, out of the old
 * tick, and the key no longer matches.
 *
 * The same rule applies to a folder's listing (device, inode, mtime, ctime of
 * the folder): an entry created or removed changes the folder's mtime.
 *
 * File contents need a longer window: writes through a shared memory map.
 * The kernel stamps mtime when a clean mapped page is first written, not on
 * every write: later writes to a page that is still dirty change the bytes and
 * leave every timestamp alone, until the page is written back (Linux:
 * `vm.dirty_expire_centisecs` + `vm.dirty_writeback_centisecs`, 35 s by
 * default) and write-protected again, after which the next write stamps mtime
 * once more. A content digest is therefore remembered only when the file's
 * timestamps are older than that write-back delay (read from /proc where there
 * is one), plus a margin: any write after the record then moves mtime.
 */
import * as fsSync from 'node:fs';
import type * as fs from 'node:fs';

/** Coarsest timestamp granularity (and clock skew) we guard against: FAT's 2 s. */
export const RACY_WINDOW_NS = 2_000_000_000n;

export const FILE_KEY_BYTES = 40;
export const DIR_KEY_BYTES = 32;

// Keys are written through 64-bit typed arrays: one native store per field,
// several times cheaper than Buffer.writeBigUInt64LE, which matters at
// 100,000 files. Stores wrap modulo 2^64, so negative times (before 1970) and
// 64-bit device numbers keep all their bits. The byte order is the
// machine's; records never leave the machine that wrote them.
const fileScratch = new BigUint64Array(FILE_KEY_BYTES / 8);
const fileScratchBytes = Buffer.from(fileScratch.buffer);
const dirScratch = new BigUint64Array(DIR_KEY_BYTES / 8);
const dirScratchBytes = Buffer.from(dirScratch.buffer);

/** A file's key. The buffer is reused by the next call: copy it to keep it. */
export function fileKey(st: fs.BigIntStats): Buffer {
  fileScratch[0] = st.dev;
  fileScratch[1] = st.ino;
  fileScratch[2] = st.size;
  fileScratch[3] = st.mtimeNs;
  fileScratch[4] = st.ctimeNs;
  return fileScratchBytes;
}

/**
 * A folder's key: its size is left out, which means nothing across file
 * systems. The buffer is reused by the next call: copy it to keep it.
 */
export function dirKey(st: fs.BigIntStats): Buffer {
  dirScratch[0] = st.dev;
  dirScratch[1] = st.ino;
  dirScratch[2] = st.mtimeNs;
  dirScratch[3] = st.ctimeNs;
  return dirScratchBytes;
}

/** True when a record of `st` taken at `startedNs` can never be fooled by a same-tick edit. */
export function isSettled(st: fs.BigIntStats, startedNs: bigint, windowNs: bigint = RACY_WINDOW_NS): boolean {
  const latest = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
  return latest + windowNs < startedNs;
}

function procCentiseconds(name: string): bigint | undefined {
  try {
    const v = Number(fsSync.readFileSync(`/proc/sys/vm/${name}`, 'utf8').trim());
    return Number.isFinite(v) && v >= 0 ? BigInt(Math.round(v)) * 10_000_000n : undefined;
  } catch {
    return undefined;
  }
}

let contentWindow: bigint | undefined;

/**
 * How long a file's timestamps must have been still before its content
 * digest is remembered: the kernel's write-back delay for dirty mapped pages
 * (see above) plus 5 s, and never less than the racy window. Without /proc,
 * Linux's defaults (30 s + 5 s).
 */
export function contentSettleNs(): bigint {
  if (contentWindow === undefined) {
    const expire = procCentiseconds('dirty_expire_centisecs') ?? 30_000_000_000n;
    const writeback = procCentiseconds('dirty_writeback_centisecs') ?? 5_000_000_000n;
    const window = expire + writeback + 5_000_000_000n;
    contentWindow = window > RACY_WINDOW_NS ? window : RACY_WINDOW_NS;
  }
  return contentWindow;
}

/** Wall-clock now in ns: the clock the file system stamps files with (on a local disk). */
export function wallClockNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** Identity of a folder for loop detection. */
export function inodeId(st: fs.BigIntStats): string {
  return `${st.dev}:${st.ino}`;
}

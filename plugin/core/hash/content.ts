/**
 * A file's content digest, streamed: XXH3-128 over 1 MiB reads into one
 * reused buffer, so memory stays flat whatever the file's size (Nx reads
 * whole files into memory). Files that fit in one read are hashed in one
 * call (same digest, no streaming state to allocate: most files of a large
 * folder are small).
 *
 * A file that changes while it is read is an error, never a digest of a mix
 * of two versions: the file's stat before the read (dev, ino, size, mtime,
 * ctime) must equal its fstat after, and the bytes read must be its size.
 */
import * as fs from 'node:fs';
import { HashError, failureFromErrno } from './hash-failure';
import { createHasher, hashBytes } from '../util/xxhash';

export const CHUNK_BYTES = 1024 * 1024;

/** The system calls the hasher makes; tests wrap them to change a file mid-read or to deny access. */
export interface ContentIo {
  stat(path: string): fs.BigIntStats;
  open(path: string): number;
  fstat(fd: number): fs.BigIntStats;
  read(fd: number, buf: Buffer, length: number, position: number): number;
  close(fd: number): void;
}

export const nodeIo: ContentIo = {
  stat: (p) => fs.statSync(p, { bigint: true }),
  open: (p) => fs.openSync(p, 'r'),
  fstat: (fd) => fs.fstatSync(fd, { bigint: true }),
  read: (fd, buf, length, position) => fs.readSync(fd, buf, 0, length, position),
  close: (fd) => fs.closeSync(fd),
};

// One buffer for the whole process: hashing is synchronous, so it is never shared.
let chunk: Buffer | undefined;

function sameFile(a: fs.BigIntStats, b: fs.BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/**
 * Digest of the regular file at `file`, whose stat the caller took as
 * `before` (without it, the open file's fstat is used). Throws HashError.
 */
export function readDigest(file: string, before: fs.BigIntStats | undefined, io: ContentIo = nodeIo): string {
  let fd: number;
  try {
    fd = io.open(file);
  } catch (e) {
    throw new HashError(failureFromErrno(e, file));
  }
  try {
    const start = before ?? io.fstat(fd);
    const size = start.size;
    const buf = (chunk ??= Buffer.allocUnsafe(CHUNK_BYTES));
    let digest: string;
    let total = 0;
    if (size <= BigInt(CHUNK_BYTES)) {
      const want = Number(size);
      while (total < want) {
        const n = io.read(fd, buf.subarray(total), want - total, total);
        if (n === 0) break;
        total += n;
      }
      digest = hashBytes(buf.subarray(0, total));
    } else {
      const h = createHasher();
      for (;;) {
        const n = io.read(fd, buf, CHUNK_BYTES, total);
        if (n === 0) break;
        h.update(n === CHUNK_BYTES ? buf : buf.subarray(0, n));
        total += n;
      }
      digest = h.digest();
    }
    const after = io.fstat(fd);
    if (BigInt(total) !== size || !sameFile(start, after)) throw new HashError({ reason: 'changed', path: file });
    return digest;
  } catch (e) {
    if (e instanceof HashError) throw e;
    throw new HashError(failureFromErrno(e, file));
  } finally {
    io.close(fd);
  }
}

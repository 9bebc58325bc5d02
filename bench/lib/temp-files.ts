/** Large temporary inputs under os.tmpdir(), written in blocks (never held in memory whole) and removed by the caller. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { contentSettleNs } from '../../plugin/core/hash/stat-key';
import * as os from 'node:os';
import * as path from 'node:path';

export const MiB = 1024 ** 2;
export const GiB = 1024 ** 3;

export function benchTempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `nxs-bench-${name}-`));
}

/** Writes `bytes` of incompressible data in 8 MiB blocks (each block differs). */
export function writeBigFile(file: string, bytes: number): void {
  const block = crypto.randomBytes(8 * MiB);
  const fd = fs.openSync(file, 'w');
  try {
    for (let written = 0, n = 0; written < bytes; n++) {
      block.writeUInt32LE(n, 0);
      const len = Math.min(block.length, bytes - written);
      fs.writeSync(fd, block, 0, len);
      written += len;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A temporary folder holding one big file of `bytes`. */
export function bigFileFixture(name: string, bytes: number): { dir: string; file: string } {
  const dir = benchTempDir(name);
  const file = path.join(dir, `${name}.bin`);
  writeBigFile(file, bytes);
  return { dir, file };
}

/** Reads a file once so that the runs measure hashing, not the disk. */
export function warmPageCache(file: string): void {
  const buf = Buffer.allocUnsafe(8 * MiB);
  const fd = fs.openSync(file, 'r');
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Waits until files written just now are older than the window within which
 * nx-steps' stat memo does not remember a file's digest (the kernel's
 * write-back delay for memory-mapped writes, about 40 s; see
 * plugin/core/hash/stat-key.ts), as data at rest is: until then the memo
 * rightly refuses to remember their digests, and every run would read them.
 */
export function settleTimestamps(): void {
  const ms = Number(contentSettleNs() / 1_000_000n) + 500;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

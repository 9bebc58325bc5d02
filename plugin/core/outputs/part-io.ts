/**
 * Byte-level I/O of a value's parts: written in slices straight from the
 * caller's memory (a typed array is never copied into a JS string or one big
 * buffer), hashed while written, and read back into one fresh ArrayBuffer.
 * Sizes are bounded by the disk and by what one ArrayBuffer may hold, not by
 * Node's 2 GiB per-call I/O limit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHasher } from '../util/xxhash';
import type { StreamingHasher } from '../util/xxhash';

/** At most this many bytes per read or write call (Node refuses 2 GiB and more). */
const IO_SLICE = 256 * 1024 * 1024;

export interface PartFile {
  /** Name inside the value folder, e.g. `value.msgpack`, `3.bin`. */
  readonly path: string;
  readonly size: number;
  readonly digest: string;
}

/** A part being written: appends bytes, hashes them, and reports its size and digest when closed. */
export class PartWriter {
  private readonly fd: number;
  private readonly hasher: StreamingHasher = createHasher();
  private size = 0;

  constructor(
    file: string,
    private readonly name: string,
  ) {
    this.fd = fs.openSync(file, 'w');
  }

  write(bytes: ArrayBufferView): void {
    const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at < all.byteLength; at += IO_SLICE) {
      const slice = all.subarray(at, Math.min(all.byteLength, at + IO_SLICE));
      this.hasher.update(slice);
      let done = 0;
      while (done < slice.byteLength) done += fs.writeSync(this.fd, slice, done, slice.byteLength - done);
    }
    this.size += all.byteLength;
  }

  close(): PartFile {
    fs.closeSync(this.fd);
    return { path: this.name, size: this.size, digest: this.hasher.digest() };
  }

  /** Closes after a failure; the caller removes the file. */
  abandon(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

/** A part a library writes itself (polars writes its IPC file from native code): hashed in slices, read back. */
export function writtenPart(dir: string, name: string, write: (file: string) => void): PartFile {
  const file = path.join(dir, name);
  write(file);
  const hasher = createHasher();
  const slice = Buffer.allocUnsafe(Math.min(IO_SLICE, 16 * 1024 * 1024));
  const fd = fs.openSync(file, 'r');
  let size = 0;
  try {
    for (let n = fs.readSync(fd, slice, 0, slice.byteLength, size); n > 0; n = fs.readSync(fd, slice, 0, slice.byteLength, size)) {
      hasher.update(slice.subarray(0, n));
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { path: name, size, digest: hasher.digest() };
}

/** Reads a whole part into a fresh ArrayBuffer of exactly `size` bytes (aligned for any typed array). */
export function readPart(file: string, size: number): ArrayBuffer {
  const buffer = new ArrayBuffer(size);
  const view = new Uint8Array(buffer);
  const fd = fs.openSync(file, 'r');
  try {
    let at = 0;
    while (at < size) {
      const n = fs.readSync(fd, view, at, Math.min(IO_SLICE, size - at), at);
      if (n === 0) throw new Error(`${file} is shorter than its recorded size`);
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return buffer;
}

/**
 * Holds a downloaded entry until it is known to be usable: in memory while
 * small, in a file of the guard's own folder once large (a 1 GiB result
 * never sits in memory). Only a checked body is handed to Nx, so nothing Nx
 * unpacks was not looked at first.
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

const MEMORY_LIMIT = 64 * 1024 * 1024;
let counter = 0;

export class Spool {
  private chunks: Buffer[] = [];
  private file: { path: string; stream: fs.WriteStream } | undefined;
  private bytes = 0;

  constructor(
    private readonly dir: string,
    private readonly memoryLimit = MEMORY_LIMIT,
  ) {}

  get size(): number {
    return this.bytes;
  }

  /** Appends a chunk; resolves when the caller may send more (the file has drained). */
  async write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    if (!this.file && this.bytes <= this.memoryLimit) {
      this.chunks.push(chunk);
      return;
    }
    if (!this.file) {
      const file = path.join(this.dir, `${process.pid}-${++counter}.body`);
      this.file = { path: file, stream: fs.createWriteStream(file, { mode: 0o600, highWaterMark: 8 * 1024 * 1024 }) };
      for (const c of this.chunks.splice(0)) this.file.stream.write(c);
    }
    const stream = this.file.stream;
    if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  }

  /** Answers 200 with the body held here. */
  async sendTo(res: http.ServerResponse): Promise<void> {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(this.bytes) });
    if (!this.file) {
      res.end(Buffer.concat(this.chunks));
      return;
    }
    const { stream, path: file } = this.file;
    await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
    await pipeline(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), res);
  }

  dispose(): void {
    this.chunks = [];
    if (this.file) {
      this.file.stream.destroy();
      fs.rmSync(this.file.path, { force: true });
      this.file = undefined;
    }
  }
}

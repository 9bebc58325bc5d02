/**
 * Checks the body of a cache entry (a gzip of a tar, Nx's self-hosted
 * protocol) while it downloads: the gzip stream must be whole (to its CRC)
 * and the tar inside it acceptable (tar-scan.ts). Nothing is written
 * anywhere: the decompressed bytes are looked at and dropped, and
 * decompression stops at the first problem or at the cap (checked on each
 * member's declared size), so a small body that would unpack to gigabytes
 * costs a few milliseconds. After the archive's end only zero padding may
 * follow, a little of it.
 */
import * as zlib from 'node:zlib';
import type { ScanLimits } from './tar-scan';
import { EntryDamage, TarScan } from './tar-scan';

/** What Nx's writer pads an archive with after its end block is far less. */
const MAX_AFTER_END = 1024 * 1024;

export type EntryVerdict = { readonly ok: true; readonly unpackedBytes: number } | { readonly ok: false; readonly reason: string };

function gzipReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'Z_DATA_ERROR') return 'the body is not a gzip stream, or a damaged one';
  if (code === 'Z_BUF_ERROR') return 'the gzip stream is truncated';
  return `the gzip stream cannot be read (${typeof code === 'string' ? code : 'unknown error'})`;
}

export class EntryCheck {
  // Large chunks and buffer: a 1 GiB entry is thousands of thread-pool round trips otherwise.
  private readonly gunzip = zlib.createGunzip({ chunkSize: 1024 * 1024, writableHighWaterMark: 8 * 1024 * 1024 } as zlib.ZlibOptions);
  private readonly scan: TarScan;
  private failure: string | undefined;
  private bodyBytes = 0;
  private afterEnd = 0;
  private inflated = 0;
  private readonly ended: Promise<void>;

  constructor(limits: ScanLimits) {
    this.scan = new TarScan(limits);
    this.gunzip.on('data', (chunk: Buffer) => {
      this.inflated += chunk.length;
      if (this.failure !== undefined) return;
      if (this.scan.done) {
        this.afterEnd += chunk.length;
        if (this.afterEnd > MAX_AFTER_END) this.fail('more than 1 MiB follows the end of the archive');
        return;
      }
      try {
        this.scan.push(chunk);
      } catch (e) {
        this.fail(e instanceof EntryDamage ? e.message : `the archive cannot be read (${(e as Error).message})`);
      }
    });
    this.ended = new Promise((resolve) => {
      this.gunzip.once('end', resolve);
      this.gunzip.once('close', resolve);
      this.gunzip.once('error', (e) => {
        this.fail(gzipReason(e));
        resolve();
      });
    });
  }

  /** Why the body cannot be used, as soon as it is known (the caller stops downloading). */
  get problem(): string | undefined {
    return this.failure;
  }

  /** Bytes decompressed so far (decompression stops at the first problem). */
  get decompressedBytes(): number {
    return this.inflated;
  }

  /**
   * Feeds a chunk of the body. Resolves at once while the decompressor keeps
   * up, else when it has drained (the caller's backpressure): waiting for
   * every chunk would make a large entry as slow as one thread-pool round
   * trip per chunk.
   */
  write(chunk: Buffer): Promise<void> {
    this.bodyBytes += chunk.length;
    if (this.failure !== undefined || this.gunzip.write(chunk)) return Promise.resolve();
    // A stream that failed or was destroyed never drains: its end settles the wait too.
    return new Promise((resolve) => {
      this.gunzip.once('drain', () => resolve());
      void this.ended.then(() => resolve());
    });
  }

  /** The verdict once the whole body was written. */
  async end(): Promise<EntryVerdict> {
    if (this.failure === undefined) {
      if (this.bodyBytes === 0) this.fail('the body is empty');
      else {
        this.gunzip.end();
        await this.ended;
      }
    }
    if (this.failure === undefined) {
      try {
        this.scan.finish();
      } catch (e) {
        this.fail((e as Error).message);
      }
    }
    this.gunzip.destroy();
    return this.failure === undefined ? { ok: true, unpackedBytes: this.scan.unpackedBytes } : { ok: false, reason: this.failure };
  }

  /** Stops decompressing (the download was abandoned). */
  dispose(): void {
    this.gunzip.destroy();
  }

  private fail(reason: string): void {
    this.failure ??= reason;
    // Destroyed, not paused: a paused stream never ends, and nothing more is decompressed.
    this.gunzip.destroy();
  }
}

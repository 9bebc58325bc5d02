/**
 * The manifests of folder arguments as they were, so `nx-steps why` can say
 * which files of a `dir(...)` changed since the run that made a result: a
 * folder's digest says only that something did.
 *
 * Content-addressed: a manifest is stored under the folder digest it hashes
 * to (which covers the selection rules too), so whichever process hashed the
 * folder first (the pre-task hook, the executor, `why`) stored the right
 * one, and a manifest is never rewritten. A folder is stored only when its
 * digest is new, which is when its step will run again anyway; an unchanged
 * folder costs one `existsSync`. Kept small: gzip, no folder of more than
 * MAX_FILES entries, and the oldest manifests go once the store passes
 * MAX_BYTES. Missing, damaged or pruned manifests only mean that `why` says
 * less; nothing else reads them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { ManifestEntry } from './dir-hasher';

/** Larger folders are not stored (about 3 MB of gzip at this size). */
export const MAX_FILES = 100_000;
const MAX_BYTES = 64 * 1024 * 1024;
/** v2: each listing names the digest it was stored for, and is a miss under any other (a copied or renamed file). */
const FORMAT = 'nx-steps-dir-listing-v2';

export class DirListings {
  constructor(private readonly dir: string) {}

  private file(digest: string): string {
    return path.join(this.dir, `${digest}.json.gz`);
  }

  has(digest: string): boolean {
    return fs.existsSync(this.file(digest));
  }

  /** Stores the manifest of a folder whose digest is `digest`, unless it is stored already. Never throws. */
  save(digest: string, entries: readonly ManifestEntry[]): void {
    if (entries.length > MAX_FILES || this.has(digest)) return;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const rows = entries.map((e) => ('digest' in e ? [e.rel, e.digest] : [e.rel, null, e.loopTo]));
      const tmp = `${this.file(digest)}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, zlib.gzipSync(JSON.stringify({ format: FORMAT, digest, entries: rows })));
      fs.renameSync(tmp, this.file(digest));
      this.prune(digest);
    } catch {
      // A listing that cannot be written only makes `why` less precise.
    }
  }

  /** The manifest stored for `digest`, or undefined when there is none (or it cannot be read). */
  load(digest: string): ManifestEntry[] | undefined {
    try {
      const data = JSON.parse(zlib.gunzipSync(fs.readFileSync(this.file(digest))).toString('utf8')) as { format?: string; digest?: unknown; entries?: unknown };
      if (data.format !== FORMAT || data.digest !== digest || !Array.isArray(data.entries)) return undefined;
      return data.entries.map((row) => {
        const [rel, d, loopTo] = row as [string, string | null, string?];
        return d === null ? { rel, loopTo: String(loopTo) } : { rel, digest: d };
      });
    } catch {
      return undefined;
    }
  }

  /** Drops the oldest manifests while the store is larger than MAX_BYTES (never the one just written). */
  private prune(keep: string): void {
    const files = fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.json.gz'))
      .map((f) => {
        const stat = fs.statSync(path.join(this.dir, f));
        return { f, size: stat.size, mtime: stat.mtimeMs };
      })
      .sort((a, b) => a.mtime - b.mtime);
    let total = files.reduce((sum, x) => sum + x.size, 0);
    for (const x of files) {
      if (total <= MAX_BYTES) break;
      if (x.f === `${keep}.json.gz`) continue;
      fs.rmSync(path.join(this.dir, x.f), { force: true });
      total -= x.size;
    }
  }
}

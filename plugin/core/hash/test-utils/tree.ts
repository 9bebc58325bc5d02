/**
 * Temporary folders for hasher tests, described as data: each key a POSIX
 * path, each value a file's text or another kind of entry.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach } from 'vitest';

export type TreeEntry = string | Buffer | { readonly link: string } | { readonly dir: true } | { readonly fifo: true };
export type Tree = Readonly<Record<string, TreeEntry>>;

const made: string[] = [];

/** A new empty folder, removed after the current test. */
export function tempDir(prefix = 'nxs-hash-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) {
    fs.chmodSync(dir, 0o700);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

export function writeTree(root: string, tree: Tree): void {
  for (const [rel, entry] of Object.entries(tree)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) fs.writeFileSync(abs, entry);
    else if ('link' in entry) fs.symlinkSync(entry.link, abs);
    else if ('dir' in entry) fs.mkdirSync(abs, { recursive: true });
    else execFileSync('mkfifo', [abs]);
  }
}

/** Sets a file's mtime (and atime) `secondsAgo` in the past; its ctime becomes now, as on any metadata change. */
export function age(file: string, secondsAgo: number): void {
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, t, t);
}

/** A clock `seconds` ahead of the wall clock: files written now look settled to a hasher that uses it. */
export function clockAhead(seconds: number): () => bigint {
  return () => (BigInt(Date.now()) + BigInt(seconds * 1000)) * 1_000_000n;
}

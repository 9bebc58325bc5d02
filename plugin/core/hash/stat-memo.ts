/**
 * The persistent stat memo: for each folder, the digests of its files by
 * stat key, and (when it was read whole) its listing by folder key. It lets
 * a re-check skip reading unchanged files and re-listing unchanged folders;
 * see stat-key.ts for why an equal key can be trusted.
 *
 * Why one record per folder (not one file for the workspace): a process
 * reads only the records of the folders it looks at, so a step with one
 * small file argument does not pay for a 100,000-file folder elsewhere, and
 * two processes hashing different folders never write the same record.
 *
 * Concurrency: every write is a whole record, renamed into place (a reader
 * sees the old record or the new one, never a torn one). Before writing, a
 * record that another process replaced since it was loaded is read again
 * and merged (this process's changes win). Two writers that race still only
 * lose entries, and a lost entry costs a re-read: an entry is a fact
 * ("these bytes had this stat key"), never stale while its key matches.
 *
 * Layout: <memoDir>/<h[0..2]>/<h>.bin, h = XXH3-128 of the folder's path.
 * Records of folders that no longer exist stay until the cache folder is
 * deleted (safe at any time).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/fs-atomic';
import type { DirListing, DirRecordData } from './memo-record';
import { decodeRecord, DIGEST_BYTES, encodeRecord, FILE_ENTRY_BYTES } from './memo-record';
import { DIR_KEY_BYTES, FILE_KEY_BYTES } from './stat-key';
import { hashBytes } from '../util/xxhash';

/** Identity of a record file on disk when it was loaded: a rename-replace changes it. */
type Stamp = string | undefined;

interface Loaded {
  readonly data: DirRecordData | undefined;
  readonly stamp: Stamp;
}

function stampOf(st: fs.Stats | undefined): Stamp {
  return st ? `${st.ino}:${st.mtimeMs}:${st.size}` : undefined;
}

function readRecordFile(file: string, dir: string): Loaded {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { data: undefined, stamp: undefined };
  }
  try {
    const stamp = stampOf(fs.fstatSync(fd));
    return { data: decodeRecord(fs.readFileSync(fd), dir), stamp };
  } catch {
    return { data: undefined, stamp: undefined };
  } finally {
    fs.closeSync(fd);
  }
}

/** A file entry: an offset into the loaded record's bytes, or its own bytes once this process remembered it. */
type Entry = number | Buffer;

function entryBytes(bytes: Buffer, e: Entry): Buffer {
  return typeof e === 'number' ? bytes.subarray(e, e + FILE_ENTRY_BYTES) : e;
}

/** One folder's record, in memory. */
export class FolderMemo {
  private bytes: Buffer;
  private files: Map<string, Entry>;
  private listingData: DirListing | undefined;
  /** Names this process remembered (bytes) or forgot (null): what wins in a merge. */
  private readonly touched = new Map<string, Buffer | null>();
  private listingTouched = false;
  private stamp: Stamp;

  constructor(
    readonly dir: string,
    private readonly file: string | undefined,
    loaded: Loaded,
  ) {
    this.bytes = loaded.data?.bytes ?? Buffer.alloc(0);
    this.files = loaded.data?.files ?? new Map<string, Entry>();
    this.listingData = loaded.data?.listing;
    this.stamp = loaded.stamp;
  }

  get dirty(): boolean {
    return this.touched.size > 0 || this.listingTouched;
  }

  /** The digest remembered for `name` under exactly this stat key. */
  digest(name: string, key: Buffer): string | undefined {
    const e = this.files.get(name);
    if (e === undefined) return undefined;
    const [bytes, at] = typeof e === 'number' ? [this.bytes, e] : [e, 0];
    if (bytes.compare(key, 0, FILE_KEY_BYTES, at, at + FILE_KEY_BYTES) !== 0) return undefined;
    return bytes.toString('hex', at + FILE_KEY_BYTES, at + FILE_ENTRY_BYTES);
  }

  remember(name: string, key: Buffer, digest: string): void {
    const entry = Buffer.allocUnsafe(FILE_ENTRY_BYTES);
    key.copy(entry, 0, 0, FILE_KEY_BYTES);
    if (entry.write(digest, FILE_KEY_BYTES, DIGEST_BYTES, 'hex') !== DIGEST_BYTES) throw new Error(`nx-steps internal error: bad digest ${digest}`);
    this.files.set(name, entry);
    this.touched.set(name, entry);
  }

  /** The folder's entries, when they were recorded under exactly this folder key. */
  listing(key: Buffer): DirListing | undefined {
    const l = this.listingData;
    return l && l.key.compare(key, 0, DIR_KEY_BYTES, 0, DIR_KEY_BYTES) === 0 ? l : undefined;
  }

  /** Records a complete, settled listing, and forgets files that are no longer in it. */
  setListing(key: Buffer, names: readonly string[], types: Uint8Array): void {
    this.listingData = { key: Buffer.from(key.subarray(0, DIR_KEY_BYTES)), names, types };
    this.listingTouched = true;
    const present = new Set(names);
    for (const name of this.files.keys()) {
      if (!present.has(name)) {
        this.files.delete(name);
        this.touched.set(name, null);
      }
    }
  }

  save(): void {
    if (!this.dirty || !this.file) return;
    let files = new Map([...this.files].map(([name, e]) => [name, entryBytes(this.bytes, e)]));
    const onDisk = readRecordFile(this.file, this.dir);
    if (onDisk.stamp !== this.stamp) {
      // Another process wrote this record since we read it: start from its version.
      const theirs = onDisk.data;
      files = new Map(theirs ? [...theirs.files].map(([name, at]) => [name, entryBytes(theirs.bytes, at)]) : []);
      for (const [name, entry] of this.touched) {
        if (entry) files.set(name, entry);
        else files.delete(name);
      }
      if (!this.listingTouched) this.listingData = theirs?.listing;
    }
    writeFileAtomic(this.file, encodeRecord({ dir: this.dir, listing: this.listingData, files }));
    this.bytes = Buffer.alloc(0);
    this.files = files;
    this.touched.clear();
    this.listingTouched = false;
    try {
      this.stamp = stampOf(fs.statSync(this.file));
    } catch {
      this.stamp = undefined;
    }
  }
}

export class StatMemo {
  private readonly folders = new Map<string, FolderMemo>();

  /** @param memoDir where records persist; undefined keeps them in memory only. */
  constructor(private readonly memoDir: string | undefined) {}

  private recordFile(dir: string): string | undefined {
    if (!this.memoDir) return undefined;
    const h = hashBytes(dir);
    return path.join(this.memoDir, h.slice(0, 2), `${h}.bin`);
  }

  /** The record of an absolute folder path (loaded on first use). */
  folder(dir: string): FolderMemo {
    let f = this.folders.get(dir);
    if (!f) {
      const file = this.recordFile(dir);
      f = new FolderMemo(dir, file, file ? readRecordFile(file, dir) : { data: undefined, stamp: undefined });
      this.folders.set(dir, f);
    }
    return f;
  }

  /** Writes every changed record. Never throws: the memo only saves time. */
  save(): void {
    for (const f of this.folders.values()) {
      try {
        f.save();
      } catch {
        // A record that cannot be written costs a re-read next time.
      }
    }
  }
}

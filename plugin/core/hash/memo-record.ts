/**
 * The on-disk form of one folder's stat-memo record: a compact binary
 * layout, because a re-check of 100,000 files must read the memo in a few
 * milliseconds, and JSON of that size takes hundreds (parse, then a string
 * and an object per field).
 *
 *   "NXSMEMO1"                                     magic and format version
 *   u32 n, n bytes                                 the folder's absolute path (utf8)
 *   u8 hasListing
 *     [32 bytes folder key, u32 count,             the folder's entries, sorted,
 *      count × (u8 type, u16 n, n bytes name)]     valid while the folder key matches
 *   u32 count,
 *     count × (u16 n, n bytes name,                one file's stat key (40 bytes)
 *              40 bytes key, 16 bytes digest)     and XXH3-128 digest
 *   16 bytes                                       XXH3-128 of everything above
 *
 * Integers are little-endian. A file that is short, has another magic,
 * another path (a hash collision of the file name, or a copied cache) or a
 * wrong checksum decodes as "no record": the memo only ever saves time.
 */
import { hashBytes } from './xxhash';
import { DIR_KEY_BYTES, FILE_KEY_BYTES } from './stat-key';

const MAGIC = Buffer.from('NXSMEMO1', 'latin1');
const CHECKSUM_BYTES = 16;
export const DIGEST_BYTES = 16;
/** A remembered file: its stat key followed by its raw digest. */
export const FILE_ENTRY_BYTES = FILE_KEY_BYTES + DIGEST_BYTES;
const MAX_NAME_BYTES = 0xffff;

export type EntryType = 'file' | 'dir' | 'link' | 'other';
const TYPES: readonly EntryType[] = ['file', 'dir', 'link', 'other'];

export interface ListingEntry {
  readonly name: string;
  readonly type: EntryType;
}

export interface DirListing {
  /** The folder's key (stat-key.ts `dirKey`) when it was read. */
  readonly key: Buffer;
  /** Sorted by name, in code-unit order. */
  readonly entries: readonly ListingEntry[];
}

export interface DirRecordData {
  readonly dir: string;
  readonly listing: DirListing | undefined;
  /** Name → FILE_ENTRY_BYTES bytes (stat key, raw digest). */
  readonly files: ReadonlyMap<string, Buffer>;
}

export function encodeRecord(rec: DirRecordData): Buffer {
  const dir = Buffer.from(rec.dir, 'utf8');
  const listing = rec.listing ? rec.listing.entries.map((e) => ({ type: TYPES.indexOf(e.type), name: Buffer.from(e.name, 'utf8') })).filter((e) => e.name.length <= MAX_NAME_BYTES) : [];
  const files = [...rec.files].map(([name, entry]) => ({ name: Buffer.from(name, 'utf8'), entry })).filter((f) => f.name.length <= MAX_NAME_BYTES);
  let size = MAGIC.length + 4 + dir.length + 1 + 4 + CHECKSUM_BYTES;
  if (rec.listing) size += DIR_KEY_BYTES + 4 + listing.reduce((n, e) => n + 3 + e.name.length, 0);
  size += files.reduce((n, f) => n + 2 + f.name.length + FILE_ENTRY_BYTES, 0);

  const out = Buffer.allocUnsafe(size);
  let at = MAGIC.copy(out, 0);
  at = out.writeUInt32LE(dir.length, at);
  at += dir.copy(out, at);
  at = out.writeUInt8(rec.listing ? 1 : 0, at);
  if (rec.listing) {
    at += rec.listing.key.copy(out, at, 0, DIR_KEY_BYTES);
    at = out.writeUInt32LE(listing.length, at);
    for (const e of listing) {
      at = out.writeUInt8(e.type, at);
      at = out.writeUInt16LE(e.name.length, at);
      at += e.name.copy(out, at);
    }
  }
  at = out.writeUInt32LE(files.length, at);
  for (const f of files) {
    at = out.writeUInt16LE(f.name.length, at);
    at += f.name.copy(out, at);
    at += f.entry.copy(out, at, 0, FILE_ENTRY_BYTES);
  }
  Buffer.from(hashBytes(out.subarray(0, at)), 'hex').copy(out, at);
  return out;
}

class Truncated extends Error {}

/** The record in `buf`, or undefined when it is not a sound record of `dir`. */
export function decodeRecord(buf: Buffer, dir: string): DirRecordData | undefined {
  if (buf.length < MAGIC.length + CHECKSUM_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const body = buf.length - CHECKSUM_BYTES;
  if (hashBytes(buf.subarray(0, body)) !== buf.toString('hex', body)) return undefined;
  let at = MAGIC.length;
  const need = (n: number): number => {
    if (at + n > body) throw new Truncated();
    const start = at;
    at += n;
    return start;
  };
  try {
    const dirLen = buf.readUInt32LE(need(4));
    if (buf.toString('utf8', need(dirLen), at) !== dir) return undefined;
    let listing: DirListing | undefined;
    if (buf.readUInt8(need(1)) === 1) {
      const key = buf.subarray(need(DIR_KEY_BYTES), at);
      const count = buf.readUInt32LE(need(4));
      const entries: ListingEntry[] = new Array<ListingEntry>(count);
      for (let i = 0; i < count; i++) {
        const type = TYPES[buf.readUInt8(need(1))];
        const len = buf.readUInt16LE(need(2));
        const name = buf.toString('utf8', need(len), at);
        if (!type) return undefined;
        entries[i] = { name, type };
      }
      listing = { key, entries };
    }
    const count = buf.readUInt32LE(need(4));
    const files = new Map<string, Buffer>();
    for (let i = 0; i < count; i++) {
      const len = buf.readUInt16LE(need(2));
      const name = buf.toString('utf8', need(len), at);
      files.set(name, buf.subarray(need(FILE_ENTRY_BYTES), at));
    }
    return at === body ? { dir, listing, files } : undefined;
  } catch (e) {
    if (e instanceof Truncated) return undefined;
    throw e;
  }
}

/**
 * The on-disk form of one folder's stat-memo record: a compact binary
 * layout, because a re-check of 100,000 files must read the memo in a few
 * milliseconds, and JSON of that size takes hundreds (parse, then a string
 * and an object per field). Decoding makes one string per name and nothing
 * per digest: remembered entries stay offsets into the record's bytes.
 *
 *   "NXSMEMO2"                        magic and format version
 *   u32 n, n bytes                    the folder's absolute path (utf8)
 *   u8 hasListing, [32 bytes]         the folder key the listing is valid for
 *   u32 count, then count entries:
 *     u8 flags                        bits 0-1 entry type, bit 2 has a digest, bit 3 listed
 *     u16 n, n bytes                  name (utf8)
 *     [40 bytes stat key,             when it has a digest: the file's stat key
 *      16 bytes digest]               and raw XXH3-128 digest
 *   16 bytes                          XXH3-128 of everything above
 *
 * Integers are little-endian. A file that is short, has another magic,
 * another path (a hash collision of the file name, or a copied cache) or a
 * wrong checksum decodes as "no record": the memo only ever saves time.
 */
import { hashBytes } from '../util/xxhash';
import { DIR_KEY_BYTES, FILE_KEY_BYTES } from './stat-key';

const MAGIC = Buffer.from('NXSMEMO2', 'latin1');
const CHECKSUM_BYTES = 16;
export const DIGEST_BYTES = 16;
/** A remembered file: its stat key followed by its raw digest. */
export const FILE_ENTRY_BYTES = FILE_KEY_BYTES + DIGEST_BYTES;
const MAX_NAME_BYTES = 0xffff;

/** Entry types, as stored (two bits). */
export const EntryType = { file: 0, dir: 1, link: 2, other: 3 } as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

const TYPE_MASK = 0b0011;
const HAS_DIGEST = 0b0100;
const LISTED = 0b1000;

export interface DirListing {
  /** The folder's key (stat-key.ts `dirKey`) when it was read. */
  readonly key: Buffer;
  /** Names in code-unit order, and the type of each. */
  readonly names: readonly string[];
  readonly types: Uint8Array;
}

export interface DirRecordData {
  readonly dir: string;
  readonly listing: DirListing | undefined;
  /** Name → offset in `bytes` of its FILE_ENTRY_BYTES (stat key, raw digest). */
  readonly files: Map<string, number>;
  /** The record's bytes (decoded records) that `files` points into. */
  readonly bytes: Buffer;
}

export interface RecordToWrite {
  readonly dir: string;
  readonly listing: DirListing | undefined;
  /** Name → FILE_ENTRY_BYTES bytes. */
  readonly files: ReadonlyMap<string, Buffer>;
}

export function encodeRecord(rec: RecordToWrite): Buffer {
  const dir = Buffer.from(rec.dir, 'utf8');
  const entries = new Map<string, { flags: number; name: Buffer; entry?: Buffer }>();
  const listing = rec.listing;
  if (listing) {
    listing.names.forEach((name, i) =>
      entries.set(name, { flags: LISTED | ((listing.types[i] ?? EntryType.other) & TYPE_MASK), name: Buffer.from(name, 'utf8') }),
    );
  }
  for (const [name, entry] of rec.files) {
    const known = entries.get(name);
    if (known) Object.assign(known, { flags: known.flags | HAS_DIGEST, entry });
    else entries.set(name, { flags: HAS_DIGEST | EntryType.file, name: Buffer.from(name, 'utf8'), entry });
  }
  const kept = [...entries.values()].filter((e) => e.name.length <= MAX_NAME_BYTES);

  let size = MAGIC.length + 4 + dir.length + 1 + (listing ? DIR_KEY_BYTES : 0) + 4 + CHECKSUM_BYTES;
  for (const e of kept) size += 3 + e.name.length + (e.entry ? FILE_ENTRY_BYTES : 0);
  const out = Buffer.allocUnsafe(size);
  let at = MAGIC.copy(out, 0);
  at = out.writeUInt32LE(dir.length, at);
  at += dir.copy(out, at);
  at = out.writeUInt8(listing ? 1 : 0, at);
  if (listing) at += listing.key.copy(out, at, 0, DIR_KEY_BYTES);
  at = out.writeUInt32LE(kept.length, at);
  for (const e of kept) {
    at = out.writeUInt8(e.flags, at);
    at = out.writeUInt16LE(e.name.length, at);
    at += e.name.copy(out, at);
    if (e.entry) at += e.entry.copy(out, at, 0, FILE_ENTRY_BYTES);
  }
  Buffer.from(hashBytes(out.subarray(0, at)), 'hex').copy(out, at);
  return out;
}

/** The record in `buf`, or undefined when it is not a sound record of `dir`. */
export function decodeRecord(buf: Buffer, dir: string): DirRecordData | undefined {
  if (buf.length < MAGIC.length + CHECKSUM_BYTES || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const body = buf.length - CHECKSUM_BYTES;
  if (hashBytes(buf.subarray(0, body)) !== buf.toString('hex', body)) return undefined;
  // Past the checksum the bytes are ours, but bounds are still checked: a bug must not read garbage.
  let at = MAGIC.length;
  if (at + 4 > body) return undefined;
  const dirLen = buf.readUInt32LE(at);
  at += 4;
  if (at + dirLen + 1 > body || buf.toString('utf8', at, at + dirLen) !== dir) return undefined;
  at += dirLen;
  const hasListing = buf[at++] === 1;
  if (hasListing && at + DIR_KEY_BYTES > body) return undefined;
  const key = hasListing ? buf.subarray(at, (at += DIR_KEY_BYTES)) : undefined;
  if (at + 4 > body) return undefined;
  const count = buf.readUInt32LE(at);
  at += 4;
  const names: string[] = [];
  const types: number[] = [];
  const files = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    if (at + 3 > body) return undefined;
    const flags = buf[at] ?? 0;
    const len = buf.readUInt16LE(at + 1);
    const end = at + 3 + len;
    if (end + (flags & HAS_DIGEST ? FILE_ENTRY_BYTES : 0) > body) return undefined;
    const name = buf.toString('utf8', at + 3, end);
    at = end;
    if (flags & LISTED) {
      names.push(name);
      types.push(flags & TYPE_MASK);
    }
    if (flags & HAS_DIGEST) {
      files.set(name, at);
      at += FILE_ENTRY_BYTES;
    }
  }
  if (at !== body) return undefined;
  const listing = key ? { key, names, types: Uint8Array.from(types) } : undefined;
  return { dir, listing, files, bytes: buf };
}

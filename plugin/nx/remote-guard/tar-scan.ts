/**
 * A streaming scan of the tar archive inside a cache entry of Nx's
 * self-hosted protocol, without unpacking anything: it refuses what Nx 24's
 * extractor would fail the run on, and what no entry Nx writes contains.
 *
 * Nx writes entries with the Rust `tar` crate (GNU headers, long names as
 * `././@LongLink` members) and reads them back with the same crate, which
 * fails the whole command on a bad checksum, a truncated member, a path it
 * will not unpack (`..`), a symbolic link that leads out of the folder, a
 * `code` member that is not 4 bytes, or a `terminalOutput` that is not UTF-8.
 * Every such entry is refused here, and so is every member that is not a
 * regular file or a folder (links of both kinds, devices, FIFOs), every
 * absolute path (Nx strips the slash and unpacks it elsewhere than meant),
 * and an archive that unpacks to more than the cap, checked on each header's
 * declared size before any of its bytes arrive.
 */
import { TextDecoder } from 'node:util';

const BLOCK = 512;
/** Nx's two members beside the outputs (http_remote_cache.rs). */
const CODE_MEMBER = 'code';
const TERMINAL_OUTPUT_MEMBER = 'terminalOutput';
/** Metadata members are read whole: a name cannot be this long on any file system. */
const MAX_META_BYTES = 1024 * 1024;

export interface ScanLimits {
  /** What the regular files of the archive may add up to. */
  readonly maxUnpackedBytes: number;
  readonly maxMembers: number;
}

/** The archive is not an entry Nx can use; the message says why, for a warning. */
export class EntryDamage extends Error {}

interface Header {
  readonly name: string;
  readonly type: string;
  readonly size: number;
  readonly linkName: string;
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(block: Buffer, start: number, length: number, what: string): number {
  const field = block.subarray(start, start + length);
  // GNU base-256: the high bit of the first byte set, then a big-endian number.
  if ((field[0] ?? 0) & 0x80) {
    if (field[0] === 0xff) throw new EntryDamage(`a tar header holds a negative ${what}`);
    let n = (field[0] ?? 0) & 0x7f;
    for (const byte of field.subarray(1)) n = n * 256 + byte;
    if (!Number.isSafeInteger(n)) throw new EntryDamage(`a tar header holds a ${what} too large to read`);
    return n;
  }
  const text = field
    .toString('latin1')
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (!/^[0-7]*$/.test(text)) throw new EntryDamage(`a tar header's ${what} is not a number (the archive is damaged)`);
  return text === '' ? 0 : parseInt(text, 8);
}

function parseHeader(block: Buffer): Header | 'end' {
  if (block.every((b) => b === 0)) return 'end';
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  if (octal(block, 148, 8, 'checksum') !== sum) throw new EntryDamage('a tar header checksum does not match (the archive is damaged, or not a tar archive)');
  const magic = block.subarray(257, 263).toString('latin1');
  const name = cString(block, 0, 100);
  // POSIX ustar splits long names into prefix/name; GNU headers use those bytes for other fields.
  const prefix = magic === 'ustar\0' ? cString(block, 345, 155) : '';
  const typeByte = block[156] ?? 0;
  return {
    name: prefix ? `${prefix}/${name}` : name,
    type: typeByte === 0 ? '0' : String.fromCharCode(typeByte),
    size: octal(block, 124, 12, 'size'),
    linkName: cString(block, 157, 100),
  };
}

/** Values of a pax extended header ("<len> <key>=<value>\n" records). */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  while (off < data.length) {
    const space = data.indexOf(0x20, off);
    const length = space === -1 ? NaN : Number(data.subarray(off, space).toString('latin1'));
    if (!Number.isSafeInteger(length) || length <= 0 || off + length > data.length) throw new EntryDamage('a pax header of the archive is damaged');
    const record = data.subarray(space + 1, off + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    off += length;
  }
  return out;
}

const LINK_TYPES: Readonly<Record<string, string>> = { '1': 'a hard link', '2': 'a symbolic link' };

/** Why a member's path is refused, if it is: absolute, leaving the folder, or spelled so another system reads it differently. */
export function unsafePath(name: string): string | undefined {
  const trimmed = name.replace(/\/+$/, '');
  if (trimmed === '' || name.includes('\0')) return 'a member with an empty name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return `a member with an absolute path (${JSON.stringify(name)})`;
  if (name.includes('\\')) return `a member whose path holds a backslash (${JSON.stringify(name)})`;
  if (trimmed.split('/').some((seg) => seg === '..')) return `a member that leads out of the entry (${JSON.stringify(name)})`;
  return undefined;
}

type Mode = 'header' | 'data' | 'padding' | 'done';

/**
 * Fed the decompressed archive chunk by chunk; throws EntryDamage as soon as
 * something is wrong (so the caller stops downloading), and `finish` checks
 * the archive ended where a member ends and held Nx's exit code.
 */
export class TarScan {
  private mode: Mode = 'header';
  private header = Buffer.alloc(BLOCK);
  private headerBytes = 0;
  private remaining = 0;
  private padding = 0;
  private collect: Buffer[] | undefined;
  private utf8: TextDecoder | undefined;
  private member: Header | undefined;
  private pending: { name?: string; size?: number } = {};
  private unpacked = 0;
  private members = 0;
  private codeBytes: number | undefined;

  constructor(private readonly limits: ScanLimits) {}

  /** Regular-file bytes the archive declares so far. */
  get unpackedBytes(): number {
    return this.unpacked;
  }

  /** True once the end-of-archive block was read: the rest of the stream is never unpacked by Nx. */
  get done(): boolean {
    return this.mode === 'done';
  }

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length && this.mode !== 'done') {
      const avail = chunk.length - off;
      if (this.mode === 'header') {
        const take = Math.min(BLOCK - this.headerBytes, avail);
        chunk.copy(this.header, this.headerBytes, off, off + take);
        this.headerBytes += take;
        off += take;
        if (this.headerBytes === BLOCK) this.onHeader();
      } else if (this.mode === 'data') {
        const take = Math.min(this.remaining, avail);
        this.onData(chunk.subarray(off, off + take));
        this.remaining -= take;
        off += take;
        if (this.remaining === 0) this.endMember();
      } else {
        const take = Math.min(this.padding, avail);
        this.padding -= take;
        off += take;
        if (this.padding === 0) this.mode = 'header';
      }
    }
  }

  finish(): void {
    if (this.mode === 'data' || this.mode === 'padding' || this.headerBytes > 0) throw new EntryDamage('the archive ends inside a member (truncated)');
    if (this.codeBytes === undefined) throw new EntryDamage(`the archive has no \`${CODE_MEMBER}\` member (Nx fails on it)`);
  }

  private onHeader(): void {
    this.headerBytes = 0;
    const parsed = parseHeader(this.header);
    if (parsed === 'end') {
      this.mode = 'done';
      return;
    }
    if (++this.members > this.limits.maxMembers) throw new EntryDamage(`the archive has more than ${this.limits.maxMembers} members`);
    const name = this.pending.name ?? parsed.name;
    const size = this.pending.size ?? parsed.size;
    this.pending = {};
    const member: Header = { ...parsed, name, size };
    this.check(member);
    this.member = member;
    this.collect = member.type === 'L' || member.type === 'x' || name === CODE_MEMBER ? [] : undefined;
    this.utf8 = name === TERMINAL_OUTPUT_MEMBER ? new TextDecoder('utf-8', { fatal: true }) : undefined;
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (size > 0) this.mode = 'data';
    else this.endMember();
  }

  private check(member: Header): void {
    const { type, name, size } = member;
    if (type === 'L' || type === 'x') {
      if (size > MAX_META_BYTES) throw new EntryDamage(`a ${type === 'L' ? 'long-name' : 'pax'} member of ${size} bytes`);
      return;
    }
    const link = LINK_TYPES[type];
    if (link) throw new EntryDamage(`${link} member (${JSON.stringify(name)} -> ${JSON.stringify(member.linkName)})`);
    if (type !== '0' && type !== '5') throw new EntryDamage(`a member of tar type '${type}' (${JSON.stringify(name)}): only files and folders are cached`);
    const unsafe = unsafePath(name);
    if (unsafe) throw new EntryDamage(unsafe);
    if ((name === CODE_MEMBER || name === TERMINAL_OUTPUT_MEMBER) && type !== '0') throw new EntryDamage(`\`${name}\` is not a file`);
    if (name === CODE_MEMBER && size !== 4) throw new EntryDamage(`\`${CODE_MEMBER}\` holds ${size} bytes, not 4 (Nx fails on it)`);
    if (type === '0') this.unpacked += size;
    if (this.unpacked > this.limits.maxUnpackedBytes) {
      throw new EntryDamage(`it unpacks to more than ${formatBytes(this.limits.maxUnpackedBytes)} (the cap on one entry)`);
    }
  }

  private onData(data: Buffer): void {
    if (this.collect) this.collect.push(Buffer.from(data));
    if (this.utf8) {
      try {
        this.utf8.decode(data, { stream: true });
      } catch {
        throw new EntryDamage(`\`${TERMINAL_OUTPUT_MEMBER}\` is not UTF-8 text (Nx fails on it)`);
      }
    }
  }

  private endMember(): void {
    const member = this.member;
    const data = this.collect ? Buffer.concat(this.collect) : undefined;
    this.collect = undefined;
    if (this.utf8) {
      try {
        this.utf8.decode();
      } catch {
        throw new EntryDamage(`\`${TERMINAL_OUTPUT_MEMBER}\` is not UTF-8 text (Nx fails on it)`);
      }
      this.utf8 = undefined;
    }
    if (member && data) {
      if (member.type === 'L') this.pending.name = data.toString('utf8').replace(/\0+$/, '');
      else if (member.type === 'x') this.applyPax(paxRecords(data));
      else if (member.name === CODE_MEMBER) this.codeBytes = data.length;
    }
    this.mode = this.padding > 0 ? 'padding' : 'header';
  }

  private applyPax(records: Map<string, string>): void {
    const path = records.get('path');
    if (path !== undefined) this.pending.name = path;
    const size = records.get('size');
    if (size !== undefined) {
      if (!/^\d+$/.test(size) || !Number.isSafeInteger(Number(size))) throw new EntryDamage('a pax header holds a bad size');
      this.pending.size = Number(size);
    }
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

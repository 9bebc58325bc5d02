/**
 * Builds tar archives the way a hostile or broken cache server might serve
 * them, for the tests of the remote-cache guard and the e2e rig's server:
 * any name (absolute, `..`), any member type (links, devices), GNU long
 * names, pax headers, and a declared size without the bytes (a bomb).
 */
import * as zlib from 'node:zlib';

export interface TarMember {
  readonly name: string;
  /** '0' file (default), '5' folder, '1' hard link, '2' symbolic link, 'L' GNU long name, 'x' pax... */
  readonly type?: string;
  readonly data?: Buffer | string;
  readonly linkName?: string;
  /** The size written in the header, when it must differ from the data's (a bomb, a lie). */
  readonly declaredSize?: number;
  /** 'gnu' (what Nx writes, the default) or 'ustar' (POSIX, with a name prefix). */
  readonly format?: 'gnu' | 'ustar';
  readonly prefix?: string;
  /** Spoil the header checksum. */
  readonly badChecksum?: boolean;
}

function writeOctal(block: Buffer, value: number, start: number, length: number): void {
  if (value >= 8 ** (length - 1)) {
    // GNU base-256 for numbers octal cannot hold.
    block[start] = 0x80;
    let v = value;
    for (let i = start + length - 1; i > start; i--) {
      block[i] = v % 256;
      v = Math.floor(v / 256);
    }
    return;
  }
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, start, length, 'latin1');
}

export function tarHeader(member: TarMember): Buffer {
  const block = Buffer.alloc(512);
  const data = Buffer.from(member.data ?? '');
  block.write(member.name, 0, 100, 'utf8');
  writeOctal(block, member.type === '5' ? 0o755 : 0o644, 100, 8);
  writeOctal(block, 0, 108, 8);
  writeOctal(block, 0, 116, 8);
  writeOctal(block, member.declaredSize ?? data.length, 124, 12);
  writeOctal(block, 0, 136, 12);
  block.write(member.type ?? '0', 156, 1, 'latin1');
  if (member.linkName) block.write(member.linkName, 157, 100, 'utf8');
  if (member.format === 'ustar') {
    block.write('ustar\x0000', 257, 8, 'latin1');
    if (member.prefix) block.write(member.prefix, 345, 155, 'utf8');
  } else {
    block.write('ustar  \0', 257, 8, 'latin1');
  }
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  writeOctal(block, member.badChecksum ? sum + 1 : sum, 148, 7);
  block[155] = 0x20;
  return block;
}

function padded(data: Buffer): Buffer {
  const pad = (512 - (data.length % 512)) % 512;
  return Buffer.concat([data, Buffer.alloc(pad)]);
}

/** A tar archive of `members` (with the two zero blocks at the end unless `end: false`). */
export function tar(members: readonly TarMember[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    parts.push(tarHeader(m));
    if (m.declaredSize === undefined) parts.push(padded(Buffer.from(m.data ?? '')));
  }
  if (options.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Nx's two members after the outputs: the task's terminal output and its exit code (4 bytes, big-endian). */
export function nxTrailer(terminalOutput = 'done\n', code = 0): TarMember[] {
  const codeBytes = Buffer.alloc(4);
  codeBytes.writeUInt32BE(code);
  return [
    { name: 'terminalOutput', data: terminalOutput },
    { name: 'code', data: codeBytes },
  ];
}

/** A gzip of a tar of `members` followed by Nx's trailer: a well-formed entry. */
export function nxEntry(members: readonly TarMember[]): Buffer {
  return zlib.gzipSync(tar([...members, ...nxTrailer()]));
}

/** CRC-32 (gzip's), table-driven. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer, crc = 0): number {
  let c = ~crc >>> 0;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return ~c >>> 0;
}

function gf2Times(mat: readonly number[], vec: number): number {
  let sum = 0;
  for (let i = 0; vec !== 0; i++, vec >>>= 1) if (vec & 1) sum ^= mat[i] ?? 0;
  return sum >>> 0;
}

function gf2Square(mat: readonly number[]): number[] {
  return mat.map((_, n) => gf2Times(mat, mat[n] ?? 0));
}

/** zlib's crc32_combine: the CRC of A followed by B from the CRCs of both and B's length. */
function crc32Combine(crc1: number, crc2: number, len2: number): number {
  let odd = [0xedb88320, ...Array.from({ length: 31 }, (_, n) => 1 << n)];
  let even = gf2Square(odd);
  odd = gf2Square(even);
  let c = crc1;
  let len = len2;
  do {
    even = gf2Square(odd);
    if (len % 2) c = gf2Times(even, c);
    len = Math.floor(len / 2);
    if (len === 0) break;
    odd = gf2Square(even);
    if (len % 2) c = gf2Times(odd, c);
    len = Math.floor(len / 2);
  } while (len !== 0);
  return (c ^ crc2) >>> 0;
}

function deflateFlushed(deflate: zlib.DeflateRaw, data: Buffer, flush: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const onData = (c: Buffer) => out.push(c);
    deflate.on('data', onData);
    deflate.write(data);
    deflate.flush(flush, () => {
      deflate.off('data', onData);
      resolve(Buffer.concat(out));
    });
  });
}

/**
 * A valid gzip that unpacks to an Nx entry holding one file of `bytes`
 * zeros (a multiple of 16 MiB): a few MB for gigabytes, built in well under
 * a second by repeating one fully flushed deflate block of 16 MiB of zeros,
 * with the CRC-32 of the whole computed by combination.
 */
export async function zeroBomb(bytes: number, name = 'etl/.nx-steps/out/load_data/files/zeros.bin'): Promise<Buffer> {
  const unit = 16 * 1024 * 1024;
  if (bytes % unit !== 0 || bytes === 0) throw new Error('zeroBomb: bytes must be a positive multiple of 16 MiB');
  const zeros = Buffer.alloc(unit);
  const head = tarHeader({ name, declaredSize: bytes });
  const tail = tar(nxTrailer());
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const first = await deflateFlushed(deflate, Buffer.concat([head, zeros]), zlib.constants.Z_FULL_FLUSH);
  const block = await deflateFlushed(deflate, zeros, zlib.constants.Z_FULL_FLUSH);
  const last = await deflateFlushed(deflate, tail, zlib.constants.Z_FINISH);
  deflate.close();
  const zerosCrc = crc32(zeros);
  let crc = crc32(Buffer.concat([head, zeros]));
  for (let i = 1; i < bytes / unit; i++) crc = crc32Combine(crc, zerosCrc, unit);
  crc = crc32Combine(crc, crc32(tail), tail.length);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE((head.length + bytes + tail.length) % 2 ** 32, 4);
  const gzipHeader = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  return Buffer.concat([gzipHeader, first, ...Array.from({ length: bytes / unit - 1 }, () => block), last, trailer]);
}

export interface ReadMember {
  readonly name: string;
  readonly type: string;
  readonly data: Buffer;
}

/** The members of a (well-formed) tar archive, GNU long names applied. */
export function readTar(archive: Buffer): ReadMember[] {
  const out: ReadMember[] = [];
  let longName: string | undefined;
  for (let off = 0; off + 512 <= archive.length;) {
    const block = archive.subarray(off, off + 512);
    if (block.every((b) => b === 0)) break;
    const field = (start: number, length: number) => {
      const f = block.subarray(start, start + length);
      const end = f.indexOf(0);
      return f.subarray(0, end === -1 ? length : end).toString('utf8');
    };
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = block[156] === 0 ? '0' : String.fromCharCode(block[156] ?? 48);
    const data = archive.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    out.push({ name: longName ?? field(0, 100), type, data: Buffer.from(data) });
    longName = undefined;
  }
  return out;
}

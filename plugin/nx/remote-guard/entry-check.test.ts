import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { TarMember } from '../../test-utils/tar';
import { nxEntry, nxTrailer, tar, zeroBomb } from '../../test-utils/tar';
import type { EntryVerdict } from './entry-check';
import { EntryCheck } from './entry-check';

const LIMITS = { maxUnpackedBytes: 64 * 1024 * 1024, maxMembers: 1000 };

async function check(body: Buffer, limits = LIMITS, chunk = 1000): Promise<EntryVerdict> {
  const c = new EntryCheck(limits);
  for (let off = 0; off < body.length; off += chunk) await c.write(body.subarray(off, off + chunk));
  return c.end();
}

const OUT = 'etl/.nx-steps/out/load_data';
const GOOD: TarMember[] = [
  { name: 'etl', type: '5' },
  { name: `${OUT}/step.json`, data: '{"schema":2}' },
  { name: `${OUT}/value/value.msgpack`, data: Buffer.from([0x93, 1, 2, 3]) },
];

describe('EntryCheck: what Nx would fail on, or should never unpack, is refused while it streams', () => {
  it('accepts a well-formed entry, in any chunking', async () => {
    for (const chunk of [1, 7, 512, 100_000]) expect(await check(nxEntry(GOOD), LIMITS, chunk)).toEqual({ ok: true, unpackedBytes: 12 + 4 + 5 + 4 });
  });

  it('accepts what GNU tar writes (long names, ustar prefix) when it holds Nx trailer members', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-tar-'));
    try {
      const deep = path.join(dir, 'etl', 'a'.repeat(120), 'b'.repeat(60));
      fs.mkdirSync(deep, { recursive: true });
      fs.writeFileSync(path.join(deep, 'f.txt'), 'x');
      fs.writeFileSync(path.join(dir, 'terminalOutput'), 'ok\n');
      fs.writeFileSync(path.join(dir, 'code'), Buffer.alloc(4));
      for (const format of ['gnu', 'posix']) {
        const body = execFileSync('tar', ['-C', dir, `--format=${format}`, '-czf', '-', 'etl', 'terminalOutput', 'code']);
        expect(await check(body), format).toMatchObject({ ok: true });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const damaged: Array<[string, () => Buffer | Promise<Buffer>, RegExp]> = [
    ['an empty body', () => Buffer.alloc(0), /empty/],
    ['random bytes', () => Buffer.from(Array.from({ length: 700 }, (_, i) => (i * 151 + 7) % 256)), /not a gzip stream/],
    ['a truncated gzip', () => nxEntry(GOOD).subarray(0, 60), /truncated/],
    ['junk inside a gzip', () => zlib.gzipSync(Buffer.from('this is not a tar archive '.repeat(40))), /checksum|not a number/],
    ['a tar cut inside a member', () => zlib.gzipSync(tar(GOOD, { end: false }).subarray(0, 512 * 3 + 100)), /truncated/],
    ['a bad header checksum', () => nxEntry([{ ...GOOD[1]!, badChecksum: true }]), /checksum/],
    ['no exit code', () => zlib.gzipSync(tar(GOOD)), /no `code` member/],
    ['a code of 3 bytes', () => zlib.gzipSync(tar([...GOOD, { name: 'terminalOutput', data: '' }, { name: 'code', data: 'abc' }])), /holds 3 bytes/],
    ['a terminalOutput that is not UTF-8', () => zlib.gzipSync(tar([{ name: 'terminalOutput', data: Buffer.from([0xc3, 0x28]) }, nxTrailer()[1]!])), /UTF-8/],
    ['an absolute path', () => nxEntry([{ name: '/tmp/nxs-pwned.txt', data: 'x' }]), /absolute path/],
    ['a traversal', () => nxEntry([{ name: 'etl/../../escape.txt', data: 'x' }]), /leads out of the entry/],
    [
      'a traversal in a GNU long name',
      () =>
        nxEntry([
          { name: '././@LongLink', type: 'L', data: `${'d/'.repeat(60)}../../../x\0` },
          { name: 'short', data: 'x' },
        ]),
      /leads out/,
    ],
    [
      'a traversal in a pax path',
      () =>
        nxEntry([
          { name: 'PaxHeader', type: 'x', data: paxRecord('path', '../x') },
          { name: 'ok', data: 'x' },
        ]),
      /leads out/,
    ],
    ['a symbolic link', () => nxEntry([{ name: `${OUT}/files/link`, type: '2', linkName: '/etc/passwd' }]), /symbolic link/],
    ['a hard link', () => nxEntry([{ name: `${OUT}/files/link`, type: '1', linkName: 'etl/other' }]), /hard link/],
    ['a FIFO', () => nxEntry([{ name: `${OUT}/files/fifo`, type: '6' }]), /tar type '6'/],
    ['a backslash path', () => nxEntry([{ name: 'etl\\..\\x', data: 'x' }]), /backslash/],
  ];
  for (const [what, body, reason] of damaged) {
    it(`refuses ${what}`, async () => {
      const verdict = await check(await body());
      expect(verdict.ok).toBe(false);
      expect(!verdict.ok && verdict.reason).toMatch(reason);
    });
  }

  it('stops a bomb at the cap from its header alone: 3 GiB of zeros in a few MB of gzip, decompression stops there', async () => {
    const bomb = await zeroBomb(3 * 1024 ** 3);
    expect(bomb.length).toBeLessThan(8 * 1024 * 1024);
    const c = new EntryCheck({ maxUnpackedBytes: 2 * 1024 ** 3, maxMembers: 1000 });
    for (let off = 0; off < bomb.length; off += 64 * 1024) await c.write(bomb.subarray(off, off + 64 * 1024));
    expect(await c.end()).toEqual({ ok: false, reason: expect.stringMatching(/unpacks to more than 2 GiB/) });
    // Decompression stopped at the first header: nowhere near the 3 GiB.
    expect(c.decompressedBytes).toBeLessThan(64 * 1024 * 1024);
  });

  it('counts every file against the cap, and caps the number of members', async () => {
    const files = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}`, data: Buffer.alloc(300) }));
    expect(await check(nxEntry(files), { maxUnpackedBytes: 1000, maxMembers: 1000 })).toMatchObject({ ok: false, reason: /more than 1000 B/ });
    expect(await check(nxEntry(files), { maxUnpackedBytes: 1e9, maxMembers: 3 })).toMatchObject({ ok: false, reason: /more than 3 members/ });
  });

  it('checks the gzip stream to its end, after the archive too: a lost CRC, or megabytes after the end block, are refused', async () => {
    const whole = nxEntry(GOOD);
    expect(await check(whole.subarray(0, whole.length - 4))).toMatchObject({ ok: false, reason: /truncated/ });
    const padded = zlib.gzipSync(Buffer.concat([tar([...GOOD, ...nxTrailer()]), Buffer.alloc(64 * 1024)]));
    expect(await check(padded)).toMatchObject({ ok: true });
    const stuffed = zlib.gzipSync(Buffer.concat([tar([...GOOD, ...nxTrailer()]), Buffer.alloc(10 * 1024 * 1024, 1)]));
    expect(await check(stuffed)).toMatchObject({ ok: false, reason: /follows the end of the archive/ });
  });
});

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (`${length}${body}`.length !== length) length++;
  return `${length}${body}`;
}

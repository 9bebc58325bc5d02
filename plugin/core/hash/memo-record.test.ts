import { describe, expect, it } from 'vitest';
import type { DirRecordData, RecordToWrite } from './memo-record';
import { decodeRecord, encodeRecord, EntryType, FILE_ENTRY_BYTES } from './memo-record';
import { DIR_KEY_BYTES } from './stat-key';

function entry(fill: number): Buffer {
  return Buffer.alloc(FILE_ENTRY_BYTES, fill);
}

const RECORD: RecordToWrite = {
  dir: '/data/été',
  listing: {
    key: Buffer.alloc(DIR_KEY_BYTES, 7),
    names: ['a.csv', 'link', 'sub', 'ünï'],
    types: Uint8Array.from([EntryType.file, EntryType.link, EntryType.dir, EntryType.other]),
  },
  files: new Map([
    ['a.csv', entry(1)],
    ['ünï', entry(2)],
    // Remembered through a file() argument but not in the (older) listing.
    ['late.csv', entry(3)],
  ]),
};

function filesOf(r: DirRecordData | undefined): Record<string, number> {
  return Object.fromEntries([...(r?.files ?? [])].map(([name, at]) => [name, r?.bytes[at] ?? -1]));
}

describe('stat-memo records', () => {
  it('round-trip a folder record, names in any script included', () => {
    const back = decodeRecord(encodeRecord(RECORD), RECORD.dir);
    expect(back?.listing?.names).toEqual(RECORD.listing?.names);
    expect([...(back?.listing?.types ?? [])]).toEqual([...(RECORD.listing?.types ?? [])]);
    expect(back?.listing?.key.equals(Buffer.alloc(DIR_KEY_BYTES, 7))).toBe(true);
    expect(filesOf(back)).toEqual({ 'a.csv': 1, ünï: 2, 'late.csv': 3 });
    for (const [name, at] of back?.files ?? [])
      expect(back?.bytes.subarray(at, at + FILE_ENTRY_BYTES).equals(RECORD.files.get(name) ?? Buffer.alloc(0))).toBe(true);
  });

  it('round-trip a record without a listing (files looked up one by one)', () => {
    const back = decodeRecord(encodeRecord({ ...RECORD, listing: undefined }), RECORD.dir);
    expect(back?.listing).toBeUndefined();
    expect(filesOf(back)).toEqual({ 'a.csv': 1, ünï: 2, 'late.csv': 3 });
  });

  it.each([
    ['torn (cut short)', (b: Buffer) => b.subarray(0, b.length - 5)],
    ['a flipped byte', (b: Buffer) => Buffer.concat([b.subarray(0, 20), Buffer.from([(b[20] ?? 0) ^ 1]), b.subarray(21)])],
    ['another format', (b: Buffer) => Buffer.concat([Buffer.from('NXSMEMO1'), b.subarray(8)])],
    ['empty', () => Buffer.alloc(0)],
  ])('decode as "no record" when %s', (_what, damage) => {
    expect(decodeRecord(damage(encodeRecord(RECORD)), RECORD.dir)).toBeUndefined();
  });

  it('decode as "no record" when the record belongs to another folder (a copied cache, a name collision)', () => {
    expect(decodeRecord(encodeRecord(RECORD), '/data/other')).toBeUndefined();
  });
});

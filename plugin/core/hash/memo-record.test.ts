import { describe, expect, it } from 'vitest';
import type { DirRecordData } from './memo-record';
import { decodeRecord, encodeRecord, FILE_ENTRY_BYTES } from './memo-record';
import { DIR_KEY_BYTES } from './stat-key';

function entry(fill: number): Buffer {
  return Buffer.alloc(FILE_ENTRY_BYTES, fill);
}

const RECORD: DirRecordData = {
  dir: '/data/été',
  listing: {
    key: Buffer.alloc(DIR_KEY_BYTES, 7),
    entries: [
      { name: 'a.csv', type: 'file' },
      { name: 'link', type: 'link' },
      { name: 'sub', type: 'dir' },
      { name: 'ünï', type: 'other' },
    ],
  },
  files: new Map([
    ['a.csv', entry(1)],
    ['ünï', entry(2)],
  ]),
};

describe('stat-memo records', () => {
  it('round-trip a folder record, names in any script included', () => {
    const back = decodeRecord(encodeRecord(RECORD), RECORD.dir);
    expect(back?.listing?.entries).toEqual(RECORD.listing?.entries);
    expect(back?.listing?.key.equals(Buffer.alloc(DIR_KEY_BYTES, 7))).toBe(true);
    expect([...(back?.files ?? [])].map(([n, e]) => [n, e.equals(RECORD.files.get(n) ?? Buffer.alloc(0))])).toEqual([
      ['a.csv', true],
      ['ünï', true],
    ]);
  });

  it('round-trip a record without a listing (files looked up one by one)', () => {
    const back = decodeRecord(encodeRecord({ ...RECORD, listing: undefined }), RECORD.dir);
    expect(back?.listing).toBeUndefined();
    expect(back?.files.size).toBe(2);
  });

  it.each([
    ['torn (cut short)', (b: Buffer) => b.subarray(0, b.length - 5)],
    ['a flipped byte', (b: Buffer) => Buffer.concat([b.subarray(0, 20), Buffer.from([(b[20] ?? 0) ^ 1]), b.subarray(21)])],
    ['another format', (b: Buffer) => Buffer.concat([Buffer.from('NXSMEMO2'), b.subarray(8)])],
    ['empty', () => Buffer.alloc(0)],
  ])('decode as "no record" when %s', (_what, damage) => {
    expect(decodeRecord(damage(encodeRecord(RECORD)), RECORD.dir)).toBeUndefined();
  });

  it('decode as "no record" when the record belongs to another folder (a copied cache, a name collision)', () => {
    expect(decodeRecord(encodeRecord(RECORD), '/data/other')).toBeUndefined();
  });
});

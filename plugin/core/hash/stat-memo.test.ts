import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContentIo } from './content';
import { nodeIo } from './content';
import { hashDir } from './dir-hasher';
import { FileHasher } from './file-hasher';
import { decodeRecord } from './memo-record';
import { RACY_WINDOW_NS } from './stat-key';
import type { Tree } from './test-utils/tree';
import { clockAhead, tempDir, writeTree } from './test-utils/tree';
import { hashBytes } from '../util/xxhash';

const ALL = { include: [], exclude: [] };

function recordFiles(memo: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.bin')) out.push(path.join(d, e.name));
    }
  };
  if (fs.existsSync(memo)) walk(memo);
  return out;
}

function recordOf(memo: string, dir: string): ReturnType<typeof decodeRecord> {
  for (const f of recordFiles(memo)) {
    const r = decodeRecord(fs.readFileSync(f), dir);
    if (r) return r;
  }
  return undefined;
}

/** A hasher as a later process would have it: the same memo folder, and a clock by which the test's files have settled. */
function nextProcess(memo: string): FileHasher {
  return new FileHasher(memo, { clock: clockAhead(60) });
}

/** Builds `tree` under a new folder, hashes its `data` folder in a first process and saves the memo. */
function hashedOnce(tree: Tree): { dir: string; memo: string; data: string; digest: string } {
  const dir = tempDir();
  const memo = path.join(dir, 'memo');
  const data = path.join(dir, 'data');
  writeTree(dir, tree);
  const first = nextProcess(memo);
  const digest = dirDigest(first, data);
  first.save();
  return { dir, memo, data, digest };
}

function dirDigest(h: FileHasher, dir: string): string {
  const r = hashDir(dir, ALL, h);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.digest;
}

describe('StatMemo: one record per folder, shared by processes', () => {
  it('keeps the entries of two processes that hashed different files of one folder and saved one after the other', () => {
    const dir = tempDir();
    const memo = path.join(dir, 'memo');
    writeTree(dir, { 'data/a.csv': 'a', 'data/b.csv': 'b' });
    const p1 = nextProcess(memo);
    const p2 = nextProcess(memo);
    p1.digest(path.join(dir, 'data/a.csv'));
    p2.digest(path.join(dir, 'data/b.csv')); // p2 loaded the record before p1 saved
    p1.save();
    p2.save(); // merges p1's entry instead of dropping it

    const p3 = nextProcess(memo);
    p3.digest(path.join(dir, 'data/a.csv'));
    p3.digest(path.join(dir, 'data/b.csv'));
    expect(p3.stats).toMatchObject({ hashed: 0, memoHits: 2 });
  });

  it('a lost or damaged record only costs a re-read, never a wrong digest', () => {
    const dir = tempDir();
    const memo = path.join(dir, 'memo');
    writeTree(dir, { 'data/a.csv': 'a' });
    const first = nextProcess(memo);
    first.digest(path.join(dir, 'data/a.csv'));
    first.save();
    const [record] = recordFiles(memo);
    if (!record) throw new Error('no record written');
    fs.writeFileSync(record, fs.readFileSync(record).subarray(0, 30)); // torn

    const second = nextProcess(memo);
    expect(second.digest(path.join(dir, 'data/a.csv'))).toBe(hashBytes('a'));
    expect(second.stats).toMatchObject({ hashed: 1, memoHits: 0 });
  });

  it('a re-check of an unchanged folder reads no file, and a later edit is seen', () => {
    const { memo, data, digest } = hashedOnce({ 'data/a.csv': 'a', 'data/sub/b.csv': 'b' });
    const again = nextProcess(memo);
    expect(dirDigest(again, data)).toBe(digest);
    expect(again.stats).toMatchObject({ hashed: 0, memoHits: 2 });

    fs.writeFileSync(path.join(data, 'sub/c.csv'), 'c');
    const edited = nextProcess(memo);
    expect(dirDigest(edited, data)).not.toBe(digest);
    expect(edited.stats).toMatchObject({ hashed: 1, memoHits: 2 });
  });

  it('forgets the files a folder no longer lists', () => {
    const { memo, data } = hashedOnce({ 'data/a.csv': 'a', 'data/b.csv': 'b' });
    expect([...(recordOf(memo, data)?.files.keys() ?? [])]).toEqual(['a.csv', 'b.csv']);

    fs.rmSync(path.join(data, 'b.csv'));
    const second = nextProcess(memo);
    dirDigest(second, data);
    second.save();
    expect([...(recordOf(memo, data)?.files.keys() ?? [])]).toEqual(['a.csv']);
  });

  describe("racy folder listings (an entry added within the same tick keeps the folder's key)", () => {
    /** A file system where the folder's stat never moves: what a same-tick change looks like. */
    function frozenFolder(folder: string): { io: ContentIo; frozen: fs.BigIntStats } {
      const frozen = nodeIo.stat(folder);
      return { frozen, io: { ...nodeIo, stat: (p) => (p === folder ? frozen : nodeIo.stat(p)) } };
    }

    it.each([
      ['does not trust a listing read while the folder was younger than the racy window', RACY_WINDOW_NS / 2n, 'sees the new file'],
      ['trusts the listing once the folder had settled before it was read (so the row above can fail)', 2n * RACY_WINDOW_NS, 'keeps the remembered listing'],
    ] as const)('%s', (_rule, readAfterChange, outcome) => {
      const dir = tempDir();
      const folder = path.join(dir, 'data');
      writeTree(dir, { 'data/a.csv': 'a' });
      const { io, frozen } = frozenFolder(folder);
      const h = new FileHasher(path.join(dir, 'memo'), { io, clock: () => frozen.ctimeNs + readAfterChange });
      const before = dirDigest(h, folder);
      fs.writeFileSync(path.join(folder, 'b.csv'), 'b');
      if (outcome === 'sees the new file') expect(dirDigest(h, folder)).not.toBe(before);
      else expect(dirDigest(h, folder)).toBe(before);
    });
  });
});

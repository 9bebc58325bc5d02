import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContentIo } from './content';
import { CHUNK_BYTES, nodeIo, readDigest } from './content';
import { HashError } from './hash-failure';
import { age, tempDir } from './test-utils/tree';
import { hashBytes } from '../util/xxhash';

function failureOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    if (e instanceof HashError) return e.failure;
    throw e;
  }
  throw new Error('expected a HashError');
}

describe('readDigest (streamed XXH3-128 of a file)', () => {
  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['exactly one read', CHUNK_BYTES],
    ['one byte past a read', CHUNK_BYTES + 1],
    ['several reads', 3 * CHUNK_BYTES + 12_345],
  ])('equals the one-shot digest of the same bytes: %s', (_name, size) => {
    const file = path.join(tempDir(), 'f.bin');
    const bytes = crypto.randomBytes(size);
    fs.writeFileSync(file, bytes);
    expect(readDigest(file, undefined)).toBe(hashBytes(bytes));
  });

  it('never asks for more than one chunk at a time, whatever the size', () => {
    const file = path.join(tempDir(), 'big.bin');
    fs.writeFileSync(file, crypto.randomBytes(4 * CHUNK_BYTES + 7));
    const asked: number[] = [];
    const io: ContentIo = { ...nodeIo, read: (fd, buf, length, position) => (asked.push(length), nodeIo.read(fd, buf, length, position)) };
    readDigest(file, undefined, io);
    expect(Math.max(...asked)).toBe(CHUNK_BYTES);
  });

  it('fails with `changed` when the file grows while it is read', () => {
    const file = path.join(tempDir(), 'growing.bin');
    fs.writeFileSync(file, crypto.randomBytes(2 * CHUNK_BYTES));
    let reads = 0;
    const io: ContentIo = {
      ...nodeIo,
      read: (fd, buf, length, position) => {
        reads += 1;
        if (reads === 1) fs.appendFileSync(file, 'more');
        return nodeIo.read(fd, buf, length, position);
      },
    };
    expect(failureOf(() => readDigest(file, undefined, io))).toEqual({ reason: 'changed', path: file });
  });

  it('fails with `changed` when a small file is rewritten with the same size during the read', () => {
    const file = path.join(tempDir(), 'small.csv');
    fs.writeFileSync(file, 'id\n1\n');
    age(file, 60); // so that the rewrite moves mtime, whatever the timestamp granularity
    const before = nodeIo.stat(file);
    const io: ContentIo = {
      ...nodeIo,
      read: (fd, buf, length, position) => {
        const n = nodeIo.read(fd, buf, length, position);
        fs.writeFileSync(file, 'id\n2\n'); // same size; mtime and ctime move on
        return n;
      },
    };
    expect(failureOf(() => readDigest(file, before, io))).toEqual({ reason: 'changed', path: file });
  });

  it('fails with `changed` when the path was replaced after the caller stat-ed it', () => {
    const dir = tempDir();
    const file = path.join(dir, 'a.csv');
    fs.writeFileSync(file, 'old');
    const before = nodeIo.stat(file);
    fs.writeFileSync(path.join(dir, 'tmp'), 'new');
    fs.renameSync(path.join(dir, 'tmp'), file); // another inode, same size
    expect(failureOf(() => readDigest(file, before))).toEqual({ reason: 'changed', path: file });
  });

  it('reports a missing file and a denied open as failures', () => {
    const file = path.join(tempDir(), 'nope.csv');
    expect(failureOf(() => readDigest(file, undefined))).toEqual({ reason: 'missing', path: file });
    const denied: ContentIo = {
      ...nodeIo,
      open: () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    };
    expect(failureOf(() => readDigest(file, undefined, denied))).toEqual({ reason: 'permission', path: file });
  });
});

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContentIo } from './content';
import { nodeIo } from './content';
import { FileHasher } from './file-hasher';
import { contentSettleNs, RACY_WINDOW_NS } from './stat-key';
import { age, clockAhead, tempDir, writeTree } from './test-utils/tree';
import { hashBytes } from '../util/xxhash';

function digestOf(h: FileHasher, file: string): string {
  const r = h.hashFile(file);
  if (!r.ok) throw new Error(`unexpected failure ${JSON.stringify(r.error)}`);
  return r.value;
}

describe('FileHasher: content identity', () => {
  it('gives the same digest to the same bytes at another path, and another digest to other bytes', () => {
    const dir = tempDir();
    writeTree(dir, { 'a/raw.csv': 'id,value\n1,2\n', 'elsewhere/copy.txt': 'id,value\n1,2\n', 'b/raw.csv': 'id,value\n1,3\n' });
    const h = new FileHasher(undefined);
    expect(digestOf(h, path.join(dir, 'a/raw.csv'))).toBe(digestOf(h, path.join(dir, 'elsewhere/copy.txt')));
    expect(digestOf(h, path.join(dir, 'a/raw.csv'))).toBe(hashBytes('id,value\n1,2\n'));
    expect(digestOf(h, path.join(dir, 'b/raw.csv'))).not.toBe(digestOf(h, path.join(dir, 'a/raw.csv')));
  });

  it('follows a symbolic link to its target', () => {
    const dir = tempDir();
    writeTree(dir, { 'real.csv': 'x', 'link.csv': { link: 'real.csv' } });
    expect(digestOf(new FileHasher(undefined), path.join(dir, 'link.csv'))).toBe(hashBytes('x'));
  });
});

describe('FileHasher: the persistent stat memo', () => {
  it('does not read an unchanged file again, in a later process (a new hasher on the same memo)', () => {
    const dir = tempDir();
    const memo = path.join(dir, 'memo');
    const file = path.join(dir, 'data.csv');
    fs.writeFileSync(file, 'a,b\n');
    const first = new FileHasher(memo, { clock: clockAhead(60) });
    const digest = digestOf(first, file);
    first.save();

    const second = new FileHasher(memo, { clock: clockAhead(60) });
    expect(digestOf(second, file)).toBe(digest);
    expect(second.stats).toEqual({ hashed: 0, memoHits: 1, bytesRead: 0 });
  });

  it('reads a file again when its bytes change, and when only its timestamps do (the key changes; the digest does not)', () => {
    const dir = tempDir();
    const memo = path.join(dir, 'memo');
    const file = path.join(dir, 'data.csv');
    fs.writeFileSync(file, 'a,b\n');
    const h = () => new FileHasher(memo, { clock: clockAhead(60) });
    const first = h();
    const before = digestOf(first, file);
    first.save();

    age(file, 30);
    const touched = h();
    expect(digestOf(touched, file)).toBe(before);
    expect(touched.stats.hashed).toBe(1);
    touched.save();

    fs.writeFileSync(file, 'a,c\n');
    const edited = h();
    expect(digestOf(edited, file)).toBe(hashBytes('a,c\n'));
    expect(edited.stats.hashed).toBe(1);
  });

  describe('racy edits (a rewrite within the same timestamp tick keeps the stat key)', () => {
    /** An io whose stat and fstat of `file` always answer `frozen`: the file system of a same-tick rewrite. */
    function frozenStat(file: string, frozen: fs.BigIntStats): ContentIo {
      return { ...nodeIo, stat: (p) => (p === file ? frozen : nodeIo.stat(p)), fstat: () => frozen };
    }

    it('does not trust a digest taken while the file was younger than the racy window', () => {
      const dir = tempDir();
      const file = path.join(dir, 'data.csv');
      fs.writeFileSync(file, 'v1,1\n');
      const frozen = nodeIo.stat(file);
      // Hashing starts within the window after the file's last change (here: right now).
      const now = () => frozen.ctimeNs + RACY_WINDOW_NS / 2n;
      const h = new FileHasher(path.join(dir, 'memo'), { clock: now, io: frozenStat(file, frozen) });
      expect(digestOf(h, file)).toBe(hashBytes('v1,1\n'));

      fs.writeFileSync(file, 'v2,2\n'); // same size; the frozen stat says nothing changed
      expect(digestOf(h, file)).toBe(hashBytes('v2,2\n'));
      expect(h.stats).toMatchObject({ hashed: 2, memoHits: 0 });
    });

    it('does not trust a digest taken within the write-back window of memory-mapped writes, which change bytes without touching mtime', () => {
      const dir = tempDir();
      const file = path.join(dir, 'data.csv');
      fs.writeFileSync(file, 'v1,1\n');
      const frozen = nodeIo.stat(file);
      // Past the racy window, but a page written through a shared mapping may still be dirty.
      const now = () => frozen.ctimeNs + contentSettleNs() - RACY_WINDOW_NS;
      const h = new FileHasher(path.join(dir, 'memo'), { clock: now, io: frozenStat(file, frozen) });
      expect(digestOf(h, file)).toBe(hashBytes('v1,1\n'));
      fs.writeFileSync(file, 'v2,2\n'); // what a mapped write does: new bytes, the same stat
      expect(digestOf(h, file)).toBe(hashBytes('v2,2\n'));
      expect(h.stats).toMatchObject({ hashed: 2, memoHits: 0 });
    });

    it('trusts the same stat key once the file had settled before hashing started (so the tests above can fail)', () => {
      const dir = tempDir();
      const file = path.join(dir, 'data.csv');
      fs.writeFileSync(file, 'v1,1\n');
      const frozen = nodeIo.stat(file);
      const later = () => frozen.ctimeNs + contentSettleNs() + RACY_WINDOW_NS;
      const h = new FileHasher(path.join(dir, 'memo'), { clock: later, io: frozenStat(file, frozen) });
      expect(digestOf(h, file)).toBe(hashBytes('v1,1\n'));
      fs.writeFileSync(file, 'v2,2\n');
      // A key that cannot see the edit returns the remembered digest: only the guard stands between this and a stale hit.
      expect(digestOf(h, file)).toBe(hashBytes('v1,1\n'));
      expect(h.stats).toMatchObject({ hashed: 1, memoHits: 1 });
    });

    it('on the real file system: write, hash, rewrite the same size and put the mtime back with utimes: the new bytes are hashed', () => {
      const dir = tempDir();
      const memo = path.join(dir, 'memo');
      const file = path.join(dir, 'data.csv');
      fs.writeFileSync(file, 'v1,1\n');
      const { atime, mtime } = fs.statSync(file);
      const first = new FileHasher(memo);
      expect(digestOf(first, file)).toBe(hashBytes('v1,1\n'));
      first.save();

      fs.writeFileSync(file, 'v2,2\n');
      fs.utimesSync(file, atime, mtime);
      const second = new FileHasher(memo);
      expect(digestOf(second, file)).toBe(hashBytes('v2,2\n'));
      expect(second.stats.memoHits).toBe(0);
    });
  });
});

describe('FileHasher.hashFile failures', () => {
  it('names a missing file, a broken link, a folder and a named pipe', () => {
    const dir = tempDir();
    writeTree(dir, { 'folder/x': 'x', 'dangling.csv': { link: 'gone.csv' }, pipe: { fifo: true } });
    const h = new FileHasher(undefined);
    const at = (rel: string) => path.join(dir, rel);
    expect(h.hashFile(at('nope.csv'))).toEqual({ ok: false, error: { reason: 'missing', path: at('nope.csv') } });
    expect(h.hashFile(at('dangling.csv'))).toEqual({ ok: false, error: { reason: 'broken-link', path: at('dangling.csv'), target: 'gone.csv' } });
    expect(h.hashFile(at('folder'))).toEqual({ ok: false, error: { reason: 'is-folder', path: at('folder') } });
    expect(h.hashFile(at('pipe'))).toEqual({ ok: false, error: { reason: 'special', path: at('pipe'), kind: 'named pipe' } });
  });

  it('names a file it may not read (injected EACCES: tests may run as root)', () => {
    const dir = tempDir();
    writeTree(dir, { 'secret.csv': 'x' });
    const file = path.join(dir, 'secret.csv');
    const io: ContentIo = {
      ...nodeIo,
      open: () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    };
    expect(new FileHasher(undefined, { io }).hashFile(file)).toEqual({ ok: false, error: { reason: 'permission', path: file } });
  });

  // As root, a child process drops the capabilities that bypass file permissions (setpriv, from util-linux).
  const isRoot = process.getuid?.() === 0;
  const canDropRoot = !isRoot || spawnSync('setpriv', ['--version']).status === 0;
  it.runIf(canDropRoot)('names a file it may not read, for real, in a process without privileges', () => {
    const dir = tempDir();
    const file = path.join(dir, 'secret.csv');
    writeTree(dir, { 'secret.csv': 'x' });
    fs.chmodSync(file, 0o000);
    const script = `const { FileHasher } = require(${JSON.stringify(path.join(__dirname, 'file-hasher.ts'))});
      process.stdout.write(JSON.stringify(new FileHasher(undefined).hashFile(${JSON.stringify(file)})));`;
    const node = [process.execPath, '--import', 'tsx', '-e', script];
    const r = isRoot
      ? spawnSync('setpriv', ['--inh-caps=-all', '--bounding-set=-all', '--', ...node], { encoding: 'utf8' })
      : spawnSync(process.execPath, node.slice(1), { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ ok: false, error: { reason: 'permission', path: file } });
  });
});

/**
 * The walker's contract (dir-walk.ts), one row per rule: what the walk
 * reports for each kind of entry, checked on a real folder through both of
 * its users, a `dir()` manifest (hash/dir-hasher.ts) and a fan-out's items
 * (discovery/list-files.ts), which must name the same files. The same rows
 * run again on a file system that reports no entry types (DT_UNKNOWN).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFiles } from '../discovery/list-files';
import { compareCodePoints } from './canonical';
import type { DirSelection } from './dir-selection';
import { Selection } from './dir-selection';
import { listManifest } from './dir-hasher';
import type { FolderSource } from './dir-walk';
import { diskFolders, readListing, walkFolder } from './dir-walk';
import { FileHasher } from './file-hasher';
import { EntryType } from './memo-record';
import type { Tree } from './test-utils/tree';
import { tempDir, writeTree } from './test-utils/tree';

const ALL: DirSelection = { include: [], exclude: [] };

/** What the walk reports, one line an entry: `file rel`, `loop rel -> ancestor`, `unreadable rel (reason)`. */
function walk(dir: string, sel: DirSelection, source: FolderSource<undefined>): string[] {
  const out: string[] = [];
  walkFolder(dir, fs.statSync(dir, { bigint: true }), new Selection(sel), source, {
    file: (rel, abs) => out.push(`file ${rel}${abs === path.join(dir, rel) ? '' : ' (bad abs)'}`),
    loop: (rel, ancestor) => out.push(`loop ${rel} -> ${ancestor}`),
    unreadable: (rel, failure) => out.push(`unreadable ${rel} (${failure.reason})`),
  });
  return out;
}

/** A file system that reports every entry's type as unknown, as some network and FUSE file systems do. */
const untyped: FolderSource<undefined> = {
  open: (abs) => {
    const { names } = readListing(abs);
    return { listing: { names, types: new Uint8Array(names.length).fill(EntryType.other) }, folder: undefined };
  },
  stat: diskFolders.stat,
};

interface Row {
  readonly rule: string;
  /** Built inside `root/in`; `root/out` is a folder outside it. */
  readonly tree: Tree;
  readonly outside?: Tree;
  readonly sel?: DirSelection;
  readonly walk: readonly string[];
}

const ROWS: readonly Row[] = [
  {
    rule: 'depth first, names in code-unit order; dotfiles and dot folders are entries like any other',
    tree: { 'b.csv': 'b', 'B.csv': 'B', 'a/z.csv': 'z', 'a-b.csv': 'ab', '.env': 'e', '.meta/x': 'x' },
    walk: ['file .env', 'file .meta/x', 'file B.csv', 'file a/z.csv', 'file a-b.csv', 'file b.csv'],
  },
  { rule: 'an empty folder reports nothing', tree: { 'a.csv': 'a', 'empty/': { dir: true }, 'e2/deeper/': { dir: true } }, walk: ['file a.csv'] },
  { rule: '.nx-steps folders are never walked', tree: { 'a.csv': 'a', '.nx-steps/out/x': '1', 'sub/.nx-steps/y': '1' }, walk: ['file a.csv'] },
  {
    rule: 'a link to a file inside is reported under its own path',
    tree: { 'a.csv': 'a', 'latest.csv': { link: 'a.csv' } },
    walk: ['file a.csv', 'file latest.csv'],
  },
  {
    rule: 'a link to a folder inside is walked under its own path',
    tree: { 'runs/1/m.csv': 'm', current: { link: 'runs/1' } },
    walk: ['file current/m.csv', 'file runs/1/m.csv'],
  },
  {
    rule: 'links escaping the folder are followed, to a file and to a folder',
    tree: { 'f.csv': { link: '../out/x.csv' }, d: { link: '../out' } },
    outside: { 'x.csv': 'x', 'y/z.csv': 'z' },
    walk: ['file d/x.csv', 'file d/y/z.csv', 'file f.csv'],
  },
  {
    rule: 'a link to an ancestor (or to its own folder) is a loop, reported and not followed',
    tree: { 'a.csv': 'a', 'sub/b.csv': 'b', 'sub/up': { link: '..' }, 'sub/self': { link: '.' } },
    walk: ['file a.csv', 'file sub/b.csv', 'loop sub/self -> sub', 'loop sub/up -> .'],
  },
  {
    rule: 'a loop that leaves the folder and comes back in is found by inode, under the path it was reached by',
    tree: { 'a.csv': 'a', away: { link: '../out' } },
    outside: { 'o.csv': 'o', back: { link: '../in' } },
    walk: ['file a.csv', 'loop away/back -> .', 'file away/o.csv'],
  },
  {
    rule: 'a link cycle (x -> y -> x) and a broken link are unreadable, not errors of the walk',
    tree: { 'a.csv': 'a', x: { link: 'y' }, y: { link: 'x' }, 'latest.csv': { link: 'run-7.csv' } },
    walk: ['file a.csv', 'unreadable latest.csv (broken-link)', 'unreadable x (broken-link)', 'unreadable y (broken-link)'],
  },
  {
    rule: 'a named pipe is unreadable (reading it would block)',
    tree: { 'a.csv': 'a', 'sub/pipe': { fifo: true } },
    walk: ['file a.csv', 'unreadable sub/pipe (special)'],
  },
  {
    rule: 'unselected and excluded entries are not reported, whatever they are; an excluded folder is not read',
    tree: { 'a.csv': 'a', 'b.txt': 'b', 'gone.txt': { link: 'nowhere' }, 'tmp/pipe': { fifo: true }, 'sub/up': { link: '..' }, 'raw/c.csv': 'c' },
    sel: { include: ['**/*.csv'], exclude: ['tmp', 'raw'] },
    walk: ['file a.csv'],
  },
  {
    rule: 'a loop is reported when include selects its path',
    tree: { 'a.csv': 'a', 'sub/up': { link: '..' } },
    sel: { include: ['sub/**'], exclude: [] },
    walk: ['loop sub/up -> .'],
  },
];

function build(row: Row): string {
  const root = tempDir();
  writeTree(path.join(root, 'in'), row.tree);
  fs.mkdirSync(path.join(root, 'in'), { recursive: true });
  writeTree(path.join(root, 'out'), row.outside ?? {});
  return path.join(root, 'in');
}

describe('the folder walker', () => {
  it.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const dir = build(row);
    const sel = row.sel ?? ALL;
    expect(walk(dir, sel, diskFolders)).toEqual(row.walk);
    expect(walk(dir, sel, untyped), 'on a file system without entry types').toEqual(row.walk);
  });

  it.each(ROWS.map((r) => [r.rule, r] as const))('dir() and a fan-out agree: %s', (_rule, row) => {
    const dir = build(row);
    const sel = row.sel ?? ALL;
    const files = row.walk.filter((l) => l.startsWith('file ')).map((l) => l.slice('file '.length));
    const unreadable = row.walk.filter((l) => l.startsWith('unreadable ')).map((l) => l.split(' ')[1] as string);
    const manifest = listManifest(dir, sel, new FileHasher(undefined));
    if (unreadable.length === 0) {
      expect(manifest.ok && manifest.value.map((e) => ('digest' in e ? `file ${e.rel}` : `loop ${e.rel} -> ${e.loopTo}`))).toEqual(
        row.walk.filter((l) => !l.startsWith('unreadable ')),
      );
    } else {
      // dir() fails on the first one; the fan-out makes each an item, which fails with the same reason when it runs.
      expect(manifest.ok ? undefined : path.relative(dir, manifest.error.path)).toBe(unreadable[0]);
    }
    expect(listFiles(dir, sel)).toEqual({ ok: true, files: [...files, ...unreadable].sort(compareCodePoints) });
  });

  it('a folder that vanishes between its stat and its listing fails the walk (it changed); a fan-out says why it cannot list', () => {
    const dir = build({ rule: '', tree: { 'a.csv': 'a', 'sub/b.csv': 'b' }, walk: [] });
    const sub = path.join(dir, 'sub');
    const vanishing: FolderSource<undefined> = {
      ...diskFolders,
      open: (abs, st) => {
        if (abs === sub) fs.rmSync(sub, { recursive: true });
        return diskFolders.open(abs, st);
      },
    };
    expect(() => walk(dir, ALL, vanishing)).toThrow(`${sub} changed while it was being hashed`);
    expect(listFiles(path.join(dir, 'a.csv'), ALL)).toEqual({ ok: false, message: 'it is a file, not a folder' });
    expect(listFiles(path.join(dir, 'missing'), ALL)).toEqual({ ok: false, message: 'it does not exist' });
  });
});

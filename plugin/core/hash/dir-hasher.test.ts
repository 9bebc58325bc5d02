/**
 * The semantics of `dir(path, { include, exclude })`, one row per rule, as
 * docs/hashing.md states them. Each row builds a folder, hashes it, changes
 * something (or builds a second folder) and says whether the digest must
 * move, which manifest it must have, or why it must fail.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DirSelection } from './dir-selection';
import { hashDir, listManifest } from './dir-hasher';
import { FileHasher } from './file-hasher';
import type { HashFailure } from './hash-failure';
import type { Tree } from './test-utils/tree';
import { age, tempDir, writeTree } from './test-utils/tree';
import { hashBytes } from '../util/xxhash';

const ALL: DirSelection = { include: [], exclude: [] };
const BASE: Tree = { 'a.csv': 'a', 'sub/b.csv': 'b' };

function digest(dir: string, sel: DirSelection = ALL): string {
  const r = hashDir(dir, sel, new FileHasher(undefined));
  if (!r.ok) throw new Error(`unexpected failure ${JSON.stringify(r.error)}`);
  return r.value.digest;
}

/** The manifest as `path` (file) or `path -> ancestor` (loop) lines, with each file's content instead of its digest. */
function manifest(dir: string, sel: DirSelection = ALL): string[] {
  const entries = listManifest(dir, sel, new FileHasher(undefined));
  if (!entries.ok) throw new Error(`unexpected failure ${JSON.stringify(entries.error)}`);
  return entries.value.map((e) => {
    if (!('digest' in e)) return `${e.rel} -> loop to ${e.loopTo}`;
    const text = fs.readFileSync(path.join(dir, e.rel), 'utf8');
    expect(e.digest).toBe(hashBytes(text));
    return `${e.rel}=${text}`;
  });
}

function failure(dir: string, sel: DirSelection = ALL): HashFailure {
  const r = hashDir(dir, sel, new FileHasher(undefined));
  if (r.ok) throw new Error('expected a failure');
  return r.error;
}

interface ChangeRow {
  readonly rule: string;
  readonly tree?: Tree;
  readonly sel?: DirSelection;
  /** Applied to the folder (and its parent, for things outside it) between the two hashes. */
  readonly change: (dir: string, parent: string) => void;
  readonly digest: 'same' | 'changes';
}

const CHANGES: readonly ChangeRow[] = [
  { rule: 'editing a file changes it', change: (d) => fs.writeFileSync(path.join(d, 'a.csv'), 'A'), digest: 'changes' },
  { rule: 'touching a file (timestamps only) does not', change: (d) => age(path.join(d, 'a.csv'), 100), digest: 'same' },
  { rule: 'renaming a file inside changes it', change: (d) => fs.renameSync(path.join(d, 'a.csv'), path.join(d, 'c.csv')), digest: 'changes' },
  {
    rule: 'moving a file between folders inside changes it',
    change: (d) => fs.renameSync(path.join(d, 'a.csv'), path.join(d, 'sub/a.csv')),
    digest: 'changes',
  },
  { rule: 'an empty folder does not count', change: (d) => fs.mkdirSync(path.join(d, 'empty/deeper'), { recursive: true }), digest: 'same' },
  { rule: 'an empty file counts', change: (d) => fs.writeFileSync(path.join(d, 'empty.csv'), ''), digest: 'changes' },
  { rule: 'a dotfile counts', change: (d) => fs.writeFileSync(path.join(d, '.env'), 'KEY=1'), digest: 'changes' },
  { rule: 'a file in a dot-folder counts', change: (d) => writeTree(d, { '.cache/x': 'x' }), digest: 'changes' },
  {
    rule: 'a gitignored file counts (.gitignore is never read)',
    tree: { ...BASE, '.gitignore': '*.parquet\n' },
    change: (d) => fs.writeFileSync(path.join(d, 'big.parquet'), 'data'),
    digest: 'changes',
  },
  {
    rule: 'editing the target of a link that escapes the folder changes it',
    tree: { ...BASE, 'shared.csv': { link: '../outside.csv' } },
    change: (_d, parent) => fs.writeFileSync(path.join(parent, 'outside.csv'), 'edited'),
    digest: 'changes',
  },
  {
    rule: 'editing a file inside a linked folder outside changes it',
    tree: { ...BASE, ext: { link: '../outside-dir' } },
    change: (_d, parent) => fs.writeFileSync(path.join(parent, 'outside-dir/x.csv'), 'edited'),
    digest: 'changes',
  },
  {
    rule: 'retargeting a link to a file with the same bytes does not change it (content, not path)',
    tree: { ...BASE, 'link.csv': { link: 'a.csv' }, 'a-copy.csv': 'a' },
    change: (d) => {
      fs.rmSync(path.join(d, 'link.csv'));
      fs.symlinkSync('a-copy.csv', path.join(d, 'link.csv'));
    },
    digest: 'same',
  },
  {
    rule: 'an excluded file does not count',
    sel: { include: [], exclude: ['**/*.tmp'] },
    change: (d) => fs.writeFileSync(path.join(d, 'sub/scratch.tmp'), 'x'),
    digest: 'same',
  },
  {
    rule: 'a file the include patterns do not select does not count',
    sel: { include: ['**/*.csv'], exclude: [] },
    change: (d) => fs.writeFileSync(path.join(d, 'notes.md'), 'x'),
    digest: 'same',
  },
  {
    rule: "nx-steps' own .nx-steps folders never count",
    change: (d) => writeTree(d, { '.nx-steps/out/step/value.json': '1', 'sub/.nx-steps/x': '1' }),
    digest: 'same',
  },
  {
    rule: 'case matters: renaming a.csv to A.csv changes it',
    change: (d) => {
      fs.renameSync(path.join(d, 'a.csv'), path.join(d, 'tmp'));
      fs.renameSync(path.join(d, 'tmp'), path.join(d, 'A.csv'));
    },
    digest: 'changes',
  },
];

describe('dir(): what changes the digest', () => {
  it.each(CHANGES.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const parent = tempDir();
    const dir = path.join(parent, 'data');
    writeTree(parent, { 'outside.csv': 'outside', 'outside-dir/x.csv': 'x' });
    writeTree(dir, row.tree ?? BASE);
    const before = digest(dir, row.sel);
    row.change(dir, parent);
    const after = digest(dir, row.sel);
    if (row.digest === 'same') expect(after).toBe(before);
    else expect(after).not.toBe(before);
  });
});

interface ManifestRow {
  readonly rule: string;
  readonly tree: Tree;
  readonly sel?: DirSelection;
  readonly manifest: readonly string[];
}

const MANIFESTS: readonly ManifestRow[] = [
  {
    rule: 'every file, depth first, names in code-unit order (upper case before lower, "-" before "/")',
    tree: { 'b.csv': 'b', 'B.csv': 'B', 'a/z.csv': 'z', 'a-b.csv': 'ab', '.env': 'e' },
    manifest: ['.env=e', 'B.csv=B', 'a/z.csv=z', 'a-b.csv=ab', 'b.csv=b'],
  },
  {
    rule: 'a link inside the folder is hashed as its target, under its own path',
    tree: { 'a.csv': 'a', 'latest.csv': { link: 'a.csv' } },
    manifest: ['a.csv=a', 'latest.csv=a'],
  },
  {
    rule: 'a link to a folder is walked under its own path',
    tree: { 'runs/1/m.csv': 'm', current: { link: 'runs/1' } },
    manifest: ['current/m.csv=m', 'runs/1/m.csv=m'],
  },
  {
    rule: 'a link back to an ancestor folder is a loop: recorded, not followed',
    tree: { 'a.csv': 'a', 'sub/b.csv': 'b', 'sub/up': { link: '..' }, 'sub/self': { link: '.' } },
    manifest: ['a.csv=a', 'sub/b.csv=b', 'sub/self -> loop to sub', 'sub/up -> loop to .'],
  },
  {
    rule: 'include selects files; exclude removes files and prunes folders; exclude wins',
    tree: { 'a.csv': 'a', 'b.txt': 'b', 'raw/c.csv': 'c', 'keep/d.csv': 'd', 'keep/e.csv': 'e' },
    sel: { include: ['**/*.csv'], exclude: ['raw', 'keep/e.csv'] },
    manifest: ['a.csv=a', 'keep/d.csv=d'],
  },
  {
    rule: 'the order of the patterns does not matter',
    tree: { 'a.csv': 'a', 'b.txt': 'b', 'raw/c.csv': 'c', 'keep/d.csv': 'd', 'keep/e.csv': 'e' },
    sel: { include: ['keep/**', '*.csv'], exclude: ['keep/e.csv', 'raw/**'] },
    manifest: ['a.csv=a', 'keep/d.csv=d'],
  },
  {
    rule: 'a "!" pattern in include leaves files out, like an exclude',
    tree: { 'a.csv': 'a', 'secret.csv': 's', 'b.txt': 'b' },
    sel: { include: ['*.csv', '!secret.csv'], exclude: [] },
    manifest: ['a.csv=a'],
  },
  {
    rule: 'wildcards match dotfiles; "**/.*" excludes them',
    tree: { '.env': 'e', 'a.csv': 'a', '.git/HEAD': 'h' },
    sel: { include: [], exclude: ['**/.*'] },
    manifest: ['a.csv=a'],
  },
  {
    rule: 'patterns are case-sensitive on every platform',
    tree: { 'a.CSV': 'A', 'b.csv': 'b' },
    sel: { include: ['*.csv'], exclude: [] },
    manifest: ['b.csv=b'],
  },
  {
    rule: 'patterns with a POSIX class or a brace range keep every character (picomatch 2 dropped one next to a "." or "|")',
    tree: { 'run_1_out.csv': '1', 'run_x_out.csv': 'x', 'part-1.csv': 'c', 'part-2.tsv': 't', 'part-4.csv': '4', 'part-1sv': 's' },
    sel: { include: ['run_[[:digit:]]_out.csv', 'part-{1..3}.@(csv|tsv)'], exclude: [] },
    manifest: ['part-1.csv=c', 'part-2.tsv=t', 'run_1_out.csv=1'],
  },
  {
    rule: 'a backslash escapes the next character',
    tree: { 'a*.csv': 'star', 'ab.csv': 'b', 'a/b.csv': 'ab' },
    sel: { include: ['a\\*.csv'], exclude: [] },
    manifest: ['a*.csv=star'],
  },
  { rule: 'an empty folder is a valid argument with an empty manifest', tree: { 'empty/': { dir: true } }, manifest: [] },
];

describe('dir(): which entries are in the manifest', () => {
  it.each(MANIFESTS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const dir = tempDir();
    writeTree(dir, row.tree);
    expect(manifest(dir, row.sel)).toEqual(row.manifest);
  });
});

interface FailureRow {
  readonly rule: string;
  readonly tree: Tree;
  readonly sel?: DirSelection;
  /** The failure, with paths relative to the folder; undefined: hashing succeeds. */
  readonly fails: { readonly reason: HashFailure['reason']; readonly path: string } | undefined;
}

const FAILURES: readonly FailureRow[] = [
  { rule: 'a broken link is an error', tree: { ...BASE, 'latest.csv': { link: 'run-7.csv' } }, fails: { reason: 'broken-link', path: 'latest.csv' } },
  {
    rule: 'an excluded broken link is ignored',
    tree: { ...BASE, 'latest.csv': { link: 'run-7.csv' } },
    sel: { include: [], exclude: ['latest.csv'] },
    fails: undefined,
  },
  {
    rule: 'a broken link that include does not select is ignored',
    tree: { ...BASE, latest: { link: 'run-7' } },
    sel: { include: ['**/*.csv'], exclude: [] },
    fails: undefined,
  },
  { rule: 'a link cycle (x -> y -> x) is a broken link', tree: { ...BASE, x: { link: 'y' }, y: { link: 'x' } }, fails: { reason: 'broken-link', path: 'x' } },
  { rule: 'a named pipe is an error (reading it would block)', tree: { ...BASE, 'sub/pipe': { fifo: true } }, fails: { reason: 'special', path: 'sub/pipe' } },
  {
    rule: 'a named pipe in a pruned folder is never even looked at',
    tree: { ...BASE, 'tmp/pipe': { fifo: true } },
    sel: { include: [], exclude: ['tmp'] },
    fails: undefined,
  },
];

describe('dir(): what fails', () => {
  it.each(FAILURES.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const dir = tempDir();
    writeTree(dir, row.tree);
    const r = hashDir(dir, row.sel ?? ALL, new FileHasher(undefined));
    if (!row.fails) expect(r.ok).toBe(true);
    else expect(r.ok ? undefined : { reason: r.error.reason, path: path.relative(dir, r.error.path) }).toEqual(row.fails);
  });

  it('a file declared as a folder, a missing folder, and a broken link as the folder itself', () => {
    const dir = tempDir();
    writeTree(dir, { 'a.csv': 'a', gone: { link: 'nowhere' } });
    expect(failure(path.join(dir, 'a.csv'))).toEqual({ reason: 'not-folder', path: path.join(dir, 'a.csv') });
    expect(failure(path.join(dir, 'nope'))).toEqual({ reason: 'missing', path: path.join(dir, 'nope') });
    expect(failure(path.join(dir, 'gone'))).toEqual({ reason: 'broken-link', path: path.join(dir, 'gone'), target: 'nowhere' });
  });
});

describe('dir(): identity', () => {
  it('moving the whole folder does not change the digest; the same files built in another order give the same digest', () => {
    const parent = tempDir();
    writeTree(path.join(parent, 'one'), { 'x/1.csv': '1', 'y.csv': 'y', '2.csv': '2' });
    writeTree(path.join(parent, 'two'), { '2.csv': '2', 'y.csv': 'y', 'x/1.csv': '1' });
    const one = digest(path.join(parent, 'one'));
    expect(digest(path.join(parent, 'two'))).toBe(one);
    fs.renameSync(path.join(parent, 'one'), path.join(parent, 'moved'));
    expect(digest(path.join(parent, 'moved'))).toBe(one);
  });

  it('is XXH3-128 of the documented manifest encoding, also when the manifest spans many 64 KiB blocks', () => {
    const dir = tempDir();
    const tree: Record<string, string> = {};
    for (let i = 0; i < 700; i++) tree[`dönnées-${String(i).padStart(4, '0')}-${'x'.repeat(200)}.csv`] = String(i);
    writeTree(dir, { ...tree, 'sub/up': { link: '..' } });
    const entries = listManifest(dir, ALL, new FileHasher(undefined));
    if (!entries.ok) throw new Error('unexpected failure');
    const encoded = [
      'nx-steps-dir-v2\n',
      ...entries.value.map((e) => ('digest' in e ? `F${e.rel.length}:${e.rel}${e.digest}` : `L${e.rel.length}:${e.rel}${e.loopTo.length}:${e.loopTo}`)),
    ].join('');
    expect(Buffer.byteLength(encoded)).toBeGreaterThan(2 * 64 * 1024);
    expect(digest(dir)).toBe(hashBytes(encoded));
  });
});

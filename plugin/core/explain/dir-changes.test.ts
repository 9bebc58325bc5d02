import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArgPart } from '../fingerprint/fingerprint';
import type { ManifestEntry } from '../hash/dir-hasher';
import { DirListings, MAX_FILES } from '../hash/dir-listings';
import { describeFileChanges, diffListings, withDirFiles } from './dir-changes';
import type { KeyChange } from './fingerprint-diff';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function store(): DirListings {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-listings-'));
  dirs.push(dir);
  return new DirListings(path.join(dir, 'dir-listings'));
}

const f = (rel: string, digest: string): ManifestEntry => ({ rel, digest });

describe('diffListings', () => {
  it('names added, removed and modified paths, sorted; a retargeted loop is a modification', () => {
    const before = [f('a.csv', '1'), f('b.csv', '2'), f('old/c.csv', '3'), { rel: 'up', loopTo: '.' }];
    const after = [f('a.csv', '1'), f('b.csv', '9'), f('new/d.csv', '4'), f('new/c.csv', '3'), { rel: 'up', loopTo: 'sub' }];
    expect(diffListings(before, after)).toEqual({ added: ['new/c.csv', 'new/d.csv'], removed: ['old/c.csv'], modified: ['b.csv', 'up'] });
  });

  it('counts, and names the first three, when many changed', () => {
    const many = Array.from({ length: 120 }, (_, i) => `img/${String(i).padStart(3, '0')}.png`);
    expect(describeFileChanges({ added: many, removed: ['x.csv'], modified: [] })).toBe(
      '120 added (img/000.png, img/001.png, img/002.png and 117 more), 1 removed (x.csv)',
    );
  });
});

describe('withDirFiles: the message of a changed dir argument', () => {
  const change: KeyChange = { part: 'args', name: 'images', kind: 'changed', message: 'argument images: content of etl/images changed' };
  const part = (digest: string, files: number): ArgPart => ({ kind: 'dir', digest, path: 'etl/images', files });

  it('names the files, from the manifests stored under both digests', () => {
    const listings = store();
    listings.save('d1', [f('a.csv', '1'), f('b.csv', '2')]);
    listings.save('d2', [f('a.csv', '1'), f('b.csv', '3'), f('c.csv', '4')]);
    const out = withDirFiles(change, part('d1', 2), part('d2', 3), listings);
    expect(out.message).toBe('argument images: content of etl/images changed (2 → 3 files): 1 added (c.csv), 1 modified (b.csv)');
    expect(out.files).toEqual({ added: ['c.csv'], removed: [], modified: ['b.csv'], counts: { added: 1, removed: 0, modified: 1 } });
  });

  it('says why it cannot name them when the earlier manifest is gone', () => {
    const listings = store();
    listings.save('d2', [f('a.csv', '1')]);
    expect(withDirFiles(change, part('d1', 1), part('d2', 1), listings).message).toBe(
      'argument images: content of etl/images changed; which files changed is not known: the listing of its earlier content is not in .nx-steps/cache (deleted, or too large to keep)',
    );
  });

  it('leaves other changes alone', () => {
    const param: KeyChange = { part: 'params', name: 'images', kind: 'changed', message: 'param images: 1 → 2' };
    expect(withDirFiles(param, part('d1', 1), part('d2', 1), store())).toBe(param);
  });
});

describe('DirListings', () => {
  it('round-trips a manifest, never rewrites one, and reads a damaged file as absent', () => {
    const listings = store();
    const entries = [f('a b\n.csv', 'ff'), { rel: 'loop', loopTo: '.' }];
    listings.save('d1', entries);
    expect(listings.load('d1')).toEqual(entries);
    listings.save('d1', [f('other', '00')]);
    expect(listings.load('d1')).toEqual(entries);
    const file = path.join((listings as unknown as { dir: string }).dir, 'd1.json.gz');
    fs.writeFileSync(file, '{}');
    expect(listings.load('d1')).toBeUndefined();
    expect(listings.load('never')).toBeUndefined();
  });

  it('does not keep the manifest of a folder larger than MAX_FILES', () => {
    const listings = store();
    listings.save(
      'big',
      Array.from({ length: MAX_FILES + 1 }, (_, i) => f(String(i), '0')),
    );
    expect(listings.has('big')).toBe(false);
  });
});

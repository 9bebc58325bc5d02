import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../hash/test-utils/tree';
import { DiskCache } from './disk-cache';

const fileOf = (root: string, ns: string, key: string) => path.join(root, '.nx-steps/cache', ns, key.slice(0, 2), `${key}.json`);

describe('DiskCache', () => {
  it('an intact entry of another key, copied or renamed over this one, is a miss (every entry names its key)', () => {
    const root = tempDir('nxs-disk-cache-');
    const cache = new DiskCache(root);
    cache.set('parse', 'aa11', { file: 'a.pipeline.ts' });
    cache.set('parse', 'bb22', { file: 'b.pipeline.ts' });
    cache.set('modules', 'aa11', { decls: {} });
    expect(cache.get('parse', 'aa11')).toEqual({ file: 'a.pipeline.ts' });
    fs.copyFileSync(fileOf(root, 'parse', 'bb22'), fileOf(root, 'parse', 'aa11'));
    expect(cache.get('parse', 'aa11')).toBeUndefined();
    // The same key in another namespace is another entry too.
    fs.copyFileSync(fileOf(root, 'modules', 'aa11'), fileOf(root, 'parse', 'aa11'));
    expect(cache.get('parse', 'aa11')).toBeUndefined();
    expect(cache.get('parse', 'bb22')).toEqual({ file: 'b.pipeline.ts' });
  });

  it('damage is a miss, and the next write repairs it, a folder in the way included', () => {
    const root = tempDir('nxs-disk-cache-');
    const cache = new DiskCache(root);
    cache.set('closures', 'cc33', [1]);
    const file = fileOf(root, 'closures', 'cc33');
    for (const damaged of ['', '{}', 'x'.repeat(40), fs.readFileSync(file, 'utf8').slice(0, -2)]) {
      fs.writeFileSync(file, damaged);
      expect(cache.get('closures', 'cc33')).toBeUndefined();
    }
    fs.rmSync(file);
    fs.mkdirSync(path.join(file, 'inside'), { recursive: true });
    expect(cache.get('closures', 'cc33')).toBeUndefined();
    cache.set('closures', 'cc33', [2]);
    expect(cache.get('closures', 'cc33')).toEqual([2]);
  });
});

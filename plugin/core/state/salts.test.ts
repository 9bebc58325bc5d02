import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../hash/test-utils/tree';
import { backupOf, readSaltFile, SALTS_FILE, updateSalts, withSalt } from './salts';

describe('the salts file', () => {
  it('a damaged file is read from its backup; with both damaged, a change fails loudly and writes nothing', () => {
    const dir = tempDir('nxs-salts-');
    const file = path.join(dir, SALTS_FILE);
    const first = updateSalts(file, (s) => withSalt(s, 'etl_one_1', 'base-1', 'clear'));
    expect(first.ok).toBe(true);
    fs.writeFileSync(file, 'garbage{');
    const repaired = readSaltFile(file);
    expect(repaired.damaged).toBeUndefined();
    expect(repaired.repaired).toMatch(/not JSON/);
    expect(Object.keys(repaired.salts)).toEqual(['etl_one_1']);
    // A change of a damaged file with a sound backup keeps every salt.
    const second = updateSalts(file, (s) => withSalt(s, 'etl_two_2', 'base-2', 'clear'));
    expect(second.ok && Object.keys(second.value).sort()).toEqual(['etl_one_1', 'etl_two_2']);
    fs.writeFileSync(file, '{"version":2,"steps":7}');
    fs.writeFileSync(backupOf(file), '');
    expect(readSaltFile(file).damaged).toBe('it holds no salts');
    const third = updateSalts(file, (s) => withSalt(s, 'etl_three_3', 'base-3', 'clear'));
    expect(third).toEqual({ ok: false, error: `the salts file ${file} is damaged: it holds no salts` });
    expect(fs.readFileSync(file, 'utf8')).toBe('{"version":2,"steps":7}');
  });

  it("another workspace's salts file is not this one's", () => {
    const here = tempDir('nxs-salts-');
    const there = tempDir('nxs-salts-');
    updateSalts(path.join(there, SALTS_FILE), (s) => withSalt(s, 'etl_one_1', 'base-1', 'clear'));
    fs.copyFileSync(path.join(there, SALTS_FILE), path.join(here, SALTS_FILE));
    expect(readSaltFile(path.join(here, SALTS_FILE)).damaged).toBe(`it was written for ${there}, not here`);
  });
});

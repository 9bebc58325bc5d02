import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEntryCache } from './nx-cache';
import { cacheInternals, databaseDirUnknown, dependencyIds, isTestedNx, nxDatabaseDir, nxVersion } from './nx-internals';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

/** A workspace whose node_modules/nx is a stand-in: `files` are its modules (path under nx/ → CommonJS source). */
function fakeNx(version: string, files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-fake-nx-'));
  roots.push(root);
  const nx = path.join(root, 'node_modules/nx');
  fs.mkdirSync(nx, { recursive: true });
  fs.writeFileSync(path.join(nx, 'package.json'), JSON.stringify({ name: 'nx', version }));
  for (const [rel, source] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(nx, rel)), { recursive: true });
    fs.writeFileSync(path.join(nx, rel), source);
  }
  return root;
}

describe('the tested Nx range', () => {
  it('is 22.7 up to 25', () => {
    expect(['22.6.9', '22.7.0', '22.7.12', '23.0.0', '23.3.2', '24.0.7', '25.0.0'].map(isTestedNx)).toEqual([false, true, true, true, true, true, false]);
  });
});

describe("the installed nx (this repository's)", () => {
  it('has every internal nx-steps uses, in the shape it expects', () => {
    expect(typeof cacheInternals(process.cwd())).toBe('object');
    expect(nxDatabaseDir(process.cwd())).toEqual(expect.any(String));
    expect(isTestedNx(nxVersion(process.cwd()) ?? '')).toBe(true);
  });
});

describe('an Nx that moved an internal', () => {
  const moved = {
    'src/tasks-runner/cache.js': 'exports.DbCache = class DbCache { get() {} copyFilesFromCache() {} getRemoteCache() {} };',
    'src/hasher/hash-task.js': 'exports.hashTask = () => undefined;',
    'src/utils/db-connection.js': 'exports.getDbConnection = () => undefined;',
    'src/utils/cache-directory.js': 'exports.cacheDir = "/x";',
  };

  it('is refused with what is missing and the version, against the tested ones', () => {
    expect(cacheInternals(fakeNx('25.0.1', moved))).toBe(
      'nx 25.0.1, which nx-steps is not tested with (it is tested with nx 22.7 to 24.x), does not have DbCache.put, getTaskDetails where nx-steps expects them',
    );
    expect(nxDatabaseDir(fakeNx('25.0.1', moved))).toBeUndefined();
    expect(databaseDirUnknown(fakeNx('25.0.1', moved))).toMatch(/^nx 25\.0\.1, which nx-steps is not tested with .* does not say where its cache index lives/);
  });

  it('turns step-keyed entries off with one note, and the caller goes on', async () => {
    const notes: string[] = [];
    const cache = await openEntryCache(fakeNx('25.0.1', moved), { project: 'p', target: 's' }, {}, (m) => notes.push(m));
    expect(cache).toBeUndefined();
    expect(notes).toEqual([expect.stringMatching(/^step-keyed cache entries are off: nx 25\.0\.1, .* does not have DbCache\.put, getTaskDetails/)]);
  });

  it('a module that throws while loading is a reason too', () => {
    const root = fakeNx('24.9.0', { 'src/tasks-runner/cache.js': 'throw new Error("native binding missing");' });
    expect(cacheInternals(root)).toBe('the cache of nx 24.9.0 could not be loaded (native binding missing)');
  });
});

describe("Nx 22.7's database folder (db-connection keeps sharedWorkspaceDataDirectory private)", () => {
  it("is the main worktree's workspace-data folder, computed as Nx 22.7 computes it", () => {
    const root = fakeNx('22.7.12', {
      'src/utils/db-connection.js': 'exports.getDbConnection = () => undefined;',
      'src/utils/cache-directory.js': 'exports.workspaceDataDirectoryForWorkspace = (root) => root + "/.nx/workspace-data";',
      'src/native/index.js': 'exports.getMainWorktreeRoot = (root) => (root.endsWith("-worktree") ? "/main" : null);',
    });
    expect(nxDatabaseDir(root)).toBe(`${root}/.nx/workspace-data`);
    fs.renameSync(root, `${root}-worktree`);
    roots.push(`${root}-worktree`);
    expect(nxDatabaseDir(`${root}-worktree`)).toBe('/main/.nx/workspace-data');
  });
});

describe("a batch's task graph", () => {
  it('gives the dependencies of a task as ids, whether Nx lists ids (22.7, 23.x) or edges (24)', () => {
    expect(dependencyIds({ dependencies: { 'etl:report': ['etl:summarize'] } }, 'etl:report')).toEqual(['etl:summarize']);
    expect(dependencyIds({ dependencies: { 'etl:report': [{ id: 'etl:summarize' }] } }, 'etl:report')).toEqual(['etl:summarize']);
    expect(dependencyIds({ dependencies: {} }, 'etl:load_data')).toEqual([]);
  });
});

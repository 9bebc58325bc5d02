import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { logger, readJson } from '@nx/devkit';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { describe, expect, it, vi } from 'vitest';
import { emptyLock, LOCK_FILE } from '../shared/lock';
import { emptyWorkspace, pendingWrites } from '../test-utils/tree';
import { devkitMismatch, INSTALL_SCRIPTS_NOTE, initGenerator } from './generator';

describe('nx-steps:init', () => {
  it('registers the plugin and the sync generator, ignores .nx-steps and creates an empty lock', async () => {
    const tree = emptyWorkspace();
    await initGenerator(tree, {});
    const nxJson = readJson(tree, 'nx.json');
    expect(nxJson.plugins).toEqual(['nx-steps/plugin']);
    expect(nxJson.sync).toEqual({ globalGenerators: ['nx-steps:sync'] });
    // What was there stays.
    expect(nxJson.targetDefaults.build).toEqual({ cache: true });
    expect(tree.read('.gitignore', 'utf-8')).toBe('# nx-steps: step outputs and caches\n.nx-steps\n');
    expect(tree.read(LOCK_FILE, 'utf-8')).toBe(emptyLock());
    expect(JSON.parse(emptyLock())).toMatchObject({ lockfileVersion: 1, steps: {} });
  });

  it("says once, when it adds the plugin, that npm 11's unapproved install scripts need no approval", async () => {
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    // On disk, as `nx add` runs it: the callback writes the lock there.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-init-'));
    try {
      fs.writeFileSync(path.join(root, 'nx.json'), '{}');
      const tree = new FsTree(root, false);
      const callback = await initGenerator(tree, {});
      flushChanges(root, tree.listChanges());
      await callback();
      expect(info.mock.calls).toEqual([[INSTALL_SCRIPTS_NOTE]]);
      await (
        await initGenerator(new FsTree(root, false), {})
      )();
      expect(info).toHaveBeenCalledTimes(1);
    } finally {
      info.mockRestore();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("names an @nx/devkit that does not declare support for the workspace's nx, with the command that makes them match", () => {
    expect(devkitMismatch('22.7.12', '24.0.0')).toBe(
      'nx-steps: npm installed @nx/devkit 24.0.0, which does not declare support for nx 22.7.12. Make them match: npm install -D @nx/devkit@22.7.12',
    );
    expect([
      devkitMismatch('22.7.12', '22.7.12'),
      devkitMismatch('23.3.2', '24.0.0'),
      devkitMismatch('24.0.6', '24.0.0'),
      devkitMismatch(undefined, '24.0.0'),
    ]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('changes nothing when run a second time', async () => {
    const tree = emptyWorkspace({ '.gitignore': 'node_modules\ndist' });
    await initGenerator(tree, {});
    const once = pendingWrites(tree);
    expect(once['.gitignore']).toBe('node_modules\ndist\n\n# nx-steps: step outputs and caches\n.nx-steps\n');
    await initGenerator(tree, {});
    expect(pendingWrites(tree)).toEqual(once);
  });

  it('keeps what is already set up: an object plugin entry, other sync generators, any .nx-steps ignore line, the lock', async () => {
    const lock = '{ "lockfileVersion": 1, "steps": { "kept": {} } }\n';
    const tree = emptyWorkspace({
      '.gitignore': 'node_modules\n/.nx-steps/\n',
      [LOCK_FILE]: lock,
    });
    tree.write(
      'nx.json',
      JSON.stringify({
        plugins: [{ plugin: 'nx-steps/plugin', options: { pipelines: 'pipelines/**/*.pipeline.ts' } }],
        sync: { globalGenerators: ['other:sync'], applyChanges: true },
      }),
    );
    await initGenerator(tree, {});
    expect(readJson(tree, 'nx.json')).toEqual({
      plugins: [{ plugin: 'nx-steps/plugin', options: { pipelines: 'pipelines/**/*.pipeline.ts' } }],
      sync: { globalGenerators: ['other:sync', 'nx-steps:sync'], applyChanges: true },
    });
    expect(tree.read('.gitignore', 'utf-8')).toBe('node_modules\n/.nx-steps/\n');
    expect(tree.read(LOCK_FILE, 'utf-8')).toBe(lock);
  });
});

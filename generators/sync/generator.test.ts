/**
 * The sync generator and the lock callbacks read step code and data from
 * disk, so these tests use a real Tree over a temporary workspace (Nx's
 * FsTree, as `nx sync` and `nx g` do), not the in-memory one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { resetWorkspaceContext } from 'nx/src/utils/workspace-context';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintWorkspace } from '../../plugin/core/fingerprint/workspace-pass';
import { createServices, loadWorkspaceModel } from '../../plugin/core/workspace';
import { initGenerator } from '../init/generator';
import { pipelineGenerator } from '../pipeline/generator';
import { LOCK_FILE } from '../shared/lock';
import { stepGenerator } from '../step/generator';
import { syncGenerator } from './generator';

const ETL = `import { pipeline, step } from 'nx-steps';

export default pipeline({ name: 'etl' });

export const load_data = step(() => [1, 2, 3]);

export const clean_data = step({ needs: { raw: load_data } }, ({ raw }) => raw.filter((n) => n > 1));
`;

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) fs.rmSync(r, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-gen-sync-'));
  roots.push(root);
  const all = { 'nx.json': JSON.stringify({ plugins: ['nx-steps/plugin'] }), '.gitignore': '.nx-steps\n', ...files };
  for (const [rel, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

/** One `nx sync` run: a new process's index of the workspace, the generator on a fresh Tree over the disk, its changes written. */
async function sync(root: string): Promise<{ result: Awaited<ReturnType<typeof syncGenerator>>; changed: string[] }> {
  resetWorkspaceContext();
  const tree = new FsTree(root, false);
  const result = await syncGenerator(tree);
  const changes = tree.listChanges();
  flushChanges(root, changes);
  return { result, changed: changes.map((c) => c.path) };
}

const readLock = (root: string): string => fs.readFileSync(path.join(root, LOCK_FILE), 'utf8');

describe('nx-steps:sync', () => {
  it('writes the lock the pre-task hook would write, then reports the workspace in sync', async () => {
    const root = workspace({ 'etl/etl.pipeline.ts': ETL });
    const first = await sync(root);
    expect(first.changed).toEqual([LOCK_FILE]);
    expect(first.result.outOfSyncMessage).toBe(
      'nx-steps.lock.json is missing. Run `nx sync` and commit it: `nx affected` reads it to select the steps a change reaches.',
    );
    expect(first.result.outOfSyncDetails).toEqual(['added    etl/etl.pipeline.ts: clean_data', 'added    etl/etl.pipeline.ts: load_data']);

    const services = createServices(root);
    expect(readLock(root)).toBe(fingerprintWorkspace(services, loadWorkspaceModel(services, ['etl/etl.pipeline.ts']), { now: Date.now(), env: {} }).lockText);

    expect(await sync(root)).toEqual({ result: {}, changed: [] });
  });

  it('names the steps whose entries are stale', async () => {
    const root = workspace({ 'etl/etl.pipeline.ts': ETL });
    await sync(root);
    fs.writeFileSync(
      path.join(root, 'etl/etl.pipeline.ts'),
      ETL.replace('n > 1', 'n > 2').replace(/\nexport const load_data[^\n]*\n/, '\nexport const load_data = step(() => [1, 2, 3, 4]);\n'),
    );
    const stale = await sync(root);
    expect(stale.result.outOfSyncMessage).toMatch(/^nx-steps\.lock\.json is stale: 2 steps differ\. Run `nx sync`/);
    expect(stale.result.outOfSyncDetails).toEqual(['changed  etl/etl.pipeline.ts: clean_data', 'changed  etl/etl.pipeline.ts: load_data']);
    // A formatting-only edit changes no digest.
    fs.appendFileSync(path.join(root, 'etl/etl.pipeline.ts'), '\n// a comment\n');
    expect((await sync(root)).result).toEqual({});
  });

  it('keeps an empty workspace lock as init wrote it', async () => {
    const root = workspace({});
    const tree = new FsTree(root, false);
    await initGenerator(tree, {});
    flushChanges(root, tree.listChanges());
    expect(await sync(root)).toEqual({ result: {}, changed: [] });
  });
});

describe('lock callbacks of the pipeline and step generators', () => {
  it('leave the lock current once Nx has written their files', async () => {
    const root = workspace({ 'nx.json': '{}' });
    const tree = new FsTree(root, false);
    const afterPipeline = await pipelineGenerator(tree, { name: 'etl' });
    flushChanges(root, tree.listChanges());
    await afterPipeline();
    expect(Object.values(JSON.parse(readLock(root)).steps).map((e) => (e as { step: string }).step)).toEqual(['load_data', 'summarize']);
    expect((await sync(root)).result).toEqual({});

    const tree2 = new FsTree(root, false);
    const afterStep = await stepGenerator(tree2, { name: 'report', pipeline: 'etl', needs: 'summarize' });
    flushChanges(root, tree2.listChanges());
    await afterStep();
    expect(readLock(root)).toContain('"step": "report"');
    expect((await sync(root)).result).toEqual({});
  });
});

/**
 * The workspace pass with `lockOnly` (what `nx sync` and the generators ask
 * for): the same lock as a full pass, without reading any data argument.
 */
import { describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import { createServices, loadWorkspaceModel } from '../workspace';
import { fingerprintWorkspace } from './workspace-pass';

const PIPELINE = 'etl/etl.pipeline.ts';

describe('fingerprintWorkspace', () => {
  it('with lockOnly gives the full pass lock and reads no data', () => {
    const root = tempDir('nxs-pass-');
    writeTree(root, {
      [PIPELINE]:
        "import { dir, file, pipeline, step } from 'nx-steps';\nexport default pipeline({ name: 'etl' });\nexport const load = step({ args: { raw: file('data/raw.csv'), images: dir('data/images') } }, ({ raw }) => raw);\nexport const clean = step({ needs: { rows: load } }, ({ rows }) => rows);\n",
      'etl/data/raw.csv': 'a,b\n1,2\n',
      'etl/data/images/one.png': 'png',
    });
    const pass = (lockOnly: boolean) => {
      const services = createServices(root);
      const result = fingerprintWorkspace(services, loadWorkspaceModel(services, [PIPELINE]), { now: 0, env: {}, lockOnly });
      return { result, hashed: services.hasher.stats.hashed + services.hasher.stats.memoHits };
    };
    const lockOnly = pass(true);
    const full = pass(false);
    expect(lockOnly.result.lockText).toBe(full.result.lockText);
    expect(lockOnly.result.lockText).toContain('"load"');
    // Both hash the code (the pipeline file); only the full pass the data.
    expect(full.hashed).toBeGreaterThan(lockOnly.hashed);
    expect(lockOnly.result.env).toEqual({});
  });
});

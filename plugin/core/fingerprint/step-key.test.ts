/**
 * The key builder without Nx: a real workspace folder and pipeline file, the views built by step-key.ts.
 * Each case changes one thing and checks which views see it: the lock entry (committed, code and
 * declaration), the live digest (the `{env}` input Nx hashes) and the full record (outputs on disk and the
 * step-keyed entry). Item keys have their own file (item-key.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../api/json';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import { createServices, loadWorkspaceModel } from '../workspace';
import type { RunInputs } from './step-key';
import { entryKeyOf, envValue, fullKey, KeyBuilder, liveDigest } from './step-key';

const PIPELINE = 'etl/etl.pipeline.ts';
const source = (body: string, options = "{ args: { raw: file('data.csv') }, params: { limit: 10 } }") =>
  `import { file, pipeline, step } from 'nx-steps';\nexport default pipeline({ name: 'etl' });\nexport const clean = step(${options}, ({ raw, limit }) => {\n${body}\n});\n`;
const BODY = '  return [raw, limit];';

interface Views {
  readonly lock: string;
  readonly live: string;
  readonly full: string;
  readonly entryKey: string;
}

/** The three views of `clean`'s key in the workspace as it is on disk, with this run's inputs. */
function views(root: string, inputs: Partial<RunInputs> = {}, now = 0): Views {
  const services = createServices(root);
  const project = loadWorkspaceModel(services, [PIPELINE]).projects[0];
  const step = project?.steps.find((s) => s.name === 'clean');
  if (!project || !step) throw new Error('no step clean');
  expect(step.errors).toEqual([]);
  const builder = new KeyBuilder(services, now);
  const parts = builder.parts(project, step);
  if (!parts.ok) throw new Error(parts.error.message);
  const full = fullKey(parts.value, { params: step.params, needs: {}, ...inputs });
  const lock = builder.lock(project, step);
  return { lock: `${lock.code}:${lock.config}`, live: liveDigest(parts.value), full: full.digest, entryKey: full.entryKey };
}

function workspace(body = BODY, options?: string): string {
  const root = tempDir('nxs-key-');
  writeTree(root, { [PIPELINE]: source(body, options), 'etl/data.csv': 'a,b\n1,2\n' });
  return root;
}

const rewrite = (root: string, body: string, options?: string) => fs.writeFileSync(path.join(root, PIPELINE), source(body, options));

describe('the step key', () => {
  it('is the same when nothing changed, and its entry key is its digest in decimal', () => {
    const root = workspace();
    const a = views(root);
    expect(views(root)).toEqual(a);
    expect(a.entryKey).toBe(entryKeyOf(a.full));
    expect(a.entryKey).toMatch(/^\d{21,39}$/); // longer than any Nx hash (at most 20 digits)
  });

  it("an edit of the step's code changes every view; an edit of a comment changes none", () => {
    const root = workspace();
    const before = views(root);
    rewrite(root, `  // only a note\n${BODY}`);
    expect(views(root)).toEqual(before);
    rewrite(root, '  return [raw, limit + 1];');
    const after = views(root);
    expect(after.lock).not.toBe(before.lock);
    expect(after.live).not.toBe(before.live);
    expect(after.full).not.toBe(before.full);
  });

  it("an argument's content is in the live digest and the full record, never in the committed lock", () => {
    const root = workspace();
    const before = views(root);
    fs.writeFileSync(path.join(root, 'etl/data.csv'), 'a,b\n1,3\n');
    const after = views(root);
    expect(after.lock).toBe(before.lock);
    expect(after.live).not.toBe(before.live);
    expect(after.full).not.toBe(before.full);
  });

  it("a param override, an upstream result and a custom key are this run's inputs: in the full record only", () => {
    const root = workspace();
    const base = views(root);
    const changed: Array<Partial<RunInputs>> = [{ params: { limit: 11 } }, { needs: { raw: 'a'.repeat(32) } }, { customKey: 'b'.repeat(32) }];
    for (const inputs of changed) {
      const v = views(root, inputs);
      expect({ lock: v.lock, live: v.live }).toEqual({ lock: base.lock, live: base.live });
      expect(v.full).not.toBe(base.full);
    }
    // The same override twice is the same key: a repeated run with it finds its own result.
    const params: Record<string, Json> = { limit: 11 };
    expect(views(root, { params }).full).toBe(views(root, { params: { ...params } }).full);
  });

  it('a salt (nx-steps clear, NX_STEPS_FRESH, recovery) changes the env input and the full record', () => {
    const root = workspace();
    const base = views(root);
    expect(envValue(base.live, undefined)).toBe(base.live);
    expect(envValue(base.live, 'salt-1')).not.toBe(base.live);
    expect(envValue(base.live, 'salt-1')).not.toBe(envValue(base.live, 'salt-2'));
    expect(views(root, { salt: 'salt-1' }).full).not.toBe(base.full);
  });

  it("input_hash: the code is in no view, so an edit of it changes nothing; the strategy itself is in the lock's declaration", () => {
    const options = "{ args: { raw: file('data.csv') }, params: { limit: 10 }, cache: 'input_hash' }";
    const root = workspace(BODY, options);
    const before = views(root);
    rewrite(root, '  return [raw, limit + 1];', options);
    expect(views(root)).toEqual(before);
    rewrite(root, BODY);
    expect(views(root).lock).not.toBe(before.lock);
  });

  it('a TTL: the same window keeps the key, the next window changes the live digest and the full record', () => {
    const options = "{ args: { raw: file('data.csv') }, params: { limit: 10 }, cache: { ttl: '1h' } }";
    const root = workspace(BODY, options);
    const hour = 3_600_000;
    const at = (now: number) => views(root, {}, now);
    // Somewhere in [0, 3h) the window changes at least twice; the lock never does.
    const seen = new Set([0, 1, 2, 3].map((h) => at(h * hour - 1).live));
    expect(seen.size).toBeGreaterThan(1);
    expect(new Set([0, 1, 2, 3].map((h) => at(h * hour - 1).lock)).size).toBe(1);
    expect(at(5).live).toBe(at(6).live);
  });
});

/**
 * A fan-out item's identity (its value, or its file's path and content) and a
 * factory call's arguments enter the key through the key builder, in every
 * view: the live digest, the full record and its entry key. The items of a
 * fan-out share one lock entry, so adding an item changes nothing else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import type { StepModel } from '../model/project-model';
import { createServices, loadWorkspaceModel } from '../workspace';
import { fingerprintEnvName } from './env-name';
import { fullKey, KeyBuilder, liveDigest, lockId } from './step-key';
import { fingerprintWorkspace } from './workspace-pass';

const PIPELINE = 'sims/sims.pipeline.ts';
const head = "import { dir, pipeline, range, step } from 'nx-steps';\nexport default pipeline({ name: 'sims' });\n";

function keys(root: string) {
  const services = createServices(root);
  const model = loadWorkspaceModel(services, [PIPELINE]);
  const project = model.projects[0];
  if (!project) throw new Error('no project');
  const builder = new KeyBuilder(services, 0);
  const of = (step: StepModel) => {
    const parts = builder.parts(project, step);
    if (!parts.ok) throw new Error(parts.error.message);
    return {
      live: liveDigest(parts.value),
      full: fullKey(parts.value, { params: step.params, needs: {} }),
      lock: builder.lock(project, step),
      lockId: lockId(step),
    };
  };
  return { services, model, project, byName: Object.fromEntries(project.steps.map((s) => [s.name, of(s)])) };
}

describe('item keys', () => {
  it("each item has its own live digest and full key; items share their step's lock entry", () => {
    const root = tempDir('nxs-items-');
    writeTree(root, { [PIPELINE]: `${head}export const sim = step({ each: { n: range(1, 3) } }, ({ n }) => n * 2);\n` });
    const { byName } = keys(root);
    const [one, two] = [byName['sim.1'], byName['sim.2']];
    expect(one?.live).not.toBe(two?.live);
    expect(one?.full.entryKey).not.toBe(two?.full.entryKey);
    expect(one?.full.record.item).toEqual({ key: '1', kind: 'value', digest: expect.any(String) });
    expect(one?.lock).toEqual(two?.lock);
    expect(one?.lockId).toBe(two?.lockId);
  });

  it("adding an item leaves every other item's keys and the lock unchanged", () => {
    const root = tempDir('nxs-items-');
    writeTree(root, { [PIPELINE]: `${head}export const sim = step({ each: { n: range(1, 3) } }, ({ n }) => n * 2);\n` });
    const before = keys(root);
    const lockBefore = fingerprintWorkspace(before.services, before.model, { now: 0, env: {} }).lockText;
    fs.writeFileSync(path.join(root, PIPELINE), `${head}export const sim = step({ each: { n: range(1, 4) } }, ({ n }) => n * 2);\n`);
    const after = keys(root);
    expect(Object.keys(after.byName)).toEqual(['sim.1', 'sim.2', 'sim.3']);
    for (const name of ['sim.1', 'sim.2']) expect(after.byName[name]?.full.digest).toBe(before.byName[name]?.full.digest);
    expect(fingerprintWorkspace(after.services, after.model, { now: 0, env: {} }).lockText).toBe(lockBefore);
  });

  it('a file item: its content and its path inside the folder are in its key; editing one file changes that item only', () => {
    const root = tempDir('nxs-items-');
    writeTree(root, {
      [PIPELINE]: `${head}export const per = step({ each: { f: dir('data') } }, ({ f }) => f);\n`,
      'sims/data/a.json': '1',
      'sims/data/b.json': '1',
    });
    const before = keys(root);
    // Same content, different paths: different keys (a step may use the path it receives).
    expect(before.byName['per.a.json']?.full.digest).not.toBe(before.byName['per.b.json']?.full.digest);
    fs.writeFileSync(path.join(root, 'sims/data/b.json'), '2');
    const after = keys(root);
    expect(after.byName['per.a.json']?.full.digest).toBe(before.byName['per.a.json']?.full.digest);
    expect(after.byName['per.b.json']?.full.digest).not.toBe(before.byName['per.b.json']?.full.digest);
    expect(after.byName['per.b.json']?.live).not.toBe(before.byName['per.b.json']?.live);
    // The pre-task hook gives each item its own env input.
    const env = fingerprintWorkspace(after.services, after.model, { now: 0, env: {} }).env;
    expect(env[fingerprintEnvName('sims', 'per.a.json')]).not.toBe(env[fingerprintEnvName('sims', 'per.b.json')]);
  });

  it("a factory call's arguments are in the key whatever the strategy", () => {
    const root = tempDir('nxs-items-');
    const src = (n: number) => `${head}const make = (n: number) => step({ cache: 'input_hash' }, () => n);\nexport const made = make(${n});\n`;
    writeTree(root, { [PIPELINE]: src(1) });
    const one = keys(root).byName['made'];
    fs.writeFileSync(path.join(root, PIPELINE), src(2));
    const two = keys(root).byName['made'];
    expect(one?.full.record.code).toBeUndefined();
    expect(two?.full.digest).not.toBe(one?.full.digest);
    expect(two?.live).not.toBe(one?.live);
  });

  it('a step that is no item keeps the key it had before items existed', () => {
    const root = tempDir('nxs-items-');
    writeTree(root, { [PIPELINE]: `${head}export const plain = step(() => 1);\n` });
    const { byName } = keys(root);
    expect(byName['plain']?.full.record).not.toHaveProperty('item');
  });
});

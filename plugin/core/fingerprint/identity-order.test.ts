/**
 * The identity rule and the order rule of the key (docs/hashing.md), without
 * Nx: a real workspace, the key builder's views, and the engine calling a
 * step whose input it records.
 *
 * - identity (project, folder, step name) is in the full key and the live
 *   digest of an input_hash step and of code that may see it, and of no
 *   other: two blind code_hash steps with the same code share a key, as the
 *   same computation;
 * - what the step receives keeps its order: values (`{ a, b }` ≠ `{ b, a }`)
 *   and the names of its input object, exactly as the engine builds it.
 */
import { describe, expect, it } from 'vitest';
import { step as declare } from '../../api/step';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import { runStep } from '../run/run-step';
import { createServices, loadWorkspaceModel } from '../workspace';
import { inputNames } from './fingerprint';
import { fullKey, KeyBuilder, liveDigest } from './step-key';

const PIPELINE = 'etl/etl.pipeline.ts';

interface Keys {
  readonly full: string;
  readonly live: string;
  readonly lock: string;
  readonly identity: boolean;
}

/** The views of each step's key in a workspace holding `source` as its pipeline file. */
function keysOf(source: string, file = PIPELINE): Record<string, Keys> {
  const root = tempDir('nxs-id-order-');
  // nx-steps installed: an import that does not resolve would count as a way to see anything.
  writeTree(root, {
    [file]: source,
    'node_modules/nx-steps/package.json': '{"name":"nx-steps","version":"1.0.0","main":"index.js"}',
    'node_modules/nx-steps/index.js': 'exports.step = (a, b) => ({ a, b });\nexports.pipeline = (o) => o;\n',
  });
  const services = createServices(root);
  const project = loadWorkspaceModel(services, [file]).projects[0];
  if (!project) throw new Error('no project');
  const builder = new KeyBuilder(services, 0);
  const out: Record<string, Keys> = {};
  for (const step of project.steps) {
    expect(step.errors).toEqual([]);
    const parts = builder.parts(project, step);
    if (!parts.ok) throw new Error(parts.error.message);
    const full = fullKey(parts.value, { params: step.params, needs: {} });
    const lock = builder.lock(project, step);
    out[step.name] = { full: full.digest, live: liveDigest(parts.value), lock: `${lock.code}:${lock.config}`, identity: full.record.identity !== undefined };
  }
  return out;
}

const head = (name = 'etl') => `import { pipeline, step } from 'nx-steps';\nexport default pipeline({ name: '${name}' });\n`;

describe('identity in the key', () => {
  it('two blind code_hash steps with the same code share a key; with ctx.step, or input_hash, they do not', () => {
    const blind = keysOf(`${head()}export const alpha = step(() => 1);\nexport const beta = step(() => 1);\n`);
    expect(blind['alpha']?.identity).toBe(false);
    expect(blind['alpha']?.full).toBe(blind['beta']?.full);
    const seeing = keysOf(`${head()}export const alpha = step((_i, ctx) => ctx.step);\nexport const beta = step((_i, ctx) => ctx.step);\n`);
    expect(seeing['alpha']?.identity).toBe(true);
    expect(seeing['alpha']?.full).not.toBe(seeing['beta']?.full);
    expect(seeing['alpha']?.live).not.toBe(seeing['beta']?.live);
    const inputHash = keysOf(
      `${head()}export const alpha = step({ cache: 'input_hash' }, () => 1);\nexport const beta = step({ cache: 'input_hash' }, () => 2);\n`,
    );
    expect(inputHash['alpha']?.identity).toBe(true);
    expect(inputHash['alpha']?.full).not.toBe(inputHash['beta']?.full);
  });

  it('a renamed project or a moved folder changes the key of a step that may see it, and of no other', () => {
    const source = (name: string) => `${head(name)}export const sees = step((_i, ctx) => ctx.project);\nexport const blind = step(() => 1);\n`;
    const before = keysOf(source('etl'));
    const renamed = keysOf(source('load'));
    expect(renamed['sees']?.full).not.toBe(before['sees']?.full);
    expect(renamed['blind']).toEqual(before['blind']);
    const moved = keysOf(source('etl'), 'pipelines/etl/etl.pipeline.ts');
    expect(moved['sees']?.full).not.toBe(before['sees']?.full);
    expect(moved['sees']?.live).not.toBe(before['sees']?.live);
    expect(moved['blind']?.full).toBe(before['blind']?.full);
  });
});

describe('order in the key', () => {
  it('a reordered literal argument, param or input name changes every view; integer-like keys do not move', () => {
    const arg = (cfg: string, params = '{ p: 1 }') => `${head()}export const subject = step({ args: { cfg: ${cfg} }, params: ${params} }, ({ cfg }) => cfg);\n`;
    const base = keysOf(arg('{ a: 1, b: 2 }'))['subject'];
    for (const changed of [keysOf(arg('{ b: 2, a: 1 }'))['subject'], keysOf(arg('{ a: 1, b: 2 }', '{ p: { x: 1, y: 2 } }'))['subject']]) {
      expect(changed?.full).not.toBe(base?.full);
      expect(changed?.live).not.toBe(base?.live);
      expect(changed?.lock).not.toBe(base?.lock);
    }
    const names = (order: string) => `${head()}export const subject = step({ args: ${order} }, (input) => Object.keys(input));\n`;
    expect(keysOf(names('{ x: 1, y: 2 }'))['subject']?.live).not.toBe(keysOf(names('{ y: 2, x: 1 }'))['subject']?.live);
    expect(keysOf(arg("{ 2: 'b', 1: 'a' }"))['subject']).toEqual(keysOf(arg("{ 1: 'a', 2: 'b' }"))['subject']);
  });

  it("the key's input names are the names, in the order, the step's input object has", async () => {
    const root = tempDir('nxs-input-names-');
    const source = `${head()}export const up = step(() => 1);\nexport const subject = step({ args: { z: 1, 10: 2, a: 3 }, needs: { q: up, 2: up }, params: { m: 1, b: 2 } }, (input) => Object.keys(input));\n`;
    writeTree(root, { [PIPELINE]: source });
    const seen: string[][] = [];
    const mod = { up: declare(() => 1), subject: declare((input: object) => seen.push(Object.keys(input))) };
    const deps = {
      services: createServices(root),
      importModule: async () => mod,
      runTime: 0,
      env: {},
      log: { note: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    };
    const req = { workspaceRoot: root, project: 'etl', projectRoot: 'etl', pipelineFiles: [PIPELINE], overrides: {} };
    expect(await runStep({ ...req, step: 'up' }, deps)).toMatchObject({ ok: true });
    expect(await runStep({ ...req, step: 'subject' }, deps)).toMatchObject({ ok: true });
    const step = loadWorkspaceModel(createServices(root), [PIPELINE]).projects[0]?.steps.find((x) => x.name === 'subject');
    if (!step) throw new Error('no step subject');
    expect(seen).toEqual([inputNames(step)]);
    expect(inputNames(step)).toEqual(['2', '10', 'z', 'a', 'q', 'm', 'b']);
  });
});

/**
 * Issue 24: signed results. The public key is committed in nx.json; trusted
 * CI holds the private key (NX_STEPS_SIGNING_KEY); everyone else has a
 * read-write token but no key, as an attacker with a leaked token would. A
 * consistent forged entry (built with nx-steps' own store code, every
 * digest right) is refused wherever a result is read, under Nx's key and
 * the step's own, and the step recomputes; a machine without the key reads
 * signed results and uploads nothing. Against a real cache server (nginx).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTar } from '../plugin/test-utils/tar';
import type { Workspace } from './rig';
import { createWorkspace, remoteCachePerFile, workspacesPerTest } from './rig';
import type { StoredEntry } from './rig/remote-entries';
import { forgedEntry, storedEntries } from './rig/remote-entries';

const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUBLIC = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
const PRIVATE = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');

const FILES = {
  'nx.json': `${JSON.stringify({ plugins: [{ plugin: 'nx-steps/plugin', options: { signing: { publicKey: PUBLIC } } }] }, null, 2)}\n`,
  'sig/sig.pipeline.ts': `import { pipeline, step } from 'nx-steps';
import { count } from '../tools/count';

export default pipeline({ name: 'sig' });

export const load = step(() => {
  count('load');
  return [1, 2, 3];
});

export const model = step({ needs: { xs: load } }, ({ xs }) => {
  count('model');
  return { weights: xs.map((x) => x * 2) };
});

export const report = step({ needs: { m: model } }, ({ m }) => {
  count('report');
  return \`sum=\${m.weights.reduce((a, b) => a + b, 0)}\`;
});

// What step code sees of the signing key: nothing.
export const env_seen = step(() => {
  count('env_seen');
  return process.env['NX_STEPS_SIGNING_KEY'] ?? 'absent';
});
`,
};

const open = workspacesPerTest();
const remote = remoteCachePerFile();

const machine = (name: string): Workspace => open.create(name, FILES);

function run(ws: Workspace, targets: string[], env: Record<string, string> = {}): { code: number; calls: Record<string, number>; output: string } {
  ws.resetCalls();
  const r = ws.nx(['run-many', '-t', ...targets, '-p', 'sig', '--output-style=static'], { env: { ...remote.server.nxEnv('read-write'), ...env } });
  return { code: r.code, calls: ws.calls(), output: r.output };
}

const puts = () => remote.server.requests().filter((r) => r.method === 'PUT' && r.uri !== '/v1/cache/0000000000000000000').length;

/** The result an entry holds, read by the installed nx-steps with every digest checked (signing aside). */
function valueIn(ws: Workspace, entry: Buffer, folder: string): unknown {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nxs-entry-'));
  try {
    for (const m of readTar(zlib.gunzipSync(entry))) {
      if (!m.name.startsWith(`${folder}/`) || m.type !== '0') continue;
      const file = path.join(dir, m.name.slice(folder.length + 1));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, m.data);
    }
    const dist = path.join(fs.realpathSync(ws.path('node_modules/nx-steps')), 'dist/plugin');
    const req = createRequire(dist);
    const { readResult } = req(`${dist}/core/outputs/result.js`) as { readResult(d: string, o: object): { ok: boolean; value: () => { value: unknown } } };
    const { hashFileContent } = req(`${dist}/core/hash/file-hasher.js`) as { hashFileContent(f: string): string };
    const read = readResult(dir, { digestOf: hashFileContent });
    return read.ok ? read.value().value : 'unreadable';
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('signed results (issue 24)', () => {
  let genuine: Map<string, StoredEntry>;
  let ci: Workspace;

  // The CI machine lives for the whole file: the forgeries are built with its installed nx-steps.
  afterAll(() => ci.remove());

  beforeAll(() => {
    ci = createWorkspace('ci', FILES);
    const r = run(ci, ['report', 'env_seen'], { NX_STEPS_SIGNING_KEY: PRIVATE });
    expect(r.code, r.output).toBe(0);
    genuine = storedEntries(remote.server);
  });

  it('trusted CI signs every result with the team key, and step code never sees the key', () => {
    expect(ci.stored('sig/.nx-steps/out/env_seen')).toBe('absent');
    const signature = JSON.parse(ci.read('sig/.nx-steps/out/model/signature.json')) as { by: string };
    expect(signature.by).toMatch(/^ed25519:[0-9a-f]{16}$/);
    expect(genuine.size).toBe(8);
    const b = machine('reader');
    const r = run(b, ['report']);
    expect(r.code, r.output).toBe(0);
    expect(r.calls).toEqual({});
    expect(b.stored('sig/.nx-steps/out/report')).toBe('sum=12');
  });

  it('nx-steps signing-key prints a pair: the public key in the form nx.json takes, the private key that signs for it', () => {
    const r = ci.cli(['signing-key']);
    expect(r.code, r.output).toBe(0);
    const pub = /"signing": \{ "publicKey": "([A-Za-z0-9+/=]+)" \}/.exec(r.stdout)?.[1];
    const priv = /Private key:[^\n]*\n\n {2}([A-Za-z0-9+/=]+)\n/.exec(r.stdout)?.[1];
    expect(pub, r.stdout).toBeDefined();
    expect(priv, r.stdout).toBeDefined();
    const publicKey = createPublicKey({ key: Buffer.from(pub!, 'base64'), format: 'der', type: 'spki' });
    const privateKey = createPrivateKey({ key: Buffer.from(priv!, 'base64'), format: 'der', type: 'pkcs8' });
    const message = Buffer.from('a result digest');
    expect(verify(null, message, publicKey, sign(null, message, privateKey))).toBe(true);
    expect(pub).not.toBe(PUBLIC);
  });

  it("a consistent forged entry under Nx's key is refused at the first step that reads it, and at the end of the command for a final step", async () => {
    const model = genuine.get('nx:model')!;
    const forged = await forgedEntry(ci, model, { weights: [100, 100, 100] });
    // Consistent: nx-steps' own checks, every digest included, accept it.
    expect(valueIn(ci, forged, model.folder)).toEqual({ weights: [100, 100, 100] });
    remote.server.replaceEntry(model.hash, forged);

    const before = puts();
    const victim = machine('victim');
    const r = run(victim, ['report']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('upstream step sig:model is unusable (its signature does not match its contents)');
    // report then restores by its own key: CI signed it, for the genuine model.
    expect(r.calls).toEqual({ model: 1 });
    expect(victim.stored('sig/.nx-steps/out/report')).toBe('sum=12');
    // No key here: nothing of what it computed went to the server.
    expect(puts()).toBe(before);
    expect(r.output).toMatch(/result\(s\) not uploaded to .*: signing is on and NX_STEPS_SIGNING_KEY is not set here/);
    expect((JSON.parse(victim.read('sig/.nx-steps/out/model/signature.json')) as { by: string }).by).toBe('local');

    // model as the last step of a command: nothing reads it there, so the post-task hook refuses it.
    const last = machine('victim-final');
    const first = run(last, ['model']);
    expect(first.code).toBe(1);
    expect(first.output).toContain('NXS207: Nx restored sig:model from its cache, but the result is unusable');
    expect(first.output).toContain('its signature does not match its contents');
    const again = run(last, ['model']);
    expect(again.code, again.output).toBe(0);
    expect(again.calls).toEqual({ model: 1 });
    expect(last.stored('sig/.nx-steps/out/model')).toEqual({ weights: [2, 4, 6] });
    remote.server.replaceEntry(model.hash, model.body);
  });

  it("a forged entry under the step's own key is a miss, and the step recomputes", async () => {
    const model = genuine.get('step:model')!;
    remote.server.replaceEntry(model.hash, await forgedEntry(ci, model, { weights: [7, 7, 7] }));
    // Another target in the project: Nx misses every step, so only step-keyed entries can restore.
    const d = machine('step-key');
    d.write('sig/project.json', `${JSON.stringify({ name: 'sig', targets: { lint: { command: 'echo lint' } } })}\n`);
    const r = run(d, ['report']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("the cache entry for this step's key failed verification (its signature does not match its contents)");
    // load and report restore by their keys (signed by CI); model recomputes to the same result.
    expect(r.calls).toEqual({ model: 1 });
    expect(d.stored('sig/.nx-steps/out/report')).toBe('sum=12');
    remote.server.replaceEntry(model.hash, model.body);
  });
});

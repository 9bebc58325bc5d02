/**
 * Secret params through the run engine without Nx (real files, the module replaced as in run-step.test.ts):
 * a `secret()` param and one named like a secret reach the step, join its key only as a keyed digest, and
 * are written nowhere: no file under the workspace holds the value (outputs, step.json's record, the local
 * param values, caches), and everything that shows params shows the mask.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { step } from '../../api/step';
import { valueDigest } from '../fingerprint/fingerprint';
import { tempDir, writeTree } from '../hash/test-utils/tree';
import { readStepMeta } from '../records/observe';
import { readParamValues } from '../records/param-values';
import { SECRET_KEY_ENV, SECRET_KEY_FILE, SECRET_MASK, secretDigest, secretKey } from '../state/secrets';
import { createServices } from '../workspace';
import type { RunStepDeps, RunStepRequest } from './run-step';
import { runStep } from './run-step';
import { keptLog, MemoryCache, storedValue } from './test-utils/engine';

const PIPELINE = 'api/api.pipeline.ts';
const SOURCE = `import { pipeline, secret, step } from 'nx-steps';
export default pipeline({ name: 'api' });
export const fetch_rows = step({ params: { token: secret(), limit: 2 } }, ({ token, limit }) => [token.length, limit]);
export const upload = step({ needs: { rows: fetch_rows }, params: { api_key: 'dev-key-000' } }, ({ rows, api_key }) => rows.length + api_key.length);
`;
const TOKEN = 'S3CRET-token-value';

function setUp(machine = 'm1', extraEnv: NodeJS.ProcessEnv = {}, root = tempDir('nxs-secret-')) {
  if (!fs.existsSync(path.join(root, PIPELINE))) writeTree(root, { [PIPELINE]: SOURCE });
  const received: unknown[] = [];
  const mod = {
    fetch_rows: step((input: { token?: string; limit?: number }) => {
      received.push(input.token);
      return [input.token?.length ?? 0, input.limit ?? 0];
    }),
    upload: step((input: { rows?: number[]; api_key?: string }) => (input.rows?.length ?? 0) + (input.api_key?.length ?? 0)),
  };
  const log = keptLog();
  const stateDir = path.join(root, `.machine-${machine}`);
  const deps = (extra: Partial<RunStepDeps> & { secretParams?: string | false } = {}): RunStepDeps => ({
    services: createServices(root, {
      machineStateDir: stateDir,
      env: extraEnv,
      ...(extra.secretParams !== undefined ? { secretParams: extra.secretParams } : {}),
    }),
    log,
    importModule: async () => mod,
    runTime: 0,
    env: {},
    ...extra,
  });
  const req = (name: string, overrides: Record<string, unknown> = {}): RunStepRequest => ({
    workspaceRoot: root,
    project: 'api',
    projectRoot: 'api',
    step: name,
    pipelineFiles: [PIPELINE],
    overrides,
  });
  return { root, received, deps, req, stateDir, log };
}

/** Every file under `dir` whose bytes contain `needle`. */
function filesHolding(dir: string, needle: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile() && fs.readFileSync(abs).includes(needle)) out.push(path.relative(dir, abs));
    }
  };
  walk(dir);
  return out;
}

describe('secret params', () => {
  it('reach the step, join its key as a keyed digest, and are written nowhere', async () => {
    const { root, received, deps, req, stateDir } = setUp();
    const cache = new MemoryCache(root);
    expect(await runStep(req('fetch_rows', { token: TOKEN }), deps({ entries: cache }))).toMatchObject({ ok: true, status: 'executed' });
    expect(received).toEqual([TOKEN]);
    expect(storedValue(path.join(root, 'api/.nx-steps/out/fetch_rows'))).toEqual([TOKEN.length, 2]);

    const meta = readStepMeta(root, 'api', 'fetch_rows');
    const key = secretKey(stateDir, {});
    expect(key.ok).toBe(true);
    const token = meta?.fingerprint.record.params['token'];
    // Not the plain digest anyone could recompute from a guess: the HMAC under this machine's key.
    expect(token).toEqual({ digest: secretDigest(key.ok ? key.value : Buffer.alloc(0), TOKEN) });
    expect(token?.digest).not.toBe(valueDigest(TOKEN));
    expect(meta?.fingerprint.record.params['limit']).toEqual({ digest: valueDigest(2) });
    expect(readParamValues(root, meta?.fingerprint.digest ?? '')).toEqual({ token: SECRET_MASK, limit: 2 });
    expect(fs.statSync(path.join(stateDir, SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);

    // The same token: kept; another: a new key, the step runs.
    expect(await runStep(req('fetch_rows', { token: TOKEN }), deps({ entries: cache }))).toMatchObject({ ok: true, status: 'kept' });
    expect(await runStep(req('fetch_rows', { token: 'other' }), deps({ entries: cache }))).toMatchObject({ ok: true, status: 'executed' });
    expect(await runStep(req('upload', { token: 'other' }), deps({ entries: cache }))).toMatchObject({ ok: true, status: 'executed' });
    expect(received).toEqual([TOKEN, 'other']);
    const stepEntries = [...cache.entries.values()].flatMap((files) => [...files.values()]);
    expect(stepEntries.filter((bytes) => bytes.includes(TOKEN) || bytes.includes('dev-key-000'))).toEqual([]);
    expect(filesHolding(root, TOKEN)).toEqual([]);
    // A param named like a secret: keyed and masked too. Its default, written in the pipeline file, is
    // also in nx-steps' parse of that file (the declarations as read): nowhere else.
    expect(filesHolding(root, 'dev-key-000').filter((f) => !f.startsWith('.nx-steps/cache/parse/'))).toEqual([PIPELINE]);
  });

  it('a secret() without a value fails with NXS202 before the step runs, and the message holds no value', async () => {
    const { received, deps, req } = setUp();
    const outcome = await runStep(req('fetch_rows'), deps());
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.diagnostics.map((d) => [d.code, d.argument])).toEqual([['NXS202', 'token']]);
    const wrong = await runStep(req('fetch_rows', { token: { nested: TOKEN } }), deps());
    expect(!wrong.ok && wrong.diagnostics.map((d) => d.code)).toEqual(['NXS202']);
    expect(JSON.stringify(wrong)).not.toContain(TOKEN);
    expect(received).toEqual([]);
  });

  it("machines share a secret's digest only when they share NX_STEPS_SECRET_KEY", async () => {
    const team = { [SECRET_KEY_ENV]: 'team-key-from-the-ci-secrets' };
    const first = setUp('m1', team);
    const cache = new MemoryCache(first.root);
    await runStep(first.req('fetch_rows', { token: TOKEN }), first.deps({ entries: cache }));
    fs.rmSync(path.join(first.root, 'api/.nx-steps'), { recursive: true });
    // Another machine with the team's key: restored by the step's own key.
    const second = setUp('m2', team, first.root);
    expect(await runStep(second.req('fetch_rows', { token: TOKEN }), second.deps({ entries: cache }))).toMatchObject({ ok: true, status: 'restored' });
    fs.rmSync(path.join(first.root, 'api/.nx-steps'), { recursive: true });
    // A machine with its own key: another digest, so it runs.
    const third = setUp('m3', {}, first.root);
    expect(await runStep(third.req('fetch_rows', { token: TOKEN }), third.deps({ entries: cache }))).toMatchObject({ ok: true, status: 'executed' });
    expect([...first.received, ...second.received, ...third.received]).toEqual([TOKEN, TOKEN]);
  });

  it('secretParams: false leaves names alone (a plain digest, the value shown here); secret() stays secret', async () => {
    const { root, deps, req } = setUp();
    await runStep(req('fetch_rows', { token: TOKEN }), deps({ secretParams: false }));
    await runStep(req('upload', { token: TOKEN }), deps({ secretParams: false }));
    const meta = readStepMeta(root, 'api', 'upload');
    expect(meta?.fingerprint.record.params['api_key']).toEqual({ digest: valueDigest('dev-key-000') });
    expect(readParamValues(root, meta?.fingerprint.digest ?? '')).toEqual({ api_key: 'dev-key-000' });
    const fetched = readStepMeta(root, 'api', 'fetch_rows');
    expect(readParamValues(root, fetched?.fingerprint.digest ?? '')).toEqual({ token: SECRET_MASK, limit: 2 });
  });

  it('a damaged key file is replaced (the step runs once more); one that cannot be read is a located NXS211', async () => {
    const { deps, req, stateDir, received } = setUp();
    await runStep(req('fetch_rows', { token: TOKEN }), deps());
    fs.writeFileSync(path.join(stateDir, SECRET_KEY_FILE), 'garbage\n');
    expect(await runStep(req('fetch_rows', { token: TOKEN }), deps())).toMatchObject({ ok: true, status: 'executed' });
    fs.rmSync(path.join(stateDir, SECRET_KEY_FILE));
    fs.mkdirSync(path.join(stateDir, SECRET_KEY_FILE));
    const outcome = await runStep(req('fetch_rows', { token: TOKEN }), deps());
    expect(!outcome.ok && outcome.diagnostics.map((d) => [d.code, d.step])).toEqual([['NXS211', 'fetch_rows']]);
    expect(!outcome.ok && outcome.diagnostics[0]?.message).toContain(SECRET_KEY_FILE);
    expect(received).toEqual([TOKEN, TOKEN]);
  });
});

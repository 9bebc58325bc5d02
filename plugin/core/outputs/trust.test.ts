import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../hash/test-utils/tree';
import { hashFileContent } from '../hash/file-hasher';
import type { StepMeta } from './store';
import { finishOutputs, readOutputs } from './store';
import type { ResultTrust } from './trust';
import { openTrust, uploadsOffReason } from './trust';

function keyPair(): { pub: string; priv: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    pub: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    priv: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
  };
}

function trustOf(pub: string, priv: string | undefined, stateDir: string): ResultTrust {
  const t = openTrust({ workspaceRoot: stateDir, signing: { publicKey: pub }, privateKey: priv, stateDir });
  if (!t.ok || !t.value) throw new Error(t.ok ? 'no trust' : t.error);
  return t.value;
}

/** A result folder written by nx-steps' own store code, as a step run would write it. */
async function result(value: unknown, fingerprint = 'f'.repeat(32), file?: string): Promise<{ dir: string; meta: StepMeta }> {
  const dir = path.join(tempDir('nxs-trust-'), 'out');
  fs.mkdirSync(path.join(dir, 'files'), { recursive: true });
  if (file !== undefined) fs.writeFileSync(path.join(dir, 'files', 'model.bin'), file);
  const meta = await finishOutputs(dir, {
    project: 'etl',
    step: 'train',
    fingerprint: { digest: fingerprint, record: {} as StepMeta['fingerprint']['record'] },
    value,
    durationMs: 1,
    nxSteps: '0.1.0',
  });
  return { dir, meta };
}

const read = (dir: string, trust: ResultTrust) => readOutputs(dir, { digestOf: hashFileContent, trust });

describe('signed results', () => {
  it('a result signed with the team key reads as trusted on any machine holding the public key', async () => {
    const { pub, priv } = keyPair();
    const ci = trustOf(pub, priv, tempDir('nxs-ci-'));
    const { dir, meta } = await result({ accuracy: 0.9 }, undefined, 'weights');
    ci.sign(dir, meta);
    expect(read(dir, trustOf(pub, undefined, tempDir('nxs-laptop-')))).toMatchObject({ ok: true });
    expect(ci.teamSigner).toBe(true);
  });

  it('refuses an unsigned result, even one whose digests are all consistent (a forgery built with the store code)', async () => {
    const { pub } = keyPair();
    const { dir } = await result({ accuracy: 0.1 }, undefined, 'poisoned weights');
    expect(readOutputs(dir, { digestOf: hashFileContent })).toMatchObject({ ok: true });
    expect(read(dir, trustOf(pub, undefined, tempDir('nxs-')))).toMatchObject({ ok: false, problem: 'corrupt', detail: expect.stringMatching(/not signed/) });
  });

  it('refuses a signed result whose contents changed, and a signature copied onto another result', async () => {
    const { pub, priv } = keyPair();
    const ci = trustOf(pub, priv, tempDir('nxs-ci-'));
    const reader = trustOf(pub, undefined, tempDir('nxs-'));
    const a = await result({ n: 1 }, undefined, 'good weights');
    ci.sign(a.dir, a.meta);
    // Same size, digests rebuilt: the store's checks pass, the signature does not.
    const forged = await result({ n: 1 }, undefined, 'evil weights');
    fs.copyFileSync(path.join(a.dir, 'signature.json'), path.join(forged.dir, 'signature.json'));
    expect(readOutputs(forged.dir, { digestOf: hashFileContent })).toMatchObject({ ok: true });
    expect(read(forged.dir, reader)).toMatchObject({ ok: false, detail: 'its signature does not match its contents' });
    fs.writeFileSync(path.join(a.dir, 'files', 'extra.txt'), 'x');
    expect(read(a.dir, reader).ok).toBe(false);
  });

  it('refuses a result signed by another key', async () => {
    const mine = keyPair();
    const theirs = keyPair();
    const { dir, meta } = await result([1, 2]);
    trustOf(theirs.pub, theirs.priv, tempDir('nxs-')).sign(dir, meta);
    expect(read(dir, trustOf(mine.pub, undefined, tempDir('nxs-')))).toMatchObject({ ok: false, detail: expect.stringMatching(/signed by another key/) });
  });

  it('a machine without the key trusts the results it computed itself, and no other machine does; it uploads nothing', async () => {
    const { pub } = keyPair();
    const laptop = tempDir('nxs-laptop-');
    const own = trustOf(pub, undefined, laptop);
    const { dir, meta } = await result('mine');
    own.sign(dir, meta);
    expect(read(dir, trustOf(pub, undefined, laptop))).toMatchObject({ ok: true });
    expect(read(dir, trustOf(pub, undefined, tempDir('nxs-other-')))).toMatchObject({ ok: false, detail: expect.stringMatching(/another machine/) });
    expect(uploadsOffReason(own)).toMatch(/NX_STEPS_SIGNING_KEY is not set here/);
    expect(uploadsOffReason(undefined)).toBeUndefined();
  });

  it('a damaged secret of this machine is replaced, never used: the results it signed are not trusted any more', async () => {
    const { pub } = keyPair();
    const laptop = tempDir('nxs-laptop-');
    const { dir, meta } = await result('mine');
    trustOf(pub, undefined, laptop).sign(dir, meta);
    const [secretFile] = fs.readdirSync(laptop).filter((f) => f.endsWith('.key'));
    fs.writeFileSync(path.join(laptop, secretFile!), 'short');
    const again = trustOf(pub, undefined, laptop);
    again.sign((await result('after')).dir, meta);
    expect(fs.readFileSync(path.join(laptop, secretFile!)).length).toBe(32);
    expect(read(dir, trustOf(pub, undefined, laptop))).toMatchObject({ ok: false });
  });

  it('names what is wrong with a key: not ed25519, not a key, a private key of another pair', () => {
    const { pub } = keyPair();
    const other = keyPair();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const open = (publicKey: string, privateKey?: string) => openTrust({ workspaceRoot: '/', signing: { publicKey }, privateKey, stateDir: tempDir('nxs-') });
    expect(open(rsa)).toMatchObject({ ok: false, error: expect.stringMatching(/rsa key, not ed25519/) });
    expect(open('not a key')).toMatchObject({ ok: false, error: expect.stringMatching(/not an ed25519 public key/) });
    expect(open(pub, other.priv)).toMatchObject({ ok: false, error: expect.stringMatching(/does not belong to the public key/) });
    expect(openTrust({ workspaceRoot: '/', signing: undefined, privateKey: other.priv, stateDir: '/' })).toEqual({ ok: true, value: undefined });
  });
});

/**
 * The signing policy of a workspace (nx.json `signing`), for the engine, the
 * hooks, loadResult and the CLI: with a public key configured, every result
 * read (an upstream result, outputs kept on disk, a step-keyed entry, what
 * loadResult returns, what Nx restored in a command) must be signed by the
 * team's key or by this machine (signature.ts), and every result computed
 * here is signed: with the team's key when `NX_STEPS_SIGNING_KEY` holds it
 * (trusted CI), else with this machine's own secret, which no other machine
 * trusts. A machine without the key uploads nothing (the remote-cache guard
 * refuses its uploads), so it can read signed results but never write one.
 */
import { createPublicKey, createPrivateKey, createHash, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SigningOptions } from '../remote-options';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';
import type { Signer } from './signature';
import { signFolder, untrustedReason } from './signature';
import type { ResultTrust } from '../util/result-trust';

/** The private key of the team's signing key pair: set only where trusted builds run. */
export const SIGNING_KEY_VAR = 'NX_STEPS_SIGNING_KEY';
const LOCAL_SECRET_FILE = 'nx-steps-local-signing.key';

export type { ResultTrust } from '../util/result-trust';

function parseKey(text: string, kind: 'public' | 'private'): KeyObject {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN')) return kind === 'public' ? createPublicKey(trimmed) : createPrivateKey(trimmed);
  const der = Buffer.from(trimmed, 'base64');
  return kind === 'public' ? createPublicKey({ key: der, format: 'der', type: 'spki' }) : createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** A short, stable name of a public key: what a signature says it was made with. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 16);
}

function readPublicKey(workspaceRoot: string, signing: SigningOptions): Result<KeyObject, string> {
  let text = signing.publicKey;
  if (text === undefined && signing.publicKeyFile !== undefined) {
    try {
      text = fs.readFileSync(path.resolve(workspaceRoot, signing.publicKeyFile), 'utf8');
    } catch {
      return fail(`signing.publicKeyFile ${signing.publicKeyFile} cannot be read`);
    }
  }
  try {
    const key = parseKey(text ?? '', 'public');
    return key.asymmetricKeyType === 'ed25519' ? ok(key) : fail(`the signing key in nx.json is a ${key.asymmetricKeyType} key, not ed25519`);
  } catch {
    return fail('the signing key in nx.json is not an ed25519 public key (base64 SPKI or PEM; `nx-steps signing-key` makes a pair)');
  }
}

function readPrivateKey(text: string, publicKey: KeyObject): Result<KeyObject, string> {
  let key: KeyObject;
  try {
    key = parseKey(text, 'private');
  } catch {
    return fail(`${SIGNING_KEY_VAR} is not an ed25519 private key (base64 PKCS#8 or PEM)`);
  }
  const pub = createPublicKey(key).export({ format: 'der', type: 'spki' });
  if (!pub.equals(publicKey.export({ format: 'der', type: 'spki' }))) return fail(`${SIGNING_KEY_VAR} does not belong to the public key in nx.json (signing)`);
  return ok(key);
}

function readSecret(file: string): Buffer | undefined {
  try {
    const bytes = fs.readFileSync(file);
    return bytes.length === 32 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** This machine's own secret, created on first use (readable by its owner only). */
function localSecret(stateDir: string, create: boolean): Buffer | undefined {
  const file = path.join(stateDir, LOCAL_SECRET_FILE);
  const existing = readSecret(file);
  if (existing) return existing;
  if (!create) return undefined;
  fs.mkdirSync(stateDir, { recursive: true });
  const secret = randomBytes(32);
  try {
    fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    // Another process created it first: use its, unless it is damaged too (then this machine's own signatures stop
    // being trusted and its results recompute once: never a result signed with a secret of the wrong size).
    const theirs = readSecret(file);
    if (theirs) return theirs;
    fs.rmSync(file, { force: true });
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

export interface TrustInput {
  readonly workspaceRoot: string;
  readonly signing: SigningOptions | undefined;
  /** The value of NX_STEPS_SIGNING_KEY here, if any. */
  readonly privateKey: string | undefined;
  /** Where this machine keeps its own secret (beside Nx's cache index). */
  readonly stateDir: string;
}

/** The workspace's signing policy: undefined when signing is off; an error (NXS301 material) for a bad key. */
export function openTrust(input: TrustInput): Result<ResultTrust | undefined, string> {
  if (!input.signing) return ok(undefined);
  const pub = readPublicKey(input.workspaceRoot, input.signing);
  if (!pub.ok) return pub;
  const publicKey = pub.value;
  const id = keyId(publicKey);
  let team: KeyObject | undefined;
  if (input.privateKey !== undefined && input.privateKey.trim() !== '') {
    const priv = readPrivateKey(input.privateKey, publicKey);
    if (!priv.ok) return priv;
    team = priv.value;
  }
  const verifier = { publicKey, keyId: id, localSecret: () => localSecret(input.stateDir, false) };
  const signer = (): Signer => (team ? { kind: 'ed25519', keyId: id, key: team } : { kind: 'local', secret: localSecret(input.stateDir, true) as Buffer });
  return ok({
    teamSigner: team !== undefined,
    untrusted: (dir, meta) => untrustedReason(dir, { fingerprint: meta.fingerprint.digest, result: meta.result.digest }, verifier),
    sign: (dir, meta) => signFolder(dir, { fingerprint: meta.fingerprint.digest, result: meta.result.digest }, signer()),
  });
}

/** Why this machine must not upload (signing is on and it holds no team key), or undefined. */
export function uploadsOffReason(trust: ResultTrust | undefined): string | undefined {
  return trust && !trust.teamSigner ? `signing is on and ${SIGNING_KEY_VAR} is not set here: this machine reads signed results and writes none` : undefined;
}

/**
 * Signed results (docs/remote-cache.md, "Signed results"): who made the
 * result in an output folder, checked wherever a result is read.
 *
 * What is signed: the step's fingerprint digest (everything its key covers),
 * its result digest (what downstream keys hold), and the SHA-256 of every
 * file of the folder (step.json, the digest file, every value part and every
 * file the step wrote), path by path. The digests nx-steps keeps in step.json
 * are xxh128, which is fast and not collision resistant: a writer who may
 * not sign could craft a file with the digest of another. SHA-256 is what
 * makes a consistent forgery fail without the private key. Excluded: the task
 * stamp (task.json, which Nx's own bookkeeping rewrites) and the signature.
 *
 * Two signers: the team's ed25519 key (the private key only in trusted CI,
 * the public key committed in nx.json), and a secret of this machine alone
 * (HMAC-SHA256, a file beside Nx's cache index) for results a machine
 * without the team's key computed itself: it trusts its own work, and no
 * other machine does.
 */
import { createHmac, createHash, sign as edSign, timingSafeEqual, verify as edVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareCodePoints } from '../hash/canonical';
import { writeFileAtomic } from '../util/fs-atomic';
import { toPosix } from '../util/paths';
import { TASK_STAMP_FILE } from './task-stamp';

export const SIGNATURE_FILE = 'signature.json';
const SIGNATURE_VERSION = 1;

interface SignatureFile {
  readonly v: number;
  /** `ed25519:<key id>` or `local`. */
  readonly by: string;
  readonly manifest: string;
  readonly signature: string;
}

/** What the signature covers, from a verified step.json. */
export interface SignedDigests {
  readonly fingerprint: string;
  readonly result: string;
}

const sha256Memo = new Map<string, string>();

/** SHA-256 of a file, remembered in this process while its inode, size and times stay the same. */
function sha256File(abs: string): string {
  const st = fs.statSync(abs, { bigint: true });
  const key = `${abs}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const known = sha256Memo.get(key);
  if (known) return known;
  const hash = createHash('sha256');
  const fd = fs.openSync(abs, 'r');
  try {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  const digest = hash.digest('hex');
  sha256Memo.set(key, digest);
  return digest;
}

/** The SHA-256 of every file of the folder but the stamp and the signature, or undefined when something there is not a file or folder. */
export function folderManifest(dir: string): string | undefined {
  const lines: string[] = [];
  const walk = (abs: string): boolean => {
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const child = path.join(abs, e.name);
      const rel = toPosix(path.relative(dir, child));
      if (rel === TASK_STAMP_FILE || rel === SIGNATURE_FILE) continue;
      if (e.isDirectory()) {
        if (!walk(child)) return false;
      } else if (e.isFile()) lines.push(`${rel}\0${sha256File(child)}`);
      else return false;
    }
    return true;
  };
  if (!walk(dir)) return undefined;
  lines.sort(compareCodePoints);
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

function message(digests: SignedDigests, manifest: string): Buffer {
  return Buffer.from(`nx-steps-signed-result-v${SIGNATURE_VERSION}\n${digests.fingerprint}\n${digests.result}\n${manifest}\n`);
}

export type Signer = { readonly kind: 'ed25519'; readonly keyId: string; readonly key: KeyObject } | { readonly kind: 'local'; readonly secret: Buffer };

export type Verifier = { readonly publicKey: KeyObject; readonly keyId: string; readonly localSecret: () => Buffer | undefined };

/** Signs a finished output folder (step.json written). */
export function signFolder(dir: string, digests: SignedDigests, signer: Signer): void {
  const manifest = folderManifest(dir);
  if (manifest === undefined) throw new Error(`${dir} holds something that is not a file or folder`);
  const msg = message(digests, manifest);
  const file: SignatureFile =
    signer.kind === 'ed25519'
      ? { v: SIGNATURE_VERSION, by: `ed25519:${signer.keyId}`, manifest, signature: edSign(null, msg, signer.key).toString('base64') }
      : { v: SIGNATURE_VERSION, by: 'local', manifest, signature: createHmac('sha256', signer.secret).update(msg).digest('base64') };
  writeFileAtomic(path.join(dir, SIGNATURE_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

function readSignature(dir: string): SignatureFile | undefined {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, SIGNATURE_FILE), 'utf8')) as Partial<SignatureFile>;
    return raw.v === SIGNATURE_VERSION && typeof raw.by === 'string' && typeof raw.signature === 'string' ? (raw as SignatureFile) : undefined;
  } catch {
    return undefined;
  }
}

/** Why the folder is not trusted, or undefined when the team's key or this machine signed exactly these contents. */
export function untrustedReason(dir: string, digests: SignedDigests, verifier: Verifier): string | undefined {
  const sig = readSignature(dir);
  if (!sig) return 'it is not signed, and signing is on (nx.json: signing)';
  const manifest = folderManifest(dir);
  if (manifest === undefined) return 'it holds something that is not a file or folder';
  const msg = message(digests, manifest);
  const bytes = Buffer.from(sig.signature, 'base64');
  if (sig.by === 'local') {
    const secret = verifier.localSecret();
    const expected = secret ? createHmac('sha256', secret).update(msg).digest() : undefined;
    return expected && expected.length === bytes.length && timingSafeEqual(expected, bytes)
      ? undefined
      : 'it was signed by another machine, not with the team key';
  }
  if (sig.by !== `ed25519:${verifier.keyId}`) return `it is signed by another key (${sig.by}), not the one in nx.json`;
  return edVerify(null, msg, verifier.publicKey, bytes) ? undefined : 'its signature does not match its contents';
}

/**
 * Secret params: which params are secrets, how their values join a step's key, and how they are shown.
 *
 * A param is a secret when it is declared with `secret()` or its name matches the `secretParams` pattern
 * (an option of nx-steps/plugin; DEFAULT_SECRET_PARAMS by default). Its value is never written by nx-steps:
 * everything that shows params shows it as SECRET_MASK, and the step's key holds only a keyed digest of it,
 * HMAC-SHA256 under a key that is not in any cache entry and not in the repository:
 *
 * - `NX_STEPS_SECRET_KEY`, when set: a team's key (a CI secret, and the same value on developers'
 *   machines). Every machine with it computes the same digest, so results made with a secret are shared
 *   by their step's own key (step-keyed entries, outputs recognised on disk) like any other.
 * - otherwise a random key made once per machine and workspace (SECRET_KEY_FILE beside the salts, in Nx's
 *   workspace-data folder, mode 0600). Digests then differ between machines: a step with a secret param is
 *   shared through Nx's own cache (whose task hash covers the command line) but not by its own key, and
 *   such a step whose Nx hash missed re-runs on a machine that did not make its result.
 *
 * Why keyed and not a plain (or slow) digest: a cache entry is readable by everyone who can read the cache,
 * and a plain digest of a short token is found by trying candidates; without the key, a digest tells
 * nothing. Why not a key in the repository or in nx.json: whoever reads the cache can often read the
 * repository too. What this does not hide: Nx hashes the command line (overrides included) into its own
 * task hash, the name of every Nx cache entry, with an unkeyed 64-bit hash; see docs/hashing.md.
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempSibling } from '../util/fs-atomic';
import { defineOwn } from '../util/own';
import type { Result } from '../util/result';
import { fail, ok } from '../util/result';

/** What the `secretParams` option is when it is not given: names that usually hold a secret. */
export const DEFAULT_SECRET_PARAMS = 'token|secret|passw(or)?d|api[_-]?key|private[_-]?key|credential';

/** How a secret's value is shown, everywhere. */
export const SECRET_MASK = '•••';

export const SECRET_KEY_ENV = 'NX_STEPS_SECRET_KEY';
export const SECRET_KEY_FILE = 'nx-steps-secret.key';

/** The pattern of secret param names (case-insensitive), or null when only `secret()` params are secrets. */
export function secretPattern(option: string | false | undefined): RegExp | null {
  if (option === false) return null;
  return new RegExp(option ?? DEFAULT_SECRET_PARAMS, 'i');
}

/**
 * The HMAC key: the team's (NX_STEPS_SECRET_KEY), else this machine's, made on first use. A key file that
 * is not one (damaged) is replaced: that costs steps with secrets one run, never a wrong result. What
 * cannot be read or written is the reason, for a located diagnostic.
 */
export function secretKey(stateDir: string, env: NodeJS.ProcessEnv = process.env): Result<Buffer, string> {
  const team = env[SECRET_KEY_ENV];
  if (team) return ok(Buffer.from(team, 'utf8'));
  const file = path.join(stateDir, SECRET_KEY_FILE);
  try {
    const existing = readKey(file);
    if (existing) return ok(existing);
    const made = randomBytes(32);
    fs.mkdirSync(stateDir, { recursive: true });
    // Readable by this user only from the first byte; renamed into place, so a reader never sees half a key.
    const tmp = tempSibling(file);
    fs.writeFileSync(tmp, `${made.toString('hex')}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
    return ok(made);
  } catch (e) {
    return fail(`${file}: ${(e as Error).message}`);
  }
}

/** The key in the file; undefined when there is none or it is damaged; throws when the file cannot be read. */
function readKey(file: string): Buffer | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return /^[0-9a-f]{64}$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/** A secret's part of the key: 128 bits of HMAC-SHA256 of its value (as JSON, the form every value has). */
export function secretDigest(key: Buffer, value: unknown): string {
  return createHmac('sha256', key)
    .update('nx-steps-secret-1\0')
    .update(JSON.stringify(value) ?? 'undefined')
    .digest('hex')
    .slice(0, 32);
}

/** Params as they may be shown: each secret as SECRET_MASK. */
export function shownParams(params: Readonly<Record<string, unknown>>, secrets: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) defineOwn(out, name, secrets.includes(name) ? SECRET_MASK : value);
  return out;
}

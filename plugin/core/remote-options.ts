/**
 * The plugin options that bound the remote cache and sign results
 * (docs/remote-cache.md), checked. Pure: the pre-task hook, the executor,
 * nx-steps/results and the CLI read them the same way.
 *
 *   "remoteCache": { "requestTimeout": "10s", "budget": "60s", "maxEntrySize": "2GiB", "guard": true }
 *   "signing": { "publicKey": "MCowBQYDK2VwAyEA..." }  or  { "publicKeyFile": "tools/nx-steps.pub" }
 */
import { parseDuration } from './util/duration';
import type { Result } from './util/result';
import { fail, ok } from './util/result';
import { parseSize } from './util/size';

export interface RemoteCacheOptions {
  /** How long the server may take to answer one request, and a body may stall. Default 10s. */
  readonly requestTimeout?: string;
  /** How long one Nx command may spend waiting on the remote cache in all. Default 60s. */
  readonly budget?: string;
  /** What one cache entry may unpack to. Default 2GiB. */
  readonly maxEntrySize?: string;
  /** The loopback guard between Nx and a self-hosted server (default true; false leaves Nx's client alone). */
  readonly guard?: boolean;
}

export interface SigningOptions {
  /** The ed25519 public key that signs trusted results: SPKI, base64 DER or PEM. */
  readonly publicKey?: string;
  /** Or a workspace-relative file holding it. */
  readonly publicKeyFile?: string;
}

export interface RemoteCacheSettings {
  readonly requestTimeoutMs: number;
  readonly budgetMs: number;
  readonly maxEntryBytes: number;
  readonly guard: boolean;
}

export const DEFAULT_REMOTE_CACHE: RemoteCacheSettings = { requestTimeoutMs: 10_000, budgetMs: 60_000, maxEntryBytes: 2 * 1024 ** 3, guard: true };

function unknownKey(raw: object, known: readonly string[], where: string): string | undefined {
  const key = Object.keys(raw).find((k) => !known.includes(k));
  return key === undefined ? undefined : `unknown option "${where}.${key}" in nx.json. Known: ${known.join(', ')}.`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `remoteCache`, with defaults, or what is wrong with it. */
export function checkRemoteCacheOptions(raw: unknown): Result<RemoteCacheSettings, string> {
  if (raw === undefined) return ok(DEFAULT_REMOTE_CACHE);
  if (!isObject(raw)) return fail('"remoteCache" must be an object, e.g. { "requestTimeout": "10s", "budget": "60s", "maxEntrySize": "2GiB" }.');
  const unknown = unknownKey(raw, ['requestTimeout', 'budget', 'maxEntrySize', 'guard'], 'remoteCache');
  if (unknown) return fail(unknown);
  const duration = (key: 'requestTimeout' | 'budget', fallback: number): number | string => {
    const v = raw[key];
    if (v === undefined) return fallback;
    const ms = typeof v === 'string' ? parseDuration(v) : undefined;
    return ms ?? `"remoteCache.${key}" must be a duration such as "10s" or "2m", not ${JSON.stringify(v)}.`;
  };
  const requestTimeoutMs = duration('requestTimeout', DEFAULT_REMOTE_CACHE.requestTimeoutMs);
  const budgetMs = duration('budget', DEFAULT_REMOTE_CACHE.budgetMs);
  const size = raw['maxEntrySize'];
  const maxEntryBytes = size === undefined ? DEFAULT_REMOTE_CACHE.maxEntryBytes : typeof size === 'string' ? parseSize(size) : undefined;
  if (typeof requestTimeoutMs === 'string') return fail(requestTimeoutMs);
  if (typeof budgetMs === 'string') return fail(budgetMs);
  if (maxEntryBytes === undefined) return fail(`"remoteCache.maxEntrySize" must be a size such as "2GiB" or "500MB", not ${JSON.stringify(size)}.`);
  const guard = raw['guard'] ?? true;
  if (typeof guard !== 'boolean') return fail('"remoteCache.guard" must be true or false.');
  return ok({ requestTimeoutMs, budgetMs, maxEntryBytes, guard });
}

/** `signing`, or what is wrong with it (the key itself is read and checked where it is used: core/outputs/trust.ts). */
export function checkSigningOptions(raw: unknown): Result<SigningOptions | undefined, string> {
  if (raw === undefined) return ok(undefined);
  if (!isObject(raw)) return fail('"signing" must be an object: { "publicKey": "<ed25519 public key>" } or { "publicKeyFile": "<path>" }.');
  const unknown = unknownKey(raw, ['publicKey', 'publicKeyFile'], 'signing');
  if (unknown) return fail(unknown);
  const { publicKey, publicKeyFile } = raw;
  if ((publicKey === undefined) === (publicKeyFile === undefined)) return fail('"signing" takes one of "publicKey" or "publicKeyFile".');
  if (publicKey !== undefined && (typeof publicKey !== 'string' || publicKey.trim() === '')) return fail('"signing.publicKey" must be a non-empty string.');
  if (publicKeyFile !== undefined && (typeof publicKeyFile !== 'string' || publicKeyFile.trim() === '')) {
    return fail('"signing.publicKeyFile" must be a workspace-relative path.');
  }
  return ok(publicKey !== undefined ? { publicKey: publicKey as string } : { publicKeyFile: publicKeyFile as string });
}

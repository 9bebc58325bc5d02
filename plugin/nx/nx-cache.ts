/**
 * Nx's cache for step-keyed entries (core/run/step-entries.ts), and where
 * machine state that must live as long as that cache goes. Both reach into
 * Nx's internals through nx-internals.ts (the one file that loads them, and
 * checks their shape for each supported Nx): when they are not usable, the
 * feature is off (one note), never the run.
 *
 * Why Nx's cache classes and not the HTTP spec: `DbCache` is the one object
 * behind which Nx (22.7 to 24) keeps its local cache and whichever remote it is
 * configured with (Nx Cloud, the self-hosted HTTP spec, the bucket packages),
 * with Nx's entry format, its eviction (entries are indexed in its database,
 * so `maxCacheSize` and the 7-day sweep apply), its proxy and TLS handling,
 * and its treatment of 403 and 409. Speaking the HTTP spec ourselves would
 * cover one remote of several, duplicate the entry format, and leave local
 * entries outside Nx's eviction.
 */
import * as path from 'node:path';
import type { EntryCache, EntrySource } from '../core/run/step-entries';
import type { DbCacheLike, NxTask } from './nx-internals';
import { cacheInternals, nxDatabaseDir } from './nx-internals';

/** Whether this command reads and writes the remote cache (Nx's flags, as the pre-task hook hands them down). */
function remoteSkipped(env: NodeJS.ProcessEnv): boolean {
  return env['NX_SKIP_REMOTE_CACHE'] === 'true' || env['NX_DISABLE_REMOTE_CACHE'] === 'true';
}

function task(key: string, relDir: string, owner: { project: string; target: string }): NxTask {
  return {
    id: `${owner.project}:${owner.target}`,
    hash: key,
    outputs: [relDir],
    target: owner,
    overrides: {},
    projectRoot: path.posix.dirname(relDir),
    cache: true,
    parallelism: true,
    continuous: false,
  };
}

/**
 * How long one lookup or upload of a step-keyed entry may take when the
 * remote-cache guard does not bound it (Nx Cloud, the bucket packages, a
 * self-hosted server reached through a proxy): after it, the step goes on
 * without the entry and this process stops asking the remote.
 */
export interface EntryCacheBounds {
  readonly timeoutMs: number;
}

/** Whether the self-hosted server this process sees is the guard's (which bounds every request itself). */
function guarded(env: NodeJS.ProcessEnv): boolean {
  return (env['NX_SELF_HOSTED_REMOTE_CACHE_SERVER'] ?? '').includes('/nxs-guard/');
}

function timeout(ms: number): { promise: Promise<'timeout'>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref();
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/** Runs `call` against Nx's cache within the bounds; on a timeout the remote is dropped for the rest of this process. */
async function within<T>(cache: DbCacheLike, bounds: EntryCacheBounds | undefined, call: () => Promise<T>): Promise<T> {
  if (!bounds || !cache.remoteCache) return call();
  const t = timeout(bounds.timeoutMs);
  try {
    const first = await Promise.race([call(), t.promise]);
    if (first !== 'timeout') return first;
    cache.remoteCache = null;
    throw new Error(`the remote cache did not answer within ${Math.round(bounds.timeoutMs / 1000)} s; this process no longer asks it`);
  } finally {
    t.clear();
  }
}

/**
 * Nx's cache as an `EntryCache`, or undefined (with the reason passed to
 * `note`) when it cannot be used here. `owner` names the step for Nx's
 * bookkeeping of the entries (shown by Nx's own tools).
 */
export async function openEntryCache(
  workspaceRoot: string,
  owner: { project: string; target: string },
  env: NodeJS.ProcessEnv = process.env,
  note: (message: string) => void = () => undefined,
  bounds?: EntryCacheBounds,
): Promise<EntryCache | undefined> {
  const limit = guarded(env) ? undefined : bounds;
  const nx = cacheInternals(workspaceRoot);
  if (typeof nx === 'string') {
    note(`step-keyed cache entries are off: ${nx}.`);
    return undefined;
  }
  let cache: DbCacheLike;
  try {
    cache = new nx.DbCache({ nxCloudRemoteCache: null, skipRemoteCache: false });
    // DbCache.init() minus its warning about foreign files in the cache folder:
    // that is Nx's to print, once per command, not once per step.
    if (!remoteSkipped(env)) cache.remoteCache = await cache.getRemoteCache();
  } catch (e) {
    note(`step-keyed cache entries are off: nx's cache could not be opened (${(e as Error).message.split('\n')[0]}).`);
    return undefined;
  }
  let warned = false;
  const failed = (what: string, e: unknown): void => {
    if (warned) return;
    warned = true;
    note(`could not ${what} this step's own cache entry (${(e as Error).message.split('\n')[0]}); going on without it.`);
  };
  return {
    async restore(key, relDir): Promise<EntrySource | 'miss'> {
      const t = task(key, relDir, owner);
      try {
        nx.recordTaskDetails([{ hash: key, project: owner.project, target: owner.target }]);
        const hit = await within(cache, limit, () => cache.get(t));
        if (!hit) return 'miss';
        await cache.copyFilesFromCache(key, hit, t.outputs);
        return hit.remote ? 'remote' : 'local';
      } catch (e) {
        failed('read', e);
        return 'miss';
      }
    },
    async store(key, relDir, terminalOutput): Promise<void> {
      const t = task(key, relDir, owner);
      try {
        nx.recordTaskDetails([{ hash: key, project: owner.project, target: owner.target }]);
        await within(cache, limit, () => cache.put(t, terminalOutput, t.outputs, 0));
      } catch (e) {
        failed('store', e);
      }
    },
  };
}

/**
 * Set by the pre-task hook to the folder it used, so the task processes of
 * the same command read the salts the hook hashed, whatever their own
 * environment says (the daemon may have resolved Nx's folders at its start).
 */
export const MACHINE_STATE_ENV = 'NX_STEPS_MACHINE_STATE_DIR';

/**
 * The folder of Nx's cache index (its database) for this workspace: machine
 * state that must last exactly as long as the local cache entries goes there
 * (salts, see core/state/salts.ts). Undefined when Nx does not say.
 */
export function machineStateDir(workspaceRoot: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env[MACHINE_STATE_ENV];
  if (given) return given;
  return nxDatabaseDir(workspaceRoot);
}

/** An `EntryCache` opened on first use: a step kept on disk never loads Nx's cache. */
export function lazyEntryCache(open: () => Promise<EntryCache | undefined>): EntryCache {
  let opened: Promise<EntryCache | undefined> | undefined;
  const get = () => (opened ??= open());
  return {
    async restore(key, relDir) {
      const cache = await get();
      return cache ? cache.restore(key, relDir) : 'miss';
    },
    async store(key, relDir, terminalOutput) {
      const cache = await get();
      if (cache) await cache.store(key, relDir, terminalOutput);
    },
  };
}

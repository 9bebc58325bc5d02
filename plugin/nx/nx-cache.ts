/**
 * Nx's cache for step-keyed entries (core/run/step-entries.ts), and where
 * machine state that must live as long as that cache goes. The only code that
 * reaches into Nx's internals (`nx/src/...`, which has no compatibility
 * promise across majors): each is loaded here, once, and when its shape is
 * not what this file expects the feature is off (one note), never the run.
 *
 * Why Nx's cache classes and not the HTTP spec: `DbCache` is the one object
 * behind which Nx 24 keeps its local cache and whichever remote it is
 * configured with (Nx Cloud, the self-hosted HTTP spec, the bucket packages),
 * with Nx's entry format, its eviction (entries are indexed in its database,
 * so `maxCacheSize` and the 7-day sweep apply), its proxy and TLS handling,
 * and its treatment of 403 and 409. Speaking the HTTP spec ourselves would
 * cover one remote of several, duplicate the entry format, and leave local
 * entries outside Nx's eviction. Checked against nx 24.0.6.
 */
import * as path from 'node:path';
import type { EntryCache, EntrySource } from '../core/run/step-entries';

interface NxTask {
  readonly id: string;
  readonly hash: string;
  readonly outputs: string[];
  readonly target: { readonly project: string; readonly target: string };
  readonly overrides: Record<string, unknown>;
  readonly projectRoot: string;
  readonly cache: boolean;
  readonly parallelism: boolean;
  readonly continuous: boolean;
}

interface CachedResult {
  readonly remote: boolean;
}

interface DbCacheLike {
  remoteCache?: unknown;
  getRemoteCache(): Promise<unknown>;
  get(task: NxTask): Promise<(CachedResult & object) | null>;
  put(task: NxTask, terminalOutput: string, outputs: string[], code: number): Promise<unknown>;
  copyFilesFromCache(hash: string, cached: object, outputs: string[]): Promise<unknown>;
}

interface NxInternals {
  readonly DbCache: new (options: { nxCloudRemoteCache: null; skipRemoteCache: boolean }) => DbCacheLike;
  readonly recordTaskDetails: (tasks: Array<{ hash: string; project: string; target: string }>) => void;
}

function loadFrom<T>(workspaceRoot: string, request: string): T {
  // The workspace's own nx: the one whose cache and database the run uses.
  return require(require.resolve(request, { paths: [workspaceRoot, __dirname] })) as T;
}

function nxInternals(workspaceRoot: string): NxInternals | string {
  try {
    const cache = loadFrom<{ DbCache?: unknown }>(workspaceRoot, 'nx/src/tasks-runner/cache');
    const hashTask = loadFrom<{ getTaskDetails?: () => { recordTaskDetails?: unknown } | null }>(workspaceRoot, 'nx/src/hasher/hash-task');
    if (typeof cache.DbCache !== 'function' || typeof hashTask.getTaskDetails !== 'function')
      return 'nx no longer exports DbCache and getTaskDetails where nx-steps expects them';
    const getTaskDetails = hashTask.getTaskDetails;
    return {
      DbCache: cache.DbCache as NxInternals['DbCache'],
      // Nx's database requires a task's details before it records an entry for its hash.
      recordTaskDetails: (tasks) => {
        const details = getTaskDetails();
        if (details && typeof details.recordTaskDetails === 'function') (details.recordTaskDetails as (t: typeof tasks) => void).call(details, tasks);
      },
    };
  } catch (e) {
    return `nx's cache could not be loaded (${(e as Error).message.split('\n')[0]})`;
  }
}

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
 * Nx's cache as an `EntryCache`, or undefined (with the reason passed to
 * `note`) when it cannot be used here. `owner` names the step for Nx's
 * bookkeeping of the entries (shown by Nx's own tools).
 */
export async function openEntryCache(
  workspaceRoot: string,
  owner: { project: string; target: string },
  env: NodeJS.ProcessEnv = process.env,
  note: (message: string) => void = () => undefined,
): Promise<EntryCache | undefined> {
  const nx = nxInternals(workspaceRoot);
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
        const hit = await cache.get(t);
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
        await cache.put(t, terminalOutput, t.outputs, 0);
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
  try {
    const db = loadFrom<{ sharedWorkspaceDataDirectory?: (root: string) => string }>(workspaceRoot, 'nx/src/utils/db-connection');
    return typeof db.sharedWorkspaceDataDirectory === 'function' ? db.sharedWorkspaceDataDirectory(workspaceRoot) : undefined;
  } catch {
    return undefined;
  }
}

/** Nx's cache folder, as Nx resolved it for this process (where it writes `run.json`). Undefined when Nx does not say. */
export function nxCacheDirectory(workspaceRoot: string): string | undefined {
  try {
    const dirs = loadFrom<{ cacheDir?: unknown }>(workspaceRoot, 'nx/src/utils/cache-directory');
    return typeof dirs.cacheDir === 'string' ? dirs.cacheDir : undefined;
  } catch {
    return undefined;
  }
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

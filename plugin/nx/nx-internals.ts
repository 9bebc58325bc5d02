/**
 * The one place nx-steps reaches into Nx's internals (`nx/src/...`, which has
 * no compatibility promise, even between minors). Everything else talks to
 * Nx through its public plugin API (createNodes, the task hooks, executors)
 * and @nx/devkit, which are the same on every Nx nx-steps supports.
 *
 * Each internal is loaded from the workspace's own nx (the one whose cache
 * and database the run uses), checked for the shape this file expects, and
 * handed out, or refused with a reason that names the installed Nx version
 * against the versions nx-steps is tested with. A caller turns a refusal
 * into one note and goes on without the feature: a future Nx that moves an
 * internal costs a feature, never a run.
 *
 * Where the supported versions differ (checked by installing each and
 * running the e2e smoke path, e2e/nx-versions.e2e.test.ts):
 * - the folder of Nx's database (`nx/src/utils/db-connection`): Nx 23 and 24
 *   export `sharedWorkspaceDataDirectory`; Nx 22.7 keeps it private, and
 *   computes it from the main git worktree's workspace-data folder, which
 *   `nxDatabaseDir` does the same way there;
 * - nothing else nx-steps loads from here: `DbCache` (get, put,
 *   copyFilesFromCache, getRemoteCache), `getTaskDetails` and
 *   `globWithWorkspaceContext` have the same shape on 22.7.12, 23.3.2 and
 *   24.0.6.
 * - a plugin's own lines (`emitPluginWorkerLog`, the same on all three):
 *   see `pluginLog`.
 * One public shape differs too, and is read here: the task graph a batch
 * executor receives lists each task's dependencies as task ids on Nx 22.7
 * and 23.x, and as edges (`{ id, ... }`) on Nx 24 (`dependencyIds`).
 */
/** The Nx versions nx-steps is tested with (package.json's peer range says the same). */
export const TESTED_NX = '22.7 to 24.x';

/** Whether `version` (x.y.z) is inside the tested range: 22.7.0 up to, not including, 25. */
export function isTestedNx(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
  return (major === 22 && minor >= 7) || major === 23 || major === 24;
}

/** Loads a module of the workspace's nx (else of the nx next to nx-steps). */
function loadNx<T>(workspaceRoot: string, request: string): T {
  return require(require.resolve(request, { paths: [workspaceRoot, __dirname] })) as T;
}

/** The installed nx's version, or undefined when it cannot be read. */
export function nxVersion(workspaceRoot: string): string | undefined {
  try {
    const version = loadNx<{ version?: unknown }>(workspaceRoot, 'nx/package.json').version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** "nx 24.0.6", or "nx 25.0.1, which nx-steps is not tested with (...)," (a phrase ending a subject). */
function which(workspaceRoot: string): string {
  const version = nxVersion(workspaceRoot);
  if (version === undefined) return 'an nx whose version cannot be read';
  return isTestedNx(version) ? `nx ${version}` : `nx ${version}, which nx-steps is not tested with (it is tested with nx ${TESTED_NX}),`;
}

/** What nx-steps hands Nx's cache as a task (the fields `DbCache` reads). */
export interface NxTask {
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

export interface CachedResult {
  readonly remote: boolean;
}

/** The part of Nx's `DbCache` (nx/src/tasks-runner/cache) nx-steps uses. */
export interface DbCacheLike {
  remoteCache?: unknown;
  getRemoteCache(): Promise<unknown>;
  get(task: NxTask): Promise<(CachedResult & object) | null>;
  put(task: NxTask, terminalOutput: string, outputs: string[], code: number): Promise<unknown>;
  copyFilesFromCache(hash: string, cached: object, outputs: string[]): Promise<unknown>;
}

export interface CacheInternals {
  readonly DbCache: new (options: { nxCloudRemoteCache: null; skipRemoteCache: boolean }) => DbCacheLike;
  /** Nx's database requires a task's details before it records an entry for its hash. */
  readonly recordTaskDetails: (tasks: Array<{ hash: string; project: string; target: string }>) => void;
}

const CACHE_METHODS = ['get', 'put', 'copyFilesFromCache', 'getRemoteCache'] as const;

/** Nx's cache classes, or why they cannot be used here (a sentence without a final full stop). */
export function cacheInternals(workspaceRoot: string): CacheInternals | string {
  try {
    const cache = loadNx<{ DbCache?: unknown }>(workspaceRoot, 'nx/src/tasks-runner/cache');
    const hashTask = loadNx<{ getTaskDetails?: () => { recordTaskDetails?: unknown } | null }>(workspaceRoot, 'nx/src/hasher/hash-task');
    const DbCache = cache.DbCache;
    const proto = typeof DbCache === 'function' ? (DbCache.prototype as Record<string, unknown>) : undefined;
    const missing = [
      ...(proto ? CACHE_METHODS.filter((m) => typeof proto[m] !== 'function').map((m) => `DbCache.${m}`) : ['DbCache']),
      ...(typeof hashTask.getTaskDetails === 'function' ? [] : ['getTaskDetails']),
    ];
    if (missing.length > 0) return `${which(workspaceRoot)} does not have ${missing.join(', ')} where nx-steps expects them`;
    const getTaskDetails = hashTask.getTaskDetails as () => { recordTaskDetails?: unknown } | null;
    return {
      DbCache: DbCache as unknown as CacheInternals['DbCache'],
      recordTaskDetails: (tasks) => {
        const details = getTaskDetails();
        if (details && typeof details.recordTaskDetails === 'function') (details.recordTaskDetails as (t: typeof tasks) => void).call(details, tasks);
      },
    };
  } catch (e) {
    return `the cache of ${which(workspaceRoot)} could not be loaded (${(e as Error).message.split('\n')[0]})`;
  }
}

/**
 * The folder of Nx's database (its cache index) for this workspace, or
 * undefined when this Nx does not say.
 */
export function nxDatabaseDir(workspaceRoot: string): string | undefined {
  try {
    const db = loadNx<{ sharedWorkspaceDataDirectory?: (root: string) => string }>(workspaceRoot, 'nx/src/utils/db-connection');
    if (typeof db.sharedWorkspaceDataDirectory === 'function') return db.sharedWorkspaceDataDirectory(workspaceRoot);
    // Nx 22.7: the same folder, computed as its private sharedWorkspaceDataDirectory does (a git worktree shares the main one's).
    const dirs = loadNx<{ workspaceDataDirectoryForWorkspace?: (root: string) => string }>(workspaceRoot, 'nx/src/utils/cache-directory');
    const native = loadNx<{ getMainWorktreeRoot?: (root: string) => string | null }>(workspaceRoot, 'nx/src/native');
    if (typeof dirs.workspaceDataDirectoryForWorkspace !== 'function') return undefined;
    let root = workspaceRoot;
    try {
      root = (typeof native.getMainWorktreeRoot === 'function' ? native.getMainWorktreeRoot(workspaceRoot) : null) ?? workspaceRoot;
    } catch {
      // Nx falls back to this checkout's folder too.
    }
    return dirs.workspaceDataDirectoryForWorkspace(root);
  } catch {
    return undefined;
  }
}

/** Nx's cache folder, as Nx resolved it for this process (where it writes `run.json`). Undefined when Nx does not say. */
export function nxCacheDirectory(workspaceRoot: string): string | undefined {
  try {
    const dirs = loadNx<{ cacheDir?: unknown }>(workspaceRoot, 'nx/src/utils/cache-directory');
    return typeof dirs.cacheDir === 'string' ? dirs.cacheDir : undefined;
  } catch {
    return undefined;
  }
}

export type WorkspaceGlob = (workspaceRoot: string, patterns: string[]) => Promise<string[]>;

/**
 * Nx's index of workspace files (`globWithWorkspaceContext`), or undefined.
 * Loaded from the nx next to nx-steps: in a plugin worker that is the
 * module Nx itself has loaded already (see discover.ts).
 */
export function workspaceContextGlob(): WorkspaceGlob | undefined {
  try {
    const wc = require('nx/src/utils/workspace-context') as { globWithWorkspaceContext?: WorkspaceGlob };
    return typeof wc.globWithWorkspaceContext === 'function' ? wc.globWithWorkspaceContext : undefined;
  } catch {
    return undefined;
  }
}

/** Why salts are not beside Nx's cache index: for a run to say once (core/state/salts.ts says why they belong there). */
export function databaseDirUnknown(workspaceRoot: string): string {
  return (
    `${which(workspaceRoot)} does not say where its cache index lives, so local salts (nx-steps clear, NX_STEPS_FRESH) are kept ` +
    'in .nx-steps/state instead, where `nx reset` does not remove them'
  );
}

/** A task graph's dependency lists, as any supported Nx writes them. */
export interface TaskDependencies {
  readonly dependencies: Readonly<Record<string, ReadonlyArray<string | { readonly id: string }>>>;
}

/** The ids of the tasks `taskId` depends on: Nx 22.7 and 23.x list ids, Nx 24 lists edges. */
export function dependencyIds(graph: TaskDependencies, taskId: string): string[] {
  return (graph.dependencies[taskId] ?? []).map((dep) => (typeof dep === 'string' ? dep : dep.id));
}

type LogLevel = 'log' | 'warn' | 'error';

let workerLog: ((level: LogLevel, message: string) => void) | null | undefined;

/**
 * Prints a line from the plugin's hooks the way Nx's own plugins do: from a
 * plugin worker, Nx's `emitPluginWorkerLog` sends it to the host over the
 * socket the hook answers on, so it is printed before the command ends (the
 * worker's stderr is piped and may be dropped when the command exits right
 * after the last hook), and with the daemon on it reaches the terminal of
 * the command that asked. Without it (an Nx that moved it, no isolation),
 * the console.
 */
export function pluginLog(level: LogLevel, message: string): void {
  if (workerLog === undefined) {
    try {
      const ws = require('nx/src/project-graph/plugins/isolation/worker-streaming') as { emitPluginWorkerLog?: (l: LogLevel, m: string) => void };
      workerLog = typeof ws.emitPluginWorkerLog === 'function' ? ws.emitPluginWorkerLog : null;
    } catch {
      workerLog = null;
    }
  }
  if (workerLog) workerLog(level, message);
  else console[level](message);
}

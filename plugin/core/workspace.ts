/**
 * The services every entry point (graph construction, the pre-task hook, the
 * executor, the CLI) shares for one workspace: caches, the file hasher, the
 * code analyzer. Create one per process; call `flush()` before exiting.
 */
import { CodeAnalyzer } from './code/closure';
import { listFiles } from './discovery/list-files';
import { loadPipelineFile } from './discovery/load';
import { DirListings } from './hash/dir-listings';
import { FileHasher } from './hash/file-hasher';
import { analyzeWorkspace } from './model/analyze';
import { readExistingProject } from './model/existing-project';
import type { WorkspaceModel } from './model/project-model';
import * as path from 'node:path';
import { SALTS_FILE } from './state/salts';
import { secretKey, secretPattern } from './state/secrets';
import { DiskCache, stateDir } from './util/disk-cache';
import type { Result } from './util/result';
import type { ResultTrust } from './util/result-trust';

export interface Services {
  readonly workspaceRoot: string;
  readonly cache: DiskCache;
  readonly hasher: FileHasher;
  readonly code: CodeAnalyzer;
  /** This machine's salts (state/salts.ts). */
  readonly saltsFile: string;
  /** With signing on: which results are trusted, and how this machine signs its own (outputs/trust.ts). */
  readonly trust?: ResultTrust | undefined;
  /** Names of params that are secrets besides those declared with `secret()` (state/secrets.ts); null: none. */
  readonly secretParams: RegExp | null;
  /** The key of secrets' digests (state/secrets.ts), read or made on first use. */
  secretKey(): Result<Buffer, string>;
  flush(): void;
}

export interface ServiceOptions {
  /**
   * Where machine-local state that must live as long as the local Nx cache
   * goes (salts): the Nx adapter passes the folder of Nx's cache index.
   * Default: `<workspace>/.nx-steps/state` (tests, tools without Nx).
   */
  readonly machineStateDir?: string | undefined;
  readonly trust?: ResultTrust | undefined;
  /** The `secretParams` option of nx-steps/plugin (default: state/secrets.ts's DEFAULT_SECRET_PARAMS). */
  readonly secretParams?: string | false | undefined;
  /** Where NX_STEPS_SECRET_KEY is read (default: this process's environment). */
  readonly env?: NodeJS.ProcessEnv;
  /** The file hasher's clock, in ns (tests move it past the stat memo's racy window). */
  readonly clock?: () => bigint;
}

export function createServices(workspaceRoot: string, options: ServiceOptions = {}): Services {
  const cache = new DiskCache(workspaceRoot);
  const hasher = new FileHasher(cache.path('stat-memo'), {
    listings: new DirListings(cache.path('dir-listings')),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const code = new CodeAnalyzer(workspaceRoot, cache, hasher);
  const machineDir = options.machineStateDir ?? path.join(stateDir(workspaceRoot), 'state');
  let key: Result<Buffer, string> | undefined;
  return {
    workspaceRoot,
    cache,
    hasher,
    code,
    saltsFile: path.join(machineDir, SALTS_FILE),
    ...(options.trust ? { trust: options.trust } : {}),
    secretParams: secretPattern(options.secretParams),
    secretKey: () => (key ??= secretKey(machineDir, options.env ?? process.env)),
    flush: () => hasher.save(),
  };
}

/** Reads and validates the given pipeline files (workspace-relative). */
export function loadWorkspaceModel(services: Services, pipelineFiles: readonly string[]): WorkspaceModel {
  const files = pipelineFiles.map((f) => loadPipelineFile(services.workspaceRoot, f, services.cache));
  return analyzeWorkspace({
    workspaceRoot: services.workspaceRoot,
    files,
    existingProject: (root) => readExistingProject(services.workspaceRoot, root),
    listFiles,
    secretParams: services.secretParams,
  });
}

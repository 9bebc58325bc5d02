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
import { DiskCache, stateDir } from './util/disk-cache';
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
}

export function createServices(workspaceRoot: string, options: ServiceOptions = {}): Services {
  const cache = new DiskCache(workspaceRoot);
  const hasher = new FileHasher(cache.path('stat-memo'), { listings: new DirListings(cache.path('dir-listings')) });
  const code = new CodeAnalyzer(workspaceRoot, cache, hasher);
  const saltsFile = path.join(options.machineStateDir ?? path.join(stateDir(workspaceRoot), 'state'), SALTS_FILE);
  return { workspaceRoot, cache, hasher, code, saltsFile, ...(options.trust ? { trust: options.trust } : {}), flush: () => hasher.save() };
}

/** Reads and validates the given pipeline files (workspace-relative). */
export function loadWorkspaceModel(services: Services, pipelineFiles: readonly string[]): WorkspaceModel {
  const files = pipelineFiles.map((f) => loadPipelineFile(services.workspaceRoot, f, services.cache));
  return analyzeWorkspace({
    workspaceRoot: services.workspaceRoot,
    files,
    existingProject: (root) => readExistingProject(services.workspaceRoot, root),
    listFiles,
  });
}

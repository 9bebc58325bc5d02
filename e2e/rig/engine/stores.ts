/**
 * The two caches of the engine rig, as folders (commands are processes, so
 * what they share lives on disk):
 * - `FolderEntryCache`: the `EntryCache` the engine stores step-keyed entries
 *   in (Nx's local cache, or a remote shared by "machines": workspace copies);
 * - `NxCacheModel`: Nx's own task cache, by a model of the task hash
 *   (`nxTaskHash`): what Nx restores without starting the executor.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EntryCache, EntrySource } from '../../../plugin/core/run/step-entries';

function copyInto(from: string, to: string): void {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

/** Nx's cache by key: a folder per entry; a second store of a key is refused, as Nx's remote does (409). */
export class FolderEntryCache implements EntryCache {
  constructor(
    private readonly dir: string,
    private readonly workspaceRoot: string,
    private readonly source: EntrySource,
  ) {}

  async restore(key: string, relDir: string): Promise<EntrySource | 'miss'> {
    const entry = path.join(this.dir, key);
    if (!fs.existsSync(entry)) return 'miss';
    copyInto(entry, path.join(this.workspaceRoot, relDir));
    return this.source;
  }

  async store(key: string, relDir: string, _terminalOutput?: string): Promise<void> {
    const entry = path.join(this.dir, key);
    if (fs.existsSync(entry)) return;
    copyInto(path.join(this.workspaceRoot, relDir), `${entry}.tmp-${process.pid}`);
    try {
      fs.renameSync(`${entry}.tmp-${process.pid}`, entry);
    } catch {
      fs.rmSync(`${entry}.tmp-${process.pid}`, { recursive: true, force: true });
    }
  }
}

/**
 * What Nx's task hash of a step target sees, as nx-steps declares its inputs
 * (plugin/nx/targets.ts): the task (project, target, overrides), its lock
 * field, its `{env}` input, its upstream results (`dependentTasksOutputFiles`)
 * and its custom key (the `{runtime}` input). Nx hashes more (data filesets,
 * every target of the project, nx.json, the root tsconfig): leaving those out
 * makes the model hit at least as often as Nx does, so a stale hit Nx could
 * serve shows here, and the env input must carry everything else.
 */
export interface NxTaskInputs {
  readonly project: string;
  readonly target: string;
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly lockField: string;
  readonly env: string;
  readonly upstream: readonly string[];
  readonly runtime?: string;
}

export function nxTaskHash(inputs: NxTaskInputs): string {
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

/** Nx's own cache: a task's outputs by its hash, restored in place of running its executor. */
export class NxCacheModel {
  constructor(private readonly dir: string) {}

  /** Restores the outputs stored under `hash` into `outDir`; false when there are none. */
  restore(hash: string, outDir: string): boolean {
    const entry = path.join(this.dir, hash);
    if (!fs.existsSync(entry)) return false;
    copyInto(entry, outDir);
    return true;
  }

  store(hash: string, outDir: string): void {
    if (fs.existsSync(outDir)) copyInto(outDir, path.join(this.dir, hash));
  }
}

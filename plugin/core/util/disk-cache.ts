/**
 * nx-steps' own disk caches (parses, code indexes, closures, stat memo).
 * Entries are content-addressed JSON files: immutable once written, so
 * concurrent processes can share them without locks. A missing or unreadable
 * entry is a miss, never an error.
 *
 * Layout: <workspace>/.nx-steps/cache/<namespace>/<key[0..2]>/<key>.json.
 * The folder is gitignored (and carries its own .gitignore), so Nx never
 * sees it in its file map.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonIfExists, writeFileAtomic } from './fs-atomic';

export const STATE_DIR = '.nx-steps';

export function stateDir(workspaceRoot: string): string {
  return path.join(workspaceRoot, STATE_DIR);
}

/** Creates `<dir>/.gitignore` with `*`, so git and Nx ignore the folder even before `nx-steps:init` ran. */
export function ensureIgnoredDir(dir: string): void {
  const marker = path.join(dir, '.gitignore');
  if (fs.existsSync(marker)) return;
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.writeFileSync(marker, '# Created by nx-steps: step outputs and caches, never committed.\n*\n', { flag: 'wx' });
  } catch {
    // another process created it first
  }
}

export class DiskCache {
  private readonly root: string;
  private prepared = false;

  constructor(workspaceRoot: string) {
    this.root = path.join(stateDir(workspaceRoot), 'cache');
  }

  private file(namespace: string, key: string): string {
    return path.join(this.root, namespace, key.slice(0, 2), `${key}.json`);
  }

  get<T>(namespace: string, key: string): T | undefined {
    return readJsonIfExists<T>(this.file(namespace, key));
  }

  set(namespace: string, key: string, value: unknown): void {
    try {
      if (!this.prepared) {
        ensureIgnoredDir(path.dirname(this.root));
        this.prepared = true;
      }
      writeFileAtomic(this.file(namespace, key), JSON.stringify(value));
    } catch {
      // A cache that cannot be written only costs time.
    }
  }

  /** Path of a single shared file in the cache folder (the stat memo). */
  path(name: string): string {
    return path.join(this.root, name);
  }
}

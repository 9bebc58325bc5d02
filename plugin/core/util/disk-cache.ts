/**
 * nx-steps' own disk caches (parses, code indexes, closures, stat memo).
 * Entries are content-addressed JSON files: immutable once written, so
 * concurrent processes can share them without locks. A missing, unreadable
 * or damaged entry is a miss, never an error: each file holds its value with
 * a digest of the value's text, and a file whose digest does not match (a
 * torn write, `{}`, garbage, another program's file) is ignored and, when
 * the value is computed again, replaced.
 *
 * Layout: <workspace>/.nx-steps/cache/<namespace>/<key[0..2]>/<key>.json.
 * The folder is gitignored (and carries its own .gitignore), so Nx never
 * sees it in its file map.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashBytes } from './xxhash';
import { writeFileAtomic } from './fs-atomic';

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
    let text: string;
    try {
      text = fs.readFileSync(this.file(namespace, key), 'utf8');
    } catch {
      return undefined;
    }
    return unseal<T>(text);
  }

  set(namespace: string, key: string, value: unknown): void {
    try {
      if (!this.prepared) {
        ensureIgnoredDir(path.dirname(this.root));
        this.prepared = true;
      }
      writeFileAtomic(this.file(namespace, key), seal(value));
    } catch {
      // A cache that cannot be written only costs time.
    }
  }

  /** Path of a single shared file in the cache folder (the stat memo). */
  path(name: string): string {
    return path.join(this.root, name);
  }
}

/**
 * An entry on disk: `<digest of the value's JSON>\n<the value's JSON>`. The
 * digest makes any damage a miss, whatever shape the damaged text has.
 */
function seal(value: unknown): string {
  const json = JSON.stringify(value);
  return `${hashBytes(json)}\n${json}`;
}

function unseal<T>(text: string): T | undefined {
  const newline = text.indexOf('\n');
  if (newline !== 32) return undefined;
  const json = text.slice(newline + 1);
  if (hashBytes(json) !== text.slice(0, newline)) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}
